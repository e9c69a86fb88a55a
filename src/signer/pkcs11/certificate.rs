//! The signer's certificate chain, from the token or from files, and the check that the
//! end-entity certificate carries the token's public key.

use std::path::PathBuf;

use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass};
use cryptoki::session::Session;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use super::config::KeySelector;
use super::error::{device, Pkcs11Error};
use super::token::{strip_zeros, unwrap_octet_string, TokenPublicKey};

/// A certificate file larger than this is refused before parsing; real chains are a few KiB.
const MAX_CERTIFICATE_FILE: u64 = 1 << 20;

pub(super) fn token_certificate(
    session: &Session,
    key: &KeySelector,
    key_words: &str,
    token: &str,
) -> Result<CertificateDer<'static>, Pkcs11Error> {
    let place = format!("token \"{token}\"");
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            key.attribute(),
        ])
        .map_err(|e| device("C_FindObjects", e))?;
    let Some(handle) = found.first() else {
        return Err(Pkcs11Error::CertificateNotFound {
            key: key_words.to_owned(),
            place,
        });
    };
    let attrs = session
        .get_attributes(*handle, &[AttributeType::Value])
        .map_err(|e| device("C_GetAttributeValue(CKA_VALUE)", e))?;
    attrs
        .into_iter()
        .find_map(|a| match a {
            Attribute::Value(v) => Some(CertificateDer::from(v)),
            _ => None,
        })
        .ok_or(Pkcs11Error::CertificateNotFound {
            key: key_words.to_owned(),
            place,
        })
}

pub(super) fn read_chain_files(
    paths: &[PathBuf],
    key_words: &str,
) -> Result<Vec<CertificateDer<'static>>, Pkcs11Error> {
    let mut chain = Vec::new();
    for path in paths {
        let place = path.display().to_string();
        let unreadable = |reason: String| Pkcs11Error::CertificateUnreadable {
            place: place.clone(),
            reason,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| unreadable(e.to_string()))?
            .len();
        if size > MAX_CERTIFICATE_FILE {
            return Err(unreadable(format!(
                "{size} bytes, more than the {MAX_CERTIFICATE_FILE} allowed"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
        // PEM files often carry text before the first block (`openssl x509 -text`, PKCS#12
        // "Bag Attributes", comments): look for a block anywhere, as the PEM reader does.
        if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
            for cert in CertificateDer::pem_slice_iter(&bytes) {
                chain.push(cert.map_err(|e| unreadable(format!("bad PEM: {e:?}")))?);
            }
        } else {
            chain.push(CertificateDer::from(bytes));
        }
    }
    if chain.is_empty() {
        return Err(Pkcs11Error::CertificateNotFound {
            key: key_words.to_owned(),
            place: "the given files".to_owned(),
        });
    }
    Ok(chain)
}

pub(super) fn check_leaf_matches(
    leaf: &CertificateDer<'_>,
    public: &TokenPublicKey,
    key_words: &str,
    token: &str,
) -> Result<(), Pkcs11Error> {
    let place = "the end-entity certificate".to_owned();
    let (_, cert) =
        X509Certificate::from_der(leaf).map_err(|e| Pkcs11Error::CertificateUnreadable {
            place: place.clone(),
            reason: e.to_string(),
        })?;
    let subject = cert.subject().to_string();
    let parsed = cert
        .public_key()
        .parsed()
        .map_err(|e| Pkcs11Error::CertificateUnreadable {
            place,
            reason: e.to_string(),
        })?;
    let same = match (parsed, public) {
        (PublicKey::RSA(cert_key), TokenPublicKey::Rsa { modulus, exponent }) => {
            strip_zeros(cert_key.modulus) == modulus.as_slice()
                && strip_zeros(cert_key.exponent) == exponent.as_slice()
        }
        // Both readings are tried: a bare point can look like an OCTET STRING by chance.
        (PublicKey::EC(point), TokenPublicKey::Ec { raw }) => {
            point.data() == raw.as_slice() || unwrap_octet_string(raw) == Some(point.data())
        }
        _ => false,
    };
    if same {
        Ok(())
    } else {
        Err(Pkcs11Error::CertificateMismatch {
            subject,
            key: key_words.to_owned(),
            token: token.to_owned(),
        })
    }
}
