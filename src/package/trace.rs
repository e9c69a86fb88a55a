//! Hop entries appended by hubs.

use serde::{Deserialize, Serialize};

/// One hop of the routing trace, appended by a hub: a flattened JWS (RFC 7515 §7.2.2) with an
/// attached payload, kept exactly as received. The routing layer signs and interprets it; the
/// package only carries it, bounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceEntry {
    /// `BASE64URL(payload)`, untrusted until verified.
    pub payload: String,
    /// `BASE64URL(UTF8(JWS Protected Header))`, untrusted until verified.
    pub protected: String,
    /// `BASE64URL(JWS Signature)`.
    pub signature: String,
}
