//! Two in-process hubs (`hub.h57` for Hue, `hub.national`) over a generated test PKI, and the
//! tools an attacker has: an agency's own keys, raw JAdES signing over hand-made headers, and
//! bytes seen on the wire. Shared by the tests of the hub's rules.
#![allow(dead_code)]

use std::sync::Arc;

use base64::Engine;
use edoc::{
    sign_detached, Agency, Algorithm, AttachmentEntry, BusinessAction, Commitment, Competence,
    Detached, DetachedObject, Directory, HeaderBuilder, HubId, HubRegistry, InProcessNetwork,
    JwsSignature, Limits, MemoryStore, OrgId, Package, Policy, Router, RouterConfig, RoutingTable,
    SignOptions, StatusCode, TestIdentity, TestPki, TrustStore,
};
use sha2::{Digest, Sha256};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

// Signed at 10:00 on 2 July 2025 and routed from 15:00: inside every test certificate's
// validity (2025-01-01..2030-01-01) and before any CRL's nextUpdate.
pub(crate) const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
pub(crate) const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
pub(crate) const PDF: &[u8] = b"%PDF-1.7 request for purchasing guidelines";

pub(crate) const CITY: &str = "000.00.00.H57";
pub(crate) const FINANCE: &str = "000.00.05.H57";
pub(crate) const A_LUOI_1: &str = "000.00.41.H57";
pub(crate) const A_LUOI_2: &str = "000.00.42.H57";
pub(crate) const A_LUOI_5: &str = "000.00.45.H57";
pub(crate) const MINISTRY: &str = "000.00.00.G09";
/// An agency of another province, served by the third hub (`hub.h56`) when there is one.
pub(crate) const FAR: &str = "000.00.00.H56";

pub(crate) fn id(code: &str) -> OrgId {
    code.parse().unwrap()
}

pub(crate) fn hub(name: &str) -> HubId {
    name.parse().unwrap()
}

pub(crate) fn doc_id(sender: &str, number: &str) -> String {
    format!("{sender},2025/07/02,{number}/UBND-VP")
}

pub(crate) struct World {
    pub(crate) pki: TestPki,
    pub(crate) trust: Arc<TrustStore>,
    pub(crate) policy: Policy,
    pub(crate) hubs: HubRegistry,
    pub(crate) net: InProcessNetwork,
    pub(crate) city_seal: TestIdentity,
    pub(crate) national_seal: TestIdentity,
}

impl World {
    pub(crate) fn new() -> World {
        World::with_national(Directory::sample())
    }

    /// Both hubs on the sample table; the city hub on the sample directory, the national hub on
    /// `national_directory`.
    pub(crate) fn with_national(national_directory: Directory) -> World {
        World::build(national_directory, None)
    }

    /// Both hubs, which also know a third hub, `hub.h56`, sealing with `rogue`'s key.
    pub(crate) fn with_third_hub(
        rogue: impl FnOnce(&TestPki) -> TestIdentity,
    ) -> (World, TestIdentity) {
        let pki = TestPki::new().unwrap();
        let seal = rogue(&pki);
        let w = World::build_with(pki, Directory::sample(), Some(&seal));
        (w, seal)
    }

    fn build(national_directory: Directory, third: Option<&TestIdentity>) -> World {
        World::build_with(TestPki::new().unwrap(), national_directory, third)
    }

