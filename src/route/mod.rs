//! Routing: the hub itself (`router`), the routing table (agency codes to hubs), the signed trace
//! and receipts, the registry of neighbouring hubs, and `store/`: the mailbox store trait and its
//! implementations.

mod hubs;
mod receipt;
mod router;
mod store;
mod table;
mod trace;

pub use hubs::{HubRegistry, HubRegistryError};
pub use receipt::{Disposition, Receipt, RecipientDisposition};
#[cfg(feature = "server")]
pub(crate) use router::PreparedSubmission;
pub use router::{
    Accepted, ForwardReport, InProcessNetwork, Router, RouterConfig, SubmitError, Transport,
    TransportError,
};
pub use store::{
    Committed, Delivery, DeliveryId, DeliveryState, DurableStore, MailboxStore, MemoryStore,
    NewDelivery, NewOutboxEntry, OutboxEntry, OutboxId, Overdue, PayloadKind, StatusRecord,
    StatusUpdate, StoreError, Submission, SubmitEffects, Tracking, UrgencyRank,
};
pub use table::{HubId, RouteError, RoutePattern, RoutingTable};
pub use trace::{verify_trace, Forwarded, TraceError, TraceHop};
