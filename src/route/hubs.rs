//! Which certificates sign for which hub.

use super::table::HubId;

/// The hubs a hub knows: their names and the SHA-256 fingerprints (of the DER) of the seal
/// certificates they sign trace entries and receipts with. A hub forwards only to hubs listed
/// here, and accepts only trace entries signed by them.
///
/// ```
/// let mut hubs = edoc::HubRegistry::new();
/// let h57: edoc::HubId = "hub.h57".parse().unwrap();
/// hubs.add(h57.clone(), [7; 32]);
/// assert_eq!(hubs.hub_of(&[7; 32]), Some(&h57));
/// assert!(hubs.contains(&h57));
/// ```
///
/// Hubs that talk over the network are also known by the TLS certificates they connect with
/// ([`HubRegistry::add_tls_identity`]): separate keys from their seals, so a stolen TLS key
/// cannot sign receipts, and a seal never sits on a network-facing server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HubRegistry {
    hubs: Vec<(HubId, Vec<[u8; 32]>)>,
    tls: Vec<(HubId, Vec<[u8; 32]>)>,
}

impl HubRegistry {
    /// An empty registry.
    pub fn new() -> HubRegistry {
        HubRegistry::default()
    }

    /// Registers a certificate fingerprint for `hub` (adding the hub if new). A certificate
    /// already registered for another hub is moved: one certificate speaks for one hub.
    pub fn add(&mut self, hub: HubId, certificate_sha256: [u8; 32]) {
        for (_, fps) in &mut self.hubs {
            fps.retain(|f| *f != certificate_sha256);
        }
        match self.hubs.iter_mut().find(|(h, _)| *h == hub) {
            Some((_, fps)) => fps.push(certificate_sha256),
            None => self.hubs.push((hub, vec![certificate_sha256])),
        }
    }

    /// Registers the SHA-256 fingerprint (of the DER) of a TLS client certificate that `hub`
    /// connects with. A certificate already registered for another hub is moved.
    ///
    /// ```
    /// let mut hubs = edoc::HubRegistry::new();
    /// let h57: edoc::HubId = "hub.h57".parse().unwrap();
    /// hubs.add(h57.clone(), [7; 32]);
    /// hubs.add_tls_identity(h57.clone(), [9; 32]);
    /// assert_eq!(hubs.hub_of_tls_identity(&[9; 32]), Some(&h57));
    /// // A seal is not a TLS identity, nor the other way round.
    /// assert_eq!(hubs.hub_of_tls_identity(&[7; 32]), None);
    /// assert_eq!(hubs.hub_of(&[9; 32]), None);
    /// ```
    pub fn add_tls_identity(&mut self, hub: HubId, certificate_sha256: [u8; 32]) {
        for (_, fps) in &mut self.tls {
            fps.retain(|f| *f != certificate_sha256);
        }
        match self.tls.iter_mut().find(|(h, _)| *h == hub) {
            Some((_, fps)) => fps.push(certificate_sha256),
            None => self.tls.push((hub, vec![certificate_sha256])),
        }
    }

    /// The hub that connects with this TLS certificate.
    pub fn hub_of_tls_identity(&self, certificate_sha256: &[u8; 32]) -> Option<&HubId> {
        self.tls
            .iter()
            .find(|(_, fps)| fps.contains(certificate_sha256))
            .map(|(h, _)| h)
    }

    /// The hub a certificate signs for.
    pub fn hub_of(&self, certificate_sha256: &[u8; 32]) -> Option<&HubId> {
        self.hubs
            .iter()
            .find(|(_, fps)| fps.contains(certificate_sha256))
            .map(|(h, _)| h)
    }

    /// Whether the hub is known.
    pub fn contains(&self, hub: &HubId) -> bool {
        self.hubs.iter().any(|(h, _)| h == hub)
    }

    /// The known hubs, in the order added.
    pub fn hubs(&self) -> impl Iterator<Item = &HubId> {
        self.hubs.iter().map(|(h, _)| h)
    }
}

