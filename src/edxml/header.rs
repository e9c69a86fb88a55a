//! The edXML `MessageHeader` of a document and edoc's [`Header`], both ways. Each field goes
//! to its header field when it fits one; everything else goes whole to an `edxml.*` extension
//! named after its element (docs/edxml.md lists them), from which export writes it back, so
//! import → export → import gives the same header. `From` and `To` are `agency.rs`,
//! `TraceHeaderList` (and the business action) `trace.rs`.

use serde_json::{Map, Value};

use super::agency::{organ_id, read_org, write_org, EXT_FROM, EXT_TO};
use super::codes;
use super::dates::{format_date, parse_date};
use super::error::EdxmlError;
use super::fields::{leaves, ordered, to_json, write_json, Fields};
use super::options::EdxmlOptions;
use super::reading::{value_error, Reading};
use super::trace::read_trace;
use super::tree::Element;
use super::writer::XmlWriter;
use crate::document::{
    BusinessAction, DocumentError, DocumentId, Header, HeaderBuilder, InReplyTo, Urgency,
};
use crate::org::OrgId;

/// The extensions keeping what the header has no field for, named after their elements.
const EXT_CODE: &str = "edxml.Code";
const EXT_PROMULGATION: &str = "edxml.PromulgationInfo";
const EXT_DOCUMENT_TYPE: &str = "edxml.DocumentType";
const EXT_SIGNER: &str = "edxml.SignerInfo";
const EXT_DUE: &str = "edxml.DueDate";
const EXT_OTHER: &str = "edxml.OtherInfo";
const EXT_RESPONSE: &str = "edxml.ResponseFor";
const EXT_STEERING: &str = "edxml.SteeringType";
const EXT_PLACES: &str = "edxml.ToPlaces";
const EXT_MESSAGE: &str = "edxml.MessageHeader";
/// The edXML ids that did not begin with the sender's code (a UUID, say): `id` for
/// `DocumentId`, `target` for the document an action concerns.
const EXT_IDS: &str = "edxml.DocumentId";

/// An edXML document id as edoc's header takes it, and whether it had to change: edoc's ids
/// are the sender's own (`{sender},…`, so no agency can take or act on another's ids); an id
/// from a system that uses other ids (the VPCP SDK writes UUIDs) gets the sender's code and a
/// comma in front, and export writes the original back.
fn own_id(sender: &OrgId, id: &str) -> Result<(DocumentId, bool), DocumentError> {
    let parsed: DocumentId = id.parse()?;
    if parsed.sender() == Some(*sender) {
        return Ok((parsed, false));
    }
    Ok((format!("{sender},{id}").parse()?, true))
}

/// The edXML form of one of the header's ids: the original when import changed it.
pub(crate) fn edxml_id(header: &Header, which: &str, id: &DocumentId) -> String {
    let original = header
        .extensions()
        .get(EXT_IDS)
        .and_then(|v| v.get(which))
        .and_then(Value::as_str);
    match original {
        Some(o)
            if id
                .as_str()
                .strip_prefix(&format!("{},", header.sender().id))
                == Some(o) =>
        {
            o.to_owned()
        }
        _ => id.as_str().to_owned(),
    }
}

/// What the header holds for a field the edXML document lacks but the header requires (the
/// signer's position); export leaves the field out again.
pub(crate) const NOT_STATED: &str = "(không ghi)";

const OTHER_ORDER: &[&str] = &[
    "Priority",
    "SphereOfPromulgation",
    "TyperNotation",
    "PromulgationAmount",
    "PageAmount",
    "Direction",
    "Appendixes",
    "ReplyFors",
    "ReferenceCodes",
];

const RESPONSE_ORDER: &[&str] = &["OrganId", "Code", "DocumentId", "PromulgationDate"];

