//! `TraceHeaderList` both ways: the hops a document had before edoc (kept in
//! `edxml.TraceHeaderList`), edoc's hops, and `Bussiness`: the business action (new, revoke,
//! update, replace) with its target, the rest kept in `edxml.Bussiness`.

use serde_json::{Map, Value};

use super::codes;
use super::dates::vietnam_time;
use super::error::EdxmlError;
use super::fields::{ordered, text_of, write_json, Fields};
use super::header::ext_object;
use super::reading::{value_error, Reading};
use super::tree::Element;
use super::writer::XmlWriter;
use crate::document::{BusinessAction, DocumentId, Header, InReplyTo};
use crate::route::TraceHop;

const EXT_TRACE: &str = "edxml.TraceHeaderList";

const EXT_BUSINESS: &str = "edxml.Bussiness";

const BUSINESS_ORDER: &[&str] = &[
    "DocumentId",
    "BussinessDocType",
    "BussinessDocReason",
    "Paper",
    "BussinessDocumentInfo",
    "ReplacementInfoList",
    "StaffInfo",
];

const BUSINESS_KNOWN: &[&str] = &[
    "Paper",
    "StaffInfo",
    "BussinessDocumentInfo",
    "BusinessDocumentInfo",
    "ReplacementInfoList",
];

/// `TraceHeaderList`: the earlier hops go to an extension, `Bussiness` to the action.
pub(crate) fn read_trace(
    list: &Element<'_>,
    path: String,
    reply: Option<&InReplyTo>,
    raw_replies: &[Value],
    r: &mut Reading<'_>,
) -> Result<BusinessAction, EdxmlError> {
    let mut f = Fields::new(list, path, &[])?;
    let business = f.opt(&["Bussiness", "Business"])?;
    let action = match business {
        Some(b) => read_business(b, f.path_of(b), reply, raw_replies, r)?,
        None => BusinessAction::New,
    };
    let mut ext = Map::new();
    r.keep_rest(f, &["TraceHeader"], &mut ext, EXT_TRACE)?;
    r.put(EXT_TRACE, ext);
    Ok(action)
}

fn read_business(
    el: &Element<'_>,
    path: String,
    reply: Option<&InReplyTo>,
    raw_replies: &[Value],
    r: &mut Reading<'_>,
) -> Result<BusinessAction, EdxmlError> {
    if el.name == "Business" {
        r.report.note(format!(
            "{path}: read with the spelling Business*; export writes the VPCP SDK's Bussiness*"
        ));
    }
    let mut f = Fields::new(el, path, &[])?;
    let doc_type = f.one(&["BussinessDocType", "BusinessDocType"])?;
    let type_path = f.path_of(doc_type);
    let code_text = text_of(doc_type, &type_path)?;
    let code = match code_text {
        "0" => 0u8,
        "1" => 1,
        "2" => 2,
        "3" => 3,
        other => {
            return Err(value_error(
                type_path,
                other,
                "is not a business action (0 new, 1 revoke, 2 update, 3 replace)",
            ))
        }
    };
    r.report.map(&type_path, "header.action");
    let mut ext = Map::new();
    let doc_id = match f.opt(&["DocumentId"])? {
        Some(el) => {
            let p = f.path_of(el);
            Some((text_of(el, &p)?, p))
        }
        None => None,
    };
    if let Some(reason) = f.opt(&["BussinessDocReason", "BusinessDocReason"])? {
        let p = f.path_of(reason);
        let text = text_of(reason, &p)?;
        if text == codes::business_reason(code) {
            r.report
                .map(p, "header.action (the SDK's reason text for the code)");
        } else {
            r.report.map(p, format!("extension {EXT_BUSINESS}"));
            ext.insert("BussinessDocReason".into(), Value::String(text.to_owned()));
        }
    }
    r.keep_rest(f, BUSINESS_KNOWN, &mut ext, EXT_BUSINESS)?;
    if let Some(info) = ext.remove("BusinessDocumentInfo") {
        if ext.contains_key("BussinessDocumentInfo") {
            return Err(EdxmlError::Structure {
                path: type_path,
                reason: "both BussinessDocumentInfo and BusinessDocumentInfo; one is expected"
                    .into(),
            });
        }
        ext.insert("BussinessDocumentInfo".into(), info);
    }
    let target_text: Option<(String, String)> = match (&doc_id, code) {
        (Some((id, p)), 0) => {
            r.report.map(
                p,
                format!("extension {EXT_BUSINESS} (a new document has no target)"),
            );
            ext.insert("DocumentId".into(), Value::String((*id).to_owned()));
            None
        }
        (Some((id, p)), _) => {
            r.report.map(p, "header.action (target)");
            Some(((*id).to_owned(), p.clone()))
        }
        (None, 0) => None,
        (None, 1) => reply
            .map(|x| x.document_id.to_string())
            .or_else(|| first_string(raw_replies.first(), &["DocumentId"]))
            .map(|id| (id, "ResponseFor/DocumentId".to_owned())),
        (None, 3) => first_string(
            ext.get("ReplacementInfoList"),
            &["ReplacementInfo", "DocumentId"],
        )
        .map(|id| {
            (
                id,
                "ReplacementInfoList/ReplacementInfo/DocumentId".to_owned(),
            )
        }),
        (None, _) => None,
    };
    let action = match (code, target_text) {
        (0, _) => BusinessAction::New,
        (_, None) => {
            return Err(EdxmlError::Structure {
                path: type_path,
                reason: format!(
                    "business action {code} ({}) needs the id of the document it concerns: Bussiness/DocumentId{}",
                    codes::business_reason(code),
                    match code {
                        1 => " or ResponseFor/DocumentId",
                        3 => " or ReplacementInfo/DocumentId",
                        _ => "",
                    }
                ),
            })
        }
        (_, Some((id, from))) => {
            let target: DocumentId = id
                .parse()
                .map_err(|e| value_error(type_path.clone(), &id, format!("(the target, from {from}) is not a document id: {e}")))?;
            if doc_id.is_none() {
                r.report.note(format!(
                    "{type_path}: no Bussiness/DocumentId; the target of action {code} is {id}, from {from}"
                ));
            }
            match code {
                1 => BusinessAction::Revoke(target),
                2 => BusinessAction::Update(target),
                _ => BusinessAction::Replace(target),
            }
        }
    };
    r.put(EXT_BUSINESS, ext);
    Ok(action)
}

