//! `edoc fetch`: the agency's deliveries, each written and fsynced, verified, and only then
//! acknowledged.

use crate::cli::FetchArgs;
use crate::error::CliError;

#[cfg(feature = "client")]
pub(crate) fn run(args: &FetchArgs) -> Result<(), CliError> {
    use std::time::Duration;

    use edoc::{Detached, Limits, PayloadKind, StatusMessage, Verifier};

    use crate::connect::{connect, directory, failure};

    let c = connect(&args.connect)?;
    let directory = directory(args.directory.as_ref())?;
    std::fs::create_dir_all(&args.out).map_err(|e| CliError::io("cannot create", &args.out, e))?;
    let (mut ok, mut failed) = (0usize, 0usize);
    let mut wait = Duration::from_secs(args.wait);
    loop {
        let batch = c
            .runtime
            .block_on(c.client.fetch(args.max.max(1), wait))
            .map_err(failure)?;
        if batch.is_empty() {
            break;
        }
        wait = Duration::ZERO;
        for d in batch {
            let kind = if d.kind == PayloadKind::Document {
                "package.json"
            } else {
                "status.jws"
            };
            let name = format!("{:08}-{}.{kind}", d.id.0, file_safe(&d.document_id));
            let path = args.out.join(&name);
            write_durably(&path, &d.payload)?;
            let now = edoc::time::OffsetDateTime::now_utc();
            let checked = if d.kind == PayloadKind::Document {
                Verifier::new(&c.trust, &c.policy)
                    .with_directory(&directory)
                    .verify_bytes(&d.payload, &Limits::default(), &mut Detached::none(), now)
                    .map(|v| {
                        format!(
                            "{}/{} from {} ({})",
                            v.header().number(),
                            v.header().notation(),
                            v.header().sender().name,
                            v.header().sender().id
                        )
                    })
                    .map_err(|r| r.report().to_string())
            } else {
                StatusMessage::verify_signed(&d.payload, &c.trust, &c.policy, &directory, now)
                    .map(|s| {
                        let m = s.message();
                        format!("status {} from {} about {}", m.code, m.from, m.document_id)
                    })
                    .map_err(|e| e.to_string())
            };
            match checked {
                Ok(what) => {
                    c.runtime.block_on(c.client.ack(d.id)).map_err(failure)?;
                    ok += 1;
                    println!("OK      {}: #{} {what}", path.display(), d.id.0);
                }
                Err(reason) => {
                    failed += 1;
                    let kept = args.out.join(format!("{name}.FAILED"));
                    std::fs::rename(&path, &kept)
                        .map_err(|e| CliError::io("cannot rename", &path, e))?;
                    println!(
                        "FAILED  {}: #{} not acknowledged: {}",
                        kept.display(),
                        d.id.0,
                        reason.lines().next().unwrap_or_default()
                    );
                }
            }
        }
    }
    println!("{ok} fetched and acknowledged, {failed} failed");
    if failed > 0 {
        return Err(CliError::Failed);
    }
    Ok(())
}

#[cfg(not(feature = "client"))]
pub(crate) fn run(_args: &FetchArgs) -> Result<(), CliError> {
    Err(CliError::Usage(
        "this edoc was built without the `client` feature: cargo install --path . --features cli,client"
            .into(),
    ))
}

/// A document id as part of a file name: letters, digits, `.` and `-`; the rest as `_`.
#[cfg(feature = "client")]
fn file_safe(id: &str) -> String {
    id.chars()
        .take(120)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes through a temporary file, fsyncs it, renames it, and fsyncs the folder: once this
/// returns, the delivery survives a power cut, so acknowledging it loses nothing.
#[cfg(feature = "client")]
fn write_durably(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    crate::io::write_atomic(path, bytes)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| CliError::io("cannot sync", dir, e))?;
    }
    Ok(())
}
