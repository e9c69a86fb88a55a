//! The validation report (báo cáo kiểm tra chữ ký): an overall indication and sub-indication
//! after ETSI EN 319 102-1, and per signature who signed, with what, and what each check found.
//!
//! The report depends on no package type: document fields are plain strings and [`OrgId`]s.

use std::fmt;

use serde::Serialize;
use time::OffsetDateTime;

use crate::jades::Commitment;
use crate::org::OrgId;
use crate::signer::Algorithm;
use crate::trust::{CertificateName, ChainError, ValidatedChain};

/// The overall result (EN 319 102-1 §5.1.3, Table 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed.
    TotalPassed,
    /// A check failed in a way more data cannot repair (bad hash, bad signature, revoked...).
    TotalFailed,
    /// The available data cannot decide (missing chain, constraints, no proof of existence).
    Indeterminate,
}

/// Why the indication is not TOTAL_PASSED (EN 319 102-1 §5.1.3, Table 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// TOTAL_FAILED: the signature is not conformant to a supported format (here: malformed
    /// JSON/JWS, missing members, `crit` problems, an unreadable certificate).
    FormatFailure,
    /// TOTAL_FAILED: a signed data object's hash does not match (a tampered header or attachment).
    HashFailure,
    /// TOTAL_FAILED: the signature value does not verify with the signer's public key.
    SigCryptoFailure,
    /// TOTAL_FAILED: the signing certificate was revoked at or before the signing time.
    Revoked,
    /// TOTAL_FAILED (with a proven or relied-on signing time): the signing certificate had
    /// expired when the signature was made.
    Expired,
    /// TOTAL_FAILED: the signing time lies before the certificate's notBefore.
    NotYetValid,
    /// INDETERMINATE: the signature's attributes do not meet the validation constraints
    /// (missing or reordered commitments, a seal of another agency, a refused algorithm
    /// name, a signing time in the future).
    SigConstraintsFailure,
    /// INDETERMINATE: the chain does not meet the X.509 validation constraints of the policy
    /// (key usage, extended key usage, chain length, name or basic constraints).
    ChainConstraintsFailure,
    /// INDETERMINATE: the chain cannot be verified for a reason not covered elsewhere (a
    /// certificate signature in the chain does not verify).
    CertificateChainGeneralFailure,
    /// INDETERMINATE: an algorithm or key size is below the cryptographic constraints.
    CryptoConstraintsFailure,
    /// INDETERMINATE: no chain to a trust anchor could be built (unknown root, missing intermediate).
    NoCertificateChainFound,
    /// INDETERMINATE: the certificate was revoked after the claimed signing time and no proof
    /// of existence (timestamp) shows the signature came first.
    RevokedNoPoe,
    /// INDETERMINATE: the certificate is expired at validation time; no proof of existence
    /// shows the signature was made inside its validity.
    OutOfBoundsNoPoe,
    /// INDETERMINATE: revocation data is missing or stale; validate again with a current CRL.
    TryLater,
    /// INDETERMINATE: a signature the policy requires is missing (e.g. the seal).
    SignedDataNotFound,
}

impl SubIndication {
    /// The indication this sub-indication belongs to (EN 319 102-1 Table 5).
    pub fn indication(self) -> Indication {
        use SubIndication as S;
        match self {
            S::FormatFailure
            | S::HashFailure
            | S::SigCryptoFailure
            | S::Revoked
            | S::Expired
            | S::NotYetValid => Indication::TotalFailed,
            _ => Indication::Indeterminate,
        }
    }

