//! The event-stream decoder fed arbitrary bytes in arbitrary chunks; decoded messages go through
//! S3 SelectObjectContent's event parser. With `fix_crcs` set, each frame's prelude and message
//! CRCs are corrected first so the fuzzer reaches header and payload decoding.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use sansboto_core::eventstream::{Decoder, Limits};
use sansboto_core::protocol::parse_event;

#[derive(Arbitrary, Debug)]
struct Input {
    fix_crcs: bool,
    small_limits: bool,
    chunk_sizes: Vec<u8>,
    stream: Vec<u8>,
}

fn fix_crcs(stream: &mut [u8]) {
    let mut at = 0;
    while let Some(prelude) = stream.get(at..at + 12) {
        let total = u32::from_be_bytes([prelude[0], prelude[1], prelude[2], prelude[3]]) as usize;
        if total < 16 || at + total > stream.len() {
            return;
        }
        let crc = crc32fast::hash(&stream[at..at + 8]).to_be_bytes();
        stream[at + 8..at + 12].copy_from_slice(&crc);
        let crc = crc32fast::hash(&stream[at..at + total - 4]).to_be_bytes();
        stream[at + total - 4..at + total].copy_from_slice(&crc);
        at += total;
    }
}

fuzz_target!(|input: Input| {
    let Input {
        fix_crcs: fix,
        small_limits,
        chunk_sizes,
        mut stream,
    } = input;
    if fix {
        fix_crcs(&mut stream);
    }
    let model = sansboto_fuzz::model("s3");
    let event_shape = model
        .shape_id("SelectObjectContentEventStream")
        .expect("event stream shape");
    let mut decoder = if small_limits {
        Decoder::with_limits(Limits {
            max_headers_len: 64,
            max_payload_len: 256,
        })
    } else {
        Decoder::new()
    };
    let mut rest: &[u8] = &stream;
    let mut sizes = chunk_sizes.iter().cycle();
    'feed: while !rest.is_empty() {
        let size = match sizes.next() {
            Some(s) => (*s as usize).max(1),
            None => rest.len(),
        }
        .min(rest.len());
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        decoder.push(chunk);
        loop {
            match decoder.next_message() {
                Ok(Some(message)) => {
                    let _ = parse_event(&model, event_shape, &message);
                }
                Ok(None) => break,
                Err(_) => break 'feed,
            }
        }
    }
    let _ = decoder.finish();
});
