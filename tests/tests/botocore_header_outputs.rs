//! Response headers read into output members, by botocore 1.44.5's parsers (with their
//! `before-parse` handlers, as its endpoint runs them) and by `ServiceClient::parse_operation`,
//! on generated values nobody chose: every header-bound output member of every REST operation
//! (rest-xml and rest-json), and two made-up services (one per protocol) binding a header of
//! every type botocore reads from one (integers, floats, booleans, blobs, timestamps of each
//! `timestampFormat`, `jsonvalue` text, lists of each, and a mixed-case prefix map).
//!
//! The values are drawn from a fixed seed: integers with spaces, signs, leading zeros,
//! underscores and 20-digit magnitudes; floats in exponent form, `NaN`, `inf` and `Infinity` in
//! any case; booleans in any case and words that are not booleans; timestamps as epoch seconds,
//! ISO 8601, HTTP dates, RFC 850 and `asctime` dates and text that is none; base64 good and bad;
//! base64 of JSON with bare `NaN`/`Infinity`, nesting, non-ASCII text, invalid UTF-8 and invalid
//! JSON; lists with empty items and spaces around the commas; repeated headers (joined with
//! `, `, as urllib3 joins them); empty values; Latin-1 bytes (which both read as Latin-1; UTF-8
//! is `botocore_response_headers.rs`'s business). Both must give the same output, or both refuse
//! the answer.
//!
//! Some values differ on purpose (README, "Where sansboto differs"), each in a case of its own
//! so that it hides nothing else:
//!
//! - a prefix map's keys are in lower case: HTTP names are case-insensitive and the `http`
//!   crate keeps them in lower case (so does HTTP/2, and S3 stores metadata keys so), where
//!   botocore keeps a server's `X-Amz-Meta-Foo` as `Foo`. botocore's keys are lowered here;
//! - text that is not base64 (a character out of the alphabet, padding inside or too much of
//!   it) is refused where botocore decodes what is left of it: such a blob or `jsonvalue` must
//!   be refused here (base64 without its padding is refused by both);
//! - a list header's quoted item keeps its commas (RFC 9110, Smithy's list headers), and a
//!   list of HTTP dates keeps each date whole, where botocore splits at every comma: such a
//!   list must be read here as the items it was made from;
//! - S3's `Expires` sent empty is an unparsable `Expires` (kept as `ExpiresString`), where
//!   botocore's parse fails;
//! - an integer beyond 64 bits is the nearest float, where Python keeps it exact: botocore's
//!   integers between 2^63 and 2^64 are compared as floats.
//!
//! Left out of the draw, and not modeled: `-0` in a `jsonvalue` document (Python's integer 0,
//! a float -0.0 here, as in bodies' documents), lone UTF-16 surrogates in one, and what dateutil
//! makes of a word or number joined after a date when a timestamp header is sent twice (`date,
//! GMT`): a repeated timestamp is the same date again or empty.
//!
//! It fails on the code before it (243 of the 4,522 answers differ): integers with underscores
//! or beyond 64 bits and floats with underscores refused, base64 without its padding decoded,
//! a rest-json boolean with spaces around `true` read as true, a date with a `T` and no time
//! (`2020-01-02T`) or between commas (a header sent twice, once empty) refused, and S3's
//! `ExpiresString` of an `Expires` sent twice given its first value only.

use std::collections::HashMap;
use std::sync::Arc;

use sansboto_core::model::{Location, Protocol, ServiceModel, ShapeKind, ShapeRef};
use sansboto_core::session::{ClientOptions, Session, SessionInputs};
use sansboto_models::{FileKind, Loader};
use sansboto_tests::{botocore, Rng};
use serde_json::{json, Value as J};

/// Parses each case of the file at `$CASES` (`service`, `operation`, `headers` as
/// `[name, value]` pairs) as botocore's endpoint would, with an empty body and status 200, and
/// prints `parsed` (made comparable by [`botocore::PLAIN`]) or `error` for each.
const PARSE: &str = r#"
import os
from botocore import parsers
from urllib3._collections import HTTPHeaderDict

models, parsers_by_protocol, out = {}, {}, []
emitter = session.get_component('event_emitter')
with open(os.environ['CASES']) as f:
    cases = json.load(f)
for case in cases:
    model = models.get(case['service'])
    if model is None:
        model = models[case['service']] = session.get_service_model(case['service'])
    op = model.operation_model(case['operation'])
    headers = HTTPHeaderDict()
    for name, value in case['headers']:
        headers.add(name, value)
    response = {'status_code': 200, 'headers': headers, 'body': b'',
                'context': {'operation_name': op.name}}
    customized = {}
    emitter.emit(f'before-parse.{model.service_id.hyphenize()}.{op.name}', operation_model=op,
                 response_dict=response, customized_response_dict=customized)
    protocol = model.resolved_protocol
    parser = parsers_by_protocol.get(protocol)
    if parser is None:
        parser = parsers_by_protocol[protocol] = parsers.create_parser(protocol)
    try:
        parsed = parser.parse(response, op.output_shape)
        parsed.update(customized)
        out.append({'parsed': plain(parsed)})
    except Exception as e:
        out.append({'error': type(e).__name__ + ': ' + str(e)})
