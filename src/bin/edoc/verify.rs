//! `edoc verify`: packages (files, folders, standard input) or a plain JAdES/JWS.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use edoc::{
    CheckStatus, Commitment, Directory, Limits, Policy, TrustStore, ValidationReport,
    VerifiedPackage, Verifier,
};
use rayon::prelude::*;

use crate::cli::VerifyArgs;
use crate::error::CliError;
use crate::io;

/// Folders are walked at most this deep: deeper trees are almost certainly a link loop or a
/// mistake, and the walk must end.
const MAX_FOLDER_DEPTH: usize = 32;

/// One package to verify.
enum Job {
    Stdin,
    File(PathBuf),
}

impl Job {
    fn target(&self) -> String {
        match self {
            Job::Stdin => "-".to_owned(),
            Job::File(p) => p.display().to_string(),
        }
    }
}

/// What became of one package.
enum Outcome {
    Verified(Box<VerifiedPackage>),
    Rejected(Box<ValidationReport>),
    Unreadable(String),
}

/// An outcome, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ok,
    Failed,
    Unreadable,
}

impl Outcome {
    fn kind(&self) -> Kind {
        match self {
            Outcome::Verified(_) => Kind::Ok,
            Outcome::Rejected(_) => Kind::Failed,
            Outcome::Unreadable(_) => Kind::Unreadable,
        }
    }
}

pub(crate) fn run(args: &VerifyArgs) -> Result<(), CliError> {
    let trust = trust_store(args)?;
    let policy = match &args.policy {
        Some(p) => Policy::from_json(&io::read_file(p, "cannot read the policy")?)
            .map_err(|e| CliError::Config(format!("{}: {e}", p.display())))?,
        None => Policy::strict(),
    };
    let directory = match &args.directory {
        Some(p) => Some(
            Directory::from_json(&io::read_file(p, "cannot read the directory")?)
                .map_err(|e| CliError::Config(format!("{}: {e}", p.display())))?,
        ),
        None => None,
    };
    // A verifier per use: it borrows the directory as a `dyn` trait object, which is not
    // `Sync`, while the store (with its cache) and the directory themselves are shared.
    let verifier = || {
        let v = Verifier::new(&trust, &policy);
        match &directory {
            Some(d) => v.with_directory(d),
            None => v,
        }
    };
    let now = args.at.unwrap_or_else(io::now);

    if let Some(payload) = &args.payload {
        return verify_jws(args, &verifier(), payload, now);
    }

    let jobs = collect_jobs(&args.targets)?;
    let progress = Progress::new(jobs.len(), !args.quiet && std::io::stderr().is_terminal());
    let limits = Limits::default();
    // Each result is reduced to its printed line inside the worker, so a large folder never
    // holds every package (inline attachments included) in memory at once.
    let results: Vec<(Kind, String)> = jobs
        .par_iter()
        .map(|job| {
            let target = job.target();
            let outcome = verify_one(job, &verifier(), &limits, args.detached_dir.as_deref(), now);
            progress.tick();
            let line = if args.json {
                json_line(&target, &outcome)
            } else {
                text_line(&target, &outcome)
            };
            (outcome.kind(), line)
        })
        .collect();
    progress.done();

    let count = |k: Kind| results.iter().filter(|(kind, _)| *kind == k).count();
    let (ok, failed, unreadable) = (
        count(Kind::Ok),
        count(Kind::Failed),
        count(Kind::Unreadable),
    );
    if !args.quiet {
        let mut out = std::io::stdout().lock();
        for (_, line) in &results {
            // A closed pipe (`| head`) is not an error of the verification.
            if writeln!(out, "{line}").is_err() {
                break;
            }
        }
        if !args.json {
            let mut summary = format!("{ok} verified, {failed} failed");
            if unreadable > 0 {
                summary.push_str(&format!(", {unreadable} unreadable"));
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

fn trust_store(args: &VerifyArgs) -> Result<TrustStore, CliError> {
    let mut store = TrustStore::default();
    let config =
        |p: &Path, e: edoc::TrustStoreError| CliError::Config(format!("{}: {e}", p.display()));
    for p in &args.trust {
        let n = store
            .add_anchors_pem(&io::read_file(p, "cannot read trust anchors")?)
            .map_err(|e| config(p, e))?;
        if n == 0 {
            return Err(CliError::Config(format!(
                "{}: no CERTIFICATE in this trust anchor file",
                p.display()
            )));
        }
    }
    for p in &args.intermediates {
        store
            .add_intermediates_pem(&io::read_file(p, "cannot read intermediates")?)
            .map_err(|e| config(p, e))?;
    }
    for p in &args.crl {
        store
            .add_crls_pem(&io::read_file(p, "cannot read CRLs")?)
            .map_err(|e| config(p, e))?;
    }
    Ok(store)
}

/// The packages named by the targets, in the order given; folders are walked in name order.
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
            jobs.push(Job::Stdin);
            continue;
        }
        let path = PathBuf::from(t);
        if path.is_dir() {
            walk(&path, 0, &mut jobs)?;
        } else {
            // A missing file is reported as unreadable with the others, not as a stop.
            jobs.push(Job::File(path));
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
        } else if path.is_file() && is_package_name(&path) {
            jobs.push(Job::File(path));
        }
    }
    Ok(())
}

fn is_package_name(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("json") | Some("edoc")
    )
}

