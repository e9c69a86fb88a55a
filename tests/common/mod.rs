//! Shared helpers for integration tests: the test PKI and pinned times.
#![allow(dead_code)]

use std::sync::OnceLock;

use edoc::{OrgId, TestIdentity, TestPki, TrustStore};
use time::{macros::datetime, OffsetDateTime};

/// The validation clock of the tests: 2026-06-01 (inside every test leaf's 2025–2030 validity).
pub(crate) const NOW: OffsetDateTime = datetime!(2026-06-01 00:00 UTC);
/// The signing time the tests' signatures claim: 2026-05-31.
pub(crate) const SIGNED: OffsetDateTime = datetime!(2026-05-31 09:00 UTC);

/// One test PKI per test binary.
pub(crate) fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::new().expect("test PKI"))
}

/// An agency code of the illustrative sample directory.
pub(crate) fn org(code: &str) -> OrgId {
    code.parse().expect("agency code")
}

/// A store trusting the test root, knowing the intermediate, with both CRLs; `revoked` lists
/// identities on the intermediate's CRL with their revocation dates.
pub(crate) fn store_with(revoked: &[(&TestIdentity, OffsetDateTime)]) -> TrustStore {
    let pki = pki();
    let mut store = TrustStore::default();
    store.add_anchors_pem(pki.anchors_pem().as_bytes()).unwrap();
    store
        .add_intermediates_pem(pki.intermediates_pem().as_bytes())
        .unwrap();
    store
        .add_crls_pem(pki.crls_pem(revoked).unwrap().as_bytes())
        .unwrap();
    store
}
