//! Chain validation: rustls-webpki builds the path and checks its signatures and CRLs; this adds
//! what webpki leaves to callers (the signer's key usage and EKU, RSA key sizes, the certificate
//! profile, revocation dates), maps webpki's errors to [`ChainError`], and caches the results.

use std::sync::Arc;
use std::time::Duration;

use ::time::OffsetDateTime;
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use webpki::{
    CertRevocationList, ExpirationPolicy, KeyPurposeIdIter, RevocationCheckDepth,
    RevocationOptionsBuilder, UnknownStatusPolicy,
};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::chain::{sha256, CertificateName, ValidatedChain, ValidationTimes};
use super::error::ChainError;
use super::policy::{
    KeyUsagePolicy, Policy, RevocationMode, RevokedAfterSigningTime, ValidationTimeMode,
};
use super::profile::{self, Role, Violation};
use super::role::HolderMarks;
use super::store::{cert_key_id, Crl, TrustStore};

// Every signature algorithm webpki offers with ring; key sizes are checked by the policy.
static ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::ED25519,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

impl TrustStore {
    /// Validates a signer's chain (`chain[0]` is the signer, then any intermediates, in any
    /// order) against this store and `policy`, at the time the policy selects from `times`.
    ///
    /// Results are cached: the same chain under the same policy and store generation, at a
    /// time where the earlier answer still holds, returns without any signature check.
    pub fn validate_chain(
        &self,
        chain: &[CertificateDer<'_>],
        times: ValidationTimes,
        policy: &Policy,
    ) -> Result<Arc<ValidatedChain>, ChainError> {
        let leaf_der = chain.first().ok_or(ChainError::EmptyChain)?;
        if chain.len() > self.limits.max_chain_certificates {
            return Err(ChainError::TooManyCertificates {
                given: chain.len(),
                max: self.limits.max_chain_certificates,
            });
        }
        for (index, der) in chain.iter().enumerate() {
            if der.len() > self.limits.max_certificate_bytes {
                return Err(ChainError::Malformed {
                    index,
                    reason: format!("larger than {} bytes", self.limits.max_certificate_bytes),
                });
            }
        }
        // A signing time ahead of the clock is refused in every mode: it would let a signature
        // outlive its certificate's checks.
        if let Some(signing_time) = times.signing_time {
            let skew = ::time::Duration::seconds(i64::from(policy.clock_skew_seconds));
            if signing_time > times.now + skew {
                return Err(ChainError::SigningTimeInFuture {
                    signing_time,
                    now: times.now,
                });
            }
        }
        let at = match policy.validation_time {
            ValidationTimeMode::Current => times.now,
            ValidationTimeMode::SigningTime => {
                times.signing_time.ok_or(ChainError::SigningTimeMissing)?
            }
        };

        let key = cache_key(chain, policy);
        let validated = match self.cache.get(&key, self.generation, at) {
            Some(hit) => hit,
            None => {
                let (validated, window) =
                    self.validate_uncached(leaf_der, chain, times, at, policy)?;
                let validated = Arc::new(validated);
                if let Some(window) = window {
                    self.cache
                        .insert(key, self.generation, window, Arc::clone(&validated));
                }
                validated
            }
        };
        // EN 319 102-1: a signature claiming a time before its certificate existed fails.
        if let Some(signing_time) = times.signing_time {
            if signing_time < validated.not_before {
                return Err(ChainError::NotYetValid {
                    subject: validated.subject.to_string(),
                    not_before: validated.not_before,
                    at: signing_time,
                });
            }
        }
        Ok(validated)
    }

    fn validate_uncached(
        &self,
        leaf_der: &CertificateDer<'_>,
        chain: &[CertificateDer<'_>],
        times: ValidationTimes,
        at: OffsetDateTime,
        policy: &Policy,
    ) -> Result<(ValidatedChain, Option<(OffsetDateTime, OffsetDateTime)>), ChainError> {
        let (_, leaf) = X509Certificate::from_der(leaf_der).map_err(|e| ChainError::Malformed {
            index: 0,
            reason: e.to_string(),
        })?;
        let subject = CertificateName::from_x509(leaf.subject());
        let subject_text = subject.to_string();
        // What the certificate says about its holder; unreadable marks are a malformed
        // certificate, never "no marks".
        let holder = HolderMarks::read(&leaf)
            .map_err(|reason| ChainError::Malformed { index: 0, reason })?;
        for (index, der) in chain.iter().enumerate().skip(1) {
            X509Certificate::from_der(der).map_err(|e| ChainError::Malformed {
                index,
                reason: e.to_string(),
            })?;
        }

        let ee = webpki::EndEntityCert::try_from(leaf_der).map_err(|e| ChainError::Malformed {
            index: 0,
            reason: format!("{e:?}"),
        })?;
        let mut candidates: Vec<CertificateDer<'_>> = chain
            .iter()
            .skip(1)
            .map(|c| CertificateDer::from(c.as_ref()))
            .collect();
        candidates.extend(
            self.intermediates
                .iter()
                .map(|c| CertificateDer::from(c.as_ref())),
        );
        let anchors: Vec<TrustAnchor<'_>> = self.anchors.iter().map(|a| a.anchor.clone()).collect();
        let unix = to_unix(at);
        let eku = EkuValidator {
            oids: policy.eku_oids(),
        };
        let crl_refs = self.crls_for(&leaf, || {
            ee.verify_for_usage(ALGORITHMS, &anchors, &candidates, unix, &eku, None, None)
                .ok()
                .map(|path| {
                    path.intermediate_certificates()
                        .filter_map(|c| {
                            X509Certificate::from_der(c.der().as_ref())
                                .ok()
                                .map(|(_, cert)| issuer_and_key(&cert))
                        })
                        .collect()
                })
                .unwrap_or_default()
        });

        let revocation = |mode: RevocationMode| match mode {
            RevocationMode::DangerNoCheck => None,
            RevocationMode::RequireCrl | RevocationMode::CheckIfAvailable => {
                let builder = RevocationOptionsBuilder::new(&crl_refs).ok()?;
                let status = if mode == RevocationMode::RequireCrl {
                    UnknownStatusPolicy::Deny
                } else {
                    UnknownStatusPolicy::Allow
                };
                Some(
                    builder
                        .with_depth(RevocationCheckDepth::Chain)
                        .with_status_policy(status)
                        .with_expiration_policy(ExpirationPolicy::Enforce)
                        .build(),
                )
            }
        };
        // RevocationOptionsBuilder refuses an empty CRL list: with none loaded, "require"
        // cannot be met and "if available" has nothing to check.
        if policy.revocation.mode == RevocationMode::RequireCrl && crl_refs.is_empty() {
            return Err(ChainError::RevocationUnknown {
                subject: subject_text,
                reason: "no CRL is loaded".into(),
            });
        }

        let mut cacheable = true;
        let first = ee.verify_for_usage(
            ALGORITHMS,
            &anchors,
            &candidates,
            unix,
            &eku,
            revocation(policy.revocation.mode),
            None,
        );
        let path = match first {
            Ok(path) => path,
            Err(webpki::Error::CertRevoked) => {
                // webpki ignores the revocation date (PITFALLS.md): read it from the CRLs.
                let revoked_at = self.revocation_date(&leaf);
                match (revoked_at, times.signing_time) {
                    (Some(date), Some(signing_time)) if date > signing_time => {
                        if policy.revocation.revoked_after_signing_time
                            == RevokedAfterSigningTime::Indeterminate
                        {
                            return Err(ChainError::RevokedAfterSigningTime {
                                subject: subject_text,
                                revoked_at: date,
                                signing_time,
                            });
                        }
                        // The claimed signing time is trusted by policy: validate again
                        // without revocation for the signer; never cache this answer.
                        cacheable = false;
                        ee.verify_for_usage(
                            ALGORITHMS,
                            &anchors,
                            &candidates,
                            unix,
                            &eku,
                            None,
                            None,
                        )
                        .map_err(|e| self.map_webpki(e, &leaf, chain, at, times, &subject_text))
                        .and_then(|path| {
                            // The signer's revocation is excused, a CA's never is.
                            match self.revoked_intermediate(
                                path.intermediate_certificates().map(|c| c.der()),
                            ) {
                                Some(err) => Err(err),
                                None => Ok(path),
                            }
                        })?
                    }
                    (Some(_), _) => {
                        return Err(ChainError::Revoked {
                            subject: subject_text,
                            revoked_at,
                        })
                    }
                    // Not the signer: name the revoked CA.
                    (None, _) => {
                        return Err(self
                            .revoked_intermediate(candidates.iter().cloned())
                            .unwrap_or(ChainError::Revoked {
                                subject: subject_text,
                                revoked_at: None,
                            }))
                    }
                }
            }
            Err(e) => return Err(self.map_webpki(e, &leaf, chain, at, times, &subject_text)),
        };

        // Checks webpki leaves to callers.
        let intermediates: Vec<CertificateDer<'static>> = path
            .intermediate_certificates()
            .map(|c| c.der().into_owned())
            .collect();
        let length = 2 + intermediates.len();
        if length > usize::from(policy.max_chain_length) {
            return Err(ChainError::ChainTooLong {
                subject: subject_text,
                length,
                max: usize::from(policy.max_chain_length),
            });
        }
        let profile = |cert: &X509Certificate<'_>, role| {
            profile::check(cert, role).map_err(|v| {
                let who = CertificateName::from_x509(cert.subject()).to_string();
                match v {
                    Violation::UnsupportedKey(what) => ChainError::UnsupportedKey {
                        subject: who,
                        key: what,
                    },
                    Violation::Profile(reason) => ChainError::ConstraintViolation {
                        subject: who,
                        reason,
                    },
                }
            })
        };
        profile(&leaf, Role::Leaf)?;
        for der in &intermediates {
            let (_, cert) = X509Certificate::from_der(der).map_err(|e| ChainError::Malformed {
                index: 1,
                reason: e.to_string(),
            })?;
            profile(&cert, Role::Intermediate)?;
        }
        check_leaf_key_usage(&leaf, policy.leaf_key_usage, &subject_text)?;
        check_leaf_eku(&leaf, policy, &subject_text)?;
        let mut window_from = leaf.validity().not_before.to_datetime();
        let mut window_until = leaf.validity().not_after.to_datetime();
        check_rsa_size(&leaf, policy.min_rsa_bits)?;
        for der in &intermediates {
            if let Ok((_, cert)) = X509Certificate::from_der(der) {
                check_rsa_size(&cert, policy.min_rsa_bits)?;
                window_from = window_from.max(cert.validity().not_before.to_datetime());
                window_until = window_until.min(cert.validity().not_after.to_datetime());
            }
        }
        let anchor_ref = path.anchor();
        let anchor_entry = self.anchors.iter().find(|a| {
            a.anchor.subject == anchor_ref.subject
                && a.anchor.subject_public_key_info == anchor_ref.subject_public_key_info
        });
        let anchor = match anchor_entry.and_then(|a| X509Certificate::from_der(&a.der).ok()) {
            Some((_, cert)) => {
                // RFC 5914 leaves an anchor's validity to the relying party: a government
                // verifier does not rely on a root past its end date.
                let v = cert.validity();
                let name = || CertificateName::from_x509(cert.subject()).to_string();
                // Whole seconds, as webpki compares the other certificates.
                let at = at.replace_nanosecond(0).unwrap_or(at);
                if at > v.not_after.to_datetime() {
                    return Err(ChainError::Expired {
                        subject: name(),
                        not_after: v.not_after.to_datetime(),
                        at,
                    });
                }
                if at < v.not_before.to_datetime() {
                    return Err(ChainError::NotYetValid {
                        subject: name(),
                        not_before: v.not_before.to_datetime(),
                        at,
                    });
                }
                window_from = window_from.max(v.not_before.to_datetime());
                window_until = window_until.min(v.not_after.to_datetime());
                profile(&cert, Role::Anchor)?;
                check_rsa_size(&cert, policy.min_rsa_bits)?;
                CertificateName::from_x509(cert.subject())
            }
            None => CertificateName::default(),
        };
        if policy.revocation.mode != RevocationMode::DangerNoCheck {
            // ExpirationPolicy::Enforce: the answer holds until the first CRL goes stale.
            if let Some(next) = self.crls.iter().filter_map(|c| c.next_update).min() {
                window_until = window_until.min(next);
            }
        }

        let mut certificates = vec![leaf_der.clone().into_owned()];
        certificates.extend(intermediates);
        let validated = ValidatedChain {
            subject,
            issuer: CertificateName::from_x509(leaf.issuer()),
            serial: leaf.raw_serial_as_string(),
            not_before: leaf.validity().not_before.to_datetime(),
            not_after: leaf.validity().not_after.to_datetime(),
            spki: leaf.public_key().raw.to_vec(),
            leaf_sha256: sha256(leaf_der),
            certificates,
            anchor,
            validated_at: at,
            holder,
        };
        Ok((validated, cacheable.then_some((window_from, window_until))))
    }

    /// The first of `certs` listed on a CRL of its issuer, as a `Revoked` error.
    fn revoked_intermediate<'c>(
        &self,
        certs: impl Iterator<Item = CertificateDer<'c>>,
    ) -> Option<ChainError> {
        certs.into_iter().find_map(|der| {
            let (_, cert) = X509Certificate::from_der(&der).ok()?;
            let revoked_at = self.revocation_date(&cert)?;
            Some(ChainError::Revoked {
                subject: CertificateName::from_x509(cert.subject()).to_string(),
                revoked_at: Some(revoked_at),
            })
        })
    }

