//! A scripted HTTP/1.1 server on 127.0.0.1 for the end-to-end tests (the library's, through
//! `tests/tests/e2e_support`, and the command's side-by-side ones): each request is answered
//! by a closure that sees the request (and its index) and says what to do — answer, answer late,
//! close without answering, or promise more body than it sends. It records every request, counts
//! connections, and stops by itself (when dropped, or after 10 minutes at most: a bound for a
//! server a test leaks, long enough for a suite that runs for a minute on a loaded machine).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The method.
    pub method: String,
    /// The request target, as sent.
    pub path: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    /// The body (as far as it was read, for a request cut off).
    pub body: Vec<u8>,
    /// Which connection (0-based, in accept order) carried it.
    pub connection: usize,
}

impl Seen {
    /// The value of the header `name` (in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// What the server does with one request.
pub enum Action {
    /// Answer with a status, extra headers and a body (Content-Length set from the body, unless
    /// the headers give one: a HEAD answer's).
    Respond(u16, Vec<(String, String)>, Vec<u8>),
    /// Wait, then answer.
    Late(Duration, Box<Action>),
    /// Close the connection without answering.
    Close,
    /// Send the head with `Content-Length: declared` and only `body`, then close.
    Truncated(u16, u64, Vec<u8>),
    /// Send the head (`Content-Length` from the body), then the body one byte at a time, one
    /// every `Duration`: a trickle no per-read timeout notices.
    Trickle(u16, Vec<(String, String)>, Vec<u8>, Duration),
}

impl Action {
    /// A JSON answer.
    pub fn json(status: u16, body: &str) -> Action {
        Action::Respond(
            status,
            vec![("Content-Type".into(), "application/x-amz-json-1.0".into())],
            body.as_bytes().to_vec(),
        )
    }

    /// An XML answer.
    pub fn xml(status: u16, body: &str) -> Action {
        Action::Respond(
            status,
            vec![("Content-Type".into(), "text/xml".into())],
            body.as_bytes().to_vec(),
        )
    }

    /// A plain-text answer.
    pub fn text(status: u16, body: &str) -> Action {
        Action::Respond(
            status,
            vec![("Content-Type".into(), "text/plain".into())],
            body.as_bytes().to_vec(),
        )
    }
}

type Handler = dyn Fn(&Seen, usize) -> Action + Send + Sync;

/// Decides, from a request's head (its `body` still empty) and index, whether to read only that
/// many bytes of its body and then drop the connection (a reset mid-upload).
type Cutter = dyn Fn(&Seen, usize) -> Option<usize> + Send + Sync;

/// The running server.
pub struct ScriptServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptServer {
    /// Start a server answering each request (numbered from 0 across connections) with
    /// `handler`.
    pub fn start(handler: impl Fn(&Seen, usize) -> Action + Send + Sync + 'static) -> ScriptServer {
        Self::start_cutting(|_, _| None, handler)
    }

    /// Like [`start`](Self::start), but a request for which `cut` gives `Some(n)` has only `n`
    /// bytes of its body read before the server drops the connection with the rest unread
    /// (the client sees a reset mid-body); it is recorded with that partial body and `handler`
    /// never sees it.
    pub fn start_cutting(
        cut: impl Fn(&Seen, usize) -> Option<usize> + Send + Sync + 'static,
        handler: impl Fn(&Seen, usize) -> Action + Send + Sync + 'static,
    ) -> ScriptServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let cut: Arc<Cutter> = Arc::new(cut);
        let thread = {
            let (seen, stop, connections) = (seen.clone(), stop.clone(), connections.clone());
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(600);
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let index = connections.fetch_add(1, Ordering::SeqCst);
                            let (handler, cut, seen, stop) =
                                (handler.clone(), cut.clone(), seen.clone(), stop.clone());
                            std::thread::spawn(move || {
                                serve(stream, index, &*handler, &*cut, &seen, &stop)
                            });
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        ScriptServer {
            addr,
            seen,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What [`read_request`] got.
enum Received {
    /// A whole request.
    Whole(Seen),
    /// A request whose body was cut off as told: drop the connection.
    Cut(Seen),
}

fn read_request(
    reader: &mut BufReader<TcpStream>,
    connection: usize,
    cut: &Cutter,
    next_index: usize,
) -> Option<Received> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut seen = Seen {
        method,
        path,
        headers,
        body: Vec::new(),
        connection,
    };
    if let Some(keep) = cut(&seen, next_index) {
        seen.body = vec![0; keep.min(len)];
        reader.read_exact(&mut seen.body).ok()?;
        return Some(Received::Cut(seen));
    }
    seen.body = vec![0; len];
    reader.read_exact(&mut seen.body).ok()?;
    Some(Received::Whole(seen))
}

fn serve(
    stream: TcpStream,
    connection: usize,
    handler: &Handler,
    cut: &Cutter,
    seen: &Mutex<Vec<Seen>>,
    stop: &AtomicBool,
) {
    let _ = stream.set_nonblocking(false);
    // A client that keeps a pooled connection open must not hold this thread forever.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while !stop.load(Ordering::SeqCst) {
        let next_index = seen.lock().unwrap().len();
        let request = match read_request(&mut reader, connection, cut, next_index) {
            Some(Received::Whole(request)) => request,
            Some(Received::Cut(request)) => {
                seen.lock().unwrap().push(request);
                // Dropping the socket with body bytes unread makes the kernel reset it.
                return;
            }
            None => return,
        };
        let index = {
            let mut all = seen.lock().unwrap();
            all.push(request.clone());
            all.len() - 1
        };
        let mut action = handler(&request, index);
        loop {
            match action {
                Action::Late(wait, then) => {
                    let until = Instant::now() + wait;
                    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    action = *then;
                }
                Action::Close => return,
                Action::Trickle(status, headers, body, every) => {
                    let mut head =
                        format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                    for (k, v) in headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    if writer.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    for byte in body {
                        std::thread::sleep(every);
                        // The client gave up (or the test ended): stop trickling.
                        if stop.load(Ordering::SeqCst)
                            || writer.write_all(&[byte]).is_err()
                            || writer.flush().is_err()
                        {
                            return;
                        }
                    }
                    break;
                }
                Action::Respond(status, headers, body) => {
                    // A Content-Length given (a HEAD answer's) stands; otherwise the body's.
                    let given = headers
                        .iter()
                        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
                    let mut head = if given {
                        format!("HTTP/1.1 {status} X\r\n")
                    } else {
                        format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len())
                    };
                    for (k, v) in headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    if writer.write_all(head.as_bytes()).is_err()
                        || writer.write_all(&body).is_err()
                    {
                        return;
                    }
                    let _ = writer.flush();
                    break;
                }
                Action::Truncated(status, declared, body) => {
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {declared}\r\n\r\n"
                    );
                    let _ = writer.write_all(head.as_bytes());
                    let _ = writer.write_all(&body);
                    let _ = writer.flush();
                    return;
                }
            }
        }
    }
}
