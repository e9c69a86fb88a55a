//! The routing table: which hub serves which agencies, by the hierarchical agency code.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::org::OrgId;

/// The name of a hub (trục liên thông), such as `hub.h57` (a province's LGSP) or `hub.national`
/// (the national VDXP).
///
/// 1 to 64 characters of lowercase ASCII letters, digits, `-` and `.`, starting with a letter,
/// with no empty dot-separated label. Lowercase only, so two spellings never name one hub.
///
/// ```
/// let hub: edoc::HubId = "hub.h57".parse().unwrap();
/// assert_eq!(hub.as_str(), "hub.h57");
/// assert!("Hub.H57".parse::<edoc::HubId>().is_err());
/// assert!("hub..h57".parse::<edoc::HubId>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HubId(String);

impl HubId {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for HubId {
    type Err = RouteError;

    fn from_str(s: &str) -> Result<HubId, RouteError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        if ok {
            Ok(HubId(s.to_owned()))
        } else {
            Err(RouteError::InvalidHubId(s.chars().take(64).collect()))
        }
    }
}

impl fmt::Display for HubId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for HubId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HubId({})", self.0)
    }
}

impl Serialize for HubId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for HubId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A pattern over agency codes, matched on the parts from the right: `*.H57` (everything in
/// H57), `*.05.H57` (everything under unit 05 of H57), or a full code `000.00.05.H57`.
///
/// A pattern is a leading `*.` followed by 1 to 3 literal parts, or 4 literal parts. `*.*.05.H57`
/// is accepted and means the same as `*.05.H57` (its canonical form). Wildcards only stand on the
/// left, so the number of literal parts is the pattern's specificity and two distinct patterns
/// of the same specificity never match the same code.
///
/// ```
/// let p: edoc::RoutePattern = "*.*.05.H57".parse().unwrap();
/// assert_eq!(p.to_string(), "*.05.H57");
/// assert!(p.matches(&"000.03.05.H57".parse().unwrap()));
/// assert!(!p.matches(&"000.00.06.H57".parse().unwrap()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoutePattern {
    // Literal parts, rightmost (level 1) first.
    literals: Vec<String>,
}

impl RoutePattern {
    /// How many parts, from the right, the pattern fixes (1 to 4).
    pub fn specificity(&self) -> usize {
        self.literals.len()
    }

    /// Whether the agency code matches.
    pub fn matches(&self, id: &OrgId) -> bool {
        let code = id.to_string();
        code.rsplit('.')
            .zip(&self.literals)
            .all(|(part, lit)| part == lit)
    }
}

// The shape of each part counted from the right, as QCVN 102:2016 writes it.
fn part_ok(index_from_right: usize, part: &str) -> bool {
    let b = part.as_bytes();
    let digits = |n: usize| b.len() == n && b.iter().all(u8::is_ascii_digit);
    match index_from_right {
        0 => {
            matches!(b, [l, d1, d2] if l.is_ascii_uppercase() && d1.is_ascii_digit() && d2.is_ascii_digit())
        }
        1 | 2 => digits(2),
        3 => digits(3),
        _ => false,
    }
}

impl FromStr for RoutePattern {
    type Err = RouteError;

    fn from_str(s: &str) -> Result<RoutePattern, RouteError> {
        let bad = |reason: &'static str| RouteError::InvalidPattern {
            pattern: s.chars().take(64).collect(),
            reason,
        };
        let parts: Vec<&str> = s.splitn(6, '.').collect();
        if parts.len() > 4 {
            return Err(bad("an agency code has at most 4 parts"));
        }
        let stars = parts.iter().take_while(|p| **p == "*").count();
        let literals: Vec<&str> = parts.iter().skip(stars).copied().collect();
        if literals.is_empty() {
            return Err(bad(
                "a pattern needs at least the level-1 part (use the default route for everything)",
            ));
        }
        if stars == 0 && literals.len() < 4 {
            return Err(bad(
                "a partial pattern starts with '*.', as in *.H57, so it cannot be misread as a full code",
            ));
        }
        let mut from_right = Vec::with_capacity(literals.len());
        for (i, part) in literals.iter().rev().enumerate() {
            if *part == "*" {
                return Err(bad("'*' may only stand on the left of the pattern"));
            }
            if !part_ok(i, part) {
                return Err(bad(
                    "parts must have the shape DDD.CC.BB.Xnn (digits, and a capital letter with two digits)",
                ));
            }
            from_right.push((*part).to_owned());
        }
        Ok(RoutePattern {
            literals: from_right,
        })
    }
}

impl fmt::Display for RoutePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.literals.len() < 4 {
            f.write_str("*.")?;
        }
        let mut first = true;
        for lit in self.literals.iter().rev() {
            if !first {
                f.write_str(".")?;
            }
            first = false;
            f.write_str(lit)?;
        }
        Ok(())
    }
}

impl Serialize for RoutePattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RoutePattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a hub name, pattern or routing table was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// Not a valid hub name.
    #[error(
        "{0:?} is not a valid hub name: use lowercase letters, digits, '-' and '.', as in hub.h57"
    )]
    InvalidHubId(String),
    /// Not a valid pattern.
    #[error("routing pattern {pattern:?} is invalid: {reason}")]
    InvalidPattern {
        /// The pattern (truncated).
        pattern: String,
        /// Why.
        reason: &'static str,
    },
    /// Two rules have the same pattern (after normalization), so which hub wins would be
    /// arbitrary.
    #[error("routing pattern {0} appears twice")]
    DuplicatePattern(String),
    /// More rules than [`RoutingTable::MAX_RULES`].
    #[error("routing table has more than {0} rules")]
    TooManyRules(usize),
    /// The JSON form is invalid.
    #[error("routing table JSON is invalid: {0}")]
    Json(String),
}

