//! What a package signature covers, for signing and verifying alike: the JAdES signatures the
//! domain requires are bound to the header, every attachment and every earlier signature.
//!
//! Each signature's `sigD` covers, in this order:
//! - `header.json`: the RFC 8785 canonical bytes of the header (which carries the attachment
//!   manifest, so names, media types, sizes and digests are signed too);
//! - `attachments/<name>`: the raw bytes of each attachment, in manifest order;
//! - `signatures/<i>`: each earlier signature, as the ASCII bytes `protected || "." || signature`.
//!
//! The last item makes the order cryptographic: the agency seal signs over the competent
//! person's signature, so the seal cannot be moved before it, and the person's signature cannot
//! be removed or swapped without breaking the seal.

use sha2::{Digest, Sha256};

use super::{Detached, Package, PackageError};
use crate::jades::{DetachedObject, JwsSignature};

/// The `pars` name of the canonical header.
pub(super) const HEADER_URI: &str = "header.json";

pub(super) fn attachment_uri(name: &str) -> String {
    format!("attachments/{name}")
}

fn signature_uri(index: usize) -> String {
    format!("signatures/{index}")
}

fn signature_digest(sig: &JwsSignature) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(sig.protected.as_bytes());
    h.update(b".");
    h.update(sig.signature.as_bytes());
    h.finalize().into()
}

/// The objects signature number `index` must cover, given the header and attachment objects.
pub(super) fn objects_for(
    base: &[DetachedObject],
    signatures: &[JwsSignature],
) -> Vec<DetachedObject> {
    let mut objects = base.to_vec();
    objects.extend(signatures.iter().enumerate().map(|(i, s)| DetachedObject {
        uri: signature_uri(i),
        sha256: signature_digest(s),
    }));
    objects
}

pub(super) fn base_objects(
    package: &Package,
    detached: &mut Detached<'_>,
) -> Result<Vec<DetachedObject>, PackageError> {
    let mut objects = vec![DetachedObject::from_bytes(
        HEADER_URI,
        package.canonical_header(),
    )];
    for a in package.attachment_digests(detached)? {
        objects.push(DetachedObject {
            uri: attachment_uri(&a.name),
            sha256: a.sha256,
        });
    }
    Ok(objects)
}
