//! A generated test PKI — **FOR TESTS AND DEMOS ONLY, NEVER FOR REAL DOCUMENTS.**
//!
//! Every key here is generated on the spot or read from the repository's public test keys
//! (`tests/data/keys/`): anybody can sign with them. Nothing issued here must ever be trusted
//! outside a test.
//!
//! The PKI: a root CA → an intermediate CA (with cRLSign) → end-entity certificates for
//! persons (CN = full name, O = agency, organizationIdentifier = agency code) and agency seals
//! (CN = O = agency name, organizationIdentifier). Validity dates are fixed (CAs
//! 2025-01-01..2035-01-01, leaves 2025-01-01..2030-01-01), so tests verify at a pinned time.
//!
//! Each leaf says what it is the way [`Policy::strict`](crate::Policy::strict) reads it: a
//! person's carries the ETSI EN 319 411-2 policy QCP-n and the QC type esign, a seal QCP-l and
//! the QC type eseal ([`Defect::NoRoleMarks`] leaves both out).

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CustomExtension, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, PublicKeyData,
    RevokedCertParams, SerialNumber, SignatureAlgorithm,
};
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer};
use time::OffsetDateTime;

use crate::org::OrgId;
use crate::signer::Algorithm;

const RSA_2048: &str = include_str!("../tests/data/keys/rsa2048-a.pem");
/// The RSA key of seals: a person's and a seal's certificate never share a key (one key must
/// not both approve and seal).
const RSA_2048_SEAL: &str = include_str!("../tests/data/keys/rsa2048-b.pem");
const RSA_1024: &str = include_str!("../tests/data/keys/rsa1024-a.pem");

/// Why the test PKI could not issue something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestPkiError {
    /// rcgen refused the parameters or the key.
    #[error("test PKI generation failed: {0}")]
    Generation(String),
}

fn gen_err(e: impl std::fmt::Display) -> TestPkiError {
    TestPkiError::Generation(e.to_string())
}

/// Who an end-entity certificate is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// A competent person: CN = full name, O = the agency's name, organizationIdentifier = code.
    Person {
        /// Full name, e.g. "Nguyễn Văn An".
        full_name: String,
        /// The agency's name.
        agency_name: String,
        /// The agency's code.
        agency: OrgId,
    },
    /// An agency seal: CN = O = the agency's name, organizationIdentifier = code.
    Seal {
        /// The agency's name.
        agency_name: String,
        /// The agency's code.
        agency: OrgId,
    },
}

/// Deliberate defects for negative tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Defect {
    /// A correct certificate.
    #[default]
    None,
    /// Valid 2020-01-01..2024-01-01: expired at any 2025+ test time.
    Expired,
    /// Valid 2031-01-01..2034-01-01: not yet valid at any 2025–2030 test time.
    NotYetValid,
    /// EKU serverAuth only.
    WrongEku,
    /// No EKU extension at all.
    NoEku,
    /// No keyUsage extension.
    NoKeyUsage,
    /// keyUsage keyEncipherment only.
    KeyUsageNotForSigning,
    /// Issued under a second hierarchy whose root nobody trusts.
    UntrustedRoot,
    /// The certificate carries the 1024-bit RSA test key (its algorithm is still reported as
    /// the requested RSA one; the key cannot sign with ring).
    Rsa1024,
    /// Not a defect: issued by the issuing CA after it renewed its key. The renewed CA
    /// certificate ([`TestPki::renewed_intermediate`]) has the same name and a new key, and the
    /// chain carries it; its CRL is [`TestPki::renewed_crl`].
    RenewedIssuer,
    /// Neither a certificate policy nor a QC statement: nothing in the certificate says
    /// whether it is a person's or an organisation's (only the directory can).
    NoRoleMarks,
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct IdentitySpec {
    /// Who.
    pub holder: Holder,
    /// The JWS algorithm the key is for.
    pub algorithm: Algorithm,
    /// A deliberate defect.
    pub defect: Defect,
}

/// An issued end-entity: its key, its chain and its algorithm.
#[derive(Debug, Clone)]
pub struct TestIdentity {
    /// The JWS algorithm the key signs with.
    pub algorithm: Algorithm,
    /// The private key, PKCS#8 DER (v2 for Ed25519).
    pub pkcs8_der: Vec<u8>,
    /// The chain, signer first, then the intermediate; the root is not included.
    pub chain: Vec<CertificateDer<'static>>,
    /// The certificate serial number, big-endian bytes.
    pub serial: Vec<u8>,
}

