//! The validation policy: which signatures and certificates a deployment accepts.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::jades::Commitment;
use crate::limits::Limits;
use crate::org::{Directory, OrgId};
use crate::signer::Algorithm;

/// id-kp-documentSigning, 1.3.6.1.5.5.7.3.36 (RFC 9336), as DER content bytes.
pub(crate) const OID_DOCUMENT_SIGNING: &[u8] = &[0x2b, 6, 1, 5, 5, 7, 3, 0x24];
/// id-kp-emailProtection, 1.3.6.1.5.5.7.3.4 (RFC 5280 §4.2.1.12), as DER content bytes.
pub(crate) const OID_EMAIL_PROTECTION: &[u8] = &[0x2b, 6, 1, 5, 5, 7, 3, 4];

/// A validation policy (chính sách kiểm tra chữ ký): what a verifier accepts.
///
/// [`Policy::strict`] (also [`Default`]) is what a government deployment should use. Start from it
/// and relax single fields; every insecure choice carries `danger` in its name.
///
/// A policy can be read from JSON with [`Policy::from_json`]; unknown fields are refused so that
/// a typo never silently falls back to a default.
///
/// ```
/// let policy = edoc::Policy::from_json(br#"{
///   "allowedAlgorithms": ["ES256", "PS256"], "minRsaBits": 3072,
///   "requiredCommitments": ["ProofOfApproval", "ProofOfOrigin"],
///   "organizationBinding": "SealBelongsToSender", "clockSkewSeconds": 300,
///   "maxChainLength": 4, "eku": "DocumentSigning", "validationTime": "Current",
///   "revocation": { "mode": "RequireCrl", "revokedAfterSigningTime": "Indeterminate" },
///   "leafKeyUsage": "RequireSigning"
/// }"#).unwrap();
/// assert_eq!(policy.min_rsa_bits, 3072);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Policy {
    /// The JWS algorithms accepted for signatures.
    #[serde(with = "algorithm_names")]
    pub allowed_algorithms: BTreeSet<Algorithm>,
    /// The smallest RSA modulus, in bits, for signature keys and for every certificate key of
    /// the chain.
    pub min_rsa_bits: u32,
    /// The commitments a document must carry, in signing order (first signature first).
    pub required_commitments: Vec<Commitment>,
    /// How the seal certificate must be tied to the sending agency.
    pub organization_binding: OrganizationBinding,
    /// Tolerance, in seconds, for a signing time that lies ahead of the validation clock.
    pub clock_skew_seconds: u32,
    /// The longest chain accepted, counting the end-entity and the trust anchor.
    pub max_chain_length: u8,
    /// Which extended key usage the end-entity certificate must carry.
    pub eku: EkuPolicy,
    /// Which instant the certificates are checked at.
    pub validation_time: ValidationTimeMode,
    /// How revocation is checked.
    pub revocation: RevocationPolicy,
    /// Whether the end-entity keyUsage must allow signing.
    pub leaf_key_usage: KeyUsagePolicy,
    /// What an ECDSA signature carrying the high of its two valid `s` values means. Absent
    /// from a policy file: [`HighSPolicy::Report`].
    #[serde(default)]
    pub ecdsa_high_s: HighSPolicy,
    /// How far, in seconds, the time a status message states may lie from its signing time
    /// (`iat`), and behind the clock of the first hub that takes it: a status held back, or
    /// replayed, past this is refused. Absent from a policy file: one hour.
    #[serde(default = "default_status_time_window")]
    pub status_time_window_seconds: u32,
    /// Who may sign what: a seal is an organisation's certificate, an approval a natural
    /// person's of the sending agency, and the declared signatory is the approving person.
    #[serde(default)]
    pub signer_roles: SignerRoles,
}

