//! aws-cli's `--zip-file` of Lambda commands (its `awslambda.py` customization), read as
//! aws-cli reads it:
//!
//! - `create-function` and `publish-layer-version` gain `--zip-file`, which sets the `ZipFile`
//!   member of `Code` (`Content`): added to a `--code` given beside it, else `Code` alone, after
//!   every other member (aws-cli appends the option to the argument table). A `ZipFile` inside
//!   `--code` itself is refused, pointing to `--zip-file`.
//! - `update-function-code`'s own `--zip-file` member is checked the same way.
//!
//! Either way the bytes must be a zip archive, as Python's `zipfile` opens one (its end record
//! found, its central directory whole); anything else, such as a path given without `fileb://`,
//! is refused with aws-cli's message.

use base64::Engine as _;
use serde_json::{Map, Value as J};

use crate::output::Failure;

/// aws-cli's message for `--zip-file` bytes that are no zip archive.
const NOT_A_ZIP: &str = "--zip-file must be a zip file with the fileb:// prefix.\n\
                         Example usage:  --zip-file fileb://path/to/file.zip";

/// Where aws-cli's added `--zip-file` goes for operation `operation` of `service` (the
/// models' names): the structure member that holds `ZipFile`, and its option's name.
pub(crate) fn zip_target(service: &str, operation: &str) -> Option<(&'static str, &'static str)> {
    match (service, operation) {
        ("lambda", "CreateFunction") => Some(("Code", "code")),
        ("lambda", "PublishLayerVersion") => Some(("Content", "content")),
        _ => None,
    }
}

/// Whether `operation` of `service` is one whose parameters [`apply`] looks at.
pub(crate) fn applies(service: &str, operation: &str) -> bool {
    checks_member(service, operation) || zip_target(service, operation).is_some()
}

/// Whether `operation` has `--zip-file` as a member aws-cli checks (`update-function-code`).
fn checks_member(service: &str, operation: &str) -> bool {
    service == "lambda" && operation == "UpdateFunctionCode"
}

/// aws-cli's handling of the parameters its grammar built (`params`, in order), given the
/// added `--zip-file`'s value (`zip_file`, as `fileb://` or a plain word gave it).
pub(crate) fn apply(
    service: &str,
    operation: &str,
    zip_file: Option<J>,
    params: &mut Map<String, J>,
) -> Result<(), Failure> {
    if checks_member(service, operation) {
        if let Some(value) = params.get("ZipFile") {
            require_zip(value)?;
        }
        return Ok(());
    }
    let Some((member, option)) = zip_target(service, operation) else {
        return Ok(());
    };
    if params
        .get(member)
        .and_then(J::as_object)
        .is_some_and(|m| m.contains_key("ZipFile"))
    {
        return Err(Failure::Raised(format!(
            "ZipFile cannot be provided as part of the --{option} argument.  Please use the \
             '--zip-file' option instead to specify a zip file."
        )));
    }
    let Some(value) = zip_file else {
        return Ok(());
    };
    require_zip(&value)?;
    match params.get_mut(member).and_then(J::as_object_mut) {
        Some(given) => {
            given.insert("ZipFile".into(), value);
        }
        None => {
            params.remove(member);
            params.insert(
                member.into(),
                J::Object(Map::from_iter([("ZipFile".into(), value)])),
            );
        }
    }
    Ok(())
}

