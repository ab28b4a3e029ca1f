//! Whole-object checksums of an object sent or read in parts, as S3 defines them: a full-object
//! CRC (CRC32, CRC32C, CRC64NVME) is the CRC of every byte, got here by combining the CRCs of
//! consecutive parts without reading the bytes again; a composite checksum is the checksum of the
//! parts' binary checksums concatenated, written `base64-N` for N parts.

use crate::checksum::{checksum, ChecksumAlgorithm, ChecksumValue};

/// The reflected polynomial and width of the CRCs S3 can combine into a full-object checksum;
/// `None` for the others (SHA, XXHASH: composite only).
fn crc_params(algorithm: ChecksumAlgorithm) -> Option<(u64, usize)> {
    match algorithm {
        ChecksumAlgorithm::Crc32 => Some((0xedb8_8320, 32)),
        ChecksumAlgorithm::Crc32c => Some((0x82f6_3b78, 32)),
        ChecksumAlgorithm::Crc64Nvme => Some((0x9a6c_9329_ac4b_c9b5, 64)),
        _ => None,
    }
}

/// True when `algorithm` supports S3's `FULL_OBJECT` checksum type.
pub fn supports_full_object(algorithm: ChecksumAlgorithm) -> bool {
    crc_params(algorithm).is_some()
}

/// `mat` (a GF(2) matrix, one column per bit) times `vec`.
fn gf2_times(mat: &[u64], mut vec: u64) -> u64 {
    let mut sum = 0;
    let mut i = 0;
    while vec != 0 {
        if vec & 1 != 0 {
            sum ^= mat[i];
        }
        vec >>= 1;
        i += 1;
    }
    sum
}

fn gf2_square(square: &mut [u64], mat: &[u64]) {
    for n in 0..mat.len() {
        square[n] = gf2_times(mat, mat[n]);
    }
}

/// The CRC of `a ‖ b` from `crc(a)`, `crc(b)` and `len(b)` (zlib's `crc32_combine` method: apply
/// `len(b)` zero bytes to `crc(a)` with the operator for one zero bit squared repeatedly). It
/// holds for reflected CRCs whose initial value and final XOR are both all ones, as these are.
fn combine_raw(crc1: u64, crc2: u64, mut len2: u64, poly: u64, width: usize) -> u64 {
    if len2 == 0 {
        return crc1;
    }
    let mut odd = vec![0u64; width];
    let mut even = vec![0u64; width];
    odd[0] = poly;
    let mut row = 1u64;
    for slot in odd.iter_mut().skip(1) {
        *slot = row;
        row <<= 1;
    }
    gf2_square(&mut even, &odd); // two zero bits
    gf2_square(&mut odd, &even); // four zero bits
    let mut crc1 = crc1;
    loop {
        gf2_square(&mut even, &odd);
        if len2 & 1 != 0 {
            crc1 = gf2_times(&even, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
        gf2_square(&mut odd, &even);
        if len2 & 1 != 0 {
            crc1 = gf2_times(&odd, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
    }
    crc1 ^ crc2
}

fn crc_from_bytes(value: &[u8]) -> Option<u64> {
    match value.len() {
        4 => Some(u32::from_be_bytes(value.try_into().ok()?) as u64),
        8 => Some(u64::from_be_bytes(value.try_into().ok()?)),
        _ => None,
    }
}

/// The full-object CRC of consecutive parts, given each part's CRC and length in order; `None`
/// for an algorithm that is not a CRC or a value of the wrong size.
pub fn combine_full_object(
    algorithm: ChecksumAlgorithm,
    parts: &[(ChecksumValue, u64)],
) -> Option<ChecksumValue> {
    let (poly, width) = crc_params(algorithm)?;
    // The CRC of no bytes at all.
    let mut crc = crc_from_bytes(checksum(algorithm, b"").as_bytes())?;
    for (value, len) in parts {
        let bytes = value.as_bytes();
        if bytes.len() * 8 != width {
            return None;
        }
        crc = combine_raw(crc, crc_from_bytes(bytes)?, *len, poly, width);
    }
    Some(if width == 32 {
        ChecksumValue::new(&(crc as u32).to_be_bytes())
    } else {
        ChecksumValue::new(&crc.to_be_bytes())
    })
}

/// S3's composite checksum of parts: `base64(checksum(part1 ‖ part2 ‖ …))-N`.
pub fn composite(algorithm: ChecksumAlgorithm, parts: &[ChecksumValue]) -> String {
    let joined: Vec<u8> = parts.iter().flat_map(|p| p.as_bytes().to_vec()).collect();
    format!(
        "{}-{}",
        checksum(algorithm, &joined).to_base64(),
        parts.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRCS: [ChecksumAlgorithm; 3] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
    ];

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn combining_part_crcs_gives_the_crc_of_the_whole() {
        let whole = data(100_003);
        for algorithm in CRCS {
            for cuts in [
                vec![0, 100_003],
                vec![0, 1, 7, 50_000, 100_003],
                vec![0, 99_999, 100_003],
            ] {
                let parts: Vec<_> = cuts
                    .windows(2)
                    .map(|w| {
                        let part = &whole[w[0]..w[1]];
                        (checksum(algorithm, part), part.len() as u64)
                    })
                    .collect();
                assert_eq!(
                    combine_full_object(algorithm, &parts),
                    Some(checksum(algorithm, &whole)),
                    "{algorithm} {cuts:?}"
                );
            }
        }
    }

    #[test]
    fn no_parts_is_the_crc_of_nothing_and_other_algorithms_do_not_combine() {
        for algorithm in CRCS {
            assert_eq!(
                combine_full_object(algorithm, &[]),
                Some(checksum(algorithm, b""))
            );
        }
        let sha = checksum(ChecksumAlgorithm::Sha256, b"x");
        assert_eq!(
            combine_full_object(ChecksumAlgorithm::Sha256, &[(sha, 1)]),
            None
        );
        assert!(!supports_full_object(ChecksumAlgorithm::Sha1));
        // A CRC32 value handed as a CRC64NVME part is refused, not misread.
        let crc32 = checksum(ChecksumAlgorithm::Crc32, b"x");
        assert_eq!(
            combine_full_object(ChecksumAlgorithm::Crc64Nvme, &[(crc32, 1)]),
            None
        );
    }

    #[test]
    fn composite_is_the_checksum_of_the_part_checksums_with_their_count() {
        let a = checksum(ChecksumAlgorithm::Crc32, b"hello ");
        let b = checksum(ChecksumAlgorithm::Crc32, b"world");
        let mut joined = a.as_bytes().to_vec();
        joined.extend_from_slice(b.as_bytes());
        let expected = format!(
            "{}-2",
            checksum(ChecksumAlgorithm::Crc32, &joined).to_base64()
        );
        assert_eq!(composite(ChecksumAlgorithm::Crc32, &[a, b]), expected);
    }
}
