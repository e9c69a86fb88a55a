//! `From` and `To`: an agency as edXML names it (code, name, address, contacts) and as the
//! header does (code and name), both ways. The rest goes to `edxml.From` and `edxml.To`.

use serde_json::{Map, Value};

use super::error::EdxmlError;
use super::fields::{write_json, Fields};
use super::options::EdxmlOptions;
use super::reading::{is_placeholder, value_error, Reading};
use super::tree::Element;
use super::writer::XmlWriter;
use crate::document::Agency;
use crate::org::OrgId;

/// The extension keeping what `From` says beyond the sender's code and name.
pub(crate) const EXT_FROM: &str = "edxml.From";
/// The extension keeping what each `To` says beyond the recipient's code and name.
pub(crate) const EXT_TO: &str = "edxml.To";

const ORG_ORDER: &[&str] = &[
    "OrganId",
    "OrganizationInCharge",
    "OrganName",
    "OrganAdd",
    "Email",
    "Telephone",
    "Fax",
    "Website",
];

const ORG_KNOWN: &[&str] = &[
    "OrganizationInCharge",
    "OrganAdd",
    "Email",
    "Telephone",
    "Fax",
    "Website",
];

/// Reads `From` or one `To`: the agency for the header and the rest for the extension.
pub(crate) fn read_org(
    el: &Element<'_>,
    path: String,
    target: &str,
    sender: bool,
    r: &mut Reading<'_>,
) -> Result<(Agency, Map<String, Value>), EdxmlError> {
    let key = if sender { EXT_FROM } else { EXT_TO };
    let mut f = Fields::new(el, path, &[])?;
    let (id_path, raw) = f.one_text("OrganId")?;
    if raw.is_empty() {
        return Err(value_error(
            id_path,
            raw,
            "is empty: an agency needs its code",
        ));
    }
    let id = r
        .agency(raw, &id_path, sender, true)
        .expect("a placeholder is always given");
    r.report.map(&id_path, format!("header.{target}.id"));
    let mut ext = Map::new();
    ext.insert("OrganId".into(), Value::String(raw.to_owned()));
    let name = match f.opt_text("OrganName")? {
        Some((p, name)) if !name.is_empty() => {
            r.report.map(p, format!("header.{target}.name"));
            name.to_owned()
        }
        other => {
            if let Some((p, _)) = other {
                r.report.map(
                    p,
                    format!("nothing: empty (header.{target}.name gets the code)"),
                );
            }
            r.report.note(format!(
                "{}: no OrganName; the header names the agency by its code {raw:?}",
                f.path()
            ));
            ext.insert("OrganName".into(), Value::Null);
            raw.to_owned()
        }
    };
    r.keep_rest(f, ORG_KNOWN, &mut ext, key)?;
    Ok((Agency::new(id, name), ext))
}

/// The agency code to write for `id`: the edXML code the document came with when the options
/// map it to `id`, or when `id` is a placeholder for a code that is not a QCVN code;
/// otherwise `id` itself, so an extension never changes who an agency is.
pub(crate) fn organ_id(id: &OrgId, raw: Option<&str>, options: &EdxmlOptions) -> String {
    match raw {
        Some(raw) if options.agencies.get(raw) == Some(id) => raw.to_owned(),
        Some(raw)
            if is_placeholder(id)
                && raw.parse::<OrgId>().is_err()
                && !options.agencies.contains_key(raw)
                && !raw.is_empty() =>
        {
            raw.to_owned()
        }
        _ => id.to_string(),
    }
}

pub(crate) fn write_org(
    w: &mut XmlWriter,
    element: &str,
    agency: &Agency,
    ext: Option<&Map<String, Value>>,
    options: &EdxmlOptions,
) {
    let raw = ext.and_then(|m| m.get("OrganId")).and_then(Value::as_str);
    let code = organ_id(&agency.id, raw, options);
    let mut map = Map::new();
    if let Some(ext) = ext {
        for (k, v) in ext {
            map.insert(k.clone(), v.clone());
        }
    }
    // The name was absent in the edXML document and the header still holds its stand-in.
    let absent =
        matches!(map.get("OrganName"), Some(Value::Null)) && raw == Some(agency.name.as_str());
    map.insert(
        "OrganName".into(),
        if absent {
            Value::Null
        } else {
            Value::String(agency.name.clone())
        },
    );
    map.insert("OrganId".into(), Value::String(code));
    write_json(w, element, &Value::Object(map), ORG_ORDER);
}
