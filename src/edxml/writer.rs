//! Writing edXML: indented elements with escaped text, in the layout the VPCP SDK writes
//! (the envelope's elements `edXML:`-prefixed, the attachments unprefixed in the default
//! namespace). Names are checked and text is always escaped here, so no value can add markup.

use super::error::EdxmlError;

/// An edXML document being written.
pub(crate) struct XmlWriter {
    out: String,
    depth: usize,
    /// The prefix of element names: `edXML:` inside the envelope, empty outside.
    prefix: &'static str,
    /// Why the document cannot be written, at the first name or value XML cannot carry (a
    /// name or a control character taken from an extension value).
    invalid: Option<String>,
}

impl XmlWriter {
    /// A document with its XML declaration, ready for the root element.
    pub(crate) fn new() -> XmlWriter {
        XmlWriter {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
            prefix: "",
            invalid: None,
        }
    }

    /// Sets the prefix written before element names from now on (`edXML:` or empty).
    pub(crate) fn set_prefix(&mut self, prefix: &'static str) {
        self.prefix = prefix;
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    /// `<name attr="value"...>` on its own line; the next elements nest inside it.
    pub(crate) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.start_tag(name, attrs);
        self.out.push('\n');
        self.depth += 1;
    }

    /// `</name>`.
    pub(crate) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attr="value"...>text</name>` on one line.
    pub(crate) fn leaf_with(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.indent();
        self.start_tag(name, attrs);
        self.text(name, text, false);
        self.out.push_str("</");
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name>text</name>` on one line.
    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, &[], text);
    }

    /// Bytes already checked to be one well-formed element that means the same at this place
    /// (the kept XML-DSig signature), written as they are.
    pub(crate) fn raw_element(&mut self, xml: &str) {
        self.indent();
        self.out.push_str(xml);
        self.out.push('\n');
    }

    /// The document, or why it cannot be written.
    pub(crate) fn finish(self) -> Result<Vec<u8>, EdxmlError> {
        match self.invalid {
            None => Ok(self.out.into_bytes()),
            Some(reason) => Err(EdxmlError::Export { reason }),
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let attr_ok = |k: &str| {
            let local = k
                .strip_prefix("xmlns:")
                .or_else(|| k.strip_prefix("xlink:"))
                .unwrap_or(k);
            is_name(local)
        };
        if !is_name(name) || !attrs.iter().all(|(k, _)| attr_ok(k)) {
            self.invalid.get_or_insert_with(|| {
                format!(
                    "{:?} (or one of its attributes) is not an XML name like OrganAdd",
                    clip(name)
                )
            });
        }
        self.out.push('<');
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            self.text(name, v, true);
            self.out.push('"');
        }
        self.out.push('>');
    }

    fn text(&mut self, name: &str, text: &str, attribute: bool) {
        if let Err(c) = escape_into(&mut self.out, text, attribute) {
            self.invalid.get_or_insert_with(|| {
                format!(
                    "the value of {} holds the character U+{:04X}, which XML 1.0 cannot carry",
                    clip(name),
                    u32::from(c)
                )
            });
        }
    }
}

fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Escapes text for element content or (with `attribute`) a double-quoted attribute value.
/// A carriage return is written as a character reference, since a reader turns a literal one
/// into a line feed. Fails with the first character XML 1.0 cannot carry at all.
pub(crate) fn escape_into(out: &mut String, text: &str, attribute: bool) -> Result<(), char> {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => return Err(c),
            c => out.push(c),
        }
    }
    Ok(())
}

/// A plain XML name as edXML uses them: an ASCII letter or `_`, then letters, digits, `_`,
/// `-` or `.`.
pub(crate) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_add_markup_and_a_control_character_is_refused() {
        let mut w = XmlWriter::new();
        w.leaf("Subject", "a</Subject><X>&\r");
        let xml = String::from_utf8(w.finish().expect("writes")).expect("utf-8");
        assert!(xml.contains("<Subject>a&lt;/Subject&gt;&lt;X&gt;&amp;&#13;</Subject>"));
        let mut w = XmlWriter::new();
        w.leaf("Subject", "bell\u{7}");
        assert!(matches!(w.finish(), Err(EdxmlError::Export { .. })));
        let mut w = XmlWriter::new();
        w.leaf("A b", "x");
        assert!(matches!(w.finish(), Err(EdxmlError::Export { .. })));
    }
}
