//! Proxy selection from the environment, by sansboto (`HttpConfig::from_env_vars`, then
//! `ProxyConfig::proxy_for_uri` for each request, as every transport does) and by botocore
//! 1.44.5 (`get_environ_proxies` on the endpoint URL when the client is made, then
//! `URLLib3Session`'s proxy for the request's scheme, the proxy manager urllib3 makes of it and
//! the `Proxy-Authorization` header botocore gives it), on a few thousand generated
//! environments and URLs: `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` and `ALL_PROXY` in either case
//! or both (with different values), in a mixed case (`Https_Proxy`, `NO_proxy`) alone or beside
//! another spelling, empty or blank values, the CGI rule (`REQUEST_METHOD` set
//! hides `HTTP_PROXY`), proxy URLs with and without a scheme, with credentials (percent-encoded,
//! empty, partial), ports, IPv6 literals, paths and junk; URLs over http and https to names,
//! IPv4 and IPv6 addresses, with and without ports, in other cases, matched by `NO_PROXY`
//! entries on a label boundary or not, with leading dots, wildcards, ports and CIDR ranges.
//!
//! The decision compared is where the request's connection goes: directly, or to which proxy
//! (over TLS or not, host, port) with which credentials; or that the request cannot be sent (botocore fails when
//! it would use a proxy URL it cannot read; sansboto fails the same request). `ALL_PROXY` is
//! read by neither (botocore looks a proxy up by the request's scheme only).
//!
//! Where sansboto decides otherwise on purpose, the case is counted under the difference's name
//! (README's deliberate differences): `NO_PROXY` is applied to each request's own host (botocore
//! decides once, from the endpoint URL, so a virtual-hosted bucket's host is never matched on
//! its own), entries are addresses and CIDR ranges compared as addresses, `*.` wildcards,
//! spaces between entries, ports compared with the URL's port even when the URL leaves it
//! implicit, a trailing dot names the same host, and credentials outside ASCII are sent as
//! UTF-8.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sansboto_core::HttpConfig;
use sansboto_tests::{botocore, Rng};

/// botocore's decision for each `[env, endpoint_url, request_url]`: `null` (direct),
/// `[scheme, host, port, proxy-authorization or null]`, or the error's text.
const DECIDED_BY_BOTOCORE: &str = r#"
import os
from botocore.utils import get_environ_proxies
from botocore.httpsession import URLLib3Session
with open(os.environ['SANSBOTO_PROXY_CASES']) as f:
    cases = json.load(f)
base = dict(os.environ)
out = []
for env, endpoint, url in cases:
    os.environ.clear()
    os.environ.update(base)
    os.environ.update(env)
    try:
        # What the client's endpoint is made with, then what each request is sent through.
        http = URLLib3Session(proxies=get_environ_proxies(endpoint))
        proxy_url = http._proxy_config.proxy_url_for(url)
        if not proxy_url:
            out.append(None)
            continue
        manager = http._get_connection_manager(url, proxy_url)
        manager.connection_from_url(url)
        proxy = manager.proxy
        if not proxy.host:
            raise ValueError('no proxy host in %r' % proxy_url)
        out.append([proxy.scheme, proxy.host, proxy.port,
                    manager.proxy_headers.get('Proxy-Authorization')])
    except Exception as e:
        out.append('%s: %s' % (type(e).__name__, e))
emit(out)
"#;

/// One of `from`, as text.
fn pick<'a>(r: &mut Rng, from: &[&'a str]) -> &'a str {
    from[r.below(from.len())]
}

const HOSTS: &[&str] = &[
    "s3.amazonaws.com",
    "s3.us-west-2.amazonaws.com",
    "sts.amazonaws.com",
    "dynamodb.eu-west-1.amazonaws.com",
    "localhost",
    "LocalHost",
    "internal.example.com",
    "a.b.internal.example.com",
    "badexample.com",
    "example.com",
    "EXAMPLE.Com",
    "example.com.",
    "minio",
    "minio.local",
    "127.0.0.1",
    "10.1.2.3",
    "192.168.0.10",
    "169.254.169.254",
    "[::1]",
    "[fd00::5]",
    "[FD00::5]",
    "[0:0::1]",
];

const PORTS: &[&str] = &["", "", "", "", ":443", ":80", ":8080", ":9000"];

