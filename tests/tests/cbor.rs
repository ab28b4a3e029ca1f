//! CBOR conformance: botocore's `tests/unit/cbor` decode vectors (every success case compared to
//! its `expect`, every error case must fail without panicking), encoder round trips, and a
//! deterministic mutation sweep that must never panic.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use sansboto_core::protocol::cbor::{self, CborError, Encoder, Item};
use serde_json::value::RawValue;

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length: {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or_else(|e| panic!("{s}: {e}")))
        .collect()
}

struct SuccessCase {
    description: String,
    input: String,
    expect: Box<RawValue>,
}

struct ErrorCase {
    description: String,
    input: String,
    error: bool,
}

type RawObject = BTreeMap<String, Box<RawValue>>;

fn field(object: &RawObject, name: &str) -> serde_json::Value {
    let raw = object
        .get(name)
        .unwrap_or_else(|| panic!("case without {name:?}"));
    serde_json::from_str(raw.get()).unwrap_or_else(|e| panic!("{name:?}: {e}"))
}

fn text_field(object: &RawObject, name: &str) -> String {
    match field(object, name) {
        serde_json::Value::String(s) => s,
        other => panic!("{name:?} is not a string: {other}"),
    }
}

fn success_cases() -> Vec<SuccessCase> {
    load("decode-success-tests.json")
        .into_iter()
        .map(|mut case| SuccessCase {
            description: text_field(&case, "description"),
            input: text_field(&case, "input"),
            expect: case.remove("expect").expect("case without \"expect\""),
        })
        .collect()
}

fn error_cases() -> Vec<ErrorCase> {
    load("decode-error-tests.json")
        .into_iter()
        .map(|case| ErrorCase {
            description: text_field(&case, "description"),
            input: text_field(&case, "input"),
            error: field(&case, "error") == serde_json::Value::Bool(true),
        })
        .collect()
}

fn cbor_dir() -> std::path::PathBuf {
    sansboto_tests::botocore_dir().join("tests/unit/cbor")
}

