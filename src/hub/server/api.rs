//! The endpoints: who may call each, what it reads, and what it answers.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Deserialize;
use time::UtcOffset;

use super::caller::Identified;
use super::problem::ApiProblem;
use super::Shared;
use crate::hub::wire::{
    self, paths, DeliveryBody, FetchBody, HistoryBody, OverdueBody, OverdueItem, ReceiptBody,
    RecipientStatuses, StatusBody,
};
use crate::org::OrgId;
use crate::route::{Accepted, DeliveryId, MessageKey, PayloadKind, Receipt, SubmitError};

type ApiResult<T> = Result<T, ApiProblem>;

const OPENAPI: &str = include_str!("openapi.json");

/// Vietnam's offset: due dates and "today" are read where the agencies are.
const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

pub(super) fn routes(shared: Arc<Shared>) -> axum::Router {
    let timeout = shared.options.max_wait + shared.options.body_timeout;
    axum::Router::new()
        .route(paths::DOCUMENTS, post(submit_document))
        .route(paths::STATUSES, post(submit_status).get(status_history))
        .route(paths::MAILBOX, get(fetch))
        .route(paths::ACK, post(ack))
        .route(paths::HUB_DOCUMENTS, post(hub_document))
        .route(paths::HUB_STATUSES, post(hub_status))
        .route(paths::HUB_NOTICES, post(hub_notice))
        .route(paths::RECEIPTS, get(receipt))
        .route(paths::OVERDUE, get(overdue))
        .route(paths::OPENAPI, get(openapi))
        .route(paths::HEALTHZ, get(healthz))
        .route(paths::READYZ, get(readyz))
        .route(paths::METRICS, get(metrics))
        .fallback(|| async { ApiProblem::not_found("no such endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiProblem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "this endpoint does not take that method",
            )
        })
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), observe))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            shared.options.body_timeout,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(shared)
}

/// Times every request and counts refusals, by endpoint.
async fn observe(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    shared.metrics.request(&endpoint, started.elapsed());
    response
}

/// A refusal, counted.
fn refuse(shared: &Shared, problem: ApiProblem) -> ApiProblem {
    shared.metrics.refused(problem.kind());
    problem
}

fn submit_refused(shared: &Shared, e: &SubmitError) -> ApiProblem {
    refuse(shared, ApiProblem::from_submit(e))
}

/// The request body, within the package size limit and the memory budget. A declared length
/// over the limit is refused before a byte of the body is read.
async fn read_body(shared: &Shared, headers: &HeaderMap, body: Body) -> ApiResult<Bytes> {
    let (_, _, limits) = shared.router.checks();
    let limit = limits.max_package_bytes;
    let too_large = |what: String| {
        ApiProblem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "The request body is too large",
            what,
        )
    };
    let declared = match headers.get(header::CONTENT_LENGTH) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| ApiProblem::bad_request("Content-Length is not a number"))?,
        ),
    };
    if let Some(n) = declared {
        if n > limit as u64 {
            return Err(refuse(
                shared,
                too_large(format!(
                    "{n} bytes declared; this hub takes at most {limit}"
                )),
            ));
        }
    }
    if shared.draining() {
        return Err(ApiProblem::unavailable("the hub is shutting down"));
    }
    let expected = declared.map_or(limit, |n| n as usize);
    let _permit = shared.reserve_body(expected).map_err(|_| {
        refuse(
            shared,
            ApiProblem::unavailable("too many large requests are being received; retry later"),
        )
    })?;
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(refuse(
            shared,
            too_large(format!(
                "more than {limit} bytes; this hub takes at most {limit}"
            )),
        )),
        Err(e) => Err(ApiProblem::new(
            StatusCode::REQUEST_TIMEOUT,
            "body-incomplete",
            "The request body did not arrive",
            e.to_string(),
        )),
    }
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "a blocking task failed");
        ApiProblem::unavailable("the hub failed to process the request")
    })
}

fn receipt_answer(accepted: &Accepted) -> Response {
    let status = if accepted.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let body = ReceiptBody {
        signed_receipt: String::from_utf8_lossy(&accepted.signed_receipt).into_owned(),
        duplicate: accepted.duplicate,
    };
    (status, Json(body)).into_response()
}

