//! One request and its response on one HTTP/1.1 connection, as a state machine the transports
//! drive: [`Route`] says where the connection goes (the pool key), [`Exchange::start`] writes
//! the request head and frames the body, [`Exchange::received`] takes what was read until the
//! response head is complete, and [`BodyReader`] decodes the body out of the connection's read
//! buffer and says at its end whether the connection may carry another request.
//!
//! The facts the core's stale-connection replay needs ([`SendFailure`]) come from here too:
//! the exchange knows whether its connection was reused and whether any byte of the answer
//! arrived. A transport only connects, reads into its buffer and writes what it is given.

use std::io;
use std::ops::Range;

use super::{
    absolute_form, encode_request_head, keep_alive, BodyDecoder, BodyEncoder, BodyFraming,
    Http1Error, Limits, ResponseHead, ResponseHeadDecoder,
};
use crate::checksum::ChunkHead;
use crate::connection::{closed_by_peer, SendFailure};
use crate::http_config::{Destination, ProxyConfig, ProxyUrl};

/// Where a request's connection goes: the origin and the proxy on the way. Requests with equal
/// routes may share a pooled connection.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Route {
    /// An `https://` origin: TLS to it (through a `CONNECT` tunnel when there is a proxy),
    /// unless the proxy forwards it.
    pub https: bool,
    /// The origin's host name or address (IPv6 without brackets).
    pub host: String,
    /// The origin's port.
    pub port: u16,
    /// The forward proxy, unless the origin is reached directly.
    pub proxy: Option<ProxyUrl>,
    /// An `https://` request sent to a TLS proxy in absolute form, for the proxy to open the
    /// TLS connection to the origin ([`ProxyConfig::forward_https`]): no tunnel, and no TLS of
    /// the transport's own with the origin.
    pub forwarded: bool,
}

impl Route {
    /// The route of a request to `uri`, through the proxy `proxies` pick for it (`NO_PROXY`
    /// applied). Only `http://` and `https://` URIs with a host can be sent.
    pub fn for_uri(uri: &http::Uri, proxies: Option<&ProxyConfig>) -> Result<Self, Http1Error> {
        match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {}
            other => {
                return Err(Http1Error::InvalidRequest(format!(
                    "unsupported URL scheme {other:?}"
                )))
            }
        }
        let to = Destination::of(uri)
            .ok_or_else(|| Http1Error::InvalidRequest(format!("no host in {uri}")))?;
        let proxy = match proxies {
            Some(p) => (p.route_for_uri(uri))
                .map_err(|e| Http1Error::InvalidRequest(e.to_string()))?
                .cloned(),
            None => None,
        };
        let forwarded = to.https
            && proxies
                .zip(proxy.as_ref())
                .is_some_and(|(config, proxy)| config.forwards_https_to(proxy));
        Ok(Route {
            https: to.https,
            host: to.host.to_owned(),
            port: to.port,
            proxy,
            forwarded,
        })
    }

    /// Where the TCP connection goes: the proxy when there is one, else the origin.
    pub fn connect_to(&self) -> (&str, u16) {
        match &self.proxy {
            Some(p) => (&p.host, p.port),
            None => (&self.host, self.port),
        }
    }

    /// The proxy when the connection to it is itself TLS (an `https://` proxy URL): the
    /// transport's first handshake is with the proxy, before any tunnel or request.
    pub fn proxy_tls(&self) -> Option<&ProxyUrl> {
        self.proxy.as_ref().filter(|p| p.tls)
    }

    /// Whether the connection starts with a `CONNECT` tunnel through the proxy (https through
    /// a proxy that does not forward it; plain http goes to the proxy in absolute form).
    pub fn tunnels(&self) -> Option<&ProxyUrl> {
        self.proxy
            .as_ref()
            .filter(|_| self.https && !self.forwarded)
    }

    /// Whether requests name their whole URL (a forward proxy's form: plain http, or https
    /// forwarded).
    pub fn absolute_form(&self) -> bool {
        self.proxy.is_some() && (!self.https || self.forwarded)
    }

    /// Whether the transport makes a TLS session with the origin itself (directly or inside
    /// the tunnel): an `https://` origin that no proxy forwards.
    pub fn tls_to_origin(&self) -> bool {
        self.https && !self.forwarded
    }

    /// What `step` of opening this route's connection is called in errors: "connecting to
    /// host:port" (where the TCP connection goes), "TLS handshake with proxy host:port",
    /// "proxy CONNECT to host:port", "TLS handshake with host:port" (the origin). With [`connect_step`](crate::connection::connect_step),
    /// the connect timeout's bound over that step.
    pub fn step(&self, step: OpenStep) -> String {
        let (host, port) = match step {
            OpenStep::Connect | OpenStep::ProxyTlsHandshake => self.connect_to(),
            OpenStep::Tunnel | OpenStep::TlsHandshake => (self.host.as_str(), self.port),
        };
        let what = match step {
            OpenStep::Connect => "connecting to",
            OpenStep::ProxyTlsHandshake => "TLS handshake with proxy",
            OpenStep::Tunnel => "proxy CONNECT to",
            OpenStep::TlsHandshake => "TLS handshake with",
        };
        format!("{what} {host}:{port}")
    }
}

