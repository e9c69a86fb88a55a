//! JAdES B-T, B-LT and B-LTA with OpenSSL's own TSA (`openssl ts -reply`, at fixed times under
//! faketime): the levels reached, the best signature time, what breaks each level, and TSA
//! chains validated at the next proof of existence.

mod common;
mod tsa_support;

use common::pki;
use edoc::{
    add_archive_timestamp, add_signature_timestamp, sign_attached_compact, Algorithm, ChainError,
    JadesLevel, JwsMessage, LevelEvaluation, ParsedSignature, Policy, SignOptions, SignedContent,
    TestIdentity, UnsignedComponent, UnsignedProperties,
};
use time::macros::datetime;
use time::OffsetDateTime;
use tsa_support::{EssAlg, OpenSslTsa};

const SIGNED: OffsetDateTime = datetime!(2025-07-02 08:00 UTC);
const STAMPED: OffsetDateTime = datetime!(2025-07-02 09:00 UTC);

fn rng() -> ring::rand::SystemRandom {
    ring::rand::SystemRandom::new()
}

/// A signed JWS (compact, attached payload) of the seal, as a message.
fn signed_message() -> JwsMessage {
    let seal = pki()
        .seal(
            "Sở Tài chính",
            &common::org("000.00.05.H57"),
            Algorithm::Es256,
        )
        .unwrap();
    let compact = sign_attached_compact(
        &seal.signer().unwrap(),
        b"{\"so\":\"123/QD-UBND\"}",
        &SignOptions::new(SIGNED),
    )
    .unwrap();
    JwsMessage::parse(&compact).unwrap()
}

fn tsa(identity: &TestIdentity, at: OffsetDateTime) -> OpenSslTsa {
    OpenSslTsa::new(identity, EssAlg::Sha256).at(at)
}

fn evaluate(msg: &JwsMessage) -> LevelEvaluation {
    let parsed = ParsedSignature::parse(&msg.signatures[0]).unwrap();
    let props = msg.unsigned_properties(0).unwrap();
    LevelEvaluation::evaluate(
        &parsed,
        &props,
        SignedContent::Attached(msg.payload.as_deref().unwrap()),
    )
}

/// The message written as JSON and read back, as a receiver sees it.
fn round_trip(msg: &JwsMessage) -> JwsMessage {
    JwsMessage::parse(&msg.to_json()).unwrap()
}

/// The seal's chain, the TSA's chain and the CRLs, as B-LT carries them.
fn validation_data(props: &mut UnsignedProperties, tsa_identity: &TestIdentity) {
    let pki = pki();
    let certs = vec![
        tsa_identity.chain[0].to_vec(),
        pki.intermediate().to_vec(),
        pki.root().to_vec(),
    ];
    let crls = vec![
        pki.root_crl().unwrap().to_vec(),
        pki.crl(&[]).unwrap().to_vec(),
    ];
    props
        .push(UnsignedComponent::certificate_values(&certs))
        .unwrap();
    props
        .push(UnsignedComponent::revocation_values(&crls))
        .unwrap();
}

#[test]
fn an_openssl_signature_timestamp_reaches_b_t_with_its_time_as_best_signature_time() {
    let tsa_id = pki().tsa("edoc TEST TSA", Algorithm::Es256).unwrap();
    let mut msg = signed_message();
    assert_eq!(evaluate(&msg).level(), JadesLevel::BaselineB);

    let parsed = ParsedSignature::parse(&msg.signatures[0]).unwrap();
    let mut props = msg.unsigned_properties(0).unwrap();
    add_signature_timestamp(&parsed, &mut props, &tsa(&tsa_id, STAMPED), &rng()).unwrap();
    msg.set_unsigned_properties(0, &props).unwrap();
    let msg = round_trip(&msg);

    let mut eval = evaluate(&msg);
    assert_eq!(eval.level(), JadesLevel::BaselineT);
    assert_eq!(eval.best_signature_time(), Some(STAMPED));
    // The TSA chain holds now: still B-T.
    eval.validate_tsa_chains(
        &common::store_with(&[]),
        &Policy::strict(),
        datetime!(2026-06-01 00:00 UTC),
    );
    assert_eq!(eval.level(), JadesLevel::BaselineT);
    // The signature value is unchanged, so the B part still verifies over the same bytes.
    edoc::verify_attached(
        &ParsedSignature::parse(&msg.signatures[0]).unwrap(),
        msg.payload.as_deref().unwrap(),
    )
    .unwrap();
}

#[test]
fn validation_data_gives_b_lt_and_an_archive_timestamp_b_lta_renewable() {
    let tsa_id = pki().tsa("edoc TEST TSA", Algorithm::Es256).unwrap();
    let mut msg = signed_message();
    let parsed = ParsedSignature::parse(&msg.signatures[0]).unwrap();
    let content = msg.payload.clone().unwrap();
    let mut props = UnsignedProperties::new();
    add_signature_timestamp(&parsed, &mut props, &tsa(&tsa_id, STAMPED), &rng()).unwrap();
    validation_data(&mut props, &tsa_id);
    msg.set_unsigned_properties(0, &props).unwrap();
    assert_eq!(evaluate(&round_trip(&msg)).level(), JadesLevel::BaselineLt);

    add_archive_timestamp(
        &parsed,
        &mut props,
        SignedContent::Attached(&content),
        &tsa(&tsa_id, datetime!(2025-08-01 00:00 UTC)),
        &rng(),
    )
    .unwrap();
    msg.set_unsigned_properties(0, &props).unwrap();
    assert_eq!(evaluate(&round_trip(&msg)).level(), JadesLevel::BaselineLta);

    // Renewal: a second arcTst covers the first.
    add_archive_timestamp(
        &parsed,
        &mut props,
        SignedContent::Attached(&content),
        &tsa(&tsa_id, datetime!(2029-06-01 00:00 UTC)),
        &rng(),
    )
    .unwrap();
    msg.set_unsigned_properties(0, &props).unwrap();
    let eval = evaluate(&round_trip(&msg));
    assert_eq!(eval.level(), JadesLevel::BaselineLta);
    assert_eq!(eval.timestamps().len(), 3);
}

