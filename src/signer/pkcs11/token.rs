//! The module, the token and the key objects: loading a module once per process, selecting the
//! token, finding an object by label or id, and reading the key's type and public key.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use cryptoki::slot::Slot;

use super::config::{KeySelector, TokenSelector};
use super::error::{device, Pkcs11Error};

/// DER of the named-curve OID for P-256 (prime256v1, 1.2.840.10045.3.1.7), as in `CKA_EC_PARAMS`.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER of the named-curve OID for P-384 (secp384r1, 1.3.132.0.34).
const P384_PARAMS: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
/// At most this many token labels are listed in a `TokenNotFound` error.
const MAX_LISTED_TOKENS: usize = 32;

/// What kind of key the token holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyKind {
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
pub(super) enum TokenPublicKey {
    Rsa {
        modulus: Vec<u8>,
        exponent: Vec<u8>,
    },
    /// `CKA_EC_POINT` as given: normally a DER OCTET STRING, on some tokens the bare point.
    Ec {
        raw: Vec<u8>,
    },
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

pub(super) fn load_module(path: &Path) -> Result<Pkcs11, Pkcs11Error> {
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

pub(super) fn select_token(
    context: &Pkcs11,
    wanted: &TokenSelector,
) -> Result<(Slot, String), Pkcs11Error> {
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

pub(super) enum Found {
    None,
    Many(usize),
    Device(Pkcs11Error),
}

pub(super) fn find_one(
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

pub(super) fn key_kind(session: &Session, key: ObjectHandle) -> Result<KeyKind, Pkcs11Error> {
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

pub(super) fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Reads the public key from the public key object with the same label/id; for RSA, falls back to
/// the private key object, which carries the modulus and exponent on most tokens.
pub(super) fn token_public_key(
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
pub(super) fn unwrap_octet_string(der: &[u8]) -> Option<&[u8]> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
