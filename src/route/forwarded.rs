//! A status message as hubs pass it to each other: the agency's signed status and the trace of
//! the hubs it passed, one entry signed by each, as a document carries its trace.
//!
//! The wire form is JSON, `{"status": "<JWS compact>", "trace": [<trace entry>, ...]}`: the
//! status exactly as its agency signed it, and trace entries in the form a package carries
//! them ([`TraceEntry`]). Agencies never see it: a hub delivers the bare status.

use serde::{Deserialize, Serialize};

use crate::json;
use crate::limits::Limits;
use crate::package::TraceEntry;
use crate::signed::SignedMessageError;
use crate::status::StatusMessage;

/// Largest trace entry, as for documents (a hub's `x5c` chain is a few KiB).
const MAX_ENTRY_BYTES: usize = 64 << 10;

/// A status on its way between hubs, parsed but not verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ForwardedStatus {
    /// The signed status message (JWS compact), as the answering agency signed it.
    pub(crate) status: String,
    /// The hubs' entries, the first hub's first.
    pub(crate) trace: Vec<TraceEntry>,
}

const WHAT: &str = "forwarded status";

fn malformed(reason: String) -> SignedMessageError {
    SignedMessageError::Format { what: WHAT, reason }
}

impl ForwardedStatus {
    /// The largest forwarded status under `limits`: the status and a full trace.
    fn max_bytes(limits: &Limits) -> usize {
        StatusMessage::MAX_SIGNED_BYTES + limits.max_trace_entries.saturating_mul(MAX_ENTRY_BYTES)
    }

    /// Parses untrusted bytes: size first, then the strict JSON pre-pass (no duplicate keys,
    /// bounded depth, strings and values), then the typed form. Errors are
    /// [`SignedMessageError::Format`].
    pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, SignedMessageError> {
        let bound = Limits {
            max_package_bytes: Self::max_bytes(limits).min(limits.max_package_bytes),
            ..*limits
        };
        let expected = "JSON {\"status\": ..., \"trace\": [...]} is expected";
        json::check_except(bytes, &bound, &["status"])
            .map_err(|e| malformed(format!("{expected}: {e}")))?;
        let parsed: ForwardedStatus =
            serde_json::from_slice(bytes).map_err(|e| malformed(format!("{expected}: {e}")))?;
        if parsed.trace.len() > limits.max_trace_entries {
            return Err(malformed(format!(
                "it carries {} trace entries; the limit is {}",
                parsed.trace.len(),
                limits.max_trace_entries
            )));
        }
        Ok(parsed)
    }

    /// The wire form.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        // Strings only: serialization cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> TraceEntry {
        TraceEntry {
            payload: "p".into(),
            protected: "h".into(),
            signature: "s".into(),
        }
    }

    #[test]
    fn a_forwarded_status_round_trips_and_refuses_anything_else() {
        let limits = Limits::default();
        let f = ForwardedStatus {
            status: "a.b.c".into(),
            trace: vec![entry()],
        };
        assert_eq!(ForwardedStatus::parse(&f.to_json(), &limits).unwrap(), f);
        for bad in [
            &b""[..],
            b"a.b.c",
            br#"{"status":"a.b.c"}"#,
            br#"{"status":"a.b.c","trace":[],"extra":1}"#,
            br#"{"status":"a.b.c","status":"d.e.f","trace":[]}"#,
        ] {
            assert!(matches!(
                ForwardedStatus::parse(bad, &limits),
                Err(SignedMessageError::Format { what: WHAT, .. })
            ));
        }
        let long = ForwardedStatus {
            status: "a.b.c".into(),
            trace: vec![entry(); 3],
        };
        let few = Limits {
            max_trace_entries: 2,
            ..limits
        };
        assert!(matches!(
            ForwardedStatus::parse(&long.to_json(), &few),
            Err(SignedMessageError::Format { reason, .. }) if reason.contains("3 trace entries")
        ));
    }
}