/// A step of opening a connection, each bounded by the connect timeout on its own (as urllib3
/// bounds them): the TCP connect, the TLS handshake with an `https://` proxy, the proxy's
/// `CONNECT` exchange, the TLS handshake with the origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenStep {
    /// The TCP connect, to the proxy when there is one.
    Connect,
    /// The TLS handshake with an `https://` proxy.
    ProxyTlsHandshake,
    /// The `CONNECT` exchange with the proxy, for https through a proxy that does not forward
    /// it.
    Tunnel,
    /// The TLS handshake with the origin.
    TlsHandshake,
}

/// The `Host` field of a request to `uri`: its authority without user info and without the
/// scheme's default port (what the signer signs when the request has no `Host` header).
fn host_field(uri: &http::Uri) -> &str {
    let authority = uri.authority().map_or("", |a| a.as_str());
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let default = match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("https") => ":443",
        _ => ":80",
    };
    authority.strip_suffix(default).unwrap_or(authority)
}

/// A request sent (or being sent) on a connection, waiting for its response head.
#[derive(Debug)]
pub struct Exchange {
    method: http::Method,
    /// The connection had carried a response before (taken from the pool).
    reused: bool,
    /// The request said `Connection: close`.
    close_requested: bool,
    encoder: BodyEncoder,
    heads: ResponseHeadDecoder,
}

