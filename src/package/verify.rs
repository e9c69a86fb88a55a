//! Verifying a package: every signature (format, algorithm, signed objects, value, chain) and
//! the document rules (commitments in order, the seal belonging to the sender), against a trust
//! store and a policy. Success is a [`VerifiedPackage`]; failure a [`Rejected`] with its report.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::rules::Rules;
use super::signed_objects::{attachment_uri, objects_for, HEADER_URI};
use super::{Detached, Package, PackageError};
use crate::document::Header;
use crate::jades::{
    verify_attached, verify_detached, verify_detached_documents, verify_detached_payload,
    Commitment, DetachedObject, JadesError, JwsMessage, JwsSignature, ParsedSignature,
};
use crate::limits::Limits;
use crate::report::{Indication, SignatureReport, SubIndication, ValidationReport};
use crate::signer::{is_high_s, Algorithm};
use crate::trust::{
    AgencyCertificates, HighSPolicy, Policy, TrustStore, ValidatedChain, ValidationTimes,
};

/// One signature of a verified package, with the chain that was validated for it.
#[derive(Debug, Clone)]
pub struct VerifiedSignature {
    pub(super) commitment: Option<Commitment>,
    signing_time: OffsetDateTime,
    pub(super) chain: Arc<ValidatedChain>,
}

impl VerifiedSignature {
    /// The commitment the signer made.
    pub fn commitment(&self) -> Option<Commitment> {
        self.commitment
    }
    /// The signing time the signature claims (JAdES `iat`).
    pub fn signing_time(&self) -> OffsetDateTime {
        self.signing_time
    }
    /// The signer's validated chain: subject, issuer, serial, anchor.
    pub fn chain(&self) -> &ValidatedChain {
        &self.chain
    }
}

/// A package whose signatures, attachments and policy all checked out.
///
/// Only [`Verifier::verify`] makes one; it is the proof the router asks for.
#[derive(Debug, Clone)]
pub struct VerifiedPackage {
    package: Package,
    signatures: Vec<VerifiedSignature>,
    report: ValidationReport,
    content_digest: [u8; 32],
}

impl VerifiedPackage {
    /// The package (its header and attachments are now trusted).
    pub fn package(&self) -> &Package {
        &self.package
    }
    /// The verified header.
    pub fn header(&self) -> &Header {
        self.package.header()
    }
    /// The signatures, in document order.
    pub fn signatures(&self) -> &[VerifiedSignature] {
        &self.signatures
    }
    /// The agency seal (proof of origin), when present.
    pub fn seal(&self) -> Option<&VerifiedSignature> {
        self.signatures
            .iter()
            .rev()
            .find(|s| s.commitment == Some(Commitment::ProofOfOrigin))
    }
    /// The validation report (indication TOTAL_PASSED).
    pub fn report(&self) -> &ValidationReport {
        &self.report
    }
    /// SHA-256 over what the signatures cover plus the signatures themselves; the routing
    /// trace is left out, so the same document forwarded by a hub keeps its digest.
    pub fn content_digest(&self) -> &[u8; 32] {
        &self.content_digest
    }
    /// Gives the package back, e.g. to append a trace entry before forwarding.
    pub fn into_package(self) -> Package {
        self.package
    }
}

/// A package that did not verify: the report says why, and the package is kept for the
/// caller (nothing is lost, e.g. to send it back to the sender).
#[derive(Debug, thiserror::Error)]
#[error("{report}")]
pub struct Rejected {
    report: Box<ValidationReport>,
    package: Option<Box<Package>>,
}

impl Rejected {
    /// Why, per signature and per check.
    pub fn report(&self) -> &ValidationReport {
        &self.report
    }
    /// The package, when the bytes could be parsed at all.
    pub fn package(&self) -> Option<&Package> {
        self.package.as_deref()
    }
    /// The deciding sub-indication.
    pub fn sub_indication(&self) -> Option<SubIndication> {
        self.report.sub_indication()
    }
    /// Takes the report.
    pub fn into_report(self) -> ValidationReport {
        *self.report
    }
}

/// Verifies packages against a trust store and a policy, optionally with a directory that
/// lists which certificates may seal for which agency.
///
/// The library never reads the clock: the validation time is an argument.
#[derive(Clone, Copy)]
pub struct Verifier<'a> {
    trust: &'a TrustStore,
    policy: &'a Policy,
    agencies: Option<&'a dyn AgencyCertificates>,
}

impl std::fmt::Debug for Verifier<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("policy", self.policy)
            .field("directory", &self.agencies.is_some())
            .finish()
    }
}