/// Checks a document (on the blocking pool, a bounded number at once), then commits it with
/// whatever else is waiting.
async fn check_and_commit(
    shared: &Arc<Shared>,
    bytes: Bytes,
    caller: &Identified,
) -> ApiResult<Response> {
    let from_hub = match &caller.caller {
        super::Caller::Hub(h) => Some(h.clone()),
        _ => None,
    };
    let prepared = {
        let _slot = shared
            .verify_slots
            .acquire()
            .await
            .map_err(|_| ApiProblem::unavailable("the hub is shutting down"))?;
        let router = Arc::clone(&shared.router);
        let now = shared.clock.now();
        let hub = from_hub.clone();
        blocking(move || router.prepare_document_from(bytes.into(), hub.as_ref(), now)).await?
    }
    .map_err(|e| submit_refused(shared, &e))?;
    if from_hub.is_none() {
        let agency = caller.agency()?;
        if prepared.sender() != agency {
            return Err(refuse(
                shared,
                ApiProblem::forbidden(format!(
                    "agency {agency} may submit only documents it sends; this one is from {}",
                    prepared.sender()
                )),
            ));
        }
    }
    let accepted = shared
        .committer
        .commit(prepared)
        .await
        .map_err(|_| ApiProblem::unavailable("the hub is shutting down"))?
        .map_err(|e| submit_refused(shared, &e))?;
    shared.after_accept(&accepted);
    if !accepted.duplicate {
        shared.metrics.submitted(
            "document",
            if from_hub.is_some() { "hub" } else { "agency" },
        );
    }
    Ok(receipt_answer(&accepted))
}

async fn submit_document(
    State(shared): State<Arc<Shared>>,
    caller: Identified,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.agency().map_err(|p| refuse(&shared, p))?;
    let bytes = read_body(&shared, &headers, body).await?;
    check_and_commit(&shared, bytes, &caller).await
}

async fn hub_document(
    State(shared): State<Arc<Shared>>,
    caller: Identified,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.hub().map_err(|p| refuse(&shared, p))?;
    let bytes = read_body(&shared, &headers, body).await?;
    check_and_commit(&shared, bytes, &caller).await
}

/// A status message from an agency or a hub, or (`kind` Notice, hubs only) a hub's signed
/// non-delivery notice travelling back to the sender's hub.
async fn submit_status_as(
    shared: Arc<Shared>,
    caller: &Identified,
    bytes: Bytes,
    kind: PayloadKind,
) -> ApiResult<Response> {
    let from_hub = match &caller.caller {
        super::Caller::Hub(h) => Some(h.clone()),
        _ => None,
    };
    if from_hub.is_none() {
        let agency = caller.agency()?;
        // Fail closed: a status whose author cannot be read is refused here.
        match wire::status_author(&bytes) {
            Some(from) if from == agency => {}
            Some(from) => {
                return Err(refuse(
                    &shared,
                    ApiProblem::forbidden(format!(
                        "agency {agency} may submit only statuses it signs; this one is from {from}"
                    )),
                ))
            }
            None => {
                return Err(refuse(
                    &shared,
                    ApiProblem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "status-rejected",
                        "The status message was refused",
                        "not a JWS compact serialization of a status message",
                    ),
                ))
            }
        }
    }
    let accepted = {
        let _slot = shared
            .verify_slots
            .acquire()
            .await
            .map_err(|_| ApiProblem::unavailable("the hub is shutting down"))?;
        let router = Arc::clone(&shared.router);
        let now = shared.clock.now();
        let hub = from_hub.clone();
        blocking(move || match hub {
            Some(h) => router.receive(&h, kind, &bytes, now),
            None => router.submit_status(&bytes, now),
        })
        .await?
    }
    .map_err(|e| submit_refused(&shared, &e))?;
    shared.after_accept(&accepted);
    if !accepted.duplicate {
        shared
            .metrics
            .submitted("status", if from_hub.is_some() { "hub" } else { "agency" });
    }
    Ok(receipt_answer(&accepted))
}

async fn submit_status(
    State(shared): State<Arc<Shared>>,
    caller: Identified,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.agency().map_err(|p| refuse(&shared, p))?;
    let bytes = read_body(&shared, &headers, body).await?;
    submit_status_as(shared, &caller, bytes, PayloadKind::Status).await
}

async fn hub_status(
    State(shared): State<Arc<Shared>>,
    caller: Identified,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.hub().map_err(|p| refuse(&shared, p))?;
    let bytes = read_body(&shared, &headers, body).await?;
    submit_status_as(shared, &caller, bytes, PayloadKind::Status).await
}

