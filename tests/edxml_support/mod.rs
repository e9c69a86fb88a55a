//! Hostile edXML documents, shared by `edxml_hostile.rs` (the errors) and `edxml_memory.rs`
//! (the memory they take to refuse).
#![allow(dead_code)] // Each test binary uses a different subset.

use base64::Engine;
use edoc::{import_edxml, EdxmlError, EdxmlImport, EdxmlLimits, EdxmlOptions};

pub(crate) const NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

/// A valid document with `message` as the MessageHeader's content and `after` after the
/// envelope (attachments).
pub(crate) fn document(message: &str, after: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader>{message}</MessageHeader></edXMLHeader>
<edXMLBody><edXMLManifest version="1.0">{manifest}</edXMLManifest></edXMLBody></edXMLEnvelope>{after}</edXML>"#,
        manifest = if after.is_empty() {
            ""
        } else {
            "<Reference><ContentId>cid:1</ContentId><AttachmentName>a.pdf</AttachmentName></Reference>"
        }
    )
}

pub(crate) fn fields(subject: &str) -> String {
    format!(
        "<From><OrganId>000.00.00.G22</OrganId><OrganName>VPCP</OrganName></From>\
         <To><OrganId>000.00.00.H41</OrganId><OrganName>UBND Nghệ An</OrganName></To>\
         <Code><CodeNumber>1</CodeNumber><CodeNotation>VPCP</CodeNotation></Code>\
         <PromulgationInfo><Place>Hà Nội</Place><PromulgationDate>2025/07/01</PromulgationDate></PromulgationInfo>\
         <DocumentType><Type>1</Type><TypeName>Công văn</TypeName></DocumentType>\
         <Subject>{subject}</Subject>\
         <SignerInfo><Position>Bộ trưởng</Position><FullName>A</FullName></SignerInfo>"
    )
}

pub(crate) fn import(xml: &[u8]) -> Result<EdxmlImport, EdxmlError> {
    import_edxml(xml, &EdxmlLimits::default(), &EdxmlOptions::default())
}

pub(crate) const XXE: &str = r#"<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope>&xxe;</edXMLEnvelope></edXML>"#;

pub(crate) const LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope>&lol9;</edXMLEnvelope></edXML>"#;

pub(crate) fn nested(depth: usize) -> String {
    let mut s = format!("<?xml version=\"1.0\"?>\n<edXML xmlns=\"{NS}\">");
    s.push_str(&"<edXMLEnvelope>".repeat(depth));
    s.push_str(&"</edXMLEnvelope>".repeat(depth));
    s.push_str("</edXML>");
    s
}

/// A document whose Subject is `bytes` letters (built by copying, not character by
/// character, so 100 MB is quick in a debug build).
pub(crate) fn huge_subject(bytes: usize) -> Vec<u8> {
    let marker = "SUBJECT";
    let doc = document(&fields(marker), "");
    let at = doc.find(marker).expect("marker");
    let mut out = Vec::with_capacity(doc.len() + bytes);
    out.extend_from_slice(&doc.as_bytes()[..at]);
    out.extend_from_slice(&vec![b'a'; bytes]);
    out.extend_from_slice(&doc.as_bytes()[at + marker.len()..]);
    out
}

pub(crate) fn duplicated_message_header() -> String {
    let one = fields("x");
    format!(
        r#"<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader>{one}</MessageHeader><MessageHeader>{one}</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"#
    )
}

pub(crate) fn unknown_namespace() -> String {
    document(
        &format!(
            "{}<x:Routing xmlns:x=\"http://evil.example/ns\">elsewhere</x:Routing>",
            fields("x")
        ),
        "",
    )
}

/// Writes bits least significant first, as DEFLATE packs them.
struct Bits {
    out: Vec<u8>,
    used: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        for i in 0..count {
            if self.used % 8 == 0 {
                self.out.push(0);
            }
            if value >> i & 1 == 1 {
                *self.out.last_mut().expect("byte") |= 1 << (self.used % 8);
            }
            self.used += 1;
        }
    }

    /// A Huffman code: most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        for i in (0..len).rev() {
            self.put(code >> i & 1, 1);
        }
    }
}

/// A raw DEFLATE stream of about `inflated` zero bytes, written by hand in one fixed-Huffman
/// block (a zero, then matches of 258 at distance 1: 13 bits per 258 bytes), so a test can
/// make a ZIP bomb of any size in milliseconds. Returns the stream and its exact size.
fn deflate_zeros(inflated: usize) -> (Vec<u8>, usize) {
    let matches = inflated.saturating_sub(1) / 258;
    let mut bits = Bits {
        out: Vec::new(),
        used: 0,
    };
    bits.put(1, 1); // the final block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    for _ in 0..matches {
        bits.code(0xC5, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
    }
    bits.code(0, 7); // end of block
    (bits.out, 1 + matches * 258)
}

/// A ZIP holding one deflated `bomb.pdf` of about `inflated` zeros, made by hand (see
/// `deflate_zeros`); the CRC is not computed, since no reader may get that far.
pub(crate) fn bomb_zip(inflated: usize) -> Vec<u8> {
    let (data, size) = deflate_zeros(inflated);
    let name = b"bomb.pdf";
    let u16le = |v: usize| u16::try_from(v).expect("u16").to_le_bytes();
    let u32le = |v: usize| u32::try_from(v).expect("u32").to_le_bytes();
    let mut zip = Vec::new();
    zip.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00");
    zip.extend_from_slice(&[0; 4]); // CRC-32
    zip.extend_from_slice(&u32le(data.len()));
    zip.extend_from_slice(&u32le(size));
    zip.extend_from_slice(&u16le(name.len()));
    zip.extend_from_slice(&[0, 0]);
    zip.extend_from_slice(name);
    zip.extend_from_slice(&data);
    let directory = zip.len();
    zip.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00");
    zip.extend_from_slice(&[0; 4]);
    zip.extend_from_slice(&u32le(data.len()));
    zip.extend_from_slice(&u32le(size));
    zip.extend_from_slice(&u16le(name.len()));
    zip.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
    zip.extend_from_slice(&[0; 4]); // offset of the local header
    zip.extend_from_slice(name);
    let directory_size = zip.len() - directory;
    zip.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00");
    zip.extend_from_slice(&u32le(directory_size));
    zip.extend_from_slice(&u32le(directory));
    zip.extend_from_slice(&[0, 0]);
    zip
}

/// A document whose one attachment (under a PDF name) is `zip`.
pub(crate) fn with_zip(zip: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(zip);
    document(
        &fields("x"),
        &format!(
            "<AttachmentEncoded><Attachment><ContentId>cid:1</ContentId><AttachmentName>a.pdf</AttachmentName>\
             <ContentType>application/zip</ContentType>\
             <ContentTransferEncoded>{b64}</ContentTransferEncoded></Attachment></AttachmentEncoded>"
        ),
    )
}

/// A ZIP bomb: `inflated` bytes of zeros in a few KiB, as an attachment.
pub(crate) fn zip_bomb(inflated: usize) -> String {
    with_zip(&bomb_zip(inflated))
}

/// A ZIP bomb whose central directory claims the entry inflates to 1 000 bytes.
pub(crate) fn lying_zip_bomb(inflated: usize) -> String {
    let mut zip = bomb_zip(inflated);
    let at = zip
        .windows(4)
        .rposition(|w| w == b"PK\x01\x02")
        .expect("central directory");
    zip[at + 24..at + 28].copy_from_slice(&1000u32.to_le_bytes());
    with_zip(&zip)
}