impl TestIdentity {
    /// A software signer over this identity's key and chain.
    pub fn signer(&self) -> Result<crate::signer::SoftwareSigner, crate::signer::SignError> {
        crate::signer::SoftwareSigner::from_pkcs8_der(
            &self.pkcs8_der,
            self.chain.clone(),
            Some(self.algorithm),
        )
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn key_pem(&self) -> String {
        pem("PRIVATE KEY", &self.pkcs8_der)
    }

    /// The signer certificate alone as PEM.
    pub fn certificate_pem(&self) -> String {
        self.chain
            .first()
            .map(|c| pem("CERTIFICATE", c))
            .unwrap_or_default()
    }

    /// The chain as a PEM bundle, signer first.
    pub fn chain_pem(&self) -> String {
        self.chain.iter().map(|c| pem("CERTIFICATE", c)).collect()
    }
}

struct Ca {
    cert: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

/// The test PKI. See the module documentation: **for tests and demos only.**
pub struct TestPki {
    root: Ca,
    intermediate: Ca,
    untrusted_root: Ca,
    untrusted_intermediate: Ca,
    renewed_intermediate: Ca,
    intermediate_serial: SerialNumber,
    next_serial: AtomicU64,
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestPki { .. }")
    }
}

fn ymd(y: i32, m: u8, d: u8) -> OffsetDateTime {
    rcgen::date_time_ymd(y, m, d)
}

fn ca_params(name: &str, serial: u64) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name.push(DnType::CommonName, name);
    p.distinguished_name.push(
        DnType::OrganizationName,
        "edoc TEST PKI (not for real documents)",
    );
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = ymd(2025, 1, 1);
    p.not_after = ymd(2035, 1, 1);
    p.serial_number = Some(SerialNumber::from(serial));
    p
}

impl TestPki {
    /// Generates the root and intermediate CAs (P-256 keys) and an untrusted twin hierarchy.
    pub fn new() -> Result<TestPki, TestPkiError> {
        // Serials 1 and 2: the root and the intermediate.
        let (root, intermediate) = hierarchy("edoc TEST Root CA", "edoc TEST Issuing CA", 1)?;
        let (untrusted_root, untrusted_intermediate) = hierarchy(
            "edoc TEST Untrusted Root",
            "edoc TEST Untrusted Issuing CA",
            3,
        )?;
        // Serial 5: the issuing CA again, same name, a new key (a CA renewing its key).
        let renewed_intermediate = intermediate_under(&root, "edoc TEST Issuing CA", 5)?;
        Ok(TestPki {
            root,
            intermediate,
            untrusted_root,
            untrusted_intermediate,
            renewed_intermediate,
            intermediate_serial: SerialNumber::from(2u64),
            next_serial: AtomicU64::new(1000),
        })
    }

