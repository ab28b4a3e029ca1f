//! gzip decompression of data files (embedded or `.json.gz` on the data path).

use std::io::Read;
use std::sync::Arc;

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

/// [`gunzip`] straight into a shared buffer: a loaded file is kept as `Arc<[u8]>`, and going
/// through a `Vec` cost a second buffer and a copy (for EC2's 2.6 MB model, mostly page faults
/// of a freshly mapped buffer). The buffer is sized from the trailer; when the trailer does not
/// match the data, the plain path decides (and reports any error).
pub(crate) fn gunzip_shared(gz: &[u8]) -> Result<Arc<[u8]>, String> {
    // A `TrustedLen` iterator collects into one allocation of exactly this size.
    let mut out: Arc<[u8]> = std::iter::repeat_n(0u8, size_hint(gz)).collect();
    if let Some(buf) = Arc::get_mut(&mut out) {
        let mut decoder = flate2::read::GzDecoder::new(gz);
        // Reading to the end makes the decoder check the CRC and length in the trailer.
        let mut past_end = [0u8; 1];
        if decoder.read_exact(buf).is_ok() && matches!(decoder.read(&mut past_end), Ok(0)) {
            return Ok(out);
        }
    }
    gunzip(gz).map(Arc::from)
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
    fn shared_matches_plain_even_with_a_lying_trailer() {
        let data = br#"{"metadata":{},"operations":{}}"#.repeat(100);
        let gz = gzip(&data);
        assert_eq!(&gunzip_shared(&gz).unwrap()[..], &data[..]);
        // A trailer that understates or overstates the size fails the CRC/length check either
        // way, as in the plain path.
        for isize in [10u32, data.len() as u32 + 10] {
            let mut bad = gz.clone();
            let n = bad.len();
            bad[n - 4..].copy_from_slice(&isize.to_le_bytes());
            assert_eq!(gunzip_shared(&bad).is_err(), gunzip(&bad).is_err());
            assert!(gunzip_shared(&bad).is_err());
        }
        assert_eq!(&gunzip_shared(&gzip(b"")).unwrap()[..], b"");
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