fn sub_of(e: &JadesError) -> SubIndication {
    SubIndication::from_name(e.sub_indication_hint()).unwrap_or(match e {
        // x5t#S256 naming another certificate: the signing certificate cannot be identified.
        JadesError::CertificateReference { .. } => SubIndication::NoCertificateChainFound,
        _ => SubIndication::FormatFailure,
    })
}

fn package_sub(e: &PackageError) -> SubIndication {
    match e {
        PackageError::DigestMismatch { .. } | PackageError::SizeMismatch { .. } => {
            SubIndication::HashFailure
        }
        PackageError::DetachedMissing { .. }
        | PackageError::DetachedOutsideFolder { .. }
        | PackageError::DetachedNotAFile { .. }
        | PackageError::Io(_) => SubIndication::SignedDataNotFound,
        _ => SubIndication::FormatFailure,
    }
}

impl<'a> Verifier<'a> {
    /// A verifier over `trust` under `policy`.
    pub fn new(trust: &'a TrustStore, policy: &'a Policy) -> Verifier<'a> {
        Verifier {
            trust,
            policy,
            agencies: None,
        }
    }

    /// Also accept seal certificates that `directory` lists for the sender.
    pub fn with_directory(mut self, directory: &'a dyn AgencyCertificates) -> Verifier<'a> {
        self.agencies = Some(directory);
        self
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        self.policy
    }

    /// Parses untrusted bytes within `limits`, then verifies them as [`Verifier::verify`] does.
    /// A parse failure is a FORMAT_FAILURE report.
    pub fn verify_bytes(
        &self,
        bytes: &[u8],
        limits: &Limits,
        detached: &mut Detached<'_>,
        now: OffsetDateTime,
    ) -> Result<VerifiedPackage, Rejected> {
        match Package::parse(bytes, limits) {
            Ok(package) => self.verify(package, detached, now),
            Err(e) => {
                let mut report = ValidationReport::new(None, None, None).at(now);
                report.document_check("format", Err((SubIndication::FormatFailure, e.to_string())));
                Err(Rejected {
                    report: Box::new(report),
                    package: None,
                })
            }
        }
    }

    /// Verifies every signature of `package` (format, algorithm, signed objects and digests,
    /// signature value, certificate chain at the policy's time), then the document rules: the
    /// required commitments in order, and the seal belonging to the sender.
    pub fn verify(
        &self,
        package: Package,
        detached: &mut Detached<'_>,
        now: OffsetDateTime,
    ) -> Result<VerifiedPackage, Rejected> {
        let header = package.header();
        let mut report = ValidationReport::new(
            Some(header.id().to_string()),
            Some(format!("{}/{}", header.number(), header.notation())),
            Some(header.sender().id),
        )
        .at(now);

        // The signatures are checked over the manifest's digests first: the header binds
        // them, so no attachment needs reading for that. Attachment contents are read (and
        // detached files hashed) only once every signature and chain checked out, so a package
        // nobody trusted signed cannot make the verifier hash a huge (or sparse) file.
        let mut base = vec![DetachedObject::from_bytes(
            HEADER_URI,
            package.canonical_header(),
        )];
        base.extend(header.attachments().iter().map(|a| DetachedObject {
            uri: attachment_uri(a.name()),
            sha256: *a.sha256(),
        }));

        let mut verified = Vec::new();
        let mut signature_reports = Vec::new();
        for (index, sig) in package.signatures().iter().enumerate() {
            let objects = objects_for(&base, &package.signatures()[..index]);
            let (sr, ok) = self.verify_one(sig, &objects, now);
            signature_reports.push(sr);
            if let Some(v) = ok {
                verified.push(v);
            }
        }
        if !package.signatures().is_empty() && verified.len() == package.signatures().len() {
            match package.attachment_digests(detached) {
                Ok(digests) => report.document_check(
                    "attachments",
                    Ok(format!(
                        "{} attachment(s) match the manifest",
                        digests.len()
                    )),
                ),
                Err(e) => {
                    report.document_check("attachments", Err((package_sub(&e), e.to_string())))
                }
            }
        } else {
            report.document_not_run(
                "attachments",
                "the attachments were not read: the signatures over their digests did not all \
                 verify",
            );
        }
        for sr in signature_reports {
            report.push_signature(sr);
        }

        Rules {
            policy: self.policy,
            agencies: self.agencies,
            header: package.header(),
        }
        .check(&mut report, &verified);

        if report.sub_indication().is_some() || verified.len() != package.signatures().len() {
            tracing::info!(
                document = %package.header().id(),
                sub_indication = ?report.sub_indication(),
                "package rejected"
            );
            return Err(Rejected {
                report: Box::new(report),
                package: Some(Box::new(package)),
            });
        }
        if package.signatures().is_empty() {
            return Err(Rejected {
                report: Box::new(report),
                package: Some(Box::new(package)),
            });
        }
        let content_digest = {
            let mut h = Sha256::new();
            for o in objects_for(&base, package.signatures()) {
                h.update(o.uri.as_bytes());
                h.update([0]);
                h.update(o.sha256);
            }
            h.finalize().into()
        };
        tracing::debug!(document = %package.header().id(), "package verified");
        Ok(VerifiedPackage {
            package,
            signatures: verified,
            report,
            content_digest,
        })
    }

    /// Verifies a plain JAdES/JWS signature that is not a package: compact, flattened or
    /// general JSON serialization, over `payload` when the payload is detached (a `sigD` with
    /// one object, whatever its name, or RFC 7797 detached content), or over its attached
    /// payload when `payload` is `None`.
    ///
    /// Every signature gets the same checks as a package signature (algorithm policy, signing
    /// time, digests and signature value, certificate chain at the policy's time); the
    /// document rules (required commitments, seal owner) do not apply. The report's document
    /// fields are empty.
    pub fn verify_jws(
        &self,
        jws: &str,
        payload: Option<&[u8]>,
        now: OffsetDateTime,
    ) -> Result<ValidationReport, Rejected> {
        let mut report = ValidationReport::new(None, None, None).at(now);
        let message = match JwsMessage::parse(jws) {
            Ok(m) => m,
            Err(e) => {
                report.document_check("format", Err((sub_of(&e), e.to_string())));
                return Err(Rejected {
                    report: Box::new(report),
                    package: None,
                });
            }
        };
        let attached = message.payload.as_deref().filter(|p| !p.is_empty());
        for sig in &message.signatures {
            let (sr, _) = self.verify_one_with(sig, now, |parsed| {
                match (parsed.signed_objects(), attached, payload) {
                    (Some([one]), None, Some(bytes)) => {
                        verify_detached_documents(parsed, &[(one.uri.as_str(), bytes)])
                    }
                    (Some(_), None, Some(_)) => Err(JadesError::format(
                        "sigD",
                        "several objects are signed but one payload file was given",
                    )),
                    (None, Some(p), None) => verify_attached(parsed, p),
                    (None, None, Some(bytes)) => verify_detached_payload(parsed, bytes),
                    (_, Some(_), Some(_)) => Err(JadesError::format(
                        "payload",
                        "the JWS carries its payload, and a detached payload was given too",
                    )),
                    (_, _, None) => Err(JadesError::format(
                        "payload",
                        "the payload is detached: give the payload file",
                    )),
                }
                .map(|()| "the signature value and the payload digest are correct".to_owned())
            });
            report.push_signature(sr);
        }
        if report.indication() == Indication::TotalPassed {
            Ok(report)
        } else {
            Err(Rejected {
                report: Box::new(report),
                package: None,
            })
        }
    }

    fn verify_one(
        &self,
        sig: &JwsSignature,
        objects: &[DetachedObject],
        now: OffsetDateTime,
    ) -> (SignatureReport, Option<VerifiedSignature>) {
        self.verify_one_with(sig, now, |parsed| {
            verify_detached(parsed, objects).map(|()| {
                format!(
                    "the signature value and the digests of {} signed object(s) are correct",
                    objects.len()
                )
            })
        })
    }

    /// The checks of one signature; `check_value` verifies digests and the signature value
    /// and says what it checked.
    fn verify_one_with(
        &self,
        sig: &JwsSignature,
        now: OffsetDateTime,
        check_value: impl FnOnce(&ParsedSignature) -> Result<String, JadesError>,
    ) -> (SignatureReport, Option<VerifiedSignature>) {
        let parsed = match ParsedSignature::parse(sig) {
            Ok(p) => p,
            Err(e) => {
                let sr = SignatureReport::new(None).fail("format", sub_of(&e), e.to_string());
                return (sr, None);
            }
        };
        let mut sr = SignatureReport::new(parsed.commitment())
            .with_signature(parsed.algorithm(), parsed.signing_time());
        sr = sr.pass("format", "a JAdES baseline B-B signature");
        // The certificate's claimed names, for a failure to say whose signature it was; on
        // success the validated chain supplies them, so the leaf is not parsed for nothing.
        let claimed = |sr: SignatureReport| match parsed.leaf() {
            Some(leaf) => sr.with_unverified_certificate(leaf.as_ref()),
            None => sr,
        };

        if !self.policy.allowed_algorithms.contains(&parsed.algorithm()) {
            let detail = format!("the policy does not allow {}", parsed.algorithm());
            return (
                claimed(sr).fail("algorithm", SubIndication::CryptoConstraintsFailure, detail),
                None,
            );
        }
        let Some(signing_time) = parsed.signing_time() else {
            let detail = "the signature carries no signing time (iat)";
            return (
                claimed(sr).fail("signingTime", SubIndication::FormatFailure, detail),
                None,
            );
        };
        let skew = time::Duration::seconds(i64::from(self.policy.clock_skew_seconds));
        if signing_time > now + skew {
            let detail = format!(
                "the signing time {} lies after the validation time {}",
                crate::local_time::text(signing_time),
                crate::local_time::text(now)
            );
            return (
                claimed(sr).fail("signingTime", SubIndication::SigConstraintsFailure, detail),
                None,
            );
        }

        match check_value(&parsed) {
            Ok(detail) => sr = sr.pass("signature", detail),
            Err(e) => {
                return (
                    claimed(sr).fail("signature", sub_of(&e), e.to_string()),
                    None,
                )
            }
        }
        if matches!(parsed.algorithm(), Algorithm::Es256 | Algorithm::Es384) {
            if !is_high_s(parsed.algorithm(), parsed.signature_bytes()) {
                sr = sr.pass("lowS", "the ECDSA signature value is in low-S form");
            } else {
                let detail = "the ECDSA signature value has the high s (s > n/2): valid, but \
                              not as edoc or most signers write it; (r, n − s), the same \
                              signature re-encoded, verifies too";
                match self.policy.ecdsa_high_s {
                    HighSPolicy::Report => sr = sr.warn("lowS", detail),
                    HighSPolicy::Refuse => {
                        return (
                            claimed(sr).fail("lowS", SubIndication::FormatFailure, detail),
                            None,
                        )
                    }
                }
            }
        }

        let times = ValidationTimes::signed_at(now, signing_time);
        match self
            .trust
            .validate_chain(parsed.chain(), times, self.policy)
        {
            Ok(chain) => {
                let v = VerifiedSignature {
                    commitment: parsed.commitment(),
                    signing_time,
                    chain: Arc::clone(&chain),
                };
                (sr.with_chain(&chain), Some(v))
            }
            Err(e) => (claimed(sr).chain_failed(&e), None),
        }
    }
}

