//! Status messages both ways: the edXML status (`MessageHeader` or `Status` holding From,
//! ResponseFor, StaffInfo, StatusCode, Description, Timestamp) and edoc's [`StatusMessage`].
//!
//! | edXML | StatusMessage |
//! |---|---|
//! | `From/OrganId` | `from` |
//! | `ResponseFor/OrganId` | `to` (the agency the status answers) |
//! | `ResponseFor/DocumentId` | `document_id` |
//! | `StatusCode` | `code` |
//! | `Description` | `description` |
//! | `Timestamp` (Vietnam time) | `time` |
//! | `StaffInfo/Staff` | `staff.name` |
//! | `StaffInfo/Department` | `staff.position` (edXML has no position) |
//!
//! Everything else (the answering agency's name and address, `ResponseFor/Code` and
//! `PromulgationDate` when they are not the ones the document id holds, the staff member's
//! e-mail and phone) is kept in [`ImportedStatus::details`], by path, and written back.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::Value;

use super::dates::{parse_date, parse_vietnam_time, vietnam_time};
use super::error::{clip, EdxmlError};
use super::export::{
    envelope_close, envelope_open, OutAttachment, STATUS_JWS_MEDIA_TYPE, STATUS_JWS_NAME,
};
use super::fields::{text_of, Fields};
use super::import::ImportedAttachment;
use super::options::EdxmlOptions;
use super::reading::Reading;
use super::report::ImportReport;
use super::tree::Element;
use super::writer::XmlWriter;
use crate::org::OrgId;
use crate::status::{Staff, StatusCode, StatusMessage};

/// A status message read from edXML.
#[derive(Debug)]
pub struct ImportedStatus {
    message: StatusMessage,
    signed: Option<String>,
    details: BTreeMap<String, String>,
    report: ImportReport,
}

impl ImportedStatus {
    /// The status message. When the edXML document carried edoc's signed status
    /// (`status.edoc.jws`), this is its body (**unverified** until
    /// [`StatusMessage::verify_signed`] checks [`signed`](Self::signed)).
    pub fn message(&self) -> &StatusMessage {
        &self.message
    }

    /// edoc's signed status (a compact JWS) the document carried, if any.
    pub fn signed(&self) -> Option<&str> {
        self.signed.as_deref()
    }

    /// The edXML fields a [`StatusMessage`] has no place for, by path under the message
    /// header (`From/OrganName`, `StaffInfo/Email`, ...); [`export_edxml_status`] writes them
    /// back.
    pub fn details(&self) -> &BTreeMap<String, String> {
        &self.details
    }

    /// Every field and where it went.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }
}

const FROM_ORDER: &[&str] = &[
    "OrganId",
    "OrganizationInCharge",
    "OrganName",
    "OrganAdd",
    "Email",
    "Telephone",
    "Fax",
    "Website",
];

/// The `Code` and `PromulgationDate` an edXML document id `{agency},{yyyy/MM/dd},{code}` holds.
fn derived(document_id: &str) -> Option<(&str, &str)> {
    let mut parts = document_id.splitn(3, ',');
    let (_, date, code) = (parts.next()?, parts.next()?, parts.next()?);
    (!code.is_empty() && parse_date(date).is_some()).then_some((code, date))
}

fn value_error(path: String, value: &str, reason: &str) -> EdxmlError {
    EdxmlError::Value {
        path,
        value: clip(value),
        reason: reason.to_owned(),
    }
}