async fn hub_notice(
    State(shared): State<Arc<Shared>>,
    caller: Identified,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.hub().map_err(|p| refuse(&shared, p))?;
    let bytes = read_body(&shared, &headers, body).await?;
    submit_status_as(shared, &caller, bytes, PayloadKind::Notice).await
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiProblem::bad_request(e.body_text()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FetchQuery {
    max: Option<u32>,
    wait: Option<u32>,
}

/// The agency a mailbox path names, which must be the caller: an agency reads and
/// acknowledges its own mailbox only.
fn own_mailbox(shared: &Shared, caller: &Identified, named: &str) -> ApiResult<OrgId> {
    let agency = caller.agency().map_err(|p| refuse(shared, p))?;
    let named: OrgId = named
        .parse()
        .map_err(|e| ApiProblem::bad_request(format!("{named:?} is not an agency code: {e}")))?;
    if named != agency {
        return Err(refuse(
            shared,
            ApiProblem::forbidden(format!(
                "agency {agency} may read only its own mailbox, not the mailbox of {named}"
            )),
        ));
    }
    Ok(agency)
}

async fn fetch(
    State(shared): State<Arc<Shared>>,
    caller: Identified,
    Path(named): Path<String>,
    q: Result<Query<FetchQuery>, QueryRejection>,
) -> ApiResult<Json<FetchBody>> {
    let agency = own_mailbox(&shared, &caller, &named)?;
    let q = query(q)?;
    let max = (q.max.unwrap_or(10) as usize).clamp(1, shared.options.fetch_max.max(1));
    let wait =
        std::time::Duration::from_secs(u64::from(q.wait.unwrap_or(0))).min(shared.options.max_wait);
    let deadline = tokio::time::Instant::now() + wait;
    let notify = shared.wakers.of(&agency);
    loop {
        // Registered before the store is read, so a commit in between still wakes it.
        let woken = notify.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let store = Arc::clone(shared.router.store());
        let now = shared.clock.now();
        let got = blocking(move || store.fetch(&agency, max, now))
            .await?
            .map_err(|e| refuse(&shared, ApiProblem::from_store(&e)))?;
        if !got.is_empty() || tokio::time::Instant::now() >= deadline || shared.draining() {
            let deliveries = got
                .into_iter()
                .map(|d| DeliveryBody {
                    id: d.id.0,
                    document_id: d.document_id,
                    kind: wire::kind_name(d.kind).to_owned(),
                    urgency: d.urgency.value(),
                    arrived: d.arrived,
                    attempts: d.attempts,
                    payload: wire::b64(&d.payload),
                })
                .collect();
            return Ok(Json(FetchBody { deliveries }));
        }
        let drain = shared.drain.notified();
        tokio::select! {
            _ = &mut woken => {}
            _ = drain => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}

async fn ack(
    State(shared): State<Arc<Shared>>,
    caller: Identified,
    Path((named, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let agency = own_mailbox(&shared, &caller, &named)?;
    let id: u64 = id
        .parse()
        .map_err(|_| ApiProblem::not_found(format!("{id:?} is not a delivery number")))?;
    let store = Arc::clone(shared.router.store());
    let now = shared.clock.now();
    blocking(move || store.ack(&agency, DeliveryId(id), now))
        .await?
        .map_err(|e| refuse(&shared, ApiProblem::from_store(&e)))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentQuery {
    document: String,
}

/// Reads back a receipt the hub signed and stored (its own record: not verified again).
fn stored_receipt(signed: &[u8]) -> Option<Receipt> {
    let text = std::str::from_utf8(signed).ok()?;
    let payload = text.split('.').nth(1)?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// The stored receipt of `document` when `agency` sent it. Another agency's document and an
/// unknown one get the same answer, so nobody can probe for other agencies' documents.
fn own_document(
    shared: &Shared,
    agency: &OrgId,
    document: &str,
) -> ApiResult<Option<(Vec<u8>, Receipt)>> {
    let found = shared
        .router
        .store()
        .lookup_submission(&MessageKey::Document {
            sender: *agency,
            id: document.to_owned(),
        })
        .map_err(|e| ApiProblem::from_store(&e))?;
    Ok(found.and_then(|s| {
        let receipt = stored_receipt(&s.receipt)?;
        (receipt.from == *agency).then(|| (s.receipt.to_vec(), receipt))
    }))
}

async fn receipt(
    State(shared): State<Arc<Shared>>,
    caller: Identified,
    q: Result<Query<DocumentQuery>, QueryRejection>,
) -> ApiResult<Json<ReceiptBody>> {
    let agency = caller.agency().map_err(|p| refuse(&shared, p))?;
    let q = query(q)?;
    let s = Arc::clone(&shared);
    let found = blocking(move || own_document(&s, &agency, &q.document)).await??;
    match found {
        Some((signed, _)) => Ok(Json(ReceiptBody {
            signed_receipt: String::from_utf8_lossy(&signed).into_owned(),
            duplicate: true,
        })),
        None => Err(ApiProblem::not_found(
            "this hub holds no document of that id sent by your agency",
        )),
    }
}

async fn status_history(
    State(shared): State<Arc<Shared>>,
    caller: Identified,
    q: Result<Query<DocumentQuery>, QueryRejection>,
) -> ApiResult<Json<HistoryBody>> {
    let agency = caller.agency().map_err(|p| refuse(&shared, p))?;
    let q = query(q)?;
    let s = Arc::clone(&shared);
    blocking(move || -> ApiResult<Json<HistoryBody>> {
        let store = s.router.store();
        let recipients: Vec<OrgId> = match own_document(&s, &agency, &q.document)? {
            Some((_, receipt)) => receipt.dispositions.iter().map(|d| d.recipient).collect(),
            // A recipient sees its own answers.
            None => match store
                .tracked(&q.document, &agency)
                .map_err(|e| ApiProblem::from_store(&e))?
            {
                Some(_) => vec![agency],
                None => {
                    return Err(ApiProblem::not_found(
                        "this hub routed no document of that id from or to your agency",
                    ))
                }
            },
        };
        let mut out = Vec::with_capacity(recipients.len());
        for r in recipients {
            let history = store
                .status_history(&q.document, &r)
                .map_err(|e| ApiProblem::from_store(&e))?;
            out.push(RecipientStatuses {
                recipient: r,
                statuses: history.iter().map(StatusBody::from_record).collect(),
            });
        }
        Ok(Json(HistoryBody {
            document_id: q.document,
            recipients: out,
        }))
    })
    .await?
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverdueQuery {
    on: Option<String>,
}

async fn overdue(
    State(shared): State<Arc<Shared>>,
    caller: Identified,
    q: Result<Query<OverdueQuery>, QueryRejection>,
) -> ApiResult<Json<OverdueBody>> {
    let agency = caller.agency().map_err(|p| refuse(&shared, p))?;
    let q = query(q)?;
    let on = match q.on {
        Some(text) => wire::parse_day(&text).ok_or_else(|| {
            ApiProblem::bad_request(format!("on={text:?} is not a date YYYY-MM-DD"))
        })?,
        None => shared.clock.now().to_offset(VIETNAM).date(),
    };
    let router = Arc::clone(&shared.router);
    let list = blocking(move || router.overdue(on))
        .await?
        .map_err(|e| ApiProblem::from_store(&e))?;
    Ok(Json(OverdueBody {
        on: wire::day(on),
        overdue: list
            .iter()
            .filter(|o| o.sender == agency)
            .map(OverdueItem::from_overdue)
            .collect(),
    }))
}

async fn openapi(caller: Identified) -> Response {
    let _ = caller;
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

#[derive(serde::Serialize)]
struct Health {
    status: &'static str,
    hub: String,
}

async fn healthz(State(shared): State<Arc<Shared>>, caller: Identified) -> Json<Health> {
    let _ = caller;
    Json(Health {
        status: "ok",
        hub: shared.router.id().to_string(),
    })
}

async fn readyz(State(shared): State<Arc<Shared>>, caller: Identified) -> ApiResult<Json<Health>> {
    let _ = caller;
    if shared.draining() {
        return Err(ApiProblem::unavailable("the hub is shutting down"));
    }
    Ok(Json(Health {
        status: "ready",
        hub: shared.router.id().to_string(),
    }))
}

async fn metrics(State(shared): State<Arc<Shared>>, caller: Identified) -> ApiResult<Response> {
    let allowed = matches!(caller.caller, super::Caller::Hub(_))
        || shared.options.metrics_readers.contains(&caller.fingerprint);
    if !allowed {
        return Err(refuse(
            &shared,
            ApiProblem::forbidden(format!(
                "the certificate of {} may not read the metrics; add its fingerprint to \
                 metrics_readers",
                caller.subject
            )),
        ));
    }
    let s = Arc::clone(&shared);
    let depths = blocking(move || {
        let store = s.router.store();
        let mut depths = Vec::new();
        for a in s.router.directory().agencies() {
            if let Ok(all) = store.deliveries(&a.id()) {
                let waiting = all
                    .iter()
                    .filter(|d| !matches!(d.state, crate::route::DeliveryState::Acked { .. }))
                    .count();
                if !all.is_empty() {
                    depths.push((a.id().to_string(), waiting));
                }
            }
        }
        depths
    })
    .await?;
    let text = shared.metrics.encode(&depths);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_author_of_a_status_is_read_from_its_payload() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"from":"000.00.41.H57","to":"000.00.00.H57"}"#);
        let jws = format!("eyJhbGciOiJFUzI1NiJ9.{payload}.c2ln\n");
        assert_eq!(
            wire::status_author(jws.as_bytes()),
            Some("000.00.41.H57".parse().unwrap())
        );
        assert_eq!(wire::status_author(b"not a jws"), None);
        assert_eq!(wire::status_author(b"a.!!!.c"), None);
    }
}
