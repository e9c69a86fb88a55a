//! The signer's competence (thẩm quyền ký): TM., KT., TL., TUQ., Q.

use serde::{Deserialize, Serialize};

/// The signer's competence (thẩm quyền ký), the prefix written before the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Competence {
    /// Signs as the head, in their own name (no prefix).
    None,
    /// `TM.` (thay mặt): on behalf of a collective body.
    OnBehalfOf,
    /// `KT.` (ký thay): a deputy signing for the head.
    Deputy,
    /// `TL.` (thừa lệnh): by order.
    ByOrder,
    /// `TUQ.` (thừa ủy quyền): by written, time-limited authorization that cannot be passed on.
    ByAuthorization,
    /// `Q.` (quyền): acting.
    Acting,
}

impl Competence {
    /// The prefix as written on the document: `TM.`, `KT.`, `TL.`, `TUQ.`, `Q.` or empty.
    pub fn prefix(self) -> &'static str {
        match self {
            Competence::None => "",
            Competence::OnBehalfOf => "TM.",
            Competence::Deputy => "KT.",
            Competence::ByOrder => "TL.",
            Competence::ByAuthorization => "TUQ.",
            Competence::Acting => "Q.",
        }
    }
}