    /// The EN 319 102-1 name, e.g. `NO_CERTIFICATE_CHAIN_FOUND`.
    pub fn as_str(self) -> &'static str {
        use SubIndication as S;
        match self {
            S::FormatFailure => "FORMAT_FAILURE",
            S::HashFailure => "HASH_FAILURE",
            S::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            S::Revoked => "REVOKED",
            S::Expired => "EXPIRED",
            S::NotYetValid => "NOT_YET_VALID",
            S::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            S::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            S::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            S::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            S::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            S::RevokedNoPoe => "REVOKED_NO_POE",
            S::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            S::TryLater => "TRY_LATER",
            S::SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
        }
    }

    /// Reads an EN 319 102-1 name (as `JadesError::sub_indication_hint()` returns them).
    pub fn from_name(name: &str) -> Option<SubIndication> {
        use SubIndication as S;
        [
            S::FormatFailure,
            S::HashFailure,
            S::SigCryptoFailure,
            S::Revoked,
            S::Expired,
            S::NotYetValid,
            S::SigConstraintsFailure,
            S::ChainConstraintsFailure,
            S::CertificateChainGeneralFailure,
            S::CryptoConstraintsFailure,
            S::NoCertificateChainFound,
            S::RevokedNoPoe,
            S::OutOfBoundsNoPoe,
            S::TryLater,
            S::SignedDataNotFound,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

// Here rather than beside the chain errors, so that the trust module knows nothing of reports.
impl ChainError {
    /// The ETSI EN 319 102-1 sub-indication this error reports as.
    pub fn sub_indication(&self) -> SubIndication {
        use SubIndication as S;
        match self {
            // Missing or unreadable certificates are a malformed signature (§5.2.2.4).
            ChainError::EmptyChain
            | ChainError::TooManyCertificates { .. }
            | ChainError::Malformed { .. }
            | ChainError::SigningTimeMissing => S::FormatFailure,
            // A signing time in the future is a constraint on the signature's attributes.
            ChainError::SigningTimeInFuture { .. } => S::SigConstraintsFailure,
            ChainError::UnknownIssuer { .. } => S::NoCertificateChainFound,
            ChainError::BadCertificateSignature { .. } => S::CertificateChainGeneralFailure,
            ChainError::NotYetValid { .. } => S::NotYetValid,
            ChainError::Expired { .. } => S::Expired,
            // Expired now, signed earlier by claim only: §5.2.6 OUT_OF_BOUNDS_NO_POE.
            ChainError::ExpiredAfterSigningTime { .. } => S::OutOfBoundsNoPoe,
            ChainError::Revoked { .. } => S::Revoked,
            ChainError::RevokedAfterSigningTime { .. } => S::RevokedNoPoe,
            // Revocation data missing or stale: "try later" with fresher CRLs (§5.2.6).
            ChainError::RevocationUnknown { .. } => S::TryLater,
            // Key usage, EKU and chain length are X.509 validation constraints of the policy
            // (§5.2.6 X.509 certificate validation): CHAIN_CONSTRAINTS_FAILURE, as EU DSS
            // reports them. SIG_CONSTRAINTS_FAILURE is kept for signature attributes.
            ChainError::MissingKeyUsage { .. }
            | ChainError::KeyUsageNotForSigning { .. }
            | ChainError::WrongExtendedKeyUsage { .. }
            | ChainError::ChainTooLong { .. }
            | ChainError::ConstraintViolation { .. } => S::ChainConstraintsFailure,
            // Weak keys and refused algorithms are cryptographic constraints (§5.2.8).
            ChainError::KeyTooSmall { .. }
            | ChainError::UnsupportedAlgorithm { .. }
            | ChainError::UnsupportedKey { .. } => S::CryptoConstraintsFailure,
        }
    }
}

impl fmt::Display for SubIndication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Indication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Indication::TotalPassed => "TOTAL_PASSED",
            Indication::TotalFailed => "TOTAL_FAILED",
            Indication::Indeterminate => "INDETERMINATE",
        })
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CheckStatus {
    /// The check ran and passed.
    Passed,
    /// The check ran and failed.
    Failed,
    /// The check did not run (an earlier one failed, or the policy does not ask for it).
    NotRun,
    /// The check ran and found something to know about, which the policy does not refuse
    /// (a high-S ECDSA signature, a declared signatory that differs under a lenient policy).
    Warning,
}

/// One check and what it found, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// A stable name, e.g. `certificateChain`, `hash:attachment-1`.
    pub name: String,
    /// Passed, failed or not run.
    pub status: CheckStatus,
    /// What was found, for a person.
    pub detail: String,
}

/// The report of one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignatureReport {
    /// The signer (a person's name, or the agency on a seal), when the certificate was read.
    pub signer: Option<CertificateName>,
    /// The signer certificate's issuer.
    pub issuer: Option<CertificateName>,
    /// The signer certificate's serial number.
    pub serial: Option<String>,
    /// The commitment the signature makes.
    pub commitment: Option<Commitment>,
    /// The signing time the signature claims.
    #[serde(with = "time::serde::rfc3339::option")]
    pub signing_time: Option<OffsetDateTime>,
    /// The JWS algorithm name.
    pub algorithm: Option<String>,
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
    /// The first failure's sub-indication; `None` when every check passed.
    pub sub_indication: Option<SubIndication>,
}

