//! The wire format of a package: a document header, its attachments, signatures and trace.

mod limits;

pub use limits::Limits;
