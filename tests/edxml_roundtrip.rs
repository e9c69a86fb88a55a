//! The signed round trip: a package signed by the person and the seal, routed through a hub
//! (one trace entry), exported to edXML and imported again verifies exactly as before; its
//! trace is the edXML TraceHeaderList; tampering with it inside the edXML is still caught.
//! The same for a signed status message.
#![cfg(all(feature = "edxml", feature = "test-pki"))]

use std::sync::Arc;

use base64::Engine;
use edoc::{
    export_edxml, export_edxml_status, import_edxml, verify_trace, Agency, Algorithm,
    AttachmentEntry, Commitment, Competence, Detached, Directory, EdxmlImport, EdxmlLimits,
    EdxmlOptions, HeaderBuilder, HubId, HubRegistry, Indication, Limits, MemoryStore, OrgId,
    Package, Policy, Router, RouterConfig, RoutingTable, Staff, StatusCode, StatusMessage,
    SubIndication, TestPki, TrustStore, Verifier,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
const PDF: &[u8] =
    b"%PDF-1.7 request for purchasing guidelines and early allocation of the 2025 budget";
const A_LUOI_5: &str = "000.00.45.H57";
const FINANCE: &str = "000.00.05.H57";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn id(code: &str) -> OrgId {
    code.parse().expect("code")
}

struct World {
    pki: TestPki,
    trust: Arc<TrustStore>,
    hubs: HubRegistry,
    city: Router,
}

fn world() -> World {
    let pki = TestPki::new().expect("pki");
    let trust = Arc::new(pki.trust_store(&[]).expect("trust"));
    let seal = pki
        .seal("Hue LGSP hub", &id("000.00.00.H57"), Algorithm::Es256)
        .expect("hub seal");
    let mut hubs = HubRegistry::new();
    let hub: HubId = "hub.h57".parse().expect("hub");
    hubs.add(
        hub.clone(),
        Directory::certificate_fingerprint(&seal.chain[0]),
    );
    let city = Router::new(RouterConfig {
        hub,
        trust: Arc::clone(&trust),
        policy: Policy::strict(),
        limits: Limits::default(),
        directory: Arc::new(Directory::sample()),
        table: RoutingTable::sample(),
        hubs: hubs.clone(),
        seal: Arc::new(seal.signer().expect("signer")),
        store: Arc::new(MemoryStore::new(Duration::minutes(5))),
    });
    World {
        pki,
        trust,
        hubs,
        city,
    }
}

/// A package from A Lưới 5 to the Department of Finance, signed person then seal, as the
/// department's mailbox at the city hub holds it: with the hub's trace entry.
fn routed_package(w: &World) -> Package {
    let header = HeaderBuilder::new()
        .sender(Agency::new(id(A_LUOI_5), "Ủy ban nhân dân xã A Lưới 5"))
        .recipient(Agency::new(id(FINANCE), "Sở Tài chính"))
        .document_type("CV", "Công văn")
        .number_and_notation("42", "UBND-TCKH")
        .issued("A Lưới", date!(2025 - 07 - 02))
        .subject("Xin hướng dẫn mua sắm và tạm cấp kinh phí năm 2025")
        .summary("Dòng một.\r\nDòng hai & <ba>.")
        .signatory("Hồ Văn A", "Chủ tịch", Competence::None)
        .attachment(
            AttachmentEntry::for_bytes("request.pdf", "application/pdf", PDF)
                .expect("entry")
                .with_description("Công văn"),
        )
        .build()
        .expect("header");
    let mut package =
        Package::new(header, [("request.pdf".to_owned(), PDF.to_vec())]).expect("package");
    let person = w
        .pki
        .person(
            "Hồ Văn A",
            "UBND xã A Lưới 5",
            &id(A_LUOI_5),
            Algorithm::Es256,
        )
        .expect("person");
    let seal = w
        .pki
        .seal("UBND xã A Lưới 5", &id(A_LUOI_5), Algorithm::Ps256)
        .expect("seal");
    package
        .sign(
            &person.signer().expect("signer"),
            Commitment::ProofOfApproval,
            SIGNED,
            &mut Detached::none(),
        )
        .expect("approval");
    package
        .sign(
            &seal.signer().expect("signer"),
            Commitment::ProofOfOrigin,
            SIGNED,
            &mut Detached::none(),
        )
        .expect("seal");
    w.city.submit(&package.to_json(), NOW).expect("accepted");
    let got = w.city.store().fetch(&id(FINANCE), 10, NOW).expect("fetch");
    Package::parse(&got[0].payload, &Limits::default()).expect("delivered package")
}

fn verify(w: &World, package: Package) -> Result<edoc::VerifiedPackage, edoc::Rejected> {
    Verifier::new(&w.trust, &Policy::strict()).verify(package, &mut Detached::none(), NOW)
}

fn import(xml: &[u8]) -> edoc::ImportedDocument {
    match import_edxml(xml, &EdxmlLimits::default(), &EdxmlOptions::default()).expect("imports") {
        EdxmlImport::Document(d) => d,
        EdxmlImport::Status(_) => panic!("a document"),
    }
}

/// The base64 text of the attachment named `name` in an exported document.
fn encoded_range(xml: &str, name: &str) -> std::ops::Range<usize> {
    let at = xml
        .find(&format!("<AttachmentName>{name}</AttachmentName>"))
        .expect("attachment");
    let start = at
        + xml[at..]
            .find("ContentTransferEncoded xmlns")
            .expect("content");
    let start = start + xml[start..].find('>').expect(">") + 1;
    let end = start + xml[start..].find('<').expect("<");
    start..end
}

#[test]
fn a_signed_routed_package_verifies_after_the_edxml_hop_exactly_as_before() {
    let w = world();
    let package = routed_package(&w);
    assert_eq!(package.trace().len(), 1);
    let before = verify(&w, package.clone()).expect("verifies before");
    assert_eq!(before.report().indication(), Indication::TotalPassed);

    let xml = export_edxml(
        &package,
        &mut Detached::none(),
        &EdxmlLimits::default(),
        &EdxmlOptions::default(),
    )
    .expect("export");
    let text = String::from_utf8(xml.clone()).expect("utf-8");
    // The hub's hop is the edXML trace, in Vietnam time.
    assert!(
        text.contains("<edXML:OrganId>hub.h57</edXML:OrganId>"),
        "{text}"
    );
    assert!(text.contains("<edXML:Timestamp>2025/07/02 22:00:00</edXML:Timestamp>"));
    assert!(text.contains("<AttachmentName>package.edoc.json</AttachmentName>"));
    assert!(text.contains("<ContentType>application/vnd.edoc+json</ContentType>"));

    let imported = import(&xml);
    assert!(imported.is_embedded());
    assert_eq!(imported.package(), &package);
    let after = verify(&w, imported.into_package()).expect("verifies after");
    assert_eq!(after.report().indication(), Indication::TotalPassed);
    assert_eq!(after.header(), before.header());
    let hops = verify_trace(&after, &w.hubs, &w.trust, &Policy::strict(), NOW).expect("trace");
    assert_eq!(hops[0].delivered, vec![id(FINANCE)]);
}

#[test]
fn a_changed_attachment_inside_the_edxml_is_a_hash_failure() {
    let w = world();
    let package = routed_package(&w);
    let xml = export_edxml(
        &package,
        &mut Detached::none(),
        &EdxmlLimits::default(),
        &EdxmlOptions::default(),
    )
    .expect("export");
    let mut text = String::from_utf8(xml).expect("utf-8");
    let range = encoded_range(&text, "request.pdf");
    let forged = B64.encode(
        b"%PDF-1.7 request for purchasing guidelines and early allocation of the 2026 budget",
    );
    text.replace_range(range, &forged);
    let rejected = verify(&w, import(text.as_bytes()).into_package()).unwrap_err();
    assert_eq!(rejected.sub_indication(), Some(SubIndication::HashFailure));
}

#[test]
fn a_changed_header_inside_the_embedded_package_is_a_hash_failure() {
    let w = world();
    let package = routed_package(&w);
    let xml = export_edxml(
        &package,
        &mut Detached::none(),
        &EdxmlLimits::default(),
        &EdxmlOptions::default(),
    )
    .expect("export");
    let mut text = String::from_utf8(xml).expect("utf-8");
    let range = encoded_range(&text, "package.edoc.json");
    let json = String::from_utf8(B64.decode(&text[range.clone()]).expect("base64")).expect("json");
    let forged = json.replacen("\"42\"", "\"43\"", 1);
    assert_ne!(forged, json);
    text.replace_range(range, &B64.encode(forged));
    let rejected = verify(&w, import(text.as_bytes()).into_package()).unwrap_err();
    assert_eq!(rejected.sub_indication(), Some(SubIndication::HashFailure));
}

#[test]
fn a_changed_envelope_changes_nothing_signed_and_is_reported() {
    let w = world();
    let package = routed_package(&w);
    let xml = export_edxml(
        &package,
        &mut Detached::none(),
        &EdxmlLimits::default(),
        &EdxmlOptions::default(),
    )
    .expect("export");
    let text = String::from_utf8(xml).expect("utf-8");
    let forged = text.replacen(
        &format!("<edXML:OrganId>{A_LUOI_5}</edXML:OrganId>"),
        "<edXML:OrganId>000.00.00.H57</edXML:OrganId>",
        1,
    );
    assert_ne!(forged, text);
    let imported = import(forged.as_bytes());
    assert!(
        imported
            .report()
            .notes
            .iter()
            .any(|n| n.contains("the envelope's sender is 000.00.00.H57")),
        "{}",
        imported.report()
    );
    let verified = verify(&w, imported.into_package()).expect("the signed package is intact");
    assert_eq!(verified.header().sender().id, id(A_LUOI_5));
}

#[test]
fn without_the_embedded_package_the_document_is_unsigned_and_does_not_verify() {
    let w = world();
    let package = routed_package(&w);
    let xml = export_edxml(
        &package,
        &mut Detached::none(),
        &EdxmlLimits::default(),
        &EdxmlOptions::default(),
    )
    .expect("export");
    let options = EdxmlOptions {
        use_embedded: false,
        ..EdxmlOptions::default()
    };
    let EdxmlImport::Document(doc) =
        import_edxml(&xml, &EdxmlLimits::default(), &options).expect("imports")
    else {
        panic!("a document");
    };
    assert!(!doc.is_embedded());
    assert!(doc.package().signatures().is_empty());
    // The header mapped from the envelope is the signed one, except what edXML cannot say
    // (here nothing), so the mapping loses nothing a verifier would need...
    assert_eq!(doc.package().header().subject(), package.header().subject());
    assert_eq!(doc.package().header().summary(), package.header().summary());
    // ... but without signatures it does not verify.
    assert!(verify(&w, doc.into_package()).is_err());
}

#[test]
fn a_signed_status_verifies_after_the_edxml_hop_and_the_envelope_cannot_change_it() {
    let w = world();
    let message = StatusMessage {
        from: id(FINANCE),
        to: id(A_LUOI_5),
        document_id: "000.00.45.H57,2025/07/02,42/UBND-TCKH".into(),
        code: StatusCode::Accepted,
        description: "Đã tiếp nhận".into(),
        time: datetime!(2025-07-02 16:00:00 +07:00),
        staff: Staff {
            name: "Trần Thị Bình".into(),
            position: "Văn thư".into(),
        },
    };
    let seal = w
        .pki
        .seal("Sở Tài chính", &id(FINANCE), Algorithm::Es256)
        .expect("seal");
    let jws = message
        .sign(&seal.signer().expect("signer"))
        .expect("signed");
    let jws = String::from_utf8(jws).expect("compact JWS");
    let xml = export_edxml_status(
        &message,
        Some(&jws),
        &Default::default(),
        &EdxmlOptions::default(),
    )
    .expect("export");
    let forged = String::from_utf8(xml).expect("utf-8").replace(
        "<edXML:StatusCode>03</edXML:StatusCode>",
        "<edXML:StatusCode>02</edXML:StatusCode>",
    );
    let EdxmlImport::Status(status) = import_edxml(
        forged.as_bytes(),
        &EdxmlLimits::default(),
        &EdxmlOptions::default(),
    )
    .expect("imports") else {
        panic!("a status");
    };
    assert_eq!(status.message(), &message);
    assert!(status
        .report()
        .notes
        .iter()
        .any(|n| n.contains("differs from the envelope")));
    let signed = status.signed().expect("the JWS travels inside");
    let verified = StatusMessage::verify_signed(
        signed.as_bytes(),
        &w.trust,
        &Policy::strict(),
        &Directory::sample(),
        NOW + Duration::hours(2),
    )
    .expect("verifies");
    assert_eq!(verified.message(), &message);
}
