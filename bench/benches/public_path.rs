//! CPU per call through the **public** client path, next to aws-sdk-rust, in one run.
//!
//! sansboto: `Client::call` (identity, hooks, retry bookkeeping, endpoint, sign, parse,
//! `ResponseMetadata`) on a tokio current-thread runtime, over [`MemTransport`], which answers
//! every request with the canned response of the case. aws-sdk-rust: the same operation through
//! its fluent builder (`send()`), with an in-memory `HttpClient` answering the same canned
//! response. Neither sends a byte: the figure is what each client spends around the exchange.
//!
//! Measured in CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`; everything runs on it),
//! so the figures hold up on a loaded machine better than wall time. Each case runs the two
//! clients back to back in one criterion group: compare them within one run.
//!
//! ```sh
//! cd bench && cargo bench --bench public_path      # or scripts/bench-public-path for the ratios
//! cd bench && cargo bench --bench public_path --features alloc-count -- nothing  # allocations
//! ```

use std::cell::RefCell;
use std::future::Future;
use std::hint::black_box;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sansboto_core::machine::ProcessOutput;
use sansboto_core::response_check::ResponseCheck;
use sansboto_core::runtime::{Client, Host, Http, RuntimeSession, Timer, Transport};
use sansboto_core::transfer::{FileJob, FileOutput};
use sansboto_core::HttpConfig;
use sansboto_core::{params, Value};
use sansboto_core::{Body, StreamingBody};
use sansboto_core::{TransportError, TransportErrorKind};

// ----- the canned response both clients get ---------------------------------------------------

/// The answer of the case being measured (the bench runs on one thread). Its header lines are
/// held as a server's bytes in one buffer, as an HTTP client's read buffer holds them.
#[derive(Clone)]
struct Canned {
    status: u16,
    /// `name: value\r\n` lines.
    head: Bytes,
    /// Each line's name and value, as ranges of `head`.
    fields: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    body: Bytes,
}

thread_local! {
    static CANNED: RefCell<Option<Canned>> = const { RefCell::new(None) };
}

fn answer_with(canned: &Canned) {
    CANNED.with(|c| *c.borrow_mut() = Some(canned.clone()));
}

/// The current answer as an `http::Response` (each transport builds one per exchange), built
/// as hyper builds one from the head it read: each name parsed (an allocation for a name `http`
/// does not know), each value a shared slice of the read buffer, not copied. Two differences,
/// the same for both clients: each value is checked here, where hyper relies on its parser's
/// check; and the map is made for each response, where hyper reuses its last request's.
fn canned_response<B>(body: impl FnOnce(Bytes) -> B) -> http::Response<B> {
    CANNED.with(|c| {
        let c = c.borrow();
        let c = c.as_ref().expect("a canned response is set");
        let mut headers = http::HeaderMap::with_capacity(c.fields.len());
        for (name, value) in &c.fields {
            let name = http::HeaderName::from_bytes(&c.head[name.clone()]).expect("a name");
            let value =
                http::HeaderValue::from_maybe_shared(c.head.slice(value.clone())).expect("a value");
            headers.append(name, value);
        }
        let mut response = http::Response::new(body(c.body.clone()));
        *response.status_mut() = http::StatusCode::from_u16(c.status).expect("a status");
        *response.headers_mut() = headers;
        response
    })
}

// ----- sansboto: an in-memory Transport --------------------------------------------------------

/// Answers every request with the canned response; the body is in memory. Only the methods a
/// plain call uses do anything: the files, processes and uploads read ahead that other calls
/// need are refused.
#[derive(Clone, Debug)]
struct MemTransport;

/// A canned body and the core's checks of it (length, checksum), as every transport keeps.
#[derive(Debug)]
struct MemBody {
    bytes: Bytes,
    check: ResponseCheck,
}

fn unsupported<T>() -> std::io::Result<T> {
    Err(std::io::ErrorKind::Unsupported.into())
}

impl Transport for MemTransport {
    type Run<'a, T: 'a> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    fn run<'a, T: 'a>(future: impl Future<Output = T> + Send + 'a) -> Self::Run<'a, T> {
        Box::pin(future)
    }
}

impl Http for MemTransport {
    type ResponseBody = MemBody;