/// A `NO_PROXY` entry: drawn from the URL's host (whole, a suffix on a label boundary or not,
/// decorated) or from a fixed list.
fn no_proxy_entry(r: &mut Rng, host: &str, port: &str) -> String {
    if r.probability(0.55) {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let mut entry = if host.starts_with('[') {
            pick(r, &[host, bare]).to_owned()
        } else if r.probability(0.3) {
            host.to_owned()
        } else {
            let dots: Vec<usize> = host.match_indices('.').map(|(i, _)| i).collect();
            if !dots.is_empty() && r.probability(0.7) {
                host[dots[r.below(dots.len())]..].to_owned() // ".amazonaws.com", …
            } else {
                host[r.below(host.len())..].to_owned() // "ample.com", …
            }
        };
        if r.probability(0.2) {
            let mut flipped = String::new();
            for c in entry.chars() {
                flipped.push(if r.probability(0.5) {
                    c.to_ascii_uppercase()
                } else {
                    c
                });
            }
            entry = flipped;
        }
        let decorate = pick(r, &["", "", "", "", ".", "*.", "*", ".."]);
        if !entry.starts_with('.') || decorate.ends_with('.') {
            entry = format!("{decorate}{entry}");
        }
        if r.probability(0.2) {
            let p = pick(r, &[port, port, ":443", ":80", ":8080", ":", ":x"]);
            if entry.contains(':') && !entry.starts_with('[') && entry.matches(':').count() > 1 {
                entry = format!("[{entry}]{p}");
            } else {
                entry.push_str(p);
            }
        }
        return entry;
    }
    pick(
        r,
        &[
            "localhost",
            "127.0.0.1",
            "169.254.169.254",
            "10.0.0.0/8",
            "192.168.0.0/16",
            "::1",
            "[::1]",
            "[::1]:8080",
            "fd00::/8",
            "amazonaws.com",
            ".amazonaws.com",
            "*.amazonaws.com",
            "com",
            "*",
            ".",
            "",
            " ",
            "0.0.1",
            "1",
            "example.com:8080",
            "internal.example.com:443",
            "*example.com",
            "bucket.s3.amazonaws.com",
            "example.com.",
            "  localhost  ",
        ],
    )
    .to_owned()
}

fn no_proxy_value(r: &mut Rng, host: &str, port: &str) -> String {
    if r.probability(0.06) {
        return pick(r, &["*", " *", "*,", "*, localhost", "localhost,*"]).to_owned();
    }
    let n = 1 + r.below(4);
    let mut value = String::new();
    for i in 0..n {
        if i > 0 {
            value.push_str(pick(r, &[",", ",", ", ", " ,", ",,", " ", ";"]));
        }
        value.push_str(&no_proxy_entry(r, host, port));
    }
    value
}

fn proxy_value(r: &mut Rng) -> String {
    if r.probability(0.03) {
        return pick(r, &[" ", "\t", "junk junk", "://", "http://"]).to_owned();
    }
    // Mostly well-formed; now and then one part of the URL is odd.
    let odd = if r.probability(0.35) { r.below(5) } else { 5 };
    let scheme = if odd == 0 {
        pick(
            r,
            &["HTTP://", "//", "socks5://", "http:", "Http://", "HTTPS://"],
        )
    } else {
        pick(r, &["http://", "http://", "http://", "", "", "https://"])
    };
    let userinfo = if odd == 1 {
        pick(
            r,
            &[
                "user@",
                "user:@",
                ":pass@",
                "u:p%zz@",
                "u:p:q@",
                "a@b:c@",
                "%C3%BC:p@",
                "@",
            ],
        )
    } else if r.probability(0.3) {
        pick(
            r,
            &[
                "user:pass@",
                "us%40er:p%3Ass@",
                "u:p+q@",
                "AKID:s%2Fcr%2Bt@",
            ],
        )
    } else {
        ""
    };
    let host = if odd == 2 {
        pick(r, &["::1", "p_x", "", "[::1", "proxy..local", "-proxy"])
    } else {
        pick(
            r,
            &[
                "proxy.local",
                "proxy.local",
                "Proxy.Example.com",
                "10.0.0.1",
                "[::1]",
                "[fe80::1]",
            ],
        )
    };
    let port = if odd == 3 {
        pick(r, &[":0", ":01", ":65536", ":abc", ":", ":+1", ": 1"])
    } else {
        pick(r, &["", "", ":3128", ":8080", ":3128", ":443"])
    };
    let tail = if odd == 4 {
        pick(r, &["?x", "#f", "/ ", " ", "\n"])
    } else {
        pick(r, &["", "", "", "/", "/path"])
    };
    let mut v = format!("{scheme}{userinfo}{host}{port}{tail}");
    if r.probability(0.02) {
        v = format!(" {v}");
    }
    v
}

