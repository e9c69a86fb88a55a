//! The strict, bounded XML reader: untrusted bytes to a small tree of elements.
//!
//! quick-xml reads the bytes in place (text is borrowed, not copied); this module refuses what
//! edXML never needs and what makes XML dangerous: any DTD (so no external entity and no entity
//! expansion: XXE and billion laughs fail before they start), entity references other than
//! XML's five and character references, processing instructions, elements or attributes in an
//! unknown namespace, and everything beyond [`EdxmlLimits`]. Names are matched by namespace
//! URI and local name; prefixes are lexical only (the samples declare `edXML:` on the envelope
//! and use the default namespace elsewhere).

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::error::{clip, EdxmlError};
use super::limits::EdxmlLimits;

/// The edXML namespace (QCVN 102:2016).
pub(crate) const EDXML_NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
/// The XML-DSig namespace: only the template `edoc.edxml.bak` and other writers declare it on
/// `Signature`; the VPCP SDK writes the signature in the edXML namespace.
pub(crate) const XMLDSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// XLink, used by some writers for `Reference/@xlink:href`.
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// The namespaces an element may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// QCVN 102:2016.
    Edxml,
    /// XML-DSig.
    XmlDsig,
}

/// An attribute: its local name (`xlink:` prefixed for XLink) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attr {
    pub(crate) name: String,
    pub(crate) value: String,
}

/// One element: namespace, local name, attributes, children and text.
#[derive(Debug)]
pub(crate) struct Element<'a> {
    pub(crate) ns: Ns,
    pub(crate) name: String,
    /// Position among the siblings of the same name, from 1: `To[2]` in paths.
    pub(crate) index: usize,
    pub(crate) attrs: Vec<Attr>,
    pub(crate) children: Vec<Element<'a>>,
    /// The text content, entity and character references replaced, line ends normalized.
    /// Empty for an element with children (whitespace between children is layout).
    pub(crate) text: Cow<'a, str>,
    /// The bytes of the element in the input, from `<` to the end of its end tag.
    pub(crate) span: Range<usize>,
}

impl Element<'_> {
    /// The path segment of this element: `To`, or `To[2]` for the second `To`.
    pub(crate) fn segment(&self) -> String {
        if self.index > 1 {
            format!("{}[{}]", self.name, self.index)
        } else {
            self.name.clone()
        }
    }

    /// The text with XML whitespace trimmed at both ends.
    pub(crate) fn trimmed(&self) -> &str {
        self.text.trim_matches(is_xml_space)
    }
}

/// XML's whitespace: space, tab, line feed, carriage return.
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// An element being read: the element and the count of its children by name.
struct Open<'a> {
    element: Element<'a>,
    seen: HashMap<String, usize>,
}

fn path_of(stack: &[Open<'_>]) -> String {
    if stack.is_empty() {
        return "(document)".to_owned();
    }
    stack
        .iter()
        .map(|o| o.element.segment())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads `bytes` as one edXML document into a tree, strictly and within `limits`.
///
/// Spans are positions in `bytes` (a UTF-8 byte order mark, if any, is skipped).
pub(crate) fn parse<'a>(bytes: &'a [u8], limits: &EdxmlLimits) -> Result<Element<'a>, EdxmlError> {
    let base = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let bytes = bytes.get(base..).unwrap_or_default();
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            // Read the valid prefix to name the element the bad byte is in; any earlier
            // refusal is reported instead, being earlier in the document.
            let prefix = std::str::from_utf8(bytes.get(..at).unwrap_or_default()).unwrap_or("");
            let path = match build(prefix, base, limits) {
                Err(EdxmlError::Syntax { path, .. }) => path,
                Err(other) => return Err(other),
                Ok(_) => "(after the root element)".to_owned(),
            };
            return Err(EdxmlError::Syntax {
                path,
                reason: format!("byte {at} is not UTF-8; edXML documents are UTF-8"),
            });
        }
    };
    build(text, base, limits)
}