/// Why a hubs file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HubRegistryError {
    /// The file is larger than [`HubRegistry::MAX_JSON_BYTES`].
    #[error("the hubs file is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Malformed JSON, an unknown or duplicate field, or an invalid hub name.
    #[error("the hubs file is invalid: {0}")]
    Json(String),
    /// A format version this crate does not read.
    #[error("the hubs file has version {0}; this edoc reads version 1")]
    Version(u32),
    /// A certificate fingerprint is not 64 hexadecimal digits.
    #[error(
        "hub {hub}: {value:?} is not a SHA-256 certificate fingerprint (64 hexadecimal digits)"
    )]
    InvalidFingerprint {
        /// The hub.
        hub: HubId,
        /// The value, clipped.
        value: String,
    },
    /// A hub is listed twice.
    #[error("hub {0} is listed twice")]
    DuplicateHub(HubId),
    /// One certificate is listed for two hubs, or twice for one: a certificate speaks for one hub.
    #[error("a certificate of hub {hub} is listed more than once")]
    DuplicateCertificate {
        /// The hub where it appears again.
        hub: HubId,
    },
}

/// The hubs file: `{"version": 1, "hubs": [{"id": "hub.h57", "certificates": ["<hex SHA-256 of
/// the DER>"], "tlsCertificates": [...]}]}` (TLS identities optional). Arrays, not maps keyed by
/// name, so a repeated key cannot hide an entry.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HubsFile {
    version: u32,
    hubs: Vec<HubEntry>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HubEntry {
    id: HubId,
    /// Seal certificates: receipts and trace entries.
    certificates: Vec<String>,
    /// TLS client certificates the hub connects with ([`HubRegistry::add_tls_identity`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tls_certificates: Vec<String>,
}

impl HubRegistry {
    /// Largest hubs file read: 1 MiB (a country has a few dozen hubs, each with a few keys).
    pub const MAX_JSON_BYTES: usize = 1 << 20;

    /// Reads the hubs file that [`HubRegistry::to_json`] writes. Strict: unknown and duplicate
    /// fields, a hub listed twice and a certificate listed twice are refused.
    ///
    /// ```
    /// let json = r#"{"version": 1, "hubs": [{"id": "hub.h57", "certificates":
    ///     ["0707070707070707070707070707070707070707070707070707070707070707"]}]}"#;
    /// let hubs = edoc::HubRegistry::from_json(json.as_bytes()).unwrap();
    /// assert_eq!(hubs.hub_of(&[7; 32]).map(|h| h.as_str()), Some("hub.h57"));
    /// assert_eq!(edoc::HubRegistry::from_json(hubs.to_json().as_bytes()).unwrap(), hubs);
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<HubRegistry, HubRegistryError> {
        if bytes.len() > Self::MAX_JSON_BYTES {
            return Err(HubRegistryError::TooLarge {
                size: bytes.len(),
                limit: Self::MAX_JSON_BYTES,
            });
        }
        let file: HubsFile =
            serde_json::from_slice(bytes).map_err(|e| HubRegistryError::Json(e.to_string()))?;
        if file.version != 1 {
            return Err(HubRegistryError::Version(file.version));
        }
        let mut registry = HubRegistry::new();
        for entry in file.hubs {
            if registry.contains(&entry.id) {
                return Err(HubRegistryError::DuplicateHub(entry.id));
            }
            let read = |texts: &[String]| -> Result<Vec<[u8; 32]>, HubRegistryError> {
                texts
                    .iter()
                    .map(|text| {
                        unhex(text).ok_or_else(|| HubRegistryError::InvalidFingerprint {
                            hub: entry.id.clone(),
                            value: text.chars().take(80).collect(),
                        })
                    })
                    .collect()
            };
            let seals = read(&entry.certificates)?;
            let tls = read(&entry.tls_certificates)?;
            // One certificate speaks for one hub, in one role.
            let mut seen: Vec<[u8; 32]> = Vec::with_capacity(seals.len() + tls.len());
            for fp in seals.iter().chain(&tls) {
                if seen.contains(fp)
                    || registry.hub_of(fp).is_some()
                    || registry.hub_of_tls_identity(fp).is_some()
                {
                    return Err(HubRegistryError::DuplicateCertificate { hub: entry.id });
                }
                seen.push(*fp);
            }
            if !tls.is_empty() {
                registry.tls.push((entry.id.clone(), tls));
            }
            registry.hubs.push((entry.id, seals));
        }
        Ok(registry)
    }