/// Who may sign what (vai trò người ký): what the certificates of an agency's seal and of the
/// competent person's approval must be, and how they are told apart. [`Policy::strict`] sets
/// every rule; see the README's "Rules" section.
///
/// A certificate is an **organisation's** (fit to seal) when it carries one of
/// [`seal_policies`](Self::seal_policies), or the ETSI QC type `id-etsi-qct-eseal`
/// (0.4.0.1862.1.6.2) in its QCStatements, or when the directory binds it to the sender and
/// nothing marks it as a person's. It is a **natural person's** when it carries one of
/// [`person_policies`](Self::person_policies) or the QC type `id-etsi-qct-esign`
/// (0.4.0.1862.1.6.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct SignerRoles {
    /// Whether seals and approvals are checked for the kind of certificate they use.
    pub mode: RoleMode,
    /// Certificate policy OIDs (dotted) that mark an organisation's certificate. Strict: the
    /// ETSI EN 319 411-2 policies for legal persons, QCP-l (0.4.0.194112.1.1) and QCP-l-qscd
    /// (0.4.0.194112.1.3); add the national CA's seal policies here.
    pub seal_policies: Vec<String>,
    /// Certificate policy OIDs (dotted) that mark a natural person's certificate. Strict:
    /// QCP-n (0.4.0.194112.1.0) and QCP-n-qscd (0.4.0.194112.1.2).
    pub person_policies: Vec<String>,
    /// What an approval's certificate must show.
    pub approval: ApprovalRole,
    /// Which agency the approving person must belong to.
    pub approver_agency: ApproverAgency,
    /// Whether the header's declared signatory must be the approval certificate's subject.
    pub declared_signatory: SignatoryMatch,
    /// Whether a signature whose commitment is neither approval nor origin (nor listed in
    /// [`Policy::required_commitments`]) may sit on a document.
    pub other_commitments: OtherCommitments,
}

/// Whether signer roles are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RoleMode {
    /// A seal must be an organisation's certificate and an approval a natural person's.
    Required,
    /// Any trusted certificate may seal or approve. Only for closed test setups.
    DangerNotChecked,
}

/// What an approval's certificate must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ApprovalRole {
    /// That it is not a seal: no seal mark, not bound as a seal by the directory, and not the
    /// key of the package's seal. Persons' certificates from Vietnamese CAs often carry no
    /// mark of their own, so this is what the strict policy asks.
    NotASeal,
    /// As [`ApprovalRole::NotASeal`], and marked as a natural person's (a person policy OID or
    /// the QC type esign).
    MarkedPerson,
}

/// Which agency the approving person must belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ApproverAgency {
    /// Any trusted person may approve for any sender. Only for closed test setups.
    DangerNotRequired,
    /// The sender: the person's certificate's organizationIdentifier names the sending
    /// agency, or the directory lists the certificate for it.
    Sender,
    /// As [`ApproverAgency::Sender`]; for a `TM.` (on behalf of) or `KT.` (deputy) signature
    /// also a person of the sender's parent agency (the code one level up), when that parent
    /// is in this list.
    SenderOrParent(Vec<OrgId>),
}

/// Whether the declared signatory must match the approval certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SignatoryMatch {
    /// A mismatch refuses the document (SIG_CONSTRAINTS_FAILURE).
    Required,
    /// A mismatch is a warning in the report.
    Warn,
}

/// Whether signatures with other commitments may sit on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OtherCommitments {
    /// Refused: a document carries approvals and seals (a receipt is its own message).
    Refuse,
    /// Accepted beside the approval and the seal.
    Allow,
}

impl SignerRoles {
    /// The strict rules: see each field.
    pub fn strict() -> SignerRoles {
        SignerRoles {
            mode: RoleMode::Required,
            seal_policies: vec!["0.4.0.194112.1.1".into(), "0.4.0.194112.1.3".into()],
            person_policies: vec!["0.4.0.194112.1.0".into(), "0.4.0.194112.1.2".into()],
            approval: ApprovalRole::NotASeal,
            approver_agency: ApproverAgency::Sender,
            declared_signatory: SignatoryMatch::Required,
            other_commitments: OtherCommitments::Refuse,
        }
    }
}

