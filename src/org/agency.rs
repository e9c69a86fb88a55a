//! The entries of the directory: an agency ([`AgencyRecord`], with its [`AgencyKind`]) and a
//! named group of agencies ([`AgencyGroup`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::id::OrgId;

/// The SHA-256 fingerprint of a certificate's DER encoding.
pub(crate) type Fingerprint = [u8; 32];

/// What kind of body an agency is. It drives nothing in routing; it is there for people and
/// for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum AgencyKind {
    /// A province's or centrally-run city's People's Committee (UBND tỉnh/thành phố).
    CityPeoplesCommittee,
    /// The Office (Văn phòng) of a People's Committee, which runs its clerical work.
    Office,
    /// A department (sở) of a province or city.
    Department,
    /// A commune's or ward's People's Committee (UBND xã/phường).
    CommunePeoplesCommittee,
    /// A Public Administration Service Center (Trung tâm Phục vụ hành chính công).
    PublicServiceCenter,
    /// A Party committee (Thành ủy, Đảng ủy).
    PartyCommittee,
    /// A ministry or central agency (bộ, cơ quan trung ương).
    Ministry,
    /// Any other body.
    Other,
}

impl fmt::Display for AgencyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AgencyKind::CityPeoplesCommittee => "city People's Committee",
            AgencyKind::Office => "office",
            AgencyKind::Department => "department",
            AgencyKind::CommunePeoplesCommittee => "commune People's Committee",
            AgencyKind::PublicServiceCenter => "public administration service center",
            AgencyKind::PartyCommittee => "Party committee",
            AgencyKind::Ministry => "ministry or central agency",
            AgencyKind::Other => "agency",
        })
    }
}

/// One agency (cơ quan) in the directory.
///
/// ```
/// use edoc::{AgencyRecord, AgencyKind};
/// let a = AgencyRecord::new(
///     "000.00.00.H57".parse().unwrap(),
///     AgencyKind::CityPeoplesCommittee,
///     "Hue City People's Committee",
///     "UBND thành phố Huế",
/// );
/// assert_eq!(a.parent(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRecord {
    pub(super) id: OrgId,
    pub(super) kind: AgencyKind,
    pub(super) name: String,
    pub(super) name_vi: String,
    pub(super) parent: Option<OrgId>,
    pub(super) certificates: Vec<Fingerprint>,
}

impl AgencyRecord {
    /// A new agency with no parent and no certificates. Names are checked when the agency is
    /// added to a [`Directory`](super::Directory).
    pub fn new(
        id: OrgId,
        kind: AgencyKind,
        name: impl Into<String>,
        name_vi: impl Into<String>,
    ) -> AgencyRecord {
        AgencyRecord {
            id,
            kind,
            name: name.into(),
            name_vi: name_vi.into(),
            parent: None,
            certificates: Vec::new(),
        }
    }

    /// The same agency with its parent ("organization in charge", cơ quan chủ quản).
    pub fn with_parent(mut self, parent: OrgId) -> AgencyRecord {
        self.parent = Some(parent);
        self
    }

    /// The agency code.
    pub fn id(&self) -> OrgId {
        self.id
    }

    /// What kind of body it is.
    pub fn kind(&self) -> AgencyKind {
        self.kind
    }

    /// The name in English.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name in Vietnamese, e.g. "UBND xã A Lưới 5".
    pub fn name_vi(&self) -> &str {
        &self.name_vi
    }

    /// The agency in charge of this one, if it is in the directory.
    pub fn parent(&self) -> Option<OrgId> {
        self.parent
    }

    /// SHA-256 fingerprints of the certificates that may sign for this agency.
    pub fn certificates(&self) -> &[[u8; 32]] {
        &self.certificates
    }
}

/// A named group of agencies, such as `communes`.
///
/// A group lists agencies and other groups. A group may only name groups added before it, so
/// groups can never form a cycle, and nesting is bounded by
/// [`DirectoryLimits::max_group_depth`](super::DirectoryLimits::max_group_depth).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyGroup {
    pub(super) name: String,
    pub(super) agencies: Vec<OrgId>,
    pub(super) groups: Vec<String>,
}

impl AgencyGroup {
    /// A group of agencies and earlier groups. The name is checked when the group is added to
    /// a [`Directory`](super::Directory): 1 to 64 characters of `a-z`, `0-9` and `-`, starting
    /// with a letter.
    pub fn new(name: impl Into<String>, agencies: Vec<OrgId>, groups: Vec<String>) -> AgencyGroup {
        AgencyGroup {
            name: name.into(),
            agencies,
            groups,
        }
    }

    /// The group's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The agencies listed directly.
    pub fn agencies(&self) -> &[OrgId] {
        &self.agencies
    }

    /// The groups listed directly.
    pub fn groups(&self) -> &[String] {
        &self.groups
    }
}
