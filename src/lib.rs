//! # edoc — signed electronic document exchange between Vietnamese agencies
//!
//! (Crate documentation with the whole flow lands with the package and signature modules.)
#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]

mod signer;

pub use signer::{Algorithm, SignError, Signer};

mod org;

pub use org::{OrgId, OrgIdError, OrgLevel};

mod jades;

pub use jades::{Commitment, JwsSignature};

// Routing (issue 4): the directory, status messages, the routing table and mailbox stores.
mod route;
mod status;

pub use org::{AgencyGroup, AgencyKind, AgencyRecord, Directory, DirectoryError, DirectoryLimits};

pub use route::{
    Committed, Delivery, DeliveryId, DeliveryState, HubId, MailboxStore, MemoryStore, NewDelivery,
    NewOutboxEntry, NewTracking, OutboxEntry, OutboxId, Overdue, PayloadKind, RouteError,
    RoutePattern, RoutingTable, StatusRecord, StatusUpdate, StoreError, Submission, SubmitEffects,
    UrgencyRank,
};
pub use status::{
    Staff, StatusAuthor, StatusCode, StatusMessage, StatusMessageError, StatusTransitionError,
};
