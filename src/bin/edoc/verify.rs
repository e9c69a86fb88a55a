//! `edoc verify`: packages, status messages, hub receipts and other JAdES/JWS, from files,
//! folders and standard input, each recognised by its content (`classify`) and checked by its
//! own rules.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use edoc::{
    verify_trace, ChainError, JwsSignature, Limits, ParsedSignature, Receipt, SignedMessageError,
    StatusMessage, SubIndication, TraceHop, ValidationReport, ValidationTimes, VerifiedPackage,
    VerifiedStatus,
};
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::cause::{first_cause, hint};
use crate::classify::{classify, Artifact};
use crate::cli::VerifyArgs;
use crate::error::CliError;
use crate::inputs::Inputs;
use crate::{io, words};

/// Folders are walked at most this deep: deeper trees are almost certainly a link loop or a
/// mistake, and the walk must end.
const MAX_FOLDER_DEPTH: usize = 32;

/// How much of a file found in a folder is read to tell what it is, when its name does not say.
const SNIFF_BYTES: usize = 64 << 10;

/// One file to check.
struct Job {
    source: Source,
    /// Found by walking a folder (rather than named on the command line): a file that is not a
    /// signed artifact is then listed as skipped rather than failed.
    in_folder: bool,
}

enum Source {
    Stdin,
    File(PathBuf),
}