impl Default for SignerRoles {
    /// [`SignerRoles::strict`], so a policy file that leaves a field out gets the strict rule.
    fn default() -> Self {
        SignerRoles::strict()
    }
}

fn default_status_time_window() -> u32 {
    3_600
}

/// What an ECDSA signature with a high `s` (s > n/2) means.
///
/// (r, s) and (r, n − s) are both valid signatures of the same data, so anyone can re-encode a
/// signed package into other bytes without a key (signature malleability). edoc signs with the
/// low value only; a high one in a received package was made by another signer or altered on
/// the way. Either way the signed content is the same, so it is reported, not refused, unless
/// the policy says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum HighSPolicy {
    /// Accepted, with a warning in the signature's report (check `lowS`).
    #[default]
    Report,
    /// Refused as a FORMAT_FAILURE: only low-S signatures are accepted.
    Refuse,
}

/// How the seal certificate must belong to the sending agency (cơ quan gửi).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OrganizationBinding {
    /// No binding: any trusted seal may speak for any sender. Only for closed test setups.
    DangerNotRequired,
    /// The seal certificate's organizationIdentifier (2.5.4.97) equals the sender's `OrgId`, or
    /// the directory ([`AgencyCertificates`]) lists the certificate for that agency.
    SealBelongsToSender,
}

/// The extended key usage required of the end-entity certificate.
///
/// Intermediates are checked the usual way (RFC 5280 §4.2.1.12 as CAs apply it): a CA
/// certificate without an EKU extension constrains nothing; a CA certificate with one must list
/// a required purpose (or anyExtendedKeyUsage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum EkuPolicy {
    /// No EKU is required of the end-entity.
    NotRequired,
    /// id-kp-documentSigning, 1.3.6.1.5.5.7.3.36 (RFC 9336).
    DocumentSigning,
    /// id-kp-emailProtection, 1.3.6.1.5.5.7.3.4, which many national CAs put in signing
    /// certificates.
    EmailProtection,
    /// Any one of these dotted OIDs, e.g. `["1.3.6.1.5.5.7.3.36", "1.3.6.1.5.5.7.3.4"]`.
    AnyOf(Vec<String>),
}

/// Which instant certificates (validity, revocation) are checked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ValidationTimeMode {
    /// The current time the caller passes in [`ValidationTimes::now`](super::ValidationTimes::now).
    Current,
    /// The signing time the signature claims (`iat`): the certificate must have been valid when
    /// the document was signed (Circular 15/2025 draft). Use it for archives whose signing time
    /// is proven otherwise (a register entry, a timestamp): the claim alone can be back-dated.
    SigningTime,
}

/// Revocation checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[non_exhaustive]
pub struct RevocationPolicy {
    /// Whether CRLs are required.
    pub mode: RevocationMode,
    /// What a revocation dated after the claimed signing time means.
    pub revoked_after_signing_time: RevokedAfterSigningTime,
}

/// Whether CRLs are required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RevocationMode {
    /// Every certificate below the trust anchor must be covered by a CRL of its issuer that is
    /// current at the validation time (nextUpdate not passed): the signer by its CA's CRL, each
    /// intermediate by its parent's (for the root: its authority revocation list). Load both.
    RequireCrl,
    /// CRLs are used when present, for every certificate of the chain; no CRL means "not revoked".
    CheckIfAvailable,
    /// No revocation check at all.
    DangerNoCheck,
}

/// What a revocation dated after the claimed signing time means.
///
/// A B-B signature's signing time is the signer's own claim, not a proof of existence: a
/// thief of a revoked key can back-date it. EN 319 102-1 §5.2.6 therefore answers
/// INDETERMINATE / REVOKED_NO_POE, and so does [`RevokedAfterSigningTime::Indeterminate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RevokedAfterSigningTime {
    /// Refused as indeterminate ([`ChainError::RevokedAfterSigningTime`](super::ChainError::RevokedAfterSigningTime)).
    Indeterminate,
    /// Accepted: the claimed signing time is trusted.
    DangerAcceptClaimedSigningTime,
}

