//! How an object is cut into parts: S3's limits (parts of 5 MiB to 5 GiB, except the last which
//! may be smaller; at most 10,000 parts) applied to the part size asked for, as s3transfer's
//! `ChunksizeAdjuster` applies them: clamp it into the limits, then double it until the object
//! fits in 10,000 parts.

/// The smallest part S3 accepts (all but the last).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// The largest part S3 accepts.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// The most parts one multipart upload may have.
pub const MAX_PARTS: u64 = 10_000;

/// One part: its 1-based number and its bytes' place in the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    /// S3's `PartNumber` (1-based).
    pub number: u32,
    /// Where the part starts in the object.
    pub offset: u64,
    /// How many bytes it has.
    pub len: u64,
}

/// The part size to use for an object of `size` bytes when `requested` was asked for; `None`
/// when the object is too large for any (more than 10,000 parts of 5 GiB).
pub fn part_size_for(requested: u64, size: u64) -> Option<u64> {
    let mut part = requested.clamp(MIN_PART_SIZE, MAX_PART_SIZE);
    while size.div_ceil(part) > MAX_PARTS && part < MAX_PART_SIZE {
        // Doubling may overshoot the largest part; the largest part may still do.
        part = (part * 2).min(MAX_PART_SIZE);
    }
    (size.div_ceil(part) <= MAX_PARTS).then_some(part)
}

/// The parts of an object of `size` bytes cut every `part_size` bytes (the last one shorter).
/// An empty object is one empty part.
pub fn parts(size: u64, part_size: u64) -> Vec<Part> {
    let part_size = part_size.max(1);
    let count = size.div_ceil(part_size).max(1);
    (0..count)
        .map(|i| {
            let offset = i * part_size;
            Part {
                number: (i + 1) as u32,
                offset,
                len: part_size.min(size - offset.min(size)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn the_part_size_is_clamped_then_doubled_to_fit_ten_thousand_parts() {
        assert_eq!(part_size_for(8 * MIB, 100 * MIB), Some(8 * MIB));
        assert_eq!(part_size_for(MIB, 100 * MIB), Some(5 * MIB));
        assert_eq!(part_size_for(10 * MAX_PART_SIZE, 1), Some(MAX_PART_SIZE));
        // 100 GiB in 8 MiB parts would be 12,800 parts: 16 MiB makes 6,400.
        assert_eq!(part_size_for(8 * MIB, 100 * 1024 * MIB), Some(16 * MIB));
        // Exactly 10,000 parts of 5 GiB fits; one byte more does not.
        assert_eq!(
            part_size_for(8 * MIB, MAX_PARTS * MAX_PART_SIZE),
            Some(MAX_PART_SIZE)
        );
        assert_eq!(part_size_for(8 * MIB, MAX_PARTS * MAX_PART_SIZE + 1), None);
    }

    #[test]
    fn parts_cover_the_object_exactly() {
        let p = parts(20 * MIB + 3, 8 * MIB);
        assert_eq!(p.len(), 3);
        assert_eq!(
            p[0],
            Part {
                number: 1,
                offset: 0,
                len: 8 * MIB
            }
        );
        assert_eq!(
            p[2],
            Part {
                number: 3,
                offset: 16 * MIB,
                len: 4 * MIB + 3
            }
        );
        assert_eq!(parts(16 * MIB, 8 * MIB).len(), 2);
        assert_eq!(
            parts(0, 8 * MIB),
            vec![Part {
                number: 1,
                offset: 0,
                len: 0
            }]
        );
    }
}
