// The invariants each fuzz target asserts. Shared, through `#[path]`, by the fuzz targets and by
// `tests/fuzz_corpus.rs`, which replays every committed corpus and artifact file in plain `cargo test`.
#![allow(dead_code)]

/// Agency codes: parsing never panics, and whatever parses prints back to the same text.
pub(crate) fn org_id(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = text.parse::<edoc::OrgId>() {
        assert_eq!(
            id.to_string(),
            text,
            "an accepted code must print back unchanged"
        );
        if let Some(parent) = id.parent() {
            assert!(id.is_within(&parent) && parent.level() < id.level());
        }
    }
}

/// A target's invariant check over one input.
pub(crate) type Check = fn(&[u8]);

/// Every target by name, for the corpus replay.
pub(crate) const TARGETS: &[(&str, Check)] = &[("org_id", org_id)];
