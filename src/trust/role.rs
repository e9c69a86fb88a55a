//! Signer roles (vai trò người ký): what a certificate says about its holder, an organisation
//! (whose certificate is its seal) or a natural person, and how a [`SignerRoles`] policy reads
//! that.
//!
//! A certificate says it in two standard places: its certificate policies (RFC 5280 §4.2.1.4;
//! ETSI EN 319 411-2 has policies for legal and for natural persons) and the ETSI QC type in
//! its QCStatements extension (EN 319 412-5 §4.2.3: `id-etsi-qct-eseal` for a seal,
//! `id-etsi-qct-esign` for a person's signature). Both are read once, when the chain is
//! validated, with x509-parser (certificate policies) and asn1-rs (QCStatements, which
//! x509-parser does not parse).

use serde::Serialize;
use x509_parser::asn1_rs::{Any, FromDer, Oid, Sequence};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;

use super::policy::SignerRoles;

/// id-pe-qcStatements, 1.3.6.1.5.5.7.1.3 (RFC 3739).
const QC_STATEMENTS: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 3];
/// id-etsi-qcs-QcType, 0.4.0.1862.1.6 (EN 319 412-5 §4.2.3).
const QCS_QC_TYPE: &[u64] = &[0, 4, 0, 1862, 1, 6];

/// `id-etsi-qct-esign`: a natural person's electronic signature.
const QCT_ESIGN: &str = "0.4.0.1862.1.6.1";
/// `id-etsi-qct-eseal`: a legal person's electronic seal.
const QCT_ESEAL: &str = "0.4.0.1862.1.6.2";

/// What a certificate says about its holder, read when its chain is validated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HolderMarks {
    /// The certificate policy OIDs (certificatePolicies), dotted, in certificate order.
    pub policies: Vec<String>,
    /// The ETSI QC types of its QCStatements, dotted: `0.4.0.1862.1.6.1` (esign, a natural
    /// person's signature), `0.4.0.1862.1.6.2` (eseal, an organisation's seal), ...
    pub qc_types: Vec<String>,
}

impl HolderMarks {
    /// Reads the certificate policies and the QC types of `cert`. A QCStatements extension
    /// that is not well-formed DER is an error: a certificate must not be read as anything
    /// when what it says about itself cannot be read.
    pub(crate) fn read(cert: &X509Certificate<'_>) -> Result<HolderMarks, String> {
        let mut marks = HolderMarks::default();
        let qc_statements = Oid::from(QC_STATEMENTS).map_err(|e| format!("{e:?}"))?;
        for ext in cert.extensions() {
            if let ParsedExtension::CertificatePolicies(policies) = ext.parsed_extension() {
                marks
                    .policies
                    .extend(policies.iter().map(|p| p.policy_id.to_id_string()));
            } else if ext.oid == qc_statements {
                marks.qc_types = qc_types(ext.value)
                    .map_err(|e| format!("the QCStatements extension is malformed: {e}"))?;
            }
        }
        Ok(marks)
    }

    /// The policies or QC types that mark the holder as an organisation under `roles`, in
    /// words; `None` when nothing does.
    pub(crate) fn seal_marks(&self, roles: &SignerRoles) -> Option<String> {
        self.marked(&roles.seal_policies, QCT_ESEAL, "eseal")
    }

    /// The policies or QC types that mark the holder as a natural person under `roles`, in
    /// words; `None` when nothing does.
    pub(crate) fn person_marks(&self, roles: &SignerRoles) -> Option<String> {
        self.marked(&roles.person_policies, QCT_ESIGN, "esign")
    }

    fn marked(&self, policies: &[String], qc_type: &str, qc_word: &str) -> Option<String> {
        let mut found: Vec<String> = self
            .policies
            .iter()
            .filter(|p| policies.contains(p))
            .map(|p| format!("certificate policy {p}"))
            .collect();
        if self.qc_types.iter().any(|t| t == qc_type) {
            found.push(format!("QC type {qc_word} ({qc_type})"));
        }
        (!found.is_empty()).then(|| found.join(", "))
    }
}

/// The QC types in a QCStatements extension value:
/// `QCStatements ::= SEQUENCE OF SEQUENCE { statementId OID, statementInfo ANY OPTIONAL }`,
/// and for `id-etsi-qcs-QcType` the info is `SEQUENCE OF OBJECT IDENTIFIER`.
fn qc_types(value: &[u8]) -> Result<Vec<String>, String> {
    let qc_type = Oid::from(QCS_QC_TYPE).map_err(|e| format!("{e:?}"))?;
    let (rest, statements) = <Vec<Any<'_>>>::from_der(value).map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err("trailing bytes".into());
    }
    let mut types = Vec::new();
    for statement in statements {
        let statement = Sequence::try_from(statement).map_err(|e| e.to_string())?;
        let content: &[u8] = &statement.content;
        let (info, id) = Oid::from_der(content).map_err(|e| e.to_string())?;
        if id != qc_type {
            continue;
        }
        let (rest, oids) = <Vec<Oid<'_>>>::from_der(info).map_err(|e| e.to_string())?;
        if !rest.is_empty() {
            return Err("trailing bytes after the QC types".into());
        }
        types.extend(oids.iter().map(Oid::to_id_string));
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use x509_parser::asn1_rs::{Oid, Sequence, ToDer};

    use super::qc_types;

    fn oid(arcs: &[u64]) -> Oid<'static> {
        Oid::from(arcs).unwrap()
    }

    /// `SEQUENCE { statementId, info }` for each (id, info DER) given, in a SEQUENCE OF.
    fn statements(list: &[(&[u64], Vec<u8>)]) -> Vec<u8> {
        let seqs: Vec<Sequence<'static>> = list
            .iter()
            .map(|(id, info)| {
                let mut content = oid(id).to_der_vec().unwrap();
                content.extend(info);
                Sequence::new(content.into())
            })
            .collect();
        seqs.to_der_vec().unwrap()
    }

    #[test]
    fn qc_types_are_read_and_other_statements_are_skipped() {
        let types = vec![oid(&[0, 4, 0, 1862, 1, 6, 2])].to_der_vec().unwrap();
        let der = statements(&[
            // QcCompliance (no info), then the QC type eseal.
            (&[0, 4, 0, 1862, 1, 1], Vec::new()),
            (&[0, 4, 0, 1862, 1, 6], types),
        ]);
        assert_eq!(qc_types(&der).unwrap(), ["0.4.0.1862.1.6.2"]);
        assert_eq!(qc_types(&statements(&[])).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn malformed_qc_statements_are_errors_never_no_marks() {
        let types = vec![oid(&[0, 4, 0, 1862, 1, 6, 1])].to_der_vec().unwrap();
        let good = statements(&[(&[0, 4, 0, 1862, 1, 6], types.clone())]);
        // Every truncation, and trailing bytes after the extension or after the QC types.
        for n in 0..good.len() {
            assert!(qc_types(&good[..n]).is_err(), "truncated to {n}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(qc_types(&trailing).is_err());
        let mut types_trailing = types;
        types_trailing.extend([5, 0]);
        assert!(qc_types(&statements(&[(&[0, 4, 0, 1862, 1, 6], types_trailing)])).is_err());
        // A QC type statement whose info is not a list of OIDs.
        let not_oids = vec![Sequence::new(vec![5, 0].into())].to_der_vec().unwrap();
        assert!(qc_types(&statements(&[(&[0, 4, 0, 1862, 1, 6], not_oids)])).is_err());
    }
}
