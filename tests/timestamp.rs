//! RFC 3161 timestamps against OpenSSL's own TSA (`openssl ts -reply`) and verifier
//! (`openssl ts -verify`): each accepts the other's tokens, and a token whose imprint, nonce,
//! TSA certificate or generation time was changed is refused.

mod common;
mod tsa_support;

use common::{pki, NOW};
use edoc::{
    request_timestamp, Algorithm, CmsError, DigestAlgorithm, Policy, SignerTsa, TimestampAuthority,
    TimestampError, TimestampRequest, TimestampToken,
};
use time::macros::datetime;
use time::OffsetDateTime;
use tsa_support::{openssl_cms_verify, openssl_verify, EssAlg, OpenSslTsa};

const DATA: &[u8] = b"eyJhbGciOiJFUzI1NiJ9 (a JWS signature value, say)";
/// OpenSSL's TSA runs under faketime at this instant, inside the test leaves' validity.
const TSA_TIME: OffsetDateTime = datetime!(2026-05-31 09:30 UTC);

fn rng() -> ring::rand::SystemRandom {
    ring::rand::SystemRandom::new()
}

/// A request with a fixed nonce, and OpenSSL's answer to it.
fn openssl_exchange(tsa: &OpenSslTsa, nonce: [u8; 8]) -> (TimestampRequest, Vec<u8>) {
    let req = TimestampRequest::new(DigestAlgorithm::Sha256, DATA, nonce).unwrap();
    let resp = tsa
        .respond(req.to_der())
        .expect("openssl ts -reply answers");
    (req, resp)
}

/// The token inside a DER TimeStampResp, as the request checks accept it.
fn token_of(req: &TimestampRequest, resp: &[u8]) -> TimestampToken {
    req.read_response(resp).expect("a granted response")
}

/// Replaces every occurrence of `from` in `bytes` by `to` (same length).
fn patch(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut out = bytes.to_vec();
    let mut found = false;
    let mut at = 0;
    while let Some(i) = out[at..].windows(from.len()).position(|w| w == from) {
        out[at + i..at + i + to.len()].copy_from_slice(to);
        at += i + to.len();
        found = true;
    }
    assert!(found, "pattern present");
    out
}

#[test]
fn openssl_tokens_verify_with_either_ess_attribute_and_both_key_types() {
    let pki = pki();
    let store = common::store_with(&[]);
    for (alg, ess) in [
        (Algorithm::Es256, EssAlg::Sha256),
        (Algorithm::Rs256, EssAlg::Sha256),
        (Algorithm::Es384, EssAlg::Sha1),
    ] {
        let identity = pki.tsa("edoc TEST TSA (OpenSSL)", alg).unwrap();
        let tsa = OpenSslTsa::new(&identity, ess).at(TSA_TIME);
        let token = request_timestamp(&tsa, DATA, &rng()).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(token.gen_time(), TSA_TIME, "{alg}");
        assert_eq!(token.policy().to_string(), "1.3.6.1.4.1.99999.7.1");
        token.check_imprint(DATA, "data").unwrap();

        let again = TimestampToken::parse(token.as_der()).unwrap();
        let signer = again.verify_signature(&[]).unwrap();
        let expected = match ess {
            EssAlg::Sha256 => edoc::EssBinding::SigningCertificateV2,
            EssAlg::Sha1 => edoc::EssBinding::SigningCertificateV1,
        };
        assert_eq!(signer.ess_binding(), Some(expected));
        let chain =
            TimestampToken::validate_tsa_chain(&signer, &store, &Policy::strict(), NOW).unwrap();
        assert_eq!(
            chain.subject().common_name.as_deref(),
            Some("edoc TEST TSA (OpenSSL)")
        );
    }
}

