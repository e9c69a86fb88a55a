//! Routing: the routing table (agency codes to hubs) and mailbox stores.
//!
//! The hub itself (`Router`) joins them once packages and signatures exist.

mod durable;
mod mailbox;
mod memory;
mod table;

pub use durable::DurableStore;
pub use mailbox::{
    Committed, Delivery, DeliveryId, DeliveryState, MailboxStore, NewDelivery, NewOutboxEntry,
    NewTracking, OutboxEntry, OutboxId, Overdue, PayloadKind, StatusRecord, StatusUpdate,
    StoreError, Submission, SubmitEffects, UrgencyRank,
};
pub use memory::MemoryStore;
pub use table::{HubId, RouteError, RoutePattern, RoutingTable};
