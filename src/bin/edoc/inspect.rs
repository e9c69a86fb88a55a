//! `edoc inspect`: what a package says; with trust material, also what of it verifies.

use base64::Engine;
use edoc::{
    verify_trace, Header, Limits, Package, ParsedSignature, SignatureReport, TraceError,
    ValidationReport,
};
use serde_json::{json, Value};

use crate::cli::InspectArgs;
use crate::error::CliError;
use crate::inputs::Inputs;
use crate::{io, words};

/// What is known of one signature or trace entry.
#[derive(Debug, Clone)]
enum Mark {
    /// No trust material was given: as claimed.
    Unverified(&'static str),
    Verified,
    Failed(String),
}

impl Mark {
    fn text(&self) -> String {
        match self {
            Mark::Unverified(how) => format!("UNVERIFIED: {how}"),
            Mark::Verified => "VERIFIED".to_owned(),
            Mark::Failed(why) => format!("FAILED: {why}"),
        }
    }

    fn json(&self, value: &mut Value) {
        if let Some(m) = value.as_object_mut() {
            m.insert(
                "verified".into(),
                Value::Bool(matches!(self, Mark::Verified)),
            );
            match self {
                Mark::Failed(why) => m.insert("failure".into(), Value::String(why.clone())),
                Mark::Unverified(how) => {
                    m.insert("unverified".into(), Value::String((*how).into()))
                }
                Mark::Verified => None,
            };
        }
    }
}

/// The verdicts, when trust material was given.
struct Verdicts {
    report: ValidationReport,
    signatures: Vec<Mark>,
    trace: Vec<Mark>,
}

pub(crate) fn run(args: &InspectArgs) -> Result<(), CliError> {
    let limits = Limits::default();
    let bytes = io::read_bounded(&args.package, limits.max_package_bytes, "cannot read")?;
    let package = Package::parse(&bytes, &limits)
        .map_err(|e| CliError::Refused(format!("{}: {e}", args.package)))?;
    let verdicts = match &args.inputs {
        Some(trust) if trust.trust.is_empty() => {
            return Err(CliError::Usage(
                "to verify while inspecting, give the trust anchors with --trust PEM".into(),
            ))
        }
        Some(trust) => Some(verify(&package, &Inputs::load(trust)?, &args.package)),
        None => None,
    };
    let text = if args.json {
        let mut s =
            serde_json::to_string_pretty(&as_json(&package, verdicts.as_ref())).unwrap_or_default();
        s.push('\n');
        s
    } else {
        as_text(&package, verdicts.as_ref())
    };
    io::write_output(None, text.as_bytes())
}

fn verify(package: &Package, inputs: &Inputs, target: &str) -> Verdicts {
    let mut detached = io::detached(target, None);
    let entries = package.trace().len();
    match inputs
        .verifier()
        .verify(package.clone(), &mut detached, inputs.now)
    {
        Ok(verified) => {
            let trace = match &inputs.hubs {
                None => vec![Mark::Unverified("pass --hubs FILE to verify the trace"); entries],
                Some(hubs) => {
                    match verify_trace(&verified, hubs, &inputs.store, &inputs.policy, inputs.now) {
                        Ok(_) => vec![Mark::Verified; entries],
                        Err(e) => trace_marks(entries, &e),
                    }
                }
            };
            let report = verified.report().clone();
            Verdicts {
                signatures: vec![Mark::Verified; report.signatures.len()],
                report,
                trace,
            }
        }
        Err(rejected) => {
            let report = rejected.into_report();
            let signatures = report
                .signatures
                .iter()
                .map(|s| {
                    let failed = s
                        .checks
                        .iter()
                        .find(|c| c.status == edoc::CheckStatus::Failed);
                    match (s.sub_indication, failed) {
                        (Some(sub), Some(c)) => Mark::Failed(format!("{sub}: {}", c.detail)),
                        (Some(sub), None) => Mark::Failed(sub.to_string()),
                        (None, _) => Mark::Verified,
                    }
                })
                .collect();
            Verdicts {
                report,
                signatures,
                trace: vec![
                    Mark::Unverified(
                        "the package does not verify, so neither can its trace"
                    );
                    entries
                ],
            }
        }
    }
}

/// The entries before the one that failed verified, that one failed, the rest not reached.
fn trace_marks(entries: usize, e: &TraceError) -> Vec<Mark> {
    let at = match e {
        TraceError::Entry { index, .. }
        | TraceError::NotTheHub { index, .. }
        | TraceError::OtherPackage { index, .. }
        | TraceError::Broken { index, .. }
        | TraceError::UnexpectedHop { index, .. } => *index,
        _ => 0,
    };
    (0..entries)
        .map(|i| match i.cmp(&at) {
            std::cmp::Ordering::Less => Mark::Verified,
            std::cmp::Ordering::Equal => Mark::Failed(e.to_string()),
            std::cmp::Ordering::Greater => Mark::Unverified("an earlier entry failed"),
        })
        .collect()
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

/// A trace entry in words: "hub.h57, 2025-07-02T10:00:00+07:00: delivered to ...; forwarded
/// to hub.national for ...".
fn trace_words(payload: &Value) -> String {
    let (Some(hub), Some(time)) = (payload["hub"].as_str(), payload["time"].as_str()) else {
        return payload.to_string();
    };
    let time = time::OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339)
        .map(words::time_text)
        .unwrap_or_else(|_| time.to_owned());
    let list = |v: &Value| -> String {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let mut parts = Vec::new();
    let delivered = list(&payload["delivered"]);
    if !delivered.is_empty() {
        parts.push(format!("delivered to {delivered}"));
    }
    for f in payload["forwarded"].as_array().into_iter().flatten() {
        parts.push(format!(
            "forwarded to {} for {}",
            f["hub"].as_str().unwrap_or("?"),
            list(&f["recipients"])
        ));
    }
    format!("{hub}, {time}: {}", parts.join("; "))
}

fn as_json(package: &Package, verdicts: Option<&Verdicts>) -> Value {
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
    let unverified = Mark::Unverified("no trust material was given (--trust)");
    let signatures: Vec<Value> = claimed(package)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let mark = verdicts
                .and_then(|v| v.signatures.get(i))
                .unwrap_or(&unverified);
            let mut v = match r {
                Ok(report) => {
                    let mut v = serde_json::to_value(&report).unwrap_or(Value::Null);
                    if let Some(m) = v.as_object_mut() {
                        m.remove("checks");
                        m.remove("subIndication");
                    }
                    v
                }
                Err(e) => json!({ "unreadable": e }),
            };
            mark.json(&mut v);
            v
        })
        .collect();
    let trace: Vec<Value> = package
        .trace()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mark = verdicts.and_then(|v| v.trace.get(i)).unwrap_or(&unverified);
            let mut v = json!({ "payload": trace_payload(&t.payload) });
            mark.json(&mut v);
            v
        })
        .collect();
    let mut out = json!({
        "header": serde_json::to_value(header).unwrap_or(Value::Null),
        "attachments": attachments,
        "signatures": signatures,
        "trace": trace,
    });
    if let (Some(v), Some(m)) = (verdicts, out.as_object_mut()) {
        let report: Value = serde_json::from_str(&v.report.to_json()).unwrap_or(Value::Null);
        m.insert("validation".into(), report);
    }
    out
}

