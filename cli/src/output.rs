//! What the command prints, and the exit codes that go with it. Results: an operation's as
//! aws-cli prints it on stdout ([`crate::render`]; a streaming member to `--outfile` or as
//! base64, an event stream as one JSON object per event per line), an S3 command's lines
//! through [`print_stdout`]. Failures ([`Failure`], printed by `main` on stderr): a usage error
//! as text with the usage; an operation's error (invalid parameters, what the environment
//! lacks, a client-side failure, the service's answer) as aws-cli's `main` prints an exception,
//! an empty line then its text ([`error_text`]: `An error occurred (NoSuchBucket) when calling
//! the GetObject operation: …` for the service's); a high-level S3 command's as aws-cli prints
//! it, its one line (`make_bucket failed: …`, `fatal error: …`), what it raises after an empty
//! line, or nothing for failures already reported line by line as they happened (transfers,
//! deletes, skipped files), for an `s3 ls` that matches nothing and for `--quiet`.
//!
//! The exit codes are aws-cli v2's, which tell the kinds apart (v1 exits 255 for all of them and
//! 2 for a usage error): 252 for a command line or parameters that cannot be used, 253 for what
//! the environment lacks, 254 for the service's error, 255 for any other failure.

use std::io::{self, Write};

use sansboto_core::eventstream::Decoder;
use sansboto_core::model::{ServiceModel, ShapeId};
use sansboto_core::protocol::{parse_event, ParseError};
use sansboto_core::Error;
use sansboto_core::Value;

/// Exit code for a service error.
pub(crate) const EXIT_SERVICE: i32 = 254;
/// Exit code for a client-side error.
pub(crate) const EXIT_CLIENT: i32 = 255;
/// Exit code for a usage error: a command line that cannot be read, parameters that fail
/// validation, a service or operation that does not exist (aws-cli v2's
/// `PARAM_VALIDATION_ERROR_RC`).
pub(crate) const EXIT_USAGE: i32 = 252;
/// Exit code for what the environment lacks: no region, no credentials (aws-cli v2's
/// `CONFIGURATION_ERROR_RC`).
pub(crate) const EXIT_CONFIG: i32 = 253;

/// A failure, printed by `main`; its variant gives the exit code.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad command line (252).
    Usage(String),
    /// Parameters that fail validation or do not parse, a service or operation that does not
    /// exist (252: aws-cli v2's `ParamValidationErrorsHandler`, and argparse's invalid choice).
    Invalid(ClientError),
    /// What the environment lacks: no region, no credentials (253: aws-cli v2's
    /// `NoRegionErrorHandler` and `NoCredentialsErrorHandler`).
    Unconfigured(ClientError),
    /// Any other client-side failure (255).
    Client(ClientError),
    /// The service answered with an error (254), as botocore's `ClientError` reads.
    Service(String),
    /// A high-level S3 command's failed call, one line as aws-cli prints it (exit 1, as
    /// aws-cli's `s3 mb` and `s3 rb` return, and its `cp`, `mv`, `sync` and `rm` on a
    /// `fatal error: …`).
    Command(String),
    /// Files were skipped, each with a warning already on stderr, or none with `--quiet` (exit
    /// 2, as aws-cli's S3 commands exit when they skip one).
    Skipped,
    /// `s3 ls` of a key or prefix that matches nothing: exit 1, nothing printed (aws-cli's).
    Empty,
    /// Transfers or deletes failed, each already reported on stderr as aws-cli reports it
    /// (`upload failed: ./f to s3://b/k An error occurred …`, `delete failed: s3://b/k …`), or
    /// an S3 command ended with `--quiet` where it would print a `fatal error: …` (aws-cli
    /// prints nothing then): exit 1, as aws-cli's S3 commands exit when one fails.
    Failed,
    /// What an aws-cli S3 command raises (`rb --force` that could not empty the bucket, a
    /// local source that does not exist), printed as aws-cli's `main` prints an exception: an
    /// empty line, then the message; exit 255.
    Raised(String),
}

/// A client-side failure: its text, printed, and its kind, which `--debug` logs (as aws-cli's
/// debug log ends with the exception's class).
#[derive(Debug)]
pub(crate) struct ClientError {
    /// `ParamValidation`, `NoCredentials`, `EndpointConnectionError`, …
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    code: &'static str,
    /// What went wrong.
    message: String,
}

/// argparse's refusal of required arguments left out (`--name` options, or positional
/// `outfile`), as aws-cli prints it; `Ok` when none is.
pub(crate) fn require(missing: &[&str]) -> Result<(), Failure> {
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failure::Usage(format!(
        "the following arguments are required: {}",
        missing.join(", ")
    )))
}

impl Failure {
    /// A client-side failure (255).
    pub(crate) fn client(code: &'static str, message: impl Into<String>) -> Self {
        Failure::Client(ClientError::new(code, message))
    }

