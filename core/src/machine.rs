//! The one shape of everything that waits on the outside world.
//!
//! Credential providers, retries, paginators and waiters are state machines: [`poll`] says what
//! the machine needs next ([`Step`]) and the transport answers through the machine's `handle_*`
//! methods. Transports therefore write a single small driver loop per runtime, and tests drive the
//! machines directly with scripted answers and a fake clock.
//!
//! [`poll`]: Machine::poll

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::body::Body;

/// What a machine needs next.
// `Send` dominates the size; steps are moved once per exchange, so boxing buys nothing.
#[allow(clippy::large_enum_variant)]
pub enum Step<T, E> {
    /// Send this request and call the machine's `handle_response` with the outcome.
    Send(http::Request<Body>),
    /// Read this file and call the machine's `handle_file` with its bytes (or the error).
    ReadFile(PathBuf),
    /// Replace this file's contents with these bytes (creating its directory; atomically, by
    /// writing a temporary file beside it and renaming it over the file, as botocore's
    /// `JSONFileCache` does) and call the machine's `handle_written` with the outcome. The login
    /// provider saves its refreshed token this way.
    WriteFile(PathBuf, bytes::Bytes),
    /// Run this command line (`credential_process`) and call the machine's `handle_process`
    /// with its exit status and standard output.
    RunProcess(String),
    /// Ask the person running the program for the code their MFA device shows (a role profile
    /// with `mfa_serial`) and call the machine's `handle_mfa_code` with the answer. The prompt
    /// is the caller's callback and may wait on a person: run [`MfaPrompt::ask`] where blocking
    /// work runs.
    ///
    /// [`MfaPrompt::ask`]: crate::credentials::MfaPrompt::ask
    AskMfaCode(crate::credentials::MfaPrompt),
    /// Sleep this long, then poll again.
    Sleep(Duration),
    /// Finished.
    Done(T),
    /// Finished with an error.
    Failed(E),
}

/// `Debug` shows a file write's length, not its bytes: refreshed tokens and cached assumed-role
/// credentials are written this way.
impl<T: std::fmt::Debug, E: std::fmt::Debug> std::fmt::Debug for Step<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Send(request) => f.debug_tuple("Send").field(request).finish(),
            Step::ReadFile(path) => f.debug_tuple("ReadFile").field(path).finish(),
            Step::WriteFile(path, bytes) => f
                .debug_tuple("WriteFile")
                .field(path)
                .field(&format_args!("<{} bytes>", bytes.len()))
                .finish(),
            Step::RunProcess(command) => f.debug_tuple("RunProcess").field(command).finish(),
            Step::AskMfaCode(prompt) => f.debug_tuple("AskMfaCode").field(prompt).finish(),
            Step::Sleep(d) => f.debug_tuple("Sleep").field(d).finish(),
            Step::Done(v) => f.debug_tuple("Done").field(v).finish(),
            Step::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
        }
    }
}

/// A per-request time limit a machine attaches to a request it asks to send (as an
/// [`http::Extensions`] value): transports must fail the exchange with a
/// [`TransportErrorKind::Timeout`](crate::error::TransportErrorKind::Timeout) when connecting or
/// waiting for the response takes longer. IMDS (1 s by default) and the container endpoint (2 s)
/// rely on it so an absent metadata service does not stall the credential chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestTimeout(pub Duration);

/// The outcome of a [`Step::RunProcess`], as the transport reports it to `handle_process`.
/// `Debug` shows only lengths: a credential process prints secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProcessOutput {
    /// True when the process exited with status 0.
    pub success: bool,
    /// The exit code, when the process exited normally.
    pub code: Option<i32>,
    /// Everything the process wrote to standard output.
    pub stdout: bytes::Bytes,
    /// Everything the process wrote to standard error.
    pub stderr: bytes::Bytes,
}

impl std::fmt::Debug for ProcessOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessOutput")
            .field("success", &self.success)
            .field("code", &self.code)
            .field("stdout_len", &self.stdout.len())
            .field("stderr_len", &self.stderr.len())
            .finish()
    }
}

/// A sans-IO state machine.
pub trait Machine {
    /// The result when done.
    type Output;
    /// The error when failed.
    type Error;
    /// What the machine needs next, given the current wall-clock time.
    fn poll(&mut self, now: SystemTime) -> Step<Self::Output, Self::Error>;
}

/// A source of randomness the caller injects (jitter, idempotency tokens, invocation ids), so
/// the core stays deterministic under test.
pub trait RandomSource: Send {
    /// A uniformly random `u64`.
    fn next_u64(&mut self) -> u64;

    /// A uniformly random float in `[0, 1)`.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A random version-4 UUID's 36 characters (`8-4-4-4-12` lower-case hex digits): every
    /// call's `amz-sdk-invocation-id`, and by default every [`uuid4`](Self::uuid4). A source
    /// that chooses its UUIDs overrides this one.
    fn uuid4_text(&mut self) -> [u8; 36] {
        uuid4_text(self)
    }

