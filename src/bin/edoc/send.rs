//! `edoc send`: packages and status messages to the agency's hub.

use crate::cli::SendArgs;
use crate::error::CliError;

#[cfg(feature = "client")]
pub(crate) fn run(args: &SendArgs) -> Result<(), CliError> {
    use edoc::{ClientError, Disposition, Limits};

    use crate::connect::{connect, failure};
    use crate::io::{read_bounded, write_atomic};

    let c = connect(&args.connect)?;
    let limit = Limits::default().max_package_bytes;
    let mut refused = 0usize;
    for file in &args.files {
        let name = file.display().to_string();
        let bytes = read_bounded(&name, limit, "cannot read")?;
        // A package is a JSON object; a status message is JWS compact text.
        let is_package = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'{');
        let sent = c.runtime.block_on(async {
            if is_package {
                c.client.submit(&bytes).await
            } else {
                c.client.submit_status(&bytes).await
            }
        });
        match sent {
            Ok(s) => {
                let outcome: Vec<String> = s
                    .receipt
                    .dispositions
                    .iter()
                    .map(|d| {
                        let what = match &d.disposition {
                            Disposition::Delivered => "delivered".to_owned(),
                            Disposition::Forwarded { hub } => format!("forwarded to {hub}"),
                            Disposition::Refused { reason } => format!("refused ({reason})"),
                        };
                        format!("{} {what}", d.recipient)
                    })
                    .collect();
                println!(
                    "SENT    {name}: {} accepted by {}{}: {}",
                    s.receipt.message_id,
                    s.receipt.hub,
                    if s.duplicate {
                        " (already, first receipt)"
                    } else {
                        ""
                    },
                    outcome.join("; ")
                );
                if let Some(dir) = &args.receipts {
                    let file_name = file
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "package".into());
                    std::fs::create_dir_all(dir)
                        .map_err(|e| CliError::io("cannot create", dir, e))?;
                    write_atomic(
                        &dir.join(format!("{file_name}.receipt.jws")),
                        &s.signed_receipt,
                    )?;
                }
            }
            Err(ClientError::Refused { problem }) => {
                refused += 1;
                let sub = problem
                    .sub_indication
                    .as_deref()
                    .map(|s| format!(" [{s}]"))
                    .unwrap_or_default();
                println!("REFUSED {name}:{sub} {}", problem.detail);
            }
            Err(e @ (ClientError::Unauthorized { .. } | ClientError::Protocol { .. })) => {
                refused += 1;
                println!("REFUSED {name}: {e}");
            }
            Err(e) => return Err(failure(e)),
        }
    }
    if refused > 0 {
        return Err(CliError::Refused(format!(
            "{refused} of {} refused",
            args.files.len()
        )));
    }
    Ok(())
}

#[cfg(not(feature = "client"))]
pub(crate) fn run(_args: &SendArgs) -> Result<(), CliError> {
    Err(CliError::Usage(
        "this edoc was built without the `client` feature: cargo install --path . --features cli,client"
            .into(),
    ))
}