/// Reads the status header `el` (at `path`): the message and the details it has no place for.
pub(crate) fn read(
    el: &Element<'_>,
    path: String,
    r: &mut Reading<'_>,
) -> Result<(StatusMessage, BTreeMap<String, String>), EdxmlError> {
    let mut details = BTreeMap::new();
    let mut f = Fields::new(el, path.clone(), &[])?;

    let agency = |r: &mut Reading<'_>, p: &str, raw: &str| -> Result<OrgId, EdxmlError> {
        if let Some(id) = r.options.agencies.get(raw) {
            return Ok(*id);
        }
        raw.parse().map_err(|_| {
            value_error(
                p.to_owned(),
                raw,
                "is not a QCVN 102:2016 agency code; map it with EdxmlOptions::agencies \
                 (edoc edxml import --agency CODE=DDD.CC.BB.Xnn)",
            )
        })
    };

    let from_el = f.one(&["From"])?;
    let mut ff = Fields::new(from_el, f.path_of(from_el), &[])?;
    let (p, raw_from) = ff.one_text("OrganId")?;
    let from = agency(r, &p, raw_from)?;
    r.report.map(p, "status from");
    if raw_from != from.to_string() {
        details.insert("From/OrganId".to_owned(), raw_from.to_owned());
    }
    leaves_to_details(ff, "From", &mut details, r)?;

    let reply = f.one(&["ResponseFor"])?;
    let mut rf = Fields::new(reply, f.path_of(reply), &[])?;
    let (p, raw_to) = rf.one_text("OrganId")?;
    let to = agency(r, &p, raw_to)?;
    r.report.map(p, "status to");
    if raw_to != to.to_string() {
        details.insert("ResponseFor/OrganId".to_owned(), raw_to.to_owned());
    }
    let (p, document_id) = rf.one_text("DocumentId")?;
    r.report.map(p, "status documentId");
    let derived = derived(document_id);
    for (name, from_id) in [
        ("Code", derived.map(|d| d.0)),
        ("PromulgationDate", derived.map(|d| d.1)),
    ] {
        if let Some((p, text)) = rf.opt_text(name)? {
            if Some(text) == from_id {
                r.report.map(
                    p,
                    "nothing: the document id holds it (written again on export)",
                );
            } else {
                r.report
                    .map(p, format!("status details ResponseFor/{name}"));
                details.insert(format!("ResponseFor/{name}"), text.to_owned());
            }
        }
    }
    leaves_to_details(rf, "ResponseFor", &mut details, r)?;

    let staff_el = f.one(&["StaffInfo"])?;
    let mut sf = Fields::new(staff_el, f.path_of(staff_el), &[])?;
    let (p, staff_name) = sf.one_text("Staff")?;
    r.report.map(p, "status staff.name");
    let position = match sf.opt_text("Department")? {
        Some((p, d)) => {
            r.report
                .map(p, "status staff.position (edXML has no position)");
            d.to_owned()
        }
        None => String::new(),
    };
    leaves_to_details(sf, "StaffInfo", &mut details, r)?;

    let (p, code_text) = f.one_text("StatusCode")?;
    let code = StatusCode::from_code(code_text).ok_or_else(|| {
        value_error(
            p.clone(),
            code_text,
            "is not a status code (01-06, 13, 15, 16)",
        )
    })?;
    r.report.map(p, "status code");
    let description = match f.opt_text("Description")? {
        Some((p, d)) => {
            r.report.map(p, "status description");
            d.to_owned()
        }
        None => String::new(),
    };
    let (p, stamp) = f.one_text("Timestamp")?;
    let time = parse_vietnam_time(stamp)
        .ok_or_else(|| value_error(p.clone(), stamp, "is not a time like 2018/09/28 17:25:11"))?;
    r.report.map(p, "status time (Vietnam time, UTC+07:00)");
    leaves_to_details(f, "", &mut details, r)?;

    let message = StatusMessage {
        from,
        to,
        document_id: document_id.to_owned(),
        code,
        description,
        time,
        staff: Staff {
            name: staff_name.to_owned(),
            position,
        },
    };
    message
        .check()
        .map_err(|source| EdxmlError::Status { path, source })?;
    Ok((message, details))
}

