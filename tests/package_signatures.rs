//! Signing and verifying whole packages: the person's approval, then the agency seal, against a
//! generated test PKI (root → intermediate → leaves). Every case asserts its sub-indication.

use base64::Engine;
use edoc::{
    Agency, Algorithm, AttachmentEntry, Commitment, Competence, Defect, Detached, HeaderBuilder,
    Holder, IdentitySpec, JwsSignature, Limits, OrgId, Package, Policy, Rejected, SignPackageError,
    SubIndication, TestIdentity, TestPki, TrustStore, Verifier,
};
use time::macros::{date, datetime};
use time::OffsetDateTime;

// Signed at 10:00 on 2 July 2025, checked the same day: inside every test certificate's
// validity (leaves 2025-01-01..2030-01-01) and before any CRL's nextUpdate.
const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
const PDF: &[u8] =
    b"%PDF-1.7 request for purchasing guidelines and early allocation of the 2025 budget";
const ANNEX: &[u8] = b"%PDF-1.7 annex: list of items";

fn id(code: &str) -> OrgId {
    code.parse().unwrap()
}

const A_LUOI_5: &str = "000.05.05.H57";
const A_LUOI_1: &str = "000.01.05.H57";
const FINANCE: &str = "000.00.10.H57";

struct World {
    pki: TestPki,
    store: TrustStore,
    policy: Policy,
}

impl World {
    fn new() -> World {
        let pki = TestPki::new().unwrap();
        let store = pki.trust_store(&[]).unwrap();
        World {
            pki,
            store,
            policy: Policy::strict(),
        }
    }

    fn person(&self, alg: Algorithm) -> TestIdentity {
        self.pki
            .person("Hồ Văn Chủ Tịch", "UBND xã A Lưới 5", &id(A_LUOI_5), alg)
            .unwrap()
    }

    fn seal(&self, code: &str, alg: Algorithm) -> TestIdentity {
        self.pki.seal("UBND xã", &id(code), alg).unwrap()
    }

    fn verify(&self, p: Package) -> Result<edoc::VerifiedPackage, Rejected> {
        Verifier::new(&self.store, &self.policy).verify(p, &mut Detached::none(), NOW)
    }

    fn verify_bytes(&self, bytes: &[u8]) -> Result<edoc::VerifiedPackage, Rejected> {
        Verifier::new(&self.store, &self.policy).verify_bytes(
            bytes,
            &Limits::default(),
            &mut Detached::none(),
            NOW,
        )
    }
}

fn header(sender: &str, subject: &str) -> edoc::Header {
    HeaderBuilder::new()
        .sender(Agency::new(id(sender), "Ủy ban nhân dân xã A Lưới 5"))
        .recipient(Agency::new(id(FINANCE), "Sở Tài chính"))
        .document_type("CV", "Công văn")
        .number_and_notation("42", "UBND-TCKH")
        .issued("A Lưới", date!(2025 - 07 - 02))
        .subject(subject)
        .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
        .attachment(AttachmentEntry::for_bytes("request.pdf", "application/pdf", PDF).unwrap())
        .attachment(AttachmentEntry::for_bytes("annex.pdf", "application/pdf", ANNEX).unwrap())
        .build()
        .unwrap()
}

fn unsigned(sender: &str, subject: &str) -> Package {
    Package::new(
        header(sender, subject),
        [
            ("request.pdf".to_owned(), PDF.to_vec()),
            ("annex.pdf".to_owned(), ANNEX.to_vec()),
        ],
    )
    .unwrap()
}

fn sign(p: &mut Package, who: &TestIdentity, c: Commitment) {
    p.sign(&who.signer().unwrap(), c, SIGNED, &mut Detached::none())
        .unwrap();
}

/// A correctly signed request from A Luoi 5: chairman (ES256) then the commune seal (`seal_alg`).
fn signed(w: &World, person_alg: Algorithm, seal_alg: Algorithm) -> Package {
    let mut p = unsigned(
        A_LUOI_5,
        "Xin hướng dẫn mua sắm và tạm cấp kinh phí năm 2025",
    );
    sign(&mut p, &w.person(person_alg), Commitment::ProofOfApproval);
    sign(
        &mut p,
        &w.seal(A_LUOI_5, seal_alg),
        Commitment::ProofOfOrigin,
    );
    p
}

