//! Amazon Glacier: `accountId` defaults to `-` (the caller's account), every request carries
//! `x-amz-glacier-version`, and uploads carry the linear SHA-256 (`x-amz-content-sha256`) and
//! the SHA-256 tree hash (`x-amz-sha256-tree-hash`) of their body.

use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use super::{params_mut, request_mut, CustomizeError};
use crate::body::Body;
use crate::encoding::hex;
use crate::hooks::{Event, Hooks};
use crate::model::ServiceModel;
use crate::value::{Map, Value};

/// Glacier's tree-hash leaf size (1 MiB).
pub const TREE_HASH_CHUNK: usize = 1024 * 1024;

/// Register Glacier's customizations.
pub(crate) fn register(hooks: &mut Hooks, model: &Arc<ServiceModel>) {
    hooks.register(
        Event::BeforeParameterBuild,
        "glacier.inject-account-id",
        "glacier",
        |_, t| {
            if let Some(p) = params_mut(t) {
                inject_account_id(p);
            }
            Ok(())
        },
    );
    let version = http::HeaderValue::from_str(&model.metadata.api_version).ok();
    hooks.register(
        Event::BeforeCall,
        "glacier.add-glacier-version",
        "glacier",
        move |_, t| {
            if let (Some(r), Some(v)) = (request_mut(t), &version) {
                r.headers_mut().insert("x-amz-glacier-version", v.clone());
            }
            Ok(())
        },
    );
    hooks.register(
        Event::BeforeCall,
        "glacier.add-glacier-checksums",
        "glacier",
        |call, t| {
            if matches!(call.operation, "UploadArchive" | "UploadMultipartPart") {
                if let Some(r) = request_mut(t) {
                    add_glacier_checksums(r, call.operation)?;
                }
            }
            Ok(())
        },
    );
}

/// `accountId` = `-` when absent or null.
pub fn inject_account_id(params: &mut Map) {
    if params.get("accountId").is_none_or(Value::is_null) {
        params.insert("accountId".into(), Value::from("-"));
    }
}

/// Incremental SHA-256 tree hash (1 MiB leaves, pairs combined level by level, an odd last node
/// carried up), for bodies fed in pieces.
#[derive(Clone, Default)]
pub struct TreeHash {
    leaves: Vec<[u8; 32]>,
    current: Sha256,
    current_len: usize,
}

impl TreeHash {
    /// An empty hash.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed more of the body.
    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let take = (TREE_HASH_CHUNK - self.current_len).min(data.len());
            let (head, rest) = data.split_at(take);
            self.current.update(head);
            self.current_len += take;
            data = rest;
            if self.current_len == TREE_HASH_CHUNK {
                let leaf = std::mem::take(&mut self.current).finalize();
                self.leaves.push(leaf.into());
                self.current_len = 0;
            }
        }
    }

    /// The tree hash as lowercase hex.
    pub fn finalize_hex(mut self) -> String {
        if self.current_len > 0 || self.leaves.is_empty() {
            self.leaves.push(self.current.finalize().into());
        }
        let mut level = self.leaves;
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|pair| match pair {
                    [a, b] => {
                        let mut h = Sha256::new();
                        h.update(a);
                        h.update(b);
                        h.finalize().into()
                    }
                    [a] => *a,
                    _ => unreachable!("chunks(2) yields one or two items"),
                })
                .collect();
        }
        level.first().map(|root| hex(root)).unwrap_or_default()
    }
}

/// The tree hash of `data`, as lowercase hex.
pub fn tree_hash(data: &[u8]) -> String {
    let mut t = TreeHash::new();
    t.update(data);
    t.finalize_hex()
}