#[cfg(all(test, feature = "test-pki"))]
mod tests {
    use super::*;
    use crate::document::{Agency, AttachmentEntry, Competence, HeaderBuilder};
    use crate::jades::{sign_attached_compact, sign_detached, SignOptions};
    use crate::org::{Directory, OrgId};
    use crate::signer::{Algorithm, Signer};
    use crate::testing::{Defect, Holder, IdentitySpec, TestPki};
    use time::macros::{date, datetime};

    // Signed on 2 July 2025, checked the same afternoon: inside the test PKI's validity.
    const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
    const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
    const PDF: &[u8] = b"%PDF-1.7 report";

    fn id(code: &str) -> OrgId {
        code.parse().expect("code")
    }

    fn detached_jws(signer: &dyn Signer) -> String {
        let sig = sign_detached(
            signer,
            &[DetachedObject::from_bytes("report.pdf", PDF)],
            &SignOptions::new(SIGNED).with_commitment(Commitment::ProofOfOrigin),
        )
        .expect("signs");
        serde_json::json!({"protected": sig.protected, "signature": sig.signature}).to_string()
    }

    #[test]
    fn plain_jws_over_a_detached_payload_verifies_and_a_changed_payload_is_a_hash_failure() {
        let pki = TestPki::new().expect("pki");
        let store = pki.trust_store(&[]).expect("store");
        let policy = Policy::strict();
        let seal = pki
            .seal("UBND xã A Lưới 1", &id("000.00.41.H57"), Algorithm::Es256)
            .expect("seal");
        let jws = detached_jws(&seal.signer().expect("signer"));
        let verifier = Verifier::new(&store, &policy);

        let report = verifier.verify_jws(&jws, Some(PDF), NOW).expect("verifies");
        assert_eq!(report.indication(), Indication::TotalPassed);
        assert_eq!(report.signatures.len(), 1);
        assert_eq!(
            report.signatures[0].commitment,
            Some(Commitment::ProofOfOrigin)
        );

        let err = verifier
            .verify_jws(&jws, Some(b"%PDF-1.7 another"), NOW)
            .expect_err("changed payload");
        assert_eq!(err.sub_indication(), Some(SubIndication::HashFailure));

        let err = verifier
            .verify_jws(&jws, None, NOW)
            .expect_err("payload missing");
        assert_eq!(err.sub_indication(), Some(SubIndication::FormatFailure));

        let err = verifier
            .verify_jws("not a jws", Some(PDF), NOW)
            .expect_err("garbage");
        assert_eq!(err.sub_indication(), Some(SubIndication::FormatFailure));
    }

