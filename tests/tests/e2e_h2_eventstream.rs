//! HTTP/2 and bidirectional event streams (issue #22), end to end on the tokio transport.
//!
//! A local hyper HTTP/2 server (TLS with an rcgen certificate, ALPN `h2` only, loopback) plays
//! Transcribe streaming's `StartStreamTranscription` and Bedrock's
//! `InvokeModelWithBidirectionalStream`. It checks every outgoing event's chained signature with
//! its own verifier (its own HMAC chain and `:date` header bytes, nothing from the core's signer)
//! and answers each event as the service does, while the client is still sending. The tests
//! assert the whole conversation, an exception event surfacing as a typed error, a client-side
//! cancellation, and that concurrent calls share one multiplexed connection. The HTTP/1.1-only
//! transports refuse these operations with a typed error.
//!
//! botocore has no reference here: it refuses these operations ("requires h2"), and has no
//! Transcribe streaming model at all, so that service's model is given on the data path (its
//! shapes as AWS publishes them, trimmed to what the exchange uses).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use hmac::{Hmac, Mac};
use http_body::{Body as HttpBody, Frame};
use hyper::body::Incoming;
use sansboto_core::eventstream::{encode, Decoder, HeaderValue, Message};
use sansboto_core::runtime::RuntimeSession;
use sansboto_core::Value;
use sansboto_core::{Error, TransportErrorKind};
use sansboto_tokio::{event_input, params, HttpClient};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

const ACCESS_KEY: &str = "AKIDH2EXAMPLE";
const SECRET_KEY: &str = "h2/secret/EXAMPLEKEY";
const REGION: &str = "us-west-2";

// ---------------------------------------------------------------------------------------------
// The independent verifier of the event-signature chain.

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// `(YYYYMMDD, YYYYMMDDTHHMMSSZ)` of a Unix time in seconds (civil-from-days, proleptic
/// Gregorian), written here so the verifier shares nothing with the signer.
fn amz_dates(secs: i64) -> (String, String) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let date = format!("{y:04}{m:02}{d:02}");
    let time = format!(
        "{date}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    (date, time)
}

/// Re-computes each outer frame's `:chunk-signature` from the previous signature, starting at
/// the request's (the seed).
struct ChainVerifier {
    service: &'static str,
    prior: String,
}

impl ChainVerifier {
    fn check(&mut self, outer: &Message) -> Result<(), String> {
        let Some(HeaderValue::ByteArray(signature)) = outer.header(":chunk-signature") else {
            return Err("no :chunk-signature byte-array header".into());
        };
        let Some(HeaderValue::Timestamp(ms)) = outer.header(":date") else {
            return Err("no :date timestamp header".into());
        };
        if outer.headers.len() != 2 {
            return Err(format!("unexpected outer headers {:?}", outer.headers));
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        if (now - ms).abs() > 300_000 {
            return Err(format!(":date {ms} is not the sending time"));
        }
        let mut date_header = vec![5u8];
        date_header.extend_from_slice(b":date");
        date_header.push(8);
        date_header.extend_from_slice(&ms.to_be_bytes());
        let (date, amz_date) = amz_dates(ms.div_euclid(1000));
        let scope = format!("{date}/{REGION}/{}/aws4_request", self.service);
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n{}\n{}\n{}",
            self.prior,
            hex(&Sha256::digest(&date_header)),
            hex(&Sha256::digest(&outer.payload)),
        );
        let mut key = hmac(format!("AWS4{SECRET_KEY}").as_bytes(), date.as_bytes());
        for part in [REGION, self.service, "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        let expected = hmac(&key, string_to_sign.as_bytes());
        if expected != signature.as_ref() {
            return Err(format!(
                "signature {} is not {} (chained on {})",
                hex(signature),
                hex(&expected),
                self.prior
            ));
        }
        self.prior = hex(&expected);
        Ok(())
    }
}

/// The verifier against smithy-rs's published event-signing vector, so the verifier itself is
/// known to compute what AWS computes.
#[test]
fn verifier_reproduces_the_published_vector() {
    // aws-sigv4's `event_stream` tests: payload `some-header: value` / `test payload` at
    // 123456789 s, prior signature SHA-256("last message sts"); its string to sign's last three
    // lines are published. The verifier's own date formatting and header bytes must give them.
    let inner = encode(
        &Message::new(&b"test payload"[..])
            .with_header("some-header", HeaderValue::String("value".into())),
    )
    .unwrap();
    let (date, amz) = amz_dates(123_456_789);
    assert_eq!(
        (date.as_str(), amz.as_str()),
        ("19731129", "19731129T213309Z")
    );
    let mut date_header = vec![5u8];
    date_header.extend_from_slice(b":date");
    date_header.push(8);
    date_header.extend_from_slice(&123_456_789_000i64.to_be_bytes());
    assert_eq!(
        hex(&Sha256::digest(b"last message sts")),
        "be1f8c7d79ef8e1abc5254a2c70e4da3bfaf4f07328f527444e1fc6ea67273e2"
    );
    assert_eq!(
        hex(&Sha256::digest(&date_header)),
        "0c0e3b3bf66b59b976181bd7d401927bbd624107303c713fd1e5f3d3c8dd1b1e"
    );
    assert_eq!(
        hex(&Sha256::digest(&inner)),
        "f2eba0f2e95967ee9fbc6db5e678d2fd599229c0d04b11e4fc8e0f2a02a806c6"
    );
}

/// The core's signer, checked by the independent verifier over a chain of frames.
#[test]
fn core_signer_chain_passes_the_independent_verifier() {
    use sansboto_core::auth::event_signing::EventSigner;
    use sansboto_core::auth::Credentials;
    let seed = hex(&Sha256::digest(b"seed"));
    let mut signer = EventSigner::new(
        Credentials::new(ACCESS_KEY, SECRET_KEY, None, None),
        REGION,
        "transcribe",
        seed.clone(),
    );
    let mut verifier = ChainVerifier {
        service: "transcribe",
        prior: seed,
    };
    let now = SystemTime::now();
    for i in 0..5u8 {
        let inner = encode(&Message::new(vec![i; 100 * usize::from(i)])).unwrap();
        let frame = signer.sign_event(&inner, now).unwrap();
        let outer = sansboto_core::eventstream::decode_message(Bytes::from(frame)).unwrap();
        assert_eq!(outer.payload, inner);
        verifier.check(&outer).unwrap();
    }
    let end =
        sansboto_core::eventstream::decode_message(Bytes::from(signer.sign_end(now).unwrap()))
            .unwrap();
    assert!(end.payload.is_empty());
    verifier.check(&end).unwrap();
    // A frame out of order breaks the chain.
    let inner = encode(&Message::new(&b"late"[..])).unwrap();
    let a = signer.sign_event(&inner, now).unwrap();
    let b = signer.sign_event(&inner, now).unwrap();
    let b = sansboto_core::eventstream::decode_message(Bytes::from(b)).unwrap();
    assert!(verifier.check(&b).is_err(), "skipping a frame must fail");
    drop(a);
}

// ---------------------------------------------------------------------------------------------
// The local HTTP/2 server.

/// A response body fed from a channel: each item is one encoded event-stream frame.
struct ChannelBody(mpsc::UnboundedReceiver<Bytes>);

impl HttpBody for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|b| b.map(|b| Ok(Frame::data(b))))
    }
}