impl SignatureReport {
    /// An empty report for a signature with this commitment.
    pub fn new(commitment: Option<Commitment>) -> SignatureReport {
        SignatureReport {
            commitment,
            ..SignatureReport::default()
        }
    }

    /// Fills signer, issuer and serial from a validated chain, and records the chain check.
    pub fn with_chain(mut self, chain: &ValidatedChain) -> SignatureReport {
        self.signer = Some(chain.subject().clone());
        self.issuer = Some(chain.issuer().clone());
        self.serial = Some(chain.serial().to_owned());
        let detail = format!(
            "the certificate of {} leads to {}",
            chain.subject(),
            chain.anchor()
        );
        self.pass("certificateChain", detail)
    }

    /// Fills signer, issuer and serial from a certificate that did NOT validate, so a failure
    /// can still say whose signature it was. The names are the certificate's claim, not proof.
    pub fn with_unverified_certificate(mut self, der: &[u8]) -> SignatureReport {
        use x509_parser::prelude::FromDer;
        if let Ok((_, cert)) = x509_parser::certificate::X509Certificate::from_der(der) {
            self.signer = Some(CertificateName::from_x509(cert.subject()));
            self.issuer = Some(CertificateName::from_x509(cert.issuer()));
            self.serial = Some(cert.raw_serial_as_string());
        }
        self
    }

    /// Records the signing time and algorithm.
    pub fn with_signature(
        mut self,
        algorithm: Algorithm,
        signing_time: Option<OffsetDateTime>,
    ) -> SignatureReport {
        self.algorithm = Some(algorithm.jws_name().to_owned());
        self.signing_time = signing_time;
        self
    }

    /// Records a passed check.
    pub fn pass(mut self, name: &str, detail: impl Into<String>) -> SignatureReport {
        self.checks.push(Check {
            name: name.to_owned(),
            status: CheckStatus::Passed,
            detail: detail.into(),
        });
        self
    }

    /// Records a failed check; the first failure sets the sub-indication.
    pub fn fail(
        mut self,
        name: &str,
        sub: SubIndication,
        detail: impl Into<String>,
    ) -> SignatureReport {
        self.checks.push(Check {
            name: name.to_owned(),
            status: CheckStatus::Failed,
            detail: detail.into(),
        });
        self.sub_indication.get_or_insert(sub);
        self
    }

    /// Records a warning: a finding the policy does not refuse; the indication is unchanged.
    pub fn warn(mut self, name: &str, detail: impl Into<String>) -> SignatureReport {
        self.checks.push(Check {
            name: name.to_owned(),
            status: CheckStatus::Warning,
            detail: detail.into(),
        });
        self
    }

    /// Records a check that did not run.
    pub fn not_run(mut self, name: &str, detail: impl Into<String>) -> SignatureReport {
        self.checks.push(Check {
            name: name.to_owned(),
            status: CheckStatus::NotRun,
            detail: detail.into(),
        });
        self
    }

    /// Records a chain validation failure under `certificateChain`.
    pub fn chain_failed(self, error: &ChainError) -> SignatureReport {
        self.fail(
            "certificateChain",
            error.sub_indication(),
            error.to_string(),
        )
    }

    /// This signature's indication.
    pub fn indication(&self) -> Indication {
        self.sub_indication
            .map_or(Indication::TotalPassed, SubIndication::indication)
    }

    fn who(&self) -> String {
        let role = match self.commitment {
            Some(Commitment::ProofOfOrigin) => "the seal of ",
            Some(Commitment::ProofOfApproval) => "the signature of ",
            Some(Commitment::ProofOfReceipt) => "the receipt of ",
            None => "the signature of ",
        };
        match &self.signer {
            Some(name) => format!("{role}{name}"),
            None => format!("{role}an unidentified signer"),
        }
    }
}

/// The header's declared signatory beside the subject of the approval certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignatoryComparison {
    /// The full name the header declares as signatory (người ký).
    pub declared: String,
    /// The approval certificate's subject (its common name): the one that matches, when
    /// there are several approvals.
    pub certificate: String,
    /// Whether they name the same person, compared ignoring case, Unicode normalization and
    /// runs of whitespace.
    pub matches: bool,
}