#[test]
fn openssl_ts_verify_accepts_the_tokens_edoc_makes() {
    let pki = pki();
    for alg in [
        Algorithm::Es256,
        Algorithm::Ps256,
        Algorithm::Rs256,
        Algorithm::Es384,
    ] {
        let identity = pki.tsa("edoc TEST TSA", alg).unwrap();
        let tsa = SignerTsa::new(
            Box::new(identity.signer().unwrap()),
            "1.3.6.1.4.1.99999.7.2",
            || TSA_TIME,
        )
        .unwrap();
        let token = request_timestamp(&tsa, DATA, &rng()).unwrap();
        let (ok, out) = openssl_cms_verify(pki, token.as_der(), NOW);
        assert!(
            ok,
            "{alg}: openssl cms -verify refused edoc's token:\n{out}"
        );
        if alg == Algorithm::Ps256 {
            // OpenSSL 3.0's ts -verify checks signatures through PKCS#7, which has no PSS.
            continue;
        }
        let (ok, out) = openssl_verify(pki, token.as_der(), DATA, NOW);
        assert!(ok, "{alg}: openssl ts -verify refused edoc's token:\n{out}");
        assert!(out.contains("Verification: OK"), "{out}");
        // And it refuses it over other data, so the check above means something.
        let (ok, _) = openssl_verify(pki, token.as_der(), b"other data", NOW);
        assert!(!ok, "{alg}");
    }
}

#[test]
fn a_changed_imprint_nonce_or_generation_time_fails() {
    let identity = pki()
        .tsa("edoc TEST TSA (OpenSSL)", Algorithm::Es256)
        .unwrap();
    let tsa = OpenSslTsa::new(&identity, EssAlg::Sha256).at(TSA_TIME);
    let nonce = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08];
    let (req, resp) = openssl_exchange(&tsa, nonce);
    let token = token_of(&req, &resp);

    // The token covers DATA only.
    assert_eq!(
        token.check_imprint(b"other data", "data"),
        Err(TimestampError::ImprintMismatch { covered: "data" })
    );

    // A byte of the imprint, the nonce or the time changed inside the signed TSTInfo: the
    // CMS message digest no longer matches.
    let imprint = DigestAlgorithm::Sha256.digest(DATA);
    let mut other_imprint = imprint.clone();
    other_imprint[0] ^= 1;
    let gen_time = b"20260531093000Z";
    for (what, from, to) in [
        ("imprint", imprint.clone(), other_imprint),
        (
            "nonce",
            nonce.to_vec(),
            vec![0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x09],
        ),
        ("genTime", gen_time.to_vec(), b"20250531093000Z".to_vec()),
    ] {
        let changed = patch(token.as_der(), &from, &to);
        let parsed = TimestampToken::parse(&changed).unwrap();
        assert_eq!(
            parsed.verify_signature(&[]).unwrap_err(),
            TimestampError::Cms(CmsError::DigestMismatch),
            "{what}"
        );
    }

    // A genuine token answering another request (another nonce) is refused by this one.
    let (_, other_resp) = openssl_exchange(&tsa, [9; 8]);
    assert_eq!(
        req.read_response(&other_resp).unwrap_err(),
        TimestampError::RequestMismatch("another nonce")
    );
}