fn build<'a>(text: &'a str, base: usize, limits: &EdxmlLimits) -> Result<Element<'a>, EdxmlError> {
    let mut reader = NsReader::from_str(text);
    {
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
    }
    // Every name lookup scans the bindings in scope; this bounds that scan (and the memory).
    reader
        .resolver_mut()
        .set_max_namespace_bindings(limits.max_attributes.saturating_mul(limits.max_depth));
    let mut stack: Vec<Open<'a>> = Vec::new();
    let mut root: Option<Element<'a>> = None;
    let mut elements = 0usize;
    loop {
        let before = position(&reader, base);
        let (resolved, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (owned_ns(&ns), event),
            Err(e) => {
                return Err(EdxmlError::Syntax {
                    path: path_of(&stack),
                    reason: e.to_string(),
                })
            }
        };
        match event {
            Event::Decl(decl) => check_decl(&decl, &stack)?,
            Event::DocType(_) => {
                return Err(EdxmlError::Forbidden {
                    path: path_of(&stack),
                    what: "a DTD (<!DOCTYPE ...>)".into(),
                    why: "edXML uses no DTD, and a DTD can declare external entities (XXE) or \
                          entities that expand without bound (billion laughs)",
                })
            }
            Event::PI(pi) => {
                return Err(EdxmlError::Forbidden {
                    path: path_of(&stack),
                    what: format!("processing instruction <?{}?>", clip(pi.target())),
                    why: "edXML documents carry none",
                })
            }
            Event::Comment(_) => {}
            Event::Start(start) | Event::Empty(start) if root.is_some() && stack.is_empty() => {
                let name = start.local_name().into_inner().to_owned();
                return Err(EdxmlError::Structure {
                    path: format!("{}/../{}", root.as_ref().map_or("", |r| &r.name), name),
                    reason: "a second root element; an edXML document has one".into(),
                });
            }
            Event::Start(start) => {
                elements += 1;
                let element = open(&reader, &start, resolved, &stack, elements, before, limits)?;
                stack.push(Open {
                    element,
                    seen: HashMap::new(),
                });
            }
            Event::Empty(start) => {
                elements += 1;
                let mut element =
                    open(&reader, &start, resolved, &stack, elements, before, limits)?;
                element.span.end = position(&reader, base);
                close_into(element, &mut stack, &mut root);
            }
            Event::End(_) => {
                let Some(open) = stack.pop() else {
                    return Err(EdxmlError::Syntax {
                        path: "(document)".into(),
                        reason: "an end tag without a start tag".into(),
                    });
                };
                let mut element = open.element;
                element.span.end = position(&reader, base);
                if !element.children.is_empty() {
                    if !element.text.chars().all(is_xml_space) {
                        let mut path = path_of(&stack);
                        path.push('/');
                        path.push_str(&element.segment());
                        return Err(EdxmlError::Structure {
                            path,
                            reason: "text beside child elements; an edXML element holds either \
                                     text or elements"
                                .into(),
                        });
                    }
                    element.text = Cow::Borrowed("");
                }
                close_into(element, &mut stack, &mut root);
            }
            Event::Text(t) => add_text(&mut stack, t.xml10_content(), limits)?,
            Event::CData(c) => add_text(&mut stack, c.into_inner(), limits)?,
            Event::GeneralRef(r) => {
                let c = resolve_reference(&r, &stack)?;
                add_text(&mut stack, Cow::Owned(c.to_string()), limits)?;
            }
            Event::Eof => break,
        }
        if position(&reader, 0) > limits.max_document_bytes {
            return Err(EdxmlError::Limit {
                path: path_of(&stack),
                what: "document size in bytes",
                field: "max_document_bytes",
                found: text.len(),
                limit: limits.max_document_bytes,
            });
        }
    }
    if !stack.is_empty() {
        return Err(EdxmlError::Syntax {
            path: path_of(&stack),
            reason: "the document ends before this element is closed".into(),
        });
    }
    root.ok_or_else(|| EdxmlError::Syntax {
        path: "(document)".into(),
        reason: "no root element".into(),
    })
}

