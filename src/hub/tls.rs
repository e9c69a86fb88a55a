//! Mutual TLS between agencies and hubs, and between hubs: identities (a certificate chain and
//! its key, from PEM), and rustls certificate verifiers built on the crate's own [`TrustStore`]
//! and [`Policy`] machinery (path building, CRLs, key usage, EKU), so a TLS peer is judged by
//! the same trust anchors and revocation lists as a document's signatures.
//!
//! Which extended key usage a TLS certificate needs:
//! - a client (an agency's system, or a hub calling its neighbour) presents a certificate with
//!   **id-kp-clientAuth** (1.3.6.1.5.5.7.3.2);
//! - a hub's server presents one with **id-kp-serverAuth** (1.3.6.1.5.5.7.3.1) and a
//!   subjectAltName for the name clients connect to; a hub's certificate carries both, since
//!   it is also the client of its neighbours.
//!
//! TLS keys are separate from signing keys: a signing certificate (documentSigning or
//! emailProtection) is refused as a TLS identity and a TLS certificate cannot seal a document,
//! because the EKU policies differ. A TLS key lives on a network-facing server and is used
//! thousands of times a minute; a seal binds the agency in law and belongs on a token. Keeping
//! them apart means a server compromise does not let anyone seal documents.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
#[cfg(feature = "server")]
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
#[cfg(feature = "server")]
use rustls::DistinguishedName;
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};

use super::clock::Clock;
use crate::trust::{ChainError, EkuPolicy, KeyUsagePolicy, Policy, TrustStore, ValidatedChain};

/// id-kp-clientAuth (RFC 5280 §4.2.1.12).
#[cfg(feature = "server")]
const CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
/// id-kp-serverAuth (RFC 5280 §4.2.1.12).
const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";

/// Why a TLS identity or configuration could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// PEM input that is not what it should be.
    #[error("{what}: {reason}")]
    Pem {
        /// Which input.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// rustls refused the configuration (a key that does not fit the certificate, say).
    #[error("TLS configuration refused: {0}")]
    Config(String),
}

/// A TLS identity: a certificate chain (leaf first) and its private key.
pub struct TlsIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("certificates", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Clone for TlsIdentity {
    fn clone(&self) -> Self {
        TlsIdentity {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl TlsIdentity {
    /// From a PEM certificate chain (leaf first) and a PEM private key (PKCS#8, SEC1 or PKCS#1).
    pub fn from_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<TlsIdentity, TlsError> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem)
            .collect::<Result<_, _>>()
            .map_err(|e| TlsError::Pem {
                what: "TLS certificate chain",
                reason: e.to_string(),
            })?;
        if chain.is_empty() {
            return Err(TlsError::Pem {
                what: "TLS certificate chain",
                reason: "no CERTIFICATE block".into(),
            });
        }
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsError::Pem {
            what: "TLS private key",
            reason: e.to_string(),
        })?;
        Ok(TlsIdentity { chain, key })
    }

    /// From a PEM certificate chain file and a PEM private key file.
    pub fn from_files(chain: &Path, key: &Path) -> Result<TlsIdentity, TlsError> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| TlsError::Read {
                path: path.to_path_buf(),
                source,
            })
        };
        TlsIdentity::from_pem(&read(chain)?, &read(key)?)
    }

    /// The SHA-256 fingerprint of the leaf certificate's DER: what a neighbour registers
    /// ([`HubRegistry::add_tls_identity`](crate::HubRegistry::add_tls_identity)) or pins.
    pub fn certificate_sha256(&self) -> [u8; 32] {
        self.chain
            .first()
            .map(|c| Sha256::digest(c.as_ref()).into())
            .unwrap_or_default()
    }

    /// The agency the leaf certificate names in its organizationIdentifier (2.5.4.97), if
    /// any: who an agency's TLS certificate speaks for.
    pub fn agency(&self) -> Option<crate::org::OrgId> {
        use x509_parser::prelude::FromDer;
        let leaf = self.chain.first()?;
        let (_, cert) = x509_parser::certificate::X509Certificate::from_der(leaf).ok()?;
        crate::trust::CertificateName::from_x509(cert.subject()).org_id
    }

    pub(crate) fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.chain.clone()
    }

    pub(crate) fn key(&self) -> PrivateKeyDer<'static> {
        self.key.clone_key()
    }
}

/// Which side of a TLS connection a certificate is checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// A client certificate: id-kp-clientAuth.
    #[cfg(feature = "server")]
    Client,
    /// A server certificate: id-kp-serverAuth.
    Server,
}

/// The TLS variant of a document policy: same anchors, algorithms, RSA sizes, revocation and
/// chain length; the EKU of the side; the keyUsage must allow signing (TLS 1.3 handshakes
/// are signed, RFC 8446 §4.4.3).
pub(crate) fn tls_policy(base: &Policy, side: Side) -> Policy {
    let mut policy = base.clone();
    policy.eku = EkuPolicy::AnyOf(vec![match side {
        #[cfg(feature = "server")]
        Side::Client => CLIENT_AUTH.to_owned(),
        Side::Server => SERVER_AUTH.to_owned(),
    }]);
    policy.leaf_key_usage = KeyUsagePolicy::RequireSigning;
    policy
}

fn sha256(der: &[u8]) -> [u8; 32] {
    Sha256::digest(der).into()
}