/// Whether the end-entity keyUsage must allow signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum KeyUsagePolicy {
    /// The keyUsage extension must be present with digitalSignature or nonRepudiation
    /// (contentCommitment), RFC 5280 §4.2.1.3.
    RequireSigning,
    /// When present it must include digitalSignature or nonRepudiation; absent is accepted
    /// (RFC 5280 reads an absent extension as "any usage").
    SigningIfPresent,
}

/// The directory's answer to "may this certificate sign for this agency?", so that trust never
/// depends on routing. The router's directory implements it.
/// It is `Send + Sync` so one verifier can serve many threads.
///
/// The directory lists agencies' seal certificates; a certificate it lists that nothing marks
/// as a natural person's counts as that agency's seal (see [`SignerRoles`]).
pub trait AgencyCertificates: Send + Sync {
    /// True when the directory lists the certificate (by SHA-256 of its DER) for `agency`.
    fn may_sign_for(&self, agency: &OrgId, certificate_sha256: &[u8; 32]) -> bool;

    /// The agency the directory lists the certificate for, if any: a certificate listed as an
    /// agency's seal cannot approve. The default knows none.
    fn listed_for(&self, certificate_sha256: &[u8; 32]) -> Option<OrgId> {
        let _ = certificate_sha256;
        None
    }
}

// Here rather than beside the directory, so that the organization module knows nothing of trust.
impl AgencyCertificates for Directory {
    fn may_sign_for(&self, agency: &OrgId, certificate_sha256: &[u8; 32]) -> bool {
        Directory::may_sign_for(self, agency, certificate_sha256)
    }

    fn listed_for(&self, certificate_sha256: &[u8; 32]) -> Option<OrgId> {
        self.agencies()
            .iter()
            .find(|a| a.certificates().contains(certificate_sha256))
            .map(|a| a.id())
    }
}

/// Why a policy file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The JSON is malformed, has an unknown field or an unknown value.
    #[error("policy file rejected: {0}")]
    Json(String),
    /// A value is out of range.
    #[error("policy field {field} is invalid: {reason}")]
    Invalid {
        /// The JSON field name.
        field: &'static str,
        /// What is wrong, in words.
        reason: String,
    },
}

impl Policy {
    /// The policy a government deployment should use; every line follows.
    pub fn strict() -> Policy {
        Policy {
            // The five algorithms of the Circular 15/2025 draft's families; nothing else exists here.
            allowed_algorithms: Algorithm::ALL.into_iter().collect(),
            // Circular 15/2025 draft: RSA keys of at least 2048 bits.
            min_rsa_bits: 2048,
            // Decree 30/2020: the competent person signs first, then the agency seal.
            required_commitments: vec![Commitment::ProofOfApproval, Commitment::ProofOfOrigin],
            // A package sealed by commune A must never pass as coming from commune B.
            organization_binding: OrganizationBinding::SealBelongsToSender,
            // Five minutes between machines that sync with NTP.
            clock_skew_seconds: 300,
            // Root, one or two CAs, the leaf: NEAC → public CA → leaf is three.
            max_chain_length: 4,
            // RFC 9336 documentSigning or emailProtection, the two purposes Vietnamese signing
            // certificates carry in practice.
            eku: EkuPolicy::AnyOf(vec![
                "1.3.6.1.5.5.7.3.36".to_owned(),
                "1.3.6.1.5.5.7.3.4".to_owned(),
            ]),
            // Check at the caller's clock. A B-B signature's signing time is only the signer's
            // claim, and CAs drop expired certificates from their CRLs: trusting the claim would
            // let a stolen key of an expired certificate sign back-dated documents. Documents are
            // checked the day they arrive; a signature whose certificate has since expired is
            // INDETERMINATE (OUT_OF_BOUNDS_NO_POE) until timestamps (B-T) prove its time.
            validation_time: ValidationTimeMode::Current,
            // A CRL is required for the signer; a revocation after a merely claimed signing time
            // is indeterminate (EN 319 102-1 REVOKED_NO_POE).
            revocation: RevocationPolicy {
                mode: RevocationMode::RequireCrl,
                revoked_after_signing_time: RevokedAfterSigningTime::Indeterminate,
            },
            // A signing certificate must say so.
            leaf_key_usage: KeyUsagePolicy::RequireSigning,
            // Issue 12: report malleated ECDSA signatures; the content they sign is the same.
            ecdsa_high_s: HighSPolicy::Report,
            // Issue 12: a status is set, signed and submitted within minutes; an hour leaves
            // room for a clerk's queue, and none for replaying yesterday's answer.
            status_time_window_seconds: default_status_time_window(),
            // Issue 12: one certificate must not play both roles, nor one agency's person
            // approve for another; see SignerRoles::strict.
            signer_roles: SignerRoles::strict(),
        }
    }

