//! Attachment content in edXML: base64 in `ContentTransferEncoded`, often wrapped by the VPCP
//! SDK in a one-entry ZIP (`<uuid>.<extension>`, deflated) whatever `ContentType` says.
//!
//! Import decodes, unwraps a transfer ZIP and picks the media type; export writes the content
//! so that import gives it back byte for byte. Everything is bounded by
//! [`EdxmlLimits::max_attachment_bytes`](super::EdxmlLimits::max_attachment_bytes): a ZIP
//! that claims or inflates to more is refused, so a ZIP bomb stops at the bound.

use std::io::{Cursor, Read, Write};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

use super::error::EdxmlError;

/// Base64 as writers send it: the standard alphabet, padded or not.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Extensions of formats that are ZIP files themselves: never unwrapped.
const ZIP_FORMATS: &[&str] = &[
    "zip", "docx", "docm", "xlsx", "xlsm", "pptx", "pptm", "odt", "ods", "odp", "odg", "epub",
    "jar", "apk", "kmz", "xps", "oxps",
];

/// Media types by file extension, for content whose declared type does not fit it.
const BY_EXTENSION: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("rtf", "application/rtf"),
    ("txt", "text/plain"),
    ("xml", "application/xml"),
    ("edxml", "application/xml"),
    ("json", "application/json"),
    ("html", "text/html"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("zip", "application/zip"),
];

/// An attachment's content as imported.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) content: Vec<u8>,
    pub(crate) media_type: String,
    /// The entry of the transfer ZIP the content was taken from.
    pub(crate) unwrapped_from: Option<String>,
}

fn extension(name: &str) -> Option<String> {
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The number of entries the ZIP's end-of-central-directory record declares, read before any
/// ZIP reader allocates for them; `None` when there is no such record (or it is ZIP64).
fn zip_entry_count(bytes: &[u8]) -> Option<u16> {
    // The record is 22 bytes plus a comment of at most 65 535.
    let tail_start = bytes.len().saturating_sub(22 + 65_535);
    let tail = bytes.get(tail_start..)?;
    let at = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let record = tail.get(at..at + 22)?;
    let count = u16::from_le_bytes([*record.get(10)?, *record.get(11)?]);
    (count != u16::MAX).then_some(count)
}

/// True for content the import would unwrap: a one-entry ZIP under a name that is not itself
/// a ZIP format (a `.docx` is a ZIP and stays one).
pub(crate) fn is_transfer_zip(name: &str, bytes: &[u8]) -> bool {
    is_zip(bytes)
        && zip_entry_count(bytes) == Some(1)
        && !extension(name).is_some_and(|e| ZIP_FORMATS.contains(&e.as_str()))
}

/// A media type like `application/pdf` (the rule the manifest applies).
pub(crate) fn is_media_type(mt: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    mt.len() <= 255 && matches!(mt.split_once('/'), Some((t, s)) if token(t) && token(s))
}

fn sniff(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"%PDF") {
        Some("application/pdf")
    } else if is_zip(content) {
        Some("application/zip")
    } else if content.starts_with(b"<?xml") {
        Some("application/xml")
    } else {
        None
    }
}

/// Decodes the base64 text of one attachment and unwraps a transfer ZIP. `declared` are the
/// media types the manifest `Reference` and the `Attachment` state, in that order; the first
/// that fits the content is kept (a ZIP type fits only ZIP content), else the type of the
/// file extension, else what the bytes look like. `budget` is what is left of
/// `max_attachment_bytes` and shrinks by the content's size.
pub(crate) fn decode(
    encoded: &str,
    name: &str,
    declared: [Option<&str>; 2],
    path: &str,
    budget: &mut usize,
) -> Result<Decoded, EdxmlError> {
    let limit_error = |found: usize, limit: usize| EdxmlError::Limit {
        path: path.to_owned(),
        what: "attachment bytes (all attachments, decoded and unzipped)",
        field: "max_attachment_bytes",
        found,
        limit,
    };
    let compact;
    let encoded = if encoded.bytes().any(|b| b.is_ascii_whitespace()) {
        // Base64 wrapped at 76 characters (MIME style): drop the line breaks first.
        compact = encoded
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect::<String>();
        compact.as_str()
    } else {
        encoded
    };
    let estimate = encoded.len() / 4 * 3;
    if estimate > *budget {
        return Err(limit_error(estimate, *budget));
    }
    let bytes = BASE64
        .decode(encoded.as_bytes())
        .map_err(|e| EdxmlError::Attachment {
            path: path.to_owned(),
            reason: format!("ContentTransferEncoded is not base64: {e}"),
        })?;
    let (content, unwrapped_from) = if is_transfer_zip(name, &bytes) {
        let (entry, content) = unzip(&bytes, path, *budget)?;
        (content, Some(entry))
    } else {
        (bytes, None)
    };
    if content.len() > *budget {
        return Err(limit_error(content.len(), *budget));
    }
    *budget -= content.len();
    let fits = |mt: &str| is_media_type(mt) && (mt != "application/zip" || is_zip(&content));
    let by_name = unwrapped_from
        .as_deref()
        .or(Some(name))
        .and_then(extension)
        .and_then(|e| BY_EXTENSION.iter().find(|(x, _)| *x == e))
        .map(|(_, mt)| *mt)
        .filter(|mt| fits(mt));
    let media_type = declared
        .into_iter()
        .flatten()
        .find(|mt| fits(mt))
        .or(by_name)
        .or_else(|| sniff(&content))
        .unwrap_or("application/octet-stream")
        .to_owned();
    Ok(Decoded {
        content,
        media_type,
        unwrapped_from,
    })
}