/// The reader's position in the input bytes.
fn position(reader: &NsReader<&[u8]>, base: usize) -> usize {
    usize::try_from(reader.buffer_position())
        .unwrap_or(usize::MAX)
        .saturating_add(base)
}

/// An owned copy of the resolved namespace of the last event (the borrow ends with the event).
enum Resolved {
    Bound(String),
    Unbound,
    Unknown(String),
}

fn owned_ns(r: &ResolveResult<'_>) -> Resolved {
    match r {
        ResolveResult::Bound(ns) => Resolved::Bound(ns.into_inner().to_owned()),
        ResolveResult::Unbound => Resolved::Unbound,
        ResolveResult::Unknown(p) => Resolved::Unknown(p.clone()),
    }
}

fn check_decl(
    decl: &quick_xml::events::BytesDecl<'_>,
    stack: &[Open<'_>],
) -> Result<(), EdxmlError> {
    let bad = |reason: String| EdxmlError::Syntax {
        path: path_of(stack),
        reason,
    };
    let version = decl
        .version()
        .map_err(|e| bad(format!("XML declaration: {e}")))?;
    if version.as_ref() != "1.0" {
        return Err(bad(format!(
            "XML version {:?}; edXML documents are XML 1.0",
            clip(&version)
        )));
    }
    if let Some(encoding) = decl.encoding() {
        let encoding = encoding.map_err(|e| bad(format!("XML declaration: {e}")))?;
        if !encoding.eq_ignore_ascii_case("utf-8") {
            return Err(bad(format!(
                "the declared encoding is {:?}; edXML documents are UTF-8",
                clip(&encoding)
            )));
        }
    }
    Ok(())
}

/// Checks a start tag against the limits and namespaces and makes its element.
fn open<'a>(
    reader: &NsReader<&'a [u8]>,
    start: &BytesStart<'_>,
    resolved: Resolved,
    stack: &[Open<'a>],
    elements: usize,
    at: usize,
    limits: &EdxmlLimits,
) -> Result<Element<'a>, EdxmlError> {
    let name = start.local_name().into_inner().to_owned();
    if name.is_empty() {
        return Err(EdxmlError::Syntax {
            path: path_of(stack),
            reason: "an element without a name".into(),
        });
    }
    let index = stack
        .last()
        .map_or(1, |p| p.seen.get(&name).copied().unwrap_or(0) + 1);
    let path = || {
        let mut p = path_of(stack);
        if !stack.is_empty() {
            p.push('/');
        } else {
            p.clear();
        }
        p.push_str(&name);
        if index > 1 {
            p.push_str(&format!("[{index}]"));
        }
        p
    };
    if elements > limits.max_elements {
        return Err(EdxmlError::Limit {
            path: path(),
            what: "element count",
            field: "max_elements",
            found: elements,
            limit: limits.max_elements,
        });
    }
    if stack.len() + 1 > limits.max_depth {
        return Err(EdxmlError::Limit {
            path: path_of(stack),
            what: "nesting depth",
            field: "max_depth",
            found: stack.len() + 1,
            limit: limits.max_depth,
        });
    }
    let ns = match resolved {
        Resolved::Bound(uri) if uri == EDXML_NS => Ns::Edxml,
        Resolved::Bound(uri) if uri == XMLDSIG_NS => Ns::XmlDsig,
        Resolved::Bound(uri) => {
            return Err(EdxmlError::Namespace {
                path: path(),
                namespace: clip(&uri),
            })
        }
        Resolved::Unbound => {
            return Err(EdxmlError::Namespace {
                path: path(),
                namespace: String::new(),
            })
        }
        Resolved::Unknown(prefix) => {
            return Err(EdxmlError::Syntax {
                path: path(),
                reason: format!("the prefix {:?} is not declared", clip(&prefix)),
            })
        }
    };
    let mut attrs = Vec::new();
    let mut count = 0usize;
    for attr in start.attributes().with_checks(true) {
        count += 1;
        if count > limits.max_attributes {
            return Err(EdxmlError::Limit {
                path: path(),
                what: "attribute count",
                field: "max_attributes",
                found: count,
                limit: limits.max_attributes,
            });
        }
        let attr = attr.map_err(|e| EdxmlError::Syntax {
            path: path(),
            reason: e.to_string(),
        })?;
        if attr.key.as_namespace_binding().is_some() {
            continue;
        }
        let local = attr.key.local_name().into_inner().to_owned();
        let attr_name = match reader.resolver().resolve_attribute(attr.key).0 {
            ResolveResult::Unbound => local,
            ResolveResult::Bound(ns) if ns.into_inner() == XLINK_NS => {
                format!("xlink:{local}")
            }
            ResolveResult::Bound(ns) => {
                return Err(EdxmlError::Namespace {
                    path: format!("{}/@{local}", path()),
                    namespace: clip(ns.into_inner()),
                })
            }
            ResolveResult::Unknown(prefix) => {
                return Err(EdxmlError::Syntax {
                    path: format!("{}/@{local}", path()),
                    reason: format!("the prefix {:?} is not declared", clip(&prefix)),
                })
            }
        };
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| EdxmlError::Forbidden {
                path: format!("{}/@{attr_name}", path()),
                what: format!("attribute value ({e})"),
                why: "only XML's five predefined entities and character references are allowed",
            })?;
        if value.len() > limits.max_text_bytes {
            return Err(EdxmlError::Limit {
                path: format!("{}/@{attr_name}", path()),
                what: "attribute value size in bytes",
                field: "max_text_bytes",
                found: value.len(),
                limit: limits.max_text_bytes,
            });
        }
        attrs.push(Attr {
            name: attr_name,
            value: value.into_owned(),
        });
    }
    Ok(Element {
        ns,
        name,
        index,
        attrs,
        children: Vec::new(),
        text: Cow::Borrowed(""),
        span: at..at,
    })
}

