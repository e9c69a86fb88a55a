//! The directory's JSON file: strict to read (unknown and duplicate fields refused, arrays
//! rather than maps), and written back in the same form.

use serde::{Deserialize, Serialize};

use super::{clip, hex, unhex, Directory, DirectoryError, DirectoryLimits};
use crate::org::agency::{AgencyGroup, AgencyKind, AgencyRecord};
use crate::org::id::OrgId;

impl Directory {
    /// Loads a directory from JSON, with the default limits.
    ///
    /// The format is strict: unknown and duplicate fields are refused, agencies and groups are
    /// arrays (never maps keyed by free strings, where a repeated key could hide an entry), a
    /// repeated agency, group or certificate is an error, and parents and sub-groups must be
    /// listed before they are referred to.
    ///
    /// ```
    /// let json = r#"{"version": 1, "agencies": [
    ///     {"id": "000.00.00.H57", "kind": "cityPeoplesCommittee",
    ///      "name": "Hue City People's Committee", "nameVi": "UBND thành phố Huế"}],
    ///   "groups": []}"#;
    /// let dir = edoc::Directory::from_json(json.as_bytes()).unwrap();
    /// assert_eq!(dir.agencies().len(), 1);
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Directory, DirectoryError> {
        Directory::from_json_with_limits(bytes, DirectoryLimits::default())
    }

    /// Loads a directory from JSON with the given limits.
    pub fn from_json_with_limits(
        bytes: &[u8],
        limits: DirectoryLimits,
    ) -> Result<Directory, DirectoryError> {
        if bytes.len() > limits.max_json_bytes {
            return Err(DirectoryError::TooLarge {
                size: bytes.len(),
                limit: limits.max_json_bytes,
            });
        }
        let file: DirectoryFile =
            serde_json::from_slice(bytes).map_err(|e| DirectoryError::Json(e.to_string()))?;
        if file.version != 1 {
            return Err(DirectoryError::Version(file.version));
        }
        let mut dir = Directory::with_limits(limits);
        for a in file.agencies {
            let mut certificates = Vec::with_capacity(a.certificates.len().min(64));
            for c in &a.certificates {
                certificates.push(unhex(c).ok_or_else(|| DirectoryError::InvalidFingerprint {
                    agency: a.id,
                    value: clip(c, 80),
                })?);
            }
            dir.add_agency(AgencyRecord {
                id: a.id,
                kind: a.kind,
                name: a.name,
                name_vi: a.name_vi,
                parent: a.parent,
                certificates,
            })?;
        }
        for g in file.groups {
            dir.add_group(AgencyGroup {
                name: g.name,
                agencies: g.agencies,
                groups: g.groups,
            })?;
        }
        Ok(dir)
    }

    /// The directory as pretty-printed JSON, in the format [`Directory::from_json`] reads.
    pub fn to_json(&self) -> String {
        let file = DirectoryFile {
            version: 1,
            agencies: self
                .agencies
                .iter()
                .map(|a| AgencyJson {
                    id: a.id,
                    kind: a.kind,
                    name: a.name.clone(),
                    name_vi: a.name_vi.clone(),
                    parent: a.parent,
                    certificates: a.certificates.iter().map(|c| hex(c)).collect(),
                })
                .collect(),
            groups: self
                .groups
                .iter()
                .map(|g| GroupJson {
                    name: g.name.clone(),
                    agencies: g.agencies.clone(),
                    groups: g.groups.clone(),
                })
                .collect(),
        };
        // Serializing plain strings and vectors cannot fail.
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }
}

// The JSON file format. Arrays, not maps: a map keyed by agency code would let a repeated key
// silently replace an entry in many JSON readers.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DirectoryFile {
    version: u32,
    agencies: Vec<AgencyJson>,
    groups: Vec<GroupJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AgencyJson {
    id: OrgId,
    kind: AgencyKind,
    name: String,
    name_vi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<OrgId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    certificates: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GroupJson {
    name: String,
    #[serde(default)]
    agencies: Vec<OrgId>,
    #[serde(default)]
    groups: Vec<String>,
}
