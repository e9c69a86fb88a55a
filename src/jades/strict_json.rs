//! Duplicate-key check for the protected header, until `crate::json::check` lands on main.
//!
//! `serde_json::Value` keeps the last of two equal keys silently; two verifiers that pick
//! different duplicates would see different headers, so a duplicate anywhere is refused.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

use super::parse::Limits;

/// The one place the strict JSON check plugs in: errors on duplicate keys at any depth
/// (compared after unescaping), on nesting deeper than `Limits::JSON_DEPTH`, and on invalid JSON.
pub(crate) fn check(bytes: &[u8]) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Strict { depth: 0 }
        .deserialize(&mut de)
        .map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())
}

struct Strict {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON without duplicate keys")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let depth = self.depth + 1;
        if depth > Limits::JSON_DEPTH {
            return Err(serde::de::Error::custom("JSON nested too deeply"));
        }
        while seq.next_element_seed(Strict { depth })?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let depth = self.depth + 1;
        if depth > Limits::JSON_DEPTH {
            return Err(serde::de::Error::custom("JSON nested too deeply"));
        }
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("duplicate key \"{key}\"")));
            }
            map.next_value_seed(Strict { depth })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn duplicate_keys_are_refused_at_any_depth_even_when_escaped() {
        assert!(check(br#"{"a":1,"b":{"c":[{"d":1}]}}"#).is_ok());
        assert!(check(br#"{"a":1,"a":2}"#)
            .unwrap_err()
            .contains("duplicate"));
        assert!(check(br#"{"s":{"p":[],"p":[]}}"#)
            .unwrap_err()
            .contains("duplicate"));
        assert!(check(br#"{"alg":1,"\u0061lg":2}"#)
            .unwrap_err()
            .contains("duplicate"));
        assert!(check(br#"{"a":1} x"#).is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
        assert!(check(deep.as_bytes()).unwrap_err().contains("deeply"));
    }
}
