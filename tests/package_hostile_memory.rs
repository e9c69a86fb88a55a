//! Peak memory for hostile packages that are refused: at most a small multiple of their size.
//!
//! Each case re-runs this test binary as a child process with only that test selected, so it
//! measures a fresh process: the child builds its 60 MiB input, reads its peak resident set
//! (VmHWM in /proc/self/status), parses, and checks both the refusal and the growth of the peak,
//! which must stay under 150 MiB. Other tests running beside it cannot move the child's peak.

use std::process::Command;

use edoc::{JsonError, Limits, Package, PackageError};

/// The size of every hostile input.
const SIZE: usize = 60 << 20;
/// The largest growth of the peak resident set while one input is parsed and refused.
const BUDGET: u64 = 150 << 20;
/// Set in the child: the name of the case to run.
const CHILD: &str = "EDOC_HOSTILE_MEMORY_CHILD";

/// Peak resident set size (VmHWM) of this process in bytes, from /proc/self/status.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM line");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("VmHWM value");
    kib * 1024
}

/// A valid header's members as JSON, without the closing brace, so more can follow.
fn header_fields() -> String {
    let header = edoc::HeaderBuilder::new()
        .sender(edoc::Agency::new(
            "000.00.41.H57".parse().expect("code"),
            "UBND xã A Lưới 1",
        ))
        .recipient(edoc::Agency::new(
            "000.00.05.H57".parse().expect("code"),
            "Sở Tài chính",
        ))
        .document_type("CV", "Công văn")
        .number_and_notation("42", "UBND-TCKH")
        .issued("A Lưới", time::macros::date!(2025 - 07 - 02))
        .subject("x")
        .signatory("A", "B", edoc::Competence::None)
        .build()
        .expect("header");
    let json = serde_json::to_string(&header).expect("header JSON");
    json.strip_suffix('}').expect("an object").to_owned()
}

/// A package whose header's `extensions.x` is `item,item,…` up to `SIZE` bytes in all.
fn with_extension_items(open: &str, item: &str, close: &str) -> Vec<u8> {
    let head = format!(
        r#"{{"edoc":1,"header":{},"extensions":{{"x":{open}"#,
        header_fields()
    );
    let tail =
        format!(r#"{close}}}}},"attachments":[],"signatures":{{"signatures":[]}},"trace":[]}}"#);
    filled(&head, item, &tail)
}

/// `head`, then `item` repeated (comma-separated) until the whole is about `SIZE` bytes, then
/// `tail`; built with its final capacity, in chunks, so building it neither takes long nor
/// lifts the peak above the input itself (the peak is a high-water mark).
fn filled(head: &str, item: &str, tail: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIZE + item.len() + tail.len() + 2);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(item.as_bytes());
    let one = format!(",{item}");
    let chunk = one.repeat((64 << 10) / one.len() + 1);
    while out.len() + chunk.len() + tail.len() < SIZE {
        out.extend_from_slice(chunk.as_bytes());
    }
    while out.len() + one.len() + tail.len() < SIZE {
        out.extend_from_slice(one.as_bytes());
    }
    out.extend_from_slice(tail.as_bytes());
    out
}

fn input(case: &str) -> Vec<u8> {
    match case {
        // The shape from issue 12: 1.9 GiB of peak memory and 8.8 s before HeaderTooLarge.
        "zeros" => with_extension_items("[", "0", "]"),
        "distinct_keys" => {
            // Outside the header (whose size bound would speak first): one trace entry.
            let head = format!(
                r#"{{"edoc":1,"header":{}}},"attachments":[],"signatures":{{"signatures":[]}},"trace":[{{"#,
                header_fields()
            );
            let tail = r#"}]}"#;
            let mut out = Vec::with_capacity(SIZE + 128);
            out.extend_from_slice(head.as_bytes());
            // Distinct 64-digit keys, counted up in place (formatting each is slow in debug).
            let mut key =
                *b"\"0000000000000000000000000000000000000000000000000000000000000000\":0,";
            while out.len() + key.len() + tail.len() < SIZE {
                out.extend_from_slice(&key);
                for digit in key[1..65].iter_mut().rev() {
                    if *digit == b'9' {
                        *digit = b'0';
                    } else {
                        *digit += 1;
                        break;
                    }
                }
            }
            out.pop(); // the last comma
            out.extend_from_slice(tail.as_bytes());
            out
        }
        "long_strings" => {
            let long = format!("\"{}\"", "a".repeat(60_000));
            with_extension_items("[", &long, "]")
        }
        "empty_signatures" => {
            let head = format!(
                r#"{{"edoc":1,"header":{}}},"attachments":[],"signatures":{{"signatures":["#,
                header_fields()
            );
            filled(
                &head,
                r#"{"protected":"","signature":""}"#,
                r#"]},"trace":[]}"#,
            )
        }
        other => panic!("unknown case {other}"),
    }
}

