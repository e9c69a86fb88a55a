//! Agency codes after QCVN 102:2016: `DDD.CC.BB.Xnn`, read from right to left.

use std::fmt;
use std::str::FromStr;

/// An agency code (mã định danh cơ quan) after QCVN 102:2016, e.g. `000.00.05.H57`.
///
/// The code has four dot-separated parts read from right to left: level 1 `Xnn`
/// (a capital letter and two digits: `G` for ministries, `H` for provinces), level 2 `BB`,
/// level 3 `CC` and level 4 `DDD`. A part of zeros means "the unit itself": `000.00.00.H57`
/// is the province's People's Committee, `000.00.05.H57` one of its units.
///
/// It is parsed once and then passed around as this type, never as a `String`.
///
/// ```
/// use edoc::{OrgId, OrgLevel};
/// let unit: OrgId = "000.00.05.H57".parse().unwrap();
/// assert_eq!(unit.level(), OrgLevel::Two);
/// assert_eq!(unit.parent().unwrap().to_string(), "000.00.00.H57");
/// assert!("000.00.05.h57".parse::<OrgId>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgId {
    // Field order gives an ordering that groups codes by their level-1 root.
    letter: u8,
    root: u8,
    bb: u8,
    cc: u8,
    ddd: u16,
}

/// How deep an agency sits in the QCVN 102:2016 hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgLevel {
    /// `000.00.00.Xnn`: a ministry, central agency or province.
    One,
    /// `000.00.BB.Xnn`: a unit directly under level 1.
    Two,
    /// `000.CC.BB.Xnn`: a unit under a level-2 unit.
    Three,
    /// `DDD.CC.BB.Xnn`: a unit under a level-3 unit.
    Four,
}

/// Why a string is not a valid agency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OrgIdError {
    /// The code does not have four dot-separated parts.
    #[error(
        "agency code {code:?} has {found} dot-separated parts; expected 4, as in DDD.CC.BB.Xnn"
    )]
    PartCount {
        /// The rejected input (truncated to 64 characters).
        code: String,
        /// How many parts were found.
        found: usize,
    },
    /// One part has the wrong shape.
    #[error("agency code {code:?}: part {part} ({found:?}) must be {expected}")]
    Part {
        /// The rejected input (truncated to 64 characters).
        code: String,
        /// Which part: `DDD`, `CC`, `BB` or `Xnn`.
        part: &'static str,
        /// The part as found (truncated).
        found: String,
        /// What the part must look like.
        expected: &'static str,
    },
    /// A lower level is set while a level above it is zero, so the unit has no parent.
    #[error("agency code {code:?}: part {part} is set but {missing} above it is zero, so the unit has no parent")]
    Gap {
        /// The rejected input.
        code: String,
        /// The part that is set.
        part: &'static str,
        /// The zero part above it.
        missing: &'static str,
    },
}

fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

fn digits(
    code: &str,
    s: &str,
    n: usize,
    part: &'static str,
    expected: &'static str,
) -> Result<u16, OrgIdError> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OrgIdError::Part {
            code: clip(code),
            part,
            found: clip(s),
            expected,
        });
    }
    // At most three ASCII digits: always fits.
    Ok(s.bytes()
        .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0')))
}

impl FromStr for OrgId {
    type Err = OrgIdError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = code.splitn(5, '.').collect();
        if parts.len() != 4 {
            return Err(OrgIdError::PartCount {
                code: clip(code),
                found: code.split('.').count(),
            });
        }
        let ddd = digits(code, parts[0], 3, "DDD", "three digits")?;
        let cc = digits(code, parts[1], 2, "CC", "two digits")? as u8;
        let bb = digits(code, parts[2], 2, "BB", "two digits")? as u8;
        let root = parts[3].as_bytes();
        let letter = match root {
            [l, _, _] if l.is_ascii_uppercase() => *l,
            _ => {
                return Err(OrgIdError::Part {
                    code: clip(code),
                    part: "Xnn",
                    found: clip(parts[3]),
                    expected: "a capital letter and two digits",
                })
            }
        };
        let nn = digits(
            code,
            &parts[3][1..],
            2,
            "Xnn",
            "a capital letter and two digits",
        )? as u8;
        if ddd != 0 && cc == 0 {
            return Err(OrgIdError::Gap {
                code: clip(code),
                part: "DDD",
                missing: "CC",
            });
        }
        if cc != 0 && bb == 0 {
            return Err(OrgIdError::Gap {
                code: clip(code),
                part: "CC",
                missing: "BB",
            });
        }
        Ok(OrgId {
            letter,
            root: nn,
            bb,
            cc,
            ddd,
        })
    }
}

impl OrgId {
    /// The level of this agency in the hierarchy.
    pub fn level(&self) -> OrgLevel {
        if self.ddd != 0 {
            OrgLevel::Four
        } else if self.cc != 0 {
            OrgLevel::Three
        } else if self.bb != 0 {
            OrgLevel::Two
        } else {
            OrgLevel::One
        }
    }

    /// The agency directly above this one, or `None` at level 1.
    pub fn parent(&self) -> Option<OrgId> {
        let mut p = *self;
        match self.level() {
            OrgLevel::One => return None,
            OrgLevel::Two => p.bb = 0,
            OrgLevel::Three => p.cc = 0,
            OrgLevel::Four => p.ddd = 0,
        }
        Some(p)
    }