fn sub(r: Result<edoc::VerifiedPackage, Rejected>) -> SubIndication {
    match r {
        Ok(_) => panic!("verification passed but must fail"),
        Err(e) => e
            .sub_indication()
            .unwrap_or_else(|| panic!("no sub-indication in {}", e.report())),
    }
}

fn replace_in_json(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(s.contains(from), "fixture does not contain {from:?}");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn person_then_seal_verifies_for_every_algorithm_pair() {
    let w = World::new();
    for (p_alg, s_alg) in [
        (Algorithm::Es256, Algorithm::Rs256),
        (Algorithm::Ps256, Algorithm::Es384),
        (Algorithm::EdDsa, Algorithm::Es256),
        (Algorithm::Rs256, Algorithm::EdDsa),
    ] {
        let p = signed(&w, p_alg, s_alg);
        let v = w
            .verify_bytes(&p.to_json())
            .unwrap_or_else(|e| panic!("{p_alg}/{s_alg}: {}", e.report()));
        assert_eq!(v.signatures().len(), 2);
        assert_eq!(
            v.report().indication(),
            edoc::Indication::TotalPassed,
            "{}",
            v.report()
        );
        let seal = v.seal().expect("a seal");
        assert_eq!(seal.chain().subject().org_id, Some(id(A_LUOI_5)));
        assert_eq!(
            v.signatures()[0].chain().subject().common_name.as_deref(),
            Some("Hồ Văn Chủ Tịch")
        );
    }
}

#[test]
fn reformatted_package_still_verifies_with_the_same_content_digest() {
    let w = World::new();
    let p = signed(&w, Algorithm::Es256, Algorithm::Es256);
    let bytes = p.to_json();
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    assert_ne!(pretty, bytes);
    let a = w.verify_bytes(&bytes).unwrap();
    let b = w.verify_bytes(&pretty).unwrap();
    assert_eq!(a.content_digest(), b.content_digest());
}

#[test]
fn tampered_header_byte_is_a_hash_failure() {
    let w = World::new();
    let bytes = signed(&w, Algorithm::Es256, Algorithm::Es256).to_json();
    let bad = replace_in_json(&bytes, "\"number\":\"42\"", "\"number\":\"43\"");
    assert_eq!(sub(w.verify_bytes(&bad)), SubIndication::HashFailure);
}

#[test]
fn tampered_attachment_is_a_hash_failure() {
    let w = World::new();
    let bytes = signed(&w, Algorithm::Es256, Algorithm::Es256).to_json();
    let good = base64::engine::general_purpose::STANDARD.encode(ANNEX);
    let mut evil = ANNEX.to_vec();
    evil[10] ^= 1;
    let evil = base64::engine::general_purpose::STANDARD.encode(&evil);
    let bad = replace_in_json(&bytes, &good, &evil);
    assert_eq!(sub(w.verify_bytes(&bad)), SubIndication::HashFailure);
}

#[test]
fn swapped_attachments_are_a_hash_failure() {
    let w = World::new();
    let bytes = signed(&w, Algorithm::Es256, Algorithm::Es256).to_json();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let s = String::from_utf8(bytes).unwrap();
    let swapped = s
        .replacen(&b64(PDF), "@@PDF@@", 1)
        .replacen(&b64(ANNEX), &b64(PDF), 1)
        .replacen("@@PDF@@", &b64(ANNEX), 1);
    assert_eq!(
        sub(w.verify_bytes(swapped.as_bytes())),
        SubIndication::HashFailure
    );
}

#[test]
fn removing_the_seal_leaves_a_document_without_proof_of_origin() {
    let w = World::new();
    let mut p = unsigned(A_LUOI_5, "x");
    sign(
        &mut p,
        &w.person(Algorithm::Es256),
        Commitment::ProofOfApproval,
    );
    let e = w.verify(p).unwrap_err();
    assert_eq!(
        e.sub_indication(),
        Some(SubIndication::SigConstraintsFailure)
    );
    assert!(
        e.report().to_string().contains("agency seal"),
        "{}",
        e.report()
    );
}

#[test]
fn removing_the_persons_signature_breaks_the_seal() {
    let w = World::new();
    let p = signed(&w, Algorithm::Es256, Algorithm::Es256);
    let seal_only = p.signatures()[1].clone();
    let mut value: serde_json::Value = serde_json::from_slice(&p.to_json()).unwrap();
    value["signatures"]["signatures"] = serde_json::json!([seal_only]);
    let e = w
        .verify_bytes(&serde_json::to_vec(&value).unwrap())
        .unwrap_err();
    // The document rule speaks first; the seal itself no longer matches its signed objects.
    assert_eq!(
        e.sub_indication(),
        Some(SubIndication::SigConstraintsFailure)
    );
    assert_eq!(
        e.report().signatures[0].sub_indication,
        Some(SubIndication::SignedDataNotFound)
    );
}

#[test]
fn seal_moved_before_the_persons_signature_is_refused() {
    let w = World::new();
    let p = signed(&w, Algorithm::Es256, Algorithm::Es256);
    let mut value: serde_json::Value = serde_json::from_slice(&p.to_json()).unwrap();
    let sigs = p.signatures();
    value["signatures"]["signatures"] = serde_json::json!([sigs[1], sigs[0]]);
    let e = w
        .verify_bytes(&serde_json::to_vec(&value).unwrap())
        .unwrap_err();
    assert_eq!(
        e.sub_indication(),
        Some(SubIndication::SigConstraintsFailure)
    );
}

#[test]
fn approval_after_the_seal_is_refused_when_signing() {
    let w = World::new();
    let mut p = unsigned(A_LUOI_5, "x");
    sign(
        &mut p,
        &w.seal(A_LUOI_5, Algorithm::Es256),
        Commitment::ProofOfOrigin,
    );
    let err = p
        .sign(
            &w.person(Algorithm::Es256).signer().unwrap(),
            Commitment::ProofOfApproval,
            SIGNED,
            &mut Detached::none(),
        )
        .unwrap_err();
    assert!(matches!(err, SignPackageError::AfterSeal { .. }), "{err}");
}

#[test]
fn seal_of_another_commune_cannot_speak_for_the_sender() {
    let w = World::new();
    let mut p = unsigned(A_LUOI_5, "x");
    sign(
        &mut p,
        &w.person(Algorithm::Es256),
        Commitment::ProofOfApproval,
    );
    sign(
        &mut p,
        &w.seal(A_LUOI_1, Algorithm::Es256),
        Commitment::ProofOfOrigin,
    );
    let e = w.verify(p).unwrap_err();
    assert_eq!(
        e.sub_indication(),
        Some(SubIndication::SigConstraintsFailure)
    );
    let text = e.report().to_string();
    assert!(
        text.contains(A_LUOI_1) && text.contains(A_LUOI_5),
        "the report names both agencies: {text}"
    );
}

#[test]
fn signature_spliced_from_another_package_is_a_hash_failure() {
    let w = World::new();
    let a = signed(&w, Algorithm::Es256, Algorithm::Es256);
    let mut b = unsigned(A_LUOI_5, "Một văn bản khác");
    for s in a.signatures() {
        b.push_signature(s.clone());
    }
    assert_eq!(sub(w.verify(b)), SubIndication::HashFailure);
}

fn with_defect(w: &World, defect: Defect) -> SubIndication {
    let bad = w
        .pki
        .issue(&IdentitySpec {
            holder: Holder::Seal {
                agency_name: "UBND xã A Lưới 5".into(),
                agency: id(A_LUOI_5),
            },
            algorithm: Algorithm::Es256,
            defect,
        })
        .unwrap();
    let mut p = unsigned(A_LUOI_5, "x");
    sign(
        &mut p,
        &w.person(Algorithm::Es256),
        Commitment::ProofOfApproval,
    );
    sign(&mut p, &bad, Commitment::ProofOfOrigin);
    sub(w.verify(p))
}

#[test]
fn certificate_defects_map_to_their_sub_indications() {
    let w = World::new();
    assert_eq!(with_defect(&w, Defect::Expired), SubIndication::Expired);
    assert_eq!(
        with_defect(&w, Defect::NotYetValid),
        SubIndication::NotYetValid
    );
    assert_eq!(
        with_defect(&w, Defect::WrongEku),
        SubIndication::ChainConstraintsFailure
    );
    assert_eq!(
        with_defect(&w, Defect::NoKeyUsage),
        SubIndication::ChainConstraintsFailure
    );
    assert_eq!(
        with_defect(&w, Defect::UntrustedRoot),
        SubIndication::NoCertificateChainFound
    );
}

#[test]
fn seal_revoked_before_signing_is_revoked() {
    let mut w = World::new();
    let seal = w.seal(A_LUOI_5, Algorithm::Es256);
    w.store = w
        .pki
        .trust_store(&[(&seal, datetime!(2025-06-01 00:00 UTC))])
        .unwrap();
    let mut p = unsigned(A_LUOI_5, "x");
    sign(
        &mut p,
        &w.person(Algorithm::Es256),
        Commitment::ProofOfApproval,
    );
    sign(&mut p, &seal, Commitment::ProofOfOrigin);
    assert_eq!(sub(w.verify(p)), SubIndication::Revoked);
}

fn forged(protected: serde_json::Value, signature: &[u8]) -> JwsSignature {
    let enc = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    JwsSignature {
        protected: enc(&serde_json::to_vec(&protected).unwrap()),
        signature: enc(signature),
    }
}

#[test]
fn alg_none_and_hmac_with_the_public_key_are_refused_before_any_crypto() {
    let w = World::new();
    let good = signed(&w, Algorithm::Es256, Algorithm::Es256);
    let seal = &good.signatures()[1];
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&seal.protected)
            .unwrap(),
    )
    .unwrap();
    for (alg, sig) in [("none", &b""[..]), ("HS256", &[7u8; 32][..])] {
        let mut h = header.clone();
        h["alg"] = serde_json::json!(alg);
        let mut p = unsigned(
            A_LUOI_5,
            "Xin hướng dẫn mua sắm và tạm cấp kinh phí năm 2025",
        );
        p.push_signature(good.signatures()[0].clone());
        p.push_signature(forged(h, sig));
        let e = w.verify(p).unwrap_err();
        let seal_report = &e.report().signatures[1];
        assert!(
            matches!(
                seal_report.sub_indication,
                Some(SubIndication::FormatFailure | SubIndication::CryptoConstraintsFailure)
            ),
            "{alg}: {:?}",
            seal_report
        );
    }
}

