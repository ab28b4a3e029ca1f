//! gzip decompression of data files (embedded or `.json.gz` on the data path).

use std::io::Read;

/// The largest output size trusted from a gzip trailer, as a multiple of the compressed size:
/// minified JSON compresses about 10x; a corrupt trailer must not trigger a huge allocation.
const MAX_TRUSTED_RATIO: usize = 64;

/// Decompresses one gzip member, checking its CRC and length. Errors are described in words.
pub(crate) fn gunzip(gz: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(size_hint(gz));
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .map_err(|e| format!("invalid gzip data: {e}"))?;
    Ok(out)
}

/// The uncompressed length from the gzip trailer (ISIZE, little endian), bounded.
fn size_hint(gz: &[u8]) -> usize {
    let trailer = gz
        .len()
        .checked_sub(4)
        .and_then(|start| gz.get(start..))
        .and_then(|bytes| <[u8; 4]>::try_from(bytes).ok());
    let declared = trailer.map_or(0, |t| u32::from_le_bytes(t) as usize);
    declared.min(gz.len().saturating_mul(MAX_TRUSTED_RATIO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn round_trips() {
        let data = br#"{"metadata":{},"operations":{}}"#.repeat(100);
        assert_eq!(gunzip(&gzip(&data)).unwrap(), data);
    }

    #[test]
    fn truncated_and_garbage_are_errors() {
        let gz = gzip(&b"{\"a\":1}".repeat(1000));
        for cut in [0, 1, 5, 10, gz.len() / 2, gz.len() - 1] {
            assert!(gunzip(&gz[..cut]).is_err(), "cut at {cut}");
        }
        assert!(gunzip(b"not gzip at all").is_err());
        let mut bad_crc = gz.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 0xff;
        assert!(gunzip(&bad_crc).is_err());
    }
}