/// Adds a closed element to its parent, or makes it the root.
fn close_into<'a>(element: Element<'a>, stack: &mut [Open<'a>], root: &mut Option<Element<'a>>) {
    match stack.last_mut() {
        Some(parent) => {
            *parent.seen.entry(element.name.clone()).or_insert(0) += 1;
            parent.element.children.push(element);
        }
        None => *root = Some(element),
    }
}

/// The most text one element may hold: attachments in base64 (4/3 of their size) with line
/// breaks, other elements `max_text_bytes`.
fn text_limit(name: &str, limits: &EdxmlLimits) -> (usize, &'static str) {
    if name == "ContentTransferEncoded" {
        (
            limits.max_attachment_bytes.saturating_mul(3) / 2 + 1024,
            "max_attachment_bytes",
        )
    } else {
        (limits.max_text_bytes, "max_text_bytes")
    }
}

fn add_text<'a>(
    stack: &mut [Open<'a>],
    piece: Cow<'a, str>,
    limits: &EdxmlLimits,
) -> Result<(), EdxmlError> {
    let Some(open) = stack.last_mut() else {
        // Outside the root only whitespace is allowed (quick-xml refuses other text there).
        if piece.chars().all(is_xml_space) {
            return Ok(());
        }
        return Err(EdxmlError::Syntax {
            path: "(document)".into(),
            reason: "text outside the root element".into(),
        });
    };
    let (limit, field) = text_limit(&open.element.name, limits);
    let total = open.element.text.len().saturating_add(piece.len());
    if total > limit {
        let path = path_of(stack);
        return Err(EdxmlError::Limit {
            path,
            what: "text size in bytes",
            field,
            found: total,
            limit,
        });
    }
    let text = &mut open.element.text;
    if text.is_empty() {
        *text = piece;
    } else {
        text.to_mut().push_str(&piece);
    }
    Ok(())
}