/// The report of a whole document: its identity and every signature's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ValidationReport {
    /// The edXML document id, e.g. `000.00.04.G14,2012/08/06,267/VPCP-TTĐT`.
    pub document_id: Option<String>,
    /// Number and notation (số, ký hiệu), e.g. `267/VPCP-TTĐT`.
    pub number_notation: Option<String>,
    /// The sending agency.
    pub sender: Option<OrgId>,
    /// When the validation ran.
    #[serde(with = "time::serde::rfc3339::option")]
    pub validated_at: Option<OffsetDateTime>,
    /// The declared signatory and the approval certificate's subject, side by side, when an
    /// approval was verified.
    pub signatory: Option<SignatoryComparison>,
    /// Document-level checks (required commitments and order, signer roles, organization
    /// binding, the declared signatory).
    pub checks: Vec<Check>,
    /// Document-level failure, when one decided the outcome.
    pub document_sub_indication: Option<SubIndication>,
    /// One report per signature, in document order.
    pub signatures: Vec<SignatureReport>,
}

/// The JSON shape of the overall result, with the computed indication first.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportJson<'a> {
    indication: Indication,
    sub_indication: Option<SubIndication>,
    #[serde(flatten)]
    report: &'a ValidationReport,
}

impl ValidationReport {
    /// An empty report for a document.
    pub fn new(
        document_id: Option<String>,
        number_notation: Option<String>,
        sender: Option<OrgId>,
    ) -> ValidationReport {
        ValidationReport {
            document_id,
            number_notation,
            sender,
            ..ValidationReport::default()
        }
    }

    /// Sets the validation time.
    pub fn at(mut self, validated_at: OffsetDateTime) -> ValidationReport {
        self.validated_at = Some(validated_at);
        self
    }

    /// Adds a signature report.
    pub fn push_signature(&mut self, signature: SignatureReport) {
        self.signatures.push(signature);
    }

    /// Records a document-level check; a failure sets the document sub-indication (first wins).
    pub fn document_check(&mut self, name: &str, result: Result<String, (SubIndication, String)>) {
        let (status, detail) = match result {
            Ok(detail) => (CheckStatus::Passed, detail),
            Err((sub, detail)) => {
                self.document_sub_indication.get_or_insert(sub);
                (CheckStatus::Failed, detail)
            }
        };
        self.checks.push(Check {
            name: name.to_owned(),
            status,
            detail,
        });
    }

    /// Records a document-level warning: a finding the policy does not refuse.
    pub fn document_warn(&mut self, name: &str, detail: impl Into<String>) {
        self.checks.push(Check {
            name: name.to_owned(),
            status: CheckStatus::Warning,
            detail: detail.into(),
        });
    }

    /// Records a document-level check that did not run, and why.
    pub fn document_not_run(&mut self, name: &str, detail: impl Into<String>) {
        self.checks.push(Check {
            name: name.to_owned(),
            status: CheckStatus::NotRun,
            detail: detail.into(),
        });
    }

    /// The deciding sub-indication: the document's own, else the first failed signature's.
    pub fn sub_indication(&self) -> Option<SubIndication> {
        self.document_sub_indication
            .or_else(|| self.signatures.iter().find_map(|s| s.sub_indication))
    }

    /// The overall indication. A document without any signature is never TOTAL_PASSED.
    pub fn indication(&self) -> Indication {
        match self.sub_indication() {
            Some(sub) => sub.indication(),
            None if self.signatures.is_empty() => Indication::Indeterminate,
            None => Indication::TotalPassed,
        }
    }

    /// The report as JSON with stable camelCase field names; `indication` and
    /// `subIndication` are computed.
    pub fn to_json(&self) -> String {
        let json = ReportJson {
            indication: self.indication(),
            sub_indication: self.sub_indication(),
            report: self,
        };
        // Serializing plain strings, enums and times cannot fail.
        serde_json::to_string_pretty(&json).unwrap_or_default()
    }
}

