//! The host work this transport runs on the `blocking` pool: a credential process runs without a
//! shell and its status and output come back whole (the host crate's one runner).

use sansboto_async_std::{HttpClient, HttpConfig};
use sansboto_core::runtime::{Host, Http};

#[test]
fn a_credential_process_runs_with_its_status_and_output() {
    async_std::task::block_on(async {
        let client = HttpClient::connect(&HttpConfig::default()).unwrap();
        let argv = ["sh", "-c", "echo out; echo err >&2; exit 3"].map(String::from);
        let out = client.run_process(argv.to_vec()).await.unwrap();
        assert_eq!((out.success, out.code), (false, Some(3)));
        assert_eq!(
            (&out.stdout[..], &out.stderr[..]),
            (&b"out\n"[..], &b"err\n"[..])
        );
        let empty = client.run_process(Vec::new()).await.unwrap_err();
        assert_eq!(empty.kind(), std::io::ErrorKind::InvalidInput);
    });
}
