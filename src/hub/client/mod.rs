//! [`HubClient`]: what an agency's system uses to talk to its hub over mutual TLS, and
//! (`transport.rs`) [`HttpsTransport`], the link a hub forwards to its neighbours over.

mod error;
mod transport;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use time::Date;

use crate::hub::clock::Clock;
use crate::hub::tls::{self, TlsIdentity};
use crate::hub::wire::{
    self, paths, FetchBody, FetchedDelivery, HistoryBody, OverdueBody, Problem, ReceiptBody, JOSE,
};
use crate::limits::Limits;
use crate::org::OrgId;
use crate::package::Package;
use crate::route::{DeliveryId, HubRegistry, Overdue, Receipt, StatusRecord};
use crate::trust::{Policy, TrustStore};

pub use error::ClientError;
pub use transport::{HttpsTransport, Neighbour};

pub(crate) use error::from_reqwest;

/// How a [`HubClient`] connects and what it trusts. Start from [`HubClientConfig::new`].
#[derive(Clone)]
#[non_exhaustive]
pub struct HubClientConfig {
    /// The hub's base URL, `https://host:port`.
    pub url: String,
    /// The agency this client speaks for: its mailbox is the one fetched.
    pub agency: OrgId,
    /// The agency's TLS identity (a certificate with id-kp-clientAuth and its key).
    pub identity: TlsIdentity,
    /// Trust anchors, intermediates and CRLs: for the hub's TLS certificate and its receipts.
    pub trust: Arc<TrustStore>,
    /// The policy receipts and the hub's certificate are checked under.
    pub policy: Policy,
    /// The hubs whose seals may sign receipts (the hub connected to, at least).
    pub hubs: HubRegistry,
    /// Where the client reads the time (to check certificates and receipts).
    pub clock: Arc<dyn Clock>,
    /// When not empty, the hub's TLS certificate must be one of these (SHA-256 of the DER).
    pub server_pins: Vec<[u8; 32]>,
    /// Time for one request (a fetch adds the time it asks the hub to wait). Default 30 s.
    pub timeout: Duration,
    /// Tries for a request that fails in a retryable way. Default 4.
    pub attempts: u32,
    /// The pause after the first failed try, doubled after each. Default 200 ms.
    pub retry_pause: Duration,
    /// Package limits: the largest package read back, and parsing before a submit.
    pub limits: Limits,
}

impl std::fmt::Debug for HubClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubClientConfig")
            .field("url", &self.url)
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl HubClientConfig {
    /// A configuration with the defaults.
    pub fn new(
        url: impl Into<String>,
        agency: OrgId,
        identity: TlsIdentity,
        trust: Arc<TrustStore>,
        hubs: HubRegistry,
        clock: Arc<dyn Clock>,
    ) -> HubClientConfig {
        HubClientConfig {
            url: url.into(),
            agency,
            identity,
            trust,
            policy: Policy::strict(),
            hubs,
            clock,
            server_pins: Vec::new(),
            timeout: Duration::from_secs(30),
            attempts: 4,
            retry_pause: Duration::from_millis(200),
            limits: Limits::default(),
        }
    }
}

/// What a hub answered to an accepted submission.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Submitted {
    /// The receipt, verified: signed by the seal of a hub in [`HubClientConfig::hubs`], for
    /// the message sent.
    pub receipt: Receipt,
    /// The signed receipt (JWS compact), to keep as evidence.
    pub signed_receipt: Vec<u8>,
    /// True when the hub had accepted this submission before: this is its first receipt.
    pub duplicate: bool,
}

/// The client of a hub, for an agency's system: submit documents and statuses, fetch and
/// acknowledge deliveries, read receipts, statuses and the overdue list.
///
/// Every request is safe to repeat, and the client repeats those that fail in a retryable
/// way ([`ClientError::is_retryable`]) up to [`HubClientConfig::attempts`] times: the hub
/// answers a resubmitted document with its first receipt. A submission is reported as
/// successful only once the hub's signed receipt has been verified.
///
/// Connections are kept alive and reused; clone the client to share them.
#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    config: Arc<HubClientConfig>,
}

