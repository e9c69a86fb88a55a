//! `edoc new`: an unsigned package from flags or a header file, with attachments.

use std::path::{Path, PathBuf};

use edoc::{
    AttachmentEntry, DocumentId, Header, HeaderBuilder, InReplyTo, Limits, Package, Urgency,
};

use crate::cli::{NewArgs, UrgencyArg};
use crate::error::CliError;
use crate::io;

pub(crate) fn run(args: &NewArgs) -> Result<(), CliError> {
    let existing: Option<Header> = match &args.header {
        Some(path) => Some(header_file(path)?),
        None => None,
    };
    let mut builder = match &existing {
        Some(header) => HeaderBuilder::from(header.clone()),
        None => builder_from_flags(args)?,
    };

    // Too large inline attachments are refused before any is read: base64 makes 4 of 3 bytes.
    if !args.detached {
        let mut inline = 0u64;
        for path in &args.attach {
            let meta = std::fs::metadata(path).map_err(|e| CliError::io("cannot read", path, e))?;
            inline += meta.len();
        }
        let estimate = inline.div_ceil(3) * 4 + (64 << 10);
        check_size(estimate, inline, true)?;
    }

    // Inline contents by manifest name; detached files to place beside the package.
    let mut inline = Vec::new();
    let mut detached = Vec::new();
    for path in &args.attach {
        let name = file_name(path)?;
        let media_type = media_type(path);
        // A header file may already list the attachment; then the file only supplies its content.
        let listed = existing
            .as_ref()
            .is_some_and(|h| h.attachment(&name).is_some());
        if args.detached {
            if !listed {
                let file =
                    std::fs::File::open(path).map_err(|e| CliError::io("cannot read", path, e))?;
                let entry = AttachmentEntry::for_reader(&name, media_type, file)
                    .map_err(|e| CliError::Refused(e.to_string()))?;
                builder = builder.attachment(entry);
            }
            detached.push((name, path.clone()));
        } else {
            let bytes = io::read_file(path, "cannot read the attachment")?;
            if !listed {
                let entry = AttachmentEntry::for_bytes(&name, media_type, &bytes)
                    .map_err(|e| CliError::Refused(e.to_string()))?;
                builder = builder.attachment(entry);
            }
            inline.push((name, bytes));
        }
    }
    let header = builder
        .build()
        .map_err(|e| CliError::Refused(e.to_string()))?;
    let package = Package::new(header, inline).map_err(|e| CliError::Refused(e.to_string()))?;
    let mut json = package.to_json();
    json.push(b'\n');
    let inline: u64 = package
        .header()
        .attachments()
        .iter()
        .filter(|a| !package.is_detached(a.name()))
        .map(|a| a.size())
        .sum();
    check_size(json.len() as u64, inline, false)?;

    if let Some(out) = &args.output {
        copy_detached_beside(out, &detached)?;
    } else if args.detached {
        return Err(CliError::Usage(
            "--detached needs -o OUT: the detached files are put beside the package".into(),
        ));
    }
    io::write_output(args.output.as_deref(), &json)?;
    eprintln!(
        "{}",
        wrote(args.output.as_deref(), &package, json.len(), detached.len())
    );
    Ok(())
}

/// Room kept in a package for what comes after `new`: the signatures (a few KiB each, with
/// their certificate chains) and the hubs' trace entries. 256 KiB is generous for both.
const ROOM_FOR_SIGNATURES: usize = 256 << 10;

/// Refuses, at creation, a package that `sign` and every hub would refuse as too large,
/// quoting its size (exact, or estimated from the files before reading them), the limit and
/// what to do.
fn check_size(size: u64, inline: u64, estimated: bool) -> Result<(), CliError> {
    let limit = Limits::default().max_package_bytes as u64;
    let room = ROOM_FOR_SIGNATURES as u64;
    if size + room <= limit {
        return Ok(());
    }
    // Inline content is base64: 4 bytes for 3.
    let fits = (limit - room) / 4 * 3;
    Err(CliError::Refused(format!(
        "the package would be {}{size} bytes ({}), with {} of inline attachments; a package may \
         be at most {limit} bytes ({}), of which {} is kept for the signatures and the hubs' \
         trace entries. Inline attachments are base64 (4 bytes for 3), so about {} of them fit. \
         Keep large files detached with --detached (for local use: hubs take inline \
         attachments only), or split the attachments across several documents",
        if estimated { "about " } else { "" },
        io::mib(size),
        io::mib(inline),
        io::mib(limit),
        io::mib(room),
        io::mib(fits),
    )))
}

/// What `new` wrote, for the person who ran it (on standard error: the package itself may be
/// on standard output).
fn wrote(out: Option<&Path>, package: &Package, size: usize, detached: usize) -> String {
    let h = package.header();
    let place = out.map_or_else(|| "standard output".to_owned(), |p| p.display().to_string());
    let attachments = h.attachments().len();
    let mut line = format!(
        "edoc: wrote {place}: unsigned package {}/{} ({}), {size} bytes, {attachments} \
         attachment{}",
        h.number(),
        h.notation(),
        h.id(),
        if attachments == 1 { "" } else { "s" }
    );
    if detached > 0 {
        line.push_str(&format!(
            " ({detached} detached beside it: for local use, hubs take inline attachments only)"
        ));
    }
    line.push_str("; next: edoc sign --commitment approval (the competent person)");
    line
}

