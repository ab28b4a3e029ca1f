//! The index `models/update` writes beside each embedded service model (`service-2.index`):
//! the model's metadata and where each operation's and shape's JSON object is in the model's
//! text, so a client lists them without inflating and reading the whole document (the text is
//! inflated when the first operation or shape is built). The format is in models/README.md
//! ("Model index"); this module reads it and checks it against the model file it describes.

use std::ops::Range;

/// What the index says about one service model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelIndex {
    /// The `metadata` object's JSON text.
    pub metadata: Vec<u8>,
    /// Each operation's name (the model's key) and where its JSON object is in the text, in
    /// the model's order.
    pub operations: Vec<(String, Range<usize>)>,
    /// Each shape's name and where its JSON object is in the text, in the text's order.
    pub shapes: Vec<(Box<str>, Range<usize>)>,
    /// The length of the model's text, in bytes.
    pub len: usize,
}

/// The first bytes of an index.
const MAGIC: &[u8] = b"sansboto-index-1\n";

/// Reads the index of the gzip model file `model_gz`. An index made for
/// another file (its size and gzip trailer differ) or malformed in any way is an error, said in
/// words; every range it gives lies within the text, in order, without overlap.
pub(crate) fn parse(index: &[u8], model_gz: &[u8]) -> Result<ModelIndex, String> {
    let mut input = Reader(index);
    if input.take(MAGIC.len())? != MAGIC {
        return Err("not a sansboto model index".into());
    }
    let gz_len = u32::from_le_bytes(input.array()?);
    let trailer: [u8; 8] = input.array()?;
    let own_trailer = model_gz
        .len()
        .checked_sub(8)
        .and_then(|at| model_gz.get(at..));
    if gz_len as usize != model_gz.len() || own_trailer != Some(&trailer[..]) {
        return Err("the index was made for another version of the model file".into());
    }
    // The gzip trailer's ISIZE: the text's length (the files are far below 4 GiB).
    let len = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]) as usize;
    let metadata_len = input.varint()?;
    let metadata = input.take(metadata_len)?.to_vec();
    let mut end = 0;
    let mut operations = Vec::new();
    for_each_entry(&mut input, &mut end, len, |name, range| {
        operations.push((name.to_string(), range));
    })?;
    let mut shapes = Vec::new();
    for_each_entry(&mut input, &mut end, len, |name, range| {
        shapes.push((Box::from(name), range));
    })?;
    if !input.0.is_empty() {
        return Err("trailing bytes after the index".into());
    }
    Ok(ModelIndex {
        metadata,
        operations,
        shapes,
        len,
    })
}

/// Reads one list of entries (a count, then each front-coded name, the gap from the previous
/// entry's end and the length), each range checked to follow `end` and fit in `len`.
fn for_each_entry(
    input: &mut Reader<'_>,
    end: &mut usize,
    len: usize,
    mut each: impl FnMut(&str, Range<usize>),
) -> Result<(), String> {
    let count = input.varint()?;
    let mut name: Vec<u8> = Vec::new();
    for _ in 0..count {
        let shared = input.varint()?;
        let rest = input.varint()?;
        if shared > name.len() {
            return Err("an entry shares more of its name than the previous one has".into());
        }
        name.truncate(shared);
        name.extend_from_slice(input.take(rest)?);
        let start = end
            .checked_add(input.varint()?)
            .ok_or("an entry starts past the text")?;
        let stop = start
            .checked_add(input.varint()?)
            .filter(|stop| *stop <= len)
            .ok_or("an entry ends past the text")?;
        let text = std::str::from_utf8(&name).map_err(|_| "an entry's name is not UTF-8")?;
        each(text, start..stop);
        *end = stop;
    }
    Ok(())
}

