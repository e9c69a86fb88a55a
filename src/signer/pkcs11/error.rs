//! Why a PKCS#11 signer could not be opened or could not sign, with the PKCS#11 names of return
//! codes and mechanisms.

use std::path::PathBuf;

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::MechanismType;

use crate::signer::Algorithm;

/// Why a PKCS#11 signer could not be opened or could not sign. PINs never appear in it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// The module file is missing or is not a loadable PKCS#11 library.
    #[error("PKCS#11 module {} could not be loaded: {reason}", path.display())]
    ModuleNotFound {
        /// The path given.
        path: PathBuf,
        /// What the loader said.
        reason: String,
    },
    /// No token matched; `available` lists the labels of the tokens present.
    #[error("no {wanted}; tokens present: {}", list_or_none(available))]
    TokenNotFound {
        /// The selector, in words.
        wanted: String,
        /// Labels of the tokens present (with their slot id).
        available: Vec<String>,
    },
    /// The token refused the PIN (`CKR_PIN_INCORRECT`).
    #[error("the PIN was refused by token \"{token}\"")]
    WrongPin {
        /// Token label.
        token: String,
    },
    /// The token's user PIN is locked after too many wrong attempts (`CKR_PIN_LOCKED`).
    #[error("the user PIN of token \"{token}\" is locked")]
    PinLocked {
        /// Token label.
        token: String,
    },
    /// The environment variable meant to hold the PIN is not set (or not UTF-8).
    #[error("the PIN environment variable {variable} is not set")]
    PinMissing {
        /// The variable's name.
        variable: String,
    },
    /// The PIN callback returned no PIN.
    #[error("no PIN was given for token \"{token}\"")]
    PinCancelled {
        /// Token label.
        token: String,
    },
    /// No private key matched on the token.
    #[error("no private {key} on token \"{token}\"")]
    KeyNotFound {
        /// The selector, in words.
        key: String,
        /// Token label.
        token: String,
    },
    /// Several private keys matched; a signer must be unambiguous.
    #[error(
        "{count} private keys match {key} on token \"{token}\"; select by a unique label or id"
    )]
    KeyAmbiguous {
        /// The selector, in words.
        key: String,
        /// Token label.
        token: String,
        /// How many matched.
        count: usize,
    },
    /// The public half of the key could not be read, so the certificate cannot be checked.
    #[error("the public key of {key} on token \"{token}\" cannot be read: {reason}")]
    PublicKeyUnavailable {
        /// The selector, in words.
        key: String,
        /// Token label.
        token: String,
        /// Why.
        reason: String,
    },
    /// The key is of a type this signer does not use (only RSA, EC P-256 and EC P-384 are).
    #[error(
        "{key} on token \"{token}\" is {key_type}; only RSA, EC P-256 and EC P-384 keys sign here"
    )]
    UnsupportedKeyType {
        /// The selector, in words.
        key: String,
        /// Token label.
        token: String,
        /// The key type, in words.
        key_type: String,
    },
    /// The requested algorithm does not fit the key (e.g. ES384 with a P-256 key, PS256 with EC),
    /// or this signer does not implement it (EdDSA).
    #[error("{algorithm} cannot be made with {key} on token \"{token}\", which is {key_type}")]
    AlgorithmMismatch {
        /// The requested algorithm.
        algorithm: Algorithm,
        /// The selector, in words.
        key: String,
        /// Token label.
        token: String,
        /// The key type, in words ("RSA 2048", "EC P-256", ...).
        key_type: String,
    },
    /// The token does not list the mechanism the algorithm needs.
    #[error("token \"{token}\" does not support mechanism {mechanism}, needed for {algorithm}")]
    MechanismUnsupported {
        /// The mechanism name, e.g. `CKM_SHA256_RSA_PKCS_PSS`.
        mechanism: String,
        /// The algorithm that needs it.
        algorithm: Algorithm,
        /// Token label.
        token: String,
    },
    /// No certificate was found (no certificate object on the token, or empty files).
    #[error("no certificate for {key} found in {place}")]
    CertificateNotFound {
        /// The selector, in words.
        key: String,
        /// Where it was looked for.
        place: String,
    },
    /// A certificate could not be read or parsed.
    #[error("certificate from {place} cannot be used: {reason}")]
    CertificateUnreadable {
        /// Where it came from.
        place: String,
        /// Why.
        reason: String,
    },
    /// The end-entity certificate's public key is not the token key's public key.
    #[error("certificate \"{subject}\" does not belong to {key} on token \"{token}\": its public key differs")]
    CertificateMismatch {
        /// The certificate's subject.
        subject: String,
        /// The selector, in words.
        key: String,
        /// Token label.
        token: String,
    },
    /// The device failed; `code` is the PKCS#11 return code name (e.g. `CKR_DEVICE_ERROR`).
    #[error("PKCS#11 {operation} failed: {code}")]
    Device {
        /// The PKCS#11 function or step.
        operation: String,
        /// The return code name, or the library's description when there is none.
        code: String,
    },
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// `CKR_...` name of a return code, from cryptoki's variant name (`PinIncorrect` → `CKR_PIN_INCORRECT`).
fn rv_name(rv: &RvError) -> String {
    match rv {
        RvError::VendorDefined(code) => format!("CKR_VENDOR_DEFINED({code:#x})"),
        RvError::UnknownErrorCode(code) => format!("unknown return code {code:#x}"),
        other => {
            let camel = format!("{other:?}");
            let mut out = String::from("CKR");
            for c in camel.chars() {
                if c.is_ascii_uppercase() {
                    out.push('_');
                }
                out.push(c.to_ascii_uppercase());
            }
            out
        }
    }
}

pub(super) fn device(operation: &str, e: CkError) -> Pkcs11Error {
    let code = match &e {
        CkError::Pkcs11(rv, _) => rv_name(rv),
        other => other.to_string(),
    };
    Pkcs11Error::Device {
        operation: operation.to_owned(),
        code,
    }
}

pub(super) fn mechanism_name(m: MechanismType) -> &'static str {
    if m == MechanismType::SHA256_RSA_PKCS {
        "CKM_SHA256_RSA_PKCS"
    } else if m == MechanismType::SHA256_RSA_PKCS_PSS {
        "CKM_SHA256_RSA_PKCS_PSS"
    } else if m == MechanismType::ECDSA {
        "CKM_ECDSA"
    } else {
        "unnamed mechanism"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_code_names_follow_the_pkcs11_spelling() {
        assert_eq!(rv_name(&RvError::PinIncorrect), "CKR_PIN_INCORRECT");
        assert_eq!(rv_name(&RvError::DeviceError), "CKR_DEVICE_ERROR");
    }
}
