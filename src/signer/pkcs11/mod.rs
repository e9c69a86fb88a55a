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

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use sha2::Digest;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use super::{Algorithm, SignError, Signer};

/// DER of the named-curve OID for P-256 (prime256v1, 1.2.840.10045.3.1.7), as in `CKA_EC_PARAMS`.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER of the named-curve OID for P-384 (secp384r1, 1.3.132.0.34).
const P384_PARAMS: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
/// A certificate file larger than this is refused before parsing; real chains are a few KiB.
const MAX_CERTIFICATE_FILE: u64 = 1 << 20;
/// At most this many token labels are listed in a `TokenNotFound` error.
const MAX_LISTED_TOKENS: usize = 32;

/// A token PIN. Its `Debug` output is redacted and it is never logged nor put in an error.
pub struct Pin(String);

impl Pin {
    /// Wraps a PIN string.
    pub fn new(pin: String) -> Pin {
        Pin(pin)
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

/// Where the user PIN comes from.
pub enum PinSource {
    /// The value of this environment variable, read once when the signer opens.
    Env(String),
    /// A callback, asked once when the signer opens (e.g. a prompt); `None` means the user cancelled.
    Callback(Box<dyn Fn() -> Option<Pin> + Send + Sync>),
}

impl fmt::Debug for PinSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinSource::Env(name) => f.debug_tuple("Env").field(name).finish(),
            PinSource::Callback(_) => f.write_str("Callback(..)"),
        }
    }
}

/// Which token to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSelector {
    /// The token whose label (`CKA_LABEL` of the token info, trailing blanks ignored) is this.
    Label(String),
    /// The token in this slot id.
    Slot(u64),
}

impl fmt::Display for TokenSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSelector::Label(label) => write!(f, "token labelled \"{label}\""),
            TokenSelector::Slot(id) => write!(f, "token in slot {id}"),
        }
    }
}

/// Which key on the token to use; the public key and a token certificate are found the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySelector {
    /// Objects whose `CKA_LABEL` is this.
    Label(String),
    /// Objects whose `CKA_ID` is these bytes.
    Id(Vec<u8>),
}

impl KeySelector {
    fn attribute(&self) -> Attribute {
        match self {
            KeySelector::Label(label) => Attribute::Label(label.as_bytes().to_vec()),
            KeySelector::Id(id) => Attribute::Id(id.clone()),
        }
    }
}

impl fmt::Display for KeySelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySelector::Label(label) => write!(f, "key labelled \"{label}\""),
            KeySelector::Id(id) => {
                f.write_str("key with id ")?;
                for b in id {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }
    }
}

/// Where the signer's certificate chain comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateSource {
    /// The X.509 certificate object (`CKO_CERTIFICATE`) on the token with the key's label or id.
    /// The chain then holds that certificate only.
    Token,
    /// These files, PEM (any number of certificates) or DER (one), in order: the end-entity
    /// certificate first, then its issuers.
    Files(Vec<PathBuf>),
}

/// Everything [`Pkcs11Signer::open`] needs.
#[derive(Debug)]
pub struct Pkcs11Config {
    /// Path of the PKCS#11 module, e.g. `/usr/lib/softhsm/libsofthsm2.so`.
    pub module: PathBuf,
    /// The token.
    pub token: TokenSelector,
    /// The user PIN.
    pub pin: PinSource,
    /// The private key.
    pub key: KeySelector,
    /// The certificate chain.
    pub certificates: CertificateSource,
    /// The JWS algorithm; `None` picks PS256 for an RSA key (the draft circular names RSASSA-PSS),
    /// ES256 for a P-256 key and ES384 for a P-384 key.
    pub algorithm: Option<Algorithm>,
}

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

fn device(operation: &str, e: CkError) -> Pkcs11Error {
    let code = match &e {
        CkError::Pkcs11(rv, _) => rv_name(rv),
        other => other.to_string(),
    };
    Pkcs11Error::Device {
        operation: operation.to_owned(),
        code,
    }
}

fn mechanism_name(m: MechanismType) -> &'static str {
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

/// What kind of key the token holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa { bits: usize },
    P256,
    P384,
    Other,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyKind::P256 => f.write_str("EC P-256"),
            KeyKind::P384 => f.write_str("EC P-384"),
            KeyKind::Other => f.write_str("a key type this signer does not use"),
        }
    }
}

