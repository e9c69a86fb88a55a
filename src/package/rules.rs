//! The document rules (quy tắc ký): who may sign what, in which order, for whom.
//!
//! Every signature has passed its own checks in `verify.rs` (format, value, chain); the rules
//! judge them together against the header and the policy's [`SignerRoles`]. Each records one
//! document check in the report, in this order (the first failure decides):
//!
//! - `commitments`: the policy's commitments in order; no approval after a seal; one approval
//!   and one seal per agency; no commitment other than approval and origin unless allowed;
//! - `sealRole`: a seal is an organisation's certificate (seal policy, QC type eseal, or the
//!   directory's binding to the sender), not a person's;
//! - `approvalRole`: an approval is not a seal (by the same marks, or the directory), nor made
//!   with the key of the package's seal (and, if the policy says so, is marked as a person's);
//! - `sealOwner`: the seal belongs to the sender;
//! - `approverAgency`: the approving person belongs to the sender (or, for `TM.`/`KT.`, to a
//!   parent the policy lists);
//! - `signatory`: the header's declared signatory is the approval certificate's subject.

use unicode_normalization::UnicodeNormalization;

use super::verify::VerifiedSignature;
use crate::document::{Competence, Header};
use crate::jades::Commitment;
use crate::org::OrgId;
use crate::report::{SignatoryComparison, SubIndication, ValidationReport};
use crate::trust::{
    AgencyCertificates, ApprovalRole, ApproverAgency, OtherCommitments, Policy, RoleMode,
    SignatoryMatch, ValidatedChain,
};

/// The rules for one document.
pub(super) struct Rules<'a> {
    pub(super) policy: &'a Policy,
    pub(super) agencies: Option<&'a dyn AgencyCertificates>,
    pub(super) header: &'a Header,
}

type Outcome = Result<String, (SubIndication, String)>;

fn describe(c: Commitment) -> &'static str {
    match c {
        Commitment::ProofOfApproval => "the competent person's signature (proof of approval)",
        Commitment::ProofOfOrigin => "the agency seal (proof of origin)",
        Commitment::ProofOfReceipt => "a proof of receipt",
    }
}

