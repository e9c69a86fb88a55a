//! The directory (danh bạ): which agencies exist, their parent, named groups of agencies, and
//! which certificates may sign for each agency.
//!
//! Loadable from a strict JSON file, buildable in code, and serializable back to the same JSON.
//!
//! This file holds the [`Directory`] and its checks; the entries it lists are in
//! `org/agency.rs`, its errors in `error.rs`, and its JSON file format in `file.rs`.

mod error;
mod file;

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::agency::{AgencyGroup, AgencyKind, AgencyRecord, Fingerprint};
use super::id::OrgId;

pub use error::DirectoryError;

/// Bounds on a directory, applied both when loading JSON and when building in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryLimits {
    /// Bytes of a directory JSON file. Default 32 MiB: 50 000 agencies of ~300 bytes each
    /// plus certificates.
    pub max_json_bytes: usize,
    /// Agencies. Default 50 000: about 3 300 communes and wards, their units, the provinces'
    /// departments and the central agencies (DOMAIN.md), with room to spare.
    pub max_agencies: usize,
    /// Groups. Default 1 000: groups are for broadcast lists, a handful per province.
    pub max_groups: usize,
    /// Direct members (agencies plus groups) of one group. Default 50 000, as `max_agencies`.
    pub max_group_members: usize,
    /// How deep groups may nest. Default 8: "all communes of all provinces" is 2 deep.
    pub max_group_depth: usize,
    /// Certificates per agency. Default 64: a seal, its renewals, and the people who sign.
    pub max_certificates_per_agency: usize,
    /// Characters of a name. Default 256: the longest Vietnamese agency names are ~150.
    pub max_name_chars: usize,
}

impl Default for DirectoryLimits {
    fn default() -> Self {
        DirectoryLimits {
            max_json_bytes: 32 << 20,
            max_agencies: 50_000,
            max_groups: 1_000,
            max_group_members: 50_000,
            max_group_depth: 8,
            max_certificates_per_agency: 64,
            max_name_chars: 256,
        }
    }
}

/// The directory: agencies, groups and who may sign for whom.
///
/// ```
/// let dir = edoc::Directory::sample();
/// let a_luoi_5: edoc::OrgId = "000.00.45.H57".parse().unwrap();
/// assert_eq!(dir.agency(&a_luoi_5).unwrap().name_vi(), "UBND xã A Lưới 5");
/// assert_eq!(dir.expand_group("communes").unwrap().len(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directory {
    limits: DirectoryLimits,
    agencies: Vec<AgencyRecord>,
    by_id: HashMap<OrgId, usize>,
    groups: Vec<AgencyGroup>,
    by_group: HashMap<String, usize>,
    // Nesting depth of each group: 1 for a group of agencies only.
    depth: Vec<usize>,
}

impl Default for Directory {
    fn default() -> Self {
        Directory::new()
    }
}