/// The public key as the token reports it, normalized for comparison with a certificate.
enum TokenPublicKey {
    Rsa {
        modulus: Vec<u8>,
        exponent: Vec<u8>,
    },
    /// `CKA_EC_POINT` as given: normally a DER OCTET STRING, on some tokens the bare point.
    Ec {
        raw: Vec<u8>,
    },
}

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

/// Modules loaded by this process, kept loaded until it exits.
///
/// PKCS#11 allows one `C_Initialize` per process (v2.40 §5.4), and unloading a module without
/// `C_Finalize` while another part of the process may load it again crashes some modules
/// (SoftHSM2 tears down OpenSSL on unload, and OpenSSL cannot be initialized twice). So each
/// module is loaded and initialized once, and every signer on it shares that context.
fn loaded_modules() -> &'static Mutex<HashMap<PathBuf, Pkcs11>> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    MODULES.get_or_init(|| Mutex::new(HashMap::new()))
}

fn load_module(path: &Path) -> Result<Pkcs11, Pkcs11Error> {
    if !path.is_file() {
        return Err(Pkcs11Error::ModuleNotFound {
            path: path.to_owned(),
            reason: "no such file".to_owned(),
        });
    }
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let mut modules = loaded_modules()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(context) = modules.get(&canonical) {
        return Ok(context.clone());
    }
    let context = Pkcs11::new(&canonical).map_err(|e| Pkcs11Error::ModuleNotFound {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        // Another component of the process may have initialized it already: share it.
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(device("C_Initialize", e)),
    }
    modules.insert(canonical, context.clone());
    Ok(context)
}

fn select_token(context: &Pkcs11, wanted: &TokenSelector) -> Result<(Slot, String), Pkcs11Error> {
    let slots = context
        .get_slots_with_token()
        .map_err(|e| device("C_GetSlotList", e))?;
    let mut available = Vec::new();
    for slot in slots {
        let info = match context.get_token_info(slot) {
            Ok(info) => info,
            // A token pulled out between the two calls, or busy: report it, look at the others.
            Err(e) => {
                if available.len() < MAX_LISTED_TOKENS {
                    let code = match device("C_GetTokenInfo", e) {
                        Pkcs11Error::Device { code, .. } => code,
                        other => other.to_string(),
                    };
                    available.push(format!("slot {} unreadable ({code})", slot.id()));
                }
                continue;
            }
        };
        let label = info.label().trim_end().to_owned();
        let matches = match wanted {
            TokenSelector::Label(l) => *l == label,
            TokenSelector::Slot(id) => *id == slot.id(),
        };
        if matches {
            return Ok((slot, label));
        }
        if available.len() < MAX_LISTED_TOKENS {
            available.push(format!("\"{label}\" (slot {})", slot.id()));
        }
    }
    Err(Pkcs11Error::TokenNotFound {
        wanted: wanted.to_string(),
        available,
    })
}

enum Found {
    None,
    Many(usize),
    Device(Pkcs11Error),
}

fn find_one(
    session: &Session,
    class: ObjectClass,
    key: &KeySelector,
) -> Result<ObjectHandle, Found> {
    let found = session
        .find_objects(&[Attribute::Class(class), key.attribute()])
        .map_err(|e| Found::Device(device("C_FindObjects", e)))?;
    match found.as_slice() {
        [] => Err(Found::None),
        [one] => Ok(*one),
        many => Err(Found::Many(many.len())),
    }
}

fn key_kind(session: &Session, key: ObjectHandle) -> Result<KeyKind, Pkcs11Error> {
    let attrs = session
        .get_attributes(key, &[AttributeType::KeyType])
        .map_err(|e| device("C_GetAttributeValue(CKA_KEY_TYPE)", e))?;
    let key_type = attrs.iter().find_map(|a| match a {
        Attribute::KeyType(t) => Some(*t),
        _ => None,
    });
    match key_type {
        Some(t) if t == KeyType::RSA => {
            let attrs = session
                .get_attributes(key, &[AttributeType::Modulus])
                .map_err(|e| device("C_GetAttributeValue(CKA_MODULUS)", e))?;
            let bits = attrs
                .iter()
                .find_map(|a| match a {
                    Attribute::Modulus(m) => Some(strip_zeros(m).len() * 8),
                    _ => None,
                })
                .unwrap_or(0);
            Ok(KeyKind::Rsa { bits })
        }
        Some(t) if t == KeyType::EC => {
            let attrs = session
                .get_attributes(key, &[AttributeType::EcParams])
                .map_err(|e| device("C_GetAttributeValue(CKA_EC_PARAMS)", e))?;
            let params = attrs.iter().find_map(|a| match a {
                Attribute::EcParams(p) => Some(p.as_slice()),
                _ => None,
            });
            Ok(match params {
                Some(P256_PARAMS) => KeyKind::P256,
                Some(P384_PARAMS) => KeyKind::P384,
                _ => KeyKind::Other,
            })
        }
        _ => Ok(KeyKind::Other),
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

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Reads the public key from the public key object with the same label/id; for RSA, falls back to
/// the private key object, which carries the modulus and exponent on most tokens.
fn token_public_key(
    session: &Session,
    private: ObjectHandle,
    key: &KeySelector,
    kind: KeyKind,
) -> Result<TokenPublicKey, String> {
    let public = match find_one(session, ObjectClass::PUBLIC_KEY, key) {
        Ok(handle) => Some(handle),
        Err(Found::None) => None,
        Err(Found::Many(n)) => return Err(format!("{n} public key objects match")),
        Err(Found::Device(e)) => return Err(e.to_string()),
    };
    match kind {
        KeyKind::Rsa { .. } => {
            let object = public.unwrap_or(private);
            let attrs = session
                .get_attributes(
                    object,
                    &[AttributeType::Modulus, AttributeType::PublicExponent],
                )
                .map_err(|e| device("C_GetAttributeValue(CKA_MODULUS)", e).to_string())?;
            let mut modulus = None;
            let mut exponent = None;
            for a in attrs {
                match a {
                    Attribute::Modulus(m) => modulus = Some(strip_zeros(&m).to_vec()),
                    Attribute::PublicExponent(e) => exponent = Some(strip_zeros(&e).to_vec()),
                    _ => {}
                }
            }
            match (modulus, exponent) {
                (Some(modulus), Some(exponent)) => Ok(TokenPublicKey::Rsa { modulus, exponent }),
                _ => Err("the token reports no modulus and exponent".to_owned()),
            }
        }
        KeyKind::P256 | KeyKind::P384 => {
            let object = public.ok_or("no public key object with the same label or id")?;
            let attrs = session
                .get_attributes(object, &[AttributeType::EcPoint])
                .map_err(|e| device("C_GetAttributeValue(CKA_EC_POINT)", e).to_string())?;
            let raw = attrs
                .into_iter()
                .find_map(|a| match a {
                    Attribute::EcPoint(p) => Some(p),
                    _ => None,
                })
                .ok_or("the token reports no EC point")?;
            Ok(TokenPublicKey::Ec { raw })
        }
        KeyKind::Other => Err("unsupported key type".to_owned()),
    }
}

/// `CKA_EC_POINT` is a DER OCTET STRING around the SEC1 point (v2.40 §2.3.3); some tokens give the
/// bare point. Returns the content when `der` is exactly one short- or long-form OCTET STRING.
fn unwrap_octet_string(der: &[u8]) -> Option<&[u8]> {
    let (&tag, rest) = der.split_first()?;
    if tag != 0x04 {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, body) = if first < 0x80 {
        (usize::from(first), rest)
    } else if first == 0x81 {
        let (&l, body) = rest.split_first()?;
        (usize::from(l), body)
    } else if first == 0x82 {
        let (hi, body) = rest.split_first()?;
        let (lo, body) = body.split_first()?;
        (usize::from(*hi) << 8 | usize::from(*lo), body)
    } else {
        return None;
    };
    (body.len() == len).then_some(body)
}

fn token_certificate(
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

fn read_chain_files(
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

fn check_leaf_matches(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_code_names_follow_the_pkcs11_spelling() {
        assert_eq!(rv_name(&RvError::PinIncorrect), "CKR_PIN_INCORRECT");
        assert_eq!(rv_name(&RvError::DeviceError), "CKR_DEVICE_ERROR");
    }

    #[test]
    fn ec_point_octet_string_is_unwrapped_and_bare_points_are_not() {
        let point = [0x04u8; 65];
        let mut wrapped = vec![0x04, 65];
        wrapped.extend_from_slice(&point);
        assert_eq!(unwrap_octet_string(&wrapped), Some(&point[..]));
        // A bare uncompressed point starts with 0x04 too, but its "length" byte does not fit.
        assert_eq!(unwrap_octet_string(&point), None);
        assert_eq!(unwrap_octet_string(&[0x04]), None);
        assert_eq!(unwrap_octet_string(&[0x04, 0x82, 0x01]), None);
    }

    #[test]
    fn pin_debug_is_redacted() {
        let pin = Pin::new("123456".to_owned());
        assert_eq!(format!("{pin:?}"), "Pin(<redacted>)");
    }

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