/// What the server saw of one call.
#[derive(Debug, Default, Clone)]
struct Exchange {
    path: String,
    headers: HashMap<String, String>,
    /// `:event-type` of each verified event, in order.
    events: Vec<String>,
    /// Inner payloads, in order.
    payloads: Vec<Bytes>,
    /// Frames whose signature verified (events and the end frame).
    verified: usize,
    /// The signed empty frame arrived.
    ended: bool,
    /// The request body failed (the client reset the stream).
    reset: bool,
    /// A signature or framing failure, if any.
    failure: Option<String>,
    /// Which TLS connection carried it.
    connection: usize,
    /// How the request body's reading ended, when it did not stop at the end frame: the
    /// error (its `Debug`, which names the h2 reason), or a clean end (an `END_STREAM`, or a
    /// reset or `GOAWAY` with `NO_ERROR`, which hyper reads as one) and whether the connection
    /// had closed by then.
    body_end: Option<String>,
}

impl Exchange {
    /// A cancelled call: the server saw the stream reset and no end frame. A failure prints
    /// how the exchange ended (not its headers, which hold a signature).
    fn assert_reset_without_end(&self) {
        let outcome = format!(
            "verified {}, events {:?}, ended {}, reset {}, failure {:?}, body end {:?}",
            self.verified, self.events, self.ended, self.reset, self.failure, self.body_end
        );
        assert!(self.reset, "the server saw the stream reset: {outcome}");
        assert!(!self.ended, "no end frame was sent: {outcome}");
    }
}

#[derive(Default)]
struct ServerState {
    connections: AtomicUsize,
    exchanges: Mutex<Vec<Arc<Mutex<Exchange>>>>,
    /// Calls in progress at once (for the multiplexing test: the most seen together).
    open: AtomicUsize,
    /// Calls whose request body's reading is over and recorded in their `Exchange`.
    finished: AtomicUsize,
    max_open: AtomicUsize,
}