    /// The root certificate (DER): the trust anchor.
    pub fn root(&self) -> &CertificateDer<'static> {
        &self.root.cert
    }

    /// The intermediate certificate (DER).
    pub fn intermediate(&self) -> &CertificateDer<'static> {
        &self.intermediate.cert
    }

    /// The issuing CA's certificate after it renewed its key (DER): same name, new key, issued
    /// by the root. See [`Defect::RenewedIssuer`].
    pub fn renewed_intermediate(&self) -> &CertificateDer<'static> {
        &self.renewed_intermediate.cert
    }

    /// The untrusted twin root (DER), for tests that need to name it.
    pub fn untrusted_root(&self) -> &CertificateDer<'static> {
        &self.untrusted_root.cert
    }

    /// The trust anchor as PEM.
    pub fn anchors_pem(&self) -> String {
        pem("CERTIFICATE", &self.root.cert)
    }

    /// The intermediate as PEM.
    pub fn intermediates_pem(&self) -> String {
        pem("CERTIFICATE", &self.intermediate.cert)
    }

    /// The certificate parameters and issuing CA for `spec`, with a fresh serial.
    fn leaf_params(&self, spec: &IdentitySpec) -> (CertificateParams, &Ca, u64) {
        let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
        let mut p = CertificateParams::default();
        let (cn, org, code) = match &spec.holder {
            Holder::Person {
                full_name,
                agency_name,
                agency,
            } => (full_name.as_str(), agency_name.as_str(), agency.to_string()),
            Holder::Seal {
                agency_name,
                agency,
            } => (
                agency_name.as_str(),
                agency_name.as_str(),
                agency.to_string(),
            ),
        };
        p.distinguished_name.push(DnType::CommonName, cn);
        p.distinguished_name.push(DnType::OrganizationName, org);
        p.distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 97]), code);
        p.distinguished_name.push(DnType::CountryName, "VN");
        p.is_ca = IsCa::ExplicitNoCa;
        p.use_authority_key_identifier_extension = true;
        p.serial_number = Some(SerialNumber::from(serial));
        p.not_before = ymd(2025, 1, 1);
        p.not_after = ymd(2030, 1, 1);
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        // id-kp-documentSigning, RFC 9336.
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(vec![
            1, 3, 6, 1, 5, 5, 7, 3, 36,
        ])];
        if spec.defect != Defect::NoRoleMarks {
            p.custom_extensions = role_extensions(&spec.holder);
        }
        let mut ca = &self.intermediate;
        match spec.defect {
            Defect::None | Defect::Rsa1024 | Defect::NoRoleMarks => {}
            Defect::Expired => {
                p.not_before = ymd(2020, 1, 1);
                p.not_after = ymd(2024, 1, 1);
            }
            Defect::NotYetValid => {
                p.not_before = ymd(2031, 1, 1);
                p.not_after = ymd(2034, 1, 1);
            }
            Defect::WrongEku => p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth],
            Defect::NoEku => p.extended_key_usages = vec![],
            Defect::NoKeyUsage => p.key_usages = vec![],
            Defect::KeyUsageNotForSigning => p.key_usages = vec![KeyUsagePurpose::KeyEncipherment],
            Defect::UntrustedRoot => ca = &self.untrusted_intermediate,
            Defect::RenewedIssuer => ca = &self.renewed_intermediate,
        }
        (p, ca, serial)
    }

    /// Issues a certificate for a key held elsewhere, e.g. generated on a PKCS#11 token and
    /// never exported: `spki_der` is its DER SubjectPublicKeyInfo. Returns the chain, leaf
    /// first, without the root.
    pub fn issue_for_public_key(
        &self,
        spec: &IdentitySpec,
        spki_der: &[u8],
    ) -> Result<Vec<CertificateDer<'static>>, TestPkiError> {
        use x509_parser::prelude::FromDer;
        let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der)
            .map_err(|e| TestPkiError::Generation(format!("public key unreadable: {e}")))?;
        let key = ExternalPublicKey {
            bits: spki.subject_public_key.data.to_vec(),
            algorithm: match spec.algorithm {
                Algorithm::Rs256 | Algorithm::Ps256 => &rcgen::PKCS_RSA_SHA256,
                Algorithm::Es256 => &rcgen::PKCS_ECDSA_P256_SHA256,
                Algorithm::Es384 => &rcgen::PKCS_ECDSA_P384_SHA384,
                Algorithm::EdDsa => &rcgen::PKCS_ED25519,
            },
        };
        let (p, ca, _) = self.leaf_params(spec);
        let cert = p.signed_by(&key, &ca.issuer).map_err(gen_err)?;
        Ok(vec![cert.der().clone(), ca.cert.clone()])
    }

    /// Issues an end-entity certificate.
    pub fn issue(&self, spec: &IdentitySpec) -> Result<TestIdentity, TestPkiError> {
        let (p, ca, serial) = self.leaf_params(spec);
        let (cert, pkcs8_der) = if spec.defect == Defect::Rsa1024 {
            let key = RsaPublicOnly::from_pkcs8_pem(RSA_1024)?;
            let cert = p.signed_by(&key, &ca.issuer).map_err(gen_err)?;
            (cert, key.pkcs8)
        } else {
            let key = key_for(spec.algorithm, Some(&spec.holder))?;
            let cert = p.signed_by(&key, &ca.issuer).map_err(gen_err)?;
            (cert, key.serialize_der())
        };
        Ok(TestIdentity {
            algorithm: spec.algorithm,
            pkcs8_der,
            chain: vec![cert.der().clone(), ca.cert.clone()],
            serial: SerialNumber::from(serial).to_bytes(),
        })
    }

    /// A person's certificate with no defect.
    pub fn person(
        &self,
        full_name: &str,
        agency_name: &str,
        agency: &OrgId,
        algorithm: Algorithm,
    ) -> Result<TestIdentity, TestPkiError> {
        self.issue(&IdentitySpec {
            holder: Holder::Person {
                full_name: full_name.into(),
                agency_name: agency_name.into(),
                agency: *agency,
            },
            algorithm,
            defect: Defect::None,
        })
    }

    /// An agency seal certificate with no defect.
    pub fn seal(
        &self,
        agency_name: &str,
        agency: &OrgId,
        algorithm: Algorithm,
    ) -> Result<TestIdentity, TestPkiError> {
        self.issue(&IdentitySpec {
            holder: Holder::Seal {
                agency_name: agency_name.into(),
                agency: *agency,
            },
            algorithm,
            defect: Defect::None,
        })
    }

    /// A time-stamping authority's certificate (RFC 3161 §2.3: extended key usage
    /// id-kp-timeStamping alone, marked critical; key usage digitalSignature and
    /// nonRepudiation), CN = `name`, valid 2025-01-01..2030-01-01 like the other leaves.
    pub fn tsa(&self, name: &str, algorithm: Algorithm) -> Result<TestIdentity, TestPkiError> {
        self.tsa_valid(name, algorithm, ymd(2025, 1, 1), ymd(2030, 1, 1))
    }

    /// [`TestPki::tsa`] with the validity period given.
    pub fn tsa_valid(
        &self,
        name: &str,
        algorithm: Algorithm,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<TestIdentity, TestPkiError> {
        let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
        let mut p = CertificateParams::default();
        p.distinguished_name.push(DnType::CommonName, name);
        p.distinguished_name.push(
            DnType::OrganizationName,
            "edoc TEST PKI (not for real documents)",
        );
        p.distinguished_name.push(DnType::CountryName, "VN");
        p.is_ca = IsCa::ExplicitNoCa;
        p.use_authority_key_identifier_extension = true;
        p.serial_number = Some(SerialNumber::from(serial));
        p.not_before = not_before;
        p.not_after = not_after;
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        // rcgen writes extendedKeyUsage non-critical; RFC 3161 §2.3 wants it critical, so it
        // goes in by hand: SEQUENCE { id-kp-timeStamping 1.3.6.1.5.5.7.3.8 }.
        let mut eku = rcgen::CustomExtension::from_oid_content(
            &[2, 5, 29, 37],
            vec![
                0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
            ],
        );
        eku.set_criticality(true);
        p.custom_extensions = vec![eku];
        let key = key_for(algorithm, None)?;
        let cert = p
            .signed_by(&key, &self.intermediate.issuer)
            .map_err(gen_err)?;
        Ok(TestIdentity {
            algorithm,
            pkcs8_der: key.serialize_der(),
            chain: vec![cert.der().clone(), self.intermediate.cert.clone()],
            serial: SerialNumber::from(serial).to_bytes(),
        })
    }

    /// The intermediate's CRL (thisUpdate 2025-01-01, nextUpdate 2035-01-01), listing each
    /// identity with its revocation date.
    pub fn crl(
        &self,
        revoked: &[(&TestIdentity, OffsetDateTime)],
    ) -> Result<CertificateRevocationListDer<'static>, TestPkiError> {
        crl_by(&self.intermediate, revoked_params(revoked))
    }

    /// The CRL of the issuing CA's renewed key (same issuer name as [`TestPki::crl`], signed by
    /// the new key), listing each identity with its revocation date.
    pub fn renewed_crl(
        &self,
        revoked: &[(&TestIdentity, OffsetDateTime)],
    ) -> Result<CertificateRevocationListDer<'static>, TestPkiError> {
        crl_by(&self.renewed_intermediate, revoked_params(revoked))
    }

    /// The root's CRL (the authority revocation list), empty: strict policies check every CA.
    pub fn root_crl(&self) -> Result<CertificateRevocationListDer<'static>, TestPkiError> {
        crl_by(&self.root, vec![])
    }

    /// The root's CRL listing the intermediate as revoked at `at`.
    pub fn root_crl_revoking_intermediate(
        &self,
        at: OffsetDateTime,
    ) -> Result<CertificateRevocationListDer<'static>, TestPkiError> {
        crl_by(
            &self.root,
            vec![RevokedCertParams {
                serial_number: self.intermediate_serial.clone(),
                revocation_time: at,
                reason_code: None,
                invalidity_date: None,
            }],
        )
    }

    /// A trust store holding this PKI's root as the anchor, its intermediate, and the root's and
    /// intermediate's CRLs (listing `revoked`).
    pub fn trust_store(
        &self,
        revoked: &[(&TestIdentity, OffsetDateTime)],
    ) -> Result<crate::trust::TrustStore, TestPkiError> {
        let mut store = crate::trust::TrustStore::default();
        let load = |r: Result<(), crate::trust::TrustStoreError>| r.map_err(gen_err);
        load(store.add_anchor_der(self.root()))?;
        load(store.add_intermediate_der(self.intermediate()))?;
        load(store.add_crl_der(&self.root_crl()?))?;
        load(store.add_crl_der(&self.crl(revoked)?))?;
        Ok(store)
    }

    /// The root's and the intermediate's CRLs as one PEM bundle.
    pub fn crls_pem(
        &self,
        revoked: &[(&TestIdentity, OffsetDateTime)],
    ) -> Result<String, TestPkiError> {
        Ok(pem("X509 CRL", &self.root_crl()?) + &pem("X509 CRL", &self.crl(revoked)?))
    }
}

