//! Benchmarks only: see benches/throughput.rs.