/// Set `name` (one of `http_proxy`, …) in the upper case, the lower case, both (different
/// values), one with the other empty, or neither; now and then in a mixed case too
/// (`Https_Proxy`, which Python's first pass reads, or `HTTPS_proxy`, which its second pass
/// reads again), alone or beside another spelling.
fn set_var(
    r: &mut Rng,
    env: &mut BTreeMap<String, String>,
    name: &str,
    mut value: impl FnMut(&mut Rng) -> String,
) {
    let upper = name.to_ascii_uppercase();
    if r.probability(0.15) {
        let (prefix, _) = name.split_at(name.len() - "_proxy".len());
        let title = format!("{}{}_Proxy", prefix[..1].to_ascii_uppercase(), &prefix[1..]);
        let upper_prefix = format!("{}_proxy", prefix.to_ascii_uppercase());
        let mixed = if r.probability(0.5) {
            title
        } else {
            upper_prefix
        };
        let mixed_value = if r.probability(0.15) {
            String::new()
        } else {
            value(r)
        };
        env.insert(mixed, mixed_value);
        match r.below(4) {
            0 => {
                env.insert(upper, value(r));
            }
            1 => {
                env.insert(name.to_owned(), pick(r, &["", "x"]).replace('x', &value(r)));
            }
            _ => {}
        }
        return;
    }
    match r.below(9) {
        0 | 1 => {}
        2 | 3 => {
            env.insert(upper, value(r));
        }
        4 | 5 => {
            env.insert(name.to_owned(), value(r));
        }
        6 => {
            env.insert(upper, value(r));
            env.insert(name.to_owned(), value(r));
        }
        7 => {
            env.insert(upper, value(r));
            env.insert(name.to_owned(), String::new());
        }
        _ => {
            env.insert(upper, String::new());
            env.insert(name.to_owned(), value(r));
        }
    }
}

struct Case {
    env: BTreeMap<String, String>,
    endpoint: String,
    url: String,
}

fn generate(count: usize) -> Vec<Case> {
    let mut r = Rng::new(0x9e0c_5e1e_c7ed);
    let mut cases = Vec::with_capacity(count);
    while cases.len() < count {
        let scheme = pick(&mut r, &["https", "https", "http"]);
        let host = pick(&mut r, HOSTS);
        let port = pick(&mut r, PORTS);
        let endpoint = format!("{scheme}://{host}{port}");
        // A virtual-hosted bucket or a host prefix on a named endpoint, now and then.
        let request_host = if !host.starts_with('[')
            && host.parse::<std::net::Ipv4Addr>().is_err()
            && r.probability(0.2)
        {
            format!(
                "{}{host}",
                pick(&mut r, &["bucket.", "my-bucket.", "123456789012."])
            )
        } else {
            host.to_owned()
        };
        let url = format!(
            "{scheme}://{request_host}{port}/{}",
            pick(&mut r, &["", "key", "a/b?x=1"])
        );
        let mut env = BTreeMap::new();
        set_var(&mut r, &mut env, "http_proxy", proxy_value);
        set_var(&mut r, &mut env, "https_proxy", proxy_value);
        if r.probability(0.15) {
            set_var(&mut r, &mut env, "all_proxy", proxy_value);
        }
        let np_host = if r.probability(0.5) {
            request_host.clone()
        } else {
            host.to_owned()
        };
        set_var(&mut r, &mut env, "no_proxy", |r| {
            no_proxy_value(r, &np_host, port)
        });
        if r.probability(0.1) {
            env.insert("REQUEST_METHOD".into(), pick(&mut r, &["GET", ""]).into());
        }
        if !env
            .keys()
            .any(|k| k.to_ascii_lowercase().ends_with("_proxy"))
        {
            continue;
        }
        cases.push(Case { env, endpoint, url });
    }
    cases
}

/// Where a request's connection goes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Decision {
    Direct,
    /// TLS to the proxy (an `https://` proxy), host (lower case, IPv6 without brackets), port,
    /// `Proxy-Authorization`.
    Proxy(bool, String, u16, Option<String>),
    /// The request is not sent (the text says why).
    Refused(String),
}