/// Runs `case` in a child process (see the module documentation); in the child, measures it.
fn measure(test: &str, case: &str, refused: impl Fn(&PackageError) -> bool) {
    if std::env::var(CHILD).as_deref() == Ok(case) {
        let bytes = input(case);
        assert!(bytes.len() >= SIZE - (64 << 10), "{} bytes", bytes.len());
        let before = peak_rss();
        let result = Package::parse(&bytes, &Limits::default());
        let growth = peak_rss().saturating_sub(before);
        let err = result.expect_err("a hostile package must be refused");
        println!(
            "{case}: {:.1} MiB refused ({err}); peak RSS grew by {} KiB (budget {} KiB)",
            bytes.len() as f64 / f64::from(1 << 20),
            growth / 1024,
            BUDGET / 1024
        );
        assert!(refused(&err), "{case}: refused with {err:?}");
        assert!(growth < BUDGET, "{case}: peak RSS grew by {growth} bytes");
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let out = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, case)
        .output()
        .expect("the child runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{case}: {text}");
    assert!(
        text.contains(&format!("{case}: ")) && text.contains("MiB refused ("),
        "the child did not measure: {text}"
    );
    let at = text.find(&format!("{case}: ")).unwrap_or(0);
    println!("{}", text[at..].lines().next().unwrap_or(""));
}

fn too_many_values(e: &PackageError) -> bool {
    matches!(e, PackageError::Json(JsonError::TooManyValues { .. }))
}

#[test]
fn a_60_mib_header_of_zeros_is_refused_within_150_mib_of_peak_memory() {
    measure(
        "a_60_mib_header_of_zeros_is_refused_within_150_mib_of_peak_memory",
        "zeros",
        too_many_values,
    );
}

#[test]
fn a_60_mib_object_of_distinct_keys_is_refused_within_150_mib_of_peak_memory() {
    measure(
        "a_60_mib_object_of_distinct_keys_is_refused_within_150_mib_of_peak_memory",
        "distinct_keys",
        too_many_values,
    );
}

#[test]
fn a_60_mib_header_of_long_strings_is_refused_within_150_mib_of_peak_memory() {
    measure(
        "a_60_mib_header_of_long_strings_is_refused_within_150_mib_of_peak_memory",
        "long_strings",
        |e| matches!(e, PackageError::HeaderTooLarge { size, limit } if *size > *limit && *limit == 1 << 20),
    );
}

#[test]
fn a_60_mib_list_of_empty_signatures_is_refused_within_150_mib_of_peak_memory() {
    measure(
        "a_60_mib_list_of_empty_signatures_is_refused_within_150_mib_of_peak_memory",
        "empty_signatures",
        too_many_values,
    );
}

#[test]
fn the_peak_memory_probe_sees_a_large_allocation() {
    // Proves the probe can fail: holding 160 MiB must show up as growth above the budget.
    let before = peak_rss();
    let big = vec![1u8; 160 << 20];
    let growth = peak_rss().saturating_sub(before);
    assert_eq!(big.iter().map(|&b| u64::from(b)).sum::<u64>(), 160 << 20);
    assert!(growth >= BUDGET, "grew only {growth} bytes");
}
