// The invariants each fuzz target asserts. Shared, through `#[path]`, by the fuzz targets and by
// `tests/fuzz_corpus.rs`, which replays every committed corpus and artifact file in plain `cargo test`.
//
// The verification targets work against FIXED material committed under `fixtures/` (written once
// from the test PKI by `tests/fuzz_corpus.rs`'s ignored generator): a trust store, the signatures
// and packages that were really signed, and a validation clock. The fuzzer holds no private key,
// so "verification passed" must mean "the input carries one of the signatures that were made".
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use edoc::{
    certificates_from_bytes, verify_detached, Detached, DetachedObject, Directory, HubId,
    HubRegistry, Indication, JwsMessage, JwsSignature, Limits, MemoryStore, Package,
    ParsedSignature, PayloadKind, Policy, Router, RouterConfig, RoutingTable, Signer,
    SoftwareSigner, StatusMessage, SubmitError, TrustStore, ValidationTimes, Verifier,
};
use edoc::{
    export_edxml, export_edxml_status, import_edxml, EdxmlError, EdxmlImport, EdxmlLimits,
    EdxmlOptions,
};
use time::OffsetDateTime;

/// The validation clock: 2026-06-01 00:00 UTC, inside every fixture certificate's validity
/// (leaves 2025-01-01..2030-01-01, CRLs until 2035-01-01) and after the signing time.
pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_780_272_000).expect("a fixed, valid instant")
}

/// The claimed signing time of every fixture signature: 2025-07-02 10:00 UTC.
pub(crate) fn signed() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_751_450_400).expect("a fixed, valid instant")
}

/// The two detached objects every fixture JAdES signature covers.
pub(crate) const JADES_HEADER: &[u8] = br#"{"subject":"fixed object of the jades fuzz target"}"#;
/// The second object (an "attachment").
pub(crate) const JADES_ATTACHMENT: &[u8] = b"%PDF-1.7 fixed attachment of the jades fuzz target";

/// The objects, in signed order, as the verifier expects them.
pub(crate) fn jades_objects() -> Vec<DetachedObject> {
    vec![
        DetachedObject::from_bytes("header.json", JADES_HEADER),
        DetachedObject::from_bytes("attachments/a.pdf", JADES_ATTACHMENT),
    ]
}

const ANCHORS_PEM: &[u8] = include_bytes!("fixtures/anchors.pem");
const INTERMEDIATES_PEM: &[u8] = include_bytes!("fixtures/intermediates.pem");
const CRLS_PEM: &[u8] = include_bytes!("fixtures/crls.pem");
const ROOT_SPKI_DER: &[u8] = include_bytes!("fixtures/root-spki.der");
const JADES_GOOD: &str = include_str!("fixtures/jades-good.txt");
const JADES_UNTRUSTED: &str = include_str!("fixtures/jades-untrusted.txt");
const HUB_SEAL_PK8: &[u8] = include_bytes!("fixtures/hub-seal.pk8");
const HUB_SEAL_CHAIN_PEM: &[u8] = include_bytes!("fixtures/hub-seal-chain.pem");
const SIGNED_STATUSES: &[&[u8]] = &[
    include_bytes!("fixtures/status-03-signed.jws"),
    include_bytes!("fixtures/status-02-signed.jws"),
];
const PACKAGES: &[&[u8]] = &[
    include_bytes!("fixtures/package-es256.json"),
    include_bytes!("fixtures/package-rs256.json"),
];

