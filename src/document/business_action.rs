//! The business action: new, or revoke, update or replace an earlier document.

use super::id::DocumentId;

/// The business action (edXML trace `BusinessDocType`): what this document does to an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusinessAction {
    /// Code 0: a new document.
    New,
    /// Code 1: revokes (recalls, thu hồi) the target document.
    Revoke(DocumentId),
    /// Code 2: updates the target document.
    Update(DocumentId),
    /// Code 3: replaces the target document.
    Replace(DocumentId),
}

impl BusinessAction {
    /// The edXML code 0 to 3.
    pub fn code(&self) -> u8 {
        match self {
            BusinessAction::New => 0,
            BusinessAction::Revoke(_) => 1,
            BusinessAction::Update(_) => 2,
            BusinessAction::Replace(_) => 3,
        }
    }

    /// The document concerned, for revoke, update and replace.
    pub fn target(&self) -> Option<&DocumentId> {
        match self {
            BusinessAction::New => None,
            BusinessAction::Revoke(t) | BusinessAction::Update(t) | BusinessAction::Replace(t) => {
                Some(t)
            }
        }
    }
}
