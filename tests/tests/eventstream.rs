//! Event-stream conformance: botocore's frame vectors (`derived/eventstream-vectors.json` in the
//! shared test data: valid frames decode to the expected headers and payload and re-encode to the
//! same bytes; invalid ones fail with the matching error), plus byte-at-a-time and random-split
//! feeding and a deterministic mutation sweep that must never panic.

use std::panic::{catch_unwind, AssertUnwindSafe};

use bytes::Bytes;
use sansboto_core::eventstream::{self, Decoder, EventStreamError, HeaderValue, Message};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length: {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or_else(|e| panic!("{s}: {e}")))
        .collect()
}

/// The vectors, or `None` (reported as skipped) when the shared test data is not on this machine.
fn vectors(test: &str) -> Option<Value> {
    let Some(dir) = sansboto_tests::shared_testdata_dir() else {
        println!(
            "{test}: 0 passed, 0 failed, all skipped: shared test data \
             (../shared/testdata/botocore or SANSBOTO_SHARED_TESTDATA) is absent"
        );
        return None;
    };
    let path = dir.join("derived/eventstream-vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn list<'a>(vectors: &'a Value, key: &str) -> &'a [Value] {
    vectors[key]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("no {key} list"))
}

fn hex_field(value: &Value) -> Option<Vec<u8>> {
    value.get("hex").and_then(Value::as_str).map(hex)
}

/// Decodes `input` fed in pieces of the given sizes (cycled), collecting messages until an error.
fn feed(input: &[u8], piece_sizes: &[usize]) -> Result<Vec<Message>, EventStreamError> {
    let mut decoder = Decoder::new();
    let mut messages = Vec::new();
    let mut at = 0;
    let mut sizes = piece_sizes.iter().cycle();
    while at < input.len() {
        let size = (*sizes.next().unwrap_or(&1)).max(1);
        let end = (at + size).min(input.len());
        decoder.push(&input[at..end]);
        at = end;
        while let Some(message) = decoder.next_message()? {
            messages.push(message);
        }
    }
    decoder.finish()?;
    Ok(messages)
}

/// Compares a decoded header value to the vector's JSON (numbers, strings, bools, `{"hex"}`).
fn header_matches(actual: &HeaderValue, expected: &Value) -> bool {
    match actual {
        HeaderValue::Bool(b) => expected.as_bool() == Some(*b),
        HeaderValue::Byte(v) => expected.as_i64() == Some(i64::from(*v)),
        HeaderValue::Short(v) => expected.as_i64() == Some(i64::from(*v)),
        HeaderValue::Int(v) => expected.as_i64() == Some(i64::from(*v)),
        HeaderValue::Long(v) | HeaderValue::Timestamp(v) => expected.as_i64() == Some(*v),
        HeaderValue::String(s) => expected.as_str() == Some(s.as_str()),
        HeaderValue::ByteArray(b) => hex_field(expected).as_deref() == Some(b.as_ref()),
        HeaderValue::Uuid(u) => hex_field(expected).as_deref() == Some(&u[..]),
    }
}

fn check_positive(case: &Value) -> Result<(), String> {
    let frame = hex(case["encoded_hex"].as_str().ok_or("no encoded_hex")?);
    let decoded = &case["decoded"];
    let message =
        eventstream::decode_message(Bytes::from(frame.clone())).map_err(|e| e.to_string())?;

    let prelude = &decoded["prelude"];
    let word = |at: usize| {
        u64::from(u32::from_be_bytes([
            frame[at],
            frame[at + 1],
            frame[at + 2],
            frame[at + 3],
        ]))
    };
    let n = frame.len();
    let expected_words = [
        (prelude["total_length"].as_u64(), word(0), "total_length"),
        (
            prelude["headers_length"].as_u64(),
            word(4),
            "headers_length",
        ),
        (prelude["crc"].as_u64(), word(8), "prelude crc"),
        (decoded["crc"].as_u64(), word(n - 4), "message crc"),
    ];
    for (expected, actual, what) in expected_words {
        if expected != Some(actual) {
            return Err(format!("{what}: expected {expected:?}, frame has {actual}"));
        }
    }
    if prelude["total_length"].as_u64() != Some(n as u64) {
        return Err("total_length differs from the frame size".into());
    }

    let expected_headers = decoded["headers"].as_object().ok_or("no headers object")?;
    if message.headers.len() != expected_headers.len() {
        return Err(format!(
            "{} headers, expected {}",
            message.headers.len(),
            expected_headers.len()
        ));
    }
    for (name, expected) in expected_headers {
        let actual = message
            .header(name)
            .ok_or_else(|| format!("missing header {name:?}"))?;
        if !header_matches(actual, expected) {
            return Err(format!(
                "header {name:?}: got {actual:?}, expected {expected}"
            ));
        }
    }
    let payload = hex_field(&decoded["payload"]).ok_or("no payload hex")?;
    if message.payload.as_ref() != payload.as_slice() {
        return Err(format!(
            "payload {:02x?}, expected {payload:02x?}",
            message.payload
        ));
    }
    // Re-encoding reproduces the exact frame, CRCs and header wire types included.
    let reencoded = eventstream::encode(&message).map_err(|e| e.to_string())?;
    if reencoded != frame {
        return Err("re-encoded frame differs".into());
    }
    // Byte-at-a-time feeding yields the same single message.
    match feed(&frame, &[1]) {
        Ok(messages) if messages == [message.clone()] => Ok(()),
        other => Err(format!("byte-at-a-time feeding gave {other:?}")),
    }
}

