//! What can go wrong when talking to a hub, sorted by what the caller should do about it.

use crate::hub::tls::TlsError;
use crate::hub::wire::Problem;
use crate::package::PackageError;

/// Why a request to a hub did not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The hub refused the request for what it is: do not send it again unchanged. For a
    /// package that failed verification the problem carries the validation report.
    #[error("the hub refused it: {problem}")]
    Refused {
        /// The hub's RFC 9457 answer.
        problem: Box<Problem>,
    },
    /// The hub did not accept who we are (401/403, or our TLS certificate was refused in the
    /// handshake), or the hub's certificate is not the one we trust: check the certificates
    /// and the hub's directory; retrying will not help.
    #[error("not authorized: {reason}")]
    Unauthorized {
        /// The HTTP status, when the refusal came as an HTTP answer.
        status: Option<u16>,
        /// Why, in words.
        reason: String,
    },
    /// The hub could not be reached or could not answer now (network, timeout, 5xx, 429):
    /// retry later. Every request the client sends is safe to repeat.
    #[error("the hub is unavailable: {reason}")]
    Unavailable {
        /// Why, in words.
        reason: String,
    },
    /// The hub answered something that is not what the API promises: an unreadable body, or
    /// a receipt that does not verify or does not match what was sent.
    #[error("the hub's answer is not acceptable: {reason}")]
    Protocol {
        /// Why, in words.
        reason: String,
    },
    /// The package does not parse, so it was not sent.
    #[error("the package was not sent: {0}")]
    Package(#[from] PackageError),
    /// The client could not be set up (TLS identity or configuration).
    #[error("the client could not be set up: {0}")]
    Tls(#[from] TlsError),
}

impl ClientError {
    /// Whether sending the same request again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ClientError::Unavailable { .. })
    }
}

/// Reads a transport failure: a TLS alert about our certificate (or a refusal of the hub's)
/// is an authorization problem; anything else on the way is an outage.
pub(crate) fn from_reqwest(e: &reqwest::Error) -> ClientError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        let tls = err.downcast_ref::<rustls::Error>().or_else(|| {
            err.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(tls) = tls {
            return match tls {
                rustls::Error::AlertReceived(alert) => ClientError::Unauthorized {
                    status: None,
                    reason: format!("the hub refused our TLS certificate ({alert:?})"),
                },
                rustls::Error::InvalidCertificate(c) => ClientError::Unauthorized {
                    status: None,
                    reason: format!("the hub's TLS certificate is refused: {c:?}"),
                },
                other => ClientError::Unavailable {
                    reason: format!("TLS failed: {other}"),
                },
            };
        }
        source = err.source();
    }
    ClientError::Unavailable {
        reason: describe(e),
    }
}

fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