#[test]
fn a_token_whose_tsa_certificate_was_swapped_or_is_not_for_timestamping_fails() {
    let pki = pki();
    let identity = pki
        .tsa("edoc TEST TSA (OpenSSL)", Algorithm::Es256)
        .unwrap();
    let tsa = OpenSslTsa::new(&identity, EssAlg::Sha256).at(TSA_TIME);
    let (req, resp) = openssl_exchange(&tsa, [7; 8]);
    let token = token_of(&req, &resp);

    // Another TSA's certificate in place of the real one: the signer is no longer found. The
    // swap keeps the DER lengths, so a certificate of equal length is drawn (ECDSA signatures
    // in certificates vary by a byte or two).
    let own = identity.chain[0].as_ref();
    let other = (0..64)
        .map(|_| {
            pki.tsa("edoc TEST TSA (OpenSSX)", Algorithm::Es256)
                .unwrap()
        })
        .find(|o| o.chain[0].len() == own.len())
        .expect("a certificate of equal length within 64 draws");
    let theirs = other.chain[0].as_ref();
    {
        let swapped = patch(token.as_der(), own, theirs);
        let parsed = TimestampToken::parse(&swapped).unwrap();
        assert_eq!(
            parsed.verify_signature(&[]).unwrap_err(),
            TimestampError::Cms(CmsError::SignerCertificateNotFound)
        );
    }

    // A token whose signer holds a seal certificate (no time-stamping purpose): edoc's own
    // TSA refuses such a key, OpenSSL's too; the token check refuses it as well.
    let seal = pki
        .seal(
            "UBND xã A Lưới 1",
            &common::org("000.00.41.H57"),
            Algorithm::Es256,
        )
        .unwrap();
    assert!(matches!(
        SignerTsa::new(Box::new(seal.signer().unwrap()), "1.2.3", || TSA_TIME),
        Err(TimestampError::NotTimestampingCertificate { .. })
    ));
    let seal_tsa = OpenSslTsa::new(&seal, EssAlg::Sha256).at(TSA_TIME);
    assert!(matches!(
        request_timestamp(&seal_tsa, DATA, &rng()),
        Err(TimestampError::Unavailable { .. })
    ));
}

#[test]
fn a_refusal_from_the_tsa_is_reported_with_its_reason() {
    let identity = pki().tsa("edoc TEST TSA", Algorithm::Es256).unwrap();
    let tsa = SignerTsa::new(Box::new(identity.signer().unwrap()), "1.2.3.4", || TSA_TIME).unwrap();
    // A request whose digest length does not fit its algorithm is refused by the TSA
    // (badAlg); the request builder itself refuses to write one.
    assert!(TimestampRequest::for_digest(DigestAlgorithm::Sha256, vec![0; 20], [1; 8]).is_err());
    let good = TimestampRequest::new(DigestAlgorithm::Sha256, DATA, [1; 8]).unwrap();
    let mut bad = good.to_der().to_vec();
    // The imprint's OCTET STRING length byte (0x20) and the last digest byte removed.
    let at = bad.windows(2).position(|w| w == [0x04, 0x20]).unwrap();
    bad[at + 1] = 0x1f;
    bad.remove(at + 2);
    bad[1] -= 1; // TimeStampReq length
    bad[3] -= 1; // MessageImprint length (short-form lengths throughout)
    let resp = tsa.respond(&bad).unwrap();
    match good.read_response(&resp) {
        Err(TimestampError::Refused { status, detail }) => {
            assert_eq!(status, "Rejection");
            assert!(detail.unwrap().contains("BadAlg"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_edoc_token_verifies_from_its_bytes_and_its_tsa_chain_is_checked_at_a_chosen_time() {
    let pki = pki();
    let store = common::store_with(&[]);
    let identity = pki.tsa("edoc TEST TSA", Algorithm::Es256).unwrap();
    let tsa = SignerTsa::new(
        Box::new(identity.signer().unwrap()),
        "1.3.6.1.4.1.99999.7.2",
        || TSA_TIME,
    )
    .unwrap();
    let token = request_timestamp(&tsa, DATA, &rng()).unwrap();
    let signer = token.verify_signature(&[]).unwrap();
    TimestampToken::validate_tsa_chain(&signer, &store, &Policy::strict(), NOW).unwrap();
    // In 2031 the TSA certificate (2025–2030) has expired: without a later proof of
    // existence the token proves nothing then.
    assert!(matches!(
        TimestampToken::validate_tsa_chain(
            &signer,
            &store,
            &Policy::strict(),
            datetime!(2031-01-01 00:00 UTC)
        ),
        Err(edoc::ChainError::Expired { .. })
    ));
}
