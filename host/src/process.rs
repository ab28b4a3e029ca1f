//! Running a program for the core's machines (`Host::run_process`: a credential provider's
//! `credential_process`), written once: no shell, output collected whole. Blocking; async
//! transports call it on a thread that may block.
//!
//! Needs the `credential-process` feature (on by default); without it [`run`] refuses every
//! command with an error saying so, and no process-spawning code is linked.

#[cfg(feature = "credential-process")]
use bytes::Bytes;
use sansboto_core::machine::ProcessOutput;

/// Without the `credential-process` feature: an `Unsupported` error naming the feature (the
/// `credential_process` provider reports it as its failure; the chain does not go on).
#[cfg(not(feature = "credential-process"))]
pub fn run(_argv: Vec<String>) -> std::io::Result<ProcessOutput> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "credential_process needs sansboto's `credential-process` feature (on by default), which this build leaves out",
    ))
}

/// Run `argv` (program, then its arguments) and collect its status and output.
#[cfg(feature = "credential-process")]
pub fn run(argv: Vec<String>) -> std::io::Result<ProcessOutput> {
    let (program, args) = argv.split_first().ok_or(std::io::ErrorKind::InvalidInput)?;
    let output = std::process::Command::new(program).args(args).output()?;
    Ok(ProcessOutput {
        success: output.status.success(),
        code: output.status.code(),
        stdout: Bytes::from(output.stdout),
        stderr: Bytes::from(output.stderr),
    })
}

#[cfg(all(test, feature = "credential-process"))]
mod tests {
    #[test]
    fn runs_a_program_without_a_shell_and_refuses_an_empty_command_line() {
        let out = super::run(vec!["sh".into(), "-c".into(), "echo hi; exit 3".into()]).unwrap();
        assert_eq!((out.success, out.code), (false, Some(3)));
        assert_eq!(&out.stdout[..], b"hi\n");
        let err = super::run(Vec::new()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}

#[cfg(all(test, not(feature = "credential-process")))]
mod not_built_tests {
    #[test]
    fn without_the_feature_every_command_is_refused() {
        let err = super::run(vec!["true".into()]).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
        assert!(err.to_string().contains("credential-process"), "{err}");
    }
}
