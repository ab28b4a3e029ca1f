//! HTTP/1.1 client codec: decode arbitrary bytes as the answer to a GET and to a HEAD (head,
//! framing, body), fed whole and split at a point the input chooses. The first byte picks the
//! split; the rest is the wire.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansboto_core::http1::{
    decode_response, BodyDecoder, BodyFraming, Limits, ResponseHeadDecoder,
};

fuzz_target!(|data: &[u8]| {
    let Some((&split, wire)) = data.split_first() else {
        return;
    };
    for method in [http::Method::GET, http::Method::HEAD] {
        let whole = decode_response(&method, wire);
        // The same bytes in two reads give the same head and payload.
        let at = usize::from(split).min(wire.len());
        let mut heads = ResponseHeadDecoder::new(Limits::default());
        let split_result = match heads.push(&wire[..at]) {
            Ok(Some((head, used))) => Ok(Some((head, used))),
            Ok(None) => heads
                .push(&wire[at..])
                .map(|h| h.map(|(head, used)| (head, at + used))),
            Err(e) => Err(e),
        };
        if let (Ok((head, payload)), Ok(Some((split_head, used)))) = (&whole, split_result) {
            assert_eq!(head.status, split_head.status);
            assert_eq!(head.headers, split_head.headers);
            let framing = BodyFraming::for_response(&method, &split_head).expect("framed once");
            let mut body = BodyDecoder::new(framing, Limits::default());
            let mut got = Vec::new();
            for piece in wire[used..].chunks(usize::from(split).max(1)) {
                let mut rest = piece;
                while !rest.is_empty() && !body.is_done() {
                    let step = body.decode(rest).expect("decoded once");
                    got.extend_from_slice(&rest[step.data]);
                    rest = &rest[step.consumed..];
                }
            }
            body.eof().expect("ended once");
            assert_eq!(&got, payload);
        }
    }
});