fn commitment_words(c: Option<edoc::Commitment>) -> &'static str {
    match c {
        Some(edoc::Commitment::ProofOfApproval) => "proof of approval (the competent person)",
        Some(edoc::Commitment::ProofOfOrigin) => "proof of origin (the agency seal)",
        Some(edoc::Commitment::ProofOfReceipt) => "proof of receipt",
        None => "no commitment",
    }
}

fn as_text(package: &Package, verdicts: Option<&Verdicts>) -> String {
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
    let _ = writeln!(s, "Urgency    {}", words::urgency(h.urgency()));
    let _ = writeln!(
        s,
        "Confid.    {}",
        words::confidentiality(h.confidentiality())
    );
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
    let heading = match verdicts {
        None => " — UNVERIFIED: as claimed; run `edoc verify`, or give --trust, to check them",
        Some(_) => "",
    };
    let _ = writeln!(s, "\nSignatures ({}){heading}", package.signatures().len());
    let unverified = Mark::Unverified("no --trust");
    for (i, r) in claimed(package).into_iter().enumerate() {
        let mark = verdicts
            .and_then(|v| v.signatures.get(i))
            .unwrap_or(&unverified);
        let mark = match mark {
            Mark::Unverified(_) => "[UNVERIFIED]".to_owned(),
            other => format!("[{}]", other.text()),
        };
        match r {
            Ok(r) => {
                let signer = r
                    .signer
                    .as_ref()
                    .map_or_else(|| "an unidentified signer".to_owned(), |n| n.to_string());
                let time = r
                    .signing_time
                    .map(words::time_text)
                    .unwrap_or_else(|| "no signing time".to_owned());
                let _ = writeln!(
                    s,
                    "  {}. {signer}: {}, {}, signed {time} {mark}",
                    i + 1,
                    commitment_words(r.commitment),
                    r.algorithm.as_deref().unwrap_or("?"),
                );
            }
            Err(e) => {
                let _ = writeln!(s, "  {}. unreadable: {e} {mark}", i + 1);
            }
        }
    }
    let trace_note = match verdicts {
        None => " — UNVERIFIED: give --trust and --hubs to verify it",
        Some(_) => "",
    };
    let _ = writeln!(s, "\nTrace ({}){trace_note}", package.trace().len());
    let unverified = Mark::Unverified("no --trust");
    for (i, t) in package.trace().iter().enumerate() {
        let mark = verdicts.and_then(|v| v.trace.get(i)).unwrap_or(&unverified);
        let _ = writeln!(
            s,
            "  {}. {} [{}]",
            i + 1,
            trace_words(&trace_payload(&t.payload)),
            mark.text()
        );
    }
    if let Some(v) = verdicts {
        let verdict = match v.report.indication() {
            edoc::Indication::TotalPassed => "the package verifies".to_owned(),
            other => format!("the package does NOT verify ({other})"),
        };
        let _ = writeln!(s, "\nVerdict    {verdict}");
    }
    s
}
