//! What a differential probe of endpoint resolution against botocore 1.44.5 found (every
//! service with one cheap call, in regions of every partition, made-up, pseudo and malformed
//! ones and an empty one, with FIPS, dual-stack and endpoint URLs; S3 and S3 Control with
//! generated bucket names and ARNs; the global services): each case here is a client made and a
//! call tried by botocore and by sansboto with the same region, settings and environment, and
//! both must send the same URL signed for the same region and service, or both refuse the
//! client (or both the call).
//!
//! - Dual-stack in the aws-iso-e and aws-iso-f partitions (`eu-isoe-west-1`,
//!   `us-isof-south-1`, and regions their patterns match): botocore makes no client
//!   (`EndpointVariantError`, endpoint URL or not) unless the service's endpoint there has a
//!   dual-stack variant (Lambda and IAM Access Analyzer in the listed regions); FIPS alone is
//!   made, and dual-stack in aws-iso and aws-iso-b too (the `aws` partition's variant).
//! - An empty region (given in code or as `AWS_DEFAULT_REGION=`): botocore makes no client
//!   (its host name, `sns..amazonaws.com`, is no URL) unless an endpoint URL is given or the
//!   service answers at its partition endpoint whatever the region (IAM, Route 53, Health).
//!
//! Left out: the probe's SigV4a differences (S3 Multi-Region Access Points and Outposts
//! ARNs, Partner Central), where botocore without `awscrt` falls back to SigV4 or refuses
//! (`MissingDependencyException`) and sansboto signs with SigV4a, as botocore with `awscrt`
//! does.

mod e2e_support;

use std::time::{Duration, UNIX_EPOCH};

use e2e_support::core_session;
use sansboto_core::auth::{AuthScheme, Credentials, Identity};
use sansboto_core::machine::SplitMix64;
use sansboto_core::session::ClientOptions;
use sansboto_core::{Error, Value};
use sansboto_tests::botocore;
use serde_json::{json, Value as J};

/// Runs each case of `CASES` (`service`, `operation`, `params`, `region` or null, `fips`,
/// `dualstack`, `endpoint_url`, `env`) on botocore, with the case's environment set and then
/// restored, and prints a row each: the first request's `url` and `authorization`, or
/// `error` (`Class: message`) and the `stage` it came at (`client` or `call`).
const BOTOCORE: &str = r#"
import os
import botocore.awsrequest
from botocore.config import Config
loader = session.get_component('data_loader')
def run_case(case):
    saved = dict(os.environ)
    os.environ.update(case['env'])
    try:
        s = botocore.session.get_session()
        s.register_component('data_loader', loader)
        kwargs = {}
        if case['fips'] is not None: kwargs['use_fips_endpoint'] = case['fips']
        if case['dualstack'] is not None: kwargs['use_dualstack_endpoint'] = case['dualstack']
        try:
            client = s.create_client(case['service'], region_name=case['region'],
                                     endpoint_url=case['endpoint_url'], aws_access_key_id='AKID',
                                     aws_secret_access_key='SECRET', config=Config(**kwargs))
        except Exception as e:
            return {'error': type(e).__name__ + ': ' + str(e), 'stage': 'client'}
        seen = {}
        def capture(request, **kw):
            if 'url' not in seen:
                auth = request.headers.get('Authorization', b'')
                seen['url'] = request.url
                seen['authorization'] = auth.decode() if isinstance(auth, bytes) else auth
            return botocore.awsrequest.AWSResponse(request.url, 200, {}, None)
        client.meta.events.register_first('before-send', capture)
        try:
            getattr(client, botocore.xform_name(case['operation']))(**json.loads(case['params']))
        except Exception as e:
            if 'url' not in seen:
                return {'error': type(e).__name__ + ': ' + str(e), 'stage': 'call'}
        return seen
    finally:
        os.environ.clear()
        os.environ.update(saved)
emit([run_case(case) for case in json.loads(CASES)])
"#;

