//! The edXML bridge (feature `edxml`): reading and writing the XML documents of QCVN 102:2016
//! that every agency's document-management system exchanges over the national axis.
//!
//! - [`import_edxml`]: an edXML document to an unsigned [`Package`](crate::Package) ready for
//!   signing, or the signed package it carries, or a status message; with a report of where
//!   every field went.
//! - [`export_edxml`]: a package to an edXML document, the package itself inside so that a
//!   receiving edoc verifies the original signatures; [`export_edxml_status`] for statuses.
//!
//! Reading is strict and bounded ([`EdxmlLimits`]): no DTD, no entity but XML's five, no
//! unknown namespace; every refusal names the element path. docs/edxml.md has the field
//! mapping and the code tables.
//!
//! The parts: `tree.rs` reads bytes into elements; `fields.rs` takes an element's children by
//! name and keeps the rest as JSON; `reading.rs` holds the state of one import; `header.rs`
//! maps `MessageHeader` both ways, `agency.rs` its `From` and `To`, `trace.rs`
//! `TraceHeaderList`; `attachment.rs` decodes and encodes content; `signature.rs` handles the
//! XML-DSig signature; `status.rs` the status messages; `import.rs` and `export.rs` put them
//! together; `writer.rs` writes escaped XML; `codes.rs` and `dates.rs` hold the code tables
//! and the date formats.

mod agency;
mod attachment;
mod codes;
mod dates;
mod error;
mod export;
mod fields;
mod header;
mod import;
mod limits;
mod options;
mod reading;
mod report;
mod signature;
mod status;
mod trace;
mod tree;
mod writer;

pub use error::EdxmlError;
pub use export::export_edxml;
pub use import::{import_edxml, EdxmlImport, ImportedDocument};
pub use limits::EdxmlLimits;
pub use options::EdxmlOptions;
pub use report::{ImportReport, MappedField};
pub use status::{export_edxml_status, ImportedStatus};