fn sansboto_decides(env: &BTreeMap<String, String>, url: &str) -> Decision {
    // The environment in the order botocore's process has it (the cases' JSON objects are
    // written, and so read into `os.environ`, in this map's order).
    let config = match HttpConfig::from_env_vars(env) {
        Ok(c) => c,
        Err(e) => return Decision::Refused(e.to_string()),
    };
    let uri: http::Uri = url.parse().expect("generated URLs parse");
    let Some(proxies) = config.proxy.as_ref() else {
        return Decision::Direct;
    };
    match proxies.route_for_uri(&uri) {
        Err(e) => Decision::Refused(e.to_string()),
        Ok(None) => Decision::Direct,
        Ok(Some(p)) => {
            let host = p.host.to_ascii_lowercase();
            Decision::Proxy(p.tls, host, p.port, p.authorization.clone())
        }
    }
}

/// The deliberate difference that explains why sansboto decided `ours` where botocore decided
/// `theirs`, if one does (README's deliberate differences).
fn deliberate(case: &Case, ours: &Decision, theirs: &Decision) -> Option<&'static str> {
    use Decision::*;
    // botocore matches NO_PROXY against the endpoint once; sansboto against each request.
    if host_of(&case.url) != host_of(&case.endpoint) {
        let at_endpoint = Case {
            env: case.env.clone(),
            endpoint: case.endpoint.clone(),
            url: case.endpoint.clone(),
        };
        let ours = sansboto_decides(&case.env, &case.endpoint);
        let alike = matches!((&ours, theirs), (Refused(_), Refused(_))) || ours == *theirs;
        if alike || deliberate(&at_endpoint, &ours, theirs).is_some() {
            return Some("NO_PROXY applied to the request's own host (botocore: the endpoint's)");
        }
    }
    let values = || {
        case.env
            .iter()
            .filter(|(k, _)| k.to_ascii_lowercase().ends_with("_proxy"))
            .map(|(_, v)| v)
    };
    match (ours, theirs) {
        // botocore prefixes `http://` to a URL that does not start with `http:` or `https:` in
        // lower case.
        (_, Proxy(_, host, 80, None))
            if (host == "http" || host == "https")
                && values().any(|v| {
                    ["http:", "https:"].iter().any(|scheme| {
                        v.get(..scheme.len())
                            .is_some_and(|s| s.eq_ignore_ascii_case(scheme) && s != *scheme)
                    })
                }) =>
        {
            return Some(
                "a proxy scheme in upper case read as http:// (botocore: a proxy named `http`)",
            );
        }
        (Refused(_), Proxy(_, host, 80, None)) if host == "socks5" => {
            return Some("a socks5:// proxy refused (botocore: a proxy named `socks5`)");
        }
        (Proxy(_, _, _, Some(_)), Refused(e)) if e.starts_with("UnicodeEncodeError") => {
            return Some("credentials outside ASCII sent as UTF-8 (botocore fails)");
        }
        _ => {}
    }
    let uri: http::Uri = case.url.parse().unwrap();
    let host = uri
        .host()
        .unwrap()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let explicit_port = uri.port_u16();
    let port = explicit_port.unwrap_or(if case.url.starts_with("https") {
        443
    } else {
        80
    });
    let no_proxy = python_proxy_var(&case.env, "no").unwrap_or_default();
    let ip = host.parse::<std::net::IpAddr>().is_ok();
    if *ours == Direct && *theirs != Direct {
        // sansboto bypasses the proxy where botocore does not: name each entry that matched.
        let mut reasons = Vec::new();
        for chunk in no_proxy.split(',') {
            for entry in chunk.split(' ').map(str::trim).filter(|e| !e.is_empty()) {
                if !sansboto_core::NoProxy::parse(entry).matches(&host, port) {
                    continue;
                }
                let has_port = entry
                    .rsplit_once(']')
                    .map_or(entry, |(_, p)| p)
                    .contains(':')
                    && !entry.trim_start_matches('.').contains("::")
                    || entry.contains("]:");
                reasons.push(if chunk.trim().contains(' ') {
                    Some("spaces between NO_PROXY entries")
                } else if entry.starts_with('*') {
                    Some("`*` wildcards in NO_PROXY entries")
                } else if entry.contains('/') {
                    Some("CIDR ranges in NO_PROXY")
                } else if has_port && explicit_port.is_none() {
                    Some("a NO_PROXY port compared with the URL's implicit port")
                } else if ip && host.contains(':') {
                    // `::1` unbracketed, `[0:0::1]` for `[::1]`: urllib compares the text.
                    Some("NO_PROXY addresses compared as addresses")
                } else if entry.ends_with('.') || host.ends_with('.') {
                    Some("a trailing dot names the same host")
                } else {
                    None
                });
            }
        }
        return reasons
            .first()
            .copied()
            .flatten()
            .filter(|_| reasons.iter().all(Option::is_some));
    }
    if *ours != Direct && *theirs == Direct {
        // botocore bypasses the proxy where sansboto does not: urllib's suffix match of an
        // address (`0.0.1` matches 127.0.0.1), or a trailing dot matched by `.` alone.
        let netloc = uri.authority().unwrap().as_str().to_ascii_lowercase();
        let suffix_of_address = no_proxy
            .split(',')
            .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
            .any(|e| {
                let suffix = format!(".{e}");
                !e.is_empty() && ip && (host.ends_with(&suffix) || netloc.ends_with(&suffix))
            });
        if suffix_of_address {
            return Some("an address never matched by a NO_PROXY suffix");
        }
        if host.ends_with('.') {
            return Some("a trailing dot names the same host");
        }
    }
    None
}