    /// Largest policy file read: 64 KiB (the whole strict policy is under 1 KiB).
    pub const MAX_JSON_BYTES: usize = 64 << 10;

    /// Reads a policy file: a JSON object whose fields (camelCase, as in the struct) override
    /// those of [`Policy::strict`]; a nested object (`revocation`) overrides field by field.
    /// Unknown and duplicate fields and out-of-range values are refused, so a typo never falls
    /// back to a default silently.
    ///
    /// ```
    /// use edoc::{Policy, RevocationMode};
    /// let policy = Policy::from_json(br#"{"revocation": {"mode": "CheckIfAvailable"}}"#).unwrap();
    /// assert_eq!(policy.revocation.mode, RevocationMode::CheckIfAvailable);
    /// // Everything else is the strict policy's.
    /// assert_eq!(policy.revocation.revoked_after_signing_time,
    ///            Policy::strict().revocation.revoked_after_signing_time);
    /// assert_eq!(policy.required_commitments, Policy::strict().required_commitments);
    /// assert!(Policy::from_json(br#"{"revocation": {"mod": "CheckIfAvailable"}}"#).is_err());
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Policy, PolicyError> {
        if bytes.trim_ascii().is_empty() {
            return Err(PolicyError::Json("the policy file is empty".into()));
        }
        // serde_json's Value keeps the last of two equal keys: the strict pre-pass refuses them
        // first, and bounds size and depth.
        let limits = Limits {
            max_package_bytes: Self::MAX_JSON_BYTES,
            ..Limits::default()
        };
        crate::json::check(bytes, &limits).map_err(|e| PolicyError::Json(e.to_string()))?;
        let overrides: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| PolicyError::Json(e.to_string()))?;
        if !overrides.is_object() {
            return Err(PolicyError::Json(
                "a policy file is a JSON object, e.g. {\"revocation\": {\"mode\": \"CheckIfAvailable\"}}"
                    .into(),
            ));
        }
        let mut merged =
            serde_json::to_value(Policy::strict()).map_err(|e| PolicyError::Json(e.to_string()))?;
        merge(&mut merged, overrides);
        let policy: Policy =
            serde_json::from_value(merged).map_err(|e| PolicyError::Json(e.to_string()))?;
        policy.check()?;
        Ok(policy)
    }

    /// The policy as pretty-printed JSON, in the form [`Policy::from_json`] reads: a file to
    /// edit (`edoc policy show` prints the strict one).
    pub fn to_json(&self) -> String {
        // Strings, numbers and enums: serialization cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    fn check(&self) -> Result<(), PolicyError> {
        if self.allowed_algorithms.is_empty() {
            return Err(PolicyError::Invalid {
                field: "allowedAlgorithms",
                reason: "no algorithm would be accepted".into(),
            });
        }
        if !(1024..=16384).contains(&self.min_rsa_bits) {
            return Err(PolicyError::Invalid {
                field: "minRsaBits",
                reason: format!("{} is outside 1024..=16384", self.min_rsa_bits),
            });
        }
        if self.max_chain_length < 1 {
            return Err(PolicyError::Invalid {
                field: "maxChainLength",
                reason: "a chain has at least one certificate".into(),
            });
        }
        for (field, list) in [
            ("signerRoles.sealPolicies", &self.signer_roles.seal_policies),
            (
                "signerRoles.personPolicies",
                &self.signer_roles.person_policies,
            ),
        ] {
            if let Some(oid) = list.iter().find(|o| oid_to_der(o).is_none()) {
                return Err(PolicyError::Invalid {
                    field,
                    reason: format!("{oid:?} is not a dotted OID"),
                });
            }
        }
        if let EkuPolicy::AnyOf(list) = &self.eku {
            if list.is_empty() {
                return Err(PolicyError::Invalid {
                    field: "eku",
                    reason: "AnyOf needs at least one OID".into(),
                });
            }
            for oid in list {
                if oid_to_der(oid).is_none() {
                    return Err(PolicyError::Invalid {
                        field: "eku",
                        reason: format!("{oid:?} is not a dotted OID"),
                    });
                }
            }
        }
        Ok(())
    }

    /// This policy as it applies to a time-stamping authority's certificate (RFC 3161 §2.3):
    /// the end-entity carries id-kp-timeStamping, its key usage (optional for TSAs) must allow
    /// signing when present, the certificates are checked at the instant given (a token proves
    /// its own time only once its chain holds there), and no organization binding applies.
    pub(crate) fn for_timestamping(&self) -> Policy {
        Policy {
            eku: EkuPolicy::AnyOf(vec!["1.3.6.1.5.5.7.3.8".to_owned()]),
            leaf_key_usage: KeyUsagePolicy::SigningIfPresent,
            validation_time: ValidationTimeMode::Current,
            organization_binding: OrganizationBinding::DangerNotRequired,
            ..self.clone()
        }
    }

    /// The accepted EKU OIDs as DER content bytes; `None` when no EKU is required.
    pub(crate) fn eku_oids(&self) -> Option<Vec<Vec<u8>>> {
        match &self.eku {
            EkuPolicy::NotRequired => None,
            EkuPolicy::DocumentSigning => Some(vec![OID_DOCUMENT_SIGNING.to_vec()]),
            EkuPolicy::EmailProtection => Some(vec![OID_EMAIL_PROTECTION.to_vec()]),
            EkuPolicy::AnyOf(list) => Some(list.iter().filter_map(|o| oid_to_der(o)).collect()),
        }
    }
}