    fn build_with(
        pki: TestPki,
        national_directory: Directory,
        third: Option<&TestIdentity>,
    ) -> World {
        let trust = Arc::new(pki.trust_store(&[]).unwrap());
        let city_seal = pki
            .seal("Hue LGSP hub", &id(CITY), Algorithm::Es256)
            .unwrap();
        let national_seal = pki
            .seal("National VDXP hub", &id("000.00.00.G01"), Algorithm::Es256)
            .unwrap();
        let mut hubs = HubRegistry::new();
        hubs.add(
            hub("hub.h57"),
            Directory::certificate_fingerprint(&city_seal.chain[0]),
        );
        hubs.add(
            hub("hub.national"),
            Directory::certificate_fingerprint(&national_seal.chain[0]),
        );
        if let Some(seal) = third {
            hubs.add(
                hub("hub.h56"),
                Directory::certificate_fingerprint(&seal.chain[0]),
            );
        }
        // With a third hub, it serves H56 (and knows none of its agencies: it refuses all).
        let mut table = RoutingTable::sample();
        // The city knows one agency of H56 (FAR), to write to it.
        let mut city_directory = Directory::sample();
        let mut routers = Vec::new();
        if let Some(seal) = third {
            table
                .add_rule("*.H56".parse().unwrap(), hub("hub.h56"))
                .unwrap();
            city_directory
                .add_agency(edoc::AgencyRecord::new(
                    id(FAR),
                    edoc::AgencyKind::CityPeoplesCommittee,
                    "Another province",
                    "Tỉnh khác",
                ))
                .unwrap();
            routers.push(("hub.h56", seal.clone(), Directory::new(), table.clone()));
        }
        // The city hub sends everything outside H57 to the national hub.
        routers.push((
            "hub.h57",
            city_seal.clone(),
            city_directory,
            RoutingTable::sample(),
        ));
        routers.push((
            "hub.national",
            national_seal.clone(),
            national_directory,
            table,
        ));
        let mut net = InProcessNetwork::new();
        for (name, seal, directory, table) in routers {
            net.add(Arc::new(Router::new(RouterConfig {
                hub: hub(name),
                trust: Arc::clone(&trust),
                policy: Policy::strict(),
                limits: Limits::default(),
                directory: Arc::new(directory),
                table,
                hubs: hubs.clone(),
                seal: Arc::new(seal.signer().unwrap()),
                store: Arc::new(MemoryStore::new(Duration::minutes(5))),
            })));
        }
        World {
            pki,
            trust,
            policy: Policy::strict(),
            hubs,
            net,
            city_seal,
            national_seal,
        }
    }

    pub(crate) fn city(&self) -> &Router {
        self.net.router(&hub("hub.h57")).unwrap()
    }

    pub(crate) fn national(&self) -> &Router {
        self.net.router(&hub("hub.national")).unwrap()
    }

    /// The third hub, when the world has one.
    pub(crate) fn h56(&self) -> &Router {
        self.net.router(&hub("hub.h56")).unwrap()
    }

    pub(crate) fn seal(&self, agency: &str) -> TestIdentity {
        self.pki
            .seal(&format!("Seal of {agency}"), &id(agency), Algorithm::Es256)
            .unwrap()
    }

    pub(crate) fn person(&self, agency: &str) -> TestIdentity {
        self.pki
            .person("Hồ Văn Chủ Tịch", "UBND", &id(agency), Algorithm::Es256)
            .unwrap()
    }

    /// The header of a document from `doc.sender`.
    pub(crate) fn header(&self, doc: &Doc) -> edoc::Header {
        let mut b = HeaderBuilder::new()
            .sender(Agency::new(id(doc.sender), "sender"))
            .document_type("CV", "Công văn")
            .number_and_notation(doc.number, "UBND-VP")
            .issued("Huế", date!(2025 - 07 - 02))
            .subject(doc.subject)
            .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
            .attachment(AttachmentEntry::for_bytes("request.pdf", "application/pdf", PDF).unwrap());
        for r in &doc.to {
            b = b.recipient(Agency::new(id(r), "recipient"));
        }
        if let Some(due) = doc.due {
            b = b.due_date(due);
        }
        if let Some(action) = &doc.action {
            b = b.action(action.clone());
        }
        b.build().unwrap()
    }

    /// A package from `doc.sender`, approved by its chairman and sealed by its seal.
    pub(crate) fn package(&self, doc: &Doc) -> Vec<u8> {
        let mut p =
            Package::new(self.header(doc), [("request.pdf".to_owned(), PDF.to_vec())]).unwrap();
        for (who, c) in [
            (self.person(doc.sender), Commitment::ProofOfApproval),
            (self.seal(doc.sender), Commitment::ProofOfOrigin),
        ] {
            p.sign(&who.signer().unwrap(), c, SIGNED, &mut Detached::none())
                .unwrap();
        }
        p.to_json()
    }

