//! A strict pre-pass over untrusted JSON bytes.
//!
//! `serde_json` alone keeps the last of two duplicate keys when it builds a `Value`, accepts
//! integers that other JSON readers round, and bounds nesting only at its own fixed depth. This
//! pass runs first, over the bytes as received, and refuses all of that with the JSON path of the
//! offending value, so typed deserialization afterwards only ever sees well-behaved JSON.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::limits::Limits;

/// The largest integer every JSON reader represents exactly: 2^53 − 1 (RFC 7493 §2.2, I-JSON).
pub(crate) const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why untrusted JSON bytes were refused before they were interpreted.
///
/// Every variant that concerns a value carries its JSON path, such as
/// `header.recipients[3].name` (`$` is the document itself).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The input is larger than the limit for this kind of document.
    #[error("JSON input is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit that applied.
        limit: usize,
    },
    /// Arrays and objects nest deeper than the limit.
    #[error("JSON nests deeper than {limit} levels at {path}")]
    TooDeep {
        /// Path of the array or object that went past the limit.
        path: String,
        /// The depth limit.
        limit: usize,
    },
    /// An object has the same key twice (compared after unescaping, so `"a"` and `"\u0061"`
    /// are the same key). Readers disagree on which one wins, so the document is ambiguous.
    #[error("duplicate key {key:?} in the object at {path}")]
    DuplicateKey {
        /// Path of the object.
        path: String,
        /// The repeated key, unescaped (truncated to 64 characters).
        key: String,
    },
    /// A number is an integer outside ±(2^53 − 1), which many JSON readers cannot hold exactly
    /// (RFC 7493 §2.2), or is not finite.
    #[error("number at {path} is outside the exact range ±(2^53 − 1) or not finite")]
    NumberOutOfRange {
        /// Path of the number.
        path: String,
    },
    /// The document holds more values (scalars, arrays and objects) than the limit: each costs
    /// far more memory once read than its byte or two of JSON.
    #[error("JSON holds more than {limit} values (the limit), at {path}")]
    TooManyValues {
        /// Path of the value that went past the limit.
        path: String,
        /// The limit.
        limit: usize,
    },
    /// A top-level member (the package header) is larger than its limit in canonical form
    /// (RFC 8785: no whitespace, strings escaped as JCS writes them).
    #[error(
        "the value at {path} is at least {size} bytes in canonical form; the limit is {limit}"
    )]
    ValueTooLarge {
        /// The member's path, e.g. `header`.
        path: String,
        /// Its canonical size counted up to where the pass stopped reading (at the first byte
        /// past the limit, so the whole is at least this large).
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A string (or object key) is longer than the limit, in bytes after unescaping.
    #[error("string at {path} is {length} bytes; the limit is {limit}")]
    StringTooLong {
        /// Path of the string (for a key: the object that holds it).
        path: String,
        /// Its length in UTF-8 bytes.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not well-formed JSON in UTF-8: bad syntax, truncation, trailing data, invalid
    /// UTF-8 or an unpaired surrogate escape.
    #[error("malformed JSON at line {line}, column {column} (near {path}): {reason}")]
    Syntax {
        /// Path being read when the error was found.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON reader objected to.
        reason: String,
    },
}

/// Checks untrusted JSON bytes against `limits` without interpreting them.
///
/// Uses `max_package_bytes` as the total size limit, `max_depth`, and `max_string_bytes`.
/// Callers that need a different total size pass a copy of their limits with it changed.
pub(crate) fn check(bytes: &[u8], limits: &Limits) -> Result<(), JsonError> {
    check_except(bytes, limits, &[])
}

/// [`check`], except that strings at the `long` paths are bounded only by the total size.
///
/// A pattern is a rendered path with `[]` standing for any index, e.g. `attachments[].data`:
/// inline attachment content is one long base64 string by design.
pub(crate) fn check_except(bytes: &[u8], limits: &Limits, long: &[&str]) -> Result<(), JsonError> {
    check_sized(bytes, limits, long, None)
}

/// [`check_except`], and the top-level member `sized.0` (the package header) may be at most
/// `sized.1` bytes in canonical form (RFC 8785). Its size is counted as the pass reads it, and
/// the pass stops as soon as it is past the bound, so a header that is too large is refused
/// before anything builds it in memory, and without reading the rest of it.
pub(crate) fn check_sized(
    bytes: &[u8],
    limits: &Limits,
    long: &[&str],
    sized: Option<(&str, usize)>,
) -> Result<(), JsonError> {
    if bytes.len() > limits.max_package_bytes {
        return Err(JsonError::TooLarge {
            size: bytes.len(),
            limit: limits.max_package_bytes,
        });
    }
    let mut state = State {
        limits,
        long,
        path: Vec::new(),
        error: None,
        values: 0,
        sized,
        sized_bytes: 0,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // Our own depth limit is enforced before serde_json's; keep serde_json's as a backstop.
    let result = Node { st: &mut state }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    match result {
        Ok(()) => Ok(()),
        Err(e) => Err(state.error.take().unwrap_or_else(|| JsonError::Syntax {
            path: render(&state.path),
            line: e.line(),
            column: e.column(),
            reason: strip_position(&e.to_string()),
        })),
    }
}

/// The JSON path of the value being read at a 1-based `line` and `column` of `bytes` (as a
/// serde_json error reports them), or `$` when it cannot be told.
///
/// Used to name the field of a typed-deserialization error: the pre-pass is rerun over the bytes
/// up to just before that position, and the path where that prefix ends is the answer. Only
/// called on failure, over input that already passed [`check`].
pub(crate) fn path_at(bytes: &[u8], line: usize, column: usize, limits: &Limits) -> String {
    let mut start = 0usize;
    for _ in 1..line {
        match bytes
            .get(start..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        {
            Some(i) => start += i + 1,
            None => return "$".into(),
        }
    }
    // serde_json reports the position just after the offending token; stepping one byte back
    // ends the prefix inside that token, so the path names it rather than its parent.
    let end = (start + column).saturating_sub(1).min(bytes.len());
    match bytes.get(..end).map(|prefix| check(prefix, limits)) {
        Some(Err(JsonError::Syntax { path, .. })) => path,
        _ => "$".into(),
    }
}

/// serde_json appends " at line L column C"; the error carries those as fields.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_owned(),
        None => msg.to_owned(),
    }
}

enum Segment {
    Key(String),
    Index(usize),
    AnyIndex,
}

struct State<'l> {
    limits: &'l Limits,
    long: &'l [&'l str],
    path: Vec<Segment>,
    error: Option<JsonError>,
    /// Values read so far, against `limits.max_values`.
    values: usize,
    /// The top-level member whose canonical size is bounded, and the bound.
    sized: Option<(&'l str, usize)>,
    /// The canonical size of that member counted so far.
    sized_bytes: usize,
}