    /// Parameters that fail validation or cannot be read (252).
    pub(crate) fn param_validation(message: impl Into<String>) -> Self {
        Failure::Invalid(ClientError::new("ParamValidation", message))
    }

    /// The exit code.
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            Failure::Usage(_) | Failure::Invalid(_) => EXIT_USAGE,
            Failure::Unconfigured(_) => EXIT_CONFIG,
            Failure::Client(_) => EXIT_CLIENT,
            Failure::Service(_) => EXIT_SERVICE,
            Failure::Command(_) => 1,
            Failure::Skipped => 2,
            Failure::Empty | Failure::Failed => 1,
            Failure::Raised(_) => 255,
        }
    }

    /// Print to stderr.
    pub(crate) fn report(&self) {
        let mut err = io::stderr().lock();
        let _ = match self {
            Failure::Usage(message) => writeln!(
                err,
                "sansboto: error: {message}\n\n{}\n\nRun `sansboto help` for the list of services.",
                crate::args::USAGE
            ),
            Failure::Invalid(e) | Failure::Unconfigured(e) | Failure::Client(e) => {
                #[cfg(feature = "tracing")]
                tracing::debug!(target: "sansboto", kind = e.code, "the command failed");
                writeln!(err, "\n{}", e.message)
            }
            Failure::Command(line) => writeln!(err, "{line}"),
            Failure::Service(message) => {
                #[cfg(feature = "tracing")]
                tracing::debug!(target: "sansboto", kind = "ClientError", "the command failed");
                writeln!(err, "\n{message}")
            }
            Failure::Raised(message) => writeln!(err, "\n{message}"),
            Failure::Skipped | Failure::Empty | Failure::Failed => Ok(()),
        };
    }
}

impl ClientError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        ClientError {
            code,
            message: message.into(),
        }
    }

    /// What went wrong.
    #[cfg(test)]
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        use sansboto_core::credentials::CredentialsError;
        use sansboto_core::SerializeError as S;
        let message = e.to_string();
        let invalid = |code| Failure::Invalid(ClientError::new(code, message.clone()));
        let unconfigured = |code| Failure::Unconfigured(ClientError::new(code, message.clone()));
        let code = match &e {
            Error::Service(_) => return Failure::Service(error_text(&e)),
            Error::Serialize(e) => match e {
                S::InvalidEndpoint { .. } => "InvalidEndpoint",
                // A header HTTP cannot carry: botocore's `HTTPClientError` when sending.
                S::InvalidHeader { .. } => "HTTPClientError",
                // What the build or the model lacks, not the parameters.
                S::ProtocolNotBuilt(_)
                | S::InvalidUriTemplate { .. }
                | S::MissingMetadata { .. }
                | S::InvalidMethod(_) => "ClientError",
                _ => return invalid("ParamValidation"),
            },
            // With what botocore's handlers refuse as `ParamValidationError` (a bucket name,
            // metadata outside ASCII, a `CopySource` without its key), in botocore's words.
            Error::Validation(_) => return invalid("ParamValidation"),
            Error::UnknownOperation { .. } => return invalid("UnknownOperation"),
            Error::NoCredentials(_) => return unconfigured("NoCredentials"),
            Error::NoRegion | Error::Credentials(CredentialsError::NoRegion { .. }) => {
                return unconfigured("NoRegion")
            }
            Error::Credentials(_) => "CredentialsError",
            Error::InvalidRegion { .. } => "InvalidRegion",
            Error::Transport(t) => match t.kind {
                sansboto_core::TransportErrorKind::Connect => "EndpointConnectionError",
                sansboto_core::TransportErrorKind::Timeout => "Timeout",
                // A streamed body that failed its checksum: botocore's `FlexibleChecksumError`.
                sansboto_core::TransportErrorKind::Checksum => "FlexibleChecksumError",
                _ => "HttpError",
            },
            Error::Endpoint(_) | Error::Bind(_) => "EndpointResolutionError",
            Error::Parse(_) => "ResponseParserError",
            Error::Crc32(_) => "ChecksumError",
            Error::Checksum(_) => "FlexibleChecksumError",
            _ => "ClientError",
        };
        Failure::client(code, message)
    }
}

/// An error as botocore's exception reads (`str(e)`, what aws-cli's S3 commands print): a
/// service error in the words of its `ClientError`, naming the operation answered with it
/// (a transfer makes several), with `(reached max retries: N)` when the retries ran out;
/// anything else as sansboto words it, with no operation (botocore's connection and timeout
/// errors name the endpoint, not the operation).
pub(crate) fn error_text(e: &Error) -> String {
    let Error::Service(s) = e else {
        return e.to_string();
    };
    let operation = match s.operation.as_str() {
        "" => "Unknown",
        operation => operation,
    };
    let error = |key: &str| s.fields.get("Error").and_then(|e| e.get(key)?.as_str());
    let metadata = |key: &str| s.fields.get("ResponseMetadata").and_then(|m| m.get(key));
    let retries = match (
        metadata("MaxAttemptsReached").and_then(Value::as_bool),
        metadata("RetryAttempts").and_then(Value::as_i64),
    ) {
        (Some(true), Some(n)) => format!(" (reached max retries: {n})"),
        _ => String::new(),
    };
    format!(
        "An error occurred ({}) when calling the {operation} operation{retries}: {}",
        error("Code").unwrap_or("Unknown"),
        error("Message").unwrap_or("Unknown"),
    )
}