/// The fixed material, built once per process.
pub(crate) struct Fixtures {
    /// Root anchor, intermediate, both CRLs.
    pub(crate) store: TrustStore,
    /// `Policy::strict()`.
    pub(crate) policy: Policy,
    /// Signatures over `jades_objects()` by trusted persons, one per algorithm.
    pub(crate) jades_good: Vec<JwsSignature>,
    /// A signature over the same objects whose chain ends at a root nobody trusts.
    pub(crate) jades_untrusted: JwsSignature,
    /// The signed packages (person then seal).
    pub(crate) packages: Vec<Package>,
    /// Status messages signed by the answering agency's seal (compact JWS), with the body
    /// each carries.
    pub(crate) signed_statuses: Vec<(&'static [u8], StatusMessage)>,
    /// `Directory::sample()`: who may seal for which agency.
    pub(crate) directory: Directory,
}

/// A `protected.signature` line of a fixture file.
fn signature_line(line: &str) -> JwsSignature {
    let (protected, signature) = line.trim().split_once('.').expect("protected.signature");
    JwsSignature {
        protected: protected.to_owned(),
        signature: signature.to_owned(),
    }
}

/// A store holding the fixture anchor, intermediate and CRLs.
pub(crate) fn fixture_store() -> TrustStore {
    let mut store = TrustStore::default();
    store.add_anchors_pem(ANCHORS_PEM).expect("fixture anchors");
    store
        .add_intermediates_pem(INTERMEDIATES_PEM)
        .expect("fixture intermediates");
    store.add_crls_pem(CRLS_PEM).expect("fixture CRLs");
    store
}

pub(crate) fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let store = fixture_store();
        let policy = Policy::strict();
        let directory = Directory::sample();
        let signed_statuses = SIGNED_STATUSES
            .iter()
            .map(|b| {
                let v = StatusMessage::verify_signed(b, &store, &policy, &directory, now())
                    .expect("fixture signed status");
                (*b, v.message().clone())
            })
            .collect();
        Fixtures {
            store,
            policy,
            signed_statuses,
            directory,
            jades_good: JADES_GOOD
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(signature_line)
                .collect(),
            jades_untrusted: signature_line(JADES_UNTRUSTED),
            packages: PACKAGES
                .iter()
                .map(|b| Package::parse(b, &Limits::default()).expect("fixture package"))
                .collect(),
        }
    })
}

/// Agency codes: parsing never panics, and whatever parses prints back to the same text.
pub(crate) fn org_id(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = text.parse::<edoc::OrgId>() {
        assert_eq!(
            id.to_string(),
            text,
            "an accepted code must print back unchanged"
        );
        if let Some(parent) = id.parent() {
            assert!(id.is_within(&parent) && parent.level() < id.level());
        }
    }
}

/// Packages: an accepted package has the canonical header of its model, re-serializes to bytes
/// that parse to the same package (same canonical header, same model), and serializing again
/// gives the same bytes.
pub(crate) fn package(data: &[u8]) {
    let limits = Limits::default();
    let Ok(parsed) = Package::parse(data, &limits) else {
        return;
    };
    assert_eq!(
        parsed.canonical_header(),
        parsed.header().canonical_bytes().as_slice(),
        "the signed bytes must be the canonical form of the header as understood"
    );
    assert!(parsed.canonical_header().len() <= limits.max_header_bytes);
    let json = parsed.to_json();
    let again = match Package::parse(&json, &limits) {
        Ok(p) => p,
        Err(e) => panic!("a parsed package re-serializes to bytes it refuses: {e}"),
    };
    assert_eq!(again.canonical_header(), parsed.canonical_header());
    assert_eq!(again, parsed, "the round trip must keep the model");
    assert_eq!(again.to_json(), json, "serialization must be a fixed point");
}

/// Whether `sig` is one of `known`: byte for byte, or its ECDSA twin (see [`same_signature`]).
fn is_one_of(sig: &JwsSignature, known: &[JwsSignature]) -> bool {
    known.iter().any(|k| same_signature(k, sig))
}

/// The group orders of P-256 and P-384, big-endian.
const P256_ORDER: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const P384_ORDER: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";