    fn connect(_: &HttpConfig) -> Result<Self, TransportError> {
        Ok(MemTransport)
    }
    async fn send(
        &self,
        request: http::Request<Body>,
    ) -> Result<http::Response<MemBody>, TransportError> {
        let method = request.method().clone();
        black_box(request);
        let response = canned_response(|b| b);
        let check =
            ResponseCheck::for_response(&method, response.status().as_u16(), response.headers());
        Ok(response.map(|bytes| MemBody { bytes, check }))
    }
    async fn read_chunk(&self, body: &mut MemBody) -> Result<Option<Bytes>, TransportError> {
        let piece = std::mem::take(&mut body.bytes);
        if piece.is_empty() {
            return body.check.end().map(|()| None);
        }
        body.check
            .piece(&piece, SystemTime::now())
            .map(|()| Some(piece))
    }
    fn check(body: &mut MemBody) -> &mut ResponseCheck {
        &mut body.check
    }
}

impl Timer for MemTransport {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await
    }
    async fn timeout<F: Future + Send>(&self, limit: Duration, future: F) -> Option<F::Output> {
        tokio::time::timeout(limit, future).await.ok()
    }
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl Host for MemTransport {
    async fn scan_body(
        &self,
        _: &StreamingBody,
        _: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<(), TransportError> {
        Err(TransportError::new(
            TransportErrorKind::Request,
            "in-memory bench transport",
        ))
    }
    async fn read_file(&self, _: PathBuf) -> std::io::Result<Bytes> {
        unsupported()
    }
    async fn write_file(&self, _: PathBuf, _: Bytes) -> std::io::Result<()> {
        unsupported()
    }
    async fn run_process(&self, _: Vec<String>) -> std::io::Result<ProcessOutput> {
        unsupported()
    }
    async fn file_job(&self, _: FileJob) -> std::io::Result<FileOutput> {
        unsupported()
    }
    async fn write_file_at(&self, _: PathBuf, _: u64, _: Bytes) -> std::io::Result<()> {
        unsupported()
    }
}

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "FwoGZXIvYXdzEBYaDSESSIONTOKENEXAMPLE";
const REGION: &str = "us-west-2";

async fn sansboto_client(service: &str) -> Client<MemTransport> {
    RuntimeSession::<MemTransport>::from_core(sansboto_host::core_session(None))
        .client(service)
        .region(REGION)
        .credentials(AKID, SECRET, Some(TOKEN))
        .build()
        .await
        .expect("sansboto client")
}

// ----- aws-sdk-rust: an in-memory HttpClient ---------------------------------------------------

mod aws_mem {
    use aws_smithy_runtime_api::client::http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
    };
    use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
    use aws_smithy_types::body::SdkBody;

    /// Answers every request with the canned response.
    #[derive(Clone, Debug)]
    pub struct AwsMem;

    impl HttpConnector for AwsMem {
        fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
            std::hint::black_box(request);
            let response = super::canned_response(SdkBody::from)
                .try_into()
                .expect("an aws-smithy response");
            HttpConnectorFuture::ready(Ok(response))
        }
    }

    impl HttpClient for AwsMem {
        fn http_connector(
            &self,
            _: &HttpConnectorSettings,
            _: &RuntimeComponents,
        ) -> SharedHttpConnector {
            SharedHttpConnector::new(self.clone())
        }
    }
}

/// One aws-sdk-rust configuration for every service client: static credentials with a session
/// token, the bench's region, the in-memory HTTP client.
fn aws_config() -> aws_config::SdkConfig {
    use aws_config::{BehaviorVersion, Region};
    use aws_credential_types::provider::SharedCredentialsProvider;
    use aws_credential_types::Credentials;
    let credentials = Credentials::new(AKID, SECRET, Some(TOKEN.into()), None, "bench");
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(aws_mem::AwsMem)
        .build()
}

fn aws_s3() -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::new(&aws_config())
}

fn aws_dynamodb() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&aws_config())
}

fn aws_sqs() -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(&aws_config())
}

// ----- the cases (the responses of core/benches/pipeline.rs) ----------------------------------

