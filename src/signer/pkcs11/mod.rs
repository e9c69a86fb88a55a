//! A [`Signer`] whose private key lives on a PKCS#11 token (USB token or HSM) and never leaves it.
//!
//! The signer opens a module (the vendor's `.so`), selects a token by label or slot, logs in as
//! the user with a PIN taken from an environment variable or a callback, finds the private key by
//! label or `CKA_ID`, reads the certificate chain from the token or from files, and checks that the
//! certificate's public key is the token's key before it signs anything.
//!
//! Mechanisms (PKCS#11 v2.40 §2.1, §2.3):
//! - `RS256`: `CKM_SHA256_RSA_PKCS`, the token hashes.
//! - `PS256`: `CKM_SHA256_RSA_PKCS_PSS`, MGF1-SHA-256, salt 32 bytes (RFC 7518 §3.5).
//! - `ES256` / `ES384`: the library hashes (SHA-256 / SHA-384) and the token runs plain
//!   `CKM_ECDSA`, which returns r‖s, the JWS form (RFC 7518 §3.4). SoftHSM2 refuses
//!   `CKM_ECDSA_SHA256`, and many tokens lack it, so hashing here is the portable choice.
//!
//! This file holds the signer itself and the choice of algorithm and mechanism for a key;
//! `config.rs` what opening it takes, `error.rs` its errors, `token.rs` the module, token and
//! key objects, and `certificate.rs` the certificate chain and its match with the token's key.

mod certificate;
mod config;
mod error;
mod token;

use std::fmt;
use std::sync::Mutex;

use cryptoki::context::Pkcs11;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use rustls_pki_types::CertificateDer;
use sha2::Digest;

use self::certificate::{check_leaf_matches, read_chain_files, token_certificate};
use self::error::{device, mechanism_name};
use self::token::{
    find_one, key_kind, load_module, select_token, token_public_key, Found, KeyKind,
};
use crate::signer::{Algorithm, SignError, Signer};

pub use config::{CertificateSource, KeySelector, Pin, PinSource, Pkcs11Config, TokenSelector};
pub use error::Pkcs11Error;

/// Signs JWS signing inputs with a private key held on a PKCS#11 token.
///
/// The session stays open and logged in for the signer's lifetime, behind a mutex, so one signer
/// can be shared between threads (one signature at a time on the token).
///
/// ```no_run
/// use edoc::{CertificateSource, KeySelector, PinSource, Pkcs11Config, Pkcs11Signer, Signer, TokenSelector};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let signer = Pkcs11Signer::open(Pkcs11Config {
///     module: "/usr/lib/softhsm/libsofthsm2.so".into(),
///     token: TokenSelector::Label("Nguyen Van A".into()),
///     pin: PinSource::Env("EDOC_PIN".into()),
///     key: KeySelector::Label("person-rsa".into()),
///     certificates: CertificateSource::Token,
///     algorithm: None, // PS256 for an RSA key
/// })?;
/// let signature = signer.sign(b"eyJhbGciOiJQUzI1NiJ9.")?;
/// # let _ = signature;
/// # Ok(())
/// # }
/// ```
pub struct Pkcs11Signer {
    algorithm: Algorithm,
    chain: Vec<CertificateDer<'static>>,
    key: ObjectHandle,
    key_words: String,
    token: String,
    session: Mutex<Session>,
    // Keeps the module loaded for as long as the session lives.
    _context: Pkcs11,
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("algorithm", &self.algorithm)
            .field("token", &self.token)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Opens the module, logs in to the token, finds the key and its certificate chain, and
    /// checks that the end-entity certificate carries the key's public key.
    ///
    /// Opens are serialized within the process (a PIN callback that prompts holds back other
    /// opens until it returns); signing is not.
    ///
    /// Calling it several times in one process with the same module is fine: an already
    /// initialized module is reused, and a token already logged in by this process stays so
    /// (PKCS#11 login state is per application and token, v2.40 §5.6).
    pub fn open(config: Pkcs11Config) -> Result<Pkcs11Signer, Pkcs11Error> {
        let Pkcs11Config {
            module,
            token,
            pin,
            key,
            certificates,
            algorithm,
        } = config;
        // Opens are serialized within the process: C_Login rewrites the token's state on some
        // modules (SoftHSM2's file store), and a concurrent C_GetTokenInfo or C_Login from
        // another thread then fails with CKR_GENERAL_ERROR. Signing runs in parallel.
        static OPEN: Mutex<()> = Mutex::new(());
        let _serial = OPEN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tracing::debug!(module = %module.display(), "opening PKCS#11 module");
        let context = load_module(&module)?;
        let (slot, token_label) = select_token(&context, &token)?;
        tracing::debug!(token = %token_label, slot = slot.id(), "selected token");

        // Read the PIN before opening a session, so a missing PIN fails early and cheaply.
        let pin = match pin {
            PinSource::Env(variable) => match std::env::var(&variable) {
                Ok(value) => Pin(value),
                Err(_) => return Err(Pkcs11Error::PinMissing { variable }),
            },
            PinSource::Callback(callback) => match callback() {
                Some(pin) => pin,
                None => {
                    return Err(Pkcs11Error::PinCancelled { token: token_label });
                }
            },
        };

        let session = context
            .open_ro_session(slot)
            .map_err(|e| device("C_OpenSession", e))?;
        let auth = AuthPin::from(pin.0);
        match session.login(UserType::User, Some(&auth)) {
            Ok(()) => tracing::debug!(token = %token_label, "logged in as user"),
            Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {
                tracing::debug!(token = %token_label, "token already logged in by this process");
            }
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                return Err(Pkcs11Error::WrongPin { token: token_label });
            }
            Err(CkError::Pkcs11(RvError::PinLocked, _)) => {
                return Err(Pkcs11Error::PinLocked { token: token_label });
            }
            Err(e) => return Err(device("C_Login", e)),
        }
        drop(auth);

