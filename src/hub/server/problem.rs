//! Refusals as RFC 9457 problem details (`application/problem+json`), one `type` URI per kind
//! of refusal, with the validation report for a package that failed verification.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::hub::wire::{Problem, PROBLEM_JSON};
use crate::route::{StoreError, SubmitError};

/// A refusal on its way to the client.
#[derive(Debug)]
pub(crate) struct ApiProblem(pub(crate) Box<Problem>);

impl ApiProblem {
    pub(crate) fn new(
        status: StatusCode,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
    ) -> Self {
        ApiProblem(Box::new(Problem {
            type_uri: format!("urn:edoc:problem:{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            sub_indication: None,
            report: None,
        }))
    }

    pub(crate) fn kind(&self) -> &str {
        self.0.kind()
    }

    pub(crate) fn unauthenticated(detail: impl Into<String>) -> Self {
        ApiProblem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "No usable client certificate",
            detail,
        )
    }

    pub(crate) fn forbidden(detail: impl Into<String>) -> Self {
        ApiProblem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        ApiProblem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        ApiProblem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    /// The hub cannot answer now; the client should retry later.
    pub(crate) fn unavailable(detail: impl Into<String>) -> Self {
        ApiProblem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The hub cannot take this now; retry later",
            detail,
        )
    }

    pub(crate) fn from_store(e: &StoreError) -> Self {
        match e {
            StoreError::Transition { .. } => ApiProblem::new(
                StatusCode::CONFLICT,
                "transition",
                "The status may not follow the recorded ones",
                e.to_string(),
            ),
            StoreError::NotInMailbox { .. } | StoreError::NotInOutbox { .. } => {
                ApiProblem::not_found(e.to_string())
            }
            StoreError::OutOfOrder { .. } => ApiProblem::new(
                StatusCode::CONFLICT,
                "out-of-order",
                "The status is older than the latest one recorded",
                e.to_string(),
            ),
            StoreError::NotFetched { .. } => ApiProblem::new(
                StatusCode::CONFLICT,
                "not-fetched",
                "The delivery was never fetched",
                e.to_string(),
            ),
            StoreError::DuplicateSubmission { .. } | StoreError::DuplicateTracking { .. } => {
                ApiProblem::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "Already submitted",
                    e.to_string(),
                )
            }
            // The store's own failure: say so without the server's file paths.
            StoreError::Backend(_)
            | StoreError::TrackingInRefusal
            | StoreError::Locked { .. }
            | StoreError::UnsupportedVersion { .. }
            | StoreError::NotAStore { .. }
            | StoreError::Corrupt { .. } => {
                tracing::error!(error = %e, "mailbox store failed");
                ApiProblem::unavailable("the hub's mailbox store failed; nothing was stored")
            }
        }
    }

    pub(crate) fn from_submit(e: &SubmitError) -> Self {
        let refused = |kind: &str, title: &str| {
            ApiProblem::new(StatusCode::UNPROCESSABLE_ENTITY, kind, title, e.to_string())
        };
        match e {
            SubmitError::Rejected(r) => {
                let mut p = refused("rejected", "The package failed verification");
                p.0.sub_indication = r
                    .sub_indication()
                    .and_then(|s| serde_json::to_value(s).ok())
                    .and_then(|v| v.as_str().map(str::to_owned));
                p.0.report = serde_json::from_str(&r.report().to_json()).ok();
                p
            }
            SubmitError::Status(_) => refused("status-rejected", "The status message was refused"),
            SubmitError::Notice(_) => {
                refused("notice-rejected", "The non-delivery notice was refused")
            }
            SubmitError::UnknownMessage { .. } => refused(
                "unknown-message",
                "The notice names no message accepted here",
            ),
            SubmitError::Classified { .. } => refused(
                "classified",
                "Classified documents never travel on this network",
            ),
            SubmitError::NotServedHere { .. } => {
                refused("not-served-here", "The sender must submit to its own hub")
            }
            SubmitError::UnknownSender { .. } | SubmitError::UnknownRecipient { .. } => {
                refused("unknown-agency", "An agency is not in the directory")
            }
            SubmitError::Trace(_)
            | SubmitError::TraceFromAgency(_)
            | SubmitError::NotForwardedHere { .. } => {
                refused("trace", "The package's trace is not acceptable")
            }
            SubmitError::UnknownHub(_) => ApiProblem::forbidden(e.to_string()),
            SubmitError::Conflict { .. } => ApiProblem::new(
                StatusCode::CONFLICT,
                "conflict",
                "The id was already used for other content",
                e.to_string(),
            ),
            SubmitError::UnknownDocument { .. } => refused(
                "unknown-document",
                "The status answers no document routed here",
            ),
            SubmitError::WrongParty { .. } => {
                refused("wrong-party", "The status goes between the wrong agencies")
            }
            SubmitError::Store(s) => ApiProblem::from_store(s),
            SubmitError::Signing(reason) => {
                tracing::error!(%reason, "the hub's seal could not sign");
                ApiProblem::unavailable("the hub's seal could not sign; nothing was stored")
            }
        }
    }
}

impl IntoResponse for ApiProblem {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.0).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