impl fmt::Display for ValidationReport {
    /// A few lines a clerk can read: the verdict with its reason, then each signature.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = match self.indication() {
            Indication::TotalPassed => "PASSED",
            Indication::TotalFailed => "FAILED",
            Indication::Indeterminate => "INDETERMINATE",
        };
        let reason = self
            .checks
            .iter()
            .find(|c| c.status == CheckStatus::Failed)
            .map(|c| c.detail.clone())
            .or_else(|| {
                self.signatures.iter().find_map(|s| {
                    s.checks
                        .iter()
                        .find(|c| c.status == CheckStatus::Failed)
                        .map(|c| format!("{}: {}", s.who(), c.detail))
                })
            });
        match (reason, self.sub_indication()) {
            (Some(reason), Some(sub)) => writeln!(f, "{verdict}: {reason} [{sub}]")?,
            _ if self.signatures.is_empty() => {
                writeln!(f, "{verdict}: the document carries no signature")?
            }
            _ => writeln!(f, "{verdict}: every signature is valid")?,
        }
        if let Some(id) = &self.number_notation.as_ref().or(self.document_id.as_ref()) {
            write!(f, "  document {id}")?;
            if let Some(sender) = &self.sender {
                write!(f, " from {sender}")?;
            }
            writeln!(f)?;
        }
        for s in &self.signatures {
            let mark = if s.sub_indication.is_some() {
                "✗"
            } else {
                "✓"
            };
            write!(f, "  {mark} {}", s.who())?;
            if let Some(alg) = &s.algorithm {
                write!(f, ", {alg}")?;
            }
            if let Some(t) = s.signing_time {
                // RFC 3339 at +07:00; `time`'s Display is not meant for people.
                write!(f, ", signed {}", crate::local_time::text(t))?;
            }
            writeln!(f)?;
        }
        if let Some(s) = &self.signatory {
            let verdict = if s.matches {
                "the same person"
            } else {
                "NOT the same name"
            };
            writeln!(
                f,
                "  signatory declared {:?}, approval certificate {:?}: {verdict}",
                s.declared, s.certificate
            )?;
        }
        let warnings = self
            .checks
            .iter()
            .chain(self.signatures.iter().flat_map(|s| s.checks.iter()))
            .filter(|c| c.status == CheckStatus::Warning);
        for c in warnings {
            writeln!(f, "  ! warning ({}): {}", c.name, c.detail)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(sub: Option<SubIndication>) -> SignatureReport {
        let mut r = SignatureReport::new(Some(Commitment::ProofOfOrigin));
        r.signer = Some(CertificateName {
            common_name: Some("UBND xã A Lưới 1".into()),
            organization_identifier: Some("000.00.01.H57".into()),
            ..CertificateName::default()
        });
        match sub {
            Some(s) => r.fail("organization", s, "cannot sign for 000.00.02.H57"),
            None => r.pass("organization", "belongs to the sender"),
        }
    }

    #[test]
    fn sub_indications_serialize_in_screaming_snake_case() {
        assert_eq!(
            serde_json::to_string(&SubIndication::NoCertificateChainFound).unwrap(),
            "\"NO_CERTIFICATE_CHAIN_FOUND\""
        );
        assert_eq!(
            serde_json::to_string(&Indication::TotalPassed).unwrap(),
            "\"TOTAL_PASSED\""
        );
        for s in [
            SubIndication::RevokedNoPoe,
            SubIndication::OutOfBoundsNoPoe,
            SubIndication::HashFailure,
        ] {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
            assert_eq!(SubIndication::from_name(s.as_str()), Some(s));
        }
    }

    #[test]
    fn a_failed_seal_makes_the_report_fail_and_says_who_in_words() {
        let mut report = ValidationReport::new(
            None,
            Some("12/UBND-VP".into()),
            "000.00.02.H57".parse().ok(),
        );
        report.push_signature(seal(Some(SubIndication::SigConstraintsFailure)));
        assert_eq!(report.indication(), Indication::Indeterminate);
        let text = report.to_string();
        assert!(
            text.starts_with(
                "INDETERMINATE: the seal of UBND xã A Lưới 1 (000.00.01.H57): cannot sign"
            ),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["indication"], "INDETERMINATE");
        assert_eq!(json["subIndication"], "SIG_CONSTRAINTS_FAILURE");
        assert_eq!(json["numberNotation"], "12/UBND-VP");
        assert_eq!(json["signatures"][0]["commitment"], "ProofOfOrigin");
    }

    #[test]
    fn a_report_without_signatures_never_passes() {
        assert_eq!(
            ValidationReport::default().indication(),
            Indication::Indeterminate
        );
    }

    #[test]
    fn passing_signatures_give_total_passed() {
        let mut report = ValidationReport::default();
        report.push_signature(seal(None));
        assert_eq!(report.indication(), Indication::TotalPassed);
        assert!(report.to_string().starts_with("PASSED"));
    }
}