/// The linear SHA-256 of `data`, as lowercase hex.
pub fn linear_hash(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Add `x-amz-content-sha256` and `x-amz-sha256-tree-hash` unless present. A streamed body must
/// come with both headers (the `checksum` parameter is the tree hash), since the core cannot read
/// it.
pub fn add_glacier_checksums(
    request: &mut http::Request<Body>,
    operation: &str,
) -> Result<(), CustomizeError> {
    let has_linear = request.headers().contains_key("x-amz-content-sha256");
    let has_tree = request.headers().contains_key("x-amz-sha256-tree-hash");
    if has_linear && has_tree {
        return Ok(());
    }
    let Some(body) = request.body().as_bytes() else {
        return Err(CustomizeError::StreamingBody {
            operation: operation.to_string(),
            what:
                "the SHA-256 linear and tree hashes (x-amz-content-sha256, x-amz-sha256-tree-hash)",
        });
    };
    let linear = (!has_linear).then(|| linear_hash(body));
    let tree = (!has_tree).then(|| tree_hash(body));
    for (name, value) in [
        ("x-amz-content-sha256", linear),
        ("x-amz-sha256-tree-hash", tree),
    ] {
        if let Some(v) = value.and_then(|v| http::HeaderValue::from_str(&v).ok()) {
            request.headers_mut().insert(name, v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::test_support::before_parameter_build;
    use crate::customize::test_support::model;
    use crate::hooks::{CallInfo, Target};
    use crate::params;

    #[test]
    fn tree_hashes_match_botocore_vectors() {
        // Values from botocore's own tree-hash unit tests.
        assert_eq!(
            tree_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            tree_hash(&[b'a'; 1024]),
            "2edc986847e209b4016e141a6dc8716d3207350f416969382d431539bf292e4a"
        );
        let mb = vec![b'a'; TREE_HASH_CHUNK];
        assert_eq!(
            tree_hash(&mb),
            "9bc1b2a288b26af7257a36277ae3816a7d4f16e89c1e7e77d0a5c48bad62b360"
        );
        let four = vec![b'a'; 4 * TREE_HASH_CHUNK];
        assert_eq!(
            tree_hash(&four),
            "9491cb2ed1d4e7cd53215f4017c23ec4ad21d7050a1e6bb636c4f67e8cddb844"
        );
        let mut odd = four.clone();
        odd.extend_from_slice(&[b'a'; 20]);
        assert_eq!(
            tree_hash(&odd),
            "12f3cbd6101b981cde074039f6f728071da8879d6f632de8afc7cdf00661b08f"
        );
        // Fed in uneven pieces, the same.
        let mut t = TreeHash::new();
        for piece in odd.chunks(333_333) {
            t.update(piece);
        }
        assert_eq!(t.finalize_hex(), tree_hash(&odd));
    }

    #[test]
    fn hooks_fill_account_version_and_checksums() {
        let mut h = Hooks::new();
        register(&mut h, &model("glacier"));
        let mut p = params! {"vaultName": "v"};
        before_parameter_build(&h, "glacier", "ListJobs", &mut p).unwrap();
        assert_eq!(p["accountId"].as_str(), Some("-"));
        let mut p = params! {"accountId": "123"};
        inject_account_id(p.as_map_mut().unwrap());
        assert_eq!(p["accountId"].as_str(), Some("123"));

        let mut r = http::Request::new(Body::from(b"hello".to_vec()));
        h.run(
            Event::BeforeCall,
            &CallInfo::new("glacier", "UploadArchive"),
            &mut Target::Request(&mut r),
        )
        .unwrap();
        assert_eq!(r.headers()["x-amz-glacier-version"], "2012-06-01");
        let sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assert_eq!(r.headers()["x-amz-content-sha256"], sha);
        assert_eq!(r.headers()["x-amz-sha256-tree-hash"], sha);

        let mut r = http::Request::builder()
            .header("x-amz-sha256-tree-hash", "given")
            .body(Body::from(b"hello".to_vec()))
            .unwrap();
        add_glacier_checksums(&mut r, "UploadArchive").unwrap();
        assert_eq!(r.headers()["x-amz-sha256-tree-hash"], "given");

        let mut r = http::Request::new(Body::Stream(crate::body::StreamingBody::new(0u8, Some(3))));
        assert!(add_glacier_checksums(&mut r, "UploadArchive").is_err());
    }
}