/// A cursor over the index's bytes; running out is an error.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.0.len() {
            return Err("the index ends early".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let bytes = self.take(N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| "the index ends early".to_string())
    }

    /// An unsigned LEB128 number (as `models/update` writes it), at most a `usize`'s worth.
    fn varint(&mut self) -> Result<usize, String> {
        let mut value: usize = 0;
        for shift in (0..usize::BITS).step_by(7) {
            let [byte] = self.array()?;
            let bits = usize::from(byte & 0x7f);
            value |= bits
                .checked_shl(shift)
                .filter(|shifted| shifted >> shift == bits)
                .ok_or("a number in the index is too large")?;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a number in the index is too large".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index for `gz` by hand: the metadata, then (name, gap, length) lists, names whole.
    fn index(gz: &[u8], metadata: &[u8], lists: &[&[(&str, usize, usize)]]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend((gz.len() as u32).to_le_bytes());
        out.extend(&gz[gz.len() - 8..]);
        out.push(metadata.len() as u8);
        out.extend(metadata);
        for list in lists {
            out.push(list.len() as u8);
            for (name, gap, len) in *list {
                out.extend([0, name.len() as u8]);
                out.extend(name.as_bytes());
                out.extend([*gap as u8, *len as u8]);
            }
        }
        out
    }

    /// A stand-in model file: only its size and last eight bytes matter (ISIZE 100).
    const GZ: &[u8] = &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 0, 0, 0];

    #[test]
    fn reads_entries_in_order() {
        let bytes = index(GZ, b"{}", &[&[("Op", 20, 5)], &[("A", 3, 4), ("B", 5, 6)]]);
        let parsed = parse(&bytes, GZ).unwrap();
        assert_eq!(parsed.len, 100);
        assert_eq!(parsed.metadata, b"{}");
        assert_eq!(parsed.operations, [("Op".to_string(), 20..25)]);
        assert_eq!(
            parsed.shapes,
            [(Box::from("A"), 28..32), (Box::from("B"), 37..43)]
        );
    }

    #[test]
    fn front_coded_names() {
        let mut bytes = index(GZ, b"{}", &[&[]]);
        // Shapes `Abc` then `Abd` (sharing two bytes).
        bytes.extend([2, 0, 3, b'A', b'b', b'c', 0, 1, 2, 1, b'd', 1, 1]);
        let parsed = parse(&bytes, GZ).unwrap();
        assert_eq!(
            parsed.shapes,
            [(Box::from("Abc"), 0..1), (Box::from("Abd"), 2..3)]
        );
    }

    #[test]
    fn anything_wrong_is_an_error() {
        let good = index(GZ, b"{}", &[&[("Op", 20, 5)], &[("A", 3, 4)]]);
        assert!(parse(&good, GZ).is_ok());
        // Cut anywhere, or one byte too many.
        for cut in 0..good.len() {
            assert!(parse(&good[..cut], GZ).is_err(), "cut at {cut}");
        }
        assert!(parse(&[good.clone(), vec![0]].concat(), GZ).is_err());
        // Another model file.
        let mut other = GZ.to_vec();
        other[9] ^= 1;
        assert!(parse(&good, &other).is_err());
        assert!(parse(&good, &GZ[1..]).is_err());
        // A range past the text (ISIZE 100), a name sharing more than there is, bad UTF-8.
        assert!(parse(&index(GZ, b"{}", &[&[("Op", 90, 11)], &[]]), GZ).is_err());
        let mut shared = index(GZ, b"{}", &[&[]]);
        shared.extend([1, 1, 1, b'A', 0, 1]);
        assert!(parse(&shared, GZ).is_err());
        assert!(parse(&index(GZ, b"{}", &[&[("\u{e9}", 0, 1)], &[]]), GZ).is_ok());
        let mut bad_utf8 = index(GZ, b"{}", &[&[]]);
        bad_utf8.extend([1, 0, 1, 0xff, 0, 1]);
        assert!(parse(&bad_utf8, GZ).is_err());
        // A varint longer than a usize.
        let mut huge = MAGIC.to_vec();
        huge.extend((GZ.len() as u32).to_le_bytes());
        huge.extend(&GZ[GZ.len() - 8..]);
        huge.extend([0xff; 11]);
        assert!(parse(&huge, GZ).is_err());
    }
}