/// Write `text` and a newline to stdout. A closed pipe (`| head`) ends quietly.
pub(crate) fn print_stdout(text: &str) -> Result<(), Failure> {
    write_stdout(&format!("{text}\n"))
}

/// Write `text` to stdout as it is. A closed pipe (`| head`) ends quietly.
pub(crate) fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::client(
            "OutputError",
            format!("writing to stdout: {e}"),
        )),
    }
}

/// The operation's streaming output member: its name, its shape, and whether it is an event
/// stream.
pub(crate) struct StreamingMember {
    /// Member name (`Body`, `Payload`).
    pub name: String,
    /// Target shape.
    pub shape: ShapeId,
    /// An event stream rather than bytes.
    pub event_stream: bool,
}

/// The output payload member that streams, if the operation has one.
pub(crate) fn streaming_output(
    model: &ServiceModel,
    output: Option<ShapeId>,
) -> Option<StreamingMember> {
    let structure = model.shape(output?).as_structure()?;
    let name = structure.payload.as_ref()?;
    let member = structure.members.get(name)?;
    let target = model.shape(member.shape);
    let event_stream = target.as_structure().is_some_and(|s| s.eventstream);
    // A blob payload streams, marked so or not, as botocore's `has_streaming_output` has it
    // (Lambda's `Invoke` `Payload`): aws-cli takes its file as a required word.
    let blob = matches!(target.kind, sansboto_core::model::ShapeKind::Blob);
    (member.streaming || target.streaming || event_stream || blob).then(|| StreamingMember {
        name: name.clone(),
        shape: member.shape,
        event_stream,
    })
}

/// Print a call's result: the streaming member written to `outfile` (and left out of the JSON)
/// or included as base64; an event stream printed event by event; the rest as `rendering`
/// says (aws-cli's formatter: `--output`, `--query`).
pub(crate) fn print_result(
    model: &ServiceModel,
    streaming: Option<&StreamingMember>,
    mut result: Value,
    outfile: Option<&str>,
    rendering: &crate::render::Rendering,
) -> Result<(), Failure> {
    if let Some(member) = streaming {
        let body = result
            .get(&member.name)
            .and_then(sansboto_blocking::take_body);
        if let Some(mut body) = body {
            if member.event_stream {
                return print_events(model, member.shape, &mut body);
            }
            let map = result.as_map_mut();
            match outfile {
                Some(path) => {
                    crate::outfile::write_outfile(&mut body, path)?;
                    if let Some(map) = map {
                        map.shift_remove(member.name.as_str());
                    }
                }
                None => {
                    let bytes = body
                        .bytes()
                        .map_err(|e| Failure::from(Error::Transport(e)))?;
                    if let Some(map) = map {
                        map.insert(member.name.as_str().into(), Value::Blob(bytes));
                    }
                }
            }
        } else if let (Some(path), Some(map)) = (outfile, result.as_map_mut()) {
            // A blob payload the client read whole (not marked streaming): its bytes.
            if let Some(Value::Blob(bytes)) = map.shift_remove(member.name.as_str()) {
                crate::outfile::write_outfile(&mut &bytes[..], path)?;
            }
        }
    }
    match rendering.render(result.to_json())? {
        Some(text) => write_stdout(&text),
        None => Ok(()),
    }
}

fn print_events(
    model: &ServiceModel,
    stream_shape: ShapeId,
    body: &mut sansboto_blocking::ResponseBody,
) -> Result<(), Failure> {
    let mut decoder = Decoder::new();
    let stream_error =
        |e: String| Failure::client("EventStreamError", format!("event stream: {e}"));
    loop {
        let chunk = body
            .chunk()
            .map_err(|e| Failure::from(Error::Transport(e)))?;
        let Some(chunk) = chunk else { break };
        decoder.push(&chunk);
        while let Some(message) = decoder
            .next_message()
            .map_err(|e| stream_error(e.to_string()))?
        {
            if message.event_type() == Some("initial-response") {
                continue;
            }
            match parse_event(model, stream_shape, &message) {
                Ok(event) => print_stdout(&event.to_json().to_string())?,
                Err(ParseError::Service(e)) => return Err(Error::Service(e).into()),
                Err(e) => return Err(stream_error(e.to_string())),
            }
        }
    }
    decoder.finish().map_err(|e| stream_error(e.to_string()))
}