impl Job {
    fn target(&self) -> String {
        match &self.source {
            Source::Stdin => "-".to_owned(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// Whether the name says the file is meant to be a package or a signature, so that content
    /// that is none must fail rather than be skipped.
    fn named_as_artifact(&self) -> bool {
        match &self.source {
            Source::Stdin => true,
            Source::File(p) => {
                !self.in_folder
                    || matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("json" | "edoc" | "jws")
                    )
            }
        }
    }
}

/// Why a file failed, when it is not a package (whose report says it).
struct Failure {
    sub: Option<SubIndication>,
    text: String,
}

/// The routing trace of a verified package.
enum TraceCheck {
    /// No trace (not routed yet).
    Empty,
    /// Every entry verified against --hubs.
    Verified(Vec<TraceHop>),
    /// Entries present, but no --hubs to check them against.
    Unchecked(usize),
    /// An entry does not verify.
    Failed(String),
}

/// What became of one file.
enum Outcome {
    Package(Box<VerifiedPackage>, TraceCheck),
    Rejected(Box<ValidationReport>),
    Status(Box<VerifiedStatus>),
    Receipt(Box<Receipt>),
    Jws(Box<ValidationReport>),
    JwsRejected(Box<ValidationReport>),
    /// A signed message (status, receipt) or an unverifiable file that failed.
    Failed(&'static str, Failure),
    Skipped(&'static str),
    Unreadable(String),
}

/// An outcome, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ok,
    Failed,
    Unreadable,
    Skipped,
}

impl Outcome {
    fn kind(&self) -> Kind {
        match self {
            Outcome::Package(_, TraceCheck::Failed(_)) => Kind::Failed,
            Outcome::Package(..) | Outcome::Status(_) | Outcome::Receipt(_) | Outcome::Jws(_) => {
                Kind::Ok
            }
            Outcome::Rejected(_) | Outcome::JwsRejected(_) | Outcome::Failed(..) => Kind::Failed,
            Outcome::Skipped(_) => Kind::Skipped,
            Outcome::Unreadable(_) => Kind::Unreadable,
        }
    }
}

/// One result, reduced to what is printed (a folder of packages is never all in memory).
struct Done {
    kind: Kind,
    target: String,
    line: String,
    /// The files this package expects beside it, so that they are not reported as unknown.
    detached: Vec<PathBuf>,
}

pub(crate) fn run(args: &VerifyArgs) -> Result<(), CliError> {
    let inputs = Inputs::load(&args.inputs)?;
    if let Some(payload) = &args.payload {
        return verify_payload(args, &inputs, payload);
    }

    let jobs = collect_jobs(&args.targets)?;
    let progress = Progress::new(jobs.len(), !args.quiet && std::io::stderr().is_terminal());
    let limits = Limits::default();
    let mut results: Vec<Done> = jobs
        .par_iter()
        .map(|job| {
            let target = job.target();
            let (outcome, detached) = check(job, &inputs, &limits, args.detached_dir.as_deref());
            progress.tick();
            let line = if args.json {
                json_line(&target, &outcome)
            } else {
                text_line(&target, &outcome, &inputs)
            };
            Done {
                kind: outcome.kind(),
                target,
                line,
                detached,
            }
        })
        .collect();
    progress.done();
    name_detached_attachments(&mut results, args.json);

    let count = |k: Kind| results.iter().filter(|d| d.kind == k).count();
    let (ok, failed, unreadable, skipped) = (
        count(Kind::Ok),
        count(Kind::Failed),
        count(Kind::Unreadable),
        count(Kind::Skipped),
    );
    if !args.quiet {
        let mut out = std::io::stdout().lock();
        for d in &results {
            // A closed pipe (`| head`) is not an error of the verification.
            if writeln!(out, "{}", d.line).is_err() {
                break;
            }
        }
        if !args.json {
            let mut summary = format!("{ok} verified, {failed} failed");
            if unreadable > 0 {
                summary.push_str(&format!(", {unreadable} unreadable"));
            }
            if skipped > 0 {
                summary.push_str(&format!(", {skipped} skipped (not signed artifacts)"));
            }
            let _ = writeln!(out, "{summary}");
        }
    }
    if unreadable > 0 {
        Err(CliError::Unreadable)
    } else if failed > 0 {
        Err(CliError::Failed)
    } else {
        Ok(())
    }
}

/// A skipped file that a package of the same folder names as a detached attachment says so.
fn name_detached_attachments(results: &mut [Done], json: bool) {
    let owners: HashMap<PathBuf, String> = results
        .iter()
        .flat_map(|d| d.detached.iter().map(|p| (p.clone(), d.target.clone())))
        .collect();
    for d in results.iter_mut().filter(|d| d.kind == Kind::Skipped) {
        if let Some(owner) = owners.get(Path::new(&d.target)) {
            let reason = format!("a detached attachment of {owner}, checked with it");
            d.line = if json {
                json!({"target": d.target, "kind": "skipped", "reason": reason}).to_string()
            } else {
                format!("SKIPPED {}: {reason}", d.target)
            };
        }
    }
}

/// The files named by the targets, in the order given; folders are walked in name order.
fn collect_jobs(targets: &[String]) -> Result<Vec<Job>, CliError> {
    let mut jobs = Vec::new();
    let mut stdin_seen = false;
    for t in targets {
        if t == "-" {
            if stdin_seen {
                return Err(CliError::Usage(
                    "`-` (standard input) can be given only once".into(),
                ));
            }
            stdin_seen = true;
            jobs.push(Job {
                source: Source::Stdin,
                in_folder: false,
            });
            continue;
        }
        let path = PathBuf::from(t);
        if path.is_dir() {
            walk(&path, 0, &mut jobs)?;
        } else {
            // A missing file is reported as unreadable with the others, not as a stop.
            jobs.push(Job {
                source: Source::File(path),
                in_folder: false,
            });
        }
    }
    Ok(jobs)
}

fn walk(dir: &Path, depth: usize, jobs: &mut Vec<Job>) -> Result<(), CliError> {
    if depth > MAX_FOLDER_DEPTH {
        return Err(CliError::Usage(format!(
            "{}: folders nested deeper than {MAX_FOLDER_DEPTH}",
            dir.display()
        )));
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| CliError::io("cannot read folder", dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| CliError::io("cannot read folder", dir, e))?;
        // Symbolic links to folders are not followed, so a link loop cannot make the walk endless.
        if kind.is_dir() {
            walk(&path, depth + 1, jobs)?;
        } else if path.is_file() {
            jobs.push(Job {
                source: Source::File(path),
                in_folder: true,
            });
        }
    }
    Ok(())
}

/// Reads, recognises and checks one file; also returns the detached attachments a package
/// expects beside it.
fn check(
    job: &Job,
    inputs: &Inputs,
    limits: &Limits,
    detached_dir: Option<&Path>,
) -> (Outcome, Vec<PathBuf>) {
    let target = job.target();
    // A file in a folder whose name does not say what it is: look at its start first, so a
    // large attachment is not read whole just to be skipped.
    if let (Source::File(path), false) = (&job.source, job.named_as_artifact()) {
        match io::read_prefix(path, SNIFF_BYTES) {
            Err(e) => return (Outcome::Unreadable(e.to_string()), vec![]),
            Ok((prefix, whole)) => {
                let start = prefix.trim_ascii_start();
                let may_be_signed = start.starts_with(b"{")
                    || start
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.\r\n".contains(b));
                if !may_be_signed || whole {
                    if let Artifact::Other(what) = classify(&prefix) {
                        return (Outcome::Skipped(what), vec![]);
                    }
                }
            }
        }
    }
    let bytes = match io::read_input(&target, limits.max_package_bytes, "cannot read") {
        Ok(b) => b,
        Err(CliError::Refused(reason)) => {
            let failure = Failure {
                sub: Some(SubIndication::FormatFailure),
                text: reason,
            };
            return (Outcome::Failed("", failure), vec![]);
        }
        Err(e) => return (Outcome::Unreadable(e.to_string()), vec![]),
    };
    let unverifiable = |what: &'static str, text: String| {
        let failure = Failure {
            sub: Some(SubIndication::FormatFailure),
            text,
        };
        Outcome::Failed(what, failure)
    };
    let outcome = match classify(&bytes) {
        Artifact::Package => return check_package(&bytes, &target, inputs, limits, detached_dir),
        Artifact::Status => check_status(&bytes, inputs),
        Artifact::Receipt => check_receipt(&bytes, inputs),
        Artifact::AttachedJws => check_jws(&bytes, inputs),
        Artifact::DetachedJws if job.in_folder && !job.named_as_artifact() => {
            Outcome::Skipped("a JAdES/JWS with a detached payload (verify it with --payload FILE)")
        }
        Artifact::DetachedJws => unverifiable(
            "signature",
            "a JAdES/JWS whose payload is detached: give the payload with --payload FILE".into(),
        ),
        Artifact::TraceEntry => unverifiable(
            "trace entry",
            "a hub's trace entry alone: verify the package that carries it, with --hubs".into(),
        ),
        Artifact::Other(what) if what.starts_with("JSON:") && job.in_folder => {
            Outcome::Skipped(what)
        }
        Artifact::Other(what) if !job.named_as_artifact() => Outcome::Skipped(what),
        Artifact::Other(what) => unverifiable(
            "",
            format!("not a package, status message or receipt ({what})"),
        ),
    };
    (outcome, vec![])
}

fn check_package(
    bytes: &[u8],
    target: &str,
    inputs: &Inputs,
    limits: &Limits,
    detached_dir: Option<&Path>,
) -> (Outcome, Vec<PathBuf>) {
    let dir = io::detached_dir(target, detached_dir);
    let mut detached = io::detached(target, detached_dir);
    let expects = |p: &edoc::Package| -> Vec<PathBuf> {
        let Some(dir) = &dir else {
            return Vec::new();
        };
        p.header()
            .attachments()
            .iter()
            .filter(|a| p.is_detached(a.name()))
            .map(|a| dir.join(a.name()))
            .collect()
    };
    match inputs
        .verifier()
        .verify_bytes(bytes, limits, &mut detached, inputs.now)
    {
        Ok(v) => {
            let names = expects(v.package());
            let trace = check_trace(&v, inputs);
            (Outcome::Package(Box::new(v), trace), names)
        }
        Err(rejected) => {
            let names = rejected.package().map(expects).unwrap_or_default();
            (Outcome::Rejected(Box::new(rejected.into_report())), names)
        }
    }
}

fn check_trace(package: &VerifiedPackage, inputs: &Inputs) -> TraceCheck {
    let entries = package.package().trace().len();
    if entries == 0 {
        return TraceCheck::Empty;
    }
    let Some(hubs) = &inputs.hubs else {
        return TraceCheck::Unchecked(entries);
    };
    match verify_trace(package, hubs, &inputs.store, &inputs.policy, inputs.now) {
        Ok(hops) => TraceCheck::Verified(hops),
        Err(e) => TraceCheck::Failed(e.to_string()),
    }
}

fn check_status(bytes: &[u8], inputs: &Inputs) -> Outcome {
    match StatusMessage::verify_signed(
        bytes,
        &inputs.store,
        &inputs.policy,
        inputs.agencies(),
        inputs.now,
    ) {
        Ok(status) => Outcome::Status(Box::new(status)),
        Err(e) => Outcome::Failed("status message", signed_failure(&e, bytes, inputs)),
    }
}

fn check_receipt(bytes: &[u8], inputs: &Inputs) -> Outcome {
    let Some(hubs) = &inputs.hubs else {
        let failure = Failure {
            sub: None,
            text: "which certificates sign for which hub is not known: pass the hubs file with \
                   --hubs"
                .into(),
        };
        return Outcome::Failed("receipt", failure);
    };
    match Receipt::verify(bytes, hubs, &inputs.store, &inputs.policy, inputs.now) {
        Ok(receipt) => Outcome::Receipt(Box::new(receipt)),
        Err(e) => Outcome::Failed("receipt", signed_failure(&e, bytes, inputs)),
    }
}

fn check_jws(bytes: &[u8], inputs: &Inputs) -> Outcome {
    let text = String::from_utf8_lossy(bytes);
    match inputs.verifier().verify_jws(text.trim(), None, inputs.now) {
        Ok(report) => Outcome::Jws(Box::new(report)),
        Err(rejected) => Outcome::JwsRejected(Box::new(rejected.into_report())),
    }
}

/// A signed message's failure with its sub-indication; for an untrusted chain, the chain is
/// validated again to name the exact cause and what to do when an input is missing.
fn signed_failure(e: &SignedMessageError, bytes: &[u8], inputs: &Inputs) -> Failure {
    let sub = match e {
        SignedMessageError::Chain { .. } => chain_error(bytes, inputs).map(|c| c.sub_indication()),
        SignedMessageError::Signature { .. } => Some(SubIndication::SigCryptoFailure),
        SignedMessageError::Commitment { .. } | SignedMessageError::WrongSigner { .. } => {
            Some(SubIndication::SigConstraintsFailure)
        }
        _ => Some(SubIndication::FormatFailure),
    };
    let mut text = e.to_string();
    let check = match e {
        SignedMessageError::Chain { .. } => "certificateChain",
        SignedMessageError::WrongSigner { .. } => "sealOwner",
        _ => "",
    };
    if let Some(h) = hint(check, sub, inputs.given) {
        text.push_str("; ");
        text.push_str(h);
    }
    Failure { sub, text }
}

fn chain_error(bytes: &[u8], inputs: &Inputs) -> Option<ChainError> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    let mut parts = text.split('.');
    let (protected, _, signature) = (parts.next()?, parts.next()?, parts.next()?);
    let parsed = ParsedSignature::parse(&JwsSignature {
        protected: protected.to_owned(),
        signature: signature.to_owned(),
    })
    .ok()?;
    let times = ValidationTimes::signed_at(inputs.now, parsed.signing_time()?);
    inputs
        .store
        .validate_chain(parsed.chain(), times, &inputs.policy)
        .err()
}

fn signer_name(name: Option<&edoc::CertificateName>) -> String {
    name.map_or_else(
        || "an unidentified signer".to_owned(),
        |n| n.common_name.clone().unwrap_or_else(|| n.to_string()),
    )
}

/// "Name (role), Name (role)" of a plain JWS's signatures.
fn jws_signers(report: &ValidationReport) -> String {
    let signers: Vec<String> = report
        .signatures
        .iter()
        .map(|s| {
            format!(
                "{} ({})",
                signer_name(s.signer.as_ref()),
                words::role(s.commitment)
            )
        })
        .collect();
    signers.join(", ")
}

fn text_line(target: &str, outcome: &Outcome, inputs: &Inputs) -> String {
    match outcome {
        Outcome::Package(v, trace) => {
            let h = v.header();
            let document = format!("{}/{} from {}", h.number(), h.notation(), h.sender());
            if let TraceCheck::Failed(e) = trace {
                return format!(
                    "FAILED  {target}: the routing trace does not verify: {e} [{document}]"
                );
            }
            let signers: Vec<String> = v
                .signatures()
                .iter()
                .map(|s| {
                    let subject = s.chain().subject();
                    let name = subject
                        .common_name
                        .clone()
                        .unwrap_or_else(|| subject.to_string());
                    format!("{name} ({})", words::role(s.commitment()))
                })
                .collect();
            let trace = match trace {
                TraceCheck::Empty | TraceCheck::Failed(_) => String::new(),
                TraceCheck::Verified(hops) => {
                    let path: Vec<&str> = hops.iter().map(|h| h.hub.as_str()).collect();
                    format!("; trace {} verified", path.join(" → "))
                }
                TraceCheck::Unchecked(n) => format!(
                    "; its routing trace ({n} hub entr{}) is not verified: pass --hubs FILE",
                    if *n == 1 { "y" } else { "ies" }
                ),
            };
            // What the policy reports without refusing (a high-S signature, a declared
            // signatory that differs under a lenient policy): a clerk sees it on the OK line.
            let report = v.report();
            let warnings: String = report
                .checks
                .iter()
                .chain(report.signatures.iter().flat_map(|s| s.checks.iter()))
                .filter(|c| c.status == edoc::CheckStatus::Warning)
                .map(|c| format!("; warning ({}): {}", c.name, c.detail))
                .collect();
            format!(
                "OK      {target}: {document}, signed by {}{trace}{warnings}",
                signers.join(", ")
            )
        }
        Outcome::Rejected(report) => {
            let (sub, cause) = first_cause(report, inputs.given);
            let sub = sub.map_or_else(|| report.indication().to_string(), |s| s.to_string());
            let doc = report
                .number_notation
                .as_ref()
                .map(|n| match &report.sender {
                    Some(s) => format!(" [{n} from {s}]"),
                    None => format!(" [{n}]"),
                })
                .unwrap_or_default();
            format!("FAILED  {target}: {sub}: {cause}{doc}")
        }
        Outcome::Status(s) => {
            let m = s.message();
            format!(
                "OK      {target}: status {} about {}, from {} to {}, {}, sealed by {}",
                m.code,
                m.document_id,
                m.from,
                m.to,
                words::time_text(m.time),
                signer_name(Some(s.signer()))
            )
        }
        Outcome::Receipt(r) => {
            let dispositions: Vec<String> = r
                .dispositions
                .iter()
                .map(|d| format!("{} {}", d.recipient, d.disposition))
                .collect();
            format!(
                "OK      {target}: receipt of hub {} for {} from {}, {}: {}",
                r.hub,
                r.message_id,
                r.from,
                words::time_text(r.received),
                dispositions.join("; ")
            )
        }
        Outcome::Jws(report) => {
            format!("OK      {target}: a JWS signed by {}", jws_signers(report))
        }
        Outcome::JwsRejected(report) => {
            let (sub, cause) = first_cause(report, inputs.given);
            let sub = sub.map_or_else(|| report.indication().to_string(), |s| s.to_string());
            format!("FAILED  {target}: {sub}: {cause}")
        }
        Outcome::Failed(what, f) => {
            let sub = f
                .sub
                .map_or_else(|| "INDETERMINATE".to_owned(), |s| s.to_string());
            if what.is_empty() {
                format!("FAILED  {target}: {sub}: {}", f.text)
            } else {
                format!("FAILED  {target}: {sub}: {what}: {}", f.text)
            }
        }
        Outcome::Skipped(what) => format!("SKIPPED {target}: {what}"),
        Outcome::Unreadable(e) => format!("ERROR   {target}: {e}"),
    }
}

fn json_line(target: &str, outcome: &Outcome) -> String {
    let mut value = match outcome {
        Outcome::Package(v, trace) => {
            let mut value = report_value(v.report());
            let trace = match trace {
                TraceCheck::Empty => json!({"entries": 0, "verified": true, "hops": []}),
                TraceCheck::Verified(hops) => {
                    json!({"entries": hops.len(), "verified": true, "hops": hops})
                }
                TraceCheck::Unchecked(n) => json!({
                    "entries": n, "verified": false,
                    "reason": "no --hubs file: the hubs' certificates are not known"
                }),
                TraceCheck::Failed(e) => json!({
                    "entries": v.package().trace().len(), "verified": false, "error": e
                }),
            };
            if let Some(map) = value.as_object_mut() {
                map.insert("kind".into(), "package".into());
                map.insert("trace".into(), trace);
            }
            value
        }
        Outcome::Rejected(report) => {
            let mut value = report_value(report);
            if let Some(map) = value.as_object_mut() {
                map.insert("kind".into(), "package".into());
            }
            value
        }
        Outcome::Status(s) => json!({
            "kind": "status", "indication": "TOTAL_PASSED", "subIndication": null,
            "status": s.message(), "signer": s.signer(),
        }),
        Outcome::Receipt(r) => json!({
            "kind": "receipt", "indication": "TOTAL_PASSED", "subIndication": null,
            "receipt": r,
        }),
        Outcome::Jws(report) | Outcome::JwsRejected(report) => {
            let mut value = report_value(report);
            if let Some(map) = value.as_object_mut() {
                map.insert("kind".into(), "jws".into());
            }
            value
        }
        Outcome::Failed(what, f) => {
            let kind = match *what {
                "status message" => "status",
                "receipt" => "receipt",
                _ => "unknown",
            };
            let indication = f.sub.map_or("INDETERMINATE", |s| match s.indication() {
                edoc::Indication::TotalFailed => "TOTAL_FAILED",
                _ => "INDETERMINATE",
            });
            json!({"kind": kind, "indication": indication, "subIndication": f.sub, "error": f.text})
        }
        Outcome::Skipped(what) => json!({"kind": "skipped", "reason": what}),
        Outcome::Unreadable(e) => json!({"kind": "unreadable", "error": e}),
    };
    if let Some(map) = value.as_object_mut() {
        map.insert("target".into(), Value::String(target.to_owned()));
    }
    value.to_string()
}

fn report_value(report: &ValidationReport) -> Value {
    // The library's JSON is the stable form; re-read it to add `target` and print one line.
    serde_json::from_str(&report.to_json()).unwrap_or(Value::Null)
}

/// `--payload`: one plain JAdES/JWS signature file over one payload file.
fn verify_payload(args: &VerifyArgs, inputs: &Inputs, payload_path: &Path) -> Result<(), CliError> {
    let [target] = args.targets.as_slice() else {
        return Err(CliError::Usage(
            "with --payload, give exactly one TARGET: the signature file".into(),
        ));
    };
    // A JWS with an x5c chain is a few KiB; 64 MiB matches the package limit.
    let limit = Limits::default().max_package_bytes;
    let sig = io::read_bounded(target, limit, "cannot read the signature")?;
    let carries_payload = match classify(&sig) {
        Artifact::Status => Some("a status message"),
        Artifact::Receipt => Some("a hub's receipt"),
        Artifact::Package => Some("a package"),
        Artifact::AttachedJws => Some("a JWS that carries its payload"),
        _ => None,
    };
    if let Some(what) = carries_payload {
        return Err(CliError::Usage(format!(
            "{target} is {what}, which carries what it signs: verify it without --payload"
        )));
    }
    let payload = io::read_file(payload_path, "cannot read the payload")?;
    let text = String::from_utf8_lossy(&sig);
    let outcome = match inputs
        .verifier()
        .verify_jws(&text, Some(&payload), inputs.now)
    {
        Ok(report) => Outcome::Jws(Box::new(report)),
        Err(rejected) => Outcome::JwsRejected(Box::new(rejected.into_report())),
    };
    let passed = outcome.kind() == Kind::Ok;
    if !args.quiet {
        if args.json {
            println!("{}", json_line(target, &outcome));
        } else {
            let line = match &outcome {
                Outcome::Jws(report) => format!(
                    "OK      {target}: {} signed by {}",
                    payload_path.display(),
                    jws_signers(report)
                ),
                other => text_line(target, other, inputs),
            };
            println!("{line}");
            println!(
                "{} verified, {} failed",
                usize::from(passed),
                usize::from(!passed)
            );
        }
    }
    if passed {
        Ok(())
    } else {
        Err(CliError::Failed)
    }
}

/// A counter on standard error, only when it is a terminal and there is more than one file.
struct Progress {
    total: usize,
    done: AtomicUsize,
    enabled: bool,
}

impl Progress {
    fn new(total: usize, terminal: bool) -> Progress {
        Progress {
            total,
            done: AtomicUsize::new(0),
            enabled: terminal && total > 1,
        }
    }

    fn tick(&self) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rverifying {n}/{}", self.total);
            let _ = err.flush();
        }
    }

    fn done(&self) {
        if self.enabled {
            // Erase the counter line: the results go to standard output.
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
