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
    /// The issuer's name, DER, as written in the list.
    pub(super) issuer: Vec<u8>,
    /// The authority key identifier: which of the issuer's keys signed the list.
    pub(super) key_id: Option<Vec<u8>>,
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
        let issuer = parsed.issuer().as_raw().to_vec();
        let key_id = crl_key_id(&parsed);
        // A list in the name of a CA this store knows must be signed by that CA (by one of its
        // keys): otherwise a forged list could stand beside or in place of the real one (a
        // denial of service from untrusted CRL input). Lists whose CA comes only in signers'
        // `x5c` cannot be checked here; validation checks their signature.
        let known_name = known_cas(&self.anchors, &self.intermediates)
            .any(|ca| ca.subject().as_raw() == issuer.as_slice());
        let new_signed = crl_signed_by_known_ca(&self.anchors, &self.intermediates, &parsed);
        if known_name && !new_signed {
            return Err(bad(
                "it names a CA this store knows as its issuer, and no key of that CA signed it"
                    .into(),
            ));
        }
        let crl = Crl {
            der: der.to_vec(),
            parsed: CertRevocationList::Owned(owned),
            next_update,
            issuer,
            key_id,
        };
        // One CRL per issuer name and key (authority key identifier): webpki reads the first
        // list that matches a name, so an older list left in place would hide a newer
        // revocation; the newer (or equally new, later loaded) wins. A CA that renewed its key
        // keeps one list per key, and validation picks the one for the key that issued each
        // certificate of the chain.
        let same_key = self
            .crls
            .iter()
            .position(|c| c.issuer == crl.issuer && c.key_id == crl.key_id);
        match same_key.and_then(|i| self.crls.get_mut(i)) {
            Some(slot) => {
                let (older, old_signed) = match x509_parser::parse_x509_crl(&slot.der) {
                    Ok((_, old)) => (
                        old.last_update().to_datetime() <= this_update,
                        crl_signed_by_known_ca(&self.anchors, &self.intermediates, &old),
                    ),
                    Err(_) => (true, false),
                };
                // A list signed by a known CA is never displaced by one that is not.
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

/// The CA certificates the store holds: anchors and intermediates, parsed.
fn known_cas<'a>(
    anchors: &'a [Anchor],
    intermediates: &'a [CertificateDer<'static>],
) -> impl Iterator<Item = X509Certificate<'a>> {
    anchors
        .iter()
        .map(|a| &a.der)
        .chain(intermediates.iter())
        .filter_map(|der| X509Certificate::from_der(der.as_ref()).ok().map(|(_, c)| c))
}

/// Whether an anchor or intermediate whose subject is the CRL's issuer signed it.
fn crl_signed_by_known_ca(
    anchors: &[Anchor],
    intermediates: &[CertificateDer<'static>],
    crl: &x509_parser::revocation_list::CertificateRevocationList<'_>,
) -> bool {
    known_cas(anchors, intermediates).any(|ca| {
        ca.subject().as_raw() == crl.issuer().as_raw()
            && crl.verify_signature(ca.public_key()).is_ok()
    })
}

/// The keyIdentifier of a CRL's authority key identifier extension, when it has one.
pub(super) fn crl_key_id(
    crl: &x509_parser::revocation_list::CertificateRevocationList<'_>,
) -> Option<Vec<u8>> {
    crl.extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            x509_parser::extensions::ParsedExtension::AuthorityKeyIdentifier(aki) => {
                aki.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
}

/// The keyIdentifier of a certificate's authority key identifier: which key of its issuer
/// signed it.
pub(super) fn cert_key_id(cert: &X509Certificate<'_>) -> Option<Vec<u8>> {
    cert.extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            x509_parser::extensions::ParsedExtension::AuthorityKeyIdentifier(aki) => {
                aki.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
}