    /// The registry as pretty-printed JSON, in the form [`HubRegistry::from_json`] reads.
    pub fn to_json(&self) -> String {
        let file = HubsFile {
            version: 1,
            hubs: self
                .hubs
                .iter()
                .map(|(id, fps)| {
                    let hex = |fps: &[[u8; 32]]| -> Vec<String> {
                        fps.iter()
                            .map(|fp| fp.iter().map(|b| format!("{b:02x}")).collect())
                            .collect()
                    };
                    let tls = self
                        .tls
                        .iter()
                        .find(|(h, _)| h == id)
                        .map(|(_, t)| hex(t))
                        .unwrap_or_default();
                    HubEntry {
                        id: id.clone(),
                        certificates: hex(fps),
                        tls_certificates: tls,
                    }
                })
                .collect(),
        };
        // Strings and numbers only: serialization cannot fail.
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }
}

/// 64 hexadecimal digits (either case) to 32 bytes.
fn unhex(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let hi = char::from(pair[0]).to_digit(16)?;
        let lo = char::from(pair[1]).to_digit(16)?;
        *byte = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hubs_file_refuses_repeated_hubs_and_certificates_and_bad_fingerprints() {
        let fp = "07".repeat(32);
        let one = |hubs: &str| format!(r#"{{"version": 1, "hubs": [{hubs}]}}"#);
        let h57 = format!(r#"{{"id": "hub.h57", "certificates": ["{fp}"]}}"#);
        assert!(HubRegistry::from_json(one(&h57).as_bytes()).is_ok());
        let tls = format!(
            r#"{{"id": "hub.h57", "certificates": ["{fp}"], "tlsCertificates": ["{}"]}}"#,
            "09".repeat(32)
        );
        let with_tls = HubRegistry::from_json(one(&tls).as_bytes()).unwrap();
        assert_eq!(
            with_tls.hub_of_tls_identity(&[9; 32]).map(HubId::as_str),
            Some("hub.h57")
        );
        assert_eq!(
            HubRegistry::from_json(with_tls.to_json().as_bytes()).unwrap(),
            with_tls
        );
        let same_for_both = format!(
            r#"{{"id": "hub.h57", "certificates": ["{fp}"], "tlsCertificates": ["{fp}"]}}"#
        );
        assert!(matches!(
            HubRegistry::from_json(one(&same_for_both).as_bytes()),
            Err(HubRegistryError::DuplicateCertificate { .. })
        ));
        assert!(matches!(
            HubRegistry::from_json(one(&format!("{h57}, {h57}")).as_bytes()),
            Err(HubRegistryError::DuplicateHub(_))
        ));
        let other = format!(r#"{{"id": "hub.national", "certificates": ["{fp}"]}}"#);
        assert!(matches!(
            HubRegistry::from_json(one(&format!("{h57}, {other}")).as_bytes()),
            Err(HubRegistryError::DuplicateCertificate { .. })
        ));
        let bad = r#"{"id": "hub.h57", "certificates": ["zz"]}"#;
        assert!(matches!(
            HubRegistry::from_json(one(bad).as_bytes()),
            Err(HubRegistryError::InvalidFingerprint { .. })
        ));
        assert!(matches!(
            HubRegistry::from_json(br#"{"version": 2, "hubs": []}"#),
            Err(HubRegistryError::Version(2))
        ));
        assert!(matches!(
            HubRegistry::from_json(br#"{"version": 1, "hubs": [], "extra": 1}"#),
            Err(HubRegistryError::Json(_))
        ));
    }
}