impl Exchange {
    /// Start a request to `uri` on a connection along `route` (`reused` when it came from the
    /// pool): the exchange, and the head to write. The target goes out exactly as the core
    /// built it (in absolute form to a proxy that is not tunnelled to, with the proxy's
    /// credentials: plain http, or https forwarded); the
    /// `Host` field follows `uri` unless `headers` carry one; an `Expect` field is left out
    /// (no transport waits for `100 Continue`). `body_len` is the body's length when known
    /// (see [`encode_request_head`] for the framing); write the body through
    /// [`body_data`](Self::body_data) and [`body_end`](Self::body_end).
    pub fn start<'h>(
        method: &http::Method,
        uri: &http::Uri,
        route: &'h Route,
        reused: bool,
        headers: impl Iterator<Item = (&'h str, &'h [u8])> + Clone,
        body_len: Option<u64>,
    ) -> Result<(Exchange, Vec<u8>), Http1Error> {
        let origin_form = uri.path_and_query().map_or("/", |pq| pq.as_str());
        let through_proxy = route.proxy.as_ref().filter(|_| route.absolute_form());
        let absolute;
        let target = match through_proxy {
            Some(_) => {
                let authority = uri.authority().map_or("", |a| a.as_str());
                absolute = absolute_form(route.https, authority, origin_form);
                absolute.as_str()
            }
            None => origin_form,
        };
        let proxy_auth = through_proxy
            .and_then(|p| p.authorization.as_deref())
            .map(|auth| ("proxy-authorization", auth.as_bytes()));
        let fields = headers
            .filter(|(name, _)| !name.eq_ignore_ascii_case("expect"))
            .chain(proxy_auth);
        let close_requested = fields.clone().any(|(name, value)| {
            name.eq_ignore_ascii_case("connection")
                && value
                    .split(|&b| b == b',')
                    .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"))
        });
        let (head, framing) =
            encode_request_head(method.as_str(), target, host_field(uri), fields, body_len)?;
        let exchange = Exchange {
            method: method.clone(),
            reused,
            close_requested,
            encoder: BodyEncoder::new(framing),
            heads: ResponseHeadDecoder::new(Limits::default()),
        };
        Ok((exchange, head))
    }

    /// `len` more bytes of request body (never 0): what to write before and after them.
    pub fn body_data(&mut self, len: usize) -> Result<(ChunkHead, &'static [u8]), Http1Error> {
        self.encoder.data(len)
    }

    /// The request body ended: what to write last.
    pub fn body_end(&self) -> Result<&'static [u8], Http1Error> {
        self.encoder.finish()
    }

    /// Writing the request failed with `e`: the facts of the failure (a reused connection the
    /// peer had closed is stale).
    pub fn write_failed(&self, e: &io::Error) -> SendFailure {
        SendFailure {
            reused_connection: self.reused,
            closed_before_response: !self.heads.started() && closed_by_peer(e.kind()),
        }
    }

    /// Reading the response failed with `e` before its head was complete.
    pub fn read_failed(&self, e: &io::Error) -> SendFailure {
        self.write_failed(e)
    }

    /// The connection ended before the response head was complete: the error, and its facts
    /// (no byte at all on a reused connection means the server had closed it while idle).
    pub fn closed(&self) -> (Http1Error, SendFailure) {
        let facts = SendFailure {
            reused_connection: self.reused,
            closed_before_response: !self.heads.started(),
        };
        (self.heads.eof(), facts)
    }

    /// Bytes read from the connection into the start of its buffer (`read`): `Ok(None)` to read
    /// more; `Ok(Some(response))` once the head is complete, the rest of `read` being the
    /// body's (the returned [`BodyReader`] knows where it starts).
    pub fn received(&mut self, read: &[u8]) -> Result<Option<Response>, Http1Error> {
        let Some((head, used)) = self.heads.push(read)? else {
            return Ok(None);
        };
        let framing = BodyFraming::for_response(&self.method, &head)?;
        let body = BodyReader {
            decoder: BodyDecoder::new(framing, Limits::default()),
            keep_alive: keep_alive(self.close_requested, &head, framing),
            framing,
            start: used,
            end: read.len(),
            data: 0..0,
            released: false,
        };
        Ok(Some(Response { head, body }))
    }
}

/// A response head and the reader of its body.
#[derive(Debug)]
pub struct Response {
    /// Status and header fields as received.
    pub head: ResponseHead,
    /// The body, decoded out of the connection's buffer.
    pub body: BodyReader,
}

/// What a [`BodyReader`] needs next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Payload is at `buf[range]`; [`consume`](BodyReader::consume) what is taken of it.
    Data(Range<usize>),
    /// Read into the buffer from its start, then report [`filled`](BodyReader::filled).
    Read,
    /// The body is complete. `reuse`: the connection may go back to the pool (both sides
    /// allow it and nothing past the body arrived); said once, `false` afterwards.
    End {
        /// Whether to pool the connection.
        reuse: bool,
    },
}

/// Decodes a response body out of the buffer the transport reads the connection into: the
/// transport asks [`next`](Self::next) with the buffer and does what it says.
#[derive(Debug)]
pub struct BodyReader {
    decoder: BodyDecoder,
    keep_alive: bool,
    framing: BodyFraming,
    /// Bytes read but not decoded yet: `buf[start..end]`.
    start: usize,
    end: usize,
    /// Payload not consumed yet, within the buffer.
    data: Range<usize>,
    /// The end was reported.
    released: bool,
}