emit(out)
"#;

/// How a header-bound member is read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Str,
    Json,
    Int,
    Float,
    Bool,
    Blob,
    Time,
    List(Item),
    /// A prefix map (`location: headers`).
    Prefix,
}

/// A list header's items.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Item {
    Str,
    Int,
    Float,
    Bool,
    Time,
}

struct Member {
    name: String,
    /// The header's name, or the prefix of a prefix map.
    wire: String,
    kind: Kind,
}

struct Op {
    service: String,
    operation: String,
    members: Vec<Member>,
    /// A blob or text payload member: the (empty) body, which is no header's business and which
    /// botocore gives as text even for a blob.
    raw_payload: Option<String>,
}

/// What a case expects of sansboto where it differs from botocore on purpose.
#[derive(Clone, Debug, PartialEq)]
enum Deliberate {
    /// None: the two must agree.
    No,
    /// Text that is not base64: refused here.
    NotBase64,
    /// A list read as these items (JSON, as [`botocore::parsed_as_json`] writes them) here.
    Items(String, J),
    /// S3's `Expires` header sent empty: botocore's handler passes it by (an empty value is
    /// false to Python) and its parser then fails the whole answer; here it is an unparsable
    /// `Expires` as any other, kept as `ExpiresString` and left out.
    EmptyExpires,
}

struct Case {
    service: String,
    operation: String,
    headers: Vec<(String, Vec<u8>)>,
    deliberate: Deliberate,
    /// Members that are prefix maps: botocore's keys are lowered.
    prefix_maps: Vec<String>,
    /// Left out of both outputs: [`Op::raw_payload`].
    raw_payload: Option<String>,
}