fn verify_one(
    job: &Job,
    verifier: &Verifier<'_>,
    limits: &Limits,
    detached_dir: Option<&Path>,
    now: time::OffsetDateTime,
) -> Outcome {
    let target = job.target();
    let bytes = match io::read_bounded(&target, limits.max_package_bytes, "cannot read") {
        Ok(b) => b,
        Err(e) => return Outcome::Unreadable(e.to_string()),
    };
    let mut detached = io::detached(&target, detached_dir);
    match verifier.verify_bytes(&bytes, limits, &mut detached, now) {
        Ok(v) => Outcome::Verified(Box::new(v)),
        Err(rejected) => Outcome::Rejected(Box::new(rejected.into_report())),
    }
}

fn role(c: Option<Commitment>) -> &'static str {
    match c {
        Some(Commitment::ProofOfApproval) => "approval",
        Some(Commitment::ProofOfOrigin) => "seal",
        Some(Commitment::ProofOfReceipt) => "receipt",
        None => "no commitment",
    }
}

fn text_line(target: &str, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Verified(v) => {
            let h = v.header();
            let signers: Vec<String> = v
                .signatures()
                .iter()
                .map(|s| {
                    let subject = s.chain().subject();
                    let name = subject
                        .common_name
                        .clone()
                        .unwrap_or_else(|| subject.to_string());
                    format!("{name} ({})", role(s.commitment()))
                })
                .collect();
            format!(
                "OK      {target}: {}/{} from {}, signed by {}",
                h.number(),
                h.notation(),
                h.sender(),
                signers.join(", ")
            )
        }
        Outcome::Rejected(report) => {
            let sub = report
                .sub_indication()
                .map_or_else(|| report.indication().to_string(), |s| s.to_string());
            let doc = report
                .number_notation
                .as_ref()
                .map(|n| match &report.sender {
                    Some(s) => format!(" [{n} from {s}]"),
                    None => format!(" [{n}]"),
                })
                .unwrap_or_default();
            format!("FAILED  {target}: {sub}: {}{doc}", reason(report))
        }
        Outcome::Unreadable(e) => format!("ERROR   {target}: {e}"),
    }
}

/// The deciding failure in plain words: the first failed document check, else the first failed
/// check of a signature, naming its signer.
fn reason(report: &ValidationReport) -> String {
    let failed = |c: &&edoc::Check| c.status == CheckStatus::Failed;
    if let Some(c) = report.checks.iter().find(failed) {
        return c.detail.clone();
    }
    for s in &report.signatures {
        if let Some(c) = s.checks.iter().find(failed) {
            let who = s
                .signer
                .as_ref()
                .map_or_else(|| "an unidentified signer".to_owned(), |n| n.to_string());
            return format!("the {} of {who}: {}", role_noun(s.commitment), c.detail);
        }
    }
    if report.signatures.is_empty() {
        return "the document carries no signature".to_owned();
    }
    report.indication().to_string()
}

fn role_noun(c: Option<Commitment>) -> &'static str {
    match c {
        Some(Commitment::ProofOfOrigin) => "seal",
        Some(Commitment::ProofOfReceipt) => "receipt",
        _ => "signature",
    }
}

fn json_line(target: &str, outcome: &Outcome) -> String {
    let mut value = match outcome {
        Outcome::Verified(v) => report_value(v.report()),
        Outcome::Rejected(r) => report_value(r),
        Outcome::Unreadable(e) => serde_json::json!({ "error": e }),
    };
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "target".into(),
            serde_json::Value::String(target.to_owned()),
        );
    }
    value.to_string()
}

fn report_value(report: &ValidationReport) -> serde_json::Value {
    // The library's JSON is the stable form; re-read it to add `target` and print one line.
    serde_json::from_str(&report.to_json()).unwrap_or(serde_json::Value::Null)
}

/// `--payload`: one plain JAdES/JWS signature file over one payload file.
fn verify_jws(
    args: &VerifyArgs,
    verifier: &Verifier<'_>,
    payload_path: &Path,
    now: time::OffsetDateTime,
) -> Result<(), CliError> {
    let [target] = args.targets.as_slice() else {
        return Err(CliError::Usage(
            "with --payload, give exactly one TARGET: the signature file".into(),
        ));
    };
    // A JWS with an x5c chain is a few KiB; 64 MiB matches the package limit.
    let limit = Limits::default().max_package_bytes;
    let sig = io::read_bounded(target, limit, "cannot read the signature")?;
    let payload = io::read_file(payload_path, "cannot read the payload")?;
    let text = String::from_utf8_lossy(&sig);
    let result = verifier.verify_jws(&text, Some(&payload), now);
    let (outcome_line, json, passed) = match &result {
        Ok(report) => {
            let signers: Vec<String> = report
                .signatures
                .iter()
                .map(|s| {
                    let name = s.signer.as_ref().map_or_else(
                        || "an unidentified signer".to_owned(),
                        |n| n.common_name.clone().unwrap_or_else(|| n.to_string()),
                    );
                    format!("{name} ({})", role(s.commitment))
                })
                .collect();
            (
                format!(
                    "OK      {target}: {} signed by {}",
                    payload_path.display(),
                    signers.join(", ")
                ),
                report_value(report),
                true,
            )
        }
        Err(rejected) => {
            let report = rejected.report();
            let sub = report
                .sub_indication()
                .map_or_else(|| report.indication().to_string(), |s| s.to_string());
            (
                format!("FAILED  {target}: {sub}: {}", reason(report)),
                report_value(report),
                false,
            )
        }
    };
    if !args.quiet {
        if args.json {
            let mut json = json;
            if let Some(map) = json.as_object_mut() {
                map.insert("target".into(), serde_json::Value::String(target.clone()));
            }
            println!("{json}");
        } else {
            println!("{outcome_line}");
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

/// A counter on standard error, only when it is a terminal and there is more than one package.
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