/// TLS certificates, for the network: agencies' systems and hubs (tests, `edoc pki demo`).
impl TestPki {
    /// A TLS client certificate for an agency's system: CN = "`agency_name` (TLS)", O = the
    /// agency's name, organizationIdentifier = its code, keyUsage digitalSignature, EKU
    /// id-kp-clientAuth only (it cannot sign documents), a P-256 key. `defect` as for signing
    /// certificates: `UntrustedRoot` issues it under the untrusted hierarchy, `WrongEku` gives
    /// it documentSigning instead, `Expired` dates it 2020–2024.
    pub fn tls_client(
        &self,
        agency_name: &str,
        agency: &OrgId,
        defect: Defect,
    ) -> Result<TestIdentity, TestPkiError> {
        let mut p = self.tls_params(&format!("{agency_name} (TLS)"), agency_name, &[])?;
        p.distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 97]), agency.to_string());
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let mut ca = &self.intermediate;
        match defect {
            Defect::UntrustedRoot => ca = &self.untrusted_intermediate,
            Defect::WrongEku => {
                p.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(vec![
                    1, 3, 6, 1, 5, 5, 7, 3, 36,
                ])]
            }
            Defect::Expired => {
                p.not_before = ymd(2020, 1, 1);
                p.not_after = ymd(2024, 1, 1);
            }
            _ => {}
        }
        self.tls_issue(p, ca)
    }

    /// A hub's TLS certificate: CN = `hub`, O = the test PKI, no organizationIdentifier (a
    /// hub is not an agency), subjectAltName = `names` (DNS names or IP addresses), EKU
    /// serverAuth and clientAuth (it serves agencies and calls its neighbours), a P-256 key.
    pub fn tls_hub(&self, hub: &str, names: &[&str]) -> Result<TestIdentity, TestPkiError> {
        let mut p = self.tls_params(hub, "edoc TEST hubs (not for real documents)", names)?;
        p.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        self.tls_issue(p, &self.intermediate)
    }

    fn tls_params(
        &self,
        cn: &str,
        org: &str,
        names: &[&str],
    ) -> Result<CertificateParams, TestPkiError> {
        let mut p = CertificateParams::default();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.distinguished_name.push(DnType::OrganizationName, org);
        p.distinguished_name.push(DnType::CountryName, "VN");
        for name in names {
            p.subject_alt_names
                .push(match name.parse::<std::net::IpAddr>() {
                    Ok(ip) => rcgen::SanType::IpAddress(ip),
                    Err(_) => rcgen::SanType::DnsName((*name).try_into().map_err(gen_err)?),
                });
        }
        p.is_ca = IsCa::ExplicitNoCa;
        p.use_authority_key_identifier_extension = true;
        p.serial_number = Some(SerialNumber::from(
            self.next_serial.fetch_add(1, Ordering::Relaxed),
        ));
        p.not_before = ymd(2025, 1, 1);
        p.not_after = ymd(2030, 1, 1);
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        Ok(p)
    }

    fn tls_issue(&self, p: CertificateParams, ca: &Ca) -> Result<TestIdentity, TestPkiError> {
        let serial = p
            .serial_number
            .as_ref()
            .map(|s| s.to_bytes())
            .unwrap_or_default();
        let key = key_for(Algorithm::Es256, None)?;
        let cert = p.signed_by(&key, &ca.issuer).map_err(gen_err)?;
        Ok(TestIdentity {
            algorithm: Algorithm::Es256,
            pkcs8_der: key.serialize_der(),
            chain: vec![cert.der().clone(), ca.cert.clone()],
            serial,
        })
    }
}