        let key_words = key.to_string();
        let private = find_one(&session, ObjectClass::PRIVATE_KEY, &key).map_err(|e| match e {
            Found::None => Pkcs11Error::KeyNotFound {
                key: key_words.clone(),
                token: token_label.clone(),
            },
            Found::Many(count) => Pkcs11Error::KeyAmbiguous {
                key: key_words.clone(),
                token: token_label.clone(),
                count,
            },
            Found::Device(e) => e,
        })?;
        tracing::debug!(key = %key_words, "found private key");

        let kind = key_kind(&session, private)?;
        tracing::debug!(key = %key_words, key_type = %kind, "key type");
        let Some(algorithm) = choose_algorithm(algorithm, kind) else {
            return Err(match algorithm {
                // No default: the key is neither RSA nor a supported curve.
                None => Pkcs11Error::UnsupportedKeyType {
                    key: key_words,
                    token: token_label,
                    key_type: kind.to_string(),
                },
                Some(requested) => Pkcs11Error::AlgorithmMismatch {
                    algorithm: requested,
                    key: key_words,
                    token: token_label,
                    key_type: kind.to_string(),
                },
            });
        };
        let needed = required_mechanism(algorithm);
        let supported = context
            .get_mechanism_list(slot)
            .map_err(|e| device("C_GetMechanismList", e))?;
        if !supported.contains(&needed) {
            return Err(Pkcs11Error::MechanismUnsupported {
                mechanism: mechanism_name(needed).to_owned(),
                algorithm,
                token: token_label,
            });
        }
        tracing::debug!(%algorithm, mechanism = mechanism_name(needed), "mechanism available");

        let public = token_public_key(&session, private, &key, kind).map_err(|reason| {
            Pkcs11Error::PublicKeyUnavailable {
                key: key_words.clone(),
                token: token_label.clone(),
                reason,
            }
        })?;

        let chain = match &certificates {
            CertificateSource::Token => {
                vec![token_certificate(&session, &key, &key_words, &token_label)?]
            }
            CertificateSource::Files(paths) => read_chain_files(paths, &key_words)?,
        };
        let Some(leaf) = chain.first() else {
            return Err(Pkcs11Error::CertificateNotFound {
                key: key_words,
                place: "the given files".to_owned(),
            });
        };
        check_leaf_matches(leaf, &public, &key_words, &token_label)?;
        tracing::debug!(
            certificates = chain.len(),
            "certificate chain matches the token key"
        );