fn canned(status: u16, headers: &[(&'static str, &str)], body: impl Into<Bytes>) -> Canned {
    let mut head = Vec::new();
    let mut fields = Vec::new();
    for (name, value) in headers {
        let name_at = head.len()..head.len() + name.len();
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        let value_at = head.len()..head.len() + value.len();
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
        fields.push((name_at, value_at));
    }
    Canned {
        status,
        head: Bytes::from(head),
        fields,
        body: body.into(),
    }
}

const JSON_HEADERS: [(&str, &str); 2] = [
    ("content-type", "application/x-amz-json-1.0"),
    (
        "x-amzn-requestid",
        "V2NQ5LJ6T3I1MR2OUGKJ7DVPMNVV4KQNSO5AEMVJF66Q9ASUAAJG",
    ),
];

fn put_object_response() -> Canned {
    canned(
        200,
        &[
            ("x-amz-id-2", "ef8yU9AS1ed4OpIszj7UDNEHGran"),
            ("x-amz-request-id", "318BC8BC143432E5"),
            ("etag", "\"b54357faf0632cce46e942fa68356b38\""),
            ("x-amz-server-side-encryption", "AES256"),
            ("x-amz-checksum-crc32", "i9aeUg=="),
            ("date", "Wed, 12 Oct 2009 17:50:00 GMT"),
            ("content-length", "0"),
            ("server", "AmazonS3"),
        ],
        Bytes::new(),
    )
}

fn get_item_response() -> Canned {
    canned(
        200,
        &JSON_HEADERS,
        &br#"{"Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"},"AlbumTitle":{"S":"Somewhat Famous"},"Awards":{"N":"1"}}}"#[..],
    )
}

fn send_message_response() -> Canned {
    canned(
        200,
        &JSON_HEADERS,
        &br#"{"MD5OfMessageBody":"5eb63bbbe01eeed093cb22bb8f5acdc3","MD5OfMessageAttributes":"3ae8f24a165a8cedc005670c81a27295","MessageId":"219f8380-5770-4cc2-8c3e-5c715e145f5e"}"#[..],
    )
}

fn list_objects_response(keys: usize) -> Canned {
    let mut list = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Name>my-bucket</Name><Prefix>photos/</Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>\
         <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>",
    );
    for i in 0..keys {
        list.push_str(&format!(
            "<Contents><Key>photos/2024/{i:05}/image-{i}.jpg</Key><LastModified>2024-01-{:02}T12:{:02}:00.000Z</LastModified>\
             <ETag>&quot;{i:032x}&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>{}</Size>\
             <StorageClass>STANDARD</StorageClass></Contents>",
            i % 28 + 1,
            i % 60,
            1000 + i * 37
        ));
    }
    list.push_str("</ListBucketResult>");
    canned(
        200,
        &[
            ("x-amz-request-id", "318BC8BC143432E5"),
            ("content-type", "application/xml"),
        ],
        list,
    )
}

const BUCKET: &str = "my-bucket";
const KEY: &str = "path/to/some object.txt";
const TABLE: &str = "Music";
const QUEUE: &str = "https://sqs.us-west-2.amazonaws.com/123456789012/my-queue";

fn body_1k() -> Bytes {
    Bytes::from(vec![b'x'; 1024])
}

// sansboto's calls: the parameters are built per call, as a caller would.

async fn sb_put_object(c: &Client<MemTransport>, body: &Bytes) -> Value {
    c.call(
        "PutObject",
        params! {"Bucket": BUCKET, "Key": KEY, "Body": Value::Blob(body.clone()),
        "ContentType": "text/plain", "Metadata": params!{"owner": "me"}},
    )
    .await
    .unwrap()
}

async fn sb_get_item(c: &Client<MemTransport>) -> Value {
    c.call(
        "GetItem",
        params! {"TableName": TABLE,
        "Key": params!{"Artist": params!{"S": "No One You Know"},
                       "SongTitle": params!{"S": "Call Me Today"}},
        "ConsistentRead": true},
    )
    .await
    .unwrap()
}

async fn sb_send_message(c: &Client<MemTransport>) -> Value {
    c.call(
        "SendMessage",
        params! {"QueueUrl": QUEUE, "MessageBody": "hello world",
        "MessageAttributes": params!{"Kind": params!{"DataType": "String", "StringValue": "greeting"}}},
    )
    .await
    .unwrap()
}

async fn sb_list(c: &Client<MemTransport>) -> Value {
    c.call(
        "ListObjectsV2",
        params! {"Bucket": BUCKET, "Prefix": "photos/"},
    )
    .await
    .unwrap()
}

// aws-sdk-rust's, the same requests.

async fn aws_put_object(
    c: &aws_sdk_s3::Client,
    body: &Bytes,
) -> aws_sdk_s3::operation::put_object::PutObjectOutput {
    c.put_object()
        .bucket(BUCKET)
        .key(KEY)
        .body(aws_sdk_s3::primitives::ByteStream::from(body.clone()))
        .content_type("text/plain")
        .metadata("owner", "me")
        .send()
        .await
        .unwrap()
}

async fn aws_get_item(
    c: &aws_sdk_dynamodb::Client,
) -> aws_sdk_dynamodb::operation::get_item::GetItemOutput {
    use aws_sdk_dynamodb::types::AttributeValue;
    c.get_item()
        .table_name(TABLE)
        .key("Artist", AttributeValue::S("No One You Know".into()))
        .key("SongTitle", AttributeValue::S("Call Me Today".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
}

async fn aws_send_message(
    c: &aws_sdk_sqs::Client,
) -> aws_sdk_sqs::operation::send_message::SendMessageOutput {
    use aws_sdk_sqs::types::MessageAttributeValue;
    c.send_message()
        .queue_url(QUEUE)
        .message_body("hello world")
        .message_attributes(
            "Kind",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("greeting")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
}

async fn aws_list(
    c: &aws_sdk_s3::Client,
) -> aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output {
    c.list_objects_v2()
        .bucket(BUCKET)
        .prefix("photos/")
        .send()
        .await
        .unwrap()
}

// ----- CPU time as criterion's measure --------------------------------------------------------

/// CPU time of the calling thread, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
struct ThreadCpu;

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write into.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns() - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

/// Nanoseconds of CPU, shown like criterion's times.
struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical < 1e3 {
            (1.0, "ns cpu")
        } else if typical < 1e6 {
            (1e-3, "µs cpu")
        } else {
            (1e-6, "ms cpu")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, values: &mut [f64]) -> &'static str {
        values.iter_mut().for_each(|v| *v = 1e9 / *v);
        "calls/cpu-s"
    }
    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

// ----- allocations per call (feature `alloc-count`) --------------------------------------------

#[cfg(feature = "alloc-count")]
mod alloc_count {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

    /// The system allocator, counting each allocation (a reallocation counts as one) and the
    /// bytes asked for.
    pub(crate) struct Counting;

    static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
    static BYTES: AtomicU64 = AtomicU64::new(0);

    // SAFETY: every call is passed to `System` unchanged; only the counters are added.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Relaxed);
            BYTES.fetch_add(layout.size() as u64, Relaxed);
            System.alloc(layout)
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            System.dealloc(ptr, layout)
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Relaxed);
            BYTES.fetch_add(new_size as u64, Relaxed);
            System.realloc(ptr, layout, new_size)
        }
    }

    /// Allocations and bytes per call of `call`, over 1,000 calls after 10 unmeasured ones.
    pub(crate) fn report<T>(case: &str, client: &str, mut call: impl FnMut() -> T) {
        const CALLS: u64 = 1000;
        for _ in 0..10 {
            std::hint::black_box(call());
        }
        let (allocations, bytes) = (ALLOCATIONS.load(Relaxed), BYTES.load(Relaxed));
        for _ in 0..CALLS {
            std::hint::black_box(call());
        }
        println!(
            "allocations per call: {case}/{client}: {} allocations, {} bytes",
            (ALLOCATIONS.load(Relaxed) - allocations) / CALLS,
            (BYTES.load(Relaxed) - bytes) / CALLS
        );
    }
}