    /// What an agency can always do with its own keys, whatever the builder allows: a package
    /// of `doc`, with the header edited by `edit` as JSON, approved and sealed by `doc.sender`'s
    /// own person and seal (raw JAdES over the canonical bytes of the edited header).
    pub(crate) fn forged_package(
        &self,
        doc: &Doc,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> Vec<u8> {
        let honest: serde_json::Value = serde_json::from_slice(
            &Package::new(self.header(doc), [("request.pdf".to_owned(), PDF.to_vec())])
                .unwrap()
                .to_json(),
        )
        .unwrap();
        let mut header = honest["header"].clone();
        edit(&mut header);
        let canonical = serde_json_canonicalizer::to_vec(&header).unwrap();
        let mut objects = vec![
            DetachedObject::from_bytes("header.json", &canonical),
            DetachedObject::from_bytes("attachments/request.pdf", PDF),
        ];
        let mut signatures: Vec<JwsSignature> = Vec::new();
        for (who, c) in [
            (self.person(doc.sender), Commitment::ProofOfApproval),
            (self.seal(doc.sender), Commitment::ProofOfOrigin),
        ] {
            let sig = sign_detached(
                &who.signer().unwrap(),
                &objects,
                &SignOptions::new(SIGNED).with_commitment(c),
            )
            .unwrap();
            let mut h = Sha256::new();
            h.update(sig.protected.as_bytes());
            h.update(b".");
            h.update(sig.signature.as_bytes());
            objects.push(DetachedObject {
                uri: format!("signatures/{}", signatures.len()),
                sha256: h.finalize().into(),
            });
            signatures.push(sig);
        }
        let package = serde_json::json!({
            "edoc": 1,
            "header": header,
            "attachments": [{
                "name": "request.pdf",
                "data": base64::engine::general_purpose::STANDARD.encode(PDF),
            }],
            "signatures": {"signatures": signatures.iter().map(|s| serde_json::json!({
                "protected": s.protected, "signature": s.signature,
            })).collect::<Vec<_>>()},
            "trace": [],
        });
        serde_json::to_vec(&package).unwrap()
    }

    /// Everything in `agency`'s mailbox at `router`, acknowledged.
    pub(crate) fn take(
        &self,
        router: &Router,
        agency: &str,
        now: OffsetDateTime,
    ) -> Vec<edoc::Delivery> {
        let got = router.store().fetch(&id(agency), 100, now).unwrap();
        for d in &got {
            router.store().ack(&id(agency), d.id, now).unwrap();
        }
        got
    }

    pub(crate) fn codes(&self, router: &Router, doc: &str, recipient: &str) -> Vec<StatusCode> {
        router
            .store()
            .status_history(doc, &id(recipient))
            .unwrap()
            .into_iter()
            .filter_map(|r| r.code())
            .collect()
    }
}

#[derive(Clone)]
pub(crate) struct Doc {
    pub(crate) sender: &'static str,
    pub(crate) to: Vec<&'static str>,
    pub(crate) number: &'static str,
    pub(crate) subject: &'static str,
    pub(crate) due: Option<Date>,
    pub(crate) action: Option<BusinessAction>,
}

pub(crate) fn doc(sender: &'static str, to: &[&'static str], number: &'static str) -> Doc {
    Doc {
        sender,
        to: to.to_vec(),
        number,
        subject: "Xin hướng dẫn mua sắm và tạm cấp kinh phí năm 2025",
        due: None,
        action: None,
    }
}

/// The package with the last signature's ECDSA P-256 `s` replaced by `n - s`: a different
/// signature value that still verifies (ECDSA is malleable), made without any key.
pub(crate) fn malleate_last_signature(package: &[u8]) -> Vec<u8> {
    // The order n of the P-256 group, big-endian.
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut v: serde_json::Value = serde_json::from_slice(package).unwrap();
    let sigs = v["signatures"]["signatures"].as_array_mut().unwrap();
    let last = sigs.last_mut().unwrap();
    let mut raw = b64.decode(last["signature"].as_str().unwrap()).unwrap();
    assert_eq!(raw.len(), 64, "an ES256 signature is r || s");
    let s: [u8; 32] = raw[32..].try_into().unwrap();
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(N[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = (d + if d < 0 { 256 } else { 0 }) as u8;
    }
    raw[32..].copy_from_slice(&out);
    last["signature"] = serde_json::Value::String(b64.encode(raw));
    serde_json::to_vec(&v).unwrap()
}

pub(crate) fn later(minutes: i64) -> OffsetDateTime {
    NOW + Duration::minutes(minutes)
}
