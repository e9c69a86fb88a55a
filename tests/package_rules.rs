//! The document rules of issue 12: who may sign what. A seal is an organisation's certificate,
//! an approval a natural person's of the sending agency, each agency gives one approval then
//! one seal, and the header's declared signatory is the approving person. Every case asserts
//! the sub-indication and names the document check that refused it.

use std::sync::Arc;

use edoc::{
    sign_detached, Agency, Algorithm, ApproverAgency, AttachmentEntry, CheckStatus, Commitment,
    Competence, Defect, Detached, DetachedObject, Directory, HeaderBuilder, Holder, IdentitySpec,
    Limits, MemoryStore, OrgId, Package, Policy, Rejected, Router, RouterConfig, RoutingTable,
    SignOptions, SignPackageError, SignatoryMatch, SubIndication, SubmitError, TestIdentity,
    TestPki, TrustStore, VerifiedPackage, Verifier,
};
use sha2::{Digest, Sha256};
use time::macros::{date, datetime};
use time::OffsetDateTime;

const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
const PDF: &[u8] = b"%PDF-1.7 request for purchasing guidelines";

// Codes of the sample directory (illustrative).
const A_LUOI_5: &str = "000.00.45.H57";
const A_LUOI_1: &str = "000.00.41.H57";
/// A Lưới 5's public administration service center: a child of the commune (000.00.45.H57).
const CENTER_5: &str = "000.01.45.H57";
const FINANCE: &str = "000.00.05.H57";
const CHAIRMAN: &str = "Hồ Văn Chủ Tịch";

fn id(code: &str) -> OrgId {
    code.parse().unwrap()
}

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

    fn person(&self, name: &str, agency: &str) -> TestIdentity {
        self.pki
            .person(name, "UBND xã", &id(agency), Algorithm::Es256)
            .unwrap()
    }

    fn chairman(&self) -> TestIdentity {
        self.person(CHAIRMAN, A_LUOI_5)
    }

    fn seal(&self, agency: &str) -> TestIdentity {
        self.pki
            .seal("UBND xã A Lưới 5", &id(agency), Algorithm::Es256)
            .unwrap()
    }

    /// A certificate with no role marks at all (no certificate policy, no QC statement).
    fn unmarked(&self, holder: Holder) -> TestIdentity {
        self.pki
            .issue(&IdentitySpec {
                holder,
                algorithm: Algorithm::Es256,
                defect: Defect::NoRoleMarks,
            })
            .unwrap()
    }

    fn verify_with(
        &self,
        p: &Package,
        directory: Option<&Directory>,
    ) -> Result<VerifiedPackage, Rejected> {
        let v = Verifier::new(&self.store, &self.policy);
        let v = match directory {
            Some(d) => v.with_directory(d),
            None => v,
        };
        v.verify(p.clone(), &mut Detached::none(), NOW)
    }

    fn verify(&self, p: &Package) -> Result<VerifiedPackage, Rejected> {
        self.verify_with(p, None)
    }
}

fn package(sender: &str, signatory: &str, competence: Competence) -> Package {
    let header = HeaderBuilder::new()
        .sender(Agency::new(id(sender), "Ủy ban nhân dân xã A Lưới 5"))
        .recipient(Agency::new(id(FINANCE), "Sở Tài chính"))
        .document_type("CV", "Công văn")
        .number_and_notation("42", "UBND-TCKH")
        .issued("A Lưới", date!(2025 - 07 - 02))
        .subject("Xin hướng dẫn mua sắm")
        .signatory(signatory, "Chủ tịch", competence)
        .attachment(AttachmentEntry::for_bytes("request.pdf", "application/pdf", PDF).unwrap())
        .build()
        .unwrap();
    Package::new(header, [("request.pdf".to_owned(), PDF.to_vec())]).unwrap()
}

fn request() -> Package {
    package(A_LUOI_5, CHAIRMAN, Competence::None)
}

/// Signs through `Package::sign`, which must accept it.
fn sign(p: &mut Package, who: &TestIdentity, c: Commitment) {
    p.sign(&who.signer().unwrap(), c, SIGNED, &mut Detached::none())
        .unwrap();
}

