//! S3 requests compared with botocore 1.44.5's on the same inputs (`sansboto_tests::botocore`,
//! signed at the same fixed time, so whole Authorization headers compare), and an S3 client
//! with no region configured working against moto.

mod e2e_support;

use std::time::{Duration, UNIX_EPOCH};

use e2e_support::{blocking_session, core_session};
use sansboto_core::auth::{Credentials, Identity};
use sansboto_core::machine::SplitMix64;
use sansboto_core::session::ClientOptions;
use sansboto_core::Error;
use sansboto_core::Value;
use sansboto_tests::botocore;
use sansboto_tests::moto::MotoServer;

/// 2026-01-01T00:00:00Z: the signing time on both sides.
const SIGNED_AT: u64 = 1_767_225_600;

/// The request sansboto sends for `operation(params_json)` with this environment and options,
/// signed with botocore's test credentials (`AKID`/`SECRET`) at [`SIGNED_AT`], in the shape
/// `botocore::request` reports: method, url and lower-case headers (values read as UTF-8, as
/// botocore's are).
fn sansboto_request(
    env: &[(&str, &str)],
    options: &ClientOptions,
    operation: &str,
    params_json: &str,
) -> Result<serde_json::Value, Error> {
    let client = core_session(env, None, None).service_client("s3", options)?;
    let params = Value::from(serde_json::from_str::<serde_json::Value>(params_json).unwrap());
    let prepared = client.prepare(operation, params, &mut SplitMix64(1))?;
    let credentials = Credentials::new("AKID", "SECRET", None, None);
    let request = client.sign(
        &prepared,
        Identity::Credentials(&credentials),
        UNIX_EPOCH + Duration::from_secs(SIGNED_AT),
        None,
    )?;
    let headers: serde_json::Map<String, serde_json::Value> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
        .collect();
    Ok(serde_json::json!({
        "method": request.method().as_str(),
        "url": request.uri().to_string(),
        "headers": headers,
    }))
}

/// Compare sansboto's request with botocore's: method, URL and the Authorization header (which
/// covers the signing region, signed headers and, through the signature, their values).
fn assert_same_request(
    env: &[(&str, &str)],
    options: &ClientOptions,
    client_kwargs: &str,
    operation: &str,
    params_json: &str,
) -> (serde_json::Value, serde_json::Value) {
    let ours = sansboto_request(env, options, operation, params_json)
        .unwrap_or_else(|e| panic!("{operation} {params_json}: {e}"));
    let theirs =
        botocore::request_signed_at("s3", operation, params_json, client_kwargs, env, SIGNED_AT);
    let case = format!("{operation} {params_json} [{client_kwargs}] {env:?}");
    assert_eq!(ours["method"], theirs["method"], "{case}");
    assert_eq!(ours["url"], theirs["url"], "{case}");
    assert_eq!(
        ours["headers"]["authorization"], theirs["headers"]["authorization"],
        "{case}\nours: {ours:#}\nbotocore: {theirs:#}"
    );
    (ours, theirs)
}