impl BodyReader {
    /// How the body is delimited.
    pub fn framing(&self) -> BodyFraming {
        self.framing
    }

    /// The body is complete (nothing more to read for it).
    pub fn is_done(&self) -> bool {
        self.decoder.is_done() && self.data.is_empty()
    }

    /// What to do next, given the buffer the connection is read into.
    pub fn next(&mut self, buf: &[u8]) -> Result<Next, Http1Error> {
        loop {
            if !self.data.is_empty() {
                return Ok(Next::Data(self.data.clone()));
            }
            if self.decoder.is_done() {
                let reuse = !self.released && self.keep_alive && self.start == self.end;
                self.released = true;
                return Ok(Next::End { reuse });
            }
            if self.start >= self.end {
                (self.start, self.end) = (0, 0);
                return Ok(Next::Read);
            }
            let input = buf
                .get(self.start..self.end)
                .ok_or(Http1Error::BadChunk("read buffer shorter than reported"))?;
            let step = self.decoder.decode(input)?;
            if step.consumed == 0 && !self.decoder.is_done() {
                return Err(Http1Error::BadChunk("body decoder made no progress"));
            }
            self.data = self.start + step.data.start..self.start + step.data.end;
            self.start += step.consumed;
        }
    }

    /// `n` bytes of the payload [`Next::Data`] pointed at were taken.
    pub fn consume(&mut self, n: usize) {
        self.data.start = self.data.start.saturating_add(n).min(self.data.end);
    }