/// Signs as an attacker would, around `Package::sign`'s early refusals: the same signed
/// objects (docs/package-format.md), computed here.
fn force_sign(p: &mut Package, who: &TestIdentity, c: Commitment) {
    let mut objects = vec![DetachedObject::from_bytes(
        "header.json",
        p.canonical_header(),
    )];
    for a in p.header().attachments() {
        objects.push(DetachedObject {
            uri: format!("attachments/{}", a.name()),
            sha256: *a.sha256(),
        });
    }
    for (i, s) in p.signatures().iter().enumerate() {
        objects.push(DetachedObject {
            uri: format!("signatures/{i}"),
            sha256: Sha256::digest(format!("{}.{}", s.protected, s.signature)).into(),
        });
    }
    let opts = SignOptions::new(SIGNED).with_commitment(c);
    let sig = sign_detached(&who.signer().unwrap(), &objects, &opts).unwrap();
    p.push_signature(sig);
}

/// The sub-indication, and the name and detail of the document check that decided it.
fn refused(r: Result<VerifiedPackage, Rejected>) -> (SubIndication, String, String) {
    let e = match r {
        Ok(v) => panic!("verified, but must be refused: {}", v.report()),
        Err(e) => e,
    };
    let report = e.report();
    let check = report
        .checks
        .iter()
        .find(|c| c.status == CheckStatus::Failed)
        .unwrap_or_else(|| panic!("no failed document check: {report}"));
    (
        e.sub_indication().expect("a sub-indication"),
        check.name.clone(),
        check.detail.clone(),
    )
}

#[test]
fn the_chairman_then_the_commune_seal_verifies_and_the_report_shows_both_names() {
    let w = World::new();
    let mut p = request();
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    let v = w.verify(&p).unwrap_or_else(|e| panic!("{}", e.report()));
    let s = v
        .report()
        .signatory
        .as_ref()
        .expect("the signatory comparison");
    assert_eq!(
        (s.declared.as_str(), s.certificate.as_str()),
        (CHAIRMAN, CHAIRMAN)
    );
    assert!(s.matches);
    for name in [
        "commitments",
        "sealRole",
        "approvalRole",
        "sealOwner",
        "approverAgency",
        "signatory",
    ] {
        let c = v.report().checks.iter().find(|c| c.name == name);
        assert_eq!(c.map(|c| c.status), Some(CheckStatus::Passed), "{name}");
    }
}

#[test]
fn one_certificate_cannot_both_approve_and_seal() {
    let w = World::new();
    // The chairman's certificate twice.
    let chairman = w.chairman();
    let mut p = request();
    sign(&mut p, &chairman, Commitment::ProofOfApproval);
    force_sign(&mut p, &chairman, Commitment::ProofOfOrigin);
    let (sub, check, detail) = refused(w.verify(&p));
    assert_eq!(sub, SubIndication::ChainConstraintsFailure);
    assert_eq!(check, "sealRole");
    assert!(
        detail.contains(CHAIRMAN) && detail.contains("natural person"),
        "{detail}"
    );
    // The commune's seal twice.
    let seal = w.seal(A_LUOI_5);
    let mut p = request();
    force_sign(&mut p, &seal, Commitment::ProofOfApproval);
    force_sign(&mut p, &seal, Commitment::ProofOfOrigin);
    let (sub, check, _) = refused(w.verify(&p));
    assert_eq!(sub, SubIndication::ChainConstraintsFailure);
    assert_eq!(check, "approvalRole");
    // A certificate nothing marks, bound to the commune as its seal by the directory.
    let plain = w.unmarked(Holder::Seal {
        agency_name: "UBND xã A Lưới 5".into(),
        agency: id(A_LUOI_5),
    });
    let mut directory = Directory::sample();
    directory
        .add_certificate(
            &id(A_LUOI_5),
            Directory::certificate_fingerprint(&plain.chain[0]),
        )
        .unwrap();
    let mut p = request();
    sign(&mut p, &plain, Commitment::ProofOfApproval);
    force_sign(&mut p, &plain, Commitment::ProofOfOrigin);
    let (sub, check, detail) = refused(w.verify_with(&p, Some(&directory)));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::ChainConstraintsFailure, "approvalRole")
    );
    assert!(detail.contains("directory"), "{detail}");
}