fn hierarchy(root_name: &str, inter_name: &str, serial: u64) -> Result<(Ca, Ca), TestPkiError> {
    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(gen_err)?;
    let root_params = ca_params(root_name, serial);
    let root_cert = root_params.self_signed(&root_key).map_err(gen_err)?;
    let root = Ca {
        cert: root_cert.der().clone(),
        issuer: Issuer::new(root_params, root_key),
    };
    let intermediate = intermediate_under(&root, inter_name, serial + 1)?;
    Ok((root, intermediate))
}

/// An issuing CA under `root` with a fresh P-256 key.
fn intermediate_under(root: &Ca, name: &str, serial: u64) -> Result<Ca, TestPkiError> {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(gen_err)?;
    let mut params = ca_params(name, serial);
    params.use_authority_key_identifier_extension = true;
    let cert = params.signed_by(&key, &root.issuer).map_err(gen_err)?;
    Ok(Ca {
        cert: cert.der().clone(),
        issuer: Issuer::new(params, key),
    })
}

/// The ETSI marks of a holder, as the strict policy reads them: a certificate policy (EN 319
/// 411-2: QCP-n 0.4.0.194112.1.0 for a natural person, QCP-l 0.4.0.194112.1.1 for a legal
/// person) and a QCStatements extension with the QC type (EN 319 412-5: esign
/// 0.4.0.1862.1.6.1, eseal 0.4.0.1862.1.6.2), DER-encoded with asn1-rs.
fn role_extensions(holder: &Holder) -> Vec<CustomExtension> {
    use x509_parser::asn1_rs::{Oid, Sequence, ToDer};
    let (policy, qc_type): (&[u64], &[u64]) = match holder {
        Holder::Person { .. } => (&[0, 4, 0, 194112, 1, 0], &[0, 4, 0, 1862, 1, 6, 1]),
        Holder::Seal { .. } => (&[0, 4, 0, 194112, 1, 1], &[0, 4, 0, 1862, 1, 6, 2]),
    };
    // Fixed, well-formed arcs: encoding them cannot fail.
    let oid = |arcs: &[u64]| Oid::from(arcs).unwrap_or_else(|_| unreachable!("arcs {arcs:?}"));
    let der = |r: Result<Vec<u8>, x509_parser::asn1_rs::SerializeError>| {
        r.unwrap_or_else(|e| unreachable!("DER of fixed values: {e}"))
    };
    // certificatePolicies ::= SEQUENCE OF PolicyInformation ::= SEQUENCE { policyIdentifier }
    let information = Sequence::new(der(oid(policy).to_der_vec()).into());
    let policies = der(vec![information].to_der_vec());
    // QCStatements ::= SEQUENCE OF QCStatement ::= SEQUENCE { statementId, statementInfo }, and
    // the QcType statement's info is SEQUENCE OF OBJECT IDENTIFIER.
    let mut statement = der(oid(&[0, 4, 0, 1862, 1, 6]).to_der_vec());
    statement.extend(der(vec![oid(qc_type)].to_der_vec()));
    let statements = der(vec![Sequence::new(statement.into())].to_der_vec());
    vec![
        CustomExtension::from_oid_content(&[2, 5, 29, 32], policies),
        CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 3], statements),
    ]
}

