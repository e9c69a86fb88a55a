//! `edoc edxml import` and `edoc edxml export`, and what `edoc inspect` shows of an edXML file.

use std::collections::BTreeMap;

use base64::Engine;
use edoc::{
    export_edxml, export_edxml_status, import_edxml, EdxmlImport, EdxmlLimits, EdxmlOptions,
    ImportReport, Limits, Package, StatusMessage,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::cli::{EdxmlExportArgs, EdxmlImportArgs, InspectArgs};
use crate::error::CliError;
use crate::{inspect, io};

/// A status as `edoc edxml import` writes it: the message, the edXML fields it has no place
/// for, and the signed status that travelled inside, if any.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusFile {
    status: StatusMessage,
    #[serde(default)]
    details: BTreeMap<String, String>,
    #[serde(default)]
    signed: Option<String>,
}

/// Which top-level members a JSON input has, read without keeping their values.
#[derive(Deserialize)]
struct Probe {
    edoc: Option<serde::de::IgnoredAny>,
    status: Option<serde::de::IgnoredAny>,
}

/// True for input that is XML rather than JSON or a JWS: what `edoc inspect` shows as edXML.
pub(crate) fn looks_like_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

fn read_edxml(target: &str, options: &EdxmlOptions) -> Result<EdxmlImport, CliError> {
    let limits = EdxmlLimits::default();
    let bytes = io::read_bounded(target, limits.max_document_bytes, "cannot read")?;
    imported(target, &bytes, options)
}

fn imported(target: &str, bytes: &[u8], options: &EdxmlOptions) -> Result<EdxmlImport, CliError> {
    let limits = EdxmlLimits::default();
    if bytes.len() > limits.max_document_bytes {
        return Err(CliError::Refused(format!(
            "{target}: larger than {} bytes, the edXML document limit (EdxmlLimits::max_document_bytes)",
            limits.max_document_bytes
        )));
    }
    import_edxml(bytes, &limits, options).map_err(|e| CliError::Refused(format!("{target}: {e}")))
}

