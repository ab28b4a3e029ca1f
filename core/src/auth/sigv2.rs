//! Signature Version 2 (botocore's `SigV2Auth`): the legacy signature SimpleDB's model still
//! names (`signatureVersion: v2`; Import/Export's too, but botocore signs it with SigV4). The
//! signing parameters join the form body's own, and an HMAC-SHA256 over the method, host, path
//! and every parameter, sorted and percent-encoded, is sent as one more parameter,
//! `Signature`.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::Request;
use sha2::Sha256;

use super::{AuthError, Credentials};
use crate::body::Body;
use crate::encoding::push_percent_encoded;
use crate::form::{set_body, FormBody};
use crate::sorting::stable_order;
use crate::time::Timestamp;

/// Sign `request`, a query-protocol POST whose form body holds the call's parameters, as of
/// `time` (whole seconds): the body gains `AWSAccessKeyId`, `SignatureVersion`,
/// `SignatureMethod`, `Timestamp`, the session token as `SecurityToken` when there is one, and
/// `Signature`, each replacing an earlier value in its place (a retry signs again).
pub fn sign(
    request: &mut Request<Body>,
    credentials: &Credentials,
    time: Timestamp,
) -> Result<(), AuthError> {
    let body = request
        .body()
        .as_bytes()
        .ok_or(AuthError::StreamingBodyNeedsPayloadHash)?;
    let mut form = FormBody::parse(body);
    form.set("AWSAccessKeyId", credentials.access_key_id());
    form.set("SignatureVersion", "2");
    form.set("SignatureMethod", "HmacSHA256");
    form.set("Timestamp", &Timestamp::from_secs(time.secs()).to_iso8601());
    if let Some(token) = credentials.session_token() {
        form.set("SecurityToken", token);
    }

    let uri = request.uri();
    let path = match uri.path() {
        "" => "/",
        path => path,
    };
    let host = uri.authority().map_or("", |a| a.as_str());
    let mut string_to_sign = format!("{}\n{host}\n{path}\n", request.method());
    let pairs: Vec<_> = form
        .decoded()
        .filter(|(key, _)| key != "Signature")
        .collect();
    // By key; a key given twice keeps its values in body order (a stable sort).
    let by_key = stable_order(pairs.len(), &|a, b| pairs[a].0.cmp(&pairs[b].0));
    for (i, (key, value)) in by_key.iter().map(|&at| &pairs[at]).enumerate() {
        if i > 0 {
            string_to_sign.push('&');
        }
        push_percent_encoded(&mut string_to_sign, key.as_bytes(), b"");
        string_to_sign.push('=');
        push_percent_encoded(&mut string_to_sign, value.as_bytes(), b"");
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(credentials.secret_access_key().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(string_to_sign.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    form.set("Signature", &signature);
    set_body(request, form.to_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_sorted_parameters_and_appends_the_signature() {
        let mut request = Request::post("https://sdb.amazonaws.com/")
            .header("content-length", "0")
            .body(Body::from(
                b"Action=ListDomains&Version=2009-04-15&MaxNumberOfDomains=2&NextToken=a+b"
                    .to_vec(),
            ))
            .unwrap();
        let credentials = Credentials::new("AKID", "SECRET", None, None);
        sign(
            &mut request,
            &credentials,
            Timestamp::from_secs(1_767_225_600),
        )
        .unwrap();
        let body = String::from_utf8(request.body().as_bytes().unwrap().to_vec()).unwrap();
        // The string signed: POST, host, path, then the parameters sorted and %20-encoded.
        let string_to_sign = "POST\nsdb.amazonaws.com\n/\nAWSAccessKeyId=AKID&Action=ListDomains\
            &MaxNumberOfDomains=2&NextToken=a%20b&SignatureMethod=HmacSHA256&SignatureVersion=2\
            &Timestamp=2026-01-01T00%3A00%3A00Z&Version=2009-04-15";
        let mut mac = Hmac::<Sha256>::new_from_slice(b"SECRET").unwrap();
        mac.update(string_to_sign.as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let encoded = crate::encoding::form_encode(&expected);
        assert_eq!(
            body,
            format!(
                "Action=ListDomains&Version=2009-04-15&MaxNumberOfDomains=2&NextToken=a+b\
                 &AWSAccessKeyId=AKID&SignatureVersion=2&SignatureMethod=HmacSHA256\
                 &Timestamp=2026-01-01T00%3A00%3A00Z&Signature={encoded}"
            )
        );
        assert_eq!(
            request.headers()["content-length"],
            body.len().to_string().as_str()
        );

        // Signing again (a retry) replaces each value in its place, the signature included.
        let temporary = Credentials::new("AKID2", "SECRET", Some("tok".into()), None);
        sign(
            &mut request,
            &temporary,
            Timestamp::from_secs(1_767_225_601),
        )
        .unwrap();
        let again = String::from_utf8(request.body().as_bytes().unwrap().to_vec()).unwrap();
        assert!(again.contains("&AWSAccessKeyId=AKID2&"), "{again}");
        assert!(again.contains("00%3A00%3A01Z&Signature="), "{again}");
        assert!(again.ends_with("&SecurityToken=tok"), "{again}");
        assert_eq!(again.matches("Signature=").count(), 1, "{again}");
    }
}
