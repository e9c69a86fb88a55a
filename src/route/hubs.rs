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