/// The character an entity or character reference stands for; only XML's five predefined
/// entities and character references of XML characters are accepted.
fn resolve_reference(
    r: &quick_xml::events::BytesRef<'_>,
    stack: &[Open<'_>],
) -> Result<char, EdxmlError> {
    let name: &str = r;
    let forbidden = || EdxmlError::Forbidden {
        path: path_of(stack),
        what: format!("entity reference &{};", clip(name)),
        why: "only XML's five predefined entities (&lt; &gt; &amp; &apos; &quot;) and character \
              references are allowed; edXML declares no entities",
    };
    if r.is_char_ref() {
        let c = r.resolve_char_ref().ok().flatten().ok_or_else(forbidden)?;
        // XML 1.0 characters only: no NUL and no other C0 control but tab and line breaks.
        if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')
            || matches!(c, '\u{FFFE}' | '\u{FFFF}')
        {
            return Err(forbidden());
        }
        return Ok(c);
    }
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err(forbidden()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edXML xmlns=\"{EDXML_NS}\">{body}</edXML>")
    }

    #[test]
    fn reads_names_by_namespace_whatever_the_prefix() {
        let xml = doc(&format!(
            "<e:A xmlns:e=\"{EDXML_NS}\"><e:B>x &amp; y</e:B><B>z</B></e:A>"
        ));
        let root = parse(xml.as_bytes(), &EdxmlLimits::default()).expect("parses");
        let a = &root.children[0];
        assert_eq!((a.ns, a.name.as_str()), (Ns::Edxml, "A"));
        assert_eq!(a.children[0].text, "x & y");
        assert_eq!(a.children[1].segment(), "B[2]");
    }

    #[test]
    fn the_span_of_an_element_is_its_exact_bytes() {
        let xml = doc("<A>\n  <B k=\"v\">t</B>\n</A>");
        let root = parse(xml.as_bytes(), &EdxmlLimits::default()).expect("parses");
        let b = &root.children[0].children[0];
        assert_eq!(&xml[b.span.clone()], "<B k=\"v\">t</B>");
        assert_eq!(
            b.attrs,
            [Attr {
                name: "k".into(),
                value: "v".into()
            }]
        );
    }

    #[test]
    fn text_beside_elements_is_refused_with_its_path() {
        let xml = doc("<A>text<B/></A>");
        let e = parse(xml.as_bytes(), &EdxmlLimits::default()).unwrap_err();
        assert!(
            matches!(e, EdxmlError::Structure { ref path, .. } if path == "edXML/A"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_byte_is_reported_in_the_element_that_holds_it() {
        let mut xml = doc("<A><B>ab</B></A>").into_bytes();
        let at = xml.windows(2).position(|w| w == b"ab").expect("ab");
        xml[at] = 0xff;
        let e = parse(&xml, &EdxmlLimits::default()).unwrap_err();
        assert!(
            matches!(e, EdxmlError::Syntax { ref path, .. } if path == "edXML/A/B"),
            "{e}"
        );
    }

    #[test]
    fn an_element_without_a_name_is_refused_with_a_path() {
        let e = parse(b"<?xml version=\"1.0\"?>\n<>\n", &EdxmlLimits::default()).unwrap_err();
        assert!(
            matches!(e, EdxmlError::Syntax { ref path, .. } if path == "(document)"),
            "{e}"
        );
    }

    #[test]
    fn a_character_reference_to_nul_is_refused() {
        let xml = doc("<A>&#0;</A>");
        let e = parse(xml.as_bytes(), &EdxmlLimits::default()).unwrap_err();
        assert!(matches!(e, EdxmlError::Forbidden { .. }), "{e}");
    }
}