/// The single file of a transfer ZIP, inflated within `budget` bytes.
fn unzip(bytes: &[u8], path: &str, budget: usize) -> Result<(String, Vec<u8>), EdxmlError> {
    let broken = |e: zip::result::ZipError| EdxmlError::Attachment {
        path: path.to_owned(),
        reason: format!(
            "the content is a ZIP (as the VPCP SDK sends files) but cannot be read: {e}"
        ),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(broken)?;
    let mut file = archive.by_index(0).map_err(broken)?;
    if file.is_dir() || file.encrypted() {
        return Err(EdxmlError::Attachment {
            path: path.to_owned(),
            reason: "the ZIP's only entry is a folder or encrypted".into(),
        });
    }
    let entry = file.name().map_err(broken)?.into_owned();
    let declared = usize::try_from(file.size()).unwrap_or(usize::MAX);
    let too_big = |found| EdxmlError::Limit {
        path: path.to_owned(),
        what: "attachment bytes (all attachments, decoded and unzipped)",
        field: "max_attachment_bytes",
        found,
        limit: budget,
    };
    if declared > budget {
        return Err(too_big(declared));
    }
    // The declared size may lie: read at most one byte past the budget.
    let mut content = Vec::with_capacity(declared);
    (&mut file)
        .take(u64::try_from(budget).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut content)
        .map_err(|e| EdxmlError::Attachment {
            path: path.to_owned(),
            reason: format!("the ZIP entry {entry:?} cannot be inflated: {e}"),
        })?;
    if content.len() > budget {
        return Err(too_big(content.len()));
    }
    Ok((entry, content))
}

/// What content that looks damaged says, for the import report.
pub(crate) fn damage(content: &[u8]) -> Option<&'static str> {
    // A PDF read as text and written back as UTF-8 has its binary bytes replaced by U+FFFD
    // (EF BF BD), as in one of the hub-delivered samples.
    let replaced = content.windows(3).filter(|w| *w == b"\xEF\xBF\xBD").count();
    (content.starts_with(b"%PDF") && replaced >= 8).then_some(
        "looks corrupted: a PDF whose binary bytes were replaced by U+FFFD (a gateway read it \
         as text); ask the sender for the file again",
    )
}

/// The content as it travels in edXML, and the `ContentType` of the `Attachment`: the bytes
/// themselves, or (for content the import would unwrap) wrapped in a transfer ZIP as the VPCP
/// SDK does, so that the import gives back these very bytes.
pub(crate) fn encode(
    name: &str,
    media_type: &str,
    content: &[u8],
) -> Result<(String, String), EdxmlError> {
    if !is_transfer_zip(name, content) {
        return Ok((BASE64.encode(content), media_type.to_owned()));
    }
    let failed = |e: String| EdxmlError::Export {
        reason: format!("attachment {name:?}: cannot wrap it in a ZIP: {e}"),
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(name, options)
        .map_err(|e| failed(e.to_string()))?;
    zip.write_all(content).map_err(|e| failed(e.to_string()))?;
    let bytes = zip
        .finish()
        .map_err(|e| failed(e.to_string()))?
        .into_inner();
    Ok((BASE64.encode(bytes), "application/zip".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zipped(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            zip.start_file(*name, options).expect("entry");
            zip.write_all(data).expect("write");
        }
        zip.finish().expect("finish").into_inner()
    }

    #[test]
    fn a_transfer_zip_is_unwrapped_and_a_docx_is_not() {
        let inner = b"%PDF-1.7 x";
        let z = zipped(&[("0b4d.pdf", inner)]);
        let mut budget = 1 << 20;
        let d = decode(
            &BASE64.encode(&z),
            "letter.pdf",
            [Some("application/zip"), None],
            "A",
            &mut budget,
        )
        .expect("decodes");
        assert_eq!(d.content, inner);
        assert_eq!(d.media_type, "application/pdf");
        assert_eq!(d.unwrapped_from.as_deref(), Some("0b4d.pdf"));
        assert_eq!(budget, (1 << 20) - inner.len());
        let d = decode(
            &BASE64.encode(&z),
            "letter.docx",
            [None, None],
            "A",
            &mut budget,
        )
        .expect("decodes");
        // A .docx is itself a ZIP: kept whole, with the type its name says.
        assert_eq!(d.content, z);
        assert!(d.media_type.ends_with("wordprocessingml.document"));
    }

    #[test]
    fn a_zip_that_inflates_past_the_budget_is_refused() {
        let z = zipped(&[("bomb.bin", &vec![0u8; 4 << 20])]);
        assert!(z.len() < 64 << 10);
        let mut budget = 1 << 20;
        let e = decode(&BASE64.encode(&z), "x.pdf", [None, None], "A", &mut budget).unwrap_err();
        assert!(
            matches!(
                e,
                EdxmlError::Limit {
                    field: "max_attachment_bytes",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn export_wraps_only_what_import_would_unwrap_and_import_gives_it_back() {
        let one = zipped(&[("a.txt", b"a")]);
        for (name, content) in [
            ("x.bin", one.as_slice()),
            ("x.zip", one.as_slice()),
            ("y.pdf", b"%PDF".as_slice()),
        ] {
            let (b64, ct) = encode(name, "application/zip", content).expect("encodes");
            let mut budget = 1 << 20;
            let back = decode(
                &b64,
                name,
                [Some("application/zip"), Some(&ct)],
                "A",
                &mut budget,
            )
            .expect("decodes");
            assert_eq!(back.content, content, "{name}");
        }
    }
}
