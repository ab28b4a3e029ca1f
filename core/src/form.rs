//! Form-encoded (`a=b&c=d`) request bodies edited in place after serialization: botocore's
//! handlers of query-protocol services edit the request dict's body (RDS and EC2 presigned
//! copies), and Signature Version 2 adds its parameters to it. Pairs keep their order; what is
//! set is encoded as botocore's `urlencode` encodes it.

use std::borrow::Cow;

use crate::body::Body;
use crate::encoding::{form_encode, percent_decode};

/// A form-encoded (`a=b&c=d`) body edited in place, as botocore edits its request dict's body
/// in `before-call` handlers of query-protocol services. Pairs keep their order and encoding.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormBody {
    pairs: Vec<(String, String)>,
}

impl FormBody {
    /// Parse a form body (lossy for invalid UTF-8, which query serializers never produce).
    pub(crate) fn parse(body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let pairs = text
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (p.to_string(), String::new()),
            })
            .collect();
        FormBody { pairs }
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.pairs
            .iter()
            .position(|(k, _)| percent_decode(k, true) == key)
    }

    /// True when `key` is present.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// The decoded value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        self.position(key)
            .and_then(|i| self.pairs.get(i))
            .map(|(_, v)| percent_decode(v, true).into_owned())
    }

    /// Remove `key`, returning its decoded value.
    pub(crate) fn remove(&mut self, key: &str) -> Option<String> {
        let i = self.position(key)?;
        let (_, v) = self.pairs.remove(i);
        Some(percent_decode(&v, true).into_owned())
    }

    /// Set `key` to `value`: in place when present (as a Python dict keeps the key's slot),
    /// appended otherwise.
    pub(crate) fn set(&mut self, key: &str, value: &str) {
        let encoded = form_encode(value);
        match self.position(key).and_then(|i| self.pairs.get_mut(i)) {
            Some(pair) => pair.1 = encoded,
            None => self.pairs.push((form_encode(key), encoded)),
        }
    }

    /// Every pair, decoded, in order.
    pub(crate) fn decoded(&self) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
        self.pairs
            .iter()
            .map(|(k, v)| (percent_decode(k, true), percent_decode(v, true)))
    }

    /// The pairs as a URL query string: a space is `%20` there, not the body's `+` (botocore
    /// builds a presigned copy's query with `quote`).
    pub(crate) fn to_query(&self) -> String {
        crate::auth::canonical::form_body_to_query(&self.to_bytes())
    }

    /// The encoded body.
    pub(crate) fn to_bytes(&self) -> bytes::Bytes {
        let mut out = String::new();
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        bytes::Bytes::from(out)
    }
}

/// Set `Content-Length` to match an in-memory body the hook replaced.
pub(crate) fn set_body(request: &mut http::Request<Body>, body: bytes::Bytes) {
    let len = body.len();
    *request.body_mut() = Body::from(body);
    if request.headers().contains_key(http::header::CONTENT_LENGTH) {
        request
            .headers_mut()
            .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
    }
}