#[test]
fn botocore_positive_vectors() {
    let Some(vectors) = vectors("eventstream positive") else {
        return;
    };
    let cases = list(&vectors, "positive");
    let mut failed = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        match catch_unwind(|| check_positive(case)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failed.push(format!("{name}: {e}")),
            Err(_) => failed.push(format!("{name}: panicked")),
        }
    }
    println!(
        "eventstream positive: {} passed, {} failed, 0 skipped",
        cases.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "failures:\n{}", failed.join("\n"));
    assert_eq!(cases.len(), 9, "the vector file has 9 positive frames");
}

/// Whether `error` is what botocore calls `name`.
fn is_botocore_error(error: &EventStreamError, name: &str) -> bool {
    match name {
        "ChecksumMismatch" => matches!(
            error,
            EventStreamError::PreludeChecksumMismatch { .. }
                | EventStreamError::MessageChecksumMismatch { .. }
        ),
        "DuplicateHeader" => matches!(error, EventStreamError::DuplicateHeader { .. }),
        "InvalidHeadersLength" => matches!(error, EventStreamError::HeadersTooLong { .. }),
        "InvalidPayloadLength" => matches!(error, EventStreamError::PayloadTooLong { .. }),
        _ => false,
    }
}

/// Feeds a negative vector part by part (64 KiB at most per push, repeated parts generated on
/// the fly) and returns the first error. The 24 MiB payload case must fail on its prelude,
/// before the payload is buffered.
fn first_error(case: &Value) -> Result<(EventStreamError, usize), String> {
    let mut decoder = Decoder::new();
    let mut fed = 0usize;
    let mut push = |decoder: &mut Decoder, bytes: &[u8]| -> Option<EventStreamError> {
        decoder.push(bytes);
        fed += bytes.len();
        loop {
            match decoder.next_message() {
                Ok(Some(_)) => continue,
                Ok(None) => return None,
                Err(e) => return Some(e),
            }
        }
    };
    if let Some(encoded) = case["encoded_hex"].as_str() {
        if let Some(e) = push(&mut decoder, &hex(encoded)) {
            return Ok((e, fed));
        }
    } else {
        let parts = case["encoded_parts"]
            .as_array()
            .ok_or("no encoded_hex or encoded_parts")?;
        for part in parts {
            if let Some(bytes) = hex_field(part) {
                if let Some(e) = push(&mut decoder, &bytes) {
                    return Ok((e, fed));
                }
            } else {
                let unit = hex(part["repeat_hex"].as_str().ok_or("part without hex")?);
                let count = part["count"].as_u64().ok_or("part without count")? as usize;
                let block: Vec<u8> = unit.iter().copied().cycle().take(64 * 1024).collect();
                let mut left = count * unit.len();
                while left > 0 {
                    let n = left.min(block.len());
                    if let Some(e) = push(&mut decoder, &block[..n]) {
                        return Ok((e, fed));
                    }
                    left -= n;
                }
            }
        }
    }
    match decoder.finish() {
        Err(e) => Err(format!("no decode error; only at end of stream: {e}")),
        Ok(()) => Err("decoded without error".into()),
    }
}

#[test]
fn botocore_negative_vectors() {
    let Some(vectors) = vectors("eventstream negative") else {
        return;
    };
    let cases = list(&vectors, "negative");
    let mut failed = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let expected = case["error"].as_str().unwrap_or("?");
        match catch_unwind(|| first_error(case)) {
            Ok(Ok((error, fed))) if is_botocore_error(&error, expected) => {
                if case.get("encoded_parts").is_some() && fed > 64 * 1024 {
                    failed.push(format!("{name}: error only after buffering {fed} bytes"));
                }
            }
            Ok(Ok((error, _))) => {
                failed.push(format!("{name}: expected {expected}, got {error:?}"))
            }
            Ok(Err(e)) => failed.push(format!("{name}: {e}")),
            Err(_) => failed.push(format!("{name}: panicked")),
        }
    }
    println!(
        "eventstream negative: {} passed, {} failed, 0 skipped",
        cases.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "failures:\n{}", failed.join("\n"));
    assert_eq!(cases.len(), 7, "the vector file has 7 negative frames");
}