impl Default for Policy {
    /// [`Policy::strict`].
    fn default() -> Self {
        Policy::strict()
    }
}

/// Lays `over` onto `base`. An object replaces a struct's fields one by one; anything else,
/// and an enum value (an object keyed by a PascalCase variant such as `{"AnyOf": [...]}`),
/// replaces the whole value.
fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
    use serde_json::Value;
    let (Value::Object(base), Value::Object(over)) = (base, over) else {
        return;
    };
    for (key, value) in over {
        match base.get_mut(&key) {
            Some(slot @ Value::Object(_))
                if value.as_object().is_some_and(|o| {
                    o.keys()
                        .all(|k| k.starts_with(|c: char| c.is_ascii_lowercase()))
                }) =>
            {
                merge(slot, value)
            }
            _ => {
                base.insert(key, value);
            }
        }
    }
}

/// Encodes a dotted OID as DER content bytes (X.690 §8.19); `None` when malformed.
pub(crate) fn oid_to_der(dotted: &str) -> Option<Vec<u8>> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|p| p.parse::<u64>().ok())
        .collect::<Option<_>>()?;
    let (first, second) = match arcs.as_slice() {
        [a, b, ..] if *a <= 2 && (*a == 2 || *b < 40) => (*a, *b),
        _ => return None,
    };
    let mut out = Vec::new();
    let head = first.checked_mul(40)?.checked_add(second)?;
    for arc in std::iter::once(head).chain(arcs.iter().skip(2).copied()) {
        let mut chunk = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            chunk.push(((rest & 0x7f) as u8) | 0x80);
            rest >>= 7;
        }
        out.extend(chunk.iter().rev());
    }
    Some(out)
}