#[test]
fn every_single_byte_change_of_a_signed_package_is_refused() {
    let w = World::new();
    let bytes = signed(&w, Algorithm::Es256, Algorithm::EdDsa).to_json();
    // Every 7th byte keeps the test quick while touching every member of the package.
    let mut checked = 0;
    for i in (0..bytes.len()).step_by(7) {
        let mut bad = bytes.clone();
        bad[i] ^= 0x01;
        if let Ok(v) = w.verify_bytes(&bad) {
            // Only a change that leaves the signed content identical may pass.
            let original = w.verify_bytes(&bytes).unwrap();
            assert_eq!(
                v.content_digest(),
                original.content_digest(),
                "byte {i} changed the content yet verified"
            );
        }
        checked += 1;
    }
    println!(
        "mutated {checked} positions of a {}-byte package",
        bytes.len()
    );
}

#[test]
fn detached_attachment_is_read_from_beside_the_package_and_missing_one_is_named() {
    let w = World::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("annex.pdf"), ANNEX).unwrap();
    let mut p = Package::new(
        header(A_LUOI_5, "x"),
        [("request.pdf".to_owned(), PDF.to_vec())],
    )
    .unwrap();
    let mut from_dir = Detached::from_dir(dir.path());
    p.sign(
        &w.person(Algorithm::Es256).signer().unwrap(),
        Commitment::ProofOfApproval,
        SIGNED,
        &mut from_dir,
    )
    .unwrap();
    p.sign(
        &w.seal(A_LUOI_5, Algorithm::Es256).signer().unwrap(),
        Commitment::ProofOfOrigin,
        SIGNED,
        &mut Detached::from_dir(dir.path()),
    )
    .unwrap();
    let verifier = Verifier::new(&w.store, &w.policy);
    verifier
        .verify(p.clone(), &mut Detached::from_dir(dir.path()), NOW)
        .unwrap();
    let e = verifier
        .verify(p.clone(), &mut Detached::none(), NOW)
        .unwrap_err();
    assert_eq!(e.sub_indication(), Some(SubIndication::SignedDataNotFound));
    assert!(e.report().to_string().contains("annex.pdf"));
    std::fs::write(dir.path().join("annex.pdf"), b"another annex").unwrap();
    let e = verifier
        .verify(p, &mut Detached::from_dir(dir.path()), NOW)
        .unwrap_err();
    assert_eq!(e.sub_indication(), Some(SubIndication::HashFailure));
}