    /// The CRLs for validating `leaf`'s chain, in the order webpki should read them.
    ///
    /// webpki takes the first list whose issuer name matches a certificate's. A CA that renewed
    /// its key has one list per key under one name, so when names repeat, the chain's path is
    /// built first without revocation (`path_keys` gives the issuer name and key identifier of
    /// each intermediate on it), and for each name the list of the key that issued the
    /// certificate comes first.
    fn crls_for(
        &self,
        leaf: &X509Certificate<'_>,
        path_keys: impl FnOnce() -> Vec<(Vec<u8>, Option<Vec<u8>>)>,
    ) -> Vec<&CertRevocationList<'_>> {
        let mut names = std::collections::HashSet::new();
        let repeated = !self.crls.iter().all(|c| names.insert(c.issuer.as_slice()));
        let mut crls: Vec<&Crl> = self.crls.iter().collect();
        if repeated {
            let mut wanted = path_keys();
            wanted.push(issuer_and_key(leaf));
            // Stable: lists of the wanted keys first, then lists without a key identifier.
            crls.sort_by_key(|c| {
                if wanted
                    .iter()
                    .any(|(name, key)| *name == c.issuer && key.is_some() && *key == c.key_id)
                {
                    0
                } else if c.key_id.is_none() {
                    1
                } else {
                    2
                }
            });
        }
        crls.into_iter().map(|c| &c.parsed).collect()
    }

    /// The earliest revocation date of `cert` in a CRL from its issuer (by name, and by key
    /// when both the list and the certificate name the key).
    fn revocation_date(&self, cert: &X509Certificate<'_>) -> Option<OffsetDateTime> {
        let (issuer, key) = issuer_and_key(cert);
        self.crls
            .iter()
            .filter(|c| {
                c.issuer == issuer && (c.key_id.is_none() || key.is_none() || c.key_id == key)
            })
            .filter_map(|c| x509_parser::parse_x509_crl(&c.der).ok())
            .flat_map(|(_, crl)| {
                crl.iter_revoked_certificates()
                    .filter(|r| r.raw_serial() == cert.raw_serial())
                    .map(|r| r.revocation_date.to_datetime())
                    .collect::<Vec<_>>()
            })
            .min()
    }

    #[allow(deprecated)]
    fn map_webpki(
        &self,
        error: webpki::Error,
        leaf: &X509Certificate<'_>,
        chain: &[CertificateDer<'_>],
        at: OffsetDateTime,
        times: ValidationTimes,
        subject: &str,
    ) -> ChainError {
        #[allow(deprecated)]
        use webpki::Error as E;
        let subject = subject.to_owned();
        match error {
            E::UnknownIssuer => ChainError::UnknownIssuer {
                subject,
                issuer: CertificateName::from_x509(leaf.issuer()).to_string(),
            },
            E::CertExpired { .. } => {
                let (who, not_after) = self.out_of_validity(leaf, chain, at, true);
                match times.signing_time {
                    // Validating "now", signed (by claim) while still valid.
                    Some(st) if st < not_after && at > st => ChainError::ExpiredAfterSigningTime {
                        subject: who,
                        not_after,
                    },
                    _ => ChainError::Expired {
                        subject: who,
                        not_after,
                        at,
                    },
                }
            }
            E::CertNotValidYet { .. } => {
                let (who, not_before) = self.out_of_validity(leaf, chain, at, false);
                ChainError::NotYetValid {
                    subject: who,
                    not_before,
                    at,
                }
            }
            E::CertRevoked => ChainError::Revoked {
                subject,
                revoked_at: None,
            },
            E::UnknownRevocationStatus => ChainError::RevocationUnknown {
                subject,
                reason: "no CRL from the issuer covers a certificate of the chain".into(),
            },
            E::CrlExpired { .. } => ChainError::RevocationUnknown {
                subject,
                reason: "the CRL is past its nextUpdate".into(),
            },
            // A CRL that cannot be used leaves the status unknown: fetch a proper one.
            E::InvalidCrlSignatureForPublicKey
            | E::IssuerNotCrlSigner
            | E::UnsupportedCrlVersion
            | E::UnsupportedCrlIssuingDistributionPoint
            | E::UnsupportedCrlSignatureAlgorithm
            | E::UnsupportedCrlSignatureAlgorithmContext(_)
            | E::UnsupportedCrlSignatureAlgorithmForPublicKey
            | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_)
            | E::UnsupportedDeltaCrl
            | E::UnsupportedIndirectCrl
            | E::UnsupportedRevocationReason
            | E::UnsupportedRevocationReasonsPartitioning
            | E::InvalidCrlNumber => ChainError::RevocationUnknown {
                subject,
                reason: format!("a loaded CRL cannot be used ({error:?})"),
            },
            E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
                ChainError::WrongExtendedKeyUsage {
                    subject,
                    required: "an issuing CA restricts the purposes".into(),
                }
            }
            E::InvalidSignatureForPublicKey => ChainError::BadCertificateSignature { subject },
            E::UnsupportedSignatureAlgorithm
            | E::UnsupportedSignatureAlgorithmContext(_)
            | E::UnsupportedSignatureAlgorithmForPublicKey
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
                ChainError::UnsupportedAlgorithm { subject }
            }
            E::BadDer
            | E::BadDerTime
            | E::TrailingData(_)
            | E::MalformedExtensions
            | E::ExtensionValueInvalid
            | E::InvalidSerialNumber
            | E::UnsupportedCertVersion
            | E::InvalidCertValidity => ChainError::Malformed {
                index: 0,
                reason: format!("{error:?}"),
            },
            other => ChainError::ConstraintViolation {
                subject,
                reason: format!("{other:?}"),
            },
        }
    }

    /// Which certificate (of the given chain and the stored intermediates) is out of validity.
    fn out_of_validity(
        &self,
        leaf: &X509Certificate<'_>,
        chain: &[CertificateDer<'_>],
        at: OffsetDateTime,
        expired: bool,
    ) -> (String, OffsetDateTime) {
        let pick = |c: &X509Certificate<'_>| {
            let v = c.validity();
            let bound = if expired {
                v.not_after.to_datetime()
            } else {
                v.not_before.to_datetime()
            };
            let out = if expired { at > bound } else { at < bound };
            out.then(|| (CertificateName::from_x509(c.subject()).to_string(), bound))
        };
        if let Some(found) = pick(leaf) {
            return found;
        }
        chain
            .iter()
            .skip(1)
            .chain(self.intermediates.iter())
            .filter_map(|d| X509Certificate::from_der(d).ok().map(|(_, c)| c))
            .find_map(|c| pick(&c))
            .unwrap_or_else(|| {
                let v = leaf.validity();
                let bound = if expired { v.not_after } else { v.not_before };
                (
                    CertificateName::from_x509(leaf.subject()).to_string(),
                    bound.to_datetime(),
                )
            })
    }
}