        Ok(Pkcs11Signer {
            algorithm,
            chain,
            key: private,
            key_words,
            token: token_label,
            session: Mutex::new(session),
            _context: context,
        })
    }

    /// Signs `message` on the token, with the precise error type.
    pub fn sign_on_token(&self, message: &[u8]) -> Result<Vec<u8>, Pkcs11Error> {
        // A poisoned lock only means another thread panicked mid-call; the session is still valid.
        let session = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let pss = PkcsPssParams {
            hash_alg: MechanismType::SHA256,
            mgf: PkcsMgfType::MGF1_SHA256,
            s_len: 32u64.into(),
        };
        let (mechanism, data, expected_len) = match self.algorithm {
            Algorithm::Rs256 => (Mechanism::Sha256RsaPkcs, message.to_vec(), None),
            Algorithm::Ps256 => (Mechanism::Sha256RsaPkcsPss(pss), message.to_vec(), None),
            Algorithm::Es256 => (
                Mechanism::Ecdsa,
                sha2::Sha256::digest(message).to_vec(),
                Some(64),
            ),
            Algorithm::Es384 => (
                Mechanism::Ecdsa,
                sha2::Sha384::digest(message).to_vec(),
                Some(96),
            ),
            Algorithm::EdDsa => {
                return Err(Pkcs11Error::AlgorithmMismatch {
                    algorithm: Algorithm::EdDsa,
                    key: self.key_words.clone(),
                    token: self.token.clone(),
                    key_type: "a key this signer cannot use for EdDSA".to_owned(),
                })
            }
        };
        tracing::debug!(
            token = %self.token,
            key = %self.key_words,
            algorithm = %self.algorithm,
            mechanism = mechanism_name(required_mechanism(self.algorithm)),
            "signing on token"
        );
        let signature = session
            .sign(&mechanism, self.key, &data)
            .map_err(|e| device("C_Sign", e))?;
        if let Some(len) = expected_len {
            // PKCS#11 §2.3.1: CKM_ECDSA output is r‖s, each the length of the group order.
            if signature.len() != len {
                return Err(Pkcs11Error::Device {
                    operation: "C_Sign".to_owned(),
                    code: format!(
                        "ECDSA signature of {} bytes, expected {len}",
                        signature.len()
                    ),
                });
            }
        }
        // Tokens return s as the nonce makes it; write the low of the two valid values.
        let mut signature = signature;
        crate::signer::normalize_low_s(self.algorithm, &mut signature);
        Ok(signature)
    }

    /// The label of the token in use.
    pub fn token_label(&self) -> &str {
        &self.token
    }
}

impl Signer for Pkcs11Signer {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn certificate_chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.sign_on_token(message)
            .map_err(|e| SignError::Device(e.to_string()))
    }
}

fn choose_algorithm(requested: Option<Algorithm>, kind: KeyKind) -> Option<Algorithm> {
    match (requested, kind) {
        (None, KeyKind::Rsa { .. }) => Some(Algorithm::Ps256),
        (None, KeyKind::P256) => Some(Algorithm::Es256),
        (None, KeyKind::P384) => Some(Algorithm::Es384),
        (Some(a @ (Algorithm::Rs256 | Algorithm::Ps256)), KeyKind::Rsa { .. }) => Some(a),
        (Some(Algorithm::Es256), KeyKind::P256) => Some(Algorithm::Es256),
        (Some(Algorithm::Es384), KeyKind::P384) => Some(Algorithm::Es384),
        _ => None,
    }
}

fn required_mechanism(algorithm: Algorithm) -> MechanismType {
    match algorithm {
        Algorithm::Rs256 => MechanismType::SHA256_RSA_PKCS,
        Algorithm::Ps256 => MechanismType::SHA256_RSA_PKCS_PSS,
        Algorithm::Es256 | Algorithm::Es384 | Algorithm::EdDsa => MechanismType::ECDSA,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_must_fit_the_key() {
        assert_eq!(
            choose_algorithm(Some(Algorithm::Es384), KeyKind::P256),
            None
        );
        assert_eq!(
            choose_algorithm(Some(Algorithm::Ps256), KeyKind::P256),
            None
        );
        assert_eq!(
            choose_algorithm(Some(Algorithm::Es256), KeyKind::Rsa { bits: 2048 }),
            None
        );
        assert_eq!(
            choose_algorithm(None, KeyKind::Rsa { bits: 2048 }),
            Some(Algorithm::Ps256)
        );
    }
}