#[cfg(feature = "alloc-count")]
#[global_allocator]
static COUNTING: alloc_count::Counting = alloc_count::Counting;

/// With `alloc-count`, print the allocations per call of `call` (see [`alloc_count::report`]).
/// `SANSBOTO_BENCH_COUNT=<case>/<client>` counts that one alone (as under callgrind, where
/// the instructions of its 1,010 calls are what is read).
#[allow(unused_variables, unused_mut)]
fn report_allocations<T>(case: &str, client: &str, mut call: impl FnMut() -> T) {
    #[cfg(feature = "alloc-count")]
    if std::env::var("SANSBOTO_BENCH_COUNT").map_or(true, |only| only == format!("{case}/{client}"))
    {
        alloc_count::report(case, client, call);
    }
}

// ----- the groups -----------------------------------------------------------------------------

fn public_path(c: &mut Criterion<ThreadCpu>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let (sb_s3, sb_ddb, sb_sqs) = rt.block_on(async {
        (
            sansboto_client("s3").await,
            sansboto_client("dynamodb").await,
            sansboto_client("sqs").await,
        )
    });
    let (aws_s3, aws_ddb, aws_sqs) = rt.block_on(async { (aws_s3(), aws_dynamodb(), aws_sqs()) });
    let body = body_1k();

    // One checked call of each before timing, so a broken case fails loudly (and the first-call
    // work — model shapes, endpoint cache, identity cache — is out of the figures).
    let put = put_object_response();
    answer_with(&put);
    rt.block_on(async {
        let out = sb_put_object(&sb_s3, &body).await;
        assert_eq!(
            out["ETag"].as_str(),
            Some("\"b54357faf0632cce46e942fa68356b38\"")
        );
        let out = aws_put_object(&aws_s3, &body).await;
        assert_eq!(out.e_tag(), Some("\"b54357faf0632cce46e942fa68356b38\""));
    });
    report_allocations("s3_put_object_1k", "sansboto", || {
        rt.block_on(sb_put_object(&sb_s3, &body))
    });
    report_allocations("s3_put_object_1k", "aws-sdk-rust", || {
        rt.block_on(aws_put_object(&aws_s3, &body))
    });
    let mut group = c.benchmark_group("s3_put_object_1k");
    group.bench_function("sansboto", |b| {
        b.iter(|| rt.block_on(sb_put_object(&sb_s3, &body)))
    });
    group.bench_function("aws-sdk-rust", |b| {
        b.iter(|| rt.block_on(aws_put_object(&aws_s3, &body)))
    });
    group.finish();

    answer_with(&get_item_response());
    rt.block_on(async {
        let out = sb_get_item(&sb_ddb).await;
        assert_eq!(out["Item"]["Awards"]["N"].as_str(), Some("1"));
        let out = aws_get_item(&aws_ddb).await;
        let awards = out.item().and_then(|i| i.get("Awards"));
        assert_eq!(
            awards.and_then(|a| a.as_n().ok()).map(String::as_str),
            Some("1")
        );
    });
    report_allocations("dynamodb_get_item", "sansboto", || {
        rt.block_on(sb_get_item(&sb_ddb))
    });
    report_allocations("dynamodb_get_item", "aws-sdk-rust", || {
        rt.block_on(aws_get_item(&aws_ddb))
    });
    let mut group = c.benchmark_group("dynamodb_get_item");
    group.bench_function("sansboto", |b| b.iter(|| rt.block_on(sb_get_item(&sb_ddb))));
    group.bench_function("aws-sdk-rust", |b| {
        b.iter(|| rt.block_on(aws_get_item(&aws_ddb)))
    });
    group.finish();

    answer_with(&send_message_response());
    rt.block_on(async {
        let out = sb_send_message(&sb_sqs).await;
        assert_eq!(
            out["MessageId"].as_str(),
            Some("219f8380-5770-4cc2-8c3e-5c715e145f5e")
        );
        let out = aws_send_message(&aws_sqs).await;
        assert_eq!(
            out.message_id(),
            Some("219f8380-5770-4cc2-8c3e-5c715e145f5e")
        );
    });
    report_allocations("sqs_send_message", "sansboto", || {
        rt.block_on(sb_send_message(&sb_sqs))
    });
    report_allocations("sqs_send_message", "aws-sdk-rust", || {
        rt.block_on(aws_send_message(&aws_sqs))
    });
    let mut group = c.benchmark_group("sqs_send_message");
    group.bench_function("sansboto", |b| {
        b.iter(|| rt.block_on(sb_send_message(&sb_sqs)))
    });
    group.bench_function("aws-sdk-rust", |b| {
        b.iter(|| rt.block_on(aws_send_message(&aws_sqs)))
    });
    group.finish();

    answer_with(&list_objects_response(1000));
    rt.block_on(async {
        let out = sb_list(&sb_s3).await;
        assert_eq!(out["Contents"].as_list().map(<[Value]>::len), Some(1000));
        let out = aws_list(&aws_s3).await;
        assert_eq!(out.contents().len(), 1000);
    });
    report_allocations("s3_list_objects_v2_1000", "sansboto", || {
        rt.block_on(sb_list(&sb_s3))
    });
    report_allocations("s3_list_objects_v2_1000", "aws-sdk-rust", || {
        rt.block_on(aws_list(&aws_s3))
    });
    let mut group = c.benchmark_group("s3_list_objects_v2_1000");
    group.bench_function("sansboto", |b| b.iter(|| rt.block_on(sb_list(&sb_s3))));
    group.bench_function("aws-sdk-rust", |b| {
        b.iter(|| rt.block_on(aws_list(&aws_s3)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .with_measurement(ThreadCpu)
        .sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    targets = public_path
}
criterion_main!(benches);