#[test]
fn a_signing_time_in_the_future_is_refused() {
    let w = World::new();
    let p = signed(&w, Algorithm::Es256, Algorithm::Es256);
    let e = Verifier::new(&w.store, &w.policy)
        .verify(p, &mut Detached::none(), datetime!(2025-07-01 00:00 UTC))
        .unwrap_err();
    assert_eq!(
        e.sub_indication(),
        Some(SubIndication::SigConstraintsFailure),
        "{}",
        e.report()
    );
}

#[test]
fn unparsable_bytes_are_a_format_failure_report() {
    let w = World::new();
    let e = w.verify_bytes(b"{\"edoc\":1,\"edoc\":1}").unwrap_err();
    assert_eq!(e.sub_indication(), Some(SubIndication::FormatFailure));
    assert!(e.package().is_none());
}

#[test]
fn a_signature_failing_its_chain_still_names_its_claimed_signer_and_a_valid_one_its_validated_signer(
) {
    let w = World::new();
    let stranger = w
        .pki
        .issue(&IdentitySpec {
            holder: Holder::Seal {
                agency_name: "UBND xã A Lưới 5".into(),
                agency: id(A_LUOI_5),
            },
            algorithm: Algorithm::Es256,
            defect: Defect::UntrustedRoot,
        })
        .unwrap();
    let mut p = unsigned(A_LUOI_5, "x");
    sign(
        &mut p,
        &w.person(Algorithm::Es256),
        Commitment::ProofOfApproval,
    );
    sign(&mut p, &stranger, Commitment::ProofOfOrigin);
    let rejected = w.verify(p).unwrap_err();
    let [person, seal] = rejected.report().signatures.as_slice() else {
        panic!("two signature reports expected");
    };
    assert_eq!(person.sub_indication, None);
    assert!(person
        .signer
        .as_ref()
        .unwrap()
        .to_string()
        .contains("Hồ Văn Chủ Tịch"));
    assert_eq!(
        seal.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    let claimed = seal
        .signer
        .as_ref()
        .expect("the claimed signer is named")
        .to_string();
    assert!(claimed.contains("UBND xã A Lưới 5"), "{claimed}");
    assert!(seal
        .issuer
        .as_ref()
        .unwrap()
        .to_string()
        .contains("Untrusted"));
}

/// The seal's signature re-encoded with the other valid s (n − s): what anyone can do to a
/// signed package without any key. Returns the package whose seal carries the high s.
fn with_high_s_seal(p: &Package) -> Package {
    use x509_parser::num_bigint::BigUint;
    let n = BigUint::parse_bytes(
        b"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        16,
    )
    .unwrap();
    let b64 = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut value: serde_json::Value = serde_json::from_slice(&p.to_json()).unwrap();
    let seal = &mut value["signatures"]["signatures"][1]["signature"];
    let raw = b64.decode(seal.as_str().unwrap()).unwrap();
    let s = BigUint::from_bytes_be(&raw[32..]);
    let high = if s.clone() * 2u32 > n { s } else { &n - s };
    let mut out = raw[..32].to_vec();
    let bytes = high.to_bytes_be();
    out.extend(std::iter::repeat_n(0u8, 32 - bytes.len()));
    out.extend(bytes);
    *seal = serde_json::Value::String(b64.encode(out));
    Package::parse(&serde_json::to_vec(&value).unwrap(), &Limits::default()).unwrap()
}

fn check_named<'r>(r: &'r edoc::SignatureReport, name: &str) -> Option<&'r edoc::Check> {
    r.checks.iter().find(|c| c.name == name)
}