fn revoked_params(revoked: &[(&TestIdentity, OffsetDateTime)]) -> Vec<RevokedCertParams> {
    revoked
        .iter()
        .map(|(id, at)| RevokedCertParams {
            serial_number: SerialNumber::from_slice(&id.serial),
            revocation_time: *at,
            reason_code: None,
            invalidity_date: None,
        })
        .collect()
}

fn crl_by(
    ca: &Ca,
    revoked_certs: Vec<RevokedCertParams>,
) -> Result<CertificateRevocationListDer<'static>, TestPkiError> {
    let params = CertificateRevocationListParams {
        this_update: ymd(2025, 1, 1),
        next_update: ymd(2035, 1, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    Ok(params.signed_by(&ca.issuer).map_err(gen_err)?.der().clone())
}

/// A new key for `algorithm`; RSA keys are the committed test keys: `RSA_2048_SEAL` for seals,
/// `RSA_2048` for everyone else (`holder` is `None` for a time-stamping authority).
fn key_for(algorithm: Algorithm, holder: Option<&Holder>) -> Result<KeyPair, TestPkiError> {
    let alg: &'static SignatureAlgorithm = match algorithm {
        Algorithm::Es256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        Algorithm::Es384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        Algorithm::EdDsa => &rcgen::PKCS_ED25519,
        // ring cannot generate RSA keys: use the committed test keys, one for persons and one
        // for seals.
        Algorithm::Rs256 | Algorithm::Ps256 => {
            let pem = match holder {
                Some(Holder::Seal { .. }) => RSA_2048_SEAL,
                Some(Holder::Person { .. }) | None => RSA_2048,
            };
            return KeyPair::from_pkcs8_pem_and_sign_algo(pem, &rcgen::PKCS_RSA_SHA256)
                .map_err(gen_err);
        }
    };
    KeyPair::generate_for(alg).map_err(gen_err)
}