/// The imported status: the message, or the signed one the document carries among its
/// `attachments`.
pub(crate) fn finish(
    message: StatusMessage,
    details: BTreeMap<String, String>,
    attachments: Vec<ImportedAttachment>,
    r: &mut Reading<'_>,
) -> Result<ImportedStatus, EdxmlError> {
    let mut signed = None;
    let mut message = message;
    for a in attachments {
        if !a.is_signed_status() || !r.options.use_embedded {
            r.report.note(format!(
                "{}: attachment {:?} on a status message; not imported",
                a.path, a.name
            ));
            continue;
        }
        let jws = String::from_utf8(a.decoded.content).map_err(|_| EdxmlError::Attachment {
            path: a.path.clone(),
            reason: format!("{STATUS_JWS_NAME} is not text"),
        })?;
        let body = jws
            .trim()
            .split('.')
            .nth(1)
            .and_then(|p| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .ok_or_else(|| EdxmlError::Attachment {
                path: a.path.clone(),
                reason: format!("{STATUS_JWS_NAME} is not a compact JWS"),
            })?;
        let inner = StatusMessage::from_json(&body).map_err(|source| EdxmlError::Status {
            path: a.path.clone(),
            source,
        })?;
        if inner != message {
            r.report.note(format!(
                "{}: the signed status differs from the envelope; the signed one is used",
                a.path
            ));
        }
        r.report
            .map(a.path.clone(), "the signed status (edoc's JWS)");
        r.report.note(format!(
            "{}: edoc's signed status travels inside; verify it before acting on it",
            a.path
        ));
        message = inner;
        signed = Some(jws.trim().to_owned());
    }
    Ok(ImportedStatus {
        message,
        signed,
        details,
        report: std::mem::take(&mut r.report),
    })
}

/// Keeps the remaining children, which must be fields of text, as details by path.
fn leaves_to_details(
    fields: Fields<'_, '_>,
    prefix: &str,
    details: &mut BTreeMap<String, String>,
    r: &mut Reading<'_>,
) -> Result<(), EdxmlError> {
    let (parent, rest) = fields.rest();
    for el in rest {
        let path = format!("{parent}/{}", el.segment());
        let text = text_of(el, &path)?;
        let key = if prefix.is_empty() {
            el.name.clone()
        } else {
            format!("{prefix}/{}", el.name)
        };
        if details.contains_key(&key) {
            return Err(EdxmlError::Structure {
                path,
                reason: format!("{} appears more than once", el.name),
            });
        }
        let known = matches!(
            key.as_str(),
            "From/OrganName"
                | "From/OrganizationInCharge"
                | "From/OrganAdd"
                | "From/Email"
                | "From/Telephone"
                | "From/Fax"
                | "From/Website"
                | "StaffInfo/Email"
                | "StaffInfo/Mobile"
        );
        if known {
            r.report.map(path, format!("status details {key}"));
        } else {
            r.report.keep_unknown(path, format!("status details {key}"));
        }
        details.insert(key, text.to_owned());
    }
    Ok(())
}

/// Writes a status message as an edXML status, in the VPCP SDK's form (`MessageHeader` with
/// From, ResponseFor, StaffInfo, StatusCode, Description, Timestamp). `details` are the edXML
/// fields a [`StatusMessage`] has no place for, as [`ImportedStatus::details`] gives them.
/// With `signed` (edoc's compact JWS of this status), the JWS travels inside as the
/// attachment `status.edoc.jws`, so a receiving edoc can verify it after the edXML hop.
///
/// ```
/// use edoc::{export_edxml_status, import_edxml, EdxmlImport, EdxmlLimits, EdxmlOptions, Staff, StatusCode, StatusMessage};
/// let message = StatusMessage {
///     from: "000.00.05.H57".parse().unwrap(),
///     to: "000.00.45.H57".parse().unwrap(),
///     document_id: "000.00.45.H57,2025/07/01,12/UBND-VP".into(),
///     code: StatusCode::Accepted,
///     description: "Đã tiếp nhận".into(),
///     time: time::macros::datetime!(2025-07-01 09:00 +07:00),
///     staff: Staff { name: "Nguyễn Văn A".into(), position: "Văn thư".into() },
/// };
/// let xml = export_edxml_status(&message, None, &Default::default(), &EdxmlOptions::default())?;
/// let EdxmlImport::Status(back) = import_edxml(&xml, &EdxmlLimits::default(), &EdxmlOptions::default())? else {
///     panic!("a status");
/// };
/// assert_eq!(back.message(), &message);
/// # Ok::<(), edoc::EdxmlError>(())
/// ```
pub fn export_edxml_status(
    message: &StatusMessage,
    signed: Option<&str>,
    details: &BTreeMap<String, String>,
    options: &EdxmlOptions,
) -> Result<Vec<u8>, EdxmlError> {
    message.check().map_err(|source| EdxmlError::Status {
        path: "status".into(),
        source,
    })?;
    let code_for = |id: &OrgId, key: &str| -> String {
        match details.get(key) {
            Some(raw) if options.agencies.get(raw) == Some(id) => raw.clone(),
            _ => id.to_string(),
        }
    };
    let group = |prefix: &str| -> serde_json::Map<String, Value> {
        details
            .iter()
            .filter_map(|(k, v)| {
                let rest = k.strip_prefix(prefix)?.strip_prefix('/')?;
                Some((rest.to_owned(), Value::String(v.clone())))
            })
            .collect()
    };
    let mut w = XmlWriter::new();
    envelope_open(&mut w);
    w.open("MessageHeader", &[]);
    let mut from = group("From");
    from.insert(
        "OrganId".into(),
        code_for(&message.from, "From/OrganId").into(),
    );
    super::fields::write_json(&mut w, "From", &Value::Object(from), FROM_ORDER);
    let mut reply = group("ResponseFor");
    reply.insert(
        "OrganId".into(),
        code_for(&message.to, "ResponseFor/OrganId").into(),
    );
    if let Some((code, date)) = derived(&message.document_id) {
        reply.entry("Code").or_insert_with(|| code.into());
        reply
            .entry("PromulgationDate")
            .or_insert_with(|| date.into());
    }
    reply.insert("DocumentId".into(), message.document_id.clone().into());
    super::fields::write_json(
        &mut w,
        "ResponseFor",
        &Value::Object(reply),
        &["OrganId", "Code", "DocumentId", "PromulgationDate"],
    );
    let mut staff = group("StaffInfo");
    if !message.staff.position.is_empty() {
        staff.insert("Department".into(), message.staff.position.clone().into());
    }
    staff.insert("Staff".into(), message.staff.name.clone().into());
    super::fields::write_json(
        &mut w,
        "StaffInfo",
        &Value::Object(staff),
        &["Department", "Staff", "Email", "Mobile"],
    );
    w.leaf("StatusCode", message.code.code());
    w.leaf("Description", &message.description);
    w.leaf("Timestamp", &vietnam_time(message.time));
    for (k, v) in details.iter().filter(|(k, _)| !k.contains('/')) {
        w.leaf(k, v);
    }
    w.close("MessageHeader");
    let attachments: Vec<OutAttachment<'_>> = signed
        .map(|jws| OutAttachment {
            name: STATUS_JWS_NAME,
            media_type: STATUS_JWS_MEDIA_TYPE,
            description: None,
            content: jws.as_bytes(),
        })
        .into_iter()
        .collect();
    envelope_close(&mut w, &attachments)?;
    w.finish()
}
