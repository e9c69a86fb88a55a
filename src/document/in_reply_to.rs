//! The document this one answers (edXML `ResponseFor`).

use serde::{Deserialize, Serialize};
use time::Date;

use super::id::DocumentId;
use super::iso_date;
use crate::org::OrgId;

/// The document this one answers (edXML `ResponseFor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InReplyTo {
    /// The agency that issued the document answered.
    pub agency: OrgId,
    /// Its number and notation (số, ký hiệu), e.g. `267/VPCP-TTĐT`.
    pub code: String,
    /// Its date of issue.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Its document id.
    pub document_id: DocumentId,
}