fn header_file(path: &Path) -> Result<Header, CliError> {
    let bytes = io::read_file(path, "cannot read the header")?;
    // The typed header refuses unknown and duplicate fields and runs every field check.
    serde_json::from_slice::<Header>(&bytes)
        .map_err(|e| CliError::Refused(format!("{}: {e}", path.display())))
}

fn builder_from_flags(args: &NewArgs) -> Result<HeaderBuilder, CliError> {
    // clap requires these unless --header is given, and --header is absent here.
    let need = |v: &Option<String>, flag: &str| {
        v.clone()
            .ok_or_else(|| CliError::Usage(format!("--{flag} is required")))
    };
    let sender = args
        .sender
        .ok_or_else(|| CliError::Usage("--sender is required".into()))?;
    let mut b = HeaderBuilder::new()
        .sender(edoc::Agency::new(
            sender,
            need(&args.sender_name, "sender-name")?,
        ))
        .document_type(
            need(&args.type_code, "type-code")?,
            need(&args.type_name, "type-name")?,
        )
        .number_and_notation(
            need(&args.number, "number")?,
            need(&args.notation, "notation")?,
        )
        .issued(
            need(&args.place, "place")?,
            args.date.unwrap_or_else(today_in_vietnam),
        )
        .subject(need(&args.subject, "subject")?)
        .signatory(
            need(&args.signer_name, "signer-name")?,
            need(&args.signer_position, "signer-position")?,
            args.competence.into(),
        )
        .confidentiality(args.confidentiality.into());
    for a in &args.to {
        b = b.recipient(a.clone());
    }
    for a in &args.cc {
        b = b.copy_recipient(a.clone());
    }
    if let Some(s) = &args.summary {
        b = b.summary(s);
    }
    if let Some(id) = &args.id {
        let id: DocumentId = id
            .parse()
            .map_err(|e| CliError::Refused(format!("--id: {e}")))?;
        b = b.id(id);
    }
    let urgency = match (args.urgency, args.urgency_time) {
        (UrgencyArg::Normal, None) => Urgency::Normal,
        (UrgencyArg::Urgent, None) => Urgency::Urgent,
        (UrgencyArg::VeryUrgent, None) => Urgency::VeryUrgent,
        (UrgencyArg::Express, None) => Urgency::Express,
        (UrgencyArg::ExpressAtSetTime, Some(t)) => Urgency::ExpressAtSetTime(t),
        (UrgencyArg::ExpressAtSetTime, None) => {
            return Err(CliError::Usage(
                "--urgency express-at-set-time needs --urgency-time".into(),
            ))
        }
        (_, Some(_)) => {
            return Err(CliError::Usage(
                "--urgency-time goes only with --urgency express-at-set-time".into(),
            ))
        }
    };
    b = b.urgency(urgency);
    if let Some(due) = args.due {
        b = b.due_date(due);
    }
    if let Some(doc) = &args.in_reply_to {
        let (Some(agency), Some(code), Some(date)) =
            (args.reply_agency, &args.reply_code, args.reply_date)
        else {
            return Err(CliError::Usage(
                "--in-reply-to needs --reply-agency, --reply-code and --reply-date".into(),
            ));
        };
        let document_id = doc
            .parse()
            .map_err(|e| CliError::Refused(format!("--in-reply-to: {e}")))?;
        b = b.in_reply_to(InReplyTo {
            agency,
            code: code.clone(),
            date,
            document_id,
        });
    }
    Ok(b)
}

/// Today's date in Vietnam (UTC+07:00, no daylight saving), where documents are dated.
fn today_in_vietnam() -> time::Date {
    let offset = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    io::now().to_offset(offset).date()
}

fn file_name(path: &Path) -> Result<String, CliError> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| {
            CliError::Usage(format!(
                "--attach {}: the file name must be valid UTF-8",
                path.display()
            ))
        })
}

/// The media type from the file extension; anything unknown is `application/octet-stream`.
fn media_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "xml" => "application/xml",
        "json" => "application/json",
        "txt" => "text/plain",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Detached contents must sit beside the package, named as in the manifest: copy each one
/// there unless it already is that file. An existing different file is never overwritten.
fn copy_detached_beside(out: &Path, files: &[(String, PathBuf)]) -> Result<(), CliError> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    for (name, src) in files {
        let dest = dir.join(name);
        let same = match (std::fs::canonicalize(src), std::fs::canonicalize(&dest)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            continue;
        }
        if dest.exists() {
            return Err(CliError::Usage(format!(
                "{} already exists; not overwritten (the detached copy of {})",
                dest.display(),
                src.display()
            )));
        }
        std::fs::copy(src, &dest)
            .map_err(|e| CliError::io("cannot copy the attachment to", &dest, e))?;
    }
    Ok(())
}
