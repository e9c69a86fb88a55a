//! Routing: the routing table (agency codes to hubs), mailbox stores, and the hub itself.

mod durable;
mod hubs;
mod mailbox;
mod memory;
mod receipt;
mod router;
mod table;
mod trace;

pub use durable::DurableStore;
pub use hubs::HubRegistry;
pub use mailbox::{
    Committed, Delivery, DeliveryId, DeliveryState, MailboxStore, NewDelivery, NewOutboxEntry,
    OutboxEntry, OutboxId, Overdue, PayloadKind, StatusRecord, StatusUpdate, StoreError,
    Submission, SubmitEffects, Tracking, UrgencyRank,
};
pub use memory::MemoryStore;
pub use receipt::{Disposition, Receipt, RecipientDisposition};
pub use router::{
    Accepted, ForwardReport, InProcessNetwork, Router, RouterConfig, SubmitError, Transport,
    TransportError,
};
pub use table::{HubId, RouteError, RoutePattern, RoutingTable};
pub use trace::{verify_trace, Forwarded, TraceError, TraceHop};
