//! Running a program for the core's machines (`Host::run_process`: a credential provider's
//! `credential_process`), written once: no shell, output collected whole. Blocking; async
//! transports call it on a thread that may block.

use bytes::Bytes;
use sansboto_core::machine::ProcessOutput;

/// Run `argv` (program, then its arguments) and collect its status and output.
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

#[cfg(test)]
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