#[test]
fn a_changed_component_under_an_archive_timestamp_leaves_b_lt() {
    let tsa_id = pki().tsa("edoc TEST TSA", Algorithm::Es256).unwrap();
    let mut msg = signed_message();
    let parsed = ParsedSignature::parse(&msg.signatures[0]).unwrap();
    let content = msg.payload.clone().unwrap();
    let mut props = UnsignedProperties::new();
    add_signature_timestamp(&parsed, &mut props, &tsa(&tsa_id, STAMPED), &rng()).unwrap();
    validation_data(&mut props, &tsa_id);
    add_archive_timestamp(
        &parsed,
        &mut props,
        SignedContent::Attached(&content),
        &tsa(&tsa_id, datetime!(2025-08-01 00:00 UTC)),
        &rng(),
    )
    .unwrap();
    // The same components, with the CRLs swapped for others after the archive timestamp.
    let mut changed = UnsignedProperties::new();
    for (i, c) in props.components().iter().enumerate() {
        if i == 2 {
            changed
                .push(UnsignedComponent::revocation_values(&[pki()
                    .crl(&[])
                    .unwrap()
                    .to_vec()]))
                .unwrap();
        } else {
            changed.push(c.clone()).unwrap();
        }
    }
    msg.set_unsigned_properties(0, &changed).unwrap();
    let eval = evaluate(&round_trip(&msg));
    assert_eq!(eval.level(), JadesLevel::BaselineLt);
    let arc = &eval.timestamps()[1];
    assert!(matches!(
        arc.result(),
        Err(edoc::TimestampError::ImprintMismatch {
            covered: "archived data"
        })
    ));
}

#[test]
fn a_signature_timestamp_copied_from_another_signature_leaves_b_b() {
    let tsa_id = pki().tsa("edoc TEST TSA", Algorithm::Es256).unwrap();
    let first = signed_message();
    let mut second = signed_message();
    let mut props = UnsignedProperties::new();
    add_signature_timestamp(
        &ParsedSignature::parse(&first.signatures[0]).unwrap(),
        &mut props,
        &tsa(&tsa_id, STAMPED),
        &rng(),
    )
    .unwrap();
    second.set_unsigned_properties(0, &props).unwrap();
    let eval = evaluate(&round_trip(&second));
    assert_eq!(eval.level(), JadesLevel::BaselineB);
    assert_eq!(eval.best_signature_time(), None);
    assert!(matches!(
        eval.timestamps()[0].result(),
        Err(edoc::TimestampError::ImprintMismatch {
            covered: "signature value"
        })
    ));
}

#[test]
fn an_expired_tsa_certificate_holds_through_a_later_archive_timestamp() {
    let pki = pki();
    // The first TSA's certificate ends on 2026-01-01; the archive TSA's lasts to 2030.
    let short = pki
        .tsa_valid(
            "edoc TEST TSA 2025",
            Algorithm::Es256,
            datetime!(2025-01-01 00:00 UTC),
            datetime!(2026-01-01 00:00 UTC),
        )
        .unwrap();
    let long = pki.tsa("edoc TEST TSA archive", Algorithm::Es256).unwrap();
    let mut msg = signed_message();
    let parsed = ParsedSignature::parse(&msg.signatures[0]).unwrap();
    let content = msg.payload.clone().unwrap();
    let mut props = UnsignedProperties::new();
    add_signature_timestamp(&parsed, &mut props, &tsa(&short, STAMPED), &rng()).unwrap();
    validation_data(&mut props, &short);
    msg.set_unsigned_properties(0, &props).unwrap();
    let store = common::store_with(&[]);
    let later = datetime!(2029-06-01 00:00 UTC);

    // B-LT only: in 2029 the first TSA's certificate has expired, and nothing proves the
    // token existed before: the timestamp no longer counts.
    let mut eval = evaluate(&round_trip(&msg));
    eval.validate_tsa_chains(&store, &Policy::strict(), later);
    assert_eq!(eval.level(), JadesLevel::BaselineB);
    assert!(matches!(
        eval.timestamps()[0].tsa_chain(),
        Some((at, Err(ChainError::Expired { .. }))) if at == later
    ));

    // With an archive timestamp from 2025-12-01, the first TSA's chain is judged then.
    add_archive_timestamp(
        &parsed,
        &mut props,
        SignedContent::Attached(&content),
        &tsa(&long, datetime!(2025-12-01 00:00 UTC)),
        &rng(),
    )
    .unwrap();
    msg.set_unsigned_properties(0, &props).unwrap();
    let mut eval = evaluate(&round_trip(&msg));
    eval.validate_tsa_chains(&store, &Policy::strict(), later);
    assert_eq!(eval.level(), JadesLevel::BaselineLta);
    assert_eq!(eval.best_signature_time(), Some(STAMPED));
    let (at, chain) = eval.timestamps()[0].tsa_chain().unwrap();
    assert_eq!(at, datetime!(2025-12-01 00:00 UTC));
    assert!(chain.is_ok());
}