    #[test]
    fn plain_jws_with_an_attached_payload_verifies_and_an_untrusted_signer_has_no_chain() {
        let pki = TestPki::new().expect("pki");
        let store = pki.trust_store(&[]).expect("store");
        let policy = Policy::strict();
        let verifier = Verifier::new(&store, &policy);
        let seal = pki
            .seal("UBND xã A Lưới 1", &id("000.00.41.H57"), Algorithm::Es256)
            .expect("seal");
        let opts = SignOptions::new(SIGNED).with_commitment(Commitment::ProofOfReceipt);
        let compact =
            sign_attached_compact(&seal.signer().expect("signer"), b"{}", &opts).expect("signs");
        verifier.verify_jws(&compact, None, NOW).expect("verifies");

        let stranger = pki
            .issue(&IdentitySpec {
                holder: Holder::Seal {
                    agency_name: "UBND xã A Lưới 1".into(),
                    agency: id("000.00.41.H57"),
                },
                algorithm: Algorithm::Es256,
                defect: Defect::UntrustedRoot,
            })
            .expect("stranger");
        let jws = detached_jws(&stranger.signer().expect("signer"));
        let err = verifier
            .verify_jws(&jws, Some(PDF), NOW)
            .expect_err("untrusted");
        assert_eq!(
            err.sub_indication(),
            Some(SubIndication::NoCertificateChainFound)
        );
    }