/// A name as compared: Unicode NFC (Vietnamese diacritics precomposed or not), lower case,
/// runs of whitespace as one space, no leading or trailing space.
pub(crate) fn comparable_name(name: &str) -> String {
    let lower: String = name.nfc().flat_map(char::to_lowercase).collect();
    lower
        .nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Rules<'_> {
    /// Runs every rule over `verified` (the signatures that passed their own checks, in
    /// document order); `report` already holds every signature's report.
    pub(super) fn check(&self, report: &mut ValidationReport, verified: &[VerifiedSignature]) {
        let commitments = self.commitments(report, verified);
        report.document_check("commitments", commitments);
        let seals: Vec<&VerifiedSignature> = verified
            .iter()
            .filter(|s| s.commitment == Some(Commitment::ProofOfOrigin))
            .collect();
        let approvals: Vec<&VerifiedSignature> = verified
            .iter()
            .filter(|s| s.commitment == Some(Commitment::ProofOfApproval))
            .collect();
        if self.policy.signer_roles.mode == RoleMode::Required {
            for seal in &seals {
                report.document_check("sealRole", self.seal_role(&seal.chain));
            }
            for approval in &approvals {
                report.document_check("approvalRole", self.approval_role(&approval.chain, &seals));
            }
        }
        for seal in &seals {
            report.document_check("sealOwner", self.seal_owner(&seal.chain));
        }
        if self.policy.signer_roles.approver_agency != ApproverAgency::DangerNotRequired {
            for approval in &approvals {
                report.document_check("approverAgency", self.approver_agency(&approval.chain));
            }
        }
        self.signatory(report, &approvals);
    }

    fn sender_words(&self) -> String {
        self.header.sender().to_string()
    }

    /// The policy's commitments in order, no approval after a seal, one approval and one seal
    /// per agency, and no other commitment unless the policy allows it.
    fn commitments(&self, report: &ValidationReport, verified: &[VerifiedSignature]) -> Outcome {
        // Each signature was parsed once, by verify_one; its report holds the commitment
        // (None when it did not parse), so nothing is decoded twice.
        let found: Vec<Option<Commitment>> =
            report.signatures.iter().map(|s| s.commitment).collect();
        let refuse = |detail: String| Err((SubIndication::SigConstraintsFailure, detail));
        let mut last = None;
        for required in &self.policy.required_commitments {
            match found.iter().position(|c| *c == Some(*required)) {
                None => return refuse(format!("{} is missing", describe(*required))),
                Some(pos) if last.is_some_and(|l| pos < l) => {
                    return refuse(format!(
                        "{} comes before the signature it must follow",
                        describe(*required)
                    ))
                }
                Some(pos) => last = Some(pos),
            }
        }
        let seal = found
            .iter()
            .position(|c| *c == Some(Commitment::ProofOfOrigin));
        let late_approval = found
            .iter()
            .rposition(|c| *c == Some(Commitment::ProofOfApproval));
        if let (Some(s), Some(a)) = (seal, late_approval) {
            if a > s {
                return refuse("a person's approval was added after the agency seal".to_owned());
            }
        }
        if self.policy.signer_roles.other_commitments == OtherCommitments::Refuse {
            let known = |c: Commitment| {
                matches!(c, Commitment::ProofOfApproval | Commitment::ProofOfOrigin)
                    || self.policy.required_commitments.contains(&c)
            };
            for (i, (c, s)) in found.iter().zip(&report.signatures).enumerate() {
                let who = s
                    .signer
                    .as_ref()
                    .map_or_else(|| "an unidentified signer".to_owned(), ToString::to_string);
                match c {
                    Some(c) if known(*c) => {}
                    Some(c) => {
                        return refuse(format!(
                            "signature {} (by {who}) is {}, which a document does not carry \
                             under this policy",
                            i + 1,
                            describe(*c)
                        ))
                    }
                    // A signature that did not parse has failed already; one that parsed
                    // without a commitment says nothing of its role.
                    None if s.sub_indication.is_none() => {
                        return refuse(format!(
                            "signature {} (by {who}) makes no commitment (srCms): neither an \
                             approval nor a seal",
                            i + 1
                        ))
                    }
                    None => {}
                }
            }
        }
        // One approval and one seal per agency.
        for (commitment, what) in [
            (Commitment::ProofOfOrigin, "seal"),
            (Commitment::ProofOfApproval, "approval"),
        ] {
            let mut agencies: Vec<Option<OrgId>> = Vec::new();
            for s in verified.iter().filter(|s| s.commitment == Some(commitment)) {
                let agency = if commitment == Commitment::ProofOfOrigin {
                    self.seal_agency(&s.chain)
                } else {
                    s.chain.subject().org_id
                };
                if agencies.contains(&agency) {
                    let whose = agency.map_or_else(
                        || "an agency its certificate does not name".to_owned(),
                        |a| a.to_string(),
                    );
                    return refuse(format!(
                        "a second {what} for {whose}, by {}: each agency gives one approval and \
                         one seal",
                        s.chain.subject()
                    ));
                }
                agencies.push(agency);
            }
        }
        Ok(
            "the required signatures are present and in order, one approval and one seal per \
            agency"
                .to_owned(),
        )
    }

    /// The agency a seal speaks for: its organizationIdentifier, else the sender when the
    /// directory binds it to the sender.
    fn seal_agency(&self, chain: &ValidatedChain) -> Option<OrgId> {
        let sender = self.header.sender().id;
        chain.subject().org_id.or_else(|| {
            self.agencies
                .is_some_and(|d| d.may_sign_for(&sender, chain.leaf_sha256()))
                .then_some(sender)
        })
    }

    fn bound_to_sender(&self, chain: &ValidatedChain) -> bool {
        let sender = self.header.sender().id;
        self.agencies
            .is_some_and(|d| d.may_sign_for(&sender, chain.leaf_sha256()))
    }

    /// A seal must be an organisation's certificate.
    fn seal_role(&self, chain: &ValidatedChain) -> Outcome {
        let roles = &self.policy.signer_roles;
        let marks = chain.holder_marks();
        let person = marks.person_marks(roles);
        let seal = marks.seal_marks(roles).or_else(|| {
            (person.is_none() && self.bound_to_sender(chain))
                .then(|| format!("the directory binds it to {}", self.sender_words()))
        });
        let subject = chain.subject();
        let fail = |detail| Err((SubIndication::ChainConstraintsFailure, detail));
        match (seal, person) {
            (Some(seal), None) => Ok(format!(
                "the seal of {subject} is an organisation's certificate ({seal})"
            )),
            (Some(seal), Some(person)) => fail(format!(
                "the certificate of {subject} is marked both as an organisation's ({seal}) and \
                 as a natural person's ({person}): it cannot seal for {}",
                self.sender_words()
            )),
            (None, Some(person)) => fail(format!(
                "the certificate of {subject} is a natural person's ({person}): a person cannot \
                 seal for {}; the seal is the agency's own certificate",
                self.sender_words()
            )),
            (None, None) => fail(format!(
                "the certificate of {subject} is not recognised as an organisation's (no seal \
                 certificate policy, no QC type eseal, and the directory does not bind it to \
                 {}); the seal is the agency's own certificate",
                self.sender_words()
            )),
        }
    }

    /// An approval must be a person's: not a seal, not the seal's key.
    fn approval_role(&self, chain: &ValidatedChain, seals: &[&VerifiedSignature]) -> Outcome {
        let roles = &self.policy.signer_roles;
        let marks = chain.holder_marks();
        let subject = chain.subject();
        let person = marks.person_marks(roles);
        let fail = |detail| Err((SubIndication::ChainConstraintsFailure, detail));
        if let Some(seal) = marks.seal_marks(roles) {
            return fail(format!(
                "the certificate of {subject} is an organisation's ({seal}): a seal cannot \
                 approve; the competent person signs with their own certificate"
            ));
        }
        if person.is_none() {
            let bound = self
                .agencies
                .and_then(|d| d.listed_for(chain.leaf_sha256()));
            if let Some(agency) = bound {
                return fail(format!(
                    "the directory lists the certificate of {subject} as the seal of {agency}: \
                     a seal cannot approve; the competent person signs with their own \
                     certificate"
                ));
            }
        }
        if let Some(seal) = seals
            .iter()
            .find(|s| s.chain.subject_public_key_info() == chain.subject_public_key_info())
        {
            return Err((
                SubIndication::SigConstraintsFailure,
                format!(
                    "the approval of {subject} and the seal of {} are made with one key: the \
                     competent person and the agency each sign with their own",
                    seal.chain.subject()
                ),
            ));
        }
        match (roles.approval, person) {
            (_, Some(person)) => Ok(format!(
                "the approval of {subject} is a natural person's certificate ({person})"
            )),
            (ApprovalRole::MarkedPerson, None) => fail(format!(
                "the certificate of {subject} is not marked as a natural person's (no person \
                 certificate policy, no QC type esign), as the policy requires of an approval"
            )),
            (_, None) => Ok(format!(
                "the approval of {subject} is not a seal and not the seal's key"
            )),
        }
    }

    fn seal_owner(&self, chain: &ValidatedChain) -> Outcome {
        let sender = self.header.sender();
        chain
            .check_organization(&sender.id, self.policy.organization_binding, self.agencies)
            .map(|()| format!("the seal belongs to the sender, {sender}"))
            .map_err(|e| {
                (
                    SubIndication::SigConstraintsFailure,
                    format!("{e} ({})", sender.name),
                )
            })
    }

    /// The approving person belongs to the sender (or a listed parent, for TM./KT.).
    fn approver_agency(&self, chain: &ValidatedChain) -> Outcome {
        let sender = self.header.sender().id;
        let subject = chain.subject();
        let agency = subject.org_id;
        if agency == Some(sender) {
            return Ok(format!(
                "the approving person belongs to the sender, {}",
                self.sender_words()
            ));
        }
        if self.bound_to_sender(chain) {
            return Ok(format!(
                "the directory lists the approving person's certificate for the sender, {}",
                self.sender_words()
            ));
        }
        let competence = self.header.signatory().competence;
        if let ApproverAgency::SenderOrParent(parents) = &self.policy.signer_roles.approver_agency {
            let tm_kt = matches!(competence, Competence::OnBehalfOf | Competence::Deputy);
            if tm_kt
                && agency.is_some()
                && agency == sender.parent()
                && agency.is_some_and(|a| parents.contains(&a))
            {
                return Ok(format!(
                    "the approving person belongs to the parent agency {}, signing {} for the \
                     sender, {}",
                    agency.map(|a| a.to_string()).unwrap_or_default(),
                    competence.prefix(),
                    self.sender_words()
                ));
            }
        }
        let whose = agency.map_or_else(
            || "an agency the certificate does not name".to_owned(),
            |a| a.to_string(),
        );
        Err((
            SubIndication::SigConstraintsFailure,
            format!(
                "the approval of {subject} is by a person of {whose}, not of the sending agency \
                 {}",
                self.sender_words()
            ),
        ))
    }

    /// The declared signatory beside the approval certificate's subject.
    fn signatory(&self, report: &mut ValidationReport, approvals: &[&VerifiedSignature]) {
        let declared = &self.header.signatory().full_name;
        let names: Vec<String> = approvals
            .iter()
            .map(|a| {
                let subject = a.chain.subject();
                subject
                    .common_name
                    .clone()
                    .unwrap_or_else(|| subject.distinguished_name.clone())
            })
            .collect();
        let Some(first) = names.first() else {
            report.document_not_run(
                "signatory",
                format!("the header declares {declared:?}; no approval was verified to compare"),
            );
            return;
        };
        let want = comparable_name(declared);
        let matched = names.iter().find(|n| comparable_name(n) == want);
        let certificate = matched.unwrap_or(first).clone();
        report.signatory = Some(SignatoryComparison {
            declared: declared.clone(),
            certificate: certificate.clone(),
            matches: matched.is_some(),
        });
        if matched.is_some() {
            report.document_check(
                "signatory",
                Ok(format!(
                    "the declared signatory {declared:?} is the approval certificate's subject \
                     {certificate:?}"
                )),
            );
            return;
        }
        let detail = format!(
            "the header declares the signatory {declared:?}, but the approval is signed by \
             {certificate:?} (its certificate's subject)"
        );
        match self.policy.signer_roles.declared_signatory {
            SignatoryMatch::Required => report.document_check(
                "signatory",
                Err((SubIndication::SigConstraintsFailure, detail)),
            ),
            SignatoryMatch::Warn => report.document_warn("signatory", detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::comparable_name;

    #[test]
    fn names_compare_across_case_normalization_and_whitespace() {
        let nfc = "Nguyễn Văn An";
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd(nfc).collect();
        assert_ne!(nfc, nfd);
        assert_eq!(comparable_name(nfc), comparable_name(&nfd));
        assert_eq!(comparable_name(nfc), comparable_name("  NGUYỄN   văn\tAN "));
        assert_ne!(comparable_name(nfc), comparable_name("Nguyễn Văn Ân"));
        assert_ne!(comparable_name(nfc), comparable_name("Nguyen Van An"));
    }
}