mod algorithm_names {
    use std::collections::BTreeSet;

    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    use crate::signer::Algorithm;

    pub(super) fn serialize<S: Serializer>(
        set: &BTreeSet<Algorithm>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(set.iter().map(|a| a.jws_name()))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeSet<Algorithm>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|n| {
                Algorithm::from_jws_name(n)
                    .ok_or_else(|| D::Error::custom(format!("unknown algorithm {n:?}")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_policy_round_trips_through_json() {
        let json = serde_json::to_vec(&Policy::strict()).unwrap();
        assert_eq!(Policy::from_json(&json).unwrap(), Policy::strict());
    }

    #[test]
    fn a_policy_file_overrides_only_the_fields_it_names() {
        let p = Policy::from_json(br#"{"minRsaBits": 3072, "eku": "DocumentSigning"}"#).unwrap();
        assert_eq!(p.min_rsa_bits, 3072);
        assert_eq!(p.eku, EkuPolicy::DocumentSigning);
        assert_eq!(p.revocation, Policy::strict().revocation);
        let p = Policy::from_json(br#"{"eku": {"AnyOf": ["1.3.6.1.5.5.7.3.4"]}}"#).unwrap();
        assert_eq!(p.eku, EkuPolicy::AnyOf(vec!["1.3.6.1.5.5.7.3.4".into()]));
        assert_eq!(Policy::from_json(b"{}").unwrap(), Policy::strict());
        let again = Policy::from_json(Policy::strict().to_json().as_bytes()).unwrap();
        assert_eq!(again, Policy::strict());
    }

    #[test]
    fn a_policy_file_with_a_repeated_or_unknown_nested_field_or_no_object_is_refused() {
        for bad in [
            &br#"{"minRsaBits": 4096, "minRsaBits": 1024}"#[..],
            br#"{"revocation": {"mode": "RequireCrl", "mode": "DangerNoCheck"}}"#,
            br#"{"revocation": {"mod": "CheckIfAvailable"}}"#,
            br#"["minRsaBits"]"#,
            b"  \n",
        ] {
            let err = Policy::from_json(bad).unwrap_err();
            assert!(matches!(err, PolicyError::Json(_)), "{err:?}");
        }
    }

    #[test]
    fn unknown_policy_field_is_refused() {
        let mut v = serde_json::to_value(Policy::strict()).unwrap();
        v["minRsaBit"] = 1024.into();
        let err = Policy::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(matches!(err, PolicyError::Json(_)), "{err:?}");
    }

    #[test]
    fn unknown_algorithm_in_policy_is_refused() {
        let mut v = serde_json::to_value(Policy::strict()).unwrap();
        v["allowedAlgorithms"] = serde_json::json!(["none"]);
        let err = Policy::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(matches!(err, PolicyError::Json(_)), "{err:?}");
    }

    #[test]
    fn tiny_rsa_minimum_is_refused() {
        let mut v = serde_json::to_value(Policy::strict()).unwrap();
        v["minRsaBits"] = 512.into();
        let err = Policy::from_json(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(
            matches!(
                err,
                PolicyError::Invalid {
                    field: "minRsaBits",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn dotted_oids_encode_as_der() {
        assert_eq!(
            oid_to_der("1.3.6.1.5.5.7.3.36").unwrap(),
            OID_DOCUMENT_SIGNING
        );
        assert_eq!(
            oid_to_der("1.2.840.113549").unwrap(),
            [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]
        );
        assert_eq!(oid_to_der("1.x"), None);
        assert_eq!(oid_to_der("7.1"), None);
    }
}