#[test]
fn a_high_s_signature_in_a_received_package_is_reported_and_refused_when_the_policy_says_so() {
    let mut w = World::new();
    let p = signed(&w, Algorithm::Es256, Algorithm::Es256);
    let v = w.verify(p.clone()).unwrap();
    let low = check_named(&v.report().signatures[1], "lowS").expect("a lowS check");
    assert_eq!(low.status, edoc::CheckStatus::Passed);

    // Still a valid ECDSA signature: the strict policy reports it and accepts the package.
    let high = with_high_s_seal(&p);
    let v = w.verify(high.clone()).unwrap();
    let seal = &v.report().signatures[1];
    let check = check_named(seal, "lowS").expect("a lowS check");
    assert_eq!(check.status, edoc::CheckStatus::Warning, "{check:?}");
    assert!(check.detail.contains("high"), "{}", check.detail);
    assert_eq!(seal.sub_indication, None);
    // The person's (low-S) signature has no warning.
    assert_eq!(
        check_named(&v.report().signatures[0], "lowS").map(|c| c.status),
        Some(edoc::CheckStatus::Passed)
    );

    w.policy.ecdsa_high_s = edoc::HighSPolicy::Refuse;
    let e = w.verify(high).unwrap_err();
    assert_eq!(e.sub_indication(), Some(SubIndication::FormatFailure));
    assert_eq!(
        check_named(&e.report().signatures[1], "lowS").map(|c| c.status),
        Some(edoc::CheckStatus::Failed)
    );
}