/// The string at `path` in a JSON value made by `to_json`, taking the first item of arrays.
fn first_string(value: Option<&Value>, path: &[&str]) -> Option<String> {
    let mut v = value?;
    for key in path {
        if let Value::Array(items) = v {
            v = items.first()?;
        }
        v = v.get(key)?;
    }
    if let Value::Array(items) = v {
        v = items.first()?;
    }
    v.as_str().map(str::to_owned)
}

/// Writes `TraceHeaderList`: the hops the document had before edoc (from the extension),
/// then edoc's hops (hub and time, in Vietnam time), then `Bussiness`.
pub(crate) fn write_trace(
    w: &mut XmlWriter,
    header: &Header,
    hops: &[TraceHop],
) -> Result<(), EdxmlError> {
    w.open("TraceHeaderList", &[]);
    let trace = ext_object(header, EXT_TRACE)?.cloned().unwrap_or_default();
    if let Some(earlier) = trace.get("TraceHeader") {
        write_json(w, "TraceHeader", earlier, &["OrganId", "Timestamp"]);
    }
    for hop in hops {
        let mut map = Map::new();
        map.insert("OrganId".into(), hop.hub.as_str().into());
        map.insert("Timestamp".into(), vietnam_time(hop.time).into());
        write_json(
            w,
            "TraceHeader",
            &Value::Object(map),
            &["OrganId", "Timestamp"],
        );
    }
    for (k, v) in ordered(&trace, &[]) {
        if k != "TraceHeader" {
            write_json(w, k, v, &[]);
        }
    }
    let action = header.action();
    let mut business = ext_object(header, EXT_BUSINESS)?
        .cloned()
        .unwrap_or_default();
    if let Some(target) = action.target() {
        business.insert(
            "DocumentId".into(),
            super::header::edxml_id(header, "target", target).into(),
        );
    }
    business.insert("BussinessDocType".into(), action.code().to_string().into());
    if !business.contains_key("BussinessDocReason") {
        business.insert(
            "BussinessDocReason".into(),
            codes::business_reason(action.code()).into(),
        );
    }
    write_json(w, "Bussiness", &Value::Object(business), BUSINESS_ORDER);
    w.close("TraceHeaderList");
    Ok(())
}