/// Whether `seen` is the signature `made`: the same bytes, or, for ECDSA, the same protected
/// header and the twin value (r, n − s). Anyone can turn one into the other without a key
/// (malleability; edoc writes the low s and reports a high one), so both are "made".
fn same_signature(made: &JwsSignature, seen: &JwsSignature) -> bool {
    if made == seen {
        return true;
    }
    if made.protected != seen.protected {
        return false;
    }
    let (Some(a), Some(b)) = (b64url(&made.signature), b64url(&seen.signature)) else {
        return false;
    };
    let order = match a.len() {
        64 => P256_ORDER,
        96 => P384_ORDER,
        _ => return false,
    };
    let n: Vec<u8> = (0..order.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&order[i..i + 2], 16).ok())
        .collect();
    let half = n.len();
    if b.len() != a.len() || a[..half] != b[..half] {
        return false;
    }
    // s_a + s_b == n, added from the least significant byte.
    let mut carry = 0u16;
    let mut sum = vec![0u8; half];
    for i in (0..half).rev() {
        let t = u16::from(a[half + i]) + u16::from(b[half + i]) + carry;
        sum[i] = (t & 0xff) as u8;
        carry = t >> 8;
    }
    carry == 0 && sum == n
}

/// Decodes unpadded base64url (RFC 4648 §5); `None` for anything else.
fn b64url(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Whether `seen` carries, one for one, the signatures of `made` (see [`same_signature`]).
fn same_signatures(made: &[JwsSignature], seen: &[JwsSignature]) -> bool {
    made.len() == seen.len() && made.iter().zip(seen).all(|(m, s)| same_signature(m, s))
}

/// JAdES: every signature of a JWS (compact, flattened or general JSON) is parsed, checked
/// against the fixed objects, and its chain validated against the fixed store. The signature
/// value may only check out for a signature that was really made over those objects, and the
/// chain only for the trusted one (or its ECDSA twin, which is the same signature to anyone who
/// checks it); reformatting the JSON around them is harmless.
pub(crate) fn jades(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(message) = JwsMessage::parse(text) else {
        return;
    };
    let fx = fixtures();
    let objects = jades_objects();
    let mut made = fx.jades_good.clone();
    made.push(fx.jades_untrusted.clone());
    for (i, sig) in message.signatures.iter().enumerate() {
        let Ok(parsed) = ParsedSignature::parse(sig) else {
            continue;
        };
        // Unsigned properties: read within limits; no timestamp was ever made over a fixture
        // signature, so none can give a proof of existence.
        if let Ok(props) = message.unsigned_properties(i) {
            let eval = edoc::LevelEvaluation::evaluate(
                &parsed,
                &props,
                edoc::SignedContent::Documents(&[JADES_ATTACHMENT]),
            );
            assert_eq!(
                eval.best_signature_time(),
                None,
                "a timestamp nobody made: {sig:?}"
            );
            let _ = props.to_header();
        }
        assert_eq!(parsed.protected_b64(), sig.protected);
        assert_eq!(parsed.leaf(), parsed.chain().first());
        let value_ok = verify_detached(&parsed, &objects).is_ok();
        if value_ok {
            assert!(
                is_one_of(sig, &made),
                "verify_detached accepted a signature that was never made: {sig:?}"
            );
        }
        let signing_time = parsed.signing_time().expect("B-B requires a signing time");
        let times = ValidationTimes::signed_at(now(), signing_time);
        let chain_ok = fx
            .store
            .validate_chain(parsed.chain(), times, &fx.policy)
            .is_ok();
        if value_ok && chain_ok {
            assert!(
                is_one_of(sig, &fx.jades_good),
                "a signature passed value and chain checks but is not a trusted fixture: {sig:?}"
            );
        }
    }
    // One detached document for the whole message, as a command-line verifier does.
    if let Ok(verified) = message.verify(Some(JADES_ATTACHMENT)) {
        for sig in &message.signatures {
            assert!(
                is_one_of(sig, &made),
                "JwsMessage::verify accepted {} signature(s), one never made: {sig:?}",
                verified.len()
            );
        }
    }
}

/// Full package verification against the fixed store and `Policy::strict()`: a package that
/// verifies carries exactly the signatures, header and attachments of a fixture package (the
/// unsigned trace aside); every refusal names a sub-indication.
pub(crate) fn package_verify(data: &[u8]) {
    let fx = fixtures();
    let verifier = Verifier::new(&fx.store, &fx.policy);
    match verifier.verify_bytes(data, &Limits::default(), &mut Detached::none(), now()) {
        Ok(verified) => {
            let p = verified.package();
            let Some(original) = fx
                .packages
                .iter()
                .find(|f| same_signatures(f.signatures(), p.signatures()))
            else {
                panic!("a package verified with signatures that were never made");
            };
            assert_eq!(p.header(), original.header(), "signed header differs");
            assert_eq!(p.canonical_header(), original.canonical_header());
            for a in original.header().attachments() {
                assert_eq!(
                    p.inline_content(a.name()),
                    original.inline_content(a.name()),
                    "attachment {} differs from what was signed",
                    a.name()
                );
            }
            assert_eq!(verified.report().indication(), Indication::TotalPassed);
            assert_eq!(verified.signatures().len(), p.signatures().len());
        }
        Err(rejected) => {
            assert!(
                rejected.sub_indication().is_some(),
                "a rejection must say why: {}",
                rejected.report()
            );
            assert_ne!(rejected.report().indication(), Indication::TotalPassed);
        }
    }
}

/// Status message bodies: an accepted body passes its own checks, and its canonical JSON parses
/// back to the same message and re-serializes to the same bytes.
pub(crate) fn status(data: &[u8]) {
    let Ok(msg) = StatusMessage::from_json(data) else {
        return;
    };
    assert_eq!(msg.check(), Ok(()));
    let json = msg.to_json();
    assert!(!json.is_empty(), "an accepted status must serialize");
    let again = match StatusMessage::from_json(&json) {
        Ok(m) => m,
        Err(e) => panic!("a parsed status re-serializes to bytes it refuses: {e}"),
    };
    assert_eq!(again, msg);
    assert_eq!(again.to_json(), json);
}

/// edXML documents, imported with the default limits: every refusal names an element path; an
/// accepted document's package serializes to bytes that parse back to it; exported again and
/// imported from the envelope alone it gives the same header and attachments (the embedded
/// package gives the same package); an accepted status exports and imports back to the same
/// message and details. Export may refuse (a document type without an edXML number, a name
/// XML cannot carry) only with an export error.
pub(crate) fn edxml(data: &[u8]) {
    let limits = EdxmlLimits::default();
    let options = EdxmlOptions::default();
    let envelope_only = EdxmlOptions {
        use_embedded: false,
        ..EdxmlOptions::default()
    };
    let imported = match import_edxml(data, &limits, &options) {
        Ok(i) => i,
        Err(e) => {
            assert!(
                e.path().is_some_and(|p| !p.is_empty()),
                "a refusal without an element path: {e}"
            );
            return;
        }
    };
    match imported {
        EdxmlImport::Document(doc) => {
            let package = doc.package();
            let parsed = Package::parse(&package.to_json(), &Limits::default())
                .unwrap_or_else(|e| panic!("an imported package does not parse back: {e}"));
            assert_eq!(&parsed, package);
            let xml = match export_edxml(package, &mut Detached::none(), &limits, &options) {
                Ok(xml) => xml,
                Err(EdxmlError::Export { .. }) => return,
                Err(e) => panic!("export failed with a non-export error: {e}"),
            };
            let again = |options: &EdxmlOptions| match import_edxml(&xml, &limits, options) {
                Ok(EdxmlImport::Document(d)) => d,
                Ok(EdxmlImport::Status(_)) => panic!("an exported document imports as a status"),
                Err(e) => panic!("an exported document is refused: {e}"),
            };
            let inside = again(&options);
            assert_eq!(inside.package(), package, "the embedded package differs");
            if !doc.is_embedded() {
                let envelope = again(&envelope_only);
                assert_eq!(
                    envelope.package(),
                    package,
                    "the envelope does not round-trip"
                );
            }
        }
        EdxmlImport::Status(status) => {
            let xml = match export_edxml_status(status.message(), None, status.details(), &options)
            {
                Ok(xml) => xml,
                Err(EdxmlError::Export { .. }) => return,
                Err(e) => panic!("status export failed with a non-export error: {e}"),
            };
            match import_edxml(&xml, &limits, &options) {
                Ok(EdxmlImport::Status(again)) => {
                    assert_eq!(again.message(), status.message());
                    assert_eq!(again.details(), status.details());
                }
                Ok(EdxmlImport::Document(_)) => panic!("an exported status imports as a document"),
                Err(e) => panic!("an exported status is refused: {e}"),
            }
        }
    }
}

/// Signed status messages (a compact JWS by the answering agency's seal), verified against the
/// fixed store, `Policy::strict()` and `Directory::sample()`: only a status that was really
/// signed verifies, with exactly the signed body; every refusal is a typed error.
pub(crate) fn signed_status(data: &[u8]) {
    let fx = fixtures();
    match StatusMessage::verify_signed(data, &fx.store, &fx.policy, &fx.directory, now()) {
        Ok(verified) => {
            let Some((_, signed)) = fx
                .signed_statuses
                .iter()
                .find(|(b, _)| b.trim_ascii() == data.trim_ascii())
            else {
                panic!("a status verified that was never signed: {data:?}");
            };
            assert_eq!(
                verified.message(),
                signed,
                "the verified body is not the signed one"
            );
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// Trust bundles: the first byte picks what the rest is loaded as (0 anchors PEM, 1 intermediates
/// PEM, 2 CRLs PEM, 3 anchor DER, 4 intermediate DER, 5 CRL DER). Loading never panics and
/// bumps the store's generation once per item; fuzzed intermediates or CRLs never make the
/// untrusted chain validate, fuzzed intermediates never break the trusted chain, and fuzzed
/// anchors only validate the trusted chain when they carry the fixture root's key.
pub(crate) fn trust_bundle(data: &[u8]) {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let fx = fixtures();
    let good = ParsedSignature::parse(&fx.jades_good[0]).expect("fixture signature");
    let untrusted = ParsedSignature::parse(&fx.jades_untrusted).expect("fixture signature");
    let times = ValidationTimes::signed_at(now(), signed());
    let validates = |store: &TrustStore, sig: &ParsedSignature| {
        store.validate_chain(sig.chain(), times, &fx.policy).is_ok()
    };
    let loaded = |store: &mut TrustStore, kind: u8| -> Result<usize, edoc::TrustStoreError> {
        match kind {
            0 => store.add_anchors_pem(body),
            1 => store.add_intermediates_pem(body),
            2 => store.add_crls_pem(body),
            3 => store.add_anchor_der(body).map(|()| 1),
            4 => store.add_intermediate_der(body).map(|()| 1),
            _ => store.add_crl_der(body).map(|()| 1),
        }
    };
    let kind = mode % 6;
    let mut store = if kind == 0 || kind == 3 {
        // Anchors go into a store without any: only the fuzzed ones can anchor a path.
        let mut s = TrustStore::default();
        s.add_intermediates_pem(INTERMEDIATES_PEM).expect("fixture");
        s.add_crls_pem(CRLS_PEM).expect("fixture");
        s
    } else {
        fixture_store()
    };
    let before = store.generation();
    let result = loaded(&mut store, kind);
    if let Ok(n) = result {
        assert_eq!(
            store.generation(),
            before + n as u64,
            "each loaded item bumps the generation once"
        );
    }
    match kind {
        0 | 3 => {
            if validates(&store, &good) {
                // An anchor is a name and a key (RFC 5280 §6.1.1): only the root's key can
                // anchor the path, whatever else the fuzzed certificate says.
                let ders: Vec<Vec<u8>> = if kind == 3 {
                    vec![body.to_vec()]
                } else {
                    certificates_from_bytes(body)
                        .map(|v| v.iter().map(|c| c.to_vec()).collect())
                        .unwrap_or_default()
                };
                assert!(
                    ders.iter()
                        .any(|d| d.windows(ROOT_SPKI_DER.len()).any(|w| w == ROOT_SPKI_DER)),
                    "a fuzzed anchor without the root's key validated the trusted chain"
                );
            }
        }
        1 | 4 => {
            assert!(
                validates(&store, &good),
                "a fuzzed intermediate broke the trusted chain"
            );
            assert!(!validates(&store, &untrusted));
        }
        _ => assert!(!validates(&store, &untrusted)),
    }
}

/// The hub `hub.h57` of `RoutingTable::sample()`, serving `Directory::sample()`, over the fixed
/// trust store and `Policy::strict()`, with an in-memory store; built once per process.
pub(crate) fn hub() -> &'static Router {
    static HUB: OnceLock<Router> = OnceLock::new();
    HUB.get_or_init(|| {
        let chain = certificates_from_bytes(HUB_SEAL_CHAIN_PEM).expect("fixture hub chain");
        let seal = SoftwareSigner::from_pkcs8_der(HUB_SEAL_PK8, chain, None).expect("hub seal");
        let hub: HubId = "hub.h57".parse().expect("hub name");
        let mut hubs = HubRegistry::new();
        let leaf = seal
            .certificate_chain()
            .first()
            .expect("hub seal certificate");
        hubs.add(hub.clone(), Directory::certificate_fingerprint(leaf));
        // A neighbour whose seal is no certificate at all: nothing it sends can verify.
        hubs.add(national(), [0x4e; 32]);
        Router::new(RouterConfig {
            hub,
            trust: Arc::new(fixture_store()),
            policy: Policy::strict(),
            limits: Limits::default(),
            directory: Arc::new(Directory::sample()),
            table: RoutingTable::sample(),
            hubs,
            seal: Arc::new(seal),
            store: Arc::new(MemoryStore::new(time::Duration::minutes(5))),
        })
    })
}

/// `Router::submit` on the in-memory hub: never panics; a refusal is a typed error that says
/// why (a rejected package names its sub-indication); only the fixture packages, signed by the
/// fixture keys, are ever accepted, with their signed header and attachments.
pub(crate) fn submit(data: &[u8]) {
    let fx = fixtures();
    match hub().submit(data, now()) {
        Ok(accepted) => {
            let p = Package::parse(data, &Limits::default()).expect("an accepted package parses");
            let Some(original) = fx
                .packages
                .iter()
                .find(|f| same_signatures(f.signatures(), p.signatures()))
            else {
                panic!("the hub accepted a package with signatures that were never made");
            };
            assert_eq!(p.header(), original.header(), "signed header differs");
            for a in original.header().attachments() {
                assert_eq!(
                    p.inline_content(a.name()),
                    original.inline_content(a.name())
                );
            }
            assert_eq!(accepted.receipt.message_id, p.header().id().to_string());
            assert_eq!(accepted.receipt.from, p.header().sender().id);
        }
        Err(SubmitError::Rejected(rejected)) => {
            assert!(
                rejected.sub_indication().is_some(),
                "a rejection must say why: {}",
                rejected.report()
            );
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
        }
    }
}

fn national() -> HubId {
    "hub.national".parse().expect("hub name")
}

/// `Router::receive` of a status (a forwarded status: the signed status and the hubs' trace)
/// from the neighbouring hub `hub.national`, whose registered seal no certificate matches:
/// never panics, never accepts (no trace entry of that hub can verify, and without one a
/// status from a hub is refused), and every refusal is a typed error that says why.
pub(crate) fn hub_status(data: &[u8]) {
    match hub().receive(&national(), PayloadKind::Status, data, now()) {
        Ok(_) => panic!("a status from another hub was accepted without its signed trace"),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// A target's invariant check over one input.
pub(crate) type Check = fn(&[u8]);

/// Every target by name, for the corpus replay.
/// The data every fixture timestamp token covers (its message imprint is SHA-256 of it).
pub(crate) const TOKEN_DATA: &[u8] = b"fixed data the fuzz fixture timestamp tokens cover";
/// The content the fixture detached CMS signature covers.
pub(crate) const CMS_CONTENT: &[u8] = b"%PDF-1.7 fixed byte range of the cms fuzz target";

const TSA_ANCHORS_PEM: &[u8] = include_bytes!("fixtures/tsa-anchors.pem");
const TSA_INTERMEDIATES_PEM: &[u8] = include_bytes!("fixtures/tsa-intermediates.pem");
const TSA_CRLS_PEM: &[u8] = include_bytes!("fixtures/tsa-crls.pem");
const TOKENS: &[&[u8]] = &[
    include_bytes!("fixtures/token-es256.der"),
    include_bytes!("fixtures/token-rs256.der"),
];
const CMS_DETACHED: &[u8] = include_bytes!("fixtures/cms-detached.der");

/// The timestamp fixtures: a store of their own test PKI, the tokens and the CMS signature
/// that were really made with it.
pub(crate) struct TimestampFixtures {
    pub(crate) store: TrustStore,
    pub(crate) tokens: Vec<edoc::TimestampToken>,
    pub(crate) cms: edoc::CmsSignedData,
}

pub(crate) fn timestamp_fixtures() -> &'static TimestampFixtures {
    static FIXTURES: OnceLock<TimestampFixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let mut store = TrustStore::default();
        store
            .add_anchors_pem(TSA_ANCHORS_PEM)
            .expect("fixture anchors");
        store
            .add_intermediates_pem(TSA_INTERMEDIATES_PEM)
            .expect("fixture intermediates");
        store.add_crls_pem(TSA_CRLS_PEM).expect("fixture CRLs");
        TimestampFixtures {
            store,
            tokens: TOKENS
                .iter()
                .map(|t| edoc::TimestampToken::parse(t).expect("fixture token"))
                .collect(),
            cms: edoc::CmsSignedData::parse(CMS_DETACHED).expect("fixture CMS"),
        }
    })
}

/// Timestamp tokens: parsing never panics; a token whose CMS signature checks out carries
/// exactly the TSTInfo of a fixture token (the fuzzer holds no TSA key), and its TSA chain
/// validates against the fixture store only then.
pub(crate) fn timestamp_token(data: &[u8]) {
    let Ok(token) = edoc::TimestampToken::parse(data) else {
        return;
    };
    let _ = (
        token.gen_time(),
        token.nonce(),
        token.tsa_name(),
        token.policy(),
        token.serial_number(),
        token.certificates().len(),
        token.imprint_algorithm(),
    );
    let covers_fixture_data = token.check_imprint(TOKEN_DATA, "data").is_ok();
    let Ok(signer) = token.verify_signature(&[]) else {
        return;
    };
    let fx = timestamp_fixtures();
    let made = fx.tokens.iter().find(|t| {
        t.gen_time() == token.gen_time()
            && t.message_imprint() == token.message_imprint()
            && t.serial_number() == token.serial_number()
            && t.nonce() == token.nonce()
    });
    assert!(made.is_some(), "a token that was never made verifies");
    assert!(covers_fixture_data, "a verified token covers other data");
    let _ = edoc::TimestampToken::validate_tsa_chain(
        &signer,
        &fx.store,
        &Policy::strict(),
        token.gen_time(),
    );
}

/// CMS SignedData: parsing never panics; a signature that verifies over the fixture content
/// is the fixture's own (same signature value, same signer certificate).
pub(crate) fn cms(data: &[u8]) {
    let Ok(cms) = edoc::CmsSignedData::parse(data) else {
        return;
    };
    let _ = (
        cms.content_type(),
        cms.content().map(<[u8]>::len),
        cms.certificates().len(),
        cms.crls().len(),
        cms.digest_algorithm(),
    );
    let _ = cms.verify(None, &[]);
    if let Ok(signer) = cms.verify(Some(CMS_CONTENT), &[]) {
        let fx = timestamp_fixtures();
        assert_eq!(cms.signature_value(), fx.cms.signature_value());
        assert_eq!(
            signer.certificate(),
            fx.cms
                .verify(Some(CMS_CONTENT), &[])
                .expect("fixture")
                .certificate()
        );
    }
}

pub(crate) const TARGETS: &[(&str, Check)] = &[
    ("org_id", org_id),
    ("package", package),
    ("jades", jades),
    ("package_verify", package_verify),
    ("status", status),
    ("signed_status", signed_status),
    ("trust_bundle", trust_bundle),
    ("submit", submit),
    ("timestamp_token", timestamp_token),
    ("cms", cms),
    ("edxml", edxml),
    ("hub_status", hub_status),
];