struct H2Server {
    addr: SocketAddr,
    ca_file: PathBuf,
    state: Arc<ServerState>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for H2Server {
    fn drop(&mut self) {
        self.accept.abort();
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

impl H2Server {
    async fn start() -> H2Server {
        Self::start_with_alpn(vec![b"h2".to_vec()]).await
    }

    async fn start_with_alpn(alpn: Vec<Vec<u8>>) -> H2Server {
        let (mut tls, ca_file) = localhost_tls("h2-ca");
        tls.alpn_protocols = alpn;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(ServerState::default());
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let st = state.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let connection = st.connections.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                let st = st.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
                    let closed = Arc::new(AtomicBool::new(false));
                    let conn = (connection, closed.clone());
                    let service = hyper::service::service_fn(move |req| {
                        let (st, conn) = (st.clone(), conn.clone());
                        async move { Ok::<_, Infallible>(answer(st, conn, req)) }
                    });
                    let _ = hyper::server::conn::http2::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
                    closed.store(true, Ordering::SeqCst);
                });
            }
        });
        H2Server {
            addr,
            ca_file,
            state,
            accept,
        }
    }

    fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    fn exchanges(&self) -> Vec<Exchange> {
        self.state
            .exchanges
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.lock().unwrap().clone())
            .collect()
    }

    /// Waits (bounded by the test harness, not a clock) until `n` exchanges are over.
    async fn settled(&self, n: usize) -> Vec<Exchange> {
        loop {
            // Counted first, copied after: a call records how it ended before it counts itself
            // finished, so the copy holds every ending. (Copying first could catch a call
            // that ended between the copy and the count with none of its ending recorded.)
            let finished = self.state.finished.load(Ordering::SeqCst);
            if finished >= n && self.state.open.load(Ordering::SeqCst) == 0 {
                return self.exchanges();
            }
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// A TLS server configuration with a fresh self-signed certificate for `localhost`, and a
/// temporary PEM file (named after `tag`) holding that certificate, for a client to trust.
fn localhost_tls(tag: &str) -> (rustls::ServerConfig, PathBuf) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .unwrap();
    let ca_file = std::env::temp_dir().join(format!(
        "sansboto-{tag}-{}-{}.pem",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::write(&ca_file, cert.cert.pem()).unwrap();
    (tls, ca_file)
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(0);
    h.finish()
}

/// One event-stream frame the server sends.
fn event(kind: &str, payload: String) -> Bytes {
    Bytes::from(
        encode(
            &Message::new(payload)
                .with_header(":message-type", HeaderValue::String("event".into()))
                .with_header(":event-type", HeaderValue::String(kind.into()))
                .with_header(
                    ":content-type",
                    HeaderValue::String("application/json".into()),
                ),
        )
        .unwrap(),
    )
}

fn exception(kind: &str, payload: String) -> Bytes {
    Bytes::from(
        encode(
            &Message::new(payload)
                .with_header(":message-type", HeaderValue::String("exception".into()))
                .with_header(":exception-type", HeaderValue::String(kind.into()))
                .with_header(
                    ":content-type",
                    HeaderValue::String("application/json".into()),
                ),
        )
        .unwrap(),
    )
}

/// Answers one call: the response head at once, then one answer per verified event, as the
/// service does while the client keeps sending. `connection_closed` turns true once the
/// connection that carries it has been served to its end.
fn answer(
    state: Arc<ServerState>,
    (connection, connection_closed): (usize, Arc<AtomicBool>),
    req: hyper::Request<Incoming>,
) -> hyper::Response<ChannelBody> {
    let headers: HashMap<String, String> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let path = req.uri().path().to_owned();
    let exchange = Arc::new(Mutex::new(Exchange {
        path: path.clone(),
        headers: headers.clone(),
        connection,
        ..Exchange::default()
    }));
    // Counted open before it is listed, so `settled` never lists it as over before it is.
    let open = state.open.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_open.fetch_max(open, Ordering::SeqCst);
    state.exchanges.lock().unwrap().push(exchange.clone());
    let transcribe = path == "/stream-transcription";
    let service = if transcribe { "transcribe" } else { "bedrock" };
    let seed = headers
        .get("authorization")
        .and_then(|a| a.rsplit_once("Signature="))
        .map(|(_, s)| s.to_owned())
        .unwrap_or_default();
    let (tx, rx) = mpsc::unbounded_channel();
    let mut body = req.into_body();
    tokio::spawn(async move {
        let mut verifier = ChainVerifier {
            service,
            prior: seed,
        };
        let mut decoder = Decoder::new();
        let mut audio_bytes = 0usize;
        'read: loop {
            let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
            let data = match frame {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => data,
                    Err(_) => continue,
                },
                Some(Err(e)) => {
                    let mut ex = exchange.lock().unwrap();
                    ex.reset = true;
                    ex.body_end = Some(format!("error: {e:?}"));
                    break;
                }
                None => {
                    let closed = connection_closed.load(Ordering::SeqCst);
                    exchange.lock().unwrap().body_end = Some(format!(
                        "clean end, connection {}",
                        if closed {
                            "already closed"
                        } else {
                            "still open"
                        }
                    ));
                    break;
                }
            };
            decoder.push(&data);
            while let Some(outer) = match decoder.next_message() {
                Ok(m) => m,
                Err(e) => {
                    exchange.lock().unwrap().failure = Some(e.to_string());
                    break 'read;
                }
            } {
                if let Err(e) = verifier.check(&outer) {
                    exchange.lock().unwrap().failure = Some(e);
                    break 'read;
                }
                let mut ex = exchange.lock().unwrap();
                ex.verified += 1;
                if outer.payload.is_empty() {
                    ex.ended = true;
                    let _ = if transcribe {
                        tx.send(event(
                            "TranscriptEvent",
                            format!(
                                r#"{{"Transcript":{{"Results":[{{"ResultId":"final","IsPartial":false,"Alternatives":[{{"Transcript":"{} audio events, {audio_bytes} bytes"}}]}}]}}}}"#,
                                ex.events.len()
                            ),
                        ))
                    } else {
                        tx.send(event(
                            "chunk",
                            format!(r#"{{"bytes":"{}"}}"#, b64(b"{\"done\":true}")),
                        ))
                    };
                    break 'read;
                }
                let inner = match sansboto_core::eventstream::decode_message(outer.payload.clone())
                {
                    Ok(inner) => inner,
                    Err(e) => {
                        ex.failure = Some(format!("inner message: {e}"));
                        break 'read;
                    }
                };
                ex.events
                    .push(inner.event_type().unwrap_or_default().to_owned());
                ex.payloads.push(inner.payload.clone());
                let n = ex.events.len();
                drop(ex);
                if transcribe {
                    audio_bytes += inner.payload.len();
                    if &inner.payload[..] == b"static noise" {
                        let _ = tx.send(exception(
                            "BadRequestException",
                            r#"{"Message":"Your audio stream is not in the declared encoding."}"#
                                .into(),
                        ));
                        break 'read;
                    }
                    let _ = tx.send(event(
                        "TranscriptEvent",
                        format!(
                            r#"{{"Transcript":{{"Results":[{{"ResultId":"r{n}","IsPartial":true,"Alternatives":[{{"Transcript":"{}"}}]}}]}}}}"#,
                            String::from_utf8_lossy(&inner.payload)
                        ),
                    ));
                } else {
                    let v: serde_json::Value = serde_json::from_slice(&inner.payload).unwrap();
                    let bytes = unb64(v["bytes"].as_str().unwrap_or_default());
                    if bytes == b"overload" {
                        let _ = tx.send(exception(
                            "modelStreamErrorException",
                            r#"{"message":"The model failed","originalStatusCode":529,"originalMessage":"overloaded"}"#.into(),
                        ));
                        break 'read;
                    }
                    // Echo the chunk's bytes back, upper-cased, as a model's answer.
                    let _ = tx.send(event(
                        "chunk",
                        format!(r#"{{"bytes":"{}"}}"#, b64(&bytes.to_ascii_uppercase())),
                    ));
                }
            }
        }
        drop(tx);
        state.open.fetch_sub(1, Ordering::SeqCst);
        state.finished.fetch_add(1, Ordering::SeqCst);
    });
    hyper::Response::builder()
        .status(200)
        .header("content-type", "application/vnd.amazon.eventstream")
        .header("x-amzn-request-id", "h2-request-1")
        .header(
            "x-amzn-transcribe-language-code",
            headers
                .get("x-amzn-transcribe-language-code")
                .cloned()
                .unwrap_or_default(),
        )
        .body(ChannelBody(rx))
        .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Clients.

/// Transcribe streaming's model (botocore has none): `StartStreamTranscription` with the
/// `AudioStream` input and `TranscriptResultStream` output event streams.
const TRANSCRIBE_MODEL: &str = r#"{
  "version": "2.0",
  "metadata": {
    "apiVersion": "2017-10-26", "endpointPrefix": "transcribestreaming", "protocol": "rest-json",
    "protocols": ["rest-json"], "protocolSettings": {"h2": "eventstream"},
    "serviceFullName": "Amazon Transcribe Streaming Service", "serviceId": "Transcribe Streaming",
    "signatureVersion": "v4", "signingName": "transcribe", "uid": "transcribe-streaming-2017-10-26"
  },
  "operations": {
    "StartStreamTranscription": {
      "name": "StartStreamTranscription",
      "http": {"method": "POST", "requestUri": "/stream-transcription"},
      "input": {"shape": "StartStreamTranscriptionRequest"},
      "output": {"shape": "StartStreamTranscriptionResponse"},
      "errors": [{"shape": "BadRequestException"}]
    }
  },
  "shapes": {
    "StartStreamTranscriptionRequest": {
      "type": "structure",
      "required": ["LanguageCode", "MediaSampleRateHertz", "MediaEncoding", "AudioStream"],
      "members": {
        "LanguageCode": {"shape": "String", "location": "header", "locationName": "x-amzn-transcribe-language-code"},
        "MediaSampleRateHertz": {"shape": "Integer", "location": "header", "locationName": "x-amzn-transcribe-sample-rate"},
        "MediaEncoding": {"shape": "String", "location": "header", "locationName": "x-amzn-transcribe-media-encoding"},
        "AudioStream": {"shape": "AudioStream"}
      },
      "payload": "AudioStream"
    },
    "AudioStream": {
      "type": "structure",
      "members": {"AudioEvent": {"shape": "AudioEvent"}},
      "eventstream": true
    },
    "AudioEvent": {
      "type": "structure",
      "members": {"AudioChunk": {"shape": "AudioChunk", "eventpayload": true}},
      "event": true
    },
    "AudioChunk": {"type": "blob"},
    "StartStreamTranscriptionResponse": {
      "type": "structure",
      "members": {
        "RequestId": {"shape": "String", "location": "header", "locationName": "x-amzn-request-id"},
        "LanguageCode": {"shape": "String", "location": "header", "locationName": "x-amzn-transcribe-language-code"},
        "TranscriptResultStream": {"shape": "TranscriptResultStream"}
      },
      "payload": "TranscriptResultStream"
    },
    "TranscriptResultStream": {
      "type": "structure",
      "members": {
        "TranscriptEvent": {"shape": "TranscriptEvent"},
        "BadRequestException": {"shape": "BadRequestException"}
      },
      "eventstream": true
    },
    "TranscriptEvent": {
      "type": "structure",
      "members": {"Transcript": {"shape": "Transcript"}},
      "event": true
    },
    "Transcript": {"type": "structure", "members": {"Results": {"shape": "ResultList"}}},
    "ResultList": {"type": "list", "member": {"shape": "Result"}},
    "Result": {
      "type": "structure",
      "members": {
        "ResultId": {"shape": "String"},
        "IsPartial": {"shape": "Boolean"},
        "Alternatives": {"shape": "AlternativeList"}
      }
    },
    "AlternativeList": {"type": "list", "member": {"shape": "Alternative"}},
    "Alternative": {"type": "structure", "members": {"Transcript": {"shape": "String"}}},
    "BadRequestException": {
      "type": "structure",
      "members": {"Message": {"shape": "String"}},
      "error": {"code": "BadRequestException", "httpStatusCode": 400, "senderFault": true},
      "exception": true
    },
    "String": {"type": "string"},
    "Integer": {"type": "integer"},
    "Boolean": {"type": "boolean"}
  }
}"#;

fn session() -> RuntimeSession<HttpClient> {
    let dir = std::env::temp_dir().join(format!(
        "sansboto-h2-models-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    let model_dir = dir.join("transcribe-streaming/2017-10-26");
    std::fs::create_dir_all(&model_dir).unwrap();
    std::fs::write(model_dir.join("service-2.json"), TRANSCRIBE_MODEL).unwrap();
    let inputs = sansboto_core::session::SessionInputs {
        env: Default::default(),
        config_file: None,
        credentials_file: None,
        profile: None,
        random_seed: 22,
    };
    let loader = sansboto_models::Loader::new().with_data_path(&dir);
    let core =
        sansboto_core::session::Session::new(inputs, Arc::new(sansboto_host::BotocoreData(loader)))
            .map(Arc::new);
    RuntimeSession::from_core(core)
}

async fn client(server: &H2Server, service: &str) -> sansboto_tokio::Client {
    session()
        .client(service)
        .region(REGION)
        .endpoint_url(server.url())
        .credentials(ACCESS_KEY, SECRET_KEY, None)
        .ca_bundle(server.ca_file.clone())
        .build()
        .await
        .unwrap()
}

fn audio(chunks: &[&'static str]) -> impl futures_util::Stream<Item = Result<Value, Error>> {
    stream::iter(
        chunks
            .iter()
            .map(|c| Ok(params! {"AudioEvent": params! {"AudioChunk": c.as_bytes()}}))
            .collect::<Vec<_>>(),
    )
}

/// All events of an output stream, and the error that ended it, if any.
async fn drain(
    client: &sansboto_tokio::Client,
    operation: &str,
    out: &Value,
) -> (Vec<Value>, Option<Error>) {
    let mut events = client.event_stream(operation, out).unwrap();
    let mut seen = Vec::new();
    while let Some(event) = events.next_event().await {
        match event {
            Ok(e) => seen.push(e),
            Err(e) => return (seen, Some(e)),
        }
    }
    (seen, None)
}

fn transcript(event: &Value) -> (&str, bool, &str) {
    let result = &event["TranscriptEvent"]["Transcript"]["Results"][0];
    (
        result["ResultId"].as_str().unwrap(),
        result["IsPartial"].as_bool().unwrap(),
        result["Alternatives"][0]["Transcript"].as_str().unwrap(),
    )
}

// ---------------------------------------------------------------------------------------------
// The conversations.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcribe_streaming_full_conversation_over_h2() {
    let server = H2Server::start().await;
    let transcribe = client(&server, "transcribe-streaming").await;
    let op = "StartStreamTranscription";
    let input = event_input(&transcribe, op, audio(&["hello", "brave new", "world"])).unwrap();
    let out = transcribe
        .call(
            op,
            params! {
                "LanguageCode": "en-US",
                "MediaSampleRateHertz": 16000,
                "MediaEncoding": "pcm",
                "AudioStream": input,
            },
        )
        .await
        .unwrap();
    assert_eq!(out["RequestId"].as_str(), Some("h2-request-1"));
    assert_eq!(out["LanguageCode"].as_str(), Some("en-US"));
    let (events, error) = drain(&transcribe, op, &out).await;
    assert!(error.is_none(), "{error:?}");
    let got: Vec<_> = events.iter().map(transcript).collect();
    assert_eq!(
        got,
        [
            ("r1", true, "hello"),
            ("r2", true, "brave new"),
            ("r3", true, "world"),
            ("final", false, "3 audio events, 19 bytes"),
        ]
    );

    let seen = server.settled(1).await;
    let ex = &seen[0];
    assert_eq!(ex.failure, None);
    assert_eq!(ex.events, ["AudioEvent"; 3]);
    assert_eq!(
        ex.payloads,
        ["hello", "brave new", "world"].map(Bytes::from)
    );
    assert_eq!(
        ex.verified, 4,
        "three events and the end frame, each signature checked"
    );
    assert!(ex.ended && !ex.reset);
    assert_eq!(
        ex.headers["x-amz-content-sha256"],
        "STREAMING-AWS4-HMAC-SHA256-EVENTS"
    );
    assert_eq!(
        ex.headers["content-type"],
        "application/vnd.amazon.eventstream"
    );
    assert_eq!(ex.headers["x-amzn-transcribe-sample-rate"], "16000");
    let auth = &ex.headers["authorization"];
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/"))
            && auth.contains(&format!("/{REGION}/transcribe/aws4_request"))
            && auth.contains("x-amz-content-sha256"),
        "{auth}"
    );
    assert!(!ex.headers.contains_key("content-length"));
    assert_eq!(server.state.connections.load(Ordering::SeqCst), 1);
    assert_eq!(
        seed_signature_by_botocore(ex, &server.url()),
        auth.rsplit_once("Signature=").unwrap().1,
        "botocore's SigV4 of the same request (payload hash STREAMING-AWS4-HMAC-SHA256-EVENTS) \
         gives the seed the chain starts from"
    );
}

/// An `https://` proxy that only tunnels: TLS with a certificate of its own, then a `CONNECT
/// host:port` answered 200 and relayed to the origin; any other request is answered 502. It
/// records each request head it read.
struct TunnelProxy {
    port: u16,
    ca_file: PathBuf,
    heads: Arc<Mutex<Vec<String>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for TunnelProxy {
    fn drop(&mut self) {
        self.accept.abort();
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

impl TunnelProxy {
    async fn start() -> TunnelProxy {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (tls, ca_file) = localhost_tls("h2-proxy-ca");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let seen = heads.clone();
        let accept = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, seen) = (acceptor.clone(), seen.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut head = Vec::new();
                    while !head.ends_with(b"\r\n\r\n") {
                        let mut byte = [0u8; 1];
                        if tls.read_exact(&mut byte).await.is_err() {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    seen.lock().unwrap().push(head.clone());
                    let target = head
                        .strip_prefix("CONNECT ")
                        .and_then(|rest| rest.split(' ').next());
                    let Some(Ok(mut origin)) = (match target {
                        Some(t) => Some(tokio::net::TcpStream::connect(t).await),
                        None => None,
                    }) else {
                        let _ = tls
                            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                            .await;
                        return;
                    };
                    if tls
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await
                        .is_ok()
                    {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut origin).await;
                    }
                });
            }
        });
        TunnelProxy {
            port,
            ca_file,
            heads,
            accept,
        }
    }
}

/// With https forwarded to an `https://` proxy (`proxy_use_forwarding_for_https`), an HTTP/2
/// call still tunnels: it needs the origin's own TLS to agree on `h2`. The proxy's credentials
/// go in the `CONNECT` alone, and the conversation runs as without a proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_h2_call_tunnels_through_a_proxy_that_forwards_https() {
    let server = H2Server::start().await;
    let proxy = TunnelProxy::start().await;
    let transcribe = session()
        .client("transcribe-streaming")
        .region(REGION)
        .endpoint_url(server.url())
        .credentials(ACCESS_KEY, SECRET_KEY, None)
        .ca_bundle(server.ca_file.clone())
        .proxy(format!("https://u:p@localhost:{}", proxy.port))
        .proxy_ca_bundle(proxy.ca_file.clone())
        .proxy_use_forwarding_for_https(true)
        .build()
        .await
        .unwrap();
    let op = "StartStreamTranscription";
    let input = event_input(&transcribe, op, audio(&["through", "the proxy"])).unwrap();
    let out = transcribe
        .call(
            op,
            params! {
                "LanguageCode": "en-US",
                "MediaSampleRateHertz": 16000,
                "MediaEncoding": "pcm",
                "AudioStream": input,
            },
        )
        .await
        .unwrap();
    let (events, error) = drain(&transcribe, op, &out).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(events.len(), 3, "{events:?}");
    let seen = server.settled(1).await;
    assert_eq!(seen[0].verified, 3, "two events and the end frame");
    assert!(!seen[0].headers.contains_key("proxy-authorization"));
    let heads = proxy.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    let connect = format!("CONNECT localhost:{} HTTP/1.1\r\n", server.addr.port());
    assert!(heads[0].starts_with(&connect), "{heads:?}");
    assert!(
        heads[0]
            .to_ascii_lowercase()
            .contains("proxy-authorization: basic dtpw"),
        "{heads:?}"
    );
}

/// botocore's SigV4 signature of the request the server saw (the headers sansboto signed, the
/// time it signed at): the seed of the event chain must be an ordinary SigV4 signature whose
/// payload hash is the `x-amz-content-sha256` header.
fn seed_signature_by_botocore(ex: &Exchange, url: &str) -> String {
    let snippet = format!(
        r#"
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
seen = json.loads({headers:?})
signed = seen['authorization'].split('SignedHeaders=')[1].split(',')[0].split(';')
headers = {{k: seen[k] for k in signed if k in seen}}
req = AWSRequest(method='POST', url={url:?}, headers=headers)
req.context['timestamp'] = seen['x-amz-date']
auth = SigV4Auth(Credentials({ACCESS_KEY:?}, {SECRET_KEY:?}), 'transcribe', {REGION:?})
emit(auth.signature(auth.string_to_sign(req, auth.canonical_request(req)), req))
"#,
        headers = serde_json::to_string(&ex.headers).unwrap(),
        url = format!("{url}{}", ex.path),
    );
    sansboto_tests::botocore::run(&snippet, &[])
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcribe_exception_event_is_a_typed_service_error() {
    let server = H2Server::start().await;
    let transcribe = client(&server, "transcribe-streaming").await;
    let op = "StartStreamTranscription";
    // A stream that never ends on its own: the exception must end the call.
    let events = audio(&["hello", "static noise"]).chain(stream::pending());
    let input = event_input(&transcribe, op, events).unwrap();
    let out = transcribe
        .call(
            op,
            params! {"LanguageCode": "en-US", "MediaSampleRateHertz": 8000,
            "MediaEncoding": "pcm", "AudioStream": input},
        )
        .await
        .unwrap();
    let (events, error) = drain(&transcribe, op, &out).await;
    assert_eq!(events.len(), 1);
    assert_eq!(transcript(&events[0]), ("r1", true, "hello"));
    let Some(Error::Service(e)) = error else {
        panic!("expected a service error, got {error:?}");
    };
    assert_eq!(e.code, "BadRequestException");
    assert_eq!(
        e.message,
        "Your audio stream is not in the declared encoding."
    );
    // Named after the call whose stream it ended, as botocore's `EventStreamError` is.
    assert_eq!(e.operation, op);
    assert!(
        e.to_string().starts_with(
            "An error occurred (BadRequestException) when calling the StartStreamTranscription \
             operation: "
        ),
        "{e}"
    );
    let seen = server.settled(1).await;
    assert_eq!(seen[0].failure, None);
    assert_eq!(seen[0].verified, 2);
    assert!(!seen[0].ended);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bedrock_bidirectional_conversation_over_h2() {
    let server = H2Server::start().await;
    let bedrock = client(&server, "bedrock-runtime").await;
    let op = "InvokeModelWithBidirectionalStream";
    // The caller sends each chunk only after reading the answer to the previous one: a real
    // duplex exchange over one HTTP/2 stream.
    let (tx, rx) = mpsc::unbounded_channel::<Result<Value, Error>>();
    let input = event_input(
        &bedrock,
        op,
        stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) }),
    )
    .unwrap();
    let chunk = |text: &str| Ok(params! {"chunk": params! {"bytes": text.as_bytes()}});
    tx.send(chunk("first turn")).unwrap();
    let out = bedrock
        .call(
            op,
            params! {"modelId": "amazon.nova-sonic-v1:0", "body": input},
        )
        .await
        .unwrap();
    let mut events = bedrock.event_stream(op, &out).unwrap();
    let mut answers = Vec::new();
    for next in ["second turn", "third turn"] {
        let answer = events.next_event().await.unwrap().unwrap();
        answers.push(answer["chunk"]["bytes"].as_blob().unwrap().clone());
        tx.send(chunk(next)).unwrap();
    }
    answers.push(
        events.next_event().await.unwrap().unwrap()["chunk"]["bytes"]
            .as_blob()
            .unwrap()
            .clone(),
    );
    drop(tx); // end of input: the signed empty frame
    let last = events.next_event().await.unwrap().unwrap();
    assert!(events.next_event().await.is_none());
    assert_eq!(
        answers,
        ["FIRST TURN", "SECOND TURN", "THIRD TURN"].map(Bytes::from)
    );
    assert_eq!(
        last["chunk"]["bytes"].as_blob().unwrap(),
        &b"{\"done\":true}"[..]
    );

    let seen = server.settled(1).await;
    let ex = &seen[0];
    assert_eq!(ex.failure, None);
    assert_eq!(
        ex.path,
        "/model/amazon.nova-sonic-v1%3A0/invoke-with-bidirectional-stream"
    );
    assert_eq!(ex.events, ["chunk"; 3]);
    assert_eq!(ex.verified, 4);
    assert!(ex.ended);
    assert!(ex.headers["authorization"].contains(&format!("/{REGION}/bedrock/aws4_request")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bedrock_model_stream_error_event_is_typed() {
    let server = H2Server::start().await;
    let bedrock = client(&server, "bedrock-runtime").await;
    let op = "InvokeModelWithBidirectionalStream";
    let events = stream::iter([
        Ok(params! {"chunk": params! {"bytes": &b"hi"[..]}}),
        Ok(params! {"chunk": params! {"bytes": &b"overload"[..]}}),
    ])
    .chain(stream::pending());
    let input = event_input(&bedrock, op, events).unwrap();
    let out = bedrock
        .call(op, params! {"modelId": "m", "body": input})
        .await
        .unwrap();
    let (events, error) = drain(&bedrock, op, &out).await;
    assert_eq!(events.len(), 1);
    let Some(Error::Service(e)) = error else {
        panic!("expected a service error, got {error:?}");
    };
    assert_eq!(e.code, "modelStreamErrorException");
    assert_eq!(e.message, "The model failed");
    assert_eq!(e.fields["originalStatusCode"].as_i64(), Some(529));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_side_cancellation_resets_the_stream() {
    let server = H2Server::start().await;
    let transcribe = client(&server, "transcribe-streaming").await;
    let op = "StartStreamTranscription";
    let (tx, rx) = mpsc::unbounded_channel::<Result<Value, Error>>();
    let input = event_input(
        &transcribe,
        op,
        stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) }),
    )
    .unwrap();
    tx.send(Ok(
        params! {"AudioEvent": params! {"AudioChunk": &b"one"[..]}},
    ))
    .unwrap();
    let out = transcribe
        .call(
            op,
            params! {"LanguageCode": "en-US", "MediaSampleRateHertz": 8000,
            "MediaEncoding": "pcm", "AudioStream": input},
        )
        .await
        .unwrap();
    let mut events = transcribe.event_stream(op, &out).unwrap();
    let first = events.next_event().await.unwrap().unwrap();
    assert_eq!(transcript(&first), ("r1", true, "one"));
    // The caller gives up: its input stream fails, which aborts the call.
    tx.send(Err(Error::Hook(sansboto_core::hooks::HookError::new(
        "caller cancelled",
    ))))
    .unwrap();
    let ended = events.next_event().await;
    assert!(
        matches!(ended, Some(Err(Error::Transport(_)))),
        "the output stream ends with a transport error: {ended:?}"
    );
    let seen = server.settled(1).await;
    assert_eq!(seen[0].verified, 1);
    // This test and the next failed here rarely, under load: `settled` had copied the exchange
    // before the server recorded the reset (fixed there). A failure prints what the server saw.
    seen[0].assert_reset_without_end();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_output_cancels_the_call() {
    let server = H2Server::start().await;
    let transcribe = client(&server, "transcribe-streaming").await;
    let op = "StartStreamTranscription";
    let events = audio(&["one"]).chain(stream::pending());
    let input = event_input(&transcribe, op, events).unwrap();
    let out = transcribe
        .call(
            op,
            params! {"LanguageCode": "en-US", "MediaSampleRateHertz": 8000,
            "MediaEncoding": "pcm", "AudioStream": input},
        )
        .await
        .unwrap();
    let mut events = transcribe.event_stream(op, &out).unwrap();
    events.next_event().await.unwrap().unwrap();
    drop(events);
    drop(out);
    let seen = server.settled(1).await;
    seen[0].assert_reset_without_end();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_multiplexed_connection() {
    let server = H2Server::start().await;
    let bedrock = client(&server, "bedrock-runtime").await;
    let op = "InvokeModelWithBidirectionalStream";
    // Open four calls, each holding its input open, before ending any of them.
    let mut senders = Vec::new();
    let mut outs = Vec::new();
    for i in 0..4 {
        let (tx, rx) = mpsc::unbounded_channel::<Result<Value, Error>>();
        tx.send(Ok(
            params! {"chunk": params! {"bytes": Bytes::from(format!("call {i}"))}},
        ))
        .unwrap();
        let input = event_input(
            &bedrock,
            op,
            stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) }),
        )
        .unwrap();
        outs.push(
            bedrock
                .call(op, params! {"modelId": "m", "body": input})
                .await
                .unwrap(),
        );
        senders.push(tx);
    }
    let mut streams: Vec<_> = outs
        .iter()
        .map(|out| bedrock.event_stream(op, out).unwrap())
        .collect();
    for (i, events) in streams.iter_mut().enumerate() {
        let answer = events.next_event().await.unwrap().unwrap();
        assert_eq!(
            answer["chunk"]["bytes"].as_blob().unwrap(),
            format!("CALL {i}").as_bytes()
        );
    }
    assert_eq!(server.state.max_open.load(Ordering::SeqCst), 4);
    senders.clear(); // every input ends: four signed end frames
    for events in &mut streams {
        let last = events.next_event().await.unwrap().unwrap();
        assert_eq!(
            last["chunk"]["bytes"].as_blob().unwrap(),
            &b"{\"done\":true}"[..]
        );
        assert!(events.next_event().await.is_none());
    }
    let seen = server.settled(4).await;
    assert!(
        seen.iter()
            .all(|e| e.ended && e.failure.is_none() && e.verified == 2),
        "{seen:?}"
    );
    assert_eq!(
        server.state.connections.load(Ordering::SeqCst),
        1,
        "four concurrent calls, one connection"
    );
    assert!(seen.iter().all(|e| e.connection == 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_without_h2_fails_the_call_saying_so() {
    let server = H2Server::start_with_alpn(vec![b"http/1.1".to_vec()]).await;
    let transcribe = client(&server, "transcribe-streaming").await;
    let op = "StartStreamTranscription";
    let input = event_input(&transcribe, op, audio(&["hello"])).unwrap();
    let err = transcribe
        .call(
            op,
            params! {"LanguageCode": "en-US", "MediaSampleRateHertz": 8000,
            "MediaEncoding": "pcm", "AudioStream": input},
        )
        .await
        .unwrap_err();
    // A TLS failure is one a retry may cure (botocore retries its `SSLError`), so the one-shot
    // event stream keeps it from being retried: the transport error is the attempt's.
    let Some(t) = err.transport_error() else {
        panic!("expected a transport error, got {err:?}");
    };
    // rustls refuses the handshake: the client offered only h2.
    assert_eq!(t.kind, TransportErrorKind::Tls, "{err}");
    assert!(err.to_string().contains("needs HTTP/2"), "{err}");
    assert!(server.exchanges().is_empty());
}

#[test]
fn every_event_stream_input_operation_is_callable_and_needs_h2() {
    // botocore 1.44.5's models: every operation with an event-stream input (found by scanning
    // them all with botocore), plus Transcribe streaming's, with one event each.
    let session = session();
    let cases = [
        (
            "bedrock-runtime",
            "InvokeModelWithBidirectionalStream",
            params! {"chunk": params! {"bytes": &b"x"[..]}},
            "chunk",
            r#"{"bytes": "eA=="}"#,
        ),
        (
            "lexv2-runtime",
            "StartConversation",
            params! {"ConfigurationEvent": params! {"responseContentType": "text/plain; charset=utf-8"}},
            "ConfigurationEvent",
            r#"{"responseContentType": "text/plain; charset=utf-8"}"#,
        ),
        (
            "qbusiness",
            "Chat",
            params! {"configurationEvent": params! {"chatMode": "RETRIEVAL_MODE"}},
            "configurationEvent",
            r#"{"chatMode": "RETRIEVAL_MODE"}"#,
        ),
        (
            "polly",
            "StartSpeechSynthesisStream",
            params! {"TextEvent": params! {"Text": "hi"}},
            "TextEvent",
            r#"{"Text": "hi"}"#,
        ),
        (
            "connecthealth",
            "StartMedicalScribeListeningSession",
            params! {"audioEvent": params! {"audioChunk": &b"x"[..]}},
            "audioEvent",
            r#"{"audioChunk": "eA=="}"#,
        ),
        (
            "transcribe-streaming",
            "StartStreamTranscription",
            params! {"AudioEvent": params! {"AudioChunk": &b"pcm"[..]}},
            "AudioEvent",
            "pcm",
        ),
    ];
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (service, op, event, event_type, payload) in cases {
        let client = rt
            .block_on(session.client(service).region(REGION).build())
            .unwrap();
        assert!(client.core().requires_http2(op), "{service}.{op}");
        let encoder = client.input_event_encoder(op).unwrap();
        let frame = encoder.encode(&event).unwrap();
        let message = sansboto_core::eventstream::decode_message(frame).unwrap();
        assert_eq!(message.message_type(), Some("event"), "{service}.{op}");
        assert_eq!(message.event_type(), Some(event_type), "{service}.{op}");
        assert_eq!(&message.payload[..], payload.as_bytes(), "{service}.{op}");
        // An event the union does not have is refused with its path.
        let err = encoder
            .encode(&params! {"NoSuchEvent": params! {}})
            .unwrap_err();
        assert!(err.to_string().contains("NoSuchEvent"), "{err}");
    }
    // Kinesis SubscribeToShard streams only its output: HTTP/1.1 carries it, as in botocore.
    let kinesis = rt
        .block_on(session.client("kinesis").region(REGION).build())
        .unwrap();
    assert!(!kinesis.core().requires_http2("SubscribeToShard"));
    assert!(kinesis.input_event_encoder("SubscribeToShard").is_err());
}

#[test]
fn http1_only_transports_refuse_h2_operations_with_a_typed_error() {
    let blocking =
        sansboto_core::runtime::RuntimeSession::<sansboto_blocking::HttpClient>::from_core(
            sansboto_core::session::Session::new(
                sansboto_core::session::SessionInputs {
                    env: Default::default(),
                    config_file: None,
                    credentials_file: None,
                    profile: None,
                    random_seed: 1,
                },
                Arc::new(sansboto_host::BotocoreData(sansboto_models::Loader::new())),
            )
            .map(Arc::new),
        );
    let bedrock = blocking
        .client("bedrock-runtime")
        .region(REGION)
        .endpoint_url("https://localhost:1")
        .credentials(ACCESS_KEY, SECRET_KEY, None)
        .build()
        .unwrap();
    // Any stream: the transport refuses the request before it looks at the body.
    let input = Value::Stream(sansboto_core::StreamingBody::new((), None));
    let err = bedrock
        .call(
            "InvokeModelWithBidirectionalStream",
            params! {"modelId": "m", "body": input},
        )
        .unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(t.kind, TransportErrorKind::Http2Required, "{err}");
    assert!(err.to_string().contains("sansboto-blocking"), "{err}");

    let async_std =
        sansboto_core::runtime::RuntimeSession::<sansboto_async_std::HttpClient>::from_core(
            sansboto_core::session::Session::new(
                sansboto_core::session::SessionInputs {
                    env: Default::default(),
                    config_file: None,
                    credentials_file: None,
                    profile: None,
                    random_seed: 1,
                },
                Arc::new(sansboto_host::BotocoreData(sansboto_models::Loader::new())),
            )
            .map(Arc::new),
        );
    let err = async_std::task::block_on(async {
        let lex = async_std
            .client("lexv2-runtime")
            .region(REGION)
            .endpoint_url("https://localhost:1")
            .credentials(ACCESS_KEY, SECRET_KEY, None)
            .build()
            .await
            .unwrap();
        lex.call(
            "StartConversation",
            params! {"botId": "BOTID12345", "botAliasId": "ALIAS12345", "localeId": "en_US", "sessionId": "session-1",
            "requestEventStream": Value::Stream(sansboto_core::StreamingBody::new((), None))},
        )
        .await
        .unwrap_err()
    });
    let Error::Transport(t) = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(t.kind, TransportErrorKind::Http2Required, "{err}");
    assert!(
        err.to_string()
            .contains("sansboto-async-std (HTTP/1.1 only)"),
        "{err}"
    );
}