#[test]
fn one_key_cannot_both_approve_and_seal_even_in_two_certificates() {
    let w = World::new();
    // A CA certified the chairman's key twice: as his, and as the commune's seal.
    let chairman = w.chairman();
    let spki = x509_parser::parse_x509_certificate(&chairman.chain[0])
        .unwrap()
        .1
        .public_key()
        .raw
        .to_vec();
    let seal_chain = w
        .pki
        .issue_for_public_key(
            &IdentitySpec {
                holder: Holder::Seal {
                    agency_name: "UBND xã A Lưới 5".into(),
                    agency: id(A_LUOI_5),
                },
                algorithm: Algorithm::Es256,
                defect: Defect::None,
            },
            &spki,
        )
        .unwrap();
    let seal_signer =
        edoc::SoftwareSigner::from_pkcs8_der(&chairman.pkcs8_der, seal_chain, None).unwrap();
    let mut p = request();
    sign(&mut p, &chairman, Commitment::ProofOfApproval);
    let err = p
        .clone()
        .sign(
            &seal_signer,
            Commitment::ProofOfOrigin,
            SIGNED,
            &mut Detached::none(),
        )
        .unwrap_err();
    assert!(matches!(err, SignPackageError::SameKey { .. }), "{err}");
    let opts = SignOptions::new(SIGNED).with_commitment(Commitment::ProofOfOrigin);
    let mut objects = vec![DetachedObject::from_bytes(
        "header.json",
        p.canonical_header(),
    )];
    objects.push(DetachedObject {
        uri: "attachments/request.pdf".into(),
        sha256: Sha256::digest(PDF).into(),
    });
    let approval = &p.signatures()[0];
    objects.push(DetachedObject {
        uri: "signatures/0".into(),
        sha256: Sha256::digest(format!("{}.{}", approval.protected, approval.signature)).into(),
    });
    p.push_signature(sign_detached(&seal_signer, &objects, &opts).unwrap());
    let (sub, check, detail) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::SigConstraintsFailure, "approvalRole")
    );
    assert!(detail.contains("one key"), "{detail}");
}

#[test]
fn swapped_roles_are_refused() {
    let w = World::new();
    let mut p = request();
    // The seal's key signs as approval, the person's key as origin.
    force_sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfApproval);
    force_sign(&mut p, &w.chairman(), Commitment::ProofOfOrigin);
    let (sub, check, detail) = refused(w.verify(&p));
    assert_eq!(sub, SubIndication::ChainConstraintsFailure);
    assert_eq!(check, "sealRole");
    assert!(detail.contains(A_LUOI_5), "names the agency: {detail}");
    let e = w.verify(&p).unwrap_err();
    let failed: Vec<&str> = e
        .report()
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .map(|c| c.name.as_str())
        .collect();
    assert!(failed.contains(&"approvalRole"), "{failed:?}");
}

#[test]
fn a_persons_certificate_cannot_seal() {
    let w = World::new();
    let mut p = request();
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    force_sign(
        &mut p,
        &w.person("Lê Văn Văn Thư", A_LUOI_5),
        Commitment::ProofOfOrigin,
    );
    let (sub, check, _) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::ChainConstraintsFailure, "sealRole")
    );
}

#[test]
fn an_unmarked_certificate_seals_only_when_the_directory_binds_it_to_the_sender() {
    let w = World::new();
    let plain = w.unmarked(Holder::Seal {
        agency_name: "UBND xã A Lưới 5".into(),
        agency: id(A_LUOI_5),
    });
    let mut p = request();
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    sign(&mut p, &plain, Commitment::ProofOfOrigin);
    let (sub, check, detail) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::ChainConstraintsFailure, "sealRole")
    );
    assert!(
        detail.contains("not recognised as an organisation"),
        "{detail}"
    );
    let mut directory = Directory::sample();
    directory
        .add_certificate(
            &id(A_LUOI_5),
            Directory::certificate_fingerprint(&plain.chain[0]),
        )
        .unwrap();
    w.verify_with(&p, Some(&directory))
        .unwrap_or_else(|e| panic!("{}", e.report()));
}

#[test]
fn two_seals_are_refused() {
    let w = World::new();
    let mut p = request();
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    let second = w.seal(A_LUOI_5);
    let err = p
        .clone()
        .sign(
            &second.signer().unwrap(),
            Commitment::ProofOfOrigin,
            SIGNED,
            &mut Detached::none(),
        )
        .unwrap_err();
    assert!(matches!(err, SignPackageError::SecondSeal { .. }), "{err}");
    force_sign(&mut p, &second, Commitment::ProofOfOrigin);
    let (sub, check, detail) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::SigConstraintsFailure, "commitments")
    );
    assert!(
        detail.contains("second seal") && detail.contains(A_LUOI_5),
        "{detail}"
    );
}

#[test]
fn two_approvals_of_one_agency_are_refused() {
    let w = World::new();
    let mut p = request();
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    let deputy = w.person("Trần Phó Chủ Tịch", A_LUOI_5);
    let err = p
        .clone()
        .sign(
            &deputy.signer().unwrap(),
            Commitment::ProofOfApproval,
            SIGNED,
            &mut Detached::none(),
        )
        .unwrap_err();
    assert!(
        matches!(err, SignPackageError::SecondApproval { .. }),
        "{err}"
    );
    force_sign(&mut p, &deputy, Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    let (sub, check, detail) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::SigConstraintsFailure, "commitments")
    );
    assert!(detail.contains("second approval"), "{detail}");
}