fn status_json(s: &edoc::ImportedStatus) -> Value {
    let mut v = json!({ "status": s.message(), "details": s.details() });
    if let Some(jws) = s.signed() {
        v["signed"] = Value::String(jws.to_owned());
    }
    v
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// `edoc edxml import`.
pub(crate) fn import(args: &EdxmlImportArgs) -> Result<(), CliError> {
    let options = EdxmlOptions {
        agencies: args.agency.iter().cloned().collect(),
        use_embedded: !args.envelope_only,
        ..EdxmlOptions::default()
    };
    let (out, report, summary) = match read_edxml(&args.file, &options)? {
        EdxmlImport::Document(d) => {
            let h = d.package().header();
            let summary = format!(
                "{}: document {} ({}/{}), {} attachment(s), {}",
                args.file,
                h.id(),
                h.number(),
                h.notation(),
                h.attachments().len(),
                if d.is_embedded() {
                    format!(
                        "the edoc package inside with {} signature(s): verify it with `edoc verify`",
                        d.package().signatures().len()
                    )
                } else {
                    "unsigned: sign it with `edoc sign`".to_owned()
                }
            );
            let mut json = d.package().to_json();
            json.push(b'\n');
            (json, d.report().clone(), summary)
        }
        EdxmlImport::Status(s) => {
            let summary = format!(
                "{}: status {} from {} about {}{}",
                args.file,
                s.message().code,
                s.message().from,
                s.message().document_id,
                if s.signed().is_some() {
                    " (signed inside: verify it before acting on it)"
                } else {
                    ""
                }
            );
            (pretty(&status_json(&s)), s.report().clone(), summary)
        }
    };
    io::write_output(args.output.as_deref(), &out)?;
    if args.quiet {
        return Ok(());
    }
    let text = if args.json {
        pretty(&serde_json::to_value(&report).unwrap_or(Value::Null))
    } else {
        format!("{summary}\n{report}").into_bytes()
    };
    if args.output.is_some() {
        io::write_output(None, &text)
    } else {
        use std::io::Write;
        std::io::stderr()
            .write_all(&text)
            .map_err(|e| CliError::io("cannot write", std::path::Path::new("<stderr>"), e))
    }
}

/// `edoc edxml export`.
pub(crate) fn export(args: &EdxmlExportArgs) -> Result<(), CliError> {
    let limits = Limits::default();
    let bytes = io::read_bounded(&args.input, limits.max_package_bytes, "cannot read")?;
    let options = EdxmlOptions {
        agencies: args.agency.iter().cloned().collect(),
        type_numbers: args.type_number.iter().cloned().collect(),
        ..EdxmlOptions::default()
    };
    let refused = |e: &dyn std::fmt::Display| CliError::Refused(format!("{}: {e}", args.input));
    let trimmed = bytes.trim_ascii();
    let xml = if trimmed.starts_with(b"{") {
        let probe: Probe = serde_json::from_slice(trimmed).map_err(|e| refused(&e))?;
        if probe.edoc.is_some() {
            let package = Package::parse(&bytes, &limits).map_err(|e| refused(&e))?;
            let mut detached = io::detached(&args.input, None);
            export_edxml(&package, &mut detached, &EdxmlLimits::default(), &options)
        } else if probe.status.is_some() {
            let file: StatusFile = serde_json::from_slice(trimmed).map_err(|e| refused(&e))?;
            export_edxml_status(
                &file.status,
                file.signed.as_deref(),
                &file.details,
                &options,
            )
        } else {
            let message = StatusMessage::from_json(trimmed).map_err(|e| refused(&e))?;
            export_edxml_status(&message, None, &BTreeMap::new(), &options)
        }
    } else {
        // A signed status, compact JWS: the body is its payload (not verified here; it
        // travels inside the edXML for the receiver to verify).
        let jws = std::str::from_utf8(trimmed).map_err(|e| refused(&e))?;
        let body = jws
            .split('.')
            .nth(1)
            .and_then(|p| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .ok_or_else(|| {
                refused(&"neither a package, a status JSON nor a signed status (compact JWS)")
            })?;
        let message = StatusMessage::from_json(&body).map_err(|e| refused(&e))?;
        export_edxml_status(&message, Some(jws), &BTreeMap::new(), &options)
    }
    .map_err(|e| refused(&e))?;
    io::write_output(args.output.as_deref(), &xml)
}

/// What `edoc inspect` prints for an edXML file: the package (or status) it gives, unverified,
/// and the import report.
pub(crate) fn inspect(args: &InspectArgs, bytes: &[u8]) -> Result<String, CliError> {
    let json = args.json;
    match imported(&args.package, bytes, &EdxmlOptions::default())? {
        EdxmlImport::Document(d) => {
            let origin = if d.is_embedded() {
                "the edoc package it carries (package.edoc.json)"
            } else {
                "mapped from the envelope; unsigned"
            };
            let verdicts = inspect::verdicts(d.package(), args)?;
            if json {
                let mut v = inspect::as_json(d.package(), verdicts.as_ref());
                v["edxml"] = json!({ "kind": "document", "embedded": d.is_embedded(), "report": d.report() });
                return Ok(String::from_utf8(pretty(&v)).unwrap_or_default());
            }
            Ok(format!(
                "edXML document (QCVN 102:2016): {origin}\n\n{}\n{}",
                inspect::as_text(d.package(), verdicts.as_ref()),
                report_text(d.report())
            ))
        }
        EdxmlImport::Status(s) => {
            if json {
                let mut v = status_json(&s);
                v["edxml"] = json!({ "kind": "status", "report": s.report() });
                return Ok(String::from_utf8(pretty(&v)).unwrap_or_default());
            }
            let m = s.message();
            let mut text = format!(
                "edXML status message (QCVN 102:2016){}\n\nStatus     {}\nFrom       {}\nTo         {}\nDocument   {}\nTime       {}\nStaff      {} ({})\nText       {}\n",
                if s.signed().is_some() { ": edoc's signed status inside, UNVERIFIED" } else { "" },
                m.code,
                m.from,
                m.to,
                m.document_id,
                m.time
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                m.staff.name,
                m.staff.position,
                m.description
            );
            for (k, v) in s.details() {
                text.push_str(&format!("  {k}: {v}\n"));
            }
            text.push('\n');
            text.push_str(&report_text(s.report()));
            Ok(text)
        }
    }
}

fn report_text(report: &ImportReport) -> String {
    format!("Import report\n{report}")
}
