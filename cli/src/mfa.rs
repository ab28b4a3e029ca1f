//! The MFA code of a role profile with `mfa_serial`, asked for as botocore asks through Python's
//! `getpass.getpass('Enter MFA code for {serial}: ')`: on the terminal without echo (rpassword),
//! else, with no terminal to use, on standard error with `getpass`'s warning, read from standard
//! input; a new line after it where the prompt was, as `getpass` writes.

use std::io::{BufRead, Write};

/// The prompt botocore's assume-role provider gives `getpass`.
fn prompt(serial: &str) -> String {
    format!("Enter MFA code for {serial}: ")
}

/// Ask for the code of `serial`.
pub(crate) fn ask(serial: &str) -> Result<String, String> {
    let prompt = prompt(serial);
    match rpassword::prompt_password(&prompt) {
        // rpassword ends the hidden input's line itself, as `getpass` does.
        Ok(code) => Ok(code),
        Err(_) => {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "Warning: Password input may be echoed.\n{prompt}");
            let _ = stderr.flush();
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the MFA code: {e}"))?;
            // `getpass` takes the line without its line end; at the end of the input, none.
            if line.is_empty() {
                return Err("no MFA code was given (end of input)".into());
            }
            let _ = writeln!(std::io::stderr());
            Ok(line.strip_suffix('\n').unwrap_or(&line).to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_prompt_is_botocores() {
        assert_eq!(
            super::prompt("arn:aws:iam::123456789012:mfa/u"),
            "Enter MFA code for arn:aws:iam::123456789012:mfa/u: "
        );
    }
}
