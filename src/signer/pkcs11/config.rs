//! What opening a PKCS#11 signer takes: the module, the token, the PIN, the key, the certificates.

use std::fmt;
use std::path::PathBuf;

use cryptoki::object::Attribute;

use crate::signer::Algorithm;

/// A token PIN. Its `Debug` output is redacted and it is never logged nor put in an error.
pub struct Pin(pub(super) String);

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
    pub(super) fn attribute(&self) -> Attribute {
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

/// Everything [`Pkcs11Signer::open`](super::Pkcs11Signer::open) needs.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_debug_is_redacted() {
        let pin = Pin::new("123456".to_owned());
        assert_eq!(format!("{pin:?}"), "Pin(<redacted>)");
    }
}