/// `text` with each ASCII letter's case flipped at random.
fn cased(r: &mut Rng, text: &str) -> String {
    text.chars()
        .map(|c| {
            if r.chance(40) {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// Whitespace a header value may carry, as bytes: Latin-1's no-break space and next-line
/// included (Python's `strip` and `int` take both).
const SPACES: &[&[u8]] = &[b" ", b"  ", b"\t", b"\xa0", b"\x85", b" \t"];

/// `core` with whitespace around it, sometimes.
fn padded(r: &mut Rng, core: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if r.chance(25) {
        let space = *r.pick(SPACES);
        out.extend_from_slice(space);
    }
    out.extend_from_slice(core);
    if r.chance(25) {
        let space = *r.pick(SPACES);
        out.extend_from_slice(space);
    }
    out
}

fn int_text(r: &mut Rng) -> Vec<u8> {
    let core = match r.below(10) {
        0..=2 => r.digits(1, 6),
        3 => r.digits(19, 26),
        4 => format!("{}{}", "0".repeat(1 + r.below(4)), r.digits(1, 4)),
        5 => {
            // Underscores, well placed or not.
            let a = r.digits(1, 3);
            let b = r.digits(1, 3);
            let c = r.digits(3, 3);
            r.pick(&[
                format!("{a}_{b}"),
                format!("{a}_{b}_{c}"),
                format!("{a}__{b}"),
                format!("_{a}"),
                format!("{a}_"),
            ])
            .clone()
        }
        6 => format!("{}{}", r.pick(&["+", "-", "+-", "--"]), r.digits(1, 8)),
        _ => r
            .pick(&[
                "1e3",
                "5.0",
                "0x1f",
                "0b1",
                "0o7",
                "NaN",
                "inf",
                "",
                "-",
                "+",
                "1 2",
                "12abc",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775808",
                "-9223372036854775809",
                "18446744073709551616",
                "00",
                "-0",
                "+0",
                "1\u{b2}",
                "\u{bd}",
                "1.",
                "true",
            ])
            .to_string(),
    };
    padded(r, &latin1_bytes(&core))
}

fn float_text(r: &mut Rng) -> Vec<u8> {
    let sign = *r.pick(&["", "", "+", "-"]);
    let core = match r.below(8) {
        0 | 1 => format!("{sign}{}.{}", r.digits(1, 5), r.digits(0, 6)),
        2 => format!(
            "{sign}{}{}{}{}",
            r.digits(1, 3),
            r.pick(&["e", "E"]),
            r.pick(&["", "+", "-"]),
            r.digits(1, 3)
        ),
        3 => {
            let word = *r.pick(&["nan", "inf", "infinity"]);
            format!("{sign}{}", cased(r, word))
        }
        4 => format!("{sign}{}", r.digits(1, 8)),
        5 => r
            .pick(&["1_0.5", "1._5", "1_000.0_1", "1__0.5", "_1.5", "1.5_"])
            .to_string(),
        _ => r
            .pick(&[
                "1e400",
                "-1e400",
                "4.9e-325",
                ".5",
                "5.",
                ".",
                "1e",
                "e5",
                "0x1p3",
                "1,5",
                "1.5.2",
                "infinit",
                "nan(1)",
                "NaNa",
                "",
                "1e3\u{b2}",
                "Infinity",
                "-Infinity",
                "1E+308",
                "1e308",
                "2e308",
            ])
            .to_string(),
    };
    padded(r, &latin1_bytes(&core))
}

fn bool_text(r: &mut Rng) -> Vec<u8> {
    let core = match r.below(4) {
        0 => "true".to_string(),
        1 => "false".to_string(),
        2 => {
            let word = *r.pick(&["true", "false"]);
            cased(r, word)
        }
        _ => r
            .pick(&[
                "yes", "no", "1", "0", "t", "", "tru", "truee", "on", "TRUE", "False", "True",
            ])
            .to_string(),
    };
    padded(r, core.as_bytes())
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A civil date and time: year, month (1-12), day, hour, minute, second, weekday (0 = Monday).
fn civil(seconds: i64) -> (i64, usize, i64, i64, i64, i64, usize) {
    let days = seconds.div_euclid(86_400);
    let rem = seconds.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = (days + 3).rem_euclid(7) as usize;
    (
        year,
        month as usize,
        day,
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        weekday,
    )
}

/// A timestamp as text. `http_dates`: whether HTTP dates (which have a comma) may be drawn.
fn time_text(r: &mut Rng, http_dates: bool) -> Vec<u8> {
    // 1901 to 2099: four-digit years only (two-digit ones are read in a window that moves
    // with today's date).
    let seconds = -2_177_452_800 + (r.next_u64() % 6_281_000_000) as i64;
    let (y, mo, d, h, mi, s, wd) = civil(seconds);
    let m = MONTHS[mo - 1];
    let fraction = match r.below(4) {
        0 => format!(".{}", r.digits(1, 9)),
        _ => String::new(),
    };
    let choice = if http_dates { r.below(12) } else { r.below(7) };
    let core = match choice {
        0 => seconds.to_string(),
        1 => format!("{seconds}{fraction}"),
        2 => r
            .pick(&[
                format!("{}e{}", seconds as f64 / 1e9, 9),
                format!("{seconds}.0"),
                format!("{}", seconds.abs())
                    .chars()
                    .fold(String::new(), |mut a, c| {
                        if !a.is_empty() && a.len() % 4 == 3 {
                            a.push('_');
                        }
                        a.push(c);
                        a
                    }),
                "0".to_string(),
                "-1".to_string(),
                "1e20".to_string(),
                "-1e20".to_string(),
                "253402300800".to_string(),
                "253402300799.9999999".to_string(),
                "nan".to_string(),
                "inf".to_string(),
                "-Infinity".to_string(),
                format!("+{}", seconds.abs()),
                format!("00{}", seconds.abs()),
            ])
            .clone(),
        3 => {
            let zone = r
                .pick(&[
                    "Z", "z", "+00:00", "-08:00", "+0530", "+05", "", "-00:00", " UTC",
                ])
                .to_string();
            let sep = *r.pick(&["T", "T", " ", "t"]);
            format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{fraction}{zone}")
        }
        4 => r
            .pick(&[
                format!("{y:04}-{mo:02}-{d:02}"),
                format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z"),
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}Z"),
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02},5Z"),
                format!("{y:04}-13-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
                format!("{y:04}-02-30T{h:02}:{mi:02}:{s:02}Z"),
                format!("{y:04}-{mo:02}-{d:02}T25:{mi:02}:{s:02}Z"),
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+25:00"),
                format!("{y:04}-{mo:02}-{d:02}X{h:02}:{mi:02}:{s:02}Z"),
            ])
            .clone(),
        5 => r
            .pick(&[
                "",
                "yesterday",
                "now",
                "not a date",
                "--",
                "T",
                "Z",
                "2020-01-02T",
                "GMT",
                "0x10",
            ])
            .to_string(),
        6 => format!("{} {m} {d:>2} {h:02}:{mi:02}:{s:02} {y:04}", WEEKDAYS[wd]),
        7..=9 => {
            let zone = *r.pick(&["GMT", "GMT", "UTC", "+0000", "-0700", "+01:00", "gmt", "Z"]);
            format!(
                "{}, {d:02} {m} {y:04} {h:02}:{mi:02}:{s:02} {zone}",
                WEEKDAYS[wd]
            )
        }
        10 => format!(
            "{}, {d:02}-{m}-{y:04} {h:02}:{mi:02}:{s:02} GMT",
            DAY_NAMES[wd]
        ),
        _ => {
            let weekday = cased(r, WEEKDAYS[wd]);
            r.pick(&[
                format!("Sun, {d:02} {m} {y:04} {h:02}:{mi:02}:{s:02} GMT"),
                format!("{}, 31 Feb {y:04} {h:02}:{mi:02}:{s:02} GMT", WEEKDAYS[wd]),
                format!(
                    "{}, {d:02} Foo {y:04} {h:02}:{mi:02}:{s:02} GMT",
                    WEEKDAYS[wd]
                ),
                format!("{weekday}, {d:02} {m} {y:04} {h:02}:{mi:02}:{s:02} GMT"),
                format!("{}, {d:02} {m} {y:04} {h:02}:{mi:02} GMT", WEEKDAYS[wd]),
            ])
            .clone()
        }
    };
    padded(r, &latin1_bytes(&core))
}

/// Printable text with Latin-1 bytes, commas, quotes and spaces.
fn str_text(r: &mut Rng, commas: bool) -> Vec<u8> {
    const PIECES: &[&[u8]] = &[
        b"a", b"Z", b"0", b"-", b" ", b"  ", b"\t", b"\"", b"'", b";", b"=", b"/", b"\\", b"\xa9",
        b"\xff", b"\xa0", b"\x80", b"\xb5", b"~", b"%20", b"e\xfe",
    ];
    let len = r.below(8);
    let mut out = Vec::new();
    for _ in 0..len {
        if commas && r.chance(10) {
            out.push(b',');
        } else {
            let piece = *r.pick(PIECES);
            out.extend_from_slice(piece);
        }
    }
    out
}

/// Standard base64 of `bytes`, padded.
fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Whether `text` (whitespace aside) is base64 in standard form, with its padding.
fn is_canonical_base64(text: &[u8]) -> bool {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let alphabet = |b: &u8| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/';
    let data = compact.iter().take_while(|b| alphabet(b)).count();
    let padding = &compact[data..];
    compact.len().is_multiple_of(4) && padding.len() <= 2 && padding.iter().all(|&b| b == b'=')
        // A full quad needs no padding, and padding never fills a quad alone.
        && (padding.is_empty() || data % 4 >= 2)
}

/// Base64 text, sometimes spoiled.
fn blob_text(r: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let good = b64(bytes);
    let text = match r.below(12) {
        0..=4 => good,
        5 => good.trim_end_matches('=').to_string(),
        6 => format!("{good}="),
        7 => {
            // Whitespace inside.
            let at = r.below(good.len() + 1);
            format!("{} {}", &good[..at], &good[at..])
        }
        8 => good.replace('+', "-").replace('/', "_"),
        9 => {
            let at = r.below(good.len() + 1);
            let junk = *r.pick(&["*", "!", "\u{ff}", "=", ".", "==", "A"]);
            format!("{}{junk}{}", &good[..at], &good[at..])
        }
        10 => format!("{good}{good}"),
        _ => r
            .pick(&[
                "", "====", "=", "A", "AA", "AAA", "AA==", "YQ", "YQ=", "YR==", "YQ==YQ==",
            ])
            .to_string(),
    };
    padded(r, &latin1_bytes(&text))
}

/// A JSON document as bytes: nested, with bare `NaN`/`Infinity`, non-ASCII text, duplicate
/// keys, odd numbers; sometimes not JSON at all.
fn json_doc(r: &mut Rng, depth: usize) -> String {
    let space = |r: &mut Rng| r.pick(&["", "", " ", "\n", "\t ", "\r\n"]).to_string();
    match r.below(if depth == 0 { 7 } else { 10 }) {
        0 => r
            .pick(&[
                // (Not `-0`: Python's int 0 and serde_json's -0.0, a difference left, which
                // bodies' documents share.)
                "0",
                "17",
                "-42",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775809",
                "1180591620717411303424",
                "123456789012345678901234567890123456789",
            ])
            .to_string(),
        1 => r
            .pick(&[
                "1.5",
                "-0.0",
                "1e400",
                "-1e400",
                "1E5",
                "0.1",
                "2.5e-3",
                "1.0",
                "1e-400",
                "12345678901234567890.5",
            ])
            .to_string(),
        2 => r.pick(&["NaN", "Infinity", "-Infinity"]).to_string(),
        3 => r.pick(&["true", "false", "null"]).to_string(),
        4 => r
            .pick(&[
                "\"\"",
                "\"text\"",
                "\"caf\u{e9}\"",
                "\"\u{65e5}\u{672c}\u{1f600}\"",
                "\"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\"",
                "\"NaN\"",
                "\"a\u{7f}b\"",
            ])
            .to_string(),
        5 | 6 => r
            .pick(&[
                "{",
                "[1,]",
                "{'a': 1}",
                "NaN1",
                "-NaN",
                "nan",
                "infinity",
                "+1",
                "01",
                ".5",
                "[1] [2]",
                "",
                " ",
                "\"\\ud800\\u\"",
                "{\"a\" 1}",
                "\u{feff}{}",
                "\"tab\there\"",
                "True",
                "None",
                "1e",
                "[Infinity, -Infinity, NaN]",
            ])
            .to_string(),
        7 => {
            let n = r.below(4);
            let items: Vec<String> = (0..n).map(|_| json_doc(r, depth - 1)).collect();
            format!("[{}{}{}]", space(r), items.join(","), space(r))
        }
        _ => {
            let n = r.below(4);
            let keys = ["a", "b", "a", "\u{e9}", "", "Key With Space"];
            let items: Vec<String> = (0..n)
                .map(|_| {
                    let key = *r.pick(&keys);
                    let sp = space(r);
                    format!("{sp}\"{key}\"{sp}:{}{}", space(r), json_doc(r, depth - 1))
                })
                .collect();
            format!("{{{}}}", items.join(","))
        }
    }
}

fn json_value_text(r: &mut Rng) -> Vec<u8> {
    let mut doc = json_doc(r, 3).into_bytes();
    match r.below(12) {
        0 => doc.push(0xff),
        1 => doc.insert(0, 0xe9),
        2 => doc = b"\xef\xbb\xbf".iter().copied().chain(doc).collect(),
        3 => doc.extend_from_slice(b" \n"),
        _ => {}
    }
    blob_text(r, &doc)
}

/// `text`'s characters as Latin-1 bytes (each below U+0100).
fn latin1_bytes(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

/// One value for a member of `kind`, and whether sansboto reads it so on purpose.
fn value(r: &mut Rng, kind: Kind) -> (Vec<u8>, Deliberate) {
    let plain = |v: Vec<u8>| (v, Deliberate::No);
    match kind {
        Kind::Str | Kind::Prefix => plain(str_text(r, true)),
        Kind::Int => plain(int_text(r)),
        Kind::Float => plain(float_text(r)),
        Kind::Bool => plain(bool_text(r)),
        Kind::Time => plain(time_text(r, true)),
        Kind::Blob => {
            let len = r.below(12);
            let bytes: Vec<u8> = (0..len).map(|_| r.next_u64() as u8).collect();
            let text = blob_text(r, &bytes);
            let deliberate = if is_canonical_base64(&text) {
                Deliberate::No
            } else {
                Deliberate::NotBase64
            };
            (text, deliberate)
        }
        Kind::Json => {
            let text = json_value_text(r);
            let deliberate = if is_canonical_base64(&text) {
                Deliberate::No
            } else {
                Deliberate::NotBase64
            };
            (text, deliberate)
        }
        Kind::List(item) => list_text(r, item),
    }
}

/// A list header: items joined by commas with spaces around them or none, empty items, and
/// (on purpose apart) quoted items and HTTP dates.
fn list_text(r: &mut Rng, item: Item) -> (Vec<u8>, Deliberate) {
    let n = r.below(5);
    let quoted = item == Item::Str && r.chance(25);
    let dates = item == Item::Time && r.chance(30);
    let mut out = Vec::new();
    let mut intended = Vec::new();
    let mut special = false;
    for i in 0..n {
        if i > 0 {
            let comma: &[u8] = r.pick(&[",", ", ", " ,", " , ", ",\t"]).as_bytes();
            out.extend_from_slice(comma);
        }
        let text = match item {
            Item::Str if quoted && r.chance(60) => {
                special = true;
                let inner: String = (0..r.below(4))
                    .map(|_| *r.pick(&["a", ",", "\\\"", "b,c", "\\\\", "x y"]))
                    .collect();
                intended.push(J::from(unescaped(&inner)));
                format!("\"{inner}\"").into_bytes()
            }
            Item::Str => {
                // No commas, quotes or backslashes: text trimmed as both trim it.
                let text: Vec<u8> = str_text(r, false)
                    .into_iter()
                    .filter(|b| !matches!(b, b'"' | b'\\'))
                    .collect();
                intended.push(J::from(latin1(&text).trim()));
                text
            }
            Item::Int => int_text(r),
            Item::Float => float_text(r),
            Item::Bool => bool_text(r),
            Item::Time if dates => {
                special = true;
                let seconds = (r.next_u64() % 4_000_000_000) as i64;
                let (y, mo, d, h, mi, s, wd) = civil(seconds);
                intended.push(J::from(format!(
                    "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"
                )));
                format!(
                    "{}, {d:02} {} {y:04} {h:02}:{mi:02}:{s:02} GMT",
                    WEEKDAYS[wd],
                    MONTHS[mo - 1]
                )
                .into_bytes()
            }
            Item::Time => time_text(r, false),
        };
        out.extend_from_slice(&text);
    }
    if special {
        return (out, Deliberate::Items(String::new(), J::Array(intended)));
    }
    if r.chance(10) {
        out.push(b',');
    }
    (out, Deliberate::No)
}

/// A quoted string's content without its backslash escapes.
fn unescaped(inner: &str) -> String {
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// The header's name in a random case.
fn header_name(r: &mut Rng, wire: &str) -> String {
    match r.below(3) {
        0 => wire.to_string(),
        1 => wire.to_ascii_lowercase(),
        _ => cased(r, wire),
    }
}

/// A prefix map's headers: names of the prefix (in any case) and a key of token characters.
fn prefix_headers(r: &mut Rng, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    const KEY: &[&str] = &["a", "B", "foo", "Bar", "-", "_", ".", "9", "x-Y", "!", "~"];
    for _ in 0..r.below(4) {
        let mut key: String = (0..r.below(4)).map(|_| *r.pick(KEY)).collect();
        if prefix.is_empty() && key.is_empty() {
            key.push('k');
        }
        let name = format!("{}{key}", header_name(r, prefix));
        out.push((name, str_text(r, true)));
    }
}

/// Cases for `op`: each header-bound member present or not, at random; a value read
/// differently on purpose gets a case of its own.
fn cases_for(r: &mut Rng, op: &Op, count: usize, out: &mut Vec<Case>) {
    let prefix_maps: Vec<String> = op
        .members
        .iter()
        .filter(|m| m.kind == Kind::Prefix)
        .map(|m| m.name.clone())
        .collect();
    let case = |headers, deliberate| Case {
        service: op.service.clone(),
        operation: op.operation.clone(),
        headers,
        deliberate,
        prefix_maps: prefix_maps.clone(),
        raw_payload: op.raw_payload.clone(),
    };
    // About three members a case: a value refused hides the others of its case.
    let percent = (300 / op.members.len()).clamp(5, 70);
    for _ in 0..count {
        let mut headers = Vec::new();
        for member in &op.members {
            if !r.chance(percent) {
                continue;
            }
            if member.kind == Kind::Prefix {
                prefix_headers(r, &member.wire, &mut headers);
                continue;
            }
            let (text, deliberate) = value(r, member.kind);
            assert!(text.is_ascii() || std::str::from_utf8(&text).is_err());
            let name = header_name(r, &member.wire);
            let deliberate = if op.service == "s3" && member.wire == "Expires" && text.is_empty() {
                Deliberate::EmptyExpires
            } else {
                deliberate
            };
            if deliberate != Deliberate::No {
                let deliberate = match deliberate {
                    Deliberate::Items(_, items) => Deliberate::Items(member.name.clone(), items),
                    other => other,
                };
                out.push(case(vec![(name, text)], deliberate));
                continue;
            }
            headers.push((name, text.clone()));
            if r.chance(8) && !matches!(member.kind, Kind::Blob | Kind::Json) {
                // The header again (joined with `, ` by both; base64 so joined is not base64).
                let (mut again, deliberate) = value(r, member.kind);
                if member.kind == Kind::Time {
                    // dateutil reads much joined after a date (`date, GMT`, `date, -1`) as a
                    // zone, or skips it: not modeled. The same date again, or an empty value.
                    again = r.pick(&[&text[..], b"", b" "]).to_vec();
                }
                if deliberate == Deliberate::No {
                    headers.push((header_name(r, &member.wire), again));
                }
            }
        }
        // The order headers arrive in is the server's.
        for i in (1..headers.len()).rev() {
            headers.swap(i, r.below(i + 1));
        }
        out.push(case(headers, Deliberate::No));
    }
}

/// Cases chosen by hand, beside the drawn ones: S3's `Expires` sent twice, or empty; a
/// `jsonvalue` header of Lex with bare `NaN` and `Infinity`.
fn chosen_cases(ops: &[Op]) -> Vec<Case> {
    let case = |service: &str, operation: &str, headers: &[(&str, &str)], deliberate| {
        let op = ops
            .iter()
            .find(|op| op.service == service && op.operation == operation)
            .unwrap_or_else(|| panic!("{service}.{operation} binds no header"));
        Case {
            service: service.into(),
            operation: operation.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect(),
            deliberate,
            prefix_maps: op
                .members
                .iter()
                .filter(|m| m.kind == Kind::Prefix)
                .map(|m| m.name.clone())
                .collect(),
            raw_payload: op.raw_payload.clone(),
        }
    };
    let date = "Thu, 01 Dec 1994 16:00:00 GMT";
    let nan = b64(
        "{\"a\": NaN, \"b\": [Infinity, -Infinity, 1e999], \"c\": {\"d\": \"caf\u{e9} \\u00e9\"}}"
            .as_bytes(),
    );
    vec![
        case(
            "s3",
            "HeadObject",
            &[("Expires", date), ("Expires", date)],
            Deliberate::No,
        ),
        case(
            "s3",
            "HeadObject",
            &[("Expires", date), ("expires", "")],
            Deliberate::No,
        ),
        case(
            "s3",
            "HeadObject",
            &[("Expires", ""), ("Expires", date)],
            Deliberate::No,
        ),
        case("s3", "GetObject", &[("Expires", " ")], Deliberate::No),
        case(
            "s3",
            "HeadObject",
            &[("Expires", "")],
            Deliberate::EmptyExpires,
        ),
        case(
            "s3",
            "GetObject",
            &[("Expires", "")],
            Deliberate::EmptyExpires,
        ),
        case(
            "lex-runtime",
            "PostContent",
            &[("x-amz-lex-slots", &nan)],
            Deliberate::No,
        ),
    ]
}

/// What a member bound to a header is read as, or `None` for a type no header is read as.
fn kind_of(model: &ServiceModel, member: &ShapeRef) -> Option<Kind> {
    let item = |kind: &ShapeKind| match kind {
        ShapeKind::String => Some(Item::Str),
        ShapeKind::Integer | ShapeKind::Long => Some(Item::Int),
        ShapeKind::Float | ShapeKind::Double => Some(Item::Float),
        ShapeKind::Boolean => Some(Item::Bool),
        ShapeKind::Timestamp => Some(Item::Time),
        _ => None,
    };
    Some(match &model.shape(member.shape).kind {
        _ if member.location == Location::Headers => Kind::Prefix,
        ShapeKind::String if member.jsonvalue => Kind::Json,
        ShapeKind::String => Kind::Str,
        ShapeKind::Integer | ShapeKind::Long => Kind::Int,
        ShapeKind::Float | ShapeKind::Double => Kind::Float,
        ShapeKind::Boolean => Kind::Bool,
        ShapeKind::Blob => Kind::Blob,
        ShapeKind::Timestamp => Kind::Time,
        ShapeKind::List(of) => Kind::List(item(&model.shape(of.shape).kind)?),
        _ => return None,
    })
}

/// Every operation of a REST service whose output binds a header (event streams aside).
fn header_operations(loader: &Loader) -> Vec<Op> {
    let mut ops = Vec::new();
    for service in loader.services().unwrap() {
        let bytes = loader.load(&service, None, FileKind::ServiceModel).unwrap();
        let model = ServiceModel::from_json(&bytes).unwrap();
        if !matches!(model.protocol, Protocol::RestJson | Protocol::RestXml) {
            continue;
        }
        for op in model.operations() {
            let Some(output) = &op.output else { continue };
            let Some(structure) = model.shape(output.shape).as_structure() else {
                continue;
            };
            let eventstream = structure.members.values().any(|m| {
                model
                    .shape(m.shape)
                    .as_structure()
                    .is_some_and(|s| s.eventstream)
            });
            if eventstream {
                continue;
            }
            let members: Vec<Member> = structure
                .members
                .iter()
                .filter(|(_, m)| matches!(m.location, Location::Header | Location::Headers))
                .filter_map(|(name, m)| {
                    Some(Member {
                        name: name.to_string(),
                        wire: m.wire_name().to_string(),
                        kind: kind_of(&model, m)?,
                    })
                })
                .collect();
            let raw_payload = structure
                .payload
                .as_deref()
                .filter(|p| {
                    structure.members.get(*p).is_some_and(|m| {
                        matches!(
                            model.shape(m.shape).kind,
                            ShapeKind::Blob | ShapeKind::String
                        )
                    })
                })
                .map(String::from);
            if !members.is_empty() {
                ops.push(Op {
                    service: service.clone(),
                    operation: op.name.clone(),
                    members,
                    raw_payload,
                });
            }
        }
    }
    ops
}

/// The made-up services' model: an output binding a header of every type botocore reads.
fn probe_model(service: &str, protocol: &str) -> J {
    let header = |shape: &str, wire: &str| json!({"shape": shape, "location": "header", "locationName": wire});
    let mut json_header = header("S", "x-json");
    json_header["jsonvalue"] = json!(true);
    json!({
        "version": "2.0",
        "metadata": {
            "apiVersion": "2020-01-01", "endpointPrefix": service, "protocol": protocol,
            "protocols": [protocol], "serviceFullName": service, "serviceId": service,
            "signatureVersion": "v4", "uid": format!("{service}-2020-01-01"),
        },
        "operations": {"Probe": {
            "name": "Probe", "http": {"method": "GET", "requestUri": "/"},
            "output": {"shape": "ProbeOutput"},
        }},
        "shapes": {
            "ProbeOutput": {"type": "structure", "members": {
                "Str": header("S", "x-str"),
                "Json": json_header,
                "Int": header("I", "x-int"),
                "Long": header("L", "Content-Length"),
                "Flt": header("F", "x-float"),
                "Dbl": header("D", "x-double"),
                "Bool": header("B", "x-bool"),
                "Blob": header("Bl", "x-blob"),
                "Time": header("T", "Last-Modified"),
                "TimeIso": header("TIso", "x-time-iso"),
                "TimeHttp": header("THttp", "x-time-http"),
                "TimeEpoch": header("TEpoch", "x-time-epoch"),
                "Strs": header("SL", "x-strs"),
                "Ints": header("IL", "x-ints"),
                "Dbls": header("DL", "x-doubles"),
                "Bools": header("BL", "x-bools"),
                "Times": header("TL", "x-times"),
                "Meta": {"shape": "M", "location": "headers", "locationName": "X-Amz-Meta-"},
            }},
            "S": {"type": "string"}, "I": {"type": "integer"}, "L": {"type": "long"},
            "F": {"type": "float"}, "D": {"type": "double"}, "B": {"type": "boolean"},
            "Bl": {"type": "blob"}, "T": {"type": "timestamp"},
            "TIso": {"type": "timestamp", "timestampFormat": "iso8601"},
            "THttp": {"type": "timestamp", "timestampFormat": "rfc822"},
            "TEpoch": {"type": "timestamp", "timestampFormat": "unixTimestamp"},
            "SL": {"type": "list", "member": {"shape": "S"}},
            "IL": {"type": "list", "member": {"shape": "I"}},
            "DL": {"type": "list", "member": {"shape": "D"}},
            "BL": {"type": "list", "member": {"shape": "B"}},
            "TL": {"type": "list", "member": {"shape": "T"}},
            "M": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
        },
    })
}

/// The made-up services, in botocore's layout under a new directory.
fn probe_data_path() -> std::path::PathBuf {
    sansboto_tests::botocore::write_models(
        "sansboto-header-probe",
        &[
            (
                "headerprobe-json",
                probe_model("headerprobe-json", "rest-json"),
            ),
            (
                "headerprobe-xml",
                probe_model("headerprobe-xml", "rest-xml"),
            ),
        ],
    )
}

/// `text` as botocore reads header bytes (`http.client`: Latin-1).
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Lowers the keys of the prefix maps named in `parsed` (botocore keeps the server's case).
fn lower_prefix_keys(parsed: &mut J, prefix_maps: &[String]) {
    for name in prefix_maps {
        if let Some(J::Object(map)) = parsed.get_mut(name) {
            *map = std::mem::take(map)
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect();
        }
    }
}

/// Python's integers between 2^63 and 2^64 (JSON reads them as `u64`) as the nearest float,
/// which is how sansboto's `Value` holds an integer beyond 64 bits, as botocore's larger ones
/// already read here.
fn beyond_64_bits_as_floats(parsed: &mut J) {
    match parsed {
        J::Number(n) if n.is_u64() && n.as_i64().is_none() => {
            *parsed = json!(n.as_f64().unwrap());
        }
        J::Array(items) => items.iter_mut().for_each(beyond_64_bits_as_floats),
        J::Object(map) => map.values_mut().for_each(beyond_64_bits_as_floats),
        _ => {}
    }
}

#[test]
fn header_bound_members_are_read_as_botocore_reads_them() {
    let data_path = probe_data_path();
    let loader = Loader::new().with_data_path(&data_path);
    let ops = header_operations(&loader);
    let mut r = Rng::new(0x5eed_4ead_e125);
    let mut cases = Vec::new();
    for op in &ops {
        let count = if op.service.starts_with("headerprobe-") {
            1500
        } else {
            4
        };
        cases_for(&mut r, op, count, &mut cases);
    }
    cases.extend(chosen_cases(&ops));

    let described: Vec<J> = cases
        .iter()
        .map(|c| {
            json!({
                "service": c.service, "operation": c.operation,
                "headers": c.headers.iter().map(|(n, v)| json!([n, latin1(v)])).collect::<Vec<_>>(),
            })
        })
        .collect();
    let cases_file = data_path.join("cases.json");
    std::fs::write(&cases_file, serde_json::to_vec(&described).unwrap()).unwrap();
    let data_path_text = data_path.to_str().unwrap();
    let theirs = botocore::run(
        &format!("{}{PARSE}", botocore::PLAIN),
        &[
            ("CASES", cases_file.to_str().unwrap()),
            ("AWS_DATA_PATH", data_path_text),
        ],
    );
    let theirs = theirs.as_array().expect("a list of results");
    assert_eq!(theirs.len(), cases.len());

    let session = Arc::new(
        Session::new(
            SessionInputs {
                env: HashMap::new(),
                config_file: None,
                credentials_file: None,
                profile: None,
                random_seed: 7,
            },
            Arc::new(sansboto_host::BotocoreData(loader)),
        )
        .unwrap(),
    );
    let options = ClientOptions {
        region: Some("us-east-1".into()),
        ..Default::default()
    };
    let mut clients = HashMap::new();
    let mut differences = Vec::new();
    let mut deliberate = 0;
    let mut refused = 0;
    for (case, theirs) in cases.iter().zip(theirs) {
        let client = clients.entry(case.service.clone()).or_insert_with(|| {
            session
                .service_client(&case.service, &options)
                .unwrap_or_else(|e| panic!("{}: {e}", case.service))
        });
        let mut response = http::Response::builder().status(200);
        for (name, value) in &case.headers {
            response = response.header(
                http::HeaderName::from_bytes(name.as_bytes())
                    .unwrap_or_else(|e| panic!("{name:?}: {e}")),
                http::HeaderValue::from_bytes(value).unwrap(),
            );
        }
        let response = response.body(sansboto_core::Body::Empty).unwrap();
        let mut ours = match client.parse_operation(&case.operation, response, 0) {
            Ok(value) => botocore::parsed_as_json(&value),
            Err(e) => json!({ "refused": e.to_string() }),
        };
        let mut theirs = theirs.clone();
        if let Some(parsed) = theirs.get_mut("parsed") {
            lower_prefix_keys(parsed, &case.prefix_maps);
            beyond_64_bits_as_floats(parsed);
        }
        if let Some(payload) = &case.raw_payload {
            for side in [&mut ours, theirs.get_mut("parsed").unwrap_or(&mut J::Null)] {
                if let J::Object(map) = side {
                    map.remove(payload);
                }
            }
        }
        refused += usize::from(ours.get("refused").is_some());
        let agree = match (&case.deliberate, theirs.get("parsed")) {
            (Deliberate::No, Some(parsed)) => parsed == &ours,
            (Deliberate::No, None) => ours.get("refused").is_some(),
            (Deliberate::NotBase64, parsed) => {
                deliberate += usize::from(parsed.is_some());
                ours.get("refused").is_some() || Some(&ours) == parsed
            }
            (Deliberate::Items(member, items), _) => {
                deliberate += 1;
                ours.get(member) == Some(items)
            }
            (Deliberate::EmptyExpires, parsed) => {
                deliberate += 1;
                parsed.is_none()
                    && ours.get("ExpiresString") == Some(&json!(""))
                    && ours.get("Expires").is_none()
            }
        };
        if !agree {
            let headers: Vec<String> = case
                .headers
                .iter()
                .map(|(n, v)| format!("{n}: {:?}", latin1(v)))
                .collect();
            differences.push(format!(
                "{}.{} {headers:?} ({:?})\n  sansboto: {ours}\n  botocore: {theirs}",
                case.service, case.operation, case.deliberate
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&data_path);
    assert!(
        differences.is_empty(),
        "{} of {} answers differ from botocore's parse:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
    println!(
        "{} answers of {} operations read as botocore reads them ({refused} refused by both; \
         {deliberate} apart on purpose)",
        cases.len(),
        ops.len()
    );
}
