//! The HTTPS link between hubs: [`HttpsTransport`] implements [`Transport`] by posting to the
//! next hub's hub-to-hub endpoint over mutual TLS, with this hub's TLS identity and the
//! neighbour's certificate pinned.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use time::OffsetDateTime;

use super::{classify, http_client, read_limited, ClientError};
use crate::hub::clock::Clock;
use crate::hub::tls::{self, TlsIdentity};
use crate::hub::wire::{paths, ReceiptBody, JOSE};
use crate::route::{HubId, PayloadKind, Transport, TransportError};
use crate::trust::{Policy, TrustStore};

/// A neighbouring hub as this hub reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    /// Its name.
    pub hub: HubId,
    /// Its base URL, `https://host:port`.
    pub url: String,
    /// The SHA-256 of its TLS certificate (DER). When given, a connection to it succeeds only
    /// with exactly that certificate, whatever else the trust store would accept.
    pub tls_sha256: Option<[u8; 32]>,
}

struct Link {
    url: String,
    http: reqwest::Client,
}

/// Hands packages to neighbouring hubs over HTTPS with mutual TLS.
///
/// [`Transport::send`] blocks: call it from a blocking thread (as the forwarder does, on
/// tokio's blocking pool), never from an async task. It returns the next hub's signed receipt
/// as it came; [`Router::forward`](crate::Router::forward) decides what it proves.
///
/// How answers map: 2xx with a receipt is accepted; a 4xx refusal (other than 401, 403, 408
/// and 429) is [`TransportError::Refused`]; anything else (no connection, a timeout, 5xx, an
/// answer that is not a receipt, or our certificate refused, which is a configuration fault
/// to fix, not the document's) is [`TransportError::Unavailable`], so the package stays queued.
pub struct HttpsTransport {
    runtime: tokio::runtime::Handle,
    links: BTreeMap<HubId, Link>,
    timeout: Duration,
}

impl std::fmt::Debug for HttpsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpsTransport")
            .field("links", &self.links.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl HttpsTransport {
    /// Links to `neighbours`, connecting as `identity` (a certificate the neighbours register
    /// as this hub's TLS identity), checking their certificates against `trust` under
    /// `policy` made a serverAuth policy. Requests run on `runtime` and time out after
    /// `timeout` (keep it below the store's visibility timeout, or a slow send may be
    /// repeated by another worker; the next hub's de-duplication makes that harmless).
    pub fn new(
        identity: &TlsIdentity,
        trust: Arc<TrustStore>,
        policy: &Policy,
        clock: Arc<dyn Clock>,
        neighbours: &[Neighbour],
        runtime: tokio::runtime::Handle,
        timeout: Duration,
    ) -> Result<HttpsTransport, ClientError> {
        let mut links = BTreeMap::new();
        for n in neighbours {
            let tls = tls::client_config(
                identity,
                Arc::clone(&trust),
                policy,
                Arc::clone(&clock),
                n.tls_sha256.into_iter().collect(),
            )?;
            links.insert(
                n.hub.clone(),
                Link {
                    url: n.url.trim_end_matches('/').to_owned(),
                    http: http_client(tls)?,
                },
            );
        }
        Ok(HttpsTransport {
            runtime,
            links,
            timeout,
        })
    }

    async fn post(
        &self,
        link: &Link,
        kind: PayloadKind,
        payload: &[u8],
    ) -> Result<Vec<u8>, ClientError> {
        let (path, media) = match kind {
            PayloadKind::Document => (paths::HUB_DOCUMENTS, "application/json"),
            PayloadKind::Status => (paths::HUB_STATUSES, JOSE),
            PayloadKind::Notice => (paths::HUB_NOTICES, JOSE),
        };
        let response = link
            .http
            .post(format!("{}{path}", link.url))
            .timeout(self.timeout)
            .header(CONTENT_TYPE, media)
            .body(payload.to_vec())
            .send()
            .await
            .map_err(|e| super::from_reqwest(&e))?;
        let status = response.status();
        let answer = read_limited(response, 1 << 20).await?;
        if !status.is_success() {
            return Err(classify(status, &answer));
        }
        let body: ReceiptBody =
            serde_json::from_slice(&answer).map_err(|e| ClientError::Protocol {
                reason: format!("the answer is not a receipt: {e}"),
            })?;
        Ok(body.signed_receipt.into_bytes())
    }
}

impl Transport for HttpsTransport {
    fn send(
        &self,
        to: &HubId,
        _from: &HubId,
        kind: PayloadKind,
        payload: &[u8],
        _now: OffsetDateTime,
    ) -> Result<Vec<u8>, TransportError> {
        let link = self
            .links
            .get(to)
            .ok_or_else(|| TransportError::UnknownHub(to.clone()))?;
        match self.runtime.block_on(self.post(link, kind, payload)) {
            Ok(receipt) => Ok(receipt),
            Err(ClientError::Refused { problem }) => Err(TransportError::Refused {
                hub: to.clone(),
                reason: format!("{} ({})", problem.detail, problem.kind()),
            }),
            Err(e @ ClientError::Unauthorized { .. }) => {
                tracing::error!(hub = %to, error = %e, "the next hub does not accept this hub's TLS identity (or we refuse its certificate): fix the configuration; packages stay queued");
                Err(TransportError::Unavailable {
                    hub: to.clone(),
                    reason: e.to_string(),
                })
            }
            Err(e) => Err(TransportError::Unavailable {
                hub: to.clone(),
                reason: e.to_string(),
            }),
        }
    }
}