#[test]
fn an_approval_after_the_seal_is_refused() {
    let w = World::new();
    let mut p = request();
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    force_sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    let (sub, check, _) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::SigConstraintsFailure, "commitments")
    );
}

#[test]
fn approval_by_another_communes_person_is_refused() {
    let w = World::new();
    let mut p = request();
    // The chairman of A Lưới 1, same name, approves A Lưới 5's document.
    sign(
        &mut p,
        &w.person(CHAIRMAN, A_LUOI_1),
        Commitment::ProofOfApproval,
    );
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    let (sub, check, detail) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::SigConstraintsFailure, "approverAgency")
    );
    assert!(
        detail.contains(A_LUOI_1) && detail.contains(A_LUOI_5),
        "{detail}"
    );
}

#[test]
fn a_parent_agencys_person_approves_a_tm_or_kt_document_only_when_the_policy_lists_the_parent() {
    let mut w = World::new();
    // The commune's chairman signs KT. for the commune's service center.
    let mut p = package(CENTER_5, CHAIRMAN, Competence::Deputy);
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(CENTER_5), Commitment::ProofOfOrigin);
    let (sub, check, _) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::SigConstraintsFailure, "approverAgency")
    );
    w.policy.signer_roles.approver_agency = ApproverAgency::SenderOrParent(vec![id(A_LUOI_5)]);
    w.verify(&p).unwrap_or_else(|e| panic!("{}", e.report()));
    // Without TM./KT. the parent's person does not speak for the center.
    let mut p = package(CENTER_5, CHAIRMAN, Competence::None);
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(CENTER_5), Commitment::ProofOfOrigin);
    let (_, check, _) = refused(w.verify(&p));
    assert_eq!(check, "approverAgency");
    // A parent the policy does not list is not enough either.
    w.policy.signer_roles.approver_agency = ApproverAgency::SenderOrParent(vec![id(A_LUOI_1)]);
    let mut p = package(CENTER_5, CHAIRMAN, Competence::OnBehalfOf);
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(CENTER_5), Commitment::ProofOfOrigin);
    let (_, check, _) = refused(w.verify(&p));
    assert_eq!(check, "approverAgency");
}

#[test]
fn the_declared_signatory_must_be_the_approval_certificates_subject() {
    let mut w = World::new();
    // The header names the chairman; another person of the commune approves.
    let mut p = request();
    sign(
        &mut p,
        &w.person("Nguyễn Văn An", A_LUOI_5),
        Commitment::ProofOfApproval,
    );
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    let e = w.verify(&p).unwrap_err();
    let s = e.report().signatory.as_ref().expect("shown side by side");
    assert_eq!(
        (s.declared.as_str(), s.certificate.as_str(), s.matches),
        (CHAIRMAN, "Nguyễn Văn An", false)
    );
    let (sub, check, detail) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::SigConstraintsFailure, "signatory")
    );
    assert!(
        detail.contains(CHAIRMAN) && detail.contains("Nguyễn Văn An"),
        "{detail}"
    );
    // Under a lenient policy: a warning, and the document passes.
    w.policy.signer_roles.declared_signatory = SignatoryMatch::Warn;
    let v = w.verify(&p).unwrap_or_else(|e| panic!("{}", e.report()));
    let c = v
        .report()
        .checks
        .iter()
        .find(|c| c.name == "signatory")
        .unwrap();
    assert_eq!(c.status, CheckStatus::Warning);
    assert!(!v.report().signatory.as_ref().unwrap().matches);
}

#[test]
fn the_signatory_comparison_tolerates_case_unicode_normalization_and_whitespace() {
    use unicode_normalization::UnicodeNormalization;
    let w = World::new();
    let declared: String = format!("  {}  ", "hồ   văn CHỦ\ttịch".nfd().collect::<String>());
    let mut p = package(A_LUOI_5, &declared.replace('\t', " "), Competence::None);
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    let v = w.verify(&p).unwrap_or_else(|e| panic!("{}", e.report()));
    assert!(v.report().signatory.as_ref().unwrap().matches);
    // A different diacritic is a different name.
    let mut p = package(A_LUOI_5, "Hồ Văn Chủ Tích", Competence::None);
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    let (_, check, _) = refused(w.verify(&p));
    assert_eq!(check, "signatory");
}

