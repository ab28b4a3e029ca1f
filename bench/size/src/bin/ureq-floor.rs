//! The floor under `sansboto-size`: the same HTTP client and TLS stack (ureq 3 + rustls with
//! ring + webpki-roots) doing one GET with no sansboto at all, so the difference between the two
//! binaries is what sansboto adds (`scripts/bench-binary-size` prints both).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url =
        std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "https://s3.amazonaws.com/".into());
    let body = ureq::get(&url).call()?.body_mut().read_to_string()?;
    println!("{body}");
    Ok(())
}