    #[test]
    fn a_seal_of_another_agency_passes_only_when_the_directory_binds_it_to_the_sender() {
        let pki = TestPki::new().expect("pki");
        let store = pki.trust_store(&[]).expect("store");
        let policy = Policy::strict();
        let sender = id("000.00.41.H57");
        // The commune's documents sealed with its service center's certificate.
        let center = id("000.01.41.H57");
        let header = HeaderBuilder::new()
            .sender(Agency::new(sender, "UBND xã A Lưới 1"))
            .recipient(Agency::new(id("000.00.05.H57"), "Sở Tài chính"))
            .document_type("CV", "Công văn")
            .number_and_notation("42", "UBND-TCKH")
            .issued("A Lưới", date!(2025 - 07 - 02))
            .subject("Xin hướng dẫn")
            .signatory("Nguyễn Văn An", "Chủ tịch", Competence::None)
            .attachment(AttachmentEntry::for_bytes("a.pdf", "application/pdf", PDF).expect("a"))
            .build()
            .expect("header");
        let mut package =
            Package::new(header, [("a.pdf".to_owned(), PDF.to_vec())]).expect("package");
        let person = pki
            .person(
                "Nguyễn Văn An",
                "UBND xã A Lưới 1",
                &sender,
                Algorithm::Es256,
            )
            .expect("person");
        let seal = pki
            .seal("Trung tâm PVHCC xã A Lưới 1", &center, Algorithm::Es256)
            .expect("seal");
        for (who, c) in [
            (&person, Commitment::ProofOfApproval),
            (&seal, Commitment::ProofOfOrigin),
        ] {
            package
                .sign(
                    &who.signer().expect("signer"),
                    c,
                    SIGNED,
                    &mut Detached::none(),
                )
                .expect("signs");
        }

        let err = Verifier::new(&store, &policy)
            .verify(package.clone(), &mut Detached::none(), NOW)
            .expect_err("seal of another agency");
        assert_eq!(
            err.sub_indication(),
            Some(SubIndication::SigConstraintsFailure)
        );

        let mut directory = Directory::sample();
        let not_bound = directory.clone();
        directory
            .add_certificate(&sender, Directory::certificate_fingerprint(&seal.chain[0]))
            .expect("bind");
        Verifier::new(&store, &policy)
            .with_directory(&directory)
            .verify(package.clone(), &mut Detached::none(), NOW)
            .expect("the directory binds the seal to the sender");
        let err = Verifier::new(&store, &policy)
            .with_directory(&not_bound)
            .verify(package, &mut Detached::none(), NOW)
            .expect_err("not bound");
        assert_eq!(
            err.sub_indication(),
            Some(SubIndication::SigConstraintsFailure)
        );
    }
}