#[test]
fn a_commitment_other_than_approval_and_origin_is_refused_on_a_document() {
    let mut w = World::new();
    let mut p = request();
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    sign(&mut p, &w.seal(FINANCE), Commitment::ProofOfReceipt);
    let (sub, check, detail) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::SigConstraintsFailure, "commitments")
    );
    assert!(detail.contains("receipt"), "{detail}");
    w.policy.signer_roles.other_commitments = edoc::OtherCommitments::Allow;
    w.verify(&p).unwrap_or_else(|e| panic!("{}", e.report()));
}

#[test]
fn package_sign_refuses_a_certificate_marked_for_the_other_role() {
    let w = World::new();
    let mut p = request();
    let err = p
        .clone()
        .sign(
            &w.seal(A_LUOI_5).signer().unwrap(),
            Commitment::ProofOfApproval,
            SIGNED,
            &mut Detached::none(),
        )
        .unwrap_err();
    assert!(matches!(err, SignPackageError::WrongRole { .. }), "{err}");
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    let err = p
        .sign(
            &w.person("Lê Văn Văn Thư", A_LUOI_5).signer().unwrap(),
            Commitment::ProofOfOrigin,
            SIGNED,
            &mut Detached::none(),
        )
        .unwrap_err();
    assert!(matches!(err, SignPackageError::WrongRole { .. }), "{err}");
    // One unmarked key for both roles: refused for the shared key.
    let plain = w.unmarked(Holder::Seal {
        agency_name: "UBND xã A Lưới 5".into(),
        agency: id(A_LUOI_5),
    });
    let mut p = request();
    sign(&mut p, &plain, Commitment::ProofOfApproval);
    let err = p
        .sign(
            &plain.signer().unwrap(),
            Commitment::ProofOfOrigin,
            SIGNED,
            &mut Detached::none(),
        )
        .unwrap_err();
    assert!(matches!(err, SignPackageError::SameKey { .. }), "{err}");
}

#[test]
fn the_hub_refuses_one_certificate_in_both_roles() {
    let w = World::new();
    let city_seal = w
        .pki
        .seal("Hue LGSP hub", &id("000.00.00.H57"), Algorithm::Es256)
        .unwrap();
    let router = Router::new(RouterConfig {
        hub: "hub.h57".parse().unwrap(),
        trust: Arc::new(w.pki.trust_store(&[]).unwrap()),
        policy: Policy::strict(),
        limits: Limits::default(),
        directory: Arc::new(Directory::sample()),
        table: RoutingTable::sample(),
        hubs: edoc::HubRegistry::new(),
        seal: Arc::new(city_seal.signer().unwrap()),
        store: Arc::new(MemoryStore::new(time::Duration::minutes(5))),
    });
    let chairman = w.chairman();
    let mut p = request();
    sign(&mut p, &chairman, Commitment::ProofOfApproval);
    force_sign(&mut p, &chairman, Commitment::ProofOfOrigin);
    match router.submit(&p.to_json(), NOW) {
        Err(SubmitError::Rejected(r)) => {
            assert_eq!(
                r.sub_indication(),
                Some(SubIndication::ChainConstraintsFailure)
            )
        }
        other => panic!("{other:?}"),
    }
    // The same document signed properly is accepted.
    let mut p = request();
    sign(&mut p, &chairman, Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    router.submit(&p.to_json(), NOW).unwrap();
}

#[test]
fn a_policy_asking_for_marked_persons_refuses_an_unmarked_approval() {
    let mut w = World::new();
    let plain = w.unmarked(Holder::Person {
        full_name: CHAIRMAN.into(),
        agency_name: "UBND xã A Lưới 5".into(),
        agency: id(A_LUOI_5),
    });
    let mut p = request();
    sign(&mut p, &plain, Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    // The strict policy asks only that an approval is not a seal.
    w.verify(&p).unwrap_or_else(|e| panic!("{}", e.report()));
    w.policy.signer_roles.approval = edoc::ApprovalRole::MarkedPerson;
    let (sub, check, detail) = refused(w.verify(&p));
    assert_eq!(
        (sub, check.as_str()),
        (SubIndication::ChainConstraintsFailure, "approvalRole")
    );
    assert!(
        detail.contains(CHAIRMAN) && detail.contains("not marked as a natural person"),
        "{detail}"
    );
    // A person marked by the ETSI QC type esign and QCP-n passes.
    let mut p = request();
    sign(&mut p, &w.chairman(), Commitment::ProofOfApproval);
    sign(&mut p, &w.seal(A_LUOI_5), Commitment::ProofOfOrigin);
    w.verify(&p).unwrap_or_else(|e| panic!("{}", e.report()));
}
