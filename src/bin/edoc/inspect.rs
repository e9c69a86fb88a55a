//! `edoc inspect`: what a package says, nothing verified.

use base64::Engine;
use edoc::{Commitment, Header, Limits, Package, ParsedSignature, SignatureReport};
use serde_json::{json, Value};

use crate::cli::InspectArgs;
use crate::error::CliError;
use crate::{edxml, io};

pub(crate) fn run(args: &InspectArgs) -> Result<(), CliError> {
    let limits = Limits::default();
    let bytes = io::read_bounded(&args.package, limits.max_package_bytes, "cannot read")?;
    if edxml::looks_like_xml(&bytes) {
        let text = edxml::inspect(&args.package, &bytes, args.json)?;
        return io::write_output(None, text.as_bytes());
    }
    let package = Package::parse(&bytes, &limits)
        .map_err(|e| CliError::Refused(format!("{}: {e}", args.package)))?;
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&as_json(&package)).unwrap_or_default();
        s.push('\n');
        s
    } else {
        as_text(&package)
    };
    io::write_output(None, text.as_bytes())
}

/// Each signature as it claims to be: read, not verified.
fn claimed(package: &Package) -> Vec<Result<SignatureReport, String>> {
    package
        .signatures()
        .iter()
        .map(|s| {
            let parsed = ParsedSignature::parse(s).map_err(|e| e.to_string())?;
            let mut r = SignatureReport::new(parsed.commitment())
                .with_signature(parsed.algorithm(), parsed.signing_time());
            if let Some(leaf) = parsed.leaf() {
                r = r.with_unverified_certificate(leaf.as_ref());
            }
            Ok(r)
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A trace entry's payload, decoded when it is base64url JSON (as hubs write it).
fn trace_payload(payload: &str) -> Value {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.as_bytes())
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .unwrap_or_else(|| Value::String(payload.to_owned()))
}

pub(crate) fn as_json(package: &Package) -> Value {
    let header = package.header();
    let attachments: Vec<Value> = header
        .attachments()
        .iter()
        .map(|a| {
            json!({
                "name": a.name(),
                "mediaType": a.media_type(),
                "size": a.size(),
                "sha256": hex(a.sha256()),
                "description": a.description(),
                "inline": !package.is_detached(a.name()),
            })
        })
        .collect();
    let signatures: Vec<Value> = claimed(package)
        .into_iter()
        .map(|r| match r {
            Ok(report) => {
                let mut v = serde_json::to_value(&report).unwrap_or(Value::Null);
                if let Some(m) = v.as_object_mut() {
                    m.remove("checks");
                    m.remove("subIndication");
                    m.insert("verified".into(), Value::Bool(false));
                }
                v
            }
            Err(e) => json!({ "unreadable": e, "verified": false }),
        })
        .collect();
    let trace: Vec<Value> = package
        .trace()
        .iter()
        .map(|t| json!({ "payload": trace_payload(&t.payload), "verified": false }))
        .collect();
    json!({
        "header": serde_json::to_value(header).unwrap_or(Value::Null),
        "attachments": attachments,
        "signatures": signatures,
        "trace": trace,
    })
}

fn commitment_words(c: Option<Commitment>) -> &'static str {
    match c {
        Some(Commitment::ProofOfApproval) => "proof of approval (the competent person)",
        Some(Commitment::ProofOfOrigin) => "proof of origin (the agency seal)",
        Some(Commitment::ProofOfReceipt) => "proof of receipt",
        None => "no commitment",
    }
}

pub(crate) fn as_text(package: &Package) -> String {
    use std::fmt::Write;
    let h: &Header = package.header();
    let mut s = String::new();
    let _ = writeln!(s, "Document   {}", h.id());
    let _ = writeln!(s, "Number     {}/{}", h.number(), h.notation());
    let _ = writeln!(
        s,
        "Type       {} ({})",
        h.document_type().name,
        h.document_type().code
    );
    let _ = writeln!(s, "From       {}", h.sender());
    for a in h.recipients() {
        let _ = writeln!(s, "To         {a}");
    }
    for a in h.copy_recipients() {
        let _ = writeln!(s, "Copy to    {a}");
    }
    let _ = writeln!(s, "Issued     {}, {}", h.place(), h.issue_date());
    let _ = writeln!(s, "Subject    {}", h.subject());
    let sig = h.signatory();
    let prefix = sig.competence.prefix();
    let _ = writeln!(
        s,
        "Signatory  {}{}{}, {}",
        prefix,
        if prefix.is_empty() { "" } else { " " },
        sig.position,
        sig.full_name
    );
    let _ = writeln!(s, "Urgency    code {}", h.urgency().code());
    let _ = writeln!(s, "Confid.    {:?}", h.confidentiality());
    if let Some(due) = h.due_date() {
        let _ = writeln!(s, "Due        {due}");
    }
    if let Some(r) = h.in_reply_to() {
        let _ = writeln!(
            s,
            "In reply   {} ({} of {}, {})",
            r.document_id, r.code, r.agency, r.date
        );
    }
    let _ = writeln!(s, "\nAttachments ({})", h.attachments().len());
    for a in h.attachments() {
        let place = if package.is_detached(a.name()) {
            "detached"
        } else {
            "inline"
        };
        let _ = writeln!(
            s,
            "  {}  {}  {} bytes  {}  sha256 {}",
            a.name(),
            a.media_type(),
            a.size(),
            place,
            hex(a.sha256())
        );
    }
    let _ = writeln!(
        s,
        "\nSignatures ({}) — UNVERIFIED: as claimed; run `edoc verify` to check them",
        package.signatures().len()
    );
    for (i, r) in claimed(package).into_iter().enumerate() {
        match r {
            Ok(r) => {
                let signer = r
                    .signer
                    .as_ref()
                    .map_or_else(|| "an unidentified signer".to_owned(), |n| n.to_string());
                let time = r
                    .signing_time
                    .and_then(|t| {
                        t.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .unwrap_or_else(|| "no signing time".to_owned());
                let _ = writeln!(
                    s,
                    "  {}. {signer}: {}, {}, signed {time} [UNVERIFIED]",
                    i + 1,
                    commitment_words(r.commitment),
                    r.algorithm.as_deref().unwrap_or("?"),
                );
            }
            Err(e) => {
                let _ = writeln!(s, "  {}. unreadable: {e}", i + 1);
            }
        }
    }
    let _ = writeln!(s, "\nTrace ({}) — UNVERIFIED", package.trace().len());
    for (i, t) in package.trace().iter().enumerate() {
        let _ = writeln!(s, "  {}. {}", i + 1, trace_payload(&t.payload));
    }
    s
}
