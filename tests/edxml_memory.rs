//! Hostile edXML is refused in bounded memory: the peak resident set grows by a few MiB at
//! most beyond the input, whatever the input asks for (a 100 MB text node, a ZIP bomb,
//! 10 000-level nesting, entity expansion). One test, alone in its binary, so nothing else
//! moves the peak it reads; it resets the peak before each case (Linux `clear_refs`).
#![cfg(feature = "edxml")]

#[path = "edxml_support/mod.rs"]
mod support;

use support::*;

/// Resident set size now and at its peak (VmRSS, VmHWM) in bytes, from /proc/self/status.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<u64>().ok())
            .expect("field")
            * 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak to the current resident set (Linux `clear_refs` value 5).
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs");
}

/// How much the peak grows, beyond what is resident before, while `f` runs.
fn peak_growth(f: impl FnOnce()) -> u64 {
    reset_peak();
    let (before, _) = rss();
    f();
    rss().1.saturating_sub(before)
}

#[test]
fn hostile_documents_are_refused_within_a_few_mib_beyond_the_input() {
    const BUDGET: u64 = 16 << 20;
    // The probe can fail: 64 MiB held shows.
    let grew = peak_growth(|| {
        let v = vec![1u8; 64 << 20];
        assert_eq!(v.iter().map(|&b| u64::from(b)).sum::<u64>(), 64 << 20);
    });
    assert!(grew >= 48 << 20, "the probe saw only {grew} bytes");

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("external entity", XXE.as_bytes().to_vec()),
        ("billion laughs", LAUGHS.as_bytes().to_vec()),
        ("10 000-level nesting", nested(10_000).into_bytes()),
        ("100 MB text node", huge_subject(100_000_000)),
        (
            "duplicated MessageHeader",
            duplicated_message_header().into_bytes(),
        ),
        ("unknown namespace", unknown_namespace().into_bytes()),
        (
            "ZIP bomb (64 MiB inflated)",
            zip_bomb(64 << 20).into_bytes(),
        ),
        (
            "ZIP bomb lying about its size",
            lying_zip_bomb(64 << 20).into_bytes(),
        ),
    ];
    for (name, input) in cases {
        let mut error = None;
        let grew = peak_growth(|| error = import(&input).err());
        let error = error.unwrap_or_else(|| panic!("{name}: accepted"));
        println!(
            "{name}: {} input bytes refused, peak grew {} KiB: {error}",
            input.len(),
            grew >> 10
        );
        assert!(
            error.path().is_some_and(|p| !p.is_empty()),
            "{name}: {error}"
        );
        assert!(grew < BUDGET, "{name}: peak grew {grew} bytes");
    }
}
