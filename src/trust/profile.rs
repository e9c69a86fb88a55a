//! Certificate profile checks webpki does not make (RFC 5280 and the CA/Browser Forum
//! baseline profile). A signature verifier can afford to be strict: national CAs issue
//! conforming certificates, and a certificate that breaks these rules is a mis-issuance.

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::public_key::PublicKey;

/// Where a certificate sits in the path.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Leaf,
    Intermediate,
    Anchor,
}

/// A profile violation, in words.
pub(crate) enum Violation {
    /// The key type cannot sign in this crate (DSA, P-192, ...).
    UnsupportedKey(String),
    /// Anything else.
    Profile(String),
}

/// Checks one certificate of a path (or a trust anchor at load time).
pub(crate) fn check(cert: &X509Certificate<'_>, role: Role) -> Result<(), Violation> {
    let p = |s: &str| Err(Violation::Profile(s.to_owned()));
    let is_ca = cert.is_ca();
    let self_issued = cert.subject().as_raw() == cert.issuer().as_raw();

    // RFC 5280 §4.1.2.2: positive serials of at most 20 octets. Roots are exempt: a relying
    // party trusts them by configuration, and old roots (Starfield G2) carry serial 0.
    let serial = cert.raw_serial();
    if role != Role::Anchor {
        if serial.len() > 20 {
            return p("the serial number is longer than 20 octets (RFC 5280 §4.1.2.2)");
        }
        if serial.iter().all(|b| *b == 0) || serial.first().is_some_and(|b| b & 0x80 != 0) {
            return p("the serial number is not a positive integer (RFC 5280 §4.1.2.2)");
        }
    }

    let mut has_aki = false;
    let mut has_ski = false;
    let mut aki_id: Option<&[u8]> = None;
    let mut ski_id: Option<&[u8]> = None;
    let mut san_critical = None;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                // RFC 5280 §4.2.1.1: MUST be non-critical; CABF: keyIdentifier only.
                if ext.critical {
                    return p("the authority key identifier is critical (RFC 5280 §4.2.1.1)");
                }
                if aki.key_identifier.is_none()
                    || aki.authority_cert_issuer.is_some()
                    || aki.authority_cert_serial.is_some()
                {
                    return p("the authority key identifier must hold only a keyIdentifier");
                }
                has_aki = true;
                aki_id = aki.key_identifier.as_ref().map(|k| k.0);
            }
            ParsedExtension::SubjectAlternativeName(_) => san_critical = Some(ext.critical),
            ParsedExtension::SubjectKeyIdentifier(ski) => {
                ski_id = Some(ski.0);
                if ext.critical {
                    return p("the subject key identifier is critical (RFC 5280 §4.2.1.2)");
                }
                has_ski = true;
            }
            ParsedExtension::NameConstraints(nc) => {
                if role == Role::Leaf || !is_ca {
                    return p(
                        "name constraints appear in an end-entity certificate (RFC 5280 §4.2.1.10)",
                    );
                }
                // Roots are trusted as configured; webpki honours their constraints anyway.
                if !ext.critical && role != Role::Anchor {
                    return p("name constraints are not critical (RFC 5280 §4.2.1.10)");
                }
                let empty = |s: &Option<Vec<_>>| s.as_ref().is_none_or(|v| v.is_empty());
                if empty(&nc.permitted_subtrees) && empty(&nc.excluded_subtrees) {
                    return p("name constraints are empty (RFC 5280 §4.2.1.10)");
                }
            }
            ParsedExtension::PolicyConstraints(_) if !ext.critical => {
                return p("policy constraints are not critical (RFC 5280 §4.2.1.11)");
            }
            ParsedExtension::UnsupportedExtension { .. } if ext.critical => {
                return p("an unknown extension is marked critical (RFC 5280 §4.2)");
            }
            ParsedExtension::ParseError { .. } => {
                return p("an extension is malformed");
            }
            _ => {}
        }
    }
    // RFC 5280 §4.2.1.1: every certificate but a root names its issuer's key. Anchors are
    // exempt, self-signed or not: they are trusted by configuration, not by their issuer.
    if !has_aki && role != Role::Anchor {
        return p("the authority key identifier is missing (RFC 5280 §4.2.1.1)");
    }
    // A self-signed certificate's AKI, when present, names its own key.
    if self_issued && role == Role::Anchor && aki_id.is_some() && aki_id != ski_id {
        return p("the root's authority key identifier differs from its subject key identifier");
    }
    // RFC 5280 §4.2.1.6: an empty subject needs a critical subjectAltName.
    if cert.subject().iter().next().is_none() && san_critical != Some(true) {
        return p("the subject is empty and the subjectAltName is missing or not critical (RFC 5280 §4.2.1.6)");
    }
    // RFC 5280 §4.2.1.2: CA certificates MUST carry a subject key identifier.
    if is_ca && !has_ski {
        return p("a CA certificate lacks a subject key identifier (RFC 5280 §4.2.1.2)");
    }

    let key_usage = cert.key_usage().ok().flatten();
    match role {
        Role::Leaf => {
            if key_usage.is_some_and(|ku| ku.value.key_cert_sign()) && !is_ca {
                return p("an end-entity certificate asserts keyCertSign (RFC 5280 §4.2.1.3)");
            }
            match cert.public_key().parsed() {
                Ok(PublicKey::RSA(_)) | Ok(PublicKey::Unknown(_)) => {}
                // Only P-256 and P-384 sign JWS here (ES256, ES384).
                Ok(PublicKey::EC(ec)) if matches!(ec.key_size(), 256 | 384) => {}
                Ok(PublicKey::EC(_)) => {
                    return Err(Violation::UnsupportedKey(
                        "an elliptic curve other than P-256 or P-384".into(),
                    ))
                }
                Ok(PublicKey::DSA(_)) => return Err(Violation::UnsupportedKey("a DSA key".into())),
                Ok(_) => return Err(Violation::UnsupportedKey("an unsupported key type".into())),
                Err(_) => return p("the public key is malformed"),
            }
            if matches!(cert.public_key().parsed(), Ok(PublicKey::Unknown(_)))
                && cert.public_key().algorithm.algorithm
                    != x509_parser::der_parser::oid!(1.3.101 .112)
            {
                return Err(Violation::UnsupportedKey("an unsupported key type".into()));
            }
        }
        Role::Intermediate | Role::Anchor => {
            // RFC 5280 §4.2.1.9: basicConstraints MUST be present and critical in CA
            // certificates; a CA with keyUsage must assert keyCertSign (§4.2.1.3).
            match cert.basic_constraints() {
                Ok(Some(bc)) if bc.value.ca && bc.critical => {}
                Ok(Some(bc)) if bc.value.ca => return p(
                    "basic constraints are not critical in a CA certificate (RFC 5280 §4.2.1.9)",
                ),
                _ => {
                    return p("a CA certificate lacks basicConstraints cA=TRUE (RFC 5280 §4.2.1.9)")
                }
            }
            if key_usage.is_some_and(|ku| !ku.value.key_cert_sign()) {
                return p("a CA certificate's key usage lacks keyCertSign (RFC 5280 §4.2.1.3)");
            }
            if cert.subject().iter().next().is_none() {
                return p("a CA certificate has an empty subject (RFC 5280 §4.1.2.6)");
            }
        }
    }
    // RSA moduli are whole bytes; a modulus of another size is a key-generation bug.
    if let Some(bits) = rsa_bits(cert) {
        if bits % 8 != 0 {
            return p("the RSA modulus is not a whole number of bytes");
        }
    }
    Ok(())
}

/// The RSA modulus size in bits, counted from its highest set bit (x509-parser's `key_size`
/// rounds to whole bytes).
pub(crate) fn rsa_bits(cert: &X509Certificate<'_>) -> Option<usize> {
    let Ok(PublicKey::RSA(rsa)) = cert.public_key().parsed() else {
        return None;
    };
    let modulus: &[u8] = rsa.modulus;
    let start = modulus.iter().position(|b| *b != 0)?;
    let top = modulus.get(start)?;
    Some((modulus.len() - start - 1) * 8 + (8 - top.leading_zeros() as usize))
}