/// The value's bytes (`{"base64": …}` from `fileb://`, or text as UTF-8) must be a zip archive.
fn require_zip(value: &J) -> Result<(), Failure> {
    let bytes = match value {
        J::String(text) => text.as_bytes().to_vec(),
        J::Object(m) => m
            .get("base64")
            .and_then(J::as_str)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    if is_zip(&bytes) {
        Ok(())
    } else {
        Err(Failure::Raised(NOT_A_ZIP.into()))
    }
}

/// Whether Python's `zipfile.ZipFile(BytesIO(bytes)).infolist()` succeeds: an end of central
/// directory record in the last 64 KiB + 22 bytes (the last one there; with its Zip64 record
/// when a Zip64 locator precedes it), and before it a central
/// directory whose entries' fixed parts are whole and signed. (Python also checks each entry's
/// extra fields and name; archives bad only there pass here and fail in Lambda.)
fn is_zip(bytes: &[u8]) -> bool {
    const END: &[u8] = b"PK\x05\x06";
    const ENTRY: &[u8] = b"PK\x01\x02";
    let from = bytes.len().saturating_sub(22 + 0xFFFF);
    // The last 22 bytes first, when they are an end record without a comment (as Python
    // looks), else the last signature in reach.
    let tail = bytes.len().saturating_sub(22);
    let at = if bytes.len() >= 22 && &bytes[tail..tail + 4] == END && bytes.ends_with(&[0, 0]) {
        tail
    } else {
        match bytes[from..].windows(4).rposition(|w| w == END) {
            Some(i) => from + i,
            None => return false,
        }
    };
    let Some(record) = bytes.get(at..at + 22) else {
        return false;
    };
    let u32_at = |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let u16_at = |b: &[u8], i: usize| usize::from(u16::from_le_bytes([b[i], b[i + 1]]));
    // A Zip64 archive (more than 65,535 entries, or made with `zip -fz`): its locator right
    // before the end record points at a Zip64 end record before that, which holds the
    // directory's size; the directory then ends where that record starts.
    // A locator there that spans disks is refused, as Python refuses it.
    if let Some(locator) = at.checked_sub(20).and_then(|l| bytes.get(l..at)) {
        if &locator[..4] == b"PK\x06\x07" && (u32_at(locator, 4) != 0 || u32_at(locator, 16) > 1) {
            return false;
        }
    }
    let zip64 = at
        .checked_sub(20 + 56)
        .filter(|_| bytes.get(at - 20..at - 16) == Some(b"PK\x06\x07"))
        .filter(|&z| bytes.get(z..z + 4) == Some(b"PK\x06\x06"));
    let (end, size) = match zip64 {
        Some(z) => {
            let field = &bytes[z + 40..z + 48];
            let size = u64::from_le_bytes(field.try_into().unwrap_or([0xFF; 8]));
            (z, usize::try_from(size).unwrap_or(usize::MAX))
        }
        None => (at, u32_at(record, 12) as usize),
    };
    let Some(start) = end.checked_sub(size) else {
        return false;
    };
    let at = end;
    let directory = &bytes[start..at];
    let mut i = 0;
    while i < directory.len() {
        let Some(head) = directory.get(i..i + 46) else {
            return false;
        };
        if &head[..4] != ENTRY {
            return false;
        }
        i += 46 + u16_at(head, 28) + u16_at(head, 30) + u16_at(head, 32);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An archive of one stored file `a` holding `hi`, as Python's `zipfile` writes it.
    fn one_file_zip() -> Vec<u8> {
        let mut z = Vec::new();
        // (CRC-32 of `hi`: `zlib.crc32(b"hi")`; Python's listing does not check it.)
        let crc: u32 = 0xd893_2aac;
        z.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x21\x00");
        z.extend_from_slice(&crc.to_le_bytes());
        z.extend_from_slice(&[2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]);
        z.extend_from_slice(b"ahi");
        let directory = z.len() as u32;
        z.extend_from_slice(b"PK\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00\x00\x00\x21\x00");
        z.extend_from_slice(&crc.to_le_bytes());
        z.extend_from_slice(&[2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        z.extend_from_slice(&[0, 0, 0xa4, 0x81, 0, 0, 0, 0]);
        z.extend_from_slice(b"a");
        let size = z.len() as u32 - directory;
        z.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00");
        z.extend_from_slice(&size.to_le_bytes());
        z.extend_from_slice(&directory.to_le_bytes());
        z.extend_from_slice(&[0, 0]);
        z
    }

    /// `zip` with a Zip64 end record and locator before its end record (as `zip -fz` writes
    /// it), the end record's directory offset `0xFFFFFFFF`.
    fn as_zip64(zip: &[u8]) -> Vec<u8> {
        let (body, end) = zip.split_at(zip.len() - 22);
        let size = u64::from(u32::from_le_bytes(end[12..16].try_into().unwrap()));
        let offset = u64::from(u32::from_le_bytes(end[16..20].try_into().unwrap()));
        let mut out = body.to_vec();
        let record_at = out.len() as u64;
        out.extend_from_slice(b"PK\x06\x06");
        out.extend_from_slice(&44u64.to_le_bytes());
        out.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&1u64.to_le_bytes());
        out.extend_from_slice(&1u64.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(b"PK\x06\x07\0\0\0\0");
        out.extend_from_slice(&record_at.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&end[..16]);
        out.extend_from_slice(&[0xFF; 4]);
        out.extend_from_slice(&end[20..]);
        out
    }

    #[test]
    fn zip_archives_are_told_from_other_bytes() {
        let zip = one_file_zip();
        assert!(is_zip(&zip));
        assert!(is_zip(&as_zip64(&zip)), "a Zip64 archive");
        assert!(
            is_zip(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
            "an empty archive"
        );
        let mut prefixed = b"#!/bin/sh\n".to_vec();
        prefixed.extend_from_slice(&zip);
        assert!(
            is_zip(&prefixed),
            "data before the archive, as Python allows"
        );
        assert!(!is_zip(b"fileb://fn.zip"));
        assert!(!is_zip(b""));
        assert!(!is_zip(&zip[..zip.len() - 1]), "a cut end record");
        let mut bad = zip.clone();
        let entry = bad.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        bad[entry + 3] = 9;
        assert!(
            !is_zip(&bad),
            "a central directory entry without its signature"
        );
    }

    #[test]
    fn zip_file_goes_into_code_after_the_other_members() {
        let zip = base64::engine::general_purpose::STANDARD.encode(one_file_zip());
        let bytes = serde_json::json!({ "base64": zip });
        let mut params: Map<String, J> = serde_json::from_str(
            r#"{"FunctionName": "f", "Code": {"S3Bucket": "b"}, "Role": "r"}"#,
        )
        .unwrap();
        apply("lambda", "CreateFunction", Some(bytes.clone()), &mut params).unwrap();
        assert_eq!(
            params["Code"],
            serde_json::json!({"S3Bucket": "b", "ZipFile": bytes})
        );
        let mut params: Map<String, J> = serde_json::from_str(r#"{"LayerName": "l"}"#).unwrap();
        apply(
            "lambda",
            "PublishLayerVersion",
            Some(bytes.clone()),
            &mut params,
        )
        .unwrap();
        assert_eq!(
            J::Object(params),
            serde_json::json!({"LayerName": "l", "Content": {"ZipFile": bytes}})
        );
        // Text that is no archive, and a ZipFile inside --code, are refused.
        let text = J::String("fn.zip".into());
        let mut params = Map::new();
        assert!(apply("lambda", "CreateFunction", Some(text.clone()), &mut params).is_err());
        let mut params: Map<String, J> =
            serde_json::from_str(r#"{"Code": {"ZipFile": "x"}}"#).unwrap();
        assert!(apply("lambda", "CreateFunction", None, &mut params).is_err());
        let mut params = Map::from_iter([("ZipFile".to_string(), text)]);
        assert!(apply("lambda", "UpdateFunctionCode", None, &mut params).is_err());
    }
}
