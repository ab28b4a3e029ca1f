//! The program whose stripped size BENCHMARKS.md reports ("Binary size"): an S3 client from the
//! environment, one `ListBuckets`, the bucket names printed. `scripts/bench-binary-size` builds it
//! with `SANSBOTO_SERVICES=s3`; run against `AWS_ENDPOINT_URL` it shows the build works.

use sansboto_blocking::{params, Session};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let s3 = Session::new().client("s3").build()?;
    let out = s3.call("ListBuckets", params! {})?;
    for bucket in out["Buckets"].as_list().unwrap_or_default() {
        println!("{}", bucket["Name"].as_str().unwrap_or_default());
    }
    Ok(())
}