impl State<'_> {
    /// Records the first violation and returns an opaque serde error that aborts the parse.
    fn fail<E: de::Error>(&mut self, err: JsonError) -> E {
        let msg = err.to_string();
        if self.error.is_none() {
            self.error = Some(err);
        }
        E::custom(msg)
    }

    fn path(&self) -> String {
        render(&self.path)
    }

    /// Counts one more value; refuses it past `max_values`, before it is read.
    fn count<E: de::Error>(&mut self) -> Result<(), E> {
        self.values += 1;
        if self.values > self.limits.max_values {
            let err = JsonError::TooManyValues {
                path: self.path(),
                limit: self.limits.max_values,
            };
            return Err(self.fail(err));
        }
        Ok(())
    }

    /// Whether the value being read lies in the sized member (or is it).
    fn in_sized(&self) -> bool {
        match (self.sized, self.path.first()) {
            (Some((name, _)), Some(Segment::Key(k))) => k == name,
            _ => false,
        }
    }

    /// Adds `n` canonical bytes to the sized member's count, when inside it, and stops reading
    /// as soon as the count passes the bound.
    fn grow<E: de::Error>(&mut self, n: usize) -> Result<(), E> {
        let Some((name, limit)) = self.sized else {
            return Ok(());
        };
        if !self.in_sized() {
            return Ok(());
        }
        self.sized_bytes = self.sized_bytes.saturating_add(n);
        if self.sized_bytes > limit {
            let err = JsonError::ValueTooLarge {
                path: name.to_owned(),
                size: self.sized_bytes,
                limit,
            };
            return Err(self.fail(err));
        }
        Ok(())
    }

    fn check_string<E: de::Error>(&mut self, s: &str) -> Result<(), E> {
        // Rendering the pattern only happens for long strings, so the common path costs nothing.
        if s.len() > self.limits.max_string_bytes && !self.is_long_field() {
            let err = JsonError::StringTooLong {
                path: self.path(),
                length: s.len(),
                limit: self.limits.max_string_bytes,
            };
            return Err(self.fail(err));
        }
        Ok(())
    }

    fn is_long_field(&self) -> bool {
        if self.long.is_empty() {
            return false;
        }
        let pattern: Vec<Segment> = self
            .path
            .iter()
            .map(|s| match s {
                Segment::Key(k) => Segment::Key(k.clone()),
                Segment::Index(_) | Segment::AnyIndex => Segment::AnyIndex,
            })
            .collect();
        let rendered = render(&pattern);
        self.long.iter().any(|p| *p == rendered)
    }

    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        // The depth of the container being entered is the number of segments above it plus one;
        // checked before any element is read, so deep input never recurses further.
        if self.path.len() >= self.limits.max_depth {
            let err = JsonError::TooDeep {
                path: self.path(),
                limit: self.limits.max_depth,
            };
            return Err(self.fail(err));
        }
        Ok(())
    }
}

