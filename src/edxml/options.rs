//! What a deployment tells the bridge: agency codes of other systems, extra document type
//! numbers, whether an embedded edoc package wins over the envelope.

use std::collections::BTreeMap;

use crate::org::OrgId;

/// Options of [`import_edxml`](super::import_edxml) and [`export_edxml`](super::export_edxml).
///
/// ```
/// let mut options = edoc::EdxmlOptions::default();
/// // The national hub names a SaaS tenant `vxp.saas.03`; the directory knows it as a unit.
/// options.agencies.insert("vxp.saas.03".into(), "000.00.05.H57".parse().unwrap());
/// options.type_numbers.insert("KH".into(), 5);
/// assert!(options.use_embedded);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdxmlOptions {
    /// Agency codes other systems use that are not QCVN 102:2016 codes (the national hub's
    /// `vxp.saas.03`, three-part codes like `28.22.H17`), and the code each stands for. Import
    /// reads them as that code; export writes them back for that code. A code neither valid
    /// nor listed here gets a placeholder (see docs/edxml.md) that no hub routes and no
    /// certificate names.
    pub agencies: BTreeMap<String, OrgId>,
    /// Document type codes beyond the built-in table (CV 1, BC 2, TTr 3, HS 4) and the edXML
    /// `DocumentType/Type` number to write for each (export).
    pub type_numbers: BTreeMap<String, u32>,
    /// Import: when the edXML document carries an edoc package (`package.edoc.json`), return
    /// that package, with its signatures and trace, rather than the one mapped from the
    /// envelope. Default true; false reads the envelope alone.
    pub use_embedded: bool,
}

impl Default for EdxmlOptions {
    fn default() -> Self {
        EdxmlOptions {
            agencies: BTreeMap::new(),
            type_numbers: BTreeMap::new(),
            use_embedded: true,
        }
    }
}
