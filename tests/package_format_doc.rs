//! Keeps the example in docs/package-format.md in sync with what the code writes.
//!
//! After a deliberate format change: `EDOC_UPDATE_DOCS=1 cargo test --test package_format_doc`.

use edoc::{Agency, AttachmentEntry, Competence, HeaderBuilder, Package};
use time::macros::date;

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/package-format.md");

fn example() -> Package {
    let letter = b"Kinh gui: UBND xa A Luoi 1".to_vec();
    let header = HeaderBuilder::new()
        .sender(Agency::new(
            "000.00.05.H57".parse().expect("code"),
            "Sở Tài chính",
        ))
        .recipient(Agency::new(
            "000.01.05.H57".parse().expect("code"),
            "Ủy ban nhân dân xã A Lưới 1",
        ))
        .document_type("CV", "Công văn")
        .number_and_notation("12", "STC-QLG")
        .issued("Huế", date!(2025 - 07 - 03))
        .subject("Hướng dẫn mua sắm tài sản")
        .signatory("Trần Thị B", "Phó Giám đốc", Competence::Deputy)
        .due_date(date!(2025 - 07 - 18))
        .attachment(
            AttachmentEntry::for_bytes("cong-van.txt", "text/plain", &letter).expect("entry"),
        )
        .attachment(
            AttachmentEntry::for_bytes("phu-luc.pdf", "application/pdf", b"%PDF-1.7 appendix")
                .expect("entry")
                .with_description("Phụ lục danh mục"),
        )
        .build()
        .expect("header");
    Package::new(header, [("cong-van.txt".to_owned(), letter)]).expect("package")
}

/// Re-indents compact JSON without reordering anything.
fn pretty(compact: &[u8]) -> String {
    let text = String::from_utf8(compact.to_vec()).expect("utf-8");
    let (mut out, mut depth, mut in_str, mut esc) = (String::new(), 0usize, false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_str {
            out.push(c);
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                if matches!(chars.get(i + 1), Some('}' | ']')) {
                    continue;
                }
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                if !matches!(chars.get(i.wrapping_sub(1)), Some('{' | '[')) {
                    depth -= 1;
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c => out.push(c),
        }
    }
    out
}

fn render() -> String {
    let p = example();
    let canonical = String::from_utf8(p.canonical_header().to_vec()).expect("utf-8");
    format!(
        "```json\n{}\n```\n\nIts canonical header bytes (RFC 8785), the bytes that get signed:\n\n```json\n{}\n```\n",
        pretty(&p.to_json()),
        canonical
    )
}

const BEGIN: &str = "<!-- BEGIN GENERATED EXAMPLE (tests/package_format_doc.rs) -->\n";
const END: &str = "<!-- END GENERATED EXAMPLE -->";

#[test]
fn pretty_example_parses_back_to_the_same_package() {
    let p = example();
    let back =
        Package::parse(pretty(&p.to_json()).as_bytes(), &edoc::Limits::default()).expect("parses");
    assert_eq!(back, p);
}

#[test]
fn package_format_doc_example_is_in_sync() {
    let doc = std::fs::read_to_string(DOC).expect("docs/package-format.md");
    let start = doc.find(BEGIN).expect("begin marker") + BEGIN.len();
    let end = doc.find(END).expect("end marker");
    let want = render();
    if std::env::var_os("EDOC_UPDATE_DOCS").is_some() {
        let updated = format!("{}{}{}", &doc[..start], want, &doc[end..]);
        std::fs::write(DOC, updated).expect("write doc");
        return;
    }
    assert_eq!(
        &doc[start..end],
        want,
        "docs/package-format.md is stale; rerun with EDOC_UPDATE_DOCS=1"
    );
}
