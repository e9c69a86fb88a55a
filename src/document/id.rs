//! The document id (edXML `DocumentId`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

use super::clip;
use super::error::DocumentError;
use crate::org::OrgId;

/// Longest document id in bytes: an edXML id is a 13-byte code, a date and a notation.
const MAX_DOCUMENT_ID_BYTES: usize = 256;

/// The unique id of a document (edXML `DocumentId`), e.g. `000.00.04.G14,2012/08/06,267/VPCP-TTĐT`.
///
/// On its own, any non-empty text of at most 256 bytes without control characters or surrounding
/// spaces parses, because ids come from many systems. In a header it must also begin with the
/// sender's code and a comma ([`DocumentId::sender`]), as the edXML form
/// `{sender},{yyyy/MM/dd},{number}/{notation}` does ([`DocumentId::edxml`]): an id is then the
/// sender's own, and no other agency can take the id a sender will use next (hubs de-duplicate
/// on sender and id).
///
/// ```
/// use edoc::DocumentId;
/// let sender = "000.00.04.G14".parse().unwrap();
/// let date = time::macros::date!(2012 - 08 - 06);
/// let id = DocumentId::edxml(&sender, date, "267", "VPCP-TTĐT").unwrap();
/// assert_eq!(id.as_str(), "000.00.04.G14,2012/08/06,267/VPCP-TTĐT");
/// assert_eq!(id.sender(), Some(sender));
/// let other: DocumentId = "267/VPCP-TTĐT".parse().unwrap();
/// assert_eq!(other.sender(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DocumentId(String);

impl DocumentId {
    /// Builds the edXML form `{sender},{yyyy/MM/dd},{number}/{notation}`.
    pub fn edxml(
        sender: &OrgId,
        date: Date,
        number: &str,
        notation: &str,
    ) -> Result<DocumentId, DocumentError> {
        format!(
            "{sender},{:04}/{:02}/{:02},{number}/{notation}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
        .parse()
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The agency whose id this is: the agency code before the first comma, as in the edXML
    /// form. `None` when the id does not begin with a code and a comma.
    pub fn sender(&self) -> Option<OrgId> {
        let (code, _) = self.0.split_once(',')?;
        code.parse().ok()
    }
}

impl FromStr for DocumentId {
    type Err = DocumentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason| DocumentError::DocumentId {
            id: clip(s),
            reason,
        };
        if s.is_empty() {
            return Err(bad("must not be empty"));
        }
        if s.len() > MAX_DOCUMENT_ID_BYTES {
            return Err(bad("is longer than 256 bytes"));
        }
        if s.chars().any(char::is_control) {
            return Err(bad("contains a control character"));
        }
        if s.trim() != s {
            return Err(bad("has leading or trailing spaces"));
        }
        Ok(DocumentId(s.to_owned()))
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DocumentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
