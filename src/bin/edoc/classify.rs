//! What a file is: a package, a status message, a hub's receipt, some other JAdES/JWS, or
//! something `edoc verify` does not check (trust material, an attachment). Decided from the
//! content, never from the name alone, so a renamed file is still checked for what it is.

use base64::Engine;
use serde::de::IgnoredAny;
use std::collections::BTreeMap;

/// What the bytes hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Artifact {
    /// A document package (JSON with `edoc` or `header`), or JSON that may be a damaged one.
    Package,
    /// A compact JWS whose attached payload is a status message (code, documentId, ...).
    Status,
    /// A compact JWS whose attached payload is a hub's receipt (hub, messageId, dispositions).
    Receipt,
    /// A compact JWS whose payload is a trace entry: it is checked inside its package.
    TraceEntry,
    /// A JWS over its own attached payload (compact or JSON serialization).
    AttachedJws,
    /// A JWS whose payload is detached: `--payload FILE` names the payload.
    DetachedJws,
    /// Nothing `edoc verify` checks; the text says what it seems to be.
    Other(&'static str),
}

/// Classifies `bytes`.
pub(crate) fn classify(bytes: &[u8]) -> Artifact {
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return Artifact::Other("an empty file");
    }
    if trimmed.starts_with(b"{") {
        return classify_json(trimmed);
    }
    if let Some(kind) = classify_compact(trimmed) {
        return kind;
    }
    if bytes.starts_with(b"%PDF-") {
        return Artifact::Other("a PDF (a detached attachment?)");
    }
    if contains(bytes, b"-----BEGIN ") {
        return Artifact::Other("PEM: certificates, keys or CRLs");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Artifact::Other("a ZIP or office document");
    }
    Artifact::Other("not a package, status message or receipt")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A JSON object, by its top-level member names (values are skipped, not built).
fn classify_json(bytes: &[u8]) -> Artifact {
    let Ok(members) = serde_json::from_slice::<BTreeMap<String, IgnoredAny>>(bytes) else {
        // Not valid JSON: most likely a damaged package, which must fail, not be skipped.
        return Artifact::Package;
    };
    let has = |k: &str| members.contains_key(k);
    if has("edoc") || has("header") {
        Artifact::Package
    } else if has("protected") || has("signatures") {
        if has("payload") {
            Artifact::AttachedJws
        } else {
            Artifact::DetachedJws
        }
    } else if has("agencies") {
        Artifact::Other("JSON: an agency directory")
    } else if has("hubs") {
        Artifact::Other("JSON: a hubs file")
    } else if has("allowedAlgorithms") || has("revocation") || has("requiredCommitments") {
        Artifact::Other("JSON: a validation policy")
    } else {
        Artifact::Other("JSON that is not a package, status message or receipt")
    }
}

/// A compact JWS (`header.payload.signature`, base64url), by what its payload holds.
fn classify_compact(text: &[u8]) -> Option<Artifact> {
    let b64url = |part: &[u8]| {
        part.iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
    };
    let parts: Vec<&[u8]> = text.split(|b| *b == b'.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return None;
    };
    if header.is_empty()
        || signature.is_empty()
        || ![header, payload, signature].iter().all(|p| b64url(p))
    {
        return None;
    }
    if payload.is_empty() {
        return Some(Artifact::DetachedJws);
    }
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|p| serde_json::from_slice::<BTreeMap<String, IgnoredAny>>(&p).ok());
    let Some(members) = json else {
        return Some(Artifact::AttachedJws);
    };
    let has = |k: &str| members.contains_key(k);
    Some(if has("code") && has("documentId") {
        Artifact::Status
    } else if has("dispositions") && has("messageId") {
        Artifact::Receipt
    } else if has("contentSha256") && has("previousSha256") {
        Artifact::TraceEntry
    } else {
        Artifact::AttachedJws
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(payload: &str) -> Vec<u8> {
        let p = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
        format!("eyJhbGciOiJFUzI1NiJ9.{p}.c2ln\n").into_bytes()
    }

    #[test]
    fn each_kind_is_told_apart_by_its_content() {
        assert_eq!(classify(b"{\"edoc\": 1}"), Artifact::Package);
        assert_eq!(classify(b"{\"edoc\": 1, trunc"), Artifact::Package);
        assert_eq!(
            classify(&compact(r#"{"code":"03","documentId":"x"}"#)),
            Artifact::Status
        );
        assert_eq!(
            classify(&compact(r#"{"hub":"h","messageId":"x","dispositions":[]}"#)),
            Artifact::Receipt
        );
        assert_eq!(classify(&compact("{}")), Artifact::AttachedJws);
        assert_eq!(
            classify(b"eyJhbGciOiJFUzI1NiJ9..c2ln"),
            Artifact::DetachedJws
        );
        assert_eq!(
            classify(br#"{"protected":"x","signature":"y"}"#),
            Artifact::DetachedJws
        );
        assert!(matches!(classify(b"%PDF-1.7"), Artifact::Other(_)));
        assert!(matches!(classify(b""), Artifact::Other("an empty file")));
        assert!(matches!(
            classify(b"# test\n-----BEGIN CERTIFICATE-----\n"),
            Artifact::Other(_)
        ));
        assert!(matches!(
            classify(br#"{"version":1,"agencies":[]}"#),
            Artifact::Other(_)
        ));
    }
}