    /// The level-1 agency this one belongs to (`000.00.00.Xnn`): itself at level 1.
    ///
    /// ```
    /// let id: edoc::OrgId = "001.02.05.H57".parse().unwrap();
    /// assert_eq!(id.root().to_string(), "000.00.00.H57");
    /// ```
    pub fn root(&self) -> OrgId {
        OrgId {
            letter: self.letter,
            root: self.root,
            bb: 0,
            cc: 0,
            ddd: 0,
        }
    }

    /// The level-1 part, `Xnn` (e.g. `H57`).
    pub fn root_code(&self) -> String {
        format!("{}{:02}", self.letter as char, self.root)
    }

    /// Whether `self` is `other` or sits somewhere below it.
    ///
    /// ```
    /// let city: edoc::OrgId = "000.00.00.H57".parse().unwrap();
    /// let unit: edoc::OrgId = "000.03.05.H57".parse().unwrap();
    /// assert!(unit.is_within(&city) && !city.is_within(&unit));
    /// ```
    pub fn is_within(&self, other: &OrgId) -> bool {
        let mut cur = Some(*self);
        while let Some(c) = cur {
            if c == *other {
                return true;
            }
            cur = c.parent();
        }
        false
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:03}.{:02}.{:02}.{}{:02}",
            self.ddd, self.cc, self.bb, self.letter as char, self.root
        )
    }
}

impl fmt::Debug for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgId({self})")
    }
}

impl serde::Serialize for OrgId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for OrgId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = OrgId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an agency code DDD.CC.BB.Xnn")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OrgId, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> OrgId {
        s.parse().unwrap()
    }

    #[test]
    fn display_round_trips_every_level() {
        for s in [
            "000.00.00.H57",
            "000.00.05.H57",
            "000.12.05.H57",
            "123.12.05.G09",
        ] {
            assert_eq!(id(s).to_string(), s);
        }
    }

    #[test]
    fn levels_and_parents_follow_the_hierarchy() {
        assert_eq!(id("000.00.00.H57").level(), OrgLevel::One);
        assert_eq!(id("000.00.00.H57").parent(), None);
        assert_eq!(id("000.00.05.H57").parent(), Some(id("000.00.00.H57")));
        assert_eq!(id("000.07.05.H57").parent(), Some(id("000.00.05.H57")));
        assert_eq!(id("001.07.05.H57").level(), OrgLevel::Four);
        assert_eq!(id("001.07.05.H57").parent(), Some(id("000.07.05.H57")));
    }

    #[test]
    fn malformed_codes_name_the_part_at_fault() {
        assert!(matches!(
            "000.00.05".parse::<OrgId>(),
            Err(OrgIdError::PartCount { found: 3, .. })
        ));
        assert!(matches!(
            "000.00.05.H57.1".parse::<OrgId>(),
            Err(OrgIdError::PartCount { found: 5, .. })
        ));
        assert!(matches!(
            "00.00.05.H57".parse::<OrgId>(),
            Err(OrgIdError::Part { part: "DDD", .. })
        ));
        assert!(matches!(
            "000.0a.05.H57".parse::<OrgId>(),
            Err(OrgIdError::Part { part: "CC", .. })
        ));
        assert!(matches!(
            "000.00.5.H57".parse::<OrgId>(),
            Err(OrgIdError::Part { part: "BB", .. })
        ));
        assert!(matches!(
            "000.00.05.h57".parse::<OrgId>(),
            Err(OrgIdError::Part { part: "Xnn", .. })
        ));
        assert!(matches!(
            "000.00.05.H5".parse::<OrgId>(),
            Err(OrgIdError::Part { part: "Xnn", .. })
        ));
        assert!(matches!(
            "000.00.05.Hé7".parse::<OrgId>(),
            Err(OrgIdError::Part { part: "Xnn", .. })
        ));
        assert!(matches!(
            "000.00.05.H٥7".parse::<OrgId>(),
            Err(OrgIdError::Part { part: "Xnn", .. })
        ));
        assert!(matches!(
            "001.00.05.H57".parse::<OrgId>(),
            Err(OrgIdError::Gap { part: "DDD", .. })
        ));
        assert!(matches!(
            "000.01.00.H57".parse::<OrgId>(),
            Err(OrgIdError::Gap { part: "CC", .. })
        ));
        assert!(matches!(
            "".parse::<OrgId>(),
            Err(OrgIdError::PartCount { found: 1, .. })
        ));
    }

    #[test]
    fn serde_uses_the_string_form_and_validates() {
        let v: OrgId = serde_json::from_str("\"000.00.05.H57\"").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"000.00.05.H57\"");
        assert!(serde_json::from_str::<OrgId>("\"000.00.05.X5\"").is_err());
        assert!(serde_json::from_str::<OrgId>("5").is_err());
    }

    #[test]
    fn error_messages_say_what_and_where() {
        let e = "000.0a.05.H57".parse::<OrgId>().unwrap_err().to_string();
        assert!(
            e.contains("CC") && e.contains("0a") && e.contains("two digits"),
            "{e}"
        );
    }
}
