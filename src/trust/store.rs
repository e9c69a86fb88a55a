//! The trust store: anchors, intermediates and CRLs, loaded within limits. Chain validation
//! against it is `validate.rs`.

use ::time::OffsetDateTime;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, TrustAnchor};
use webpki::{CertRevocationList, OwnedCertRevocationList};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::cache::{CacheStats, ChainCache};
use super::error::TrustStoreError;

/// Size and count limits of the trust store and of a chain to validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TrustLimits {
    /// Largest certificate, in bytes. Real certificates are 1–3 KiB; 64 KiB leaves room for
    /// large RSA-8192 keys and many extensions.
    pub max_certificate_bytes: usize,
    /// Largest CRL, in bytes. National CA CRLs run to a few MiB; 32 MiB bounds memory.
    pub max_crl_bytes: usize,
    /// Trust anchors held (a national trust list has some dozens).
    pub max_anchors: usize,
    /// Intermediates held.
    pub max_intermediates: usize,
    /// CRLs held.
    pub max_crls: usize,
    /// Certificates read from one chain (`x5c`), signer included.
    pub max_chain_certificates: usize,
    /// Validated chains kept in the cache.
    pub cache_entries: usize,
}

impl Default for TrustLimits {
    fn default() -> Self {
        TrustLimits {
            max_certificate_bytes: 64 * 1024,
            max_crl_bytes: 32 * 1024 * 1024,
            max_anchors: 1_000,
            max_intermediates: 10_000,
            max_crls: 1_000,
            max_chain_certificates: 10,
            cache_entries: 10_000,
        }
    }
}

pub(super) struct Anchor {
    pub(super) der: CertificateDer<'static>,
    pub(super) anchor: TrustAnchor<'static>,
}

pub(super) struct Crl {
    pub(super) der: Vec<u8>,
    pub(super) parsed: CertRevocationList<'static>,
    pub(super) next_update: Option<OffsetDateTime>,
}

/// Trust anchors (roots), intermediates and CRLs, with a cache of validated chains.
///
/// Loading bumps the store's generation, so cached results from before never answer again.
/// Validation is `&self` and thread-safe: share one store (in an `Arc`) between threads.
pub struct TrustStore {
    pub(super) limits: TrustLimits,
    pub(super) anchors: Vec<Anchor>,
    pub(super) intermediates: Vec<CertificateDer<'static>>,
    pub(super) crls: Vec<Crl>,
    pub(super) generation: u64,
    pub(super) cache: ChainCache,
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore")
            .field("anchors", &self.anchors.len())
            .field("intermediates", &self.intermediates.len())
            .field("crls", &self.crls.len())
            .field("generation", &self.generation)
            .field("cache", &self.cache)
            .finish()
    }
}

impl Default for TrustStore {
    fn default() -> Self {
        TrustStore::new(TrustLimits::default())
    }
}

impl TrustStore {
    /// An empty store with these limits.
    pub fn new(limits: TrustLimits) -> TrustStore {
        TrustStore {
            limits,
            anchors: Vec::new(),
            intermediates: Vec::new(),
            crls: Vec::new(),
            generation: 0,
            cache: ChainCache::new(limits.cache_entries),
        }
    }