/// Maps `MessageHeader` (and `TraceHeaderList`, for the business action) to a header builder;
/// the caller adds the attachments and builds it.
pub(crate) fn read(
    message: &Element<'_>,
    message_path: String,
    trace: Option<(&Element<'_>, String)>,
    r: &mut Reading<'_>,
) -> Result<HeaderBuilder, EdxmlError> {
    let mut b = HeaderBuilder::new();
    let mut f = Fields::new(message, message_path.clone(), &[])?;

    let from = f.one(&["From"])?;
    let (sender, from_ext) = read_org(from, f.path_of(from), "sender", true, r)?;
    let sender_id = sender.id;
    let mut foreign_ids = Map::new();
    r.put(EXT_FROM, from_ext);
    b = b.sender(sender);

    let tos = f.all(&["To"]);
    if tos.is_empty() {
        return Err(EdxmlError::Structure {
            path: f.path().to_owned(),
            reason: "the required element To is missing: a document needs a recipient".into(),
        });
    }
    let mut to_ext = Vec::new();
    for (i, to) in tos.into_iter().enumerate() {
        let (agency, ext) = read_org(to, f.path_of(to), &format!("recipients[{i}]"), false, r)?;
        to_ext.push(Value::Object(ext));
        b = b.recipient(agency);
    }
    r.ext.insert(EXT_TO.into(), Value::Array(to_ext));

    if let Some((p, id)) = f.opt_text("DocumentId")? {
        let (own, foreign) = own_id(&sender_id, id)
            .map_err(|e| value_error(p.clone(), id, format!("is not a document id: {e}")))?;
        if foreign {
            r.report.map(
                p,
                format!("header.id, after the sender's code (the original in {EXT_IDS}.id)"),
            );
            foreign_ids.insert("id".into(), id.into());
        } else {
            r.report.map(p, "header.id");
        }
        b = b.id(own);
    } else {
        r.report.note(format!(
            "{}: no DocumentId; the id is made in the edXML form {{sender}},{{date}},{{number}}/{{notation}}",
            f.path()
        ));
    }

    let code = f.one(&["Code"])?;
    let mut cf = Fields::new(code, f.path_of(code), &[])?;
    let (p, number) = cf.one_text("CodeNumber")?;
    r.report.map(p, "header.number");
    let (p, notation) = cf.one_text("CodeNotation")?;
    r.report.map(p, "header.notation");
    b = b.number_and_notation(number, notation);
    let mut ext = Map::new();
    r.keep_rest(cf, &[], &mut ext, EXT_CODE)?;
    r.put(EXT_CODE, ext);

    let info = f.one(&["PromulgationInfo"])?;
    let mut pf = Fields::new(info, f.path_of(info), &[])?;
    let (p, place) = pf.one_text("Place")?;
    r.report.map(p, "header.place");
    let (p, date_text) = pf.one_text("PromulgationDate")?;
    let issued = parse_date(date_text)
        .ok_or_else(|| value_error(p.clone(), date_text, "is not a date like 2025/07/02"))?;
    r.report.map(p, "header.issueDate");
    b = b.issued(place, issued);
    let mut ext = Map::new();
    r.keep_rest(pf, &[], &mut ext, EXT_PROMULGATION)?;
    r.put(EXT_PROMULGATION, ext);

    let doc_type = f.one(&["DocumentType"])?;
    let mut tf = Fields::new(doc_type, f.path_of(doc_type), &[])?;
    let (p, type_number) = tf.one_text("Type")?;
    let type_code = codes::type_code(type_number);
    r.report
        .map(p, format!("header.documentType.code ({type_code})"));
    let (p, type_name) = tf.one_text("TypeName")?;
    r.report.map(p, "header.documentType.name");
    b = b.document_type(type_code, type_name);
    let mut ext = Map::new();
    r.keep_rest(tf, &["TypeDetail"], &mut ext, EXT_DOCUMENT_TYPE)?;
    r.put(EXT_DOCUMENT_TYPE, ext);

    let (p, subject) = f.one_text("Subject")?;
    r.report.map(p, "header.subject");
    b = b.subject(subject);
    match f.opt_text("Content")? {
        Some((p, content)) if !content.is_empty() => {
            r.report.map(p, "header.summary");
            b = b.summary(content);
        }
        Some((p, _)) => r.report.map(p, "nothing: empty"),
        None => {}
    }

    let signer = f.one(&["SignerInfo"])?;
    let mut sf = Fields::new(signer, f.path_of(signer), &[])?;
    let mut ext = Map::new();
    let competence = match sf.opt_text("Competence")? {
        Some((p, text)) => {
            let c = codes::competence(text);
            if c.prefix() == text {
                r.report.map(p, "header.signatory.competence");
            } else {
                r.report.map(
                    p,
                    format!(
                        "header.signatory.competence ({}) and extension {EXT_SIGNER}",
                        if c.prefix().is_empty() {
                            "none"
                        } else {
                            c.prefix()
                        }
                    ),
                );
                ext.insert("Competence".into(), Value::String(text.to_owned()));
            }
            c
        }
        None => crate::document::Competence::None,
    };
    let position = match sf.opt_text("Position")? {
        Some((p, position)) if !position.is_empty() => {
            r.report.map(p, "header.signatory.position");
            position.to_owned()
        }
        other => {
            if let Some((p, _)) = other {
                r.report.map(p, "nothing: empty");
            }
            r.report.note(format!(
                "{}: no Position; the header, which requires one, says {NOT_STATED:?}",
                sf.path()
            ));
            ext.insert("Position".into(), Value::Null);
            NOT_STATED.to_owned()
        }
    };
    let (p, full_name) = sf.one_text("FullName")?;
    r.report.map(p, "header.signatory.fullName");
    b = b.signatory(full_name, position, competence);
    r.keep_rest(sf, &[], &mut ext, EXT_SIGNER)?;
    r.put(EXT_SIGNER, ext);

    if let Some((p, due_text)) = f.opt_text("DueDate")? {
        match parse_date(due_text) {
            _ if due_text.is_empty() => r.report.map(p, "nothing: empty"),
            Some(due) if due >= issued => {
                r.report.map(p, "header.dueDate");
                b = b.due_date(due);
            }
            parsed => {
                let why = if parsed.is_some() {
                    "is before the date of issue"
                } else {
                    "is not a date"
                };
                r.report.map(&p, format!("extension {EXT_DUE}"));
                r.report.note(format!(
                    "{p}: {due_text:?} {why}, so it cannot be the header's due date; kept as text in {EXT_DUE}"
                ));
                r.ext
                    .insert(EXT_DUE.into(), Value::String(due_text.to_owned()));
            }
        }
    }

    let mut urgency = Urgency::Normal;
    if let Some(other) = f.opt(&["OtherInfo"])? {
        let mut of = Fields::new(other, f.path_of(other), &[])?;
        let mut ext = Map::new();
        if let Some((p, priority)) = of.opt_text("Priority")? {
            urgency = codes::urgency(priority).ok_or_else(|| {
                value_error(p.clone(), priority, "is not an edXML priority (0 normal, 1 urgent, 2 very urgent, 3 express, 4 express at a set time)")
            })?;
            r.report.map(&p, "header.urgency");
            if priority == "4" {
                r.report.note(format!(
                    "{p}: priority 4 (express at a set time) carries no time in edXML; the header says express (3) and {EXT_OTHER} keeps the 4"
                ));
                ext.insert("Priority".into(), Value::String("4".into()));
            }
        }
        if let Some((p, pages)) = of.opt_text("PageAmount")? {
            match pages.parse::<u32>() {
                Ok(n) if pages.bytes().all(|b| b.is_ascii_digit()) => {
                    r.report.map(p, "header.pageCount");
                    b = b.page_count(n);
                }
                _ => {
                    r.report.map(&p, format!("extension {EXT_OTHER}"));
                    r.report
                        .note(format!("{p}: {pages:?} is not a page count; kept as text"));
                    ext.insert("PageAmount".into(), Value::String(pages.to_owned()));
                }
            }
        }
        r.keep_rest(of, OTHER_ORDER, &mut ext, EXT_OTHER)?;
        r.put(EXT_OTHER, ext);
    }
    b = b.urgency(urgency);

    let mut in_reply_to: Option<InReplyTo> = None;
    let mut raw_replies = Vec::new();
    for reply in f.all(&["ResponseFor"]) {
        let path = f.path_of(reply);
        if reply.children.is_empty() && reply.attrs.is_empty() && reply.trimmed().is_empty() {
            r.report.map(path, "nothing: empty");
            continue;
        }
        match read_reply(reply, path.clone(), r) {
            Ok(mapped) if in_reply_to.is_none() => {
                for (leaf, to) in [
                    ("OrganId", "agency"),
                    ("Code", "code"),
                    ("DocumentId", "documentId"),
                    ("PromulgationDate", "date"),
                ] {
                    r.report
                        .map(format!("{path}/{leaf}"), format!("header.inReplyTo.{to}"));
                }
                in_reply_to = Some(mapped);
            }
            outcome => {
                if let Err(e) = outcome {
                    r.report.note(format!(
                        "{path}: kept as text in {EXT_RESPONSE}, since it does not fit the header's inReplyTo: {e}"
                    ));
                }
                let mut paths = Vec::new();
                leaves(reply, &path, &mut paths);
                for p in paths {
                    r.report.map(p, format!("extension {EXT_RESPONSE}"));
                }
                raw_replies.push(to_json(reply, &path)?);
            }
        }
    }
    if let Some(reply) = &in_reply_to {
        b = b.in_reply_to(reply.clone());
    }
    if !raw_replies.is_empty() {
        r.ext
            .insert(EXT_RESPONSE.into(), Value::Array(raw_replies.clone()));
    }

    if let Some((p, steering)) = f.opt_text("SteeringType")? {
        match steering.parse::<u8>() {
            Ok(n) if steering.bytes().all(|b| b.is_ascii_digit()) => {
                r.report.map(p, "header.steeringType");
                b = b.steering_type(n);
            }
            _ if steering.is_empty() => r.report.map(p, "nothing: empty"),
            _ => {
                r.report.map(&p, format!("extension {EXT_STEERING}"));
                r.report.note(format!(
                    "{p}: {steering:?} is not a steering type code; kept as text"
                ));
                r.ext
                    .insert(EXT_STEERING.into(), Value::String(steering.to_owned()));
            }
        }
    }

    if let Some(places) = f.opt(&["ToPlaces"])? {
        let path = f.path_of(places);
        let mut paths = Vec::new();
        leaves(places, &path, &mut paths);
        for p in paths {
            r.report.map(p, format!("extension {EXT_PLACES}"));
        }
        r.ext.insert(EXT_PLACES.into(), to_json(places, &path)?);
    }

    let mut ext = Map::new();
    r.keep_rest(f, &[], &mut ext, EXT_MESSAGE)?;
    r.put(EXT_MESSAGE, ext);

    let action = match trace {
        Some((list, path)) => read_trace(list, path, in_reply_to.as_ref(), &raw_replies, r)?,
        None => BusinessAction::New,
    };
    // The document an action concerns is the sender's own, as the id is.
    let action = match action.target() {
        Some(target) if target.sender() != Some(sender_id) => {
            let original = target.as_str().to_owned();
            let (own, _) = own_id(&sender_id, &original).map_err(|e| {
                value_error(message_path.clone(), &original, format!("(the target) {e}"))
            })?;
            r.report.note(format!(
                "{message_path}: the document action {} concerns, {original:?}, is taken as {own} \
                 (edoc's ids begin with the sender's code); the original is in {EXT_IDS}.target",
                action.code()
            ));
            foreign_ids.insert("target".into(), original.into());
            match action {
                BusinessAction::Revoke(_) => BusinessAction::Revoke(own),
                BusinessAction::Update(_) => BusinessAction::Update(own),
                _ => BusinessAction::Replace(own),
            }
        }
        _ => action,
    };
    r.put(EXT_IDS, foreign_ids);
    for (key, value) in std::mem::take(&mut r.ext) {
        b = b.extension(key, value);
    }
    Ok(b.action(action))
}

/// One `ResponseFor` as the header's `inReplyTo`.
fn read_reply(
    el: &Element<'_>,
    path: String,
    r: &mut Reading<'_>,
) -> Result<InReplyTo, EdxmlError> {
    let mut f = Fields::new(el, path, &[])?;
    let (p, organ) = f.one_text("OrganId")?;
    let agency = r
        .agency(organ, &p, false, false)
        .ok_or_else(|| value_error(p, organ, "is not a QCVN 102:2016 agency code"))?;
    let (_, code) = f.one_text("Code")?;
    let (p, id) = f.one_text("DocumentId")?;
    let document_id: DocumentId = id
        .parse()
        .map_err(|e| value_error(p, id, format!("is not a document id: {e}")))?;
    let (p, date) = f.one_text("PromulgationDate")?;
    let date = parse_date(date).ok_or_else(|| value_error(p, date, "is not a date"))?;
    let (rest_path, rest) = f.rest();
    if let Some(extra) = rest.first() {
        return Err(EdxmlError::Structure {
            path: format!("{rest_path}/{}", extra.segment()),
            reason: "not a field of ResponseFor".into(),
        });
    }
    if code.is_empty() {
        return Err(value_error(rest_path, code, "Code is empty"));
    }
    Ok(InReplyTo {
        agency,
        code: code.to_owned(),
        date,
        document_id,
    })
}

/// An `edxml.*` extension that must be a JSON object (or absent).
pub(crate) fn ext_object<'h>(
    header: &'h Header,
    key: &str,
) -> Result<Option<&'h Map<String, Value>>, EdxmlError> {
    match header.extensions().get(key) {
        None => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(EdxmlError::Export {
            reason: format!(
                "the extension {key} is not a JSON object as the edXML import writes it"
            ),
        }),
    }
}