fn clip(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn check_name(what: impl Fn() -> String, value: &str, max: usize) -> Result<(), DirectoryError> {
    let reason = if value.trim().is_empty() {
        Some("it is empty")
    } else if value.chars().count() > max {
        Some("it is too long")
    } else if value.chars().any(char::is_control) {
        Some("it holds control characters")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(DirectoryError::InvalidName {
            what: what(),
            value: clip(value, 64),
            reason,
        }),
        None => Ok(()),
    }
}

fn check_group_name(name: &str) -> Result<(), DirectoryError> {
    // Lowercase letters, digits and '-' only: a group name can never be mistaken for an agency
    // code (which has dots and a capital letter) nor differ from another only by case.
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(DirectoryError::InvalidName {
            what: "group name".into(),
            value: clip(name, 64),
            reason: "it must be 1 to 64 characters of a-z, 0-9 and '-', starting with a letter",
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Fingerprint> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(b.chunks_exact(2)) {
        let d = |c: u8| (c as char).to_digit(16);
        let (hi, lo) = match pair {
            [h, l] => (d(*h)?, d(*l)?),
            _ => return None,
        };
        *o = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

impl Directory {
    /// An empty directory with the default limits.
    pub fn new() -> Directory {
        Directory::with_limits(DirectoryLimits::default())
    }

    /// An empty directory with the given limits.
    pub fn with_limits(limits: DirectoryLimits) -> Directory {
        Directory {
            limits,
            agencies: Vec::new(),
            by_id: HashMap::new(),
            groups: Vec::new(),
            by_group: HashMap::new(),
            depth: Vec::new(),
        }
    }

    /// The SHA-256 fingerprint of a certificate's DER bytes, as the directory stores it.
    pub fn certificate_fingerprint(der: &[u8]) -> [u8; 32] {
        Sha256::digest(der).into()
    }

    /// Adds an agency. Its parent, if any, must already be in the directory; its certificates
    /// must not repeat.
    pub fn add_agency(&mut self, agency: AgencyRecord) -> Result<(), DirectoryError> {
        let limits = self.limits;
        if self.agencies.len() >= limits.max_agencies {
            return Err(DirectoryError::TooMany {
                what: "agencies".into(),
                limit: limits.max_agencies,
            });
        }
        let id = agency.id;
        check_name(
            || format!("agency {id} name"),
            &agency.name,
            limits.max_name_chars,
        )?;
        check_name(
            || format!("agency {id} Vietnamese name"),
            &agency.name_vi,
            limits.max_name_chars,
        )?;
        if self.by_id.contains_key(&id) {
            return Err(DirectoryError::DuplicateAgency {
                id,
                name: agency.name,
            });
        }
        if let Some(parent) = agency.parent {
            if parent == id {
                return Err(DirectoryError::SelfParent(id));
            }
            if !self.by_id.contains_key(&parent) {
                return Err(DirectoryError::UnknownParent {
                    agency: id,
                    name: agency.name,
                    parent,
                });
            }
        }
        if agency.certificates.len() > limits.max_certificates_per_agency {
            return Err(DirectoryError::TooMany {
                what: format!("certificates for agency {id} ({})", agency.name),
                limit: limits.max_certificates_per_agency,
            });
        }
        let mut seen = HashSet::new();
        for fp in &agency.certificates {
            if !seen.insert(fp) {
                return Err(DirectoryError::DuplicateCertificate {
                    agency: id,
                    name: agency.name.clone(),
                    fingerprint: hex(fp),
                });
            }
        }
        self.by_id.insert(id, self.agencies.len());
        self.agencies.push(agency);
        Ok(())
    }

    /// Allows the certificate with this SHA-256 fingerprint (of its DER) to sign for `agency`.
    pub fn add_certificate(
        &mut self,
        agency: &OrgId,
        fingerprint: [u8; 32],
    ) -> Result<(), DirectoryError> {
        let max = self.limits.max_certificates_per_agency;
        let a = self
            .by_id
            .get(agency)
            .and_then(|&i| self.agencies.get_mut(i))
            .ok_or(DirectoryError::NoSuchAgency(*agency))?;
        if a.certificates.contains(&fingerprint) {
            return Err(DirectoryError::DuplicateCertificate {
                agency: *agency,
                name: a.name.clone(),
                fingerprint: hex(&fingerprint),
            });
        }
        if a.certificates.len() >= max {
            return Err(DirectoryError::TooMany {
                what: format!("certificates for agency {agency} ({})", a.name),
                limit: max,
            });
        }
        a.certificates.push(fingerprint);
        Ok(())
    }

    /// Adds a group. Every agency it lists must be in the directory, and every group it lists
    /// must have been added before it.
    pub fn add_group(&mut self, group: AgencyGroup) -> Result<(), DirectoryError> {
        let limits = self.limits;
        if self.groups.len() >= limits.max_groups {
            return Err(DirectoryError::TooMany {
                what: "groups".into(),
                limit: limits.max_groups,
            });
        }
        check_group_name(&group.name)?;
        if self.by_group.contains_key(&group.name) {
            return Err(DirectoryError::DuplicateGroup(group.name));
        }
        if group.agencies.len().saturating_add(group.groups.len()) > limits.max_group_members {
            return Err(DirectoryError::TooMany {
                what: format!("members of group {:?}", group.name),
                limit: limits.max_group_members,
            });
        }
        for a in &group.agencies {
            if !self.by_id.contains_key(a) {
                return Err(DirectoryError::UnknownMember {
                    group: group.name.clone(),
                    agency: *a,
                });
            }
        }
        let mut depth = 1;
        for g in &group.groups {
            let d = self
                .by_group
                .get(g)
                .and_then(|&i| self.depth.get(i))
                .ok_or_else(|| DirectoryError::UnknownSubgroup {
                    group: group.name.clone(),
                    member: clip(g, 64),
                })?;
            depth = depth.max(d + 1);
        }
        if depth > limits.max_group_depth {
            return Err(DirectoryError::GroupTooDeep {
                group: group.name,
                depth,
                limit: limits.max_group_depth,
            });
        }
        self.by_group.insert(group.name.clone(), self.groups.len());
        self.groups.push(group);
        self.depth.push(depth);
        Ok(())
    }

    /// The agency with this code.
    pub fn agency(&self, id: &OrgId) -> Option<&AgencyRecord> {
        self.by_id.get(id).and_then(|&i| self.agencies.get(i))
    }

    /// Every agency, in the order added.
    pub fn agencies(&self) -> &[AgencyRecord] {
        &self.agencies
    }

    /// The group with this name.
    pub fn group(&self, name: &str) -> Option<&AgencyGroup> {
        self.by_group.get(name).and_then(|&i| self.groups.get(i))
    }

    /// Every group, in the order added.
    pub fn groups(&self) -> &[AgencyGroup] {
        &self.groups
    }

    /// The agencies of a group, nested groups expanded, each once, in first-seen order
    /// (depth first: a group's own agencies, then its groups in order).
    pub fn expand_group(&self, name: &str) -> Result<Vec<OrgId>, DirectoryError> {
        let group = self
            .group(name)
            .ok_or_else(|| DirectoryError::NoSuchGroup(clip(name, 64)))?;
        let mut out = Vec::new();
        let mut seen_agencies = HashSet::new();
        let mut seen_groups = HashSet::new();
        self.expand_into(group, &mut out, &mut seen_agencies, &mut seen_groups);
        Ok(out)
    }

    // Recursion depth is bounded by `max_group_depth`, enforced in `add_group`; each group is
    // expanded once, so a diamond of groups costs no more than a tree.
    fn expand_into<'a>(
        &'a self,
        group: &'a AgencyGroup,
        out: &mut Vec<OrgId>,
        seen_agencies: &mut HashSet<OrgId>,
        seen_groups: &mut HashSet<&'a str>,
    ) {
        if !seen_groups.insert(&group.name) {
            return;
        }
        for a in &group.agencies {
            if seen_agencies.insert(*a) {
                out.push(*a);
            }
        }
        for g in &group.groups {
            if let Some(sub) = self.group(g) {
                self.expand_into(sub, out, seen_agencies, seen_groups);
            }
        }
    }

    /// Whether the certificate with this SHA-256 fingerprint (of its DER) may sign for `agency`.
    /// `false` for an agency that is not in the directory.
    pub fn may_sign_for(&self, agency: &OrgId, fingerprint: &[u8; 32]) -> bool {
        self.agency(agency)
            .is_some_and(|a| a.certificates.contains(fingerprint))
    }

    /// The directory of the seed story (Hue city, communes A Luoi 1–5, one ministry).
    ///
    /// **The agency codes are ILLUSTRATIVE, not official.** They follow the `DDD.CC.BB.Xnn`
    /// shape of QCVN 102:2016, and `H57` for Hue is itself unverified. Do not use them outside
    /// tests and demonstrations. No certificates are registered: add them with
    /// [`Directory::add_certificate`] once the test PKI is made.
    ///
    /// | code | agency |
    /// |---|---|
    /// | `000.00.00.H57` | Hue City People's Committee (UBND thành phố Huế) |
    /// | `000.00.01.H57` | Office of the City People's Committee |
    /// | `000.00.02.H57` | Hue City Party Committee (Thành ủy Huế) |
    /// | `000.00.05.H57` | Department of Finance (Sở Tài chính) |
    /// | `000.00.06.H57` | Department of Agriculture and Environment |
    /// | `000.00.4n.H57` | A Luoi n Commune People's Committee (UBND xã A Lưới n), n = 1..5 |
    /// | `000.01.4n.H57` | A Luoi n Commune Public Administration Service Center |
    /// | `000.00.00.G09` | Ministry of Home Affairs (Bộ Nội vụ) |
    ///
    /// Groups: `communes` (the five communes' People's Committees), `service-centers` (their
    /// five centers) and `city-departments` (Finance, Agriculture and Environment).
    pub fn sample() -> Directory {
        fn id(s: &str) -> OrgId {
            // The literals below are well-formed codes, checked by this module's tests.
            s.parse()
                .unwrap_or_else(|_| unreachable!("sample code {s}"))
        }
        let city = id("000.00.00.H57");
        let mut d = Directory::new();
        let mut add = |a: AgencyRecord| {
            d.add_agency(a)
                .unwrap_or_else(|e| unreachable!("sample directory: {e}"))
        };
        add(AgencyRecord::new(
            city,
            AgencyKind::CityPeoplesCommittee,
            "Hue City People's Committee",
            "UBND thành phố Huế",
        ));
        add(AgencyRecord::new(
            id("000.00.01.H57"),
            AgencyKind::Office,
            "Office of the Hue City People's Committee",
            "Văn phòng UBND thành phố Huế",
        )
        .with_parent(city));
        add(AgencyRecord::new(
            id("000.00.02.H57"),
            AgencyKind::PartyCommittee,
            "Hue City Party Committee",
            "Thành ủy Huế",
        ));
        add(AgencyRecord::new(
            id("000.00.05.H57"),
            AgencyKind::Department,
            "Department of Finance",
            "Sở Tài chính thành phố Huế",
        )
        .with_parent(city));
        add(AgencyRecord::new(
            id("000.00.06.H57"),
            AgencyKind::Department,
            "Department of Agriculture and Environment",
            "Sở Nông nghiệp và Môi trường thành phố Huế",
        )
        .with_parent(city));
        for n in 1..=5 {
            let commune = id(&format!("000.00.4{n}.H57"));
            add(AgencyRecord::new(
                commune,
                AgencyKind::CommunePeoplesCommittee,
                format!("A Luoi {n} Commune People's Committee"),
                format!("UBND xã A Lưới {n}"),
            )
            .with_parent(city));
            add(AgencyRecord::new(
                id(&format!("000.01.4{n}.H57")),
                AgencyKind::PublicServiceCenter,
                format!("A Luoi {n} Commune Public Administration Service Center"),
                format!("Trung tâm Phục vụ hành chính công xã A Lưới {n}"),
            )
            .with_parent(commune));
        }
        add(AgencyRecord::new(
            id("000.00.00.G09"),
            AgencyKind::Ministry,
            "Ministry of Home Affairs",
            "Bộ Nội vụ",
        ));
        let communes: Vec<OrgId> = (1..=5).map(|n| id(&format!("000.00.4{n}.H57"))).collect();
        let centers: Vec<OrgId> = (1..=5).map(|n| id(&format!("000.01.4{n}.H57"))).collect();
        for g in [
            AgencyGroup::new("communes", communes, vec![]),
            AgencyGroup::new("service-centers", centers, vec![]),
            AgencyGroup::new(
                "city-departments",
                vec![id("000.00.05.H57"), id("000.00.06.H57")],
                vec![],
            ),
        ] {
            d.add_group(g)
                .unwrap_or_else(|e| unreachable!("sample directory: {e}"));
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_codes_parse_and_sample_builds() {
        let d = Directory::sample();
        assert_eq!(d.agencies().len(), 16);
        assert_eq!(d.groups().len(), 3);
    }

    #[test]
    fn fingerprint_hex_round_trips_and_rejects_bad_digits() {
        let fp = Directory::certificate_fingerprint(b"der");
        assert_eq!(unhex(&hex(&fp)), Some(fp));
        assert_eq!(unhex(&hex(&fp).to_uppercase()), Some(fp));
        assert_eq!(unhex(&"g".repeat(64)), None);
        assert_eq!(unhex("00"), None);
        // A multi-byte character must not be split into a bogus pair.
        assert_eq!(unhex(&format!("é{}", "0".repeat(62))), None);
    }
}