/// Which hub serves which agencies.
///
/// The rule whose pattern matches the most parts from the right wins; if none matches, the
/// default hub. The result does not depend on the order of the rules.
///
/// ```
/// let table = edoc::RoutingTable::sample();
/// let commune: edoc::OrgId = "000.00.45.H57".parse().unwrap();
/// let ministry: edoc::OrgId = "000.00.00.G09".parse().unwrap();
/// assert_eq!(table.hub_for(&commune).as_str(), "hub.h57");
/// assert_eq!(table.hub_for(&ministry).as_str(), "hub.national");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingTable {
    default: HubId,
    rules: Vec<(RoutePattern, HubId)>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    default: HubId,
    rules: Vec<RuleEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    pattern: RoutePattern,
    hub: HubId,
}

impl RoutingTable {
    /// Most rules in one table: 10 000, one per province (34) or unit with room to spare.
    pub const MAX_RULES: usize = 10_000;
    /// Largest JSON form accepted: 1 MiB (10 000 rules of ~60 bytes).
    pub const MAX_JSON_BYTES: usize = 1 << 20;

    /// A table that sends everything to `default`.
    pub fn new(default: HubId) -> RoutingTable {
        RoutingTable {
            default,
            rules: Vec::new(),
        }
    }

    /// Adds a rule. A pattern already in the table is an error.
    pub fn add_rule(&mut self, pattern: RoutePattern, hub: HubId) -> Result<(), RouteError> {
        if self.rules.iter().any(|(p, _)| *p == pattern) {
            return Err(RouteError::DuplicatePattern(pattern.to_string()));
        }
        if self.rules.len() >= Self::MAX_RULES {
            return Err(RouteError::TooManyRules(Self::MAX_RULES));
        }
        self.rules.push((pattern, hub));
        Ok(())
    }

    /// The hub that serves this agency.
    pub fn hub_for(&self, id: &OrgId) -> &HubId {
        self.rule_for(id).map_or(&self.default, |(_, hub)| hub)
    }

    /// The rule that routes this agency, or `None` when the default route applies.
    pub fn rule_for(&self, id: &OrgId) -> Option<(&RoutePattern, &HubId)> {
        // Distinct patterns of equal specificity cannot both match, so the maximum is unique.
        self.rules
            .iter()
            .filter(|(p, _)| p.matches(id))
            .max_by_key(|(p, _)| p.specificity())
            .map(|(p, h)| (p, h))
    }

    /// The default hub.
    pub fn default_hub(&self) -> &HubId {
        &self.default
    }

    /// The rules, in the order added.
    pub fn rules(&self) -> impl Iterator<Item = (&RoutePattern, &HubId)> {
        self.rules.iter().map(|(p, h)| (p, h))
    }

    /// The seed story's table: `*.H57` → `hub.h57`, everything else → `hub.national`.
    /// The same table serves both hubs: each delivers what routes to itself and forwards the rest.
    pub fn sample() -> RoutingTable {
        let hub = |s: &str| HubId(s.to_owned());
        RoutingTable {
            default: hub("hub.national"),
            rules: vec![(
                RoutePattern {
                    literals: vec!["H57".into()],
                },
                hub("hub.h57"),
            )],
        }
    }

    /// Loads a table from JSON: `{"default": "hub.national", "rules": [{"pattern": "*.H57",
    /// "hub": "hub.h57"}]}`. Unknown fields and repeated patterns are refused.
    pub fn from_json(bytes: &[u8]) -> Result<RoutingTable, RouteError> {
        if bytes.len() > Self::MAX_JSON_BYTES {
            return Err(RouteError::Json(format!(
                "{} bytes; the limit is {}",
                bytes.len(),
                Self::MAX_JSON_BYTES
            )));
        }
        let file: TableFile =
            serde_json::from_slice(bytes).map_err(|e| RouteError::Json(e.to_string()))?;
        let mut table = RoutingTable::new(file.default);
        for r in file.rules {
            table.add_rule(r.pattern, r.hub)?;
        }
        Ok(table)
    }

    /// The table as JSON, in the form [`RoutingTable::from_json`] reads.
    pub fn to_json(&self) -> String {
        let file = TableFile {
            default: self.default.clone(),
            rules: self
                .rules
                .iter()
                .map(|(p, h)| RuleEntry {
                    pattern: p.clone(),
                    hub: h.clone(),
                })
                .collect(),
        };
        // Strings only: serialization cannot fail.
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_parts_are_checked_from_the_right() {
        assert!("*.H57".parse::<RoutePattern>().is_ok());
        assert!("*.05.H57".parse::<RoutePattern>().is_ok());
        assert!("*.001.05.H57".parse::<RoutePattern>().is_err());
        assert!("*.5.H57".parse::<RoutePattern>().is_err());
        assert!("*.h57".parse::<RoutePattern>().is_err());
    }
}