fn load(name: &str) -> Vec<RawObject> {
    let path = cbor_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Integers are compared from their JSON text: values like -18446744073709551615 do not survive
/// a trip through `f64`.
fn raw_int(raw: &RawValue) -> Result<i128, String> {
    raw.get()
        .trim()
        .parse::<i128>()
        .map_err(|e| format!("bad integer {}: {e}", raw.get()))
}

/// Compares a decoded item to a test-data expectation (`{"kind": value}`), exactly: same kind,
/// same width for floats (bit patterns), same lengths for lists and maps.
fn check(item: &Item, expect: &RawValue) -> Result<(), String> {
    let expect: BTreeMap<String, Box<RawValue>> =
        serde_json::from_str(expect.get()).map_err(|e| e.to_string())?;
    let [(kind, value)] = <[_; 1]>::try_from(expect.into_iter().collect::<Vec<_>>())
        .map_err(|v| format!("expectation with {} keys", v.len()))?;
    let mismatch = || format!("expected {kind} {}, got {item:?}", value.get());
    match kind.as_str() {
        "uint" => match item {
            Item::UInt(n) if i128::from(*n) == raw_int(&value)? => Ok(()),
            _ => Err(mismatch()),
        },
        "negint" => match item {
            Item::NegInt(_) if item.as_i128() == Some(raw_int(&value)?) => Ok(()),
            _ => Err(mismatch()),
        },
        "float32" => match item {
            Item::Float32(f) if i128::from(f.to_bits()) == raw_int(&value)? => Ok(()),
            _ => Err(mismatch()),
        },
        "float64" => match item {
            Item::Float64(f) if i128::from(f.to_bits()) == raw_int(&value)? => Ok(()),
            _ => Err(mismatch()),
        },
        "bool" => {
            let expected: bool = serde_json::from_str(value.get()).map_err(|e| e.to_string())?;
            (item == &Item::Bool(expected))
                .then_some(())
                .ok_or_else(mismatch)
        }
        "null" => (item == &Item::Null).then_some(()).ok_or_else(mismatch),
        "undefined" => (item == &Item::Undefined)
            .then_some(())
            .ok_or_else(mismatch),
        "string" => {
            let expected: String = serde_json::from_str(value.get()).map_err(|e| e.to_string())?;
            (item.as_str() == Some(expected.as_str()))
                .then_some(())
                .ok_or_else(mismatch)
        }
        "bytestring" => {
            let expected: Vec<u8> = serde_json::from_str(value.get()).map_err(|e| e.to_string())?;
            (item.as_bytes().map(|b| b.as_ref()) == Some(expected.as_slice()))
                .then_some(())
                .ok_or_else(mismatch)
        }
        "list" => {
            let expected: Vec<Box<RawValue>> =
                serde_json::from_str(value.get()).map_err(|e| e.to_string())?;
            let items = item.as_array().ok_or_else(mismatch)?;
            if items.len() != expected.len() {
                return Err(mismatch());
            }
            items
                .iter()
                .zip(&expected)
                .try_for_each(|(i, e)| check(i, e))
        }
        "map" => {
            let expected: BTreeMap<String, Box<RawValue>> =
                serde_json::from_str(value.get()).map_err(|e| e.to_string())?;
            let entries = item.as_map().ok_or_else(mismatch)?;
            if entries.len() != expected.len() {
                return Err(mismatch());
            }
            for (key, expected_value) in &expected {
                let actual = item
                    .get(key)
                    .ok_or_else(|| format!("missing key {key:?} in {item:?}"))?;
                check(actual, expected_value)?;
            }
            Ok(())
        }
        "tag" => {
            let expected: RawObject =
                serde_json::from_str(value.get()).map_err(|e| e.to_string())?;
            let (Some(expected_id), Some(expected_value)) =
                (expected.get("id"), expected.get("value"))
            else {
                return Err(format!("tag expectation without id/value: {}", value.get()));
            };
            match item {
                Item::Tag(id, inner) if i128::from(*id) == raw_int(expected_id)? => {
                    check(inner, expected_value)
                }
                _ => Err(mismatch()),
            }
        }
        other => Err(format!("unknown expectation kind {other}")),
    }
}

#[test]
fn botocore_decode_success_vectors() {
    let cases = success_cases();
    let (mut passed, mut failed) = (0, Vec::new());
    for case in &cases {
        let input = hex(&case.input);
        let outcome = match catch_unwind(|| cbor::decode(&input)) {
            Err(_) => Err("decoder panicked".to_string()),
            Ok(Err(e)) => Err(format!("decode error: {e}")),
            Ok(Ok(item)) => check(&item, &case.expect).and_then(|()| {
                // The encoder must reproduce an item that decodes to the same thing.
                let again = cbor::decode(&cbor::encode(&item)).map_err(|e| e.to_string())?;
                check(&again, &case.expect).map_err(|e| format!("after re-encoding: {e}"))
            }),
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(e) => failed.push(format!("{} ({}): {e}", case.description, case.input)),
        }
    }
    println!(
        "cbor decode-success: {passed} passed, {} failed, 0 skipped",
        failed.len()
    );
    assert!(failed.is_empty(), "failures:\n{}", failed.join("\n"));
    assert_eq!(
        passed, 151,
        "the botocore 1.44.5 sdist has 151 success vectors"
    );
}

#[test]
fn botocore_decode_error_vectors() {
    let cases = error_cases();
    let (mut passed, mut failed) = (0, Vec::new());
    for case in &cases {
        assert!(
            case.error,
            "{}: error vectors all expect an error",
            case.description
        );
        let input = hex(&case.input);
        match catch_unwind(|| cbor::decode(&input)) {
            Ok(Err(_)) => passed += 1,
            Ok(Ok(item)) => failed.push(format!("{}: decoded to {item:?}", case.description)),
            Err(_) => failed.push(format!("{}: decoder panicked", case.description)),
        }
    }
    println!(
        "cbor decode-error: {passed} passed, {} failed, 0 skipped",
        failed.len()
    );
    assert!(failed.is_empty(), "failures:\n{}", failed.join("\n"));
    assert_eq!(passed, 56, "the botocore 1.44.5 sdist has 56 error vectors");
}

#[test]
fn every_truncation_of_a_valid_input_is_an_error() {
    let cases = success_cases();
    let mut checked = 0;
    for case in &cases {
        let input = hex(&case.input);
        for cut in 0..input.len() {
            let result = cbor::decode(&input[..cut]);
            assert!(
                result.is_err(),
                "{} cut at {cut} decoded: {result:?}",
                case.description
            );
            checked += 1;
        }
    }
    println!("cbor truncations: {checked} passed, 0 failed");
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

#[test]
fn mutated_inputs_never_panic() {
    let cases = success_cases();
    let seeds: Vec<Vec<u8>> = cases.iter().map(|c| hex(&c.input)).collect();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0;
    let rounds = 20_000;
    for _ in 0..rounds {
        let mut input = seeds[(rng.next() % seeds.len() as u64) as usize].clone();
        // Splice two vectors together sometimes, then flip a few bytes.
        if rng.next().is_multiple_of(3) {
            input.extend_from_slice(&seeds[(rng.next() % seeds.len() as u64) as usize]);
        }
        for _ in 0..=(rng.next() % 3) {
            let at = (rng.next() % input.len() as u64) as usize;
            input[at] = rng.next() as u8;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| cbor::fuzz_decode(&input)));
        assert!(outcome.is_ok(), "panic on input {input:02x?}");
        decoded += usize::from(cbor::decode(&input).is_ok());
    }
    println!("cbor mutation sweep: {rounds} inputs, {decoded} still well-formed, no panics");
}

#[test]
fn encoder_round_trips_a_document() {
    let mut e = Encoder::new();
    e.map(7)
        .str("name")
        .str("caf\u{e9} \u{1F600}")
        .str("count")
        .i64(-1_000_000)
        .str("big")
        .u64(u64::MAX)
        .str("blob")
        .bytes(&[0, 1, 2, 255])
        .str("when")
        .tag(1)
        .f64(1_700_000_000.25)
        .str("list")
        .begin_array()
        .bool(true)
        .null()
        .f32(1.5)
        .f64(f64::NAN)
        .end()
        .str("chunks")
        .begin_str()
        .str("ab")
        .str("cd")
        .end();
    let bytes = e.into_vec();
    let item = cbor::decode(&bytes).expect("encoder output decodes");
    assert_eq!(
        item.get("name").and_then(Item::as_str),
        Some("caf\u{e9} \u{1F600}")
    );
    assert_eq!(item.get("count").and_then(Item::as_i64), Some(-1_000_000));
    assert_eq!(item.get("big").and_then(Item::as_u64), Some(u64::MAX));
    assert_eq!(
        item.get("blob")
            .and_then(Item::as_bytes)
            .map(|b| b.to_vec()),
        Some(vec![0, 1, 2, 255])
    );
    assert_eq!(
        item.get("when"),
        Some(&Item::Tag(1, Box::new(Item::Float64(1_700_000_000.25))))
    );
    let list = item.get("list").and_then(Item::as_array).expect("list");
    assert_eq!(
        list[..3],
        [Item::Bool(true), Item::Null, Item::Float32(1.5)]
    );
    // NaN goes out as half precision 0x7e00, like botocore.
    assert!(matches!(list[3], Item::Float16(f) if f.is_nan()));
    assert_eq!(item.get("chunks").and_then(Item::as_str), Some("abcd"));

    // Re-encoding the decoded tree uses definite lengths only and decodes to the same bytes again.
    let canonical = cbor::encode(&item);
    assert_eq!(
        cbor::encode(&cbor::decode(&canonical).expect("canonical decodes")),
        canonical
    );
}

#[test]
fn canonical_inputs_encode_back_byte_for_byte() {
    // Items written with the shortest heads and definite lengths must re-encode identically.
    for hex_input in [
        "00",
        "17",
        "1818",
        "190100",
        "1a00010000",
        "1b0000000100000000",
        "20",
        "3818",
        "43010203",
        "63666f6f",
        "83010203",
        "a2616101616202",
        "c11a5f5e1000",
        "f4",
        "f5",
        "f6",
        "f7",
        "f97e00",
        "f93c00",
        "fa3fc00000",
        "fb3ff8000000000000",
        "f0",
        "f8ff",
    ] {
        let input = hex(hex_input);
        let item = cbor::decode(&input).unwrap_or_else(|e| panic!("{hex_input}: {e}"));
        assert_eq!(cbor::encode(&item), input, "{hex_input} -> {item:?}");
    }
}

#[test]
fn errors_say_what_and_where() {
    let err = cbor::decode(&hex("a163666f6f18")).unwrap_err();
    assert_eq!(
        err,
        CborError::UnexpectedEnd {
            offset: 6,
            needed: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "CBOR input ended at offset 6 while 1 more byte(s) were expected"
    );
}