/// One case: service, operation, parameters (JSON), region (`None`: not given in code),
/// FIPS, dual-stack, endpoint URL, environment.
struct Case {
    service: &'static str,
    operation: &'static str,
    params: &'static str,
    region: Option<&'static str>,
    fips: Option<bool>,
    dualstack: Option<bool>,
    endpoint_url: Option<&'static str>,
    env: &'static [(&'static str, &'static str)],
}

/// A case with a region given in code and nothing else set.
const fn case(
    service: &'static str,
    operation: &'static str,
    params: &'static str,
    region: &'static str,
) -> Case {
    Case {
        service,
        operation,
        params,
        region: Some(region),
        fips: None,
        dualstack: None,
        endpoint_url: None,
        env: &[],
    }
}

impl Case {
    const fn fips(mut self) -> Case {
        self.fips = Some(true);
        self
    }

    const fn dualstack(mut self) -> Case {
        self.dualstack = Some(true);
        self
    }

    const fn endpoint_url(mut self, url: &'static str) -> Case {
        self.endpoint_url = Some(url);
        self
    }

    /// With `env` as the environment.
    const fn env(mut self, env: &'static [(&'static str, &'static str)]) -> Case {
        self.env = env;
        self
    }

    /// The region from the environment instead (`AWS_DEFAULT_REGION`), with `env`.
    const fn region_from_env(mut self, env: &'static [(&'static str, &'static str)]) -> Case {
        self.region = None;
        self.env = env;
        self
    }
}

/// What both compare: `{url, scope}` (the `Credential` scope's region and service, empty when
/// unsigned; for an S3 Express call, the host and `express`), or `{refused: stage}`. The URL is
/// the one on the wire: botocore keeps an endpoint URL's `#fragment` in the request's URL, but
/// its HTTP layer sends the path and query only, and signs no fragment either.
fn compared(url: &str, authorization: &str) -> J {
    let on_the_wire = url.split_once('#').map_or(url, |(sent, _)| sent);
    json!({ "url": on_the_wire, "scope": botocore::signing_scope(authorization) })
}

/// The same case through a sansboto session and client: the request a call would send, signed
/// (`prepare_at`, then `sign`), or where it is refused.
fn sansboto_row(case: &Case) -> (J, Option<Error>) {
    let session = core_session(case.env, None, None);
    let options = ClientOptions {
        region: case.region.map(String::from),
        endpoint_url: case.endpoint_url.map(String::from),
        use_fips: case.fips,
        use_dualstack: case.dualstack,
        ..Default::default()
    };
    let client = match session.service_client(case.service, &options) {
        Ok(client) => client,
        Err(e) => return (json!({ "refused": "client" }), Some(e)),
    };
    let params = Value::from(serde_json::from_str::<J>(case.params).unwrap());
    let credentials = Credentials::new("AKID", "SECRET", None, None);
    let identity = Identity::Credentials(&credentials);
    let now = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let signed = client
        .prepare_at(case.operation, params, &mut SplitMix64(1), identity, now)
        .and_then(|prepared| {
            assert!(!matches!(prepared.scheme(), AuthScheme::S3Express(_)));
            client.sign(&prepared, identity, now, None)
        });
    match signed {
        Ok(request) => {
            let authorization = request
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            (compared(&request.uri().to_string(), authorization), None)
        }
        Err(e) => (json!({ "refused": "call" }), Some(e)),
    }
}

/// Each case given to botocore and to sansboto; panics listing every case that differs.
/// Returns sansboto's refusals of a client, by case index, for the caller to look at.
/// Each case run by [`BOTOCORE`]: a row per case.
fn botocore_rows(cases: &[Case]) -> Vec<J> {
    let described: Vec<J> = cases
        .iter()
        .map(|c| {
            json!({
                "service": c.service, "operation": c.operation, "params": c.params,
                "region": c.region, "fips": c.fips, "dualstack": c.dualstack,
                "endpoint_url": c.endpoint_url,
                "env": c.env.iter().map(|(k, v)| (k.to_string(), J::from(*v)))
                    .collect::<serde_json::Map<_, _>>(),
            })
        })
        .collect();
    // The JSON text as a JSON string, which Python reads as a string literal.
    let literal = J::from(serde_json::to_string(&described).unwrap());
    match botocore::run(&format!("CASES = {literal}\n{BOTOCORE}"), &[]) {
        J::Array(rows) => rows,
        other => panic!("botocore answered {other}"),
    }
}