/// An RSA public key taken from a PKCS#8 key ring refuses to load (the 1024-bit test key).
struct RsaPublicOnly {
    rsa_public_key: Vec<u8>,
    pkcs8: Vec<u8>,
}

impl RsaPublicOnly {
    fn from_pkcs8_pem(text: &str) -> Result<RsaPublicOnly, TestPkiError> {
        use rustls_pki_types::pem::PemObject;
        let key = rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(text.as_bytes())
            .map_err(gen_err)?;
        let pkcs8 = key.secret_pkcs8_der().to_vec();
        let bad = || TestPkiError::Generation("malformed RSA PKCS#8 test key".into());
        // PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING {
        //   RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, ... } } }
        let (_, info, _) = der_tlv(&pkcs8).ok_or_else(bad)?;
        let (_, _, rest) = der_tlv(info).ok_or_else(bad)?;
        let (_, _, rest) = der_tlv(rest).ok_or_else(bad)?;
        let (_, octets, _) = der_tlv(rest).ok_or_else(bad)?;
        let (_, rsa, _) = der_tlv(octets).ok_or_else(bad)?;
        let (_, _, rest) = der_tlv(rsa).ok_or_else(bad)?;
        let modulus_len = rest.len() - der_tlv(rest).ok_or_else(bad)?.2.len();
        let after_n = der_tlv(rest).ok_or_else(bad)?.2;
        let exp_len = after_n.len() - der_tlv(after_n).ok_or_else(bad)?.2.len();
        let body_len = modulus_len + exp_len;
        let mut rsa_public_key = vec![0x30];
        push_len(&mut rsa_public_key, body_len);
        rsa_public_key.extend_from_slice(rest.get(..body_len).ok_or_else(bad)?);
        Ok(RsaPublicOnly {
            rsa_public_key,
            pkcs8,
        })
    }
}

/// A public key whose private half this crate never sees.
struct ExternalPublicKey {
    bits: Vec<u8>,
    algorithm: &'static SignatureAlgorithm,
}

impl PublicKeyData for ExternalPublicKey {
    fn der_bytes(&self) -> &[u8] {
        &self.bits
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.algorithm
    }
}

impl PublicKeyData for RsaPublicOnly {
    fn der_bytes(&self) -> &[u8] {
        &self.rsa_public_key
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

/// Splits one DER TLV: (tag, content, rest).
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n > 4 {
            return None;
        }
        let (bytes, r) = (rest.get(..n)?, rest.get(n..)?);
        rest = r;
        bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    Some((tag, rest.get(..len)?, rest.get(len..)?))
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
