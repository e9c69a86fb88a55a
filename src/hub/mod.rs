//! The network (features `client` and `server`): the only async code in the crate, on top of
//! `route`; nothing below knows of it.
//!
//! - `server/`: [`HubService`](crate::HubService), the hub's HTTP API over mutual TLS, served
//!   by [`serve`](crate::serve); the forwarder that drains the outbox to the neighbouring
//!   hubs; group commit; [`HubConfig`](crate::HubConfig) (hub.toml) and
//!   [`HubNode`](crate::HubNode), which runs a whole hub.
//! - `client/`: [`HubClient`](crate::HubClient) for agencies' systems, and
//!   [`HttpsTransport`](crate::HttpsTransport), the link between hubs.
//! - `tls.rs`: TLS identities and certificate verifiers on the crate's trust store.
//! - `wire.rs`: the JSON both sides speak; `server/openapi.json` describes it.
//! - `clock.rs`: where the network layer reads the time.

pub(crate) mod client;
pub(crate) mod clock;
#[cfg(feature = "server")]
pub(crate) mod server;
pub(crate) mod tls;
// Both sides' halves of the wire format: a client-only build uses the client's half.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub(crate) mod wire;
