//! The first client of a fresh process: one run makes one client and prints the CPU time (of the
//! process, `CLOCK_PROCESS_CPUTIME_ID`) and the wall time it took, in microseconds, as
//! `cpu_us wall_us`. `scripts/bench-first-client` runs it many times.
//!
//! ```sh
//! first_client sansboto s3      # sansboto_tokio::Session::new() + client("s3").build()
//! first_client sansboto ec2
//! first_client aws-sdk-rust s3  # aws_config::load_defaults + aws_sdk_s3::Client::new
//! first_client sansboto ec2 DescribeInstances  # the client, then its first call (stubbed)
//! ```
//!
//! With an operation named, a sansboto run also makes that call (no parameters) through the
//! client's `Stubber`, answered with an empty result, inside the timing: the first call builds
//! the operation and the shapes it reaches, which a client made from its model's index reads
//! only then.
//!
//! Region and credentials come from the environment (the script sets `AWS_REGION`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`), so neither client looks further. The tokio
//! runtime is made before the clock starts: it is the program's, not the client's.

use std::time::Instant;

fn cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write into.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (client, service, operation) = match args.as_slice() {
        [client, service] => (client.as_str(), service.as_str(), None),
        [client, service, operation] if client == "sansboto" => {
            (client.as_str(), service.as_str(), Some(operation.as_str()))
        }
        _ => {
            eprintln!("usage: first_client sansboto|aws-sdk-rust SERVICE [OPERATION (sansboto)]");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let (cpu, wall) = (cpu_ns(), Instant::now());
    match client {
        "sansboto" => {
            let made = rt.block_on(sansboto_tokio::Session::new().client(service).build());
            let made = made.expect("sansboto client");
            if let Some(operation) = operation {
                let stubber = made.stubber();
                let empty = sansboto_tokio::params! {};
                stubber
                    .add_response(operation, None, empty.clone())
                    .expect("stubbed response");
                let out = rt.block_on(made.with_stubber(&stubber).call(operation, empty));
                std::hint::black_box(out.expect("stubbed call"));
            }
            std::hint::black_box(made);
        }
        "aws-sdk-rust" if service == "s3" => {
            let made = rt.block_on(async {
                let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
                aws_sdk_s3::Client::new(&config)
            });
            std::hint::black_box(made);
        }
        _ => {
            eprintln!("unknown client {client} {service} (aws-sdk-rust: s3 only)");
            std::process::exit(2);
        }
    }
    let (cpu, wall) = (cpu_ns() - cpu, wall.elapsed());
    println!("{} {}", cpu / 1000, wall.as_micros());
}