/// Writes `MessageHeader` for `header`.
pub(crate) fn write(
    w: &mut XmlWriter,
    header: &Header,
    options: &EdxmlOptions,
) -> Result<(), EdxmlError> {
    if header.confidentiality().is_classified() {
        return Err(EdxmlError::Export {
            reason: format!(
                "document {} is classified ({:?}); classified documents do not travel through \
                 edXML exchange (Decision 28/2018/QĐ-TTg does not cover state secrets)",
                header.id(),
                header.confidentiality()
            ),
        });
    }
    w.open("MessageHeader", &[]);
    write_org(
        w,
        "From",
        header.sender(),
        ext_object(header, EXT_FROM)?,
        options,
    );
    let tos: Vec<&Map<String, Value>> = match header.extensions().get(EXT_TO) {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(_) => {
            return Err(EdxmlError::Export {
                reason: format!(
                    "the extension {EXT_TO} is not a JSON array as the edXML import writes it"
                ),
            })
        }
    };
    for (i, agency) in header.all_recipients().enumerate() {
        // The extension entry of the same position, if it names the same agency.
        let ext = tos.get(i).copied().filter(|m| {
            let raw = m.get("OrganId").and_then(Value::as_str);
            organ_id(&agency.id, raw, options) == raw.unwrap_or_default()
        });
        write_org(w, "To", agency, ext, options);
    }
    w.leaf("DocumentId", &edxml_id(header, "id", header.id()));

    let mut code = ext_object(header, EXT_CODE)?.cloned().unwrap_or_default();
    code.insert("CodeNumber".into(), header.number().into());
    code.insert("CodeNotation".into(), header.notation().into());
    write_json(
        w,
        "Code",
        &Value::Object(code),
        &["CodeNumber", "CodeNotation"],
    );

    let mut info = ext_object(header, EXT_PROMULGATION)?
        .cloned()
        .unwrap_or_default();
    info.insert("Place".into(), header.place().into());
    info.insert(
        "PromulgationDate".into(),
        format_date(header.issue_date()).into(),
    );
    write_json(
        w,
        "PromulgationInfo",
        &Value::Object(info),
        &["Place", "PromulgationDate"],
    );

    let number = codes::type_number(&header.document_type().code, &options.type_numbers)
        .ok_or_else(|| EdxmlError::Export {
            reason: format!(
                "document type code {:?} ({}) has no edXML Type number: edXML readers expect a \
                 number (built in: CV 1, BC 2, TTr 3, HS 4); give one in \
                 EdxmlOptions::type_numbers (edoc edxml export --type-number {}=N)",
                header.document_type().code,
                header.document_type().name,
                header.document_type().code
            ),
        })?;
    let mut doc_type = ext_object(header, EXT_DOCUMENT_TYPE)?
        .cloned()
        .unwrap_or_default();
    doc_type.insert("Type".into(), number.into());
    doc_type.insert(
        "TypeName".into(),
        header.document_type().name.clone().into(),
    );
    write_json(
        w,
        "DocumentType",
        &Value::Object(doc_type),
        &["Type", "TypeDetail", "TypeName"],
    );

    w.leaf("Subject", header.subject());
    if let Some(summary) = header.summary() {
        w.leaf("Content", summary);
    }

    let signatory = header.signatory();
    let mut signer = ext_object(header, EXT_SIGNER)?.cloned().unwrap_or_default();
    let competence = match signer.get("Competence").and_then(Value::as_str) {
        Some(raw) if codes::competence(raw) == signatory.competence => {
            Value::String(raw.to_owned())
        }
        _ if signatory.competence.prefix().is_empty() => Value::Null,
        _ => Value::String(signatory.competence.prefix().to_owned()),
    };
    signer.insert("Competence".into(), competence);
    let position_absent =
        matches!(signer.get("Position"), Some(Value::Null)) && signatory.position == NOT_STATED;
    signer.insert(
        "Position".into(),
        if position_absent {
            Value::Null
        } else {
            signatory.position.clone().into()
        },
    );
    signer.insert("FullName".into(), signatory.full_name.clone().into());
    write_json(
        w,
        "SignerInfo",
        &Value::Object(signer),
        &["Competence", "Position", "FullName"],
    );

    match (header.due_date(), header.extensions().get(EXT_DUE)) {
        (Some(due), _) => w.leaf("DueDate", &format_date(due)),
        (None, Some(Value::String(raw))) => w.leaf("DueDate", raw),
        _ => {}
    }

    let mut other = ext_object(header, EXT_OTHER)?.cloned().unwrap_or_default();
    let kept_four = other.get("Priority").and_then(Value::as_str) == Some("4");
    let priority = match header.urgency() {
        Urgency::Express if kept_four => "4".to_owned(),
        u => u.code().to_string(),
    };
    other.insert("Priority".into(), priority.into());
    if let Some(pages) = header.page_count() {
        other.insert("PageAmount".into(), pages.to_string().into());
    }
    write_json(w, "OtherInfo", &Value::Object(other), OTHER_ORDER);

    if let Some(reply) = header.in_reply_to() {
        let mut map = Map::new();
        map.insert("OrganId".into(), reply.agency.to_string().into());
        map.insert("Code".into(), reply.code.clone().into());
        map.insert("DocumentId".into(), reply.document_id.to_string().into());
        map.insert("PromulgationDate".into(), format_date(reply.date).into());
        write_json(w, "ResponseFor", &Value::Object(map), RESPONSE_ORDER);
    }
    if let Some(raw) = header.extensions().get(EXT_RESPONSE) {
        write_json(w, "ResponseFor", raw, RESPONSE_ORDER);
    }

    match (
        header.steering_type(),
        header.extensions().get(EXT_STEERING),
    ) {
        (0, Some(Value::String(raw))) => w.leaf("SteeringType", raw),
        (n, _) => w.leaf("SteeringType", &n.to_string()),
    }
    if let Some(places) = header.extensions().get(EXT_PLACES) {
        write_json(w, "ToPlaces", places, &["Place"]);
    }
    if let Some(rest) = ext_object(header, EXT_MESSAGE)? {
        for (k, v) in ordered(rest, &[]) {
            write_json(w, k, v, &[]);
        }
    }
    w.close("MessageHeader");
    Ok(())
}