impl std::fmt::Debug for HubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubClient")
            .field("url", &self.config.url)
            .finish_non_exhaustive()
    }
}

/// Builds the HTTP client: TLS from this crate's verifiers, no redirects, HTTPS only, idle
/// connections dropped before the server's header timeout would close them.
pub(crate) fn http_client(tls: rustls::ClientConfig) -> Result<reqwest::Client, ClientError> {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .https_only(true)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(10))
        .tcp_nodelay(true)
        .build()
        .map_err(|e| ClientError::Tls(tls::TlsError::Config(e.to_string())))
}

/// Reads a response body, up to `max` bytes.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, ClientError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| from_reqwest(&e))? {
        if body.len() + chunk.len() > max {
            return Err(ClientError::Protocol {
                reason: format!("the answer is larger than {max} bytes"),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Sorts a non-2xx answer: 401/403 unauthorized, 408/429/5xx unavailable, other 4xx refused.
pub(crate) fn classify(status: StatusCode, body: &[u8]) -> ClientError {
    let problem: Option<Problem> = serde_json::from_slice(body).ok();
    let detail = problem.as_ref().map_or_else(
        || {
            String::from_utf8_lossy(body.get(..body.len().min(300)).unwrap_or_default())
                .into_owned()
        },
        |p| p.detail.clone(),
    );
    match status.as_u16() {
        401 | 403 => ClientError::Unauthorized {
            status: Some(status.as_u16()),
            reason: detail,
        },
        408 | 429 | 500..=599 => ClientError::Unavailable {
            reason: format!("HTTP {status}: {detail}"),
        },
        400..=499 => match problem {
            Some(p) => ClientError::Refused {
                problem: Box::new(p),
            },
            None => ClientError::Protocol {
                reason: format!("HTTP {status} without a problem document: {detail}"),
            },
        },
        _ => ClientError::Protocol {
            reason: format!("unexpected HTTP {status}"),
        },
    }
}

impl HubClient {
    /// A client for the hub at `config.url`.
    pub fn new(config: HubClientConfig) -> Result<HubClient, ClientError> {
        let tls = tls::client_config(
            &config.identity,
            Arc::clone(&config.trust),
            &config.policy,
            Arc::clone(&config.clock),
            config.server_pins.clone(),
        )?;
        Ok(HubClient {
            http: http_client(tls)?,
            config: Arc::new(config),
        })
    }

    fn mailbox_path(&self) -> String {
        paths::MAILBOX.replace("{agency}", &self.config.agency.to_string())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.url.trim_end_matches('/'))
    }

    /// One try: the 2xx body, or the error.
    async fn once(
        &self,
        method: &Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<(&[u8], &'static str)>,
        timeout: Duration,
        max_answer: usize,
    ) -> Result<Vec<u8>, ClientError> {
        let mut request = self
            .http
            .request(method.clone(), url)
            .query(query)
            .timeout(timeout);
        if let Some((bytes, media)) = body {
            request = request.header(CONTENT_TYPE, media).body(bytes.to_vec());
        }
        let response = request.send().await.map_err(|e| from_reqwest(&e))?;
        let status = response.status();
        let answer = read_limited(response, max_answer).await?;
        if status.is_success() {
            Ok(answer)
        } else {
            Err(classify(status, &answer))
        }
    }

    /// Tries until success, a failure that is not retryable, or the last attempt.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<(&[u8], &'static str)>,
        extra_time: Duration,
        max_answer: usize,
    ) -> Result<Vec<u8>, ClientError> {
        let url = self.url(path);
        let mut pause = self.config.retry_pause;
        let attempts = self.config.attempts.max(1);
        let mut attempt = 1;
        loop {
            match self
                .once(
                    &method,
                    &url,
                    query,
                    body,
                    self.config.timeout + extra_time,
                    max_answer,
                )
                .await
            {
                Err(e) if e.is_retryable() && attempt < attempts => {
                    tracing::info!(%url, attempt, error = %e, "retrying");
                    tokio::time::sleep(pause).await;
                    pause = pause.saturating_mul(2);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Verifies a receipt answer: the hub's seal, then that it is for `message` from `from`.
    fn check_receipt(
        &self,
        answer: &[u8],
        message: Option<&str>,
        from: &OrgId,
    ) -> Result<Submitted, ClientError> {
        let body: ReceiptBody =
            serde_json::from_slice(answer).map_err(|e| ClientError::Protocol {
                reason: format!("the receipt answer is not JSON: {e}"),
            })?;
        let receipt = Receipt::verify(
            body.signed_receipt.as_bytes(),
            &self.config.hubs,
            &self.config.trust,
            &self.config.policy,
            self.config.clock.now(),
        )
        .map_err(|e| ClientError::Protocol {
            reason: format!("the hub's receipt does not verify: {e}"),
        })?;
        if let Some(message) = message {
            if receipt.message_id != message {
                return Err(ClientError::Protocol {
                    reason: format!(
                        "the receipt is for {}, not for {message}",
                        receipt.message_id
                    ),
                });
            }
        }
        if receipt.from != *from {
            return Err(ClientError::Protocol {
                reason: format!(
                    "the receipt names {} as the sender, not {from}",
                    receipt.from
                ),
            });
        }
        Ok(Submitted {
            receipt,
            signed_receipt: body.signed_receipt.into_bytes(),
            duplicate: body.duplicate,
        })
    }

    /// Submits a signed document package; returns the hub's verified receipt.
    pub async fn submit(&self, package: &[u8]) -> Result<Submitted, ClientError> {
        let parsed = Package::parse(package, &self.config.limits)?;
        let id = parsed.header().id().to_string();
        let sender = parsed.header().sender().id;
        let answer = self
            .call(
                Method::POST,
                paths::DOCUMENTS,
                &[],
                Some((package, "application/json")),
                Duration::ZERO,
                1 << 20,
            )
            .await?;
        self.check_receipt(&answer, Some(&id), &sender)
    }

    /// Submits a signed status message (JWS compact); returns the hub's verified receipt.
    pub async fn submit_status(&self, status: &[u8]) -> Result<Submitted, ClientError> {
        let answer = self
            .call(
                Method::POST,
                paths::STATUSES,
                &[],
                Some((status, JOSE)),
                Duration::ZERO,
                1 << 20,
            )
            .await?;
        let author = wire::status_author(status).ok_or_else(|| ClientError::Protocol {
            reason: "the status message names no author".into(),
        })?;
        self.check_receipt(&answer, None, &author)
    }

    /// Fetches up to `max` deliveries from the agency's mailbox, waiting up to `wait` for one
    /// to arrive when it is empty. Each must be acknowledged with [`HubClient::ack`] once it
    /// is safely kept; otherwise it comes back after the hub's visibility timeout.
    pub async fn fetch(
        &self,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<FetchedDelivery>, ClientError> {
        let query = [
            ("max", max.clamp(1, u32::MAX as usize).to_string()),
            ("wait", wait.as_secs().to_string()),
        ];
        let most = max
            .max(1)
            .saturating_mul(self.config.limits.max_package_bytes / 3 * 4 + 4096);
        let answer = self
            .call(
                Method::GET,
                &self.mailbox_path(),
                &query,
                None,
                wait,
                most.max(1 << 20),
            )
            .await?;
        let body: FetchBody =
            serde_json::from_slice(&answer).map_err(|e| ClientError::Protocol {
                reason: format!("the mailbox answer is not JSON: {e}"),
            })?;
        body.deliveries
            .into_iter()
            .map(|d| {
                FetchedDelivery::from_body(d).ok_or_else(|| ClientError::Protocol {
                    reason: "a delivery in the mailbox answer is malformed".into(),
                })
            })
            .collect()
    }

    /// Acknowledges a fetched delivery: the hub will not hand it out again. Repeating it is
    /// harmless.
    pub async fn ack(&self, delivery: DeliveryId) -> Result<(), ClientError> {
        let path = paths::ACK
            .replace("{agency}", &self.config.agency.to_string())
            .replace("{id}", &delivery.0.to_string());
        self.call(Method::POST, &path, &[], None, Duration::ZERO, 1 << 16)
            .await
            .map(|_| ())
    }

    /// The hub's receipt for one of the agency's documents, verified.
    pub async fn receipt(&self, document_id: &str) -> Result<Submitted, ClientError> {
        let query = [("document", document_id.to_owned())];
        let answer = self
            .call(
                Method::GET,
                paths::RECEIPTS,
                &query,
                None,
                Duration::ZERO,
                1 << 20,
            )
            .await?;
        let body: ReceiptBody =
            serde_json::from_slice(&answer).map_err(|e| ClientError::Protocol {
                reason: format!("the receipt answer is not JSON: {e}"),
            })?;
        let receipt = Receipt::verify(
            body.signed_receipt.as_bytes(),
            &self.config.hubs,
            &self.config.trust,
            &self.config.policy,
            self.config.clock.now(),
        )
        .map_err(|e| ClientError::Protocol {
            reason: format!("the hub's receipt does not verify: {e}"),
        })?;
        let submitted = Submitted {
            receipt,
            signed_receipt: body.signed_receipt.into_bytes(),
            duplicate: true,
        };
        if submitted.receipt.message_id != document_id {
            return Err(ClientError::Protocol {
                reason: format!(
                    "the receipt is for {}, not {document_id}",
                    submitted.receipt.message_id
                ),
            });
        }
        Ok(submitted)
    }

    /// The statuses recorded for one of the agency's documents, per recipient (for a
    /// recipient: its own). The status messages are the hub's records, unverified here.
    pub async fn statuses(
        &self,
        document_id: &str,
    ) -> Result<Vec<(OrgId, Vec<StatusRecord>)>, ClientError> {
        let query = [("document", document_id.to_owned())];
        let answer = self
            .call(
                Method::GET,
                paths::STATUSES,
                &query,
                None,
                Duration::ZERO,
                16 << 20,
            )
            .await?;
        let body: HistoryBody =
            serde_json::from_slice(&answer).map_err(|e| ClientError::Protocol {
                reason: format!("the status history is not JSON: {e}"),
            })?;
        body.recipients
            .into_iter()
            .map(|r| {
                let records = r
                    .statuses
                    .into_iter()
                    .map(|s| s.into_record())
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| ClientError::Protocol {
                        reason: "the status history holds an unknown status code".into(),
                    })?;
                Ok((r.recipient, records))
            })
            .collect()
    }

    /// The agency's documents whose due date passed before `on` (the hub's today when
    /// `None`) without 06 completed, per recipient.
    pub async fn overdue(&self, on: Option<Date>) -> Result<Vec<Overdue>, ClientError> {
        let query: Vec<(&str, String)> = on.map(|d| ("on", wire::day(d))).into_iter().collect();
        let answer = self
            .call(
                Method::GET,
                paths::OVERDUE,
                &query,
                None,
                Duration::ZERO,
                16 << 20,
            )
            .await?;
        let body: OverdueBody =
            serde_json::from_slice(&answer).map_err(|e| ClientError::Protocol {
                reason: format!("the overdue list is not JSON: {e}"),
            })?;
        body.overdue
            .into_iter()
            .map(|o| {
                o.into_overdue().ok_or_else(|| ClientError::Protocol {
                    reason: "the overdue list holds an unknown status code".into(),
                })
            })
            .collect()
    }
}
