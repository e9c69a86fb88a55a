//! What an import did with each field of the edXML document.

use std::fmt;

use serde::Serialize;

/// One field of the edXML document and where its value went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappedField {
    /// The element (or `element/@attribute`) path, e.g.
    /// `edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId`.
    pub path: String,
    /// Where it went: a header field (`header.recipients[1].id`), an extension
    /// (`extension edxml.To`), an attachment, or the envelope structure.
    pub to: String,
}

/// What an import did with every field: mapped (to the header, an `edxml.*` extension, an
/// attachment or the envelope structure), unmapped (a field this version does not know, kept
/// whole in an `edxml.*` extension, never dropped) and notes worth a reader's attention
/// (stand-ins for missing values, placeholder agency codes, values kept as text, an XML-DSig
/// signature, attachment content that looks corrupted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Every field read, in document order, and where it went.
    pub mapped: Vec<MappedField>,
    /// Fields edoc does not know, and the extension that keeps them.
    pub unmapped: Vec<MappedField>,
    /// Notes, in the order they arose.
    pub notes: Vec<String>,
}

impl ImportReport {
    pub(crate) fn map(&mut self, path: impl Into<String>, to: impl Into<String>) {
        self.mapped.push(MappedField {
            path: path.into(),
            to: to.into(),
        });
    }

    pub(crate) fn keep_unknown(&mut self, path: impl Into<String>, to: impl Into<String>) {
        self.unmapped.push(MappedField {
            path: path.into(),
            to: to.into(),
        });
    }

    pub(crate) fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Mapped fields ({})", self.mapped.len())?;
        for m in &self.mapped {
            writeln!(f, "  {} → {}", m.path, m.to)?;
        }
        writeln!(f, "Unmapped fields ({})", self.unmapped.len())?;
        for m in &self.unmapped {
            writeln!(f, "  {} → kept in {}", m.path, m.to)?;
        }
        if !self.notes.is_empty() {
            writeln!(f, "Notes ({})", self.notes.len())?;
            for n in &self.notes {
                writeln!(f, "  - {n}")?;
            }
        }
        Ok(())
    }
}