fn assert_resolved_as_botocore(cases: &[Case]) -> Vec<(usize, Error)> {
    let theirs = botocore_rows(cases);
    assert_eq!(theirs.len(), cases.len());
    let (mut differences, mut refusals) = (Vec::new(), Vec::new());
    for (index, (case, row)) in cases.iter().zip(theirs).enumerate() {
        let theirs = match row.get("stage") {
            Some(stage) => json!({ "refused": stage }),
            None => compared(
                row["url"].as_str().unwrap(),
                row["authorization"].as_str().unwrap_or_default(),
            ),
        };
        let (ours, error) = sansboto_row(case);
        if ours != theirs {
            differences.push(format!(
                "{} {} {:?} fips {:?} dualstack {:?} endpoint {:?} env {:?}\n  botocore: {row}\n  sansboto: {ours} {error:?}",
                case.service, case.operation, case.region, case.fips, case.dualstack,
                case.endpoint_url, case.env
            ));
        }
        if let (Some(error), "client") = (error, ours["refused"].as_str().unwrap_or_default()) {
            refusals.push((index, error));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} cases differ from botocore:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
    refusals
}

#[test]
fn dual_stack_where_the_partition_has_no_such_endpoint() {
    let s3_list = r#"{"Bucket": "my-bucket"}"#;
    let cases = [
        case("s3", "ListBuckets", "{}", "eu-isoe-west-1").dualstack(),
        case("s3", "ListObjectsV2", s3_list, "us-isof-south-1").dualstack(),
        // Refused whatever the endpoint URL, as botocore's lookup comes first.
        case("s3", "ListObjectsV2", s3_list, "eu-isoe-west-1")
            .dualstack()
            .endpoint_url("http://localhost:4566"),
        case("dynamodb", "ListTables", "{}", "us-isof-east-1").dualstack(),
        case("dynamodb", "ListTables", "{}", "us-isof-east-1")
            .dualstack()
            .fips(),
        case("cloudfront", "ListDistributions", "{}", "us-isof-south-1")
            .dualstack()
            .fips(),
        case("networkmanager", "ListCoreNetworks", "{}", "eu-isoe-west-1").dualstack(),
        // A region only the partition's pattern matches.
        case("sqs", "ListQueues", "{}", "eu-isoe-north-7").dualstack(),
        // Lambda and IAM Access Analyzer list dual-stack endpoints there (not FIPS ones).
        case("lambda", "ListFunctions", "{}", "eu-isoe-west-1").dualstack(),
        case("lambda", "ListFunctions", "{}", "us-isof-south-1").dualstack(),
        case("lambda", "ListFunctions", "{}", "us-isof-south-1")
            .dualstack()
            .fips(),
        case("accessanalyzer", "ListAnalyzers", "{}", "us-isof-east-1").dualstack(),
        case("accessanalyzer", "ListAnalyzers", "{}", "eu-isoe-south-7").dualstack(),
        // FIPS alone is in those partitions' defaults.
        case("dynamodb", "ListTables", "{}", "eu-isoe-west-1").fips(),
        case("s3", "ListBuckets", "{}", "us-isof-south-1").fips(),
        // aws-iso and aws-iso-b are passed over for dual-stack: the `aws` partition's variant.
        case("dynamodb", "ListTables", "{}", "us-iso-east-1").dualstack(),
        case(
            "s3control",
            "ListJobs",
            r#"{"AccountId": "123456789012"}"#,
            "us-isob-east-1",
        )
        .dualstack(),
        // From the environment, as people set it.
        case("sts", "GetCallerIdentity", "{}", "").region_from_env(&[
            ("AWS_DEFAULT_REGION", "eu-isoe-west-1"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ]),
        case("sts", "GetCallerIdentity", "{}", "").region_from_env(&[
            ("AWS_DEFAULT_REGION", "eu-isoe-west-1"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
        ]),
    ];
    let refusals = assert_resolved_as_botocore(&cases);
    // The clients refused are the endpoint-variant ones, typed.
    assert_eq!(refusals.len(), 11, "{refusals:?}");
    for (index, error) in &refusals {
        assert!(
            matches!(
                error,
                Error::Endpoint(sansboto_core::endpoint::EndpointError::NoEndpointVariant { .. })
            ),
            "case {index}: {error:?}"
        );
    }
}

#[test]
fn an_empty_region() {
    let cases = [
        case("sns", "GetSMSAttributes", "{}", ""),
        case("sns", "GetSMSAttributes", "{}", "").fips(),
        case("s3", "ListBuckets", "{}", ""),
        case(
            "s3control",
            "ListJobs",
            r#"{"AccountId": "123456789012"}"#,
            "",
        ),
        case("sts", "GetCallerIdentity", "{}", ""),
        case("globalaccelerator", "ListAccelerators", "{}", "").dualstack(),
        // Services that answer at their partition endpoint whatever the region.
        case("iam", "ListUsers", "{}", ""),
        case("iam", "ListUsers", "{}", "").fips(),
        case("route53", "ListHostedZones", "{}", ""),
        case("cloudfront", "ListDistributions", "{}", ""),
        case("health", "DescribeEvents", "{}", ""),
        case("organizations", "ListAccounts", "{}", "").dualstack(),
        // An endpoint URL needs no host name of botocore's.
        case("sns", "GetSMSAttributes", "{}", "").endpoint_url("http://localhost:4566"),
        case("s3", "ListBuckets", "{}", "").endpoint_url("http://localhost:4566"),
        case("sns", "GetSMSAttributes", "{}", "")
            .env(&[("AWS_ENDPOINT_URL_SNS", "http://localhost:4566")]),
        // From the environment: `AWS_DEFAULT_REGION=` is an empty region to both.
        case("sns", "GetSMSAttributes", "{}", "").region_from_env(&[("AWS_DEFAULT_REGION", "")]),
        case("iam", "ListUsers", "{}", "").region_from_env(&[("AWS_DEFAULT_REGION", "")]),
    ];
    let refusals = assert_resolved_as_botocore(&cases);
    // The clients refused for their empty region, typed as a region no host name can take.
    assert_eq!(refusals.len(), 7, "{refusals:?}");
    for (index, error) in &refusals {
        assert!(
            matches!(error, Error::InvalidRegion { region } if region.is_empty()),
            "case {index}: {error:?}"
        );
    }
}

/// Endpoint URLs as people write them (LocalStack, MinIO, proxies with a path, addresses, a
/// scheme in capitals, a default port spelled out, a query, a fragment, a trailing slash,
/// percent-encoded paths, no scheme, junk), given in code with a call of each of twelve
/// operations across the protocols (600 cases with the environment's), and from
/// `AWS_ENDPOINT_URL`/`AWS_ENDPOINT_URL_<SERVICE>`: where botocore makes the client and sends,
/// sansboto must send to the same URL signed for the same scope; where botocore refuses,
/// sansboto refuses at the same stage. A space is the deliberate difference below.
#[test]
fn endpoint_urls_as_people_write_them() {
    const URLS: &[&str] = &[
        "http://localhost:4566",
        "http://localhost:4566/",
        "http://localhost:4566/prefix",
        "http://localhost:4566/prefix/",
        "http://localhost:4566/a/b/",
        "https://example.com",
        "https://EXAMPLE.com:443",
        "HTTPS://example.com",
        "https://example.com:443/",
        "http://example.com:80",
        "http://127.0.0.1:9000",
        "http://[::1]:9000",
        "http://[::1]",
        "http://example.com?x=1",
        "http://example.com/p%20q",
        "http://user:pw@example.com",
        "localhost:4566",
        "example.com",
        "ftp://example.com",
        "http://",
        "http://example.com:0",
        "http://example.com:65536",
        "http://ex_ample.com",
        "http://example.com#frag",
        "http://example.com/prefix?x=1",
        " http://example.com",
        "http://example.com/..",
        "http://example.com//double",
        "https://s3.us-west-2.amazonaws.com",
        "https://my-bucket.s3.us-west-2.amazonaws.com",
        "http://minio.local:9000/",
        "http://example.com/pre%2Ffix",
        "http://example.com/caf%C3%A9",
        "http://example.com/~user/",
        "http://example.com:8080/a;b",
        "https://[2001:db8::1]:8443/",
        "http://192.168.0.10",
        "http://LOCALHOST:4566",
        "http://example.com:",
        "http://example.com./",
    ];
    const OPERATIONS: &[(&str, &str, &str)] = &[
        ("s3", "ListObjectsV2", r#"{"Bucket": "my-bucket"}"#),
        (
            "s3",
            "GetObject",
            r#"{"Bucket": "my.bucket", "Key": "a/b c"}"#,
        ),
        ("s3", "ListBuckets", "{}"),
        ("dynamodb", "ListTables", "{}"),
        ("sqs", "ListQueues", "{}"),
        ("sns", "ListTopics", "{}"),
        ("ec2", "DescribeRegions", "{}"),
        ("lambda", "ListFunctions", "{}"),
        ("route53", "ListHostedZones", "{}"),
        (
            "s3control",
            "ListAccessPoints",
            r#"{"AccountId": "123456789012"}"#,
        ),
        ("sts", "GetCallerIdentity", "{}"),
        (
            "servicediscovery",
            "DiscoverInstances",
            r#"{"NamespaceName": "n", "ServiceName": "s"}"#,
        ),
    ];
    let mut cases = Vec::new();
    for url in URLS {
        for (service, operation, params) in OPERATIONS {
            cases.push(case(service, operation, params, "us-west-2").endpoint_url(url));
        }
    }
    // The same forms from the environment, for one call of a path-style and a JSON protocol.
    for url in URLS {
        let env: &'static [(&'static str, &'static str)] =
            Box::leak(Box::new([("AWS_ENDPOINT_URL", *url)]));
        cases.push(
            case(
                "s3",
                "ListObjectsV2",
                r#"{"Bucket": "my-bucket"}"#,
                "us-west-2",
            )
            .env(env),
        );
        cases.push(case("dynamodb", "ListTables", "{}", "us-west-2").env(env));
        let env: &'static [(&'static str, &'static str)] =
            Box::leak(Box::new([("AWS_ENDPOINT_URL_LAMBDA", *url)]));
        cases.push(case("lambda", "ListFunctions", "{}", "us-west-2").env(env));
    }
    assert_resolved_as_botocore(&cases);
}

/// A deliberate difference: an endpoint URL with a character no URL may hold (a space) is
/// refused at the call, naming the URL. botocore signs the path as given and urllib3
/// percent-encodes it when sending; the signature then holds only where the service does not
/// encode the path again (S3).
#[test]
fn an_endpoint_url_with_a_space_is_refused_where_botocore_sends_it() {
    let cases = [
        case("dynamodb", "ListTables", "{}", "us-west-2").endpoint_url("http://example.com/p q"),
        case("s3", "ListBuckets", "{}", "us-west-2").endpoint_url("http://example.com/p q"),
        case("lambda", "ListFunctions", "{}", "us-west-2")
            .env(&[("AWS_ENDPOINT_URL_LAMBDA", "http://example.com/p q")]),
    ];
    for (case, row) in cases.iter().zip(botocore_rows(&cases)) {
        assert!(
            row["url"].as_str().is_some_and(|u| u.contains("/p q")),
            "{}: botocore {row}",
            case.service
        );
        let (ours, error) = sansboto_row(case);
        assert_eq!(ours, json!({ "refused": "call" }), "{}", case.service);
        assert!(
            matches!(
                &error,
                Some(Error::Serialize(sansboto_core::SerializeError::InvalidEndpoint { url, .. }))
                    if url.ends_with("/p q")
            ),
            "{}: {error:?}",
            case.service
        );
    }
}
