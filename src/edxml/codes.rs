//! The code tables between edXML and edoc: urgency (`Priority`), document type, competence,
//! business action, steering type. docs/edxml.md shows them with their sources.

use crate::document::{Competence, Urgency};

/// edXML document type numbers (`DocumentType/Type`) and edoc's document type codes
/// (Decree 30/2020 abbreviations), with the type's name.
///
/// The numbers are those of the Bkav edoc service's `edoc_document_type` table
/// (QuangChuIT/edoc-integrator), the only public table found; the samples agree for 1 and 2.
/// Numbers not in the table are kept as the code, digits and all, so nothing is lost.
pub(crate) const DOCUMENT_TYPES: &[(u32, &str, &str)] = &[
    (1, "CV", "Công văn"),
    (2, "BC", "Báo cáo"),
    (3, "TTr", "Tờ trình"),
    (4, "HS", "Hồ sơ"),
];

/// The edoc document type code for an edXML `Type`: from the table, else the text itself.
pub(crate) fn type_code(edxml_type: &str) -> String {
    DOCUMENT_TYPES
        .iter()
        .find(|(n, _, _)| n.to_string() == edxml_type)
        .map_or_else(|| edxml_type.to_owned(), |(_, code, _)| (*code).to_owned())
}

/// The edXML `Type` number for an edoc document type code: all digits are kept as they are,
/// table codes translated, and `extra` (the exporter's own table) consulted last.
pub(crate) fn type_number(
    code: &str,
    extra: &std::collections::BTreeMap<String, u32>,
) -> Option<String> {
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        return Some(code.to_owned());
    }
    DOCUMENT_TYPES
        .iter()
        .find(|(_, c, _)| *c == code)
        .map(|(n, _, _)| n.to_string())
        .or_else(|| extra.get(code).map(u32::to_string))
}

/// Urgency for an edXML `Priority` code: 0 normal, 1 urgent (khẩn), 2 very urgent (thượng
/// khẩn), 3 express (hỏa tốc), 4 express at a set time (hỏa tốc hẹn giờ). edXML carries no
/// set time, so 4 is read as express and the 4 kept (see the extension `edxml.OtherInfo`).
pub(crate) fn urgency(priority: &str) -> Option<Urgency> {
    match priority {
        "0" => Some(Urgency::Normal),
        "1" => Some(Urgency::Urgent),
        "2" => Some(Urgency::VeryUrgent),
        "3" | "4" => Some(Urgency::Express),
        _ => None,
    }
}

/// The signer's competence from `SignerInfo/Competence`, e.g. `TL. BO TRUONG`: the prefix
/// (`TM.`, `KT.`, `TL.`, `TUQ.`, `Q.`, any case) before a space or the end; otherwise none.
pub(crate) fn competence(text: &str) -> Competence {
    let upper = text.trim().to_uppercase();
    for (prefix, c) in [
        ("TUQ.", Competence::ByAuthorization),
        ("TM.", Competence::OnBehalfOf),
        ("KT.", Competence::Deputy),
        ("TL.", Competence::ByOrder),
        ("Q.", Competence::Acting),
    ] {
        if let Some(rest) = upper.strip_prefix(prefix) {
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                return c;
            }
        }
    }
    Competence::None
}

/// The reason text the VPCP SDK samples write for each business action code
/// (`Bussiness/BussinessDocReason`).
pub(crate) fn business_reason(code: u8) -> &'static str {
    match code {
        1 => "Thu hồi văn bản điện tử",
        2 => "Cập nhật văn bản điện tử",
        3 => "Văn bản thay thế",
        _ => "Văn bản điện tử mới",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_types_translate_both_ways_and_unknown_numbers_are_kept() {
        for (n, code, _) in DOCUMENT_TYPES {
            assert_eq!(type_code(&n.to_string()), *code);
            assert_eq!(type_number(code, &Default::default()), Some(n.to_string()));
        }
        assert_eq!(type_code("71"), "71");
        assert_eq!(
            type_number("71", &Default::default()).as_deref(),
            Some("71")
        );
        assert_eq!(type_number("KH", &Default::default()), None);
        let extra = [("KH".to_owned(), 9)].into_iter().collect();
        assert_eq!(type_number("KH", &extra).as_deref(), Some("9"));
    }

    #[test]
    fn competence_is_read_from_its_prefix_only() {
        assert_eq!(competence("TL. BO TRUONG"), Competence::ByOrder);
        assert_eq!(competence("tuq. giám đốc"), Competence::ByAuthorization);
        assert_eq!(competence("Q."), Competence::Acting);
        assert_eq!(competence("QUAN"), Competence::None);
        assert_eq!(competence("BO TRUONG"), Competence::None);
    }

    #[test]
    fn priority_codes_are_urgencies_and_others_are_refused() {
        assert_eq!(urgency("0"), Some(Urgency::Normal));
        assert_eq!(urgency("4"), Some(Urgency::Express));
        assert_eq!(urgency("5"), None);
        assert_eq!(urgency(" 1"), None);
    }
}