    /// The store's generation: it changes whenever anchors, intermediates or CRLs change.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn touch(&mut self) {
        self.generation += 1;
        self.cache.clear();
    }

    /// Adds one trust anchor (a root certificate, DER).
    pub fn add_anchor_der(&mut self, der: &[u8]) -> Result<(), TrustStoreError> {
        self.check_cert_size(der, "trust anchor")?;
        if self.anchors.len() >= self.limits.max_anchors {
            return Err(TrustStoreError::Limit {
                what: "trust anchors",
                max: self.limits.max_anchors,
            });
        }
        let der = CertificateDer::from(der.to_vec());
        let anchor = webpki::anchor_from_trusted_cert(&der)
            .map_err(|e| TrustStoreError::Der {
                what: "trust anchor",
                reason: format!("{e:?}"),
            })?
            .to_owned();
        self.anchors.push(Anchor { der, anchor });
        self.touch();
        Ok(())
    }

    /// Adds every certificate of a PEM bundle as a trust anchor; returns how many.
    pub fn add_anchors_pem(&mut self, pem: &[u8]) -> Result<usize, TrustStoreError> {
        let ders = pem_certificates(pem, "trust anchor")?;
        for der in &ders {
            self.add_anchor_der(der)?;
        }
        Ok(ders.len())
    }

    /// Adds one intermediate CA certificate (DER). Intermediates are candidates for path
    /// building, never trusted by themselves.
    pub fn add_intermediate_der(&mut self, der: &[u8]) -> Result<(), TrustStoreError> {
        self.check_cert_size(der, "intermediate")?;
        if self.intermediates.len() >= self.limits.max_intermediates {
            return Err(TrustStoreError::Limit {
                what: "intermediates",
                max: self.limits.max_intermediates,
            });
        }
        X509Certificate::from_der(der).map_err(|e| TrustStoreError::Der {
            what: "intermediate",
            reason: e.to_string(),
        })?;
        self.intermediates.push(CertificateDer::from(der.to_vec()));
        self.touch();
        Ok(())
    }

    /// Adds every certificate of a PEM bundle as an intermediate; returns how many.
    pub fn add_intermediates_pem(&mut self, pem: &[u8]) -> Result<usize, TrustStoreError> {
        let ders = pem_certificates(pem, "intermediate")?;
        for der in &ders {
            self.add_intermediate_der(der)?;
        }
        Ok(ders.len())
    }

    /// Adds one CRL (DER). Its signature is checked during validation, against the CA that
    /// issued the certificate it speaks about.
    pub fn add_crl_der(&mut self, der: &[u8]) -> Result<(), TrustStoreError> {
        if der.len() > self.limits.max_crl_bytes {
            return Err(TrustStoreError::Limit {
                what: "CRL bytes",
                max: self.limits.max_crl_bytes,
            });
        }
        if self.crls.len() >= self.limits.max_crls {
            return Err(TrustStoreError::Limit {
                what: "CRLs",
                max: self.limits.max_crls,
            });
        }
        let bad = |reason: String| TrustStoreError::Der {
            what: "CRL",
            reason,
        };
        let owned = OwnedCertRevocationList::from_der(der).map_err(|e| bad(format!("{e:?}")))?;
        let (_, parsed) = x509_parser::parse_x509_crl(der).map_err(|e| bad(e.to_string()))?;
        let next_update = parsed.next_update().map(|t| t.to_datetime());
        let this_update = parsed.last_update().to_datetime();
        let crl = Crl {
            der: der.to_vec(),
            parsed: CertRevocationList::Owned(owned),
            next_update,
        };
        // One CRL per issuer: webpki reads the first that matches, so an older list left in
        // place would hide a newer revocation. The newer (or equally new, later loaded) wins.
        let same_issuer = self.crls.iter().position(|c| {
            x509_parser::parse_x509_crl(&c.der)
                .is_ok_and(|(_, old)| old.issuer().as_raw() == parsed.issuer().as_raw())
        });
        // A list signed by a CA this store knows (an anchor or intermediate named as its
        // issuer) is never displaced by one that is not: otherwise a forged "newer" list would
        // push out the real one and make every chain from that CA fail (a denial of service
        // from untrusted CRL input). Lists whose CA comes only in signers' `x5c` cannot be
        // checked here; between those the newer wins, and validation checks the signature.
        let new_signed = crl_signed_by_known_ca(&self.anchors, &self.intermediates, &parsed);
        match same_issuer.and_then(|i| self.crls.get_mut(i)) {
            Some(slot) => {
                let (older, old_signed) = match x509_parser::parse_x509_crl(&slot.der) {
                    Ok((_, old)) => (
                        old.last_update().to_datetime() <= this_update,
                        crl_signed_by_known_ca(&self.anchors, &self.intermediates, &old),
                    ),
                    Err(_) => (true, false),
                };
                if old_signed && !new_signed {
                    return Err(bad(
                        "its issuer already has a CRL signed by a known CA, and this one is not \
                         signed by that CA"
                            .into(),
                    ));
                }
                if older || (new_signed && !old_signed) {
                    *slot = crl;
                }
            }
            None => self.crls.push(crl),
        }
        self.touch();
        Ok(())
    }

    /// Adds every CRL of a PEM bundle (`-----BEGIN X509 CRL-----`); returns how many.
    pub fn add_crls_pem(&mut self, pem: &[u8]) -> Result<usize, TrustStoreError> {
        let mut n = 0;
        for item in CertificateRevocationListDer::pem_slice_iter(pem) {
            let der = item.map_err(|e| TrustStoreError::Pem {
                what: "CRL",
                reason: e.to_string(),
            })?;
            self.add_crl_der(der.as_ref())?;
            n += 1;
        }
        Ok(n)
    }

    /// Cache counters.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    fn check_cert_size(&self, der: &[u8], what: &'static str) -> Result<(), TrustStoreError> {
        if der.len() > self.limits.max_certificate_bytes {
            return Err(TrustStoreError::Limit {
                what,
                max: self.limits.max_certificate_bytes,
            });
        }
        Ok(())
    }
}

fn pem_certificates(
    pem: &[u8],
    what: &'static str,
) -> Result<Vec<CertificateDer<'static>>, TrustStoreError> {
    CertificateDer::pem_slice_iter(pem)
        .map(|r| {
            r.map_err(|e| TrustStoreError::Pem {
                what,
                reason: e.to_string(),
            })
        })
        .collect()
}

/// Whether an anchor or intermediate whose subject is the CRL's issuer signed it.
fn crl_signed_by_known_ca(
    anchors: &[Anchor],
    intermediates: &[CertificateDer<'static>],
    crl: &x509_parser::revocation_list::CertificateRevocationList<'_>,
) -> bool {
    use x509_parser::prelude::{FromDer, X509Certificate};
    anchors
        .iter()
        .map(|a| &a.der)
        .chain(intermediates.iter())
        .any(|der| {
            X509Certificate::from_der(der.as_ref()).is_ok_and(|(_, ca)| {
                ca.subject().as_raw() == crl.issuer().as_raw()
                    && crl.verify_signature(ca.public_key()).is_ok()
            })
        })
}
