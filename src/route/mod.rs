//! Routing: the hub itself (`router`), the routing table (agency codes to hubs), the signed trace
//! (of documents, and of statuses between hubs: `forwarded`), receipts and non-delivery notices, the registry of neighbouring hubs, and `store/`: the
//! mailbox store trait and its implementations.

mod forwarded;
mod hubs;
mod notice;
mod receipt;
mod router;
mod store;
mod table;
mod trace;

pub use hubs::{HubRegistry, HubRegistryError};
pub use notice::NonDeliveryNotice;
pub use receipt::{Disposition, Receipt, RecipientDisposition};
#[cfg(feature = "server")]
pub(crate) use router::PreparedSubmission;
pub use router::{
    Accepted, ForwardReport, InProcessNetwork, Router, RouterConfig, SubmitError, Transport,
    TransportError,
};
pub use store::{
    Committed, DeadLetter, DeadLetterId, Delivery, DeliveryId, DeliveryState, DurableStore,
    MailboxStore, MemoryStore, MessageKey, NewDelivery, NewOutboxEntry, OutboxEntry, OutboxId,
    Overdue, PayloadKind, Refusal, StatusEvent, StatusRecord, StatusUpdate, StoreError, Submission,
    SubmitEffects, Tracking, UrgencyRank,
};
pub use table::{HubId, RouteError, RoutePattern, RoutingTable};
pub use trace::{verify_trace, Forwarded, TraceError, TraceHop};