/// The value Python's `getproxies_environment` gives `scheme` (`no` for `NO_PROXY`) in `env`,
/// in its order: any spelling of `<scheme>_proxy` that is not empty, the last one winning,
/// then again the spellings ending in a lower-case `_proxy`, where an empty one unsets it.
/// Only to name the cause of a difference; the decisions compared are botocore's own.
fn python_proxy_var(env: &BTreeMap<String, String>, scheme: &str) -> Option<String> {
    let key = format!("{scheme}_proxy");
    let mut found = None;
    for (name, value) in env {
        if name.to_lowercase() == key && !value.is_empty() {
            found = Some(value.clone());
        }
    }
    if scheme == "http" && env.contains_key("REQUEST_METHOD") {
        found = None;
    }
    for (name, value) in env {
        if name.ends_with("_proxy") && name.to_lowercase() == key {
            found = Some(value.clone()).filter(|v| !v.is_empty());
        }
    }
    found
}

fn host_of(url: &str) -> String {
    url.parse::<http::Uri>()
        .unwrap()
        .host()
        .unwrap()
        .to_ascii_lowercase()
}

/// botocore's decision (urllib3's proxy scheme `https` is a TLS proxy).
fn botocore_decision(answer: &serde_json::Value) -> Decision {
    match answer {
        serde_json::Value::Null => Decision::Direct,
        serde_json::Value::String(e) => Decision::Refused(e.clone()),
        serde_json::Value::Array(a) => {
            let host = a[1].as_str().unwrap();
            let host = host.trim_start_matches('[').trim_end_matches(']');
            Decision::Proxy(
                a[0] == "https",
                host.to_ascii_lowercase(),
                a[2].as_u64().unwrap() as u16,
                a[3].as_str().map(str::to_owned),
            )
        }
        other => panic!("unexpected answer {other}"),
    }
}

#[test]
fn proxies_from_generated_environments_are_chosen_as_botocore_chooses_them() {
    let cases = generate(4000);
    let input: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| serde_json::json!([c.env, c.endpoint, c.url]))
        .collect();
    let file =
        std::env::temp_dir().join(format!("sansboto-proxy-cases-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec(&input).unwrap()).unwrap();
    let answers = botocore::run(
        DECIDED_BY_BOTOCORE,
        &[("SANSBOTO_PROXY_CASES", file.to_str().unwrap())],
    );
    let _ = std::fs::remove_file(&file);
    let answers = answers.as_array().expect("a list of decisions");
    assert_eq!(answers.len(), cases.len());

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut differences = Vec::new();
    for (case, answer) in cases.iter().zip(answers) {
        let theirs = botocore_decision(answer);
        let ours = sansboto_decides(&case.env, &case.url);
        let kind = match (&ours, &theirs) {
            (Decision::Direct, Decision::Direct) => "direct in both",
            (Decision::Proxy(..), Decision::Proxy(..)) if ours == theirs => "same proxy",
            (Decision::Refused(_), Decision::Refused(_)) => "refused by both",
            _ if let Some(reason) = deliberate(case, &ours, &theirs) => reason,
            _ => {
                let mut line = String::new();
                write!(
                    line,
                    "{:?} endpoint {} url {}: sansboto {ours:?}, botocore {theirs:?}",
                    case.env, case.endpoint, case.url
                )
                .unwrap();
                differences.push(line);
                "different"
            }
        };
        *counts.entry(kind).or_default() += 1;
    }
    println!("{} cases: {counts:#?}", cases.len());
    assert!(
        differences.is_empty(),
        "{} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
    let count = |kind| counts.get(kind).copied().unwrap_or_default();
    assert!(
        count("same proxy") > 800
            && count("direct in both") > 1500
            && count("refused by both") > 150,
        "too few cases decided alike: {counts:?}"
    );
}