/// A reader that records whether anyone read from it.
struct Watched<'a>(&'a std::cell::Cell<bool>, &'a [u8]);

impl std::io::Read for Watched<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.set(true);
        std::io::Read::read(&mut self.1, buf)
    }
}

#[test]
fn detached_content_is_read_only_after_every_signature_verified() {
    let w = World::new();
    let mut p = Package::new(
        header(A_LUOI_5, "x"),
        [("request.pdf".to_owned(), PDF.to_vec())],
    )
    .unwrap();
    let stranger = w
        .pki
        .issue(&IdentitySpec {
            holder: Holder::Seal {
                agency_name: "UBND xã A Lưới 5".into(),
                agency: id(A_LUOI_5),
            },
            algorithm: Algorithm::Es256,
            defect: Defect::UntrustedRoot,
        })
        .unwrap();
    for (who, c) in [
        (&w.person(Algorithm::Es256), Commitment::ProofOfApproval),
        (&stranger, Commitment::ProofOfOrigin),
    ] {
        p.sign(
            &who.signer().unwrap(),
            c,
            SIGNED,
            &mut Detached::none().add_reader("annex.pdf", ANNEX),
        )
        .unwrap();
    }
    let read = std::cell::Cell::new(false);
    let e = Verifier::new(&w.store, &w.policy)
        .verify(
            p.clone(),
            &mut Detached::none().add_reader("annex.pdf", Watched(&read, ANNEX)),
            NOW,
        )
        .unwrap_err();
    assert_eq!(
        e.sub_indication(),
        Some(SubIndication::NoCertificateChainFound)
    );
    assert!(
        !read.get(),
        "an untrusted package made the verifier read its attachment"
    );
    let attachments = e.report().checks.iter().find(|c| c.name == "attachments");
    assert_eq!(
        attachments.map(|c| c.status),
        Some(edoc::CheckStatus::NotRun)
    );
}