    /// A random version-4 UUID string (idempotency tokens): [`uuid4_text`](Self::uuid4_text)
    /// as text.
    fn uuid4(&mut self) -> String {
        self.uuid4_text().iter().map(|&b| char::from(b)).collect()
    }
}

/// The default [`RandomSource::uuid4_text`], written in place from two `next_u64`: every call
/// makes one for its `amz-sdk-invocation-id`, which takes the bytes without a `String` between.
fn uuid4_text<R: RandomSource + ?Sized>(rng: &mut R) -> [u8; 36] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut text = [b'-'; 36];
    // Where each byte's two digits go: the dashes sit at 8, 13, 18 and 23.
    let mut at = 0;
    for (i, byte) in b.into_iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        text[at] = crate::encoding::HEX_LOWER[usize::from(byte >> 4)];
        text[at + 1] = crate::encoding::HEX_LOWER[usize::from(byte & 0xf)];
        at += 2;
    }
    text
}

/// A small deterministic generator (SplitMix64): good statistical quality, seedable, no I/O.
/// Transports seed it from the OS; tests seed it with a constant.
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl RandomSource for SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid4_shape_and_determinism() {
        let a = SplitMix64(7).uuid4();
        assert_eq!(a, SplitMix64(7).uuid4());
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        // The 8-4-4-4-12 grouping of the 32 hex digits of the 16 bytes, in order.
        let mut r = SplitMix64(7);
        let bytes = [r.next_u64().to_be_bytes(), r.next_u64().to_be_bytes()].concat();
        let hex: String = bytes.iter().map(|x| format!("{x:02x}")).collect();
        assert_eq!(a.replace('-', "")[..12], hex[..12]);
        assert_eq!(a.replace('-', "")[13..16], hex[13..16]);
        assert_eq!(a.replace('-', "")[17..], hex[17..]);
        assert_eq!(
            a.match_indices('-').map(|(i, _)| i).collect::<Vec<_>>(),
            [8, 13, 18, 23]
        );
    }

    /// A source that chooses its UUIDs gives them to both forms (and so to the invocation id,
    /// which takes `uuid4_text`).
    #[test]
    fn a_chosen_uuid_text_is_also_the_string() {
        struct Chosen;
        impl RandomSource for Chosen {
            fn next_u64(&mut self) -> u64 {
                0
            }
            fn uuid4_text(&mut self) -> [u8; 36] {
                *b"12345678-1234-4234-8234-123456789abc"
            }
        }
        assert_eq!(Chosen.uuid4(), "12345678-1234-4234-8234-123456789abc");
        assert_eq!(SplitMix64(7).uuid4().as_bytes(), SplitMix64(7).uuid4_text());
    }

    #[test]
    fn floats_in_unit_interval() {
        let mut r = SplitMix64(1);
        for _ in 0..10_000 {
            let f = r.next_f64();
            assert!((0.0..1.0).contains(&f));
        }
    }
}

/// Split a command line into words the way a POSIX shell does (botocore's
/// `compat_shell_split` on POSIX): whitespace separates words, `'…'` quotes literally, `"…"`
/// quotes with `\` escaping `"`, `\`, `$` and `` ` ``, and `\` outside quotes escapes the next
/// character. Used to run `Step::RunProcess` commands without a shell. `None` for an unclosed
/// quote or a trailing backslash.
pub fn split_command_line(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => word.push(c),
                            '\n' => {}
                            c => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next()? {
                    '\n' => {}
                    c => word.push(c),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

#[cfg(test)]
mod split_tests {
    use super::split_command_line;

    #[test]
    fn shell_words() {
        let w = |s: &str| split_command_line(s).unwrap();
        assert_eq!(w("aws  sso  login"), ["aws", "sso", "login"]);
        assert_eq!(
            w(r#"/bin/my\ tool --name "a b" 'c d' "x\"y" e\\f"#),
            ["/bin/my tool", "--name", "a b", "c d", "x\"y", "e\\f"]
        );
        assert_eq!(w("''"), [""]);
        assert!(split_command_line("'open").is_none());
        assert!(split_command_line("trailing\\").is_none());
    }
}

#[cfg(test)]
mod step_tests {
    use super::Step;

    #[test]
    fn a_file_writes_debug_shows_its_length_not_its_bytes() {
        let step: Step<(), ()> = Step::WriteFile(
            "/c/k.json".into(),
            bytes::Bytes::from_static(br#"{"SecretAccessKey": "s3cr3t"}"#),
        );
        let shown = format!("{step:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(
            shown.contains("29 bytes") && shown.contains("k.json"),
            "{shown}"
        );
    }
}