const NO_REGION_CALLS: [(&str, &str); 4] = [
    ("GetObject", r#"{"Bucket": "mybucket", "Key": "k"}"#),
    ("ListBuckets", "{}"),
    ("CreateBucket", r#"{"Bucket": "mybucket"}"#),
    ("HeadBucket", r#"{"Bucket": "my.dotted.bucket"}"#),
];

#[test]
fn no_region_resolves_and_signs_like_botocore() {
    // botocore: us-east-1 at the global s3.amazonaws.com (legacy us_east_1_regional_endpoint,
    // the default), or the aws-global pseudo-region under `regional` — the same URL either way.
    for env in [
        &[][..],
        &[("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "regional")][..],
    ] {
        for (operation, params) in NO_REGION_CALLS {
            let (ours, _) =
                assert_same_request(env, &ClientOptions::default(), "", operation, params);
            let url = ours["url"].as_str().unwrap();
            assert!(url.contains("s3.amazonaws.com/"), "{url}");
            let auth = ours["headers"]["authorization"].as_str().unwrap();
            assert!(auth.contains("/us-east-1/s3/aws4_request"), "{auth}");
        }
    }
}

#[test]
fn no_region_with_an_endpoint_url_resolves_and_signs_like_botocore() {
    let options = ClientOptions {
        endpoint_url: Some("http://localhost:9000".into()),
        ..Default::default()
    };
    for (operation, params) in NO_REGION_CALLS {
        assert_same_request(
            &[],
            &options,
            "endpoint_url='http://localhost:9000'",
            operation,
            params,
        );
    }
    // The same from the environment (`AWS_ENDPOINT_URL`), which botocore reads too.
    let env = [("AWS_ENDPOINT_URL", "http://localhost:9000")];
    for (operation, params) in NO_REGION_CALLS {
        assert_same_request(&env, &ClientOptions::default(), "", operation, params);
    }
}

#[test]
fn other_services_still_need_a_region_as_in_botocore() {
    // Every service, made with no region, with and without an endpoint URL: botocore refuses
    // a regional service as the client is made (`NoRegionError`), and so must sansboto.
    for env in [vec![], vec![("AWS_ENDPOINT_URL", "http://localhost:4566")]] {
        let theirs = botocore::run(
            r#"
from botocore.exceptions import NoRegionError
made = {}
for name in session.get_available_services():
    try:
        session.create_client(name, aws_access_key_id='AKID', aws_secret_access_key='SECRET')
        made[name] = 'created'
    except NoRegionError:
        made[name] = 'NoRegionError'
emit(made)
"#,
            &env,
        );
        let theirs = theirs.as_object().expect("a service map");
        let session = core_session(&env, None, None);
        let services = session.services().unwrap();
        assert_eq!(services.len(), theirs.len(), "{env:?}");
        let mut differences = Vec::new();
        let mut refused = 0;
        for service in &services {
            let ours = match session.service_client(service, &ClientOptions::default()) {
                Ok(_) => "created".to_string(),
                Err(Error::NoRegion) => "NoRegionError".to_string(),
                Err(e) => format!("{e}"),
            };
            refused += usize::from(ours == "NoRegionError");
            if theirs.get(service).and_then(|v| v.as_str()) != Some(ours.as_str()) {
                differences.push(format!(
                    "{service}: botocore {:?}, sansboto {ours}",
                    theirs.get(service)
                ));
            }
        }
        assert!(
            differences.is_empty(),
            "{env:?}:\n{}",
            differences.join("\n")
        );
        // Most services are regional; a few global ones (IAM, STS, Route 53, ...) are made.
        assert!(
            refused > services.len() / 2 && refused < services.len(),
            "{refused}"
        );
    }
}

#[test]
fn presigning_with_no_region_matches_botocore_sigv4() {
    // botocore presigns S3 with SigV2 by default (sansboto always presigns with SigV4), so the
    // reference is botocore with `signature_version='s3v4'`, which is the same URL otherwise.
    let theirs = botocore::run(
        &format!(
            r#"
import datetime, botocore.auth
from botocore.config import Config
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: datetime.datetime.fromtimestamp({SIGNED_AT}, datetime.timezone.utc).replace(tzinfo=None)
client = session.create_client('s3', aws_access_key_id='AKID', aws_secret_access_key='SECRET',
    config=Config(signature_version='s3v4'))
emit(client.generate_presigned_url('get_object', Params={{'Bucket': 'mybucket', 'Key': 'k'}}, ExpiresIn=900))
"#
        ),
        &[],
    );
    let client = core_session(&[], None, None)
        .service_client("s3", &ClientOptions::default())
        .unwrap();
    let ours = client
        .presign(
            "GetObject",
            sansboto_core::params! {"Bucket": "mybucket", "Key": "k"},
            &Credentials::new("AKID", "SECRET", None, None),
            UNIX_EPOCH + Duration::from_secs(SIGNED_AT),
            Duration::from_secs(900),
            &mut SplitMix64(1),
        )
        .unwrap();
    assert_eq!(ours, theirs.as_str().unwrap());
    assert!(
        ours.starts_with("https://mybucket.s3.amazonaws.com/k?"),
        "{ours}"
    );
}

#[test]
fn no_region_against_moto() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    // No region anywhere; the endpoint comes from the environment, as a user would set it.
    let env = [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDNOREGION"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ];
    let client = blocking_session(core_session(&env, None, None))
        .client("s3")
        .build()
        .unwrap();
    assert_eq!(
        client.core().config().endpoint.region.as_deref(),
        Some("us-east-1"),
        "botocore's client.meta.region_name"
    );
    client
        .call(
            "CreateBucket",
            sansboto_core::params! {"Bucket": "no-region-bucket"},
        )
        .unwrap();
    client
        .call(
            "PutObject",
            sansboto_core::params! {"Bucket": "no-region-bucket", "Key": "k", "Body": &b"hello"[..]},
        )
        .unwrap();
    // An empty body given goes out with `Expect: 100-continue`, as botocore's does.
    client
        .call(
            "PutObject",
            sansboto_core::params! {"Bucket": "no-region-bucket", "Key": "empty", "Body": &b""[..]},
        )
        .unwrap();
    let head = client
        .call(
            "HeadObject",
            sansboto_core::params! {"Bucket": "no-region-bucket", "Key": "empty"},
        )
        .unwrap();
    assert_eq!(head["ContentLength"].as_i64(), Some(0));
    let listed = client
        .call(
            "ListObjectsV2",
            sansboto_core::params! {"Bucket": "no-region-bucket"},
        )
        .unwrap();
    assert_eq!(listed["Contents"][0]["Key"].as_str(), Some("empty"));
    assert_eq!(listed["Contents"][1]["Key"].as_str(), Some("k"));
    let location = client
        .call(
            "GetBucketLocation",
            sansboto_core::params! {"Bucket": "no-region-bucket"},
        )
        .unwrap();
    // us-east-1 buckets have no LocationConstraint.
    assert!(location["LocationConstraint"].is_null(), "{location:?}");

    // A presigned URL made with no region fetches the object.
    let url = client
        .presign(
            "GetObject",
            sansboto_core::params! {"Bucket": "no-region-bucket", "Key": "k"},
            Duration::from_secs(300),
        )
        .unwrap();
    assert!(
        url.starts_with(&format!("{endpoint}/no-region-bucket/k?")),
        "{url}"
    );
    assert!(url.contains("%2Fus-east-1%2Fs3%2Faws4_request"), "{url}");
    let http = sansboto_blocking::HttpClient::new(Default::default()).unwrap();
    let response = http
        .send(
            http::Request::get(url.as_str())
                .body(sansboto_core::Body::Empty)
                .unwrap(),
        )
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut response.into_body(), &mut body).unwrap();
    assert_eq!(body, b"hello");
}

/// A client in us-west-2 with no other configuration.
fn in_us_west_2() -> ClientOptions {
    ClientOptions {
        region: Some("us-west-2".into()),
        ..Default::default()
    }
}

#[test]
fn an_endpoint_that_only_looks_like_accelerate_is_path_style_as_in_botocore() {
    for endpoint in [
        "https://s3-accelerate.foo.amazonaws.com",
        "https://s3-accelerate.dualstack.dualstack.amazonaws.com",
        "https://s3-accelerate.amazonaws.com:443",
        // A real accelerate endpoint stays virtual-hosted.
        "https://s3-accelerate.amazonaws.com",
    ] {
        let options = ClientOptions {
            endpoint_url: Some(endpoint.into()),
            ..in_us_west_2()
        };
        let (ours, _) = assert_same_request(
            &[],
            &options,
            &format!("region_name='us-west-2', endpoint_url={endpoint:?}"),
            "GetObject",
            r#"{"Bucket": "mybucket", "Key": "k"}"#,
        );
        let url = ours["url"].as_str().unwrap();
        let path_style = url.contains("/mybucket/k");
        assert_eq!(
            path_style,
            endpoint != "https://s3-accelerate.amazonaws.com",
            "{url}"
        );
    }
}

#[test]
fn a_mixed_case_host_is_signed_lower_cased_as_in_botocore() {
    // An Object Lambda access point named with capitals makes a mixed-case host, and so does a
    // WriteGetObjectResponse route (the host prefix).
    for (operation, params) in [
        (
            "GetObject",
            r#"{"Bucket": "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/MyBanner", "Key": "k"}"#,
        ),
        (
            "WriteGetObjectResponse",
            r#"{"RequestRoute": "MyRoute", "RequestToken": "t", "Body": "abc"}"#,
        ),
    ] {
        let (ours, _) = assert_same_request(
            &[],
            &in_us_west_2(),
            "region_name='us-west-2'",
            operation,
            params,
        );
        let url = ours["url"].as_str().unwrap();
        assert!(url.chars().any(|c| c.is_ascii_uppercase()), "{url}");
    }
}

#[test]
fn expect_100_continue_follows_botocore_for_empty_bodies() {
    for (operation, params) in [
        ("PutObject", r#"{"Bucket": "mybucket", "Key": "k"}"#),
        (
            "PutObject",
            r#"{"Bucket": "mybucket", "Key": "k", "Body": ""}"#,
        ),
        (
            "PutObject",
            r#"{"Bucket": "mybucket", "Key": "k", "Body": "x"}"#,
        ),
        (
            "UploadPart",
            r#"{"Bucket": "mybucket", "Key": "k", "UploadId": "u", "PartNumber": 1, "Body": ""}"#,
        ),
        (
            "UploadPart",
            r#"{"Bucket": "mybucket", "Key": "k", "UploadId": "u", "PartNumber": 1}"#,
        ),
        (
            "PutBucketVersioning",
            r#"{"Bucket": "mybucket", "VersioningConfiguration": {"Status": "Enabled"}}"#,
        ),
    ] {
        let (ours, theirs) = assert_same_request(
            &[],
            &in_us_west_2(),
            "region_name='us-west-2'",
            operation,
            params,
        );
        assert_eq!(
            ours["headers"]["expect"], theirs["headers"]["expect"],
            "{operation} {params}"
        );
    }
}

#[test]
fn write_get_object_response_signs_its_payload_as_in_botocore() {
    for params in [
        r#"{"RequestRoute": "route", "RequestToken": "t"}"#,
        r#"{"RequestRoute": "route", "RequestToken": "t", "Body": ""}"#,
        r#"{"RequestRoute": "route", "RequestToken": "t", "Body": "abc"}"#,
    ] {
        let (ours, theirs) = assert_same_request(
            &[],
            &in_us_west_2(),
            "region_name='us-west-2'",
            "WriteGetObjectResponse",
            params,
        );
        assert_eq!(
            ours["headers"]["x-amz-content-sha256"], theirs["headers"]["x-amz-content-sha256"],
            "{params}"
        );
        assert_ne!(ours["headers"]["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
    }
}

#[test]
fn a_non_ascii_header_value_is_signed_and_sent_as_utf8_like_botocore() {
    // botocore signs header values as text and sends their UTF-8 bytes; sansboto used to refuse
    // the call (`HeaderValueNotText`).
    let options = ClientOptions {
        region: Some("us-east-1".into()),
        ..Default::default()
    };
    let params = r#"{"Bucket": "mybucket", "Key": "k", "ContentDisposition": "attachment; filename=\"café.txt\""}"#;
    let (ours, theirs) = assert_same_request(
        &[],
        &options,
        "region_name='us-east-1'",
        "PutObject",
        params,
    );
    assert_eq!(
        ours["headers"]["content-disposition"],
        "attachment; filename=\"café.txt\""
    );
    assert_eq!(
        ours["headers"]["content-disposition"],
        theirs["headers"]["content-disposition"]
    );
    let signed = ours["headers"]["authorization"].as_str().unwrap();
    assert!(signed.contains("content-disposition;"), "{signed}");
}

/// `s3_use_arn_region` and `[s3] use_arn_region` as botocore reads them, seen in where a call
/// on an access point of another region goes (or that it is refused): a nested block where the
/// value belongs is botocore's `ensure_boolean` of a dict, false, and it comes before the
/// `s3` block's key.
#[test]
fn use_arn_region_is_read_from_the_profile_as_botocore_reads_it() {
    let params =
        r#"{"Bucket": "arn:aws:s3:us-east-1:123456789012:accesspoint/myendpoint", "Key": "k"}"#;
    let dir = std::env::temp_dir().join(format!("sansboto-arn-region-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, config) in [
        "",
        "[default]\ns3_use_arn_region = true\n",
        "[default]\ns3_use_arn_region = false\n",
        "[default]\ns3 =\n    use_arn_region = false\n",
        "[default]\ns3_use_arn_region =\n    nested = true\n",
        "[default]\ns3_use_arn_region =\n    nested = true\ns3 =\n    use_arn_region = true\n",
        "[default]\ns3 =\n    use_arn_region = TRUE\n",
    ]
    .into_iter()
    .enumerate()
    {
        let path = dir.join(format!("config-{i}"));
        std::fs::write(&path, config).unwrap();
        let path = path.to_str().unwrap();
        let env = [
            ("AWS_CONFIG_FILE", path),
            ("AWS_DEFAULT_REGION", "us-west-2"),
        ];
        let theirs = botocore::request("s3", "GetObject", params, "", &env);
        let session = core_session(&[("AWS_DEFAULT_REGION", "us-west-2")], Some(config), None);
        let ours = session
            .service_client("s3", &ClientOptions::default())
            .and_then(|c| {
                c.prepare(
                    "GetObject",
                    Value::from(serde_json::from_str::<serde_json::Value>(params).unwrap()),
                    &mut SplitMix64(1),
                )
            });
        match (&ours, theirs.get("error")) {
            (Ok(prepared), None) => {
                let url = prepared.uri().to_string();
                assert_eq!(url, theirs["url"].as_str().unwrap(), "{config:?}");
            }
            (Err(_), Some(_)) => {}
            _ => panic!(
                "{config:?}: ours {:?}; botocore {theirs}",
                ours.as_ref().map(|p| p.uri().to_string())
            ),
        }
    }
}