/// Renders a path as `a.b[3].c`; keys that are not plain identifiers are quoted: `a["x.y"]`.
fn render(path: &[Segment]) -> String {
    let mut out = String::from("$");
    for seg in path {
        match seg {
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
            Segment::AnyIndex => out.push_str("[]"),
            Segment::Key(k)
                if !k.is_empty()
                    && k.len() <= 64
                    && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                out.push('.');
                out.push_str(k);
            }
            Segment::Key(k) => {
                let clipped: String = k.chars().take(64).collect();
                out.push_str(&format!("[{clipped:?}]"));
            }
        }
    }
    match out.strip_prefix("$.") {
        Some(rest) => rest.to_owned(),
        None => out,
    }
}

/// One JSON value at the current path.
struct Node<'s, 'l> {
    st: &'s mut State<'l>,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.st.count()?;
        d.deserialize_any(self)
    }
}

/// The length of `s` as RFC 8785 writes it, quotes included: `"` and `\` and the control
/// characters are escaped (two bytes for those with a short form, six for the others).
fn canonical_string_len(s: &str) -> usize {
    let escapes: usize = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 1,
            0x00..=0x1f => 5,
            _ => 0,
        })
        .sum();
    s.len() + escapes + 2
}

/// The number of decimal digits of `v`.
fn digits(v: u64) -> usize {
    v.checked_ilog10().map_or(1, |d| d as usize + 1)
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.st.grow(if v { 4 } else { 5 })
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.st.grow(4)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        if v > MAX_SAFE_INTEGER {
            let err = JsonError::NumberOutOfRange {
                path: self.st.path(),
            };
            return Err(self.st.fail(err));
        }
        self.st.grow(digits(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        if v < 0 {
            self.st.grow(1)?;
        }
        self.visit_u64(v.unsigned_abs())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // Without serde_json's arbitrary_precision an integer literal beyond u64 arrives here as
        // a float; any integral value past 2^53 − 1 is refused for the same reason (I-JSON §2.2).
        if !v.is_finite() || (v.fract() == 0.0 && v.abs() > MAX_SAFE_INTEGER as f64) {
            let err = JsonError::NumberOutOfRange {
                path: self.st.path(),
            };
            return Err(self.st.fail(err));
        }
        if self.st.in_sized() {
            // As RFC 8785 writes it (ECMAScript number form); only header floats get here.
            let len = serde_json_canonicalizer::to_vec(&v).map_or(1, |b| b.len());
            self.st.grow(len)?;
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.st.check_string(v)?;
        if self.st.in_sized() {
            self.st.grow(canonical_string_len(v))?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.st.enter()?;
        let mut index = 0usize;
        loop {
            self.st.path.push(Segment::Index(index));
            let more = seq.next_element_seed(Node { st: &mut *self.st })?;
            self.st.path.pop();
            if more.is_none() {
                // `[` and `]`, and a comma between elements.
                return self.st.grow(2 + index.saturating_sub(1));
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.st.enter()?;
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key_seed(Key)? {
            self.st.check_string(&key)?;
            if seen.contains(&key) {
                let err = JsonError::DuplicateKey {
                    path: self.st.path(),
                    key: key.chars().take(64).collect(),
                };
                return Err(self.st.fail(err));
            }
            if self.st.in_sized() {
                // The key, its colon, and the comma before every member but the first.
                let comma = usize::from(!seen.is_empty());
                self.st.grow(canonical_string_len(&key) + 1 + comma)?;
            }
            self.st.path.push(Segment::Key(key.clone()));
            map.next_value_seed(Node { st: &mut *self.st })?;
            self.st.path.pop();
            seen.insert(key);
        }
        // `{` and `}`.
        self.st.grow(2)
    }
}

/// An object key, unescaped.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> Result<(), JsonError> {
        check(s.as_bytes(), &Limits::default())
    }

    #[test]
    fn well_formed_json_passes() {
        assert_eq!(
            run(r#"{"a":[1,-2,3.5,true,null,"x",{"b":{}}],"c":9007199254740991}"#),
            Ok(())
        );
    }

    #[test]
    fn duplicate_key_at_depth_one_is_refused() {
        assert_eq!(
            run(r#"{"a":1,"a":2}"#),
            Err(JsonError::DuplicateKey {
                path: "$".into(),
                key: "a".into()
            })
        );
    }

    #[test]
    fn duplicate_key_at_depth_three_is_found_after_unescaping() {
        assert_eq!(
            run(r#"{"x":{"list":[{"name":1,"n\u0061me":2}]}}"#),
            Err(JsonError::DuplicateKey {
                path: "x.list[0]".into(),
                key: "name".into()
            })
        );
    }

    #[test]
    fn integer_two_to_the_53_is_refused_with_its_path() {
        assert_eq!(
            run(r#"{"a":[0,9007199254740992]}"#),
            Err(JsonError::NumberOutOfRange {
                path: "a[1]".into()
            })
        );
        assert_eq!(
            run(r#"{"a":-9007199254740992}"#),
            Err(JsonError::NumberOutOfRange { path: "a".into() })
        );
        assert_eq!(
            run(r#"{"a":123456789012345678901234567890}"#),
            Err(JsonError::NumberOutOfRange { path: "a".into() })
        );
    }

    #[test]
    fn overflowing_float_is_a_syntax_error() {
        assert!(matches!(run("[1e400]"), Err(JsonError::Syntax { .. })));
    }

    #[test]
    fn ten_thousand_open_brackets_are_refused_at_the_depth_limit() {
        let deep = "[".repeat(10_000);
        let limits = Limits::default();
        match check(deep.as_bytes(), &limits) {
            Err(JsonError::TooDeep { limit, path }) => {
                assert_eq!(limit, limits.max_depth);
                assert!(path.starts_with("$[0][0]"), "{path}");
            }
            other => panic!("expected TooDeep, got {other:?}"),
        }
    }

    #[test]
    fn depth_exactly_at_the_limit_passes() {
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        assert_eq!(check(b"[[[]]]", &limits), Ok(()));
        assert!(matches!(
            check(b"[[[[]]]]", &limits),
            Err(JsonError::TooDeep { limit: 3, .. })
        ));
    }

    #[test]
    fn long_string_and_long_key_are_refused() {
        let limits = Limits {
            max_string_bytes: 4,
            ..Limits::default()
        };
        assert_eq!(
            check(br#"{"k":"12345"}"#, &limits),
            Err(JsonError::StringTooLong {
                path: "k".into(),
                length: 5,
                limit: 4
            })
        );
        assert_eq!(
            check(br#"{"abcde":1}"#, &limits),
            Err(JsonError::StringTooLong {
                path: "$".into(),
                length: 5,
                limit: 4
            })
        );
    }

    #[test]
    fn exempted_long_field_is_bounded_only_by_total_size() {
        let limits = Limits {
            max_string_bytes: 11,
            ..Limits::default()
        };
        let doc = br#"{"attachments":[{"data":"0123456789abcdef"}],"other":"0123456789ab"}"#;
        assert_eq!(
            check_except(doc, &limits, &["attachments[].data"]),
            Err(JsonError::StringTooLong {
                path: "other".into(),
                length: 12,
                limit: 11
            })
        );
        let ok = br#"{"attachments":[{"data":"0123456789abcdef"}]}"#;
        assert_eq!(check_except(ok, &limits, &["attachments[].data"]), Ok(()));
        assert!(matches!(
            check(ok, &limits),
            Err(JsonError::StringTooLong { length: 16, .. })
        ));
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let limits = Limits {
            max_package_bytes: 3,
            ..Limits::default()
        };
        assert_eq!(
            check(b"[1,2]", &limits),
            Err(JsonError::TooLarge { size: 5, limit: 3 })
        );
    }

    #[test]
    fn non_utf8_truncated_and_trailing_input_are_syntax_errors() {
        for bad in [
            &b"{\"a\":\"\xff\"}"[..],
            b"{\"a\":[1,2",
            b"{} {}",
            b"\"\\ud800\"",
            b"",
        ] {
            assert!(
                matches!(
                    check(bad, &Limits::default()),
                    Err(JsonError::Syntax { .. })
                ),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn syntax_error_names_the_path_being_read() {
        match run(r#"{"header":{"recipients":[{"name":"a"},{"name":tru}]}}"#) {
            Err(JsonError::Syntax { path, .. }) => assert_eq!(path, "header.recipients[1].name"),
            other => panic!("expected Syntax, got {other:?}"),
        }
    }

    #[test]
    fn path_at_names_the_value_at_a_reported_position() {
        let doc = "{\"a\": {\"bb\": [1, \"xyz\"]},\n \"c\": 2}";
        // Just after "xyz" on line 1 (column counts bytes).
        let col = doc.find("xyz").map(|i| i + 4).unwrap_or(0);
        assert_eq!(
            path_at(doc.as_bytes(), 1, col, &Limits::default()),
            "a.bb[1]"
        );
        assert_eq!(path_at(doc.as_bytes(), 2, 7, &Limits::default()), "c");
        assert_eq!(path_at(doc.as_bytes(), 9, 1, &Limits::default()), "$");
    }

    #[test]
    fn the_sized_member_is_measured_in_canonical_bytes_and_refused_past_its_bound() {
        let doc = r#"{"header": { "b" : [1, -2, 1.5, 1e2, true, false, null,
            "a\"\\\n\u0001é\u00e9", {"k\u0007": []}], "a": {} }, "other": [1e400]}"#;
        let value: serde_json::Value = serde_json::from_str(&doc.replace("1e400", "1")).unwrap();
        let canonical = serde_json_canonicalizer::to_vec(&value["header"])
            .unwrap()
            .len();
        let doc = doc.replace("1e400", "1");
        let limits = Limits::default();
        let sized = |limit| check_sized(doc.as_bytes(), &limits, &[], Some(("header", limit)));
        assert_eq!(sized(canonical), Ok(()));
        assert_eq!(
            sized(canonical - 1),
            Err(JsonError::ValueTooLarge {
                path: "header".into(),
                size: canonical,
                limit: canonical - 1
            })
        );
        // Far too small: refused at the first value past the bound, not at the end.
        assert!(matches!(
            sized(4),
            Err(JsonError::ValueTooLarge { size, limit: 4, .. }) if size < canonical
        ));
        // Other members are not counted.
        assert_eq!(
            check_sized(br#"{"other":[1,2,3]}"#, &limits, &[], Some(("header", 0))),
            Ok(())
        );
    }

    #[test]
    fn values_past_the_limit_are_refused_before_they_are_read() {
        let limits = Limits {
            max_values: 4,
            ..Limits::default()
        };
        assert_eq!(check(br#"{"a":[1,2]}"#, &limits), Ok(()));
        assert_eq!(
            check(br#"{"a":[1,2,3]}"#, &limits),
            Err(JsonError::TooManyValues {
                path: "a[2]".into(),
                limit: 4
            })
        );
    }

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        assert_eq!(
            run(r#"{"a.b":[{"x":1,"x":1}]}"#),
            Err(JsonError::DuplicateKey {
                path: "$[\"a.b\"][0]".into(),
                key: "x".into()
            })
        );
    }
}