fn algorithms() -> WebPkiSupportedAlgorithms {
    rustls::crypto::ring::default_provider().signature_verification_algorithms
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls error for a chain the trust store refused, so the peer gets the right alert
/// (certificate_revoked, unknown_ca, certificate_expired, ...).
fn chain_error(e: &ChainError) -> rustls::Error {
    let c = match e {
        ChainError::Revoked { .. } | ChainError::RevokedAfterSigningTime { .. } => {
            CertificateError::Revoked
        }
        ChainError::UnknownIssuer { .. } => CertificateError::UnknownIssuer,
        ChainError::Expired { .. } | ChainError::ExpiredAfterSigningTime { .. } => {
            CertificateError::Expired
        }
        ChainError::NotYetValid { .. } => CertificateError::NotValidYet,
        ChainError::BadCertificateSignature { .. } => CertificateError::BadSignature,
        ChainError::WrongExtendedKeyUsage { .. }
        | ChainError::MissingKeyUsage { .. }
        | ChainError::KeyUsageNotForSigning { .. } => CertificateError::InvalidPurpose,
        ChainError::RevocationUnknown { .. } => CertificateError::UnknownRevocationStatus,
        ChainError::EmptyChain
        | ChainError::Malformed { .. }
        | ChainError::TooManyCertificates { .. } => CertificateError::BadEncoding,
        other => CertificateError::Other(rustls::OtherError(Arc::new(other.clone()))),
    };
    rustls::Error::InvalidCertificate(c)
}

/// Checks TLS client certificates against a trust store, for the hub's server.
#[cfg(feature = "server")]
pub(crate) struct TrustStoreClientVerifier {
    trust: Arc<TrustStore>,
    policy: Policy,
    clock: Arc<dyn Clock>,
    algorithms: WebPkiSupportedAlgorithms,
    hints: Vec<DistinguishedName>,
}

#[cfg(feature = "server")]
impl std::fmt::Debug for TrustStoreClientVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStoreClientVerifier")
            .finish_non_exhaustive()
    }
}

/// Validates a peer's chain (leaf first) under the TLS policy.
pub(crate) fn validate_peer(
    trust: &TrustStore,
    policy: &Policy,
    clock: &dyn Clock,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
) -> Result<Arc<ValidatedChain>, ChainError> {
    let mut chain = Vec::with_capacity(1 + intermediates.len());
    chain.push(CertificateDer::from(end_entity.as_ref()));
    chain.extend(
        intermediates
            .iter()
            .map(|c| CertificateDer::from(c.as_ref())),
    );
    trust.validate_chain(
        &chain,
        crate::trust::ValidationTimes::at(clock.now()),
        policy,
    )
}

#[cfg(feature = "server")]
impl ClientCertVerifier for TrustStoreClientVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        match validate_peer(
            &self.trust,
            &self.policy,
            self.clock.as_ref(),
            end_entity,
            intermediates,
        ) {
            Ok(_) => Ok(ClientCertVerified::assertion()),
            Err(e) => {
                tracing::info!(error = %e, "TLS client certificate refused");
                Err(chain_error(&e))
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Checks a hub's TLS server certificate against a trust store: chain under the serverAuth
/// policy, the name connected to, and, when pins are given, the exact certificate.
pub(crate) struct TrustStoreServerVerifier {
    trust: Arc<TrustStore>,
    policy: Policy,
    clock: Arc<dyn Clock>,
    pins: Vec<[u8; 32]>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl std::fmt::Debug for TrustStoreServerVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStoreServerVerifier")
            .field("pins", &self.pins.len())
            .finish_non_exhaustive()
    }
}

impl ServerCertVerifier for TrustStoreServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        validate_peer(
            &self.trust,
            &self.policy,
            self.clock.as_ref(),
            end_entity,
            intermediates,
        )
        .map_err(|e| {
            tracing::warn!(error = %e, "TLS server certificate refused");
            chain_error(&e)
        })?;
        let ee = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        ee.verify_is_valid_for_subject_name(server_name)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::NotValidForName))?;
        if !self.pins.is_empty() && !self.pins.contains(&sha256(end_entity.as_ref())) {
            tracing::warn!(server = ?server_name, "TLS server certificate is not the pinned one");
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A rustls client configuration: this identity, servers checked against `trust` under
/// `policy` (made a serverAuth policy here), optionally pinned to certificate fingerprints.
pub(crate) fn client_config(
    identity: &TlsIdentity,
    trust: Arc<TrustStore>,
    policy: &Policy,
    clock: Arc<dyn Clock>,
    pins: Vec<[u8; 32]>,
) -> Result<rustls::ClientConfig, TlsError> {
    let verifier = TrustStoreServerVerifier {
        trust,
        policy: tls_policy(policy, Side::Server),
        clock,
        pins,
        algorithms: algorithms(),
    };
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_client_auth_cert(identity.chain(), identity.key())
        .map_err(|e| TlsError::Config(e.to_string()))
}

/// The rustls server configuration of a hub: its TLS identity, and client certificates
/// required and checked against `trust` under `policy` made a clientAuth policy (chain, CRLs,
/// key usage). There is no anonymous access and no plaintext listener.
///
/// `policy` is the hub's document policy ([`Policy::strict`] in a deployment): the TLS check
/// keeps its algorithms, key sizes, revocation mode and chain length and requires
/// id-kp-clientAuth of the client's certificate instead of a signing EKU.
#[cfg(feature = "server")]
pub fn server_tls_config(
    identity: &TlsIdentity,
    trust: Arc<TrustStore>,
    policy: &Policy,
    clock: Arc<dyn Clock>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let verifier = TrustStoreClientVerifier {
        trust,
        policy: tls_policy(policy, Side::Client),
        clock,
        algorithms: algorithms(),
        // No hints: a client has one identity, and listing every anchor's name to anyone
        // who connects tells them nothing useful.
        hints: Vec::new(),
    };
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(identity.chain(), identity.key())
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(Arc::new(config))
}