    /// After [`Next::Read`]: `n` bytes were read into the start of the buffer (0: the
    /// connection ended, which is an error unless the body is delimited by it).
    pub fn filled(&mut self, n: usize) -> Result<(), Http1Error> {
        if n == 0 {
            return self.decoder.eof();
        }
        (self.start, self.end) = (0, n);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_goes_to_the_origin_or_through_the_proxy_picked_for_it() {
        let proxies = ProxyConfig {
            http: Some(ProxyUrl::parse("http://proxy:3128").unwrap()),
            https: Some(ProxyUrl::parse("http://tunnel:8080").unwrap()),
            no_proxy: crate::http_config::NoProxy::parse("direct.example"),
            ..ProxyConfig::default()
        };
        let of = |uri: &str| Route::for_uri(&uri.parse().unwrap(), Some(&proxies)).unwrap();

        let direct = Route::for_uri(&"https://[::1]:8443/k".parse().unwrap(), None).unwrap();
        assert_eq!(direct.connect_to(), ("::1", 8443));
        assert!(direct.tunnels().is_none() && !direct.absolute_form());
        assert_eq!(direct.step(OpenStep::Connect), "connecting to ::1:8443");
        assert_eq!(
            direct.step(OpenStep::TlsHandshake),
            "TLS handshake with ::1:8443"
        );

        let tunnelled = of("https://b.s3.amazonaws.com/k");
        assert_eq!(tunnelled.connect_to(), ("tunnel", 8080));
        assert!(!tunnelled.absolute_form());
        let proxy = tunnelled.tunnels().expect("https through a proxy tunnels");
        assert_eq!((proxy.host.as_str(), proxy.port), ("tunnel", 8080));
        assert_eq!(
            tunnelled.step(OpenStep::Connect),
            "connecting to tunnel:8080"
        );
        assert_eq!(
            tunnelled.step(OpenStep::Tunnel),
            "proxy CONNECT to b.s3.amazonaws.com:443"
        );
        assert_eq!(
            tunnelled.step(OpenStep::TlsHandshake),
            "TLS handshake with b.s3.amazonaws.com:443"
        );

        let plain = of("http://b.s3.amazonaws.com/k");
        assert_eq!(plain.connect_to(), ("proxy", 3128));
        assert!(plain.tunnels().is_none() && plain.absolute_form());

        let bypass = of("https://direct.example/k");
        assert_eq!(bypass.connect_to(), ("direct.example", 443));
        assert!(bypass.tunnels().is_none() && !bypass.absolute_form());

        assert!(Route::for_uri(&"/k".parse().unwrap(), None).is_err());
        assert!(Route::for_uri(&"ftp://h/k".parse().unwrap(), None).is_err());
    }

    #[test]
    fn https_is_forwarded_only_to_a_tls_proxy_that_forwards() {
        let through = |proxy: &str, forward_https: bool, uri: &str| {
            let url = ProxyUrl::parse(proxy).unwrap();
            let proxies = ProxyConfig {
                http: Some(url.clone()),
                https: Some(url),
                forward_https,
                ..ProxyConfig::default()
            };
            Route::for_uri(&uri.parse().unwrap(), Some(&proxies)).unwrap()
        };
        let forwarded = through("https://u:p@proxy:8443", true, "https://b.example:444/k?x");
        assert!(forwarded.forwarded && forwarded.absolute_form());
        assert!(forwarded.tunnels().is_none() && !forwarded.tls_to_origin());
        assert!(forwarded.proxy_tls().is_some());
        let (_, head) = Exchange::start(
            &http::Method::GET,
            &"https://b.example:444/k?x".parse().unwrap(),
            &forwarded,
            false,
            std::iter::empty(),
            Some(0),
        )
        .unwrap();
        let head = String::from_utf8(head).unwrap();
        assert!(
            head.starts_with("GET https://b.example:444/k?x HTTP/1.1\r\n"),
            "{head}"
        );
        assert!(head.contains("host: b.example:444\r\n"), "{head}");
        assert!(
            head.contains("proxy-authorization: Basic dTpw\r\n"),
            "{head}"
        );

        // Not forwarded: the setting off, a plain-http proxy (urllib3 forwards only over TLS),
        // or plain http (always absolute form, never "forwarded").
        for (proxy, forward, uri) in [
            ("https://proxy:8443", false, "https://b.example/k"),
            ("http://proxy:3128", true, "https://b.example/k"),
        ] {
            let r = through(proxy, forward, uri);
            assert!(
                !r.forwarded && r.tunnels().is_some() && r.tls_to_origin(),
                "{proxy} {forward}"
            );
            assert!(!r.absolute_form());
        }
        let plain = through("https://proxy:8443", true, "http://b.example/k");
        assert!(!plain.forwarded && plain.absolute_form() && !plain.tls_to_origin());
        let direct = Route::for_uri(&"https://b.example/k".parse().unwrap(), None).unwrap();
        assert!(!direct.forwarded && direct.tls_to_origin());
    }

    fn route(uri: &str, proxy: Option<&str>) -> Route {
        let proxies = proxy.map(|p| ProxyConfig {
            http: Some(ProxyUrl::parse(p).unwrap()),
            https: Some(ProxyUrl::parse(p).unwrap()),
            ..Default::default()
        });
        Route::for_uri(&uri.parse().unwrap(), proxies.as_ref()).unwrap()
    }

    fn start(
        method: &str,
        uri: &str,
        proxy: Option<&str>,
        headers: &[(&str, &str)],
        reused: bool,
    ) -> (Exchange, String) {
        let uri: http::Uri = uri.parse().unwrap();
        let route = route(&uri.to_string(), proxy);
        let fields: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
        let (ex, head) = Exchange::start(
            &method.parse().unwrap(),
            &uri,
            &route,
            reused,
            fields.iter().copied(),
            Some(0),
        )
        .unwrap();
        (ex, String::from_utf8(head).unwrap())
    }

    #[test]
    fn routes_name_the_origin_and_the_proxy() {
        let r = route("https://[::1]:8443/k", None);
        assert_eq!((r.https, r.host.as_str(), r.port), (true, "::1", 8443));
        assert_eq!(r.connect_to(), ("::1", 8443));
        assert!(r.tunnels().is_none());
        let r = route("https://s3.amazonaws.com/k", Some("http://u:p@proxy:3128"));
        assert_eq!(r.connect_to(), ("proxy", 3128));
        assert!(r.tunnels().is_some());
        let r = route("http://h/k", Some("proxy:3128"));
        assert!(r.tunnels().is_none() && r.proxy.is_some());
        for bad in ["ftp://h/", "/relative"] {
            let err = Route::for_uri(&bad.parse().unwrap(), None).unwrap_err();
            assert!(matches!(err, Http1Error::InvalidRequest(_)), "{bad}");
        }
    }

    #[test]
    fn heads_carry_the_target_verbatim_and_the_host_without_default_port() {
        let (_, head) = start("GET", "https://h.example:443/a/../b?x=1", None, &[], false);
        assert_eq!(
            head,
            "GET /a/../b?x=1 HTTP/1.1\r\nhost: h.example\r\naccept-encoding: identity\r\n\r\n"
        );
        let (_, head) = start("GET", "http://[::1]:8080/", None, &[], false);
        assert!(head.contains("host: [::1]:8080\r\n"), "{head}");
        let (_, head) = start(
            "GET",
            "http://h/",
            None,
            &[("expect", "100-continue")],
            false,
        );
        assert!(!head.contains("expect"), "{head}");
    }

    #[test]
    fn plain_http_through_a_proxy_is_absolute_with_credentials() {
        let (_, head) = start(
            "GET",
            "http://h:81/k?a",
            Some("http://u:p@px:3128"),
            &[],
            false,
        );
        assert!(
            head.starts_with("GET http://h:81/k?a HTTP/1.1\r\n"),
            "{head}"
        );
        assert!(
            head.contains("proxy-authorization: Basic dTpw\r\n"),
            "{head}"
        );
        // The authority as the URL has it: a default port is not spelled out (botocore).
        let (_, head) = start("GET", "http://h/k", Some("http://px:3128"), &[], false);
        assert!(head.starts_with("GET http://h/k HTTP/1.1\r\n"), "{head}");
        // Through a tunnel the credentials go in the CONNECT request, not here.
        let (_, head) = start("GET", "https://h/k", Some("http://u:p@px:3128"), &[], false);
        assert!(head.starts_with("GET /k HTTP/1.1\r\n"), "{head}");
        assert!(!head.contains("proxy-authorization"), "{head}");
    }

    /// Feed `wire` in pieces of `step` bytes through a buffer of `cap` bytes, as a transport
    /// does: the head, then the body. Returns head, payload and the reuse decision.
    fn run(ex: &mut Exchange, wire: &[u8], step: usize) -> Result<(u16, Vec<u8>, bool), String> {
        let mut buf = vec![0u8; step.max(1)];
        let mut at = 0;
        let mut read = |buf: &mut [u8]| {
            let n = (wire.len() - at).min(buf.len());
            buf[..n].copy_from_slice(&wire[at..at + n]);
            at += n;
            n
        };
        let mut response = loop {
            let n = read(&mut buf);
            if n == 0 {
                return Err(format!("{:?}", ex.closed()));
            }
            if let Some(r) = ex.received(&buf[..n]).map_err(|e| e.to_string())? {
                break r;
            }
        };
        let mut payload = Vec::new();
        loop {
            match response.body.next(&buf).map_err(|e| e.to_string())? {
                Next::Data(range) => {
                    // Take one byte at a time now and then, to check partial consumption.
                    let take = if range.len() > 2 { range.len() - 1 } else { 1 };
                    payload.extend_from_slice(&buf[range.start..range.start + take]);
                    response.body.consume(take);
                }
                Next::Read => {
                    let n = read(&mut buf);
                    response.body.filled(n).map_err(|e| e.to_string())?;
                }
                Next::End { reuse } => {
                    assert_eq!(response.body.next(&buf), Ok(Next::End { reuse: false }));
                    return Ok((response.head.status.as_u16(), payload, reuse));
                }
            }
        }
    }

    const CHUNKED: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\
        Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nt: v\r\n\r\n";

    #[test]
    fn reads_split_at_every_size_give_the_same_response() {
        for step in 1..=CHUNKED.len() {
            let (mut ex, _) = start("GET", "http://h/", None, &[], false);
            let got = run(&mut ex, CHUNKED, step).unwrap();
            assert_eq!(got, (200, b"hello world".to_vec(), true), "step {step}");
        }
        let fixed = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        for step in 1..=fixed.len() {
            let (mut ex, _) = start("GET", "http://h/", None, &[], false);
            let got = run(&mut ex, fixed, step).unwrap();
            assert_eq!(got, (200, b"hello".to_vec(), true), "step {step}");
        }
    }

    #[test]
    fn reuse_needs_both_sides_and_nothing_past_the_body() {
        /// The answer, the request's header fields, its method, and whether to reuse.
        type Case<'a> = (&'a [u8], &'a [(&'a str, &'a str)], &'a str, bool);
        let cases: [Case<'_>; 6] = [
            (b"HTTP/1.1 204 No Content\r\n\r\n", &[], "GET", true),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n",
                &[],
                "HEAD",
                true,
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
                &[("Connection", "close")],
                "GET",
                false,
            ),
            (
                b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx",
                &[],
                "GET",
                false,
            ),
            (b"HTTP/1.1 200 OK\r\n\r\nuntil the end", &[], "GET", false),
            // A server that sent more than the body: the connection is out of step.
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxJUNK",
                &[],
                "GET",
                false,
            ),
        ];
        for (wire, headers, method, want) in cases {
            let (mut ex, _) = start(method, "http://h/", None, headers, false);
            let (_, _, reuse) = run(&mut ex, wire, wire.len()).unwrap();
            assert_eq!(reuse, want, "{}", String::from_utf8_lossy(wire));
        }
    }

    #[test]
    fn early_ends_are_errors_with_the_facts_of_the_connection() {
        let (ex, _) = start("GET", "http://h/", None, &[], true);
        let (err, facts) = ex.closed();
        assert_eq!(err, Http1Error::IncompleteHead { received: 0 });
        assert!(facts.is_stale_connection(), "{facts:?}");
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert!(ex.write_failed(&reset).is_stale_connection());
        assert!(
            !ex.read_failed(&io::ErrorKind::TimedOut.into())
                .closed_before_response
        );

        let (fresh, _) = start("GET", "http://h/", None, &[], false);
        assert!(!fresh.closed().1.is_stale_connection());

        // Part of a head arrived: not stale, whatever the connection.
        let (mut ex, _) = start("GET", "http://h/", None, &[], true);
        assert!(ex.received(b"HTTP/1.1 2").unwrap().is_none());
        assert!(!ex.closed().1.closed_before_response);
        assert!(!ex.read_failed(&reset).closed_before_response);

        // A cut body, at every length.
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let head_len = wire.len() - 5;
        for cut in head_len..wire.len() {
            let (mut ex, _) = start("GET", "http://h/", None, &[], false);
            let err = run(&mut ex, &wire[..cut], 3).unwrap_err();
            assert!(err.contains("ended after"), "cut {cut}: {err}");
        }
        let wire = &CHUNKED[..CHUNKED.len() - 2];
        let (mut ex, _) = start("GET", "http://h/", None, &[], false);
        assert!(run(&mut ex, wire, 4).unwrap_err().contains("chunked"));
    }

    #[test]
    fn request_bodies_are_framed_as_the_head_says() {
        let uri: http::Uri = "http://h/k".parse().unwrap();
        let route = Route::for_uri(&uri, None).unwrap();
        let (mut ex, head) = Exchange::start(
            &http::Method::PUT,
            &uri,
            &route,
            false,
            std::iter::empty(),
            None,
        )
        .unwrap();
        assert!(String::from_utf8(head)
            .unwrap()
            .contains("transfer-encoding: chunked"));
        let (pre, post) = ex.body_data(3).unwrap();
        assert_eq!((pre.as_bytes(), post), (&b"3\r\n"[..], &b"\r\n"[..]));
        assert_eq!(ex.body_end().unwrap(), b"0\r\n\r\n");
        let (ex, _) = Exchange::start(
            &http::Method::PUT,
            &uri,
            &route,
            false,
            std::iter::empty(),
            Some(2),
        )
        .unwrap();
        assert!(ex.body_end().is_err(), "short body");
    }
}
