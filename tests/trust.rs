//! Chain validation against the generated test PKI: one test per outcome, each asserting the
//! exact error and the EN 319 102-1 sub-indication it reports as. Validation is pinned at
//! 2026-06-01 (`common::NOW`).
#![cfg(feature = "test-pki")]

mod common;

use common::{org, pki, store_with, NOW, SIGNED};
use edoc::{
    Algorithm, ChainError, Defect, EkuPolicy, Holder, IdentitySpec, Policy,
    RevokedAfterSigningTime, SubIndication, TestIdentity, TrustStore, ValidationTimeMode,
    ValidationTimes,
};
use time::macros::datetime;
use x509_parser::prelude::FromDer;

fn person(algorithm: Algorithm, defect: Defect) -> TestIdentity {
    pki()
        .issue(&IdentitySpec {
            holder: Holder::Person {
                full_name: "Nguyễn Văn An".into(),
                agency_name: "UBND xã A Lưới 1".into(),
                agency: org("000.00.01.H57"),
            },
            algorithm,
            defect,
        })
        .unwrap()
}

fn times() -> ValidationTimes {
    ValidationTimes::signed_at(NOW, SIGNED)
}

fn refused(id: &TestIdentity, store: &TrustStore, policy: &Policy) -> ChainError {
    store
        .validate_chain(&id.chain, times(), policy)
        .expect_err("the chain must be refused")
}

#[test]
fn valid_chains_pass_for_rsa_ecdsa_and_ed25519_leaves() {
    for alg in [
        Algorithm::Rs256,
        Algorithm::Ps256,
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::EdDsa,
    ] {
        let id = person(alg, Defect::None);
        let store = store_with(&[]);
        let chain = store
            .validate_chain(&id.chain, times(), &Policy::strict())
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(
            chain.subject().common_name.as_deref(),
            Some("Nguyễn Văn An")
        );
        assert_eq!(
            chain.subject().organization.as_deref(),
            Some("UBND xã A Lưới 1")
        );
        assert_eq!(chain.subject().org_id, Some(org("000.00.01.H57")));
        assert_eq!(
            chain.issuer().common_name.as_deref(),
            Some("edoc TEST Issuing CA")
        );
        assert_eq!(
            chain.anchor().common_name.as_deref(),
            Some("edoc TEST Root CA")
        );
        assert_eq!(chain.certificates().len(), 2);
        assert_eq!(
            chain.validated_at(),
            NOW,
            "strict validates at the caller's clock"
        );
    }
}

#[test]
fn untrusted_root_is_no_certificate_chain_found() {
    let id = person(Algorithm::Es256, Defect::UntrustedRoot);
    let err = refused(&id, &store_with(&[]), &Policy::strict());
    assert!(matches!(err, ChainError::UnknownIssuer { .. }), "{err:?}");
    assert_eq!(err.sub_indication(), SubIndication::NoCertificateChainFound);
}

#[test]
fn missing_intermediate_is_no_certificate_chain_found() {
    let id = person(Algorithm::Es256, Defect::None);
    let mut store = TrustStore::default();
    store.add_anchor_der(pki().root()).unwrap();
    store
        .add_crls_pem(pki().crls_pem(&[]).unwrap().as_bytes())
        .unwrap();
    let err = store
        .validate_chain(&id.chain[..1], times(), &Policy::strict())
        .unwrap_err();
    assert!(matches!(err, ChainError::UnknownIssuer { .. }), "{err:?}");
    assert_eq!(err.sub_indication(), SubIndication::NoCertificateChainFound);
    // The same leaf passes once the signature carries the intermediate.
    assert!(store
        .validate_chain(&id.chain, times(), &Policy::strict())
        .is_ok());
}

