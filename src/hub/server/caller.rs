//! Who is calling: the TLS client certificate, validated again for each request (the trust
//! store's chain cache makes that a lookup), then read as a registered hub or an agency.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rustls_pki_types::CertificateDer;

use super::problem::ApiProblem;
use super::Shared;
use crate::hub::tls;
use crate::org::OrgId;
use crate::route::HubId;

/// Who is calling, as its TLS client certificate says.
///
/// - A certificate whose fingerprint the hub registry lists as a hub's TLS identity
///   ([`HubRegistry::add_tls_identity`](crate::HubRegistry::add_tls_identity)) is that hub.
/// - Otherwise the agency whose code the certificate's organizationIdentifier carries, or
///   that the directory binds to the certificate; the two must not disagree, and the agency
///   must be in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Caller {
    /// An agency's system.
    Agency(OrgId),
    /// A neighbouring hub.
    Hub(HubId),
}

impl std::fmt::Display for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Caller::Agency(a) => write!(f, "agency {a}"),
            Caller::Hub(h) => write!(f, "hub {h}"),
        }
    }
}

/// The certificate chain the TLS client presented, leaf first.
///
/// [`serve`](crate::serve) puts it in every request's extensions. An embedder that mounts
/// [`HubService::api`](crate::HubService::api) behind its own TLS termination must insert it
/// itself, from the verified connection; a request without it is refused with 401.
#[derive(Debug, Clone)]
pub struct ClientCertificate(pub Arc<[CertificateDer<'static>]>);

/// The caller and its certificate's subject in words (for messages and logs).
#[derive(Debug, Clone)]
pub(crate) struct Identified {
    pub(crate) caller: Caller,
    pub(crate) subject: String,
    pub(crate) fingerprint: [u8; 32],
}

impl Identified {
    pub(crate) fn agency(&self) -> Result<OrgId, ApiProblem> {
        match &self.caller {
            Caller::Agency(a) => Ok(*a),
            Caller::Hub(h) => Err(ApiProblem::forbidden(format!(
                "hub {h} calls as a hub; this endpoint serves agencies"
            ))),
        }
    }

    pub(crate) fn hub(&self) -> Result<HubId, ApiProblem> {
        match &self.caller {
            Caller::Hub(h) => Ok(h.clone()),
            Caller::Agency(a) => Err(ApiProblem::forbidden(format!(
                "the certificate of {} (agency {a}) is not registered as a hub's TLS identity; \
                 only registered hubs may call the hub-to-hub endpoint",
                self.subject
            ))),
        }
    }
}

pub(crate) fn identify(
    shared: &Shared,
    cert: Option<&ClientCertificate>,
) -> Result<Identified, ApiProblem> {
    let Some(ClientCertificate(chain)) = cert else {
        return Err(ApiProblem::unauthenticated(
            "the request carries no TLS client certificate",
        ));
    };
    let Some((leaf, rest)) = chain.split_first() else {
        return Err(ApiProblem::unauthenticated(
            "the request carries no TLS client certificate",
        ));
    };
    let (trust, _, _) = shared.router.checks();
    let validated =
        tls::validate_peer(trust, &shared.tls_policy, shared.clock.as_ref(), leaf, rest).map_err(
            |e| ApiProblem::unauthenticated(format!("the client certificate is refused: {e}")),
        )?;
    let subject = validated.subject().to_string();
    let fingerprint = *validated.leaf_sha256();
    let identified = |caller| Identified {
        caller,
        subject: subject.clone(),
        fingerprint,
    };
    if let Some(hub) = shared.router.hubs().hub_of_tls_identity(&fingerprint) {
        return Ok(identified(Caller::Hub(hub.clone())));
    }
    let directory = shared.router.directory();
    let named = validated.subject().org_id;
    let bound = directory
        .agencies()
        .iter()
        .find(|a| a.certificates().contains(&fingerprint))
        .map(|a| a.id());
    match (named, bound) {
        (Some(a), Some(b)) if a != b => Err(ApiProblem::forbidden(format!(
            "the certificate of {subject} names agency {a}, but the directory binds it to {b}"
        ))),
        (_, Some(b)) => Ok(identified(Caller::Agency(b))),
        (Some(a), None) if directory.agency(&a).is_some() => Ok(identified(Caller::Agency(a))),
        (Some(a), None) => Err(ApiProblem::forbidden(format!(
            "the certificate of {subject} names agency {a}, which is not in this hub's directory"
        ))),
        (None, None) => Err(ApiProblem::forbidden(format!(
            "the certificate of {subject} names no agency (organizationIdentifier) and is not \
             registered as a hub"
        ))),
    }
}

impl FromRequestParts<Arc<Shared>> for Identified {
    type Rejection = ApiProblem;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        let result = identify(shared, parts.extensions.get::<ClientCertificate>());
        if let Err(p) = &result {
            shared.metrics.refused(p.kind());
        }
        result
    }
}
