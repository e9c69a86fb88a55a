//! The first cause of a failure, in words, and what to do when the cause is an input that was
//! not given (a CRL, an intermediate, the directory, the hubs file).
//!
//! The report's own sub-indication prefers the document-level verdict ("the approval is
//! missing"); when a signature was refused, that verdict is a consequence, and a clerk needs the
//! signature's reason (a malformed certificate, a changed digest) first.

use edoc::{CheckStatus, SubIndication, ValidationReport};

use crate::inputs::Given;
use crate::words;

/// The checks that run before any signature: their failure is the first cause.
const EARLY_CHECKS: [&str; 2] = ["format", "attachments"];

/// The first cause of a report that did not pass: its sub-indication and its words.
pub(crate) fn first_cause(
    report: &ValidationReport,
    given: Given,
) -> (Option<SubIndication>, String) {
    let failed = |c: &&edoc::Check| c.status == CheckStatus::Failed;
    if let Some(c) = report
        .checks
        .iter()
        .filter(failed)
        .find(|c| EARLY_CHECKS.contains(&c.name.as_str()))
    {
        return (report.document_sub_indication, c.detail.clone());
    }
    for s in &report.signatures {
        if let Some(c) = s.checks.iter().find(failed) {
            let who = s
                .signer
                .as_ref()
                .map_or_else(|| "an unidentified signer".to_owned(), |n| n.to_string());
            let mut text = format!(
                "the {} of {who}: {}",
                words::role_noun(s.commitment),
                c.detail
            );
            if let Some(hint) = hint(&c.name, s.sub_indication, given) {
                text.push_str("; ");
                text.push_str(hint);
            }
            return (s.sub_indication, text);
        }
    }
    if let Some(c) = report.checks.iter().find(failed) {
        let mut text = c.detail.clone();
        if let Some(hint) = hint(&c.name, report.document_sub_indication, given) {
            text.push_str("; ");
            text.push_str(hint);
        }
        return (report.document_sub_indication, text);
    }
    if report.signatures.is_empty() {
        return (None, "the document carries no signature".to_owned());
    }
    (report.sub_indication(), report.indication().to_string())
}

/// What to do when a check failed for want of an input, given what was passed.
pub(crate) fn hint(check: &str, sub: Option<SubIndication>, given: Given) -> Option<&'static str> {
    match (check, sub) {
        ("certificateChain", Some(SubIndication::TryLater)) if !given.crl => Some(
            "no CRL was given: pass the current CRL of every CA of the chain (the root's too) \
             with --crl",
        ),
        ("certificateChain", Some(SubIndication::TryLater)) => Some(
            "the CRLs given do not cover this chain or are past their next update: pass current \
             CRLs with --crl",
        ),
        ("certificateChain", Some(SubIndication::NoCertificateChainFound))
            if !given.intermediates =>
        {
            Some(
                "if the signer's CA is an intermediate, pass it with --intermediates; otherwise \
                 its root is not among the --trust anchors",
            )
        }
        ("sealOwner", _) if !given.directory => Some(
            "if the directory binds this seal to the sender, pass the directory with --directory",
        ),
        _ => None,
    }
}