#[test]
fn expired_certificate_at_signing_time_is_expired() {
    let id = person(Algorithm::Es256, Defect::Expired);
    let err = refused(&id, &store_with(&[]), &Policy::strict());
    match &err {
        ChainError::Expired {
            subject, not_after, ..
        } => {
            assert!(
                subject.starts_with("Nguyễn Văn An (UBND xã A Lưới 1"),
                "{subject}"
            );
            assert_eq!(*not_after, datetime!(2024-01-01 00:00 UTC));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.sub_indication(), SubIndication::Expired);
    assert!(err.to_string().contains("Nguyễn Văn An"), "{err}");
}

#[test]
fn expired_now_but_signed_before_is_out_of_bounds_no_poe() {
    let id = person(Algorithm::Es256, Defect::None);
    let mut policy = Policy::strict();
    policy.validation_time = ValidationTimeMode::Current;
    // 2031: the leaf (valid to 2030-01-01) has expired; the claimed signing time is 2029.
    let t = ValidationTimes::signed_at(
        datetime!(2031-01-01 00:00 UTC),
        datetime!(2029-06-01 00:00 UTC),
    );
    let err = store_with(&[])
        .validate_chain(&id.chain, t, &policy)
        .unwrap_err();
    assert!(
        matches!(err, ChainError::ExpiredAfterSigningTime { .. }),
        "{err:?}"
    );
    assert_eq!(err.sub_indication(), SubIndication::OutOfBoundsNoPoe);
}

#[test]
fn not_yet_valid_certificate_is_not_yet_valid() {
    let id = person(Algorithm::Es256, Defect::NotYetValid);
    let err = refused(&id, &store_with(&[]), &Policy::strict());
    assert!(
        matches!(err, ChainError::NotYetValid { not_before, .. } if not_before == datetime!(2031-01-01 00:00 UTC)),
        "{err:?}"
    );
    assert_eq!(err.sub_indication(), SubIndication::NotYetValid);
}

#[test]
fn revoked_before_signing_time_is_revoked() {
    let id = person(Algorithm::Es256, Defect::None);
    let revoked_at = datetime!(2026-01-15 00:00 UTC);
    let err = refused(&id, &store_with(&[(&id, revoked_at)]), &Policy::strict());
    assert_eq!(
        err,
        ChainError::Revoked {
            subject: "Nguyễn Văn An (UBND xã A Lưới 1, 000.00.01.H57)".into(),
            revoked_at: Some(revoked_at)
        }
    );
    assert_eq!(err.sub_indication(), SubIndication::Revoked);
}

#[test]
fn revoked_after_signing_time_is_revoked_no_poe_under_strict_policy() {
    let id = person(Algorithm::Es256, Defect::None);
    let revoked_at = datetime!(2026-05-31 12:00 UTC); // three hours after SIGNED
    let store = store_with(&[(&id, revoked_at)]);
    let err = refused(&id, &store, &Policy::strict());
    assert!(
        matches!(err, ChainError::RevokedAfterSigningTime { revoked_at: r, signing_time, .. } if r == revoked_at && signing_time == SIGNED),
        "{err:?}"
    );
    assert_eq!(err.sub_indication(), SubIndication::RevokedNoPoe);
}

#[test]
fn revoked_after_signing_time_passes_when_the_policy_trusts_the_claimed_time() {
    let id = person(Algorithm::Es256, Defect::None);
    let store = store_with(&[(&id, datetime!(2026-05-31 12:00 UTC))]);
    let mut policy = Policy::strict();
    policy.revocation.revoked_after_signing_time =
        RevokedAfterSigningTime::DangerAcceptClaimedSigningTime;
    store.validate_chain(&id.chain, times(), &policy).unwrap();
    // ...but a revocation before the signing time still fails under that policy.
    let early = store_with(&[(&id, datetime!(2026-05-30 00:00 UTC))]);
    let err = early
        .validate_chain(&id.chain, times(), &policy)
        .unwrap_err();
    assert!(matches!(err, ChainError::Revoked { .. }), "{err:?}");
}

#[test]
fn missing_crl_is_try_later_under_strict_policy() {
    let id = person(Algorithm::Es256, Defect::None);
    let mut store = TrustStore::default();
    store.add_anchor_der(pki().root()).unwrap();
    // Only the root's CRL: nothing covers the signer.
    store.add_crl_der(&pki().root_crl().unwrap()).unwrap();
    let err = refused(&id, &store, &Policy::strict());
    assert!(
        matches!(err, ChainError::RevocationUnknown { .. }),
        "{err:?}"
    );
    assert_eq!(err.sub_indication(), SubIndication::TryLater);
}

fn with_eku(eku: EkuPolicy) -> Policy {
    let mut p = Policy::strict();
    p.eku = eku;
    p
}

#[test]
fn wrong_eku_fails_each_policy_that_requires_another_purpose() {
    let store = store_with(&[]);
    let server_auth = person(Algorithm::Es256, Defect::WrongEku);
    let doc_signing = person(Algorithm::Es256, Defect::None);
    for eku in [
        EkuPolicy::DocumentSigning,
        EkuPolicy::EmailProtection,
        EkuPolicy::AnyOf(vec![
            "1.3.6.1.5.5.7.3.36".into(),
            "1.3.6.1.5.5.7.3.4".into(),
        ]),
    ] {
        let err = refused(&server_auth, &store, &with_eku(eku.clone()));
        assert!(
            matches!(err, ChainError::WrongExtendedKeyUsage { .. }),
            "{eku:?}: {err:?}"
        );
        assert_eq!(err.sub_indication(), SubIndication::ChainConstraintsFailure);
    }
    // documentSigning is not emailProtection.
    let err = refused(&doc_signing, &store, &with_eku(EkuPolicy::EmailProtection));
    assert!(
        matches!(err, ChainError::WrongExtendedKeyUsage { .. }),
        "{err:?}"
    );
    // A leaf without any EKU fails a policy that requires one.
    let err = refused(
        &person(Algorithm::Es256, Defect::NoEku),
        &store,
        &with_eku(EkuPolicy::DocumentSigning),
    );
    assert!(
        matches!(err, ChainError::WrongExtendedKeyUsage { .. }),
        "{err:?}"
    );
}

#[test]
fn eku_policies_accept_the_purposes_they_name() {
    let store = store_with(&[]);
    let server_auth = person(Algorithm::Es256, Defect::WrongEku);
    store
        .validate_chain(
            &server_auth.chain,
            times(),
            &with_eku(EkuPolicy::NotRequired),
        )
        .unwrap();
    store
        .validate_chain(
            &server_auth.chain,
            times(),
            &with_eku(EkuPolicy::AnyOf(vec!["1.3.6.1.5.5.7.3.1".into()])),
        )
        .unwrap();
    let doc_signing = person(Algorithm::Es256, Defect::None);
    store
        .validate_chain(
            &doc_signing.chain,
            times(),
            &with_eku(EkuPolicy::DocumentSigning),
        )
        .unwrap();
}

#[test]
fn intermediate_without_eku_passes_a_document_signing_policy() {
    let (_, inter) =
        x509_parser::certificate::X509Certificate::from_der(pki().intermediate()).unwrap();
    assert!(
        inter.extended_key_usage().unwrap().is_none(),
        "the test intermediate must have no EKU"
    );
    let id = person(Algorithm::Es256, Defect::None);
    store_with(&[])
        .validate_chain(&id.chain, times(), &with_eku(EkuPolicy::DocumentSigning))
        .unwrap();
}

#[test]
fn missing_key_usage_is_a_chain_constraints_failure() {
    let id = person(Algorithm::Es256, Defect::NoKeyUsage);
    let err = refused(&id, &store_with(&[]), &Policy::strict());
    assert!(matches!(err, ChainError::MissingKeyUsage { .. }), "{err:?}");
    assert_eq!(err.sub_indication(), SubIndication::ChainConstraintsFailure);
}

#[test]
fn key_usage_without_signing_bits_is_a_chain_constraints_failure() {
    let id = person(Algorithm::Es256, Defect::KeyUsageNotForSigning);
    let err = refused(&id, &store_with(&[]), &Policy::strict());
    assert!(
        matches!(err, ChainError::KeyUsageNotForSigning { .. }),
        "{err:?}"
    );
    assert_eq!(err.sub_indication(), SubIndication::ChainConstraintsFailure);
}

#[test]
fn chain_longer_than_the_policy_allows_is_refused() {
    let id = person(Algorithm::Es256, Defect::None);
    let mut policy = Policy::strict();
    policy.max_chain_length = 2; // leaf + root only; the test chain has an intermediate
    let err = refused(&id, &store_with(&[]), &policy);
    assert!(
        matches!(
            err,
            ChainError::ChainTooLong {
                length: 3,
                max: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.sub_indication(), SubIndication::ChainConstraintsFailure);
}

#[test]
fn rsa_1024_certificate_key_is_a_crypto_constraints_failure() {
    let id = person(Algorithm::Rs256, Defect::Rsa1024);
    let err = refused(&id, &store_with(&[]), &Policy::strict());
    assert!(
        matches!(
            err,
            ChainError::KeyTooSmall {
                bits: 1024,
                min: 2048,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.sub_indication(),
        SubIndication::CryptoConstraintsFailure
    );
}

#[test]
fn signing_time_in_the_future_is_refused() {
    let id = person(Algorithm::Es256, Defect::None);
    let t = ValidationTimes::signed_at(NOW, NOW + time::Duration::minutes(6));
    let err = store_with(&[])
        .validate_chain(&id.chain, t, &Policy::strict())
        .unwrap_err();
    assert!(
        matches!(err, ChainError::SigningTimeInFuture { .. }),
        "{err:?}"
    );
    // Within the five-minute skew it passes.
    let t = ValidationTimes::signed_at(NOW, NOW + time::Duration::minutes(4));
    store_with(&[])
        .validate_chain(&id.chain, t, &Policy::strict())
        .unwrap();
}

#[test]
fn second_validation_hits_the_cache_and_a_time_outside_the_window_misses() {
    let id = person(Algorithm::Es256, Defect::None);
    let store = store_with(&[]);
    let mut policy = Policy::strict();
    policy.validation_time = ValidationTimeMode::Current;
    store
        .validate_chain(&id.chain, ValidationTimes::at(NOW), &policy)
        .unwrap();
    let s = store.cache_stats();
    assert_eq!((s.hits, s.misses, s.entries), (0, 1, 1));
    store
        .validate_chain(
            &id.chain,
            ValidationTimes::at(datetime!(2027-03-01 00:00 UTC)),
            &policy,
        )
        .unwrap();
    assert_eq!(store.cache_stats().hits, 1);
    // 2030-06-01 is past the leaf's notAfter: outside the window, a miss, then Expired.
    let err = store
        .validate_chain(
            &id.chain,
            ValidationTimes::at(datetime!(2030-06-01 00:00 UTC)),
            &policy,
        )
        .unwrap_err();
    assert!(matches!(err, ChainError::Expired { .. }), "{err:?}");
    let s = store.cache_stats();
    assert_eq!((s.hits, s.misses), (1, 2));
    // Another policy is another key.
    policy.min_rsa_bits = 3072;
    store
        .validate_chain(&id.chain, ValidationTimes::at(NOW), &policy)
        .unwrap();
    assert_eq!(store.cache_stats().misses, 3);
}

#[test]
fn loading_into_the_store_forgets_cached_results() {
    let id = person(Algorithm::Es256, Defect::None);
    let mut store = store_with(&[]);
    store
        .validate_chain(&id.chain, times(), &Policy::strict())
        .unwrap();
    let generation = store.generation();
    // A new CRL revoking the signer must take effect at once.
    store
        .add_crl_der(
            &pki()
                .crl(&[(&id, datetime!(2026-01-01 00:00 UTC))])
                .unwrap(),
        )
        .unwrap();
    assert!(store.generation() > generation);
    let err = refused(&id, &store, &Policy::strict());
    assert!(matches!(err, ChainError::Revoked { .. }), "{err:?}");
}

#[test]
fn seal_of_another_agency_cannot_speak_for_the_sender() {
    struct Directory(edoc::OrgId, [u8; 32]);
    impl edoc::AgencyCertificates for Directory {
        fn may_sign_for(&self, agency: &edoc::OrgId, sha: &[u8; 32]) -> bool {
            *agency == self.0 && *sha == self.1
        }
    }
    let a1 = org("000.00.01.H57");
    let a2 = org("000.00.02.H57");
    let seal = pki()
        .seal("UBND xã A Lưới 1", &a1, Algorithm::Es256)
        .unwrap();
    let chain = store_with(&[])
        .validate_chain(&seal.chain, times(), &Policy::strict())
        .unwrap();
    let binding = Policy::strict().organization_binding;
    chain.check_organization(&a1, binding, None).unwrap();
    let err = chain.check_organization(&a2, binding, None).unwrap_err();
    assert_eq!(err.sender, a2);
    assert_eq!(
        err.to_string(),
        "the seal of UBND xã A Lưới 1 (000.00.01.H57) cannot sign for agency 000.00.02.H57"
    );
    // The directory may list the certificate for the other agency.
    let dir = Directory(a2, *chain.leaf_sha256());
    chain.check_organization(&a2, binding, Some(&dir)).unwrap();
}

#[test]
fn signing_time_mode_needs_a_signing_time() {
    let id = person(Algorithm::Es256, Defect::None);
    let mut policy = Policy::strict();
    policy.validation_time = ValidationTimeMode::SigningTime;
    let err = store_with(&[])
        .validate_chain(&id.chain, ValidationTimes::at(NOW), &policy)
        .unwrap_err();
    assert_eq!(err, ChainError::SigningTimeMissing);
    assert_eq!(err.sub_indication(), SubIndication::FormatFailure);
}

#[test]
fn garbage_certificate_is_a_format_failure() {
    let store = store_with(&[]);
    let junk = rustls_pki_types::CertificateDer::from(vec![0x30, 0x82, 0xff, 0xff, 1, 2, 3]);
    let err = store
        .validate_chain(&[junk], times(), &Policy::strict())
        .unwrap_err();
    assert!(
        matches!(err, ChainError::Malformed { index: 0, .. }),
        "{err:?}"
    );
    assert_eq!(err.sub_indication(), SubIndication::FormatFailure);
    let err = store
        .validate_chain(&[], times(), &Policy::strict())
        .unwrap_err();
    assert_eq!(err, ChainError::EmptyChain);
}

#[test]
fn a_report_built_from_a_chain_error_names_the_signer_for_a_clerk() {
    let id = person(Algorithm::Es256, Defect::None);
    let err = refused(
        &id,
        &store_with(&[(&id, datetime!(2026-01-15 00:00 UTC))]),
        &Policy::strict(),
    );
    let mut report =
        edoc::ValidationReport::new(None, Some("15/UBND-VP".into()), Some(org("000.00.01.H57")));
    report.push_signature(
        edoc::SignatureReport::new(Some(edoc::Commitment::ProofOfApproval))
            .with_signature(Algorithm::Es256, Some(SIGNED))
            .with_unverified_certificate(&id.chain[0])
            .chain_failed(&err),
    );
    assert_eq!(report.indication(), edoc::Indication::TotalFailed);
    let text = report.to_string();
    assert!(
        text.starts_with("FAILED: the signature of Nguyễn Văn An (UBND xã A Lưới 1, 000.00.01.H57): the certificate of Nguyễn Văn An (UBND xã A Lưới 1, 000.00.01.H57) is revoked since 2026-01-15"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["indication"], "TOTAL_FAILED");
    assert_eq!(json["subIndication"], "REVOKED");
    assert_eq!(json["signatures"][0]["checks"][0]["status"], "failed");
    assert_eq!(json["signatures"][0]["signingTime"], "2026-05-31T09:00:00Z");
}

#[test]
fn a_passing_chain_fills_the_signature_report() {
    let seal = pki()
        .seal("UBND xã A Lưới 1", &org("000.00.01.H57"), Algorithm::EdDsa)
        .unwrap();
    let chain = store_with(&[])
        .validate_chain(&seal.chain, times(), &Policy::strict())
        .unwrap();
    let sig = edoc::SignatureReport::new(Some(edoc::Commitment::ProofOfOrigin)).with_chain(&chain);
    let json = serde_json::to_value(&sig).unwrap();
    assert_eq!(json["signer"]["commonName"], "UBND xã A Lưới 1");
    assert_eq!(json["signer"]["organizationIdentifier"], "000.00.01.H57");
    assert_eq!(json["issuer"]["commonName"], "edoc TEST Issuing CA");
    assert_eq!(sig.indication(), edoc::Indication::TotalPassed);
}

#[test]
fn store_limits_and_bad_pem_are_refused_with_their_own_errors() {
    let mut limits = edoc::TrustLimits::default();
    limits.max_anchors = 1;
    let mut store = TrustStore::new(limits);
    store.add_anchor_der(pki().root()).unwrap();
    let err = store.add_anchor_der(pki().untrusted_root()).unwrap_err();
    assert_eq!(
        err,
        edoc::TrustStoreError::Limit {
            what: "trust anchors",
            max: 1
        }
    );
    let err = store.add_anchor_der(b"not a certificate").unwrap_err();
    assert!(
        matches!(
            err,
            edoc::TrustStoreError::Limit { .. } | edoc::TrustStoreError::Der { .. }
        ),
        "{err:?}"
    );
    let mut store = TrustStore::default();
    let err = store.add_anchor_der(b"not a certificate").unwrap_err();
    assert!(
        matches!(
            err,
            edoc::TrustStoreError::Der {
                what: "trust anchor",
                ..
            }
        ),
        "{err:?}"
    );
    let err = store.add_crl_der(&[0x30, 0x03, 1, 2, 3]).unwrap_err();
    assert!(
        matches!(err, edoc::TrustStoreError::Der { what: "CRL", .. }),
        "{err:?}"
    );
    let err = store
        .add_anchors_pem(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
        .unwrap_err();
    assert!(matches!(err, edoc::TrustStoreError::Pem { .. }), "{err:?}");
    let many = vec![pki().root().clone(); 11];
    let err = store_with(&[])
        .validate_chain(&many, times(), &Policy::strict())
        .unwrap_err();
    assert_eq!(err, ChainError::TooManyCertificates { given: 11, max: 10 });
}

#[test]
fn one_store_serves_many_threads_and_validates_each_chain_once() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TrustStore>();
    let store = std::sync::Arc::new(store_with(&[]));
    let id = std::sync::Arc::new(person(Algorithm::Es256, Defect::None));
    store
        .validate_chain(&id.chain, times(), &Policy::strict())
        .unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (store, id) = (store.clone(), id.clone());
            std::thread::spawn(move || {
                for _ in 0..25 {
                    store
                        .validate_chain(&id.chain, times(), &Policy::strict())
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let s = store.cache_stats();
    assert_eq!((s.hits, s.misses), (100, 1));
}

#[test]
fn test_identities_export_keys_ring_can_load_and_certificates_that_match_them() {
    use ring::signature::KeyPair;
    use rustls_pki_types::pem::PemObject;
    for alg in [
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::EdDsa,
        Algorithm::Rs256,
    ] {
        let id = person(alg, Defect::None);
        let key =
            rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(id.key_pem().as_bytes()).unwrap();
        assert_eq!(key.secret_pkcs8_der(), id.pkcs8_der.as_slice());
        let rng = ring::rand::SystemRandom::new();
        let public: Vec<u8> = match alg {
            Algorithm::Es256 => ring::signature::EcdsaKeyPair::from_pkcs8(
                &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                &id.pkcs8_der,
                &rng,
            )
            .unwrap()
            .public_key()
            .as_ref()
            .to_vec(),
            Algorithm::Es384 => ring::signature::EcdsaKeyPair::from_pkcs8(
                &ring::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                &id.pkcs8_der,
                &rng,
            )
            .unwrap()
            .public_key()
            .as_ref()
            .to_vec(),
            Algorithm::EdDsa => ring::signature::Ed25519KeyPair::from_pkcs8(&id.pkcs8_der)
                .unwrap()
                .public_key()
                .as_ref()
                .to_vec(),
            _ => ring::signature::RsaKeyPair::from_pkcs8(&id.pkcs8_der)
                .unwrap()
                .public()
                .as_ref()
                .to_vec(),
        };
        let cert_der =
            rustls_pki_types::CertificateDer::from_pem_slice(id.certificate_pem().as_bytes())
                .unwrap();
        assert_eq!(cert_der, id.chain[0]);
        let (_, cert) = x509_parser::certificate::X509Certificate::from_der(&cert_der).unwrap();
        assert_eq!(
            cert.public_key().subject_public_key.data.as_ref(),
            public.as_slice(),
            "{alg}"
        );
    }
}

#[test]
fn signing_time_before_the_certificate_existed_is_not_yet_valid() {
    let id = person(Algorithm::Es256, Defect::None); // valid from 2025-01-01
    let t = ValidationTimes::signed_at(NOW, datetime!(2024-12-31 00:00 UTC));
    let store = store_with(&[]);
    // Also when the chain itself is already cached.
    store
        .validate_chain(&id.chain, ValidationTimes::at(NOW), &Policy::strict())
        .unwrap();
    let err = store
        .validate_chain(&id.chain, t, &Policy::strict())
        .unwrap_err();
    assert!(matches!(err, ChainError::NotYetValid { .. }), "{err:?}");
    assert_eq!(err.sub_indication(), SubIndication::NotYetValid);
}

#[test]
fn signing_time_mode_accepts_a_certificate_that_expired_after_signing() {
    let id = person(Algorithm::Es256, Defect::None);
    let mut policy = Policy::strict();
    policy.validation_time = ValidationTimeMode::SigningTime;
    let t = ValidationTimes::signed_at(
        datetime!(2031-01-01 00:00 UTC),
        datetime!(2029-06-01 00:00 UTC),
    );
    let chain = store_with(&[])
        .validate_chain(&id.chain, t, &policy)
        .unwrap();
    assert_eq!(chain.validated_at(), datetime!(2029-06-01 00:00 UTC));
    // The strict policy (caller's clock) refuses the same signature.
    let err = store_with(&[])
        .validate_chain(&id.chain, t, &Policy::strict())
        .unwrap_err();
    assert!(
        matches!(err, ChainError::ExpiredAfterSigningTime { .. }),
        "{err:?}"
    );
}

#[test]
fn strict_revocation_needs_the_roots_list_for_the_intermediate_too() {
    let id = person(Algorithm::Es256, Defect::None);
    let mut store = TrustStore::default();
    store.add_anchor_der(pki().root()).unwrap();
    store.add_crl_der(&pki().crl(&[]).unwrap()).unwrap(); // the intermediate's CRL only
    let err = refused(&id, &store, &Policy::strict());
    assert!(
        matches!(err, ChainError::RevocationUnknown { .. }),
        "{err:?}"
    );
    // "If available" accepts the same store.
    let mut policy = Policy::strict();
    policy.revocation.mode = edoc::RevocationMode::CheckIfAvailable;
    store.validate_chain(&id.chain, times(), &policy).unwrap();
}

#[test]
fn every_single_byte_corruption_of_the_signer_certificate_is_refused_without_panic() {
    let id = person(Algorithm::Es256, Defect::None);
    let store = store_with(&[]);
    let mut refused_count = 0;
    for i in 0..id.chain[0].len() {
        let mut der = id.chain[0].to_vec();
        der[i] ^= 0x01;
        let chain = [
            rustls_pki_types::CertificateDer::from(der),
            id.chain[1].clone(),
        ];
        if store
            .validate_chain(&chain, times(), &Policy::strict())
            .is_err()
        {
            refused_count += 1;
        }
    }
    // Every bit flip changes the signed bytes or the signature itself.
    assert_eq!(refused_count, id.chain[0].len());
    // Truncations too.
    for len in 0..id.chain[0].len() {
        let chain = [rustls_pki_types::CertificateDer::from(
            id.chain[0][..len].to_vec(),
        )];
        let err = store
            .validate_chain(&chain, times(), &Policy::strict())
            .unwrap_err();
        assert!(
            matches!(err, ChainError::Malformed { index: 0, .. }),
            "{len}: {err:?}"
        );
    }
}

#[test]
fn revoked_intermediate_is_revoked_and_named() {
    let id = person(Algorithm::Es256, Defect::None);
    let mut store = TrustStore::default();
    store.add_anchor_der(pki().root()).unwrap();
    store.add_crl_der(&pki().crl(&[]).unwrap()).unwrap();
    let at = datetime!(2026-02-01 00:00 UTC);
    store
        .add_crl_der(&pki().root_crl_revoking_intermediate(at).unwrap())
        .unwrap();
    let err = refused(&id, &store, &Policy::strict());
    assert_eq!(
        err,
        ChainError::Revoked {
            subject: "edoc TEST Issuing CA (edoc TEST PKI (not for real documents))".into(),
            revoked_at: Some(at)
        }
    );
    // Trusting the signer's claimed time never excuses a revoked CA.
    let mut policy = Policy::strict();
    policy.revocation.revoked_after_signing_time =
        RevokedAfterSigningTime::DangerAcceptClaimedSigningTime;
    let err = refused(&id, &store, &policy);
    assert!(matches!(err, ChainError::Revoked { .. }), "{err:?}");
    // Not even when the signer's own revocation (after the claimed time) is excused.
    store
        .add_crl_der(
            &pki()
                .crl(&[(&id, datetime!(2026-05-31 12:00 UTC))])
                .unwrap(),
        )
        .unwrap();
    let err = refused(&id, &store, &policy);
    assert!(
        matches!(&err, ChainError::Revoked { subject, .. } if subject.starts_with("edoc TEST Issuing CA")),
        "{err:?}"
    );
}

#[test]
fn a_forged_crl_under_a_known_ca_name_cannot_displace_the_real_one() {
    let id = person(Algorithm::Es256, Defect::None);
    let mut store = TrustStore::default();
    store.add_anchor_der(pki().root()).unwrap();
    store.add_intermediate_der(pki().intermediate()).unwrap();
    store.add_crl_der(&pki().root_crl().unwrap()).unwrap();
    store.add_crl_der(&pki().crl(&[]).unwrap()).unwrap();
    // Another test PKI has CAs of the same names but other keys: its list is a forgery here,
    // and just as new as the real one.
    let forger = edoc::TestPki::new().unwrap();
    let err = store.add_crl_der(&forger.crl(&[]).unwrap()).unwrap_err();
    assert!(
        matches!(err, edoc::TrustStoreError::Der { what: "CRL", .. }),
        "{err:?}"
    );
    // The real list is still in force: the signer's chain validates.
    store
        .validate_chain(&id.chain, times(), &Policy::strict())
        .expect("the real CRL is kept");
}

/// A store that knows the issuing CA under its old and its renewed key, with a current CRL of
/// each key: what a relying party holds while certificates of both keys are in use.
fn store_across_a_key_renewal(
    old_revoked: &[(&TestIdentity, time::OffsetDateTime)],
    renewed_revoked: &[(&TestIdentity, time::OffsetDateTime)],
) -> TrustStore {
    let mut store = TrustStore::default();
    store.add_anchor_der(pki().root()).unwrap();
    store.add_intermediate_der(pki().intermediate()).unwrap();
    store
        .add_intermediate_der(pki().renewed_intermediate())
        .unwrap();
    store.add_crl_der(&pki().root_crl().unwrap()).unwrap();
    store.add_crl_der(&pki().crl(old_revoked).unwrap()).unwrap();
    store
        .add_crl_der(&pki().renewed_crl(renewed_revoked).unwrap())
        .unwrap();
    store
}

#[test]
fn a_ca_that_renews_its_key_keeps_both_crls_in_force() {
    let old = person(Algorithm::Es256, Defect::None);
    let renewed = person(Algorithm::Es256, Defect::RenewedIssuer);
    // Loaded in both orders: neither list may push the other out.
    let store = store_across_a_key_renewal(&[], &[]);
    for id in [&old, &renewed] {
        store
            .validate_chain(&id.chain, times(), &Policy::strict())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let mut reversed = TrustStore::default();
    reversed.add_anchor_der(pki().root()).unwrap();
    reversed.add_intermediate_der(pki().intermediate()).unwrap();
    reversed
        .add_intermediate_der(pki().renewed_intermediate())
        .unwrap();
    reversed.add_crl_der(&pki().root_crl().unwrap()).unwrap();
    reversed
        .add_crl_der(&pki().renewed_crl(&[]).unwrap())
        .unwrap();
    reversed.add_crl_der(&pki().crl(&[]).unwrap()).unwrap();
    for id in [&old, &renewed] {
        reversed
            .validate_chain(&id.chain, times(), &Policy::strict())
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn a_revocation_on_either_key_list_of_a_renewed_ca_is_found() {
    let old = person(Algorithm::Es256, Defect::None);
    let renewed = person(Algorithm::Es256, Defect::RenewedIssuer);
    let at = datetime!(2026-01-01 00:00 UTC);
    let store = store_across_a_key_renewal(&[(&old, at)], &[(&renewed, at)]);
    for id in [&old, &renewed] {
        let err = refused(id, &store, &Policy::strict());
        assert_eq!(
            err,
            ChainError::Revoked {
                subject: "Nguyễn Văn An (UBND xã A Lưới 1, 000.00.01.H57)".into(),
                revoked_at: Some(at)
            }
        );
    }
    // The old key's list says nothing about the renewed key's certificates, and back.
    let store = store_across_a_key_renewal(&[(&old, at)], &[]);
    store
        .validate_chain(&renewed.chain, times(), &Policy::strict())
        .unwrap();
    assert!(matches!(
        refused(&old, &store, &Policy::strict()),
        ChainError::Revoked { .. }
    ));
}