/// Deterministic xorshift: tests may use randomness, the core may not.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A stream of several messages built with the encoder (no shared data needed).
fn sample_stream() -> (Vec<Message>, Vec<u8>) {
    let messages = vec![
        Message::new(&b"{\"Records\":{\"Payload\":\"YQ==\"}}"[..])
            .with_header(":message-type", HeaderValue::String("event".into()))
            .with_header(":event-type", HeaderValue::String("Records".into()))
            .with_header(
                ":content-type",
                HeaderValue::String("application/octet-stream".into()),
            ),
        Message::default()
            .with_header(":message-type", HeaderValue::String("event".into()))
            .with_header(":event-type", HeaderValue::String("Stats".into()))
            .with_header("flag", HeaderValue::Bool(false))
            .with_header("n", HeaderValue::Short(-300))
            .with_header("big", HeaderValue::Long(i64::MIN))
            .with_header("id", HeaderValue::Uuid(*b"0123456789abcdef"))
            .with_header("raw", HeaderValue::ByteArray(Bytes::from_static(&[0, 255])))
            .with_header("at", HeaderValue::Timestamp(1_700_000_000_123))
            .with_header("i", HeaderValue::Int(7))
            .with_header("b", HeaderValue::Byte(-8)),
        Message::new(vec![0x42u8; 70_000])
            .with_header(":message-type", HeaderValue::String("exception".into()))
            .with_header(
                ":exception-type",
                HeaderValue::String("ThrottlingException".into()),
            ),
        Message::default()
            .with_header(":message-type", HeaderValue::String("error".into()))
            .with_header(":error-code", HeaderValue::String("InternalError".into()))
            .with_header(":error-message", HeaderValue::String("boom".into())),
    ];
    let mut stream = Vec::new();
    for message in &messages {
        eventstream::encode_into(message, &mut stream).expect("encodable");
    }
    (messages, stream)
}

#[test]
fn byte_at_a_time_and_random_splits_give_the_same_messages() {
    let (messages, stream) = sample_stream();
    assert_eq!(feed(&stream, &[stream.len()]).as_ref(), Ok(&messages));
    assert_eq!(feed(&stream, &[1]).as_ref(), Ok(&messages));
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for _ in 0..200 {
        let sizes: Vec<usize> = (0..8).map(|_| 1 + (rng.next() % 9000) as usize).collect();
        assert_eq!(
            feed(&stream, &sizes).as_ref(),
            Ok(&messages),
            "split sizes {sizes:?}"
        );
    }
    let decoded = feed(&stream, &[7]).expect("decodes");
    assert_eq!(decoded[2].exception_type(), Some("ThrottlingException"));
    assert_eq!(decoded[3].error_code(), Some("InternalError"));
    assert_eq!(decoded[3].error_message(), Some("boom"));
    assert_eq!(decoded[0].content_type(), Some("application/octet-stream"));
}

#[test]
fn a_truncated_stream_is_reported_at_finish() {
    let (_, stream) = sample_stream();
    let mut decoder = Decoder::new();
    decoder.push(&stream[..stream.len() - 3]);
    while let Ok(Some(_)) = decoder.next_message() {}
    assert!(matches!(
        decoder.finish(),
        Err(EventStreamError::Truncated { .. })
    ));
}

#[test]
fn mutated_streams_never_panic() {
    let (_, stream) = sample_stream();
    let mut rng = XorShift(0xdead_beef_cafe_f00d);
    let (mut corrupted, rounds) = (0, 3000);
    for _ in 0..rounds {
        let mut input = stream.clone();
        // Flip bytes, favouring the preludes and headers where the structure lives.
        for _ in 0..=(rng.next() % 4) {
            let at = if rng.next().is_multiple_of(2) {
                (rng.next() % 200) as usize
            } else {
                (rng.next() % input.len() as u64) as usize
            };
            input[at] ^= 1 << (rng.next() % 8);
        }
        if rng.next().is_multiple_of(4) {
            input.truncate((rng.next() % input.len() as u64) as usize);
        }
        let sizes: Vec<usize> = (0..4).map(|_| 1 + (rng.next() % 5000) as usize).collect();
        let outcome = catch_unwind(AssertUnwindSafe(|| feed(&input, &sizes)));
        let Ok(result) = outcome else {
            panic!("decoder panicked on a mutated stream (splits {sizes:?})");
        };
        // A surviving bit flip breaks a CRC, so the stream must fail. (A pure truncation may end on
        // a frame boundary and decode fine, and two flips of one bit cancel out.)
        if input != stream[..input.len()] {
            corrupted += 1;
            assert!(result.is_err(), "a corrupted stream decoded without error");
        }
    }
    println!("eventstream mutation sweep: {rounds} passed ({corrupted} corrupted, all rejected), 0 failed");
}