/// A certificate's issuer name (DER) and the key identifier of the issuer's key that signed
/// it: the key a CRL for it is looked up by.
fn issuer_and_key(cert: &X509Certificate<'_>) -> (Vec<u8>, Option<Vec<u8>>) {
    (cert.issuer().as_raw().to_vec(), cert_key_id(cert))
}

/// The cache key: SHA-256 over the policy and every certificate, length-prefixed so that no
/// two different chains share an encoding.
fn cache_key(chain: &[CertificateDer<'_>], policy: &Policy) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let policy_json = serde_json::to_vec(policy).unwrap_or_default();
    h.update((policy_json.len() as u64).to_be_bytes());
    h.update(&policy_json);
    for der in chain {
        h.update((der.len() as u64).to_be_bytes());
        h.update(der.as_ref());
    }
    h.finalize().into()
}

fn to_unix(at: OffsetDateTime) -> UnixTime {
    // Instants before 1970 clamp to 0: every real certificate is later.
    let secs = u64::try_from(at.unix_timestamp()).unwrap_or(0);
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// The EKU rule webpki applies to every certificate of the path. It cannot tell the signer
/// from a CA, so it is the CA rule: an absent extension constrains nothing; a present one
/// must list an accepted purpose or anyExtendedKeyUsage. The signer is then checked strictly
/// by [`check_leaf_eku`].
struct EkuValidator {
    oids: Option<Vec<Vec<u8>>>,
}

/// anyExtendedKeyUsage, 2.5.29.37.0 (RFC 5280 §4.2.1.12).
const OID_ANY_EKU: &[u8] = &[0x55, 0x1d, 0x25, 0x00];

impl webpki::ExtendedKeyUsageValidator for EkuValidator {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let Some(oids) = &self.oids else {
            // Still walk the extension so a malformed one is refused.
            for item in iter {
                item?;
            }
            return Ok(());
        };
        let mut present = false;
        let mut matched = false;
        for item in iter {
            let id = item?;
            present = true;
            matched |= id == webpki::KeyPurposeId::new(OID_ANY_EKU)
                || oids.iter().any(|o| id == webpki::KeyPurposeId::new(o));
        }
        if present && !matched {
            #[allow(deprecated)]
            return Err(webpki::Error::RequiredEkuNotFound);
        }
        Ok(())
    }
}

fn check_leaf_key_usage(
    leaf: &X509Certificate<'_>,
    rule: KeyUsagePolicy,
    subject: &str,
) -> Result<(), ChainError> {
    match leaf.key_usage() {
        Ok(Some(ku)) => {
            if ku.value.digital_signature() || ku.value.non_repudiation() {
                Ok(())
            } else {
                Err(ChainError::KeyUsageNotForSigning {
                    subject: subject.to_owned(),
                })
            }
        }
        Ok(None) if rule == KeyUsagePolicy::SigningIfPresent => Ok(()),
        Ok(None) => Err(ChainError::MissingKeyUsage {
            subject: subject.to_owned(),
        }),
        // Duplicate or malformed keyUsage extensions.
        Err(e) => Err(ChainError::Malformed {
            index: 0,
            reason: format!("keyUsage: {e}"),
        }),
    }
}

fn check_leaf_eku(
    leaf: &X509Certificate<'_>,
    policy: &Policy,
    subject: &str,
) -> Result<(), ChainError> {
    let Some(oids) = policy.eku_oids() else {
        return Ok(());
    };
    let wrong = || ChainError::WrongExtendedKeyUsage {
        subject: subject.to_owned(),
        required: match &policy.eku {
            super::EkuPolicy::DocumentSigning => "documentSigning 1.3.6.1.5.5.7.3.36".into(),
            super::EkuPolicy::EmailProtection => "emailProtection 1.3.6.1.5.5.7.3.4".into(),
            super::EkuPolicy::AnyOf(list) => format!("one of {}", list.join(", ")),
            _ => String::new(),
        },
    };
    match leaf.extended_key_usage() {
        Ok(Some(eku)) => {
            // x509-parser reports the RFC 5280 purposes as flags and the rest as OIDs.
            let e = eku.value;
            let named: [(bool, &[u8]); 6] = [
                (e.server_auth, &[0x2b, 6, 1, 5, 5, 7, 3, 1]),
                (e.client_auth, &[0x2b, 6, 1, 5, 5, 7, 3, 2]),
                (e.code_signing, &[0x2b, 6, 1, 5, 5, 7, 3, 3]),
                (e.email_protection, super::policy::OID_EMAIL_PROTECTION),
                (e.time_stamping, &[0x2b, 6, 1, 5, 5, 7, 3, 8]),
                (e.ocsp_signing, &[0x2b, 6, 1, 5, 5, 7, 3, 9]),
            ];
            let found = named
                .iter()
                .filter(|(present, _)| *present)
                .any(|(_, oid)| oids.iter().any(|o| o.as_slice() == *oid))
                || e.other
                    .iter()
                    .any(|oid| oids.iter().any(|o| o.as_slice() == oid.as_bytes()));
            // anyExtendedKeyUsage does not satisfy a signer policy: the CA did not name the purpose.
            if found {
                Ok(())
            } else {
                Err(wrong())
            }
        }
        Ok(None) => Err(wrong()),
        Err(e) => Err(ChainError::Malformed {
            index: 0,
            reason: format!("extendedKeyUsage: {e}"),
        }),
    }
}

fn check_rsa_size(cert: &X509Certificate<'_>, min: u32) -> Result<(), ChainError> {
    if let Some(bits) = profile::rsa_bits(cert) {
        if bits < min as usize {
            return Err(ChainError::KeyTooSmall {
                subject: CertificateName::from_x509(cert.subject()).to_string(),
                bits,
                min,
            });
        }
    }
    Ok(())
}
