//! Reading an element's children by name (in any order, each single one at most once, nothing
//! left unread), and the generic form of the fields edoc's header has no place for: a subtree
//! as JSON for an `edxml.*` extension, and that JSON written back as elements.

use serde_json::{Map, Value};

use super::error::EdxmlError;
use super::tree::{Element, Ns, XMLDSIG_NS};
use super::writer::XmlWriter;

/// The text of a field element at `path`: trimmed, with no child elements and no attributes.
pub(crate) fn text_of<'e>(el: &'e Element<'_>, path: &str) -> Result<&'e str, EdxmlError> {
    if let Some(c) = el.children.first() {
        return Err(EdxmlError::Structure {
            path: format!("{path}/{}", c.segment()),
            reason: format!("{} holds text, not elements", el.name),
        });
    }
    if let Some(a) = el.attrs.first() {
        return Err(EdxmlError::Structure {
            path: format!("{path}/@{}", a.name),
            reason: "an attribute edXML does not define here".into(),
        });
    }
    Ok(el.trimmed())
}

/// The children of one element, taken by name.
pub(crate) struct Fields<'e, 'a> {
    path: String,
    rest: Vec<&'e Element<'a>>,
}

impl<'e, 'a> Fields<'e, 'a> {
    /// The children of `el` (at `path`), which must hold elements only and no attribute
    /// but `allowed`.
    pub(crate) fn new(
        el: &'e Element<'a>,
        path: String,
        allowed: &[&str],
    ) -> Result<Self, EdxmlError> {
        if let Some(a) = el
            .attrs
            .iter()
            .find(|a| !allowed.contains(&a.name.as_str()))
        {
            return Err(EdxmlError::Structure {
                path: format!("{path}/@{}", a.name),
                reason: "an attribute edXML does not define here".into(),
            });
        }
        if !el.trimmed().is_empty() {
            return Err(EdxmlError::Structure {
                path,
                reason: format!("{} holds elements, not text", el.name),
            });
        }
        Ok(Fields {
            rest: el.children.iter().collect(),
            path,
        })
    }

    /// The path of the element whose children these are.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// Takes every child in the edXML namespace with one of `names`, in document order.
    pub(crate) fn all(&mut self, names: &[&str]) -> Vec<&'e Element<'a>> {
        let (taken, rest) = std::mem::take(&mut self.rest)
            .into_iter()
            .partition(|c| c.ns == Ns::Edxml && names.contains(&c.name.as_str()));
        self.rest = rest;
        taken
    }

    /// Takes every child with one of `names` in the edXML or the XML-DSig namespace.
    pub(crate) fn all_any_ns(&mut self, names: &[&str]) -> Vec<&'e Element<'a>> {
        let (taken, rest) = std::mem::take(&mut self.rest)
            .into_iter()
            .partition(|c| names.contains(&c.name.as_str()));
        self.rest = rest;
        taken
    }

    /// Refuses any child not taken: the envelope's structure is edXML's alone.
    pub(crate) fn finish(self) -> Result<(), EdxmlError> {
        match self.rest.first() {
            None => Ok(()),
            Some(el) => Err(EdxmlError::Structure {
                path: format!("{}/{}", self.path, el.segment()),
                reason: format!("{} is not an element edXML defines here", el.name),
            }),
        }
    }

    /// Takes the child named one of `names`, if any; a second one is refused.
    pub(crate) fn opt(&mut self, names: &[&str]) -> Result<Option<&'e Element<'a>>, EdxmlError> {
        let mut found = self.all(names);
        if found.len() > 1 {
            return Err(EdxmlError::Structure {
                path: format!("{}/{}", self.path, found[1].segment()),
                reason: format!("{} appears more than once", found[1].name),
            });
        }
        Ok(found.pop())
    }

    /// Takes the child named one of `names`; it must be there, once.
    pub(crate) fn one(&mut self, names: &[&str]) -> Result<&'e Element<'a>, EdxmlError> {
        self.opt(names)?.ok_or_else(|| EdxmlError::Structure {
            path: self.path.clone(),
            reason: format!("the required element {} is missing", names[0]),
        })
    }

    /// The text of the optional field `name` (see [`text_of`]).
    pub(crate) fn opt_text(&mut self, name: &str) -> Result<Option<(String, &'e str)>, EdxmlError> {
        match self.opt(&[name])? {
            None => Ok(None),
            Some(el) => {
                let path = self.path_of(el);
                let text = text_of(el, &path)?;
                Ok(Some((path, text)))
            }
        }
    }

    /// The text of the required field `name`.
    pub(crate) fn one_text(&mut self, name: &str) -> Result<(String, &'e str), EdxmlError> {
        self.opt_text(name)?.ok_or_else(|| EdxmlError::Structure {
            path: self.path.clone(),
            reason: format!("the required element {name} is missing"),
        })
    }

    /// The path of a child taken from these fields.
    pub(crate) fn path_of(&self, el: &Element<'_>) -> String {
        format!("{}/{}", self.path, el.segment())
    }

    /// The children not taken, in document order.
    pub(crate) fn rest(self) -> (String, Vec<&'e Element<'a>>) {
        (self.path, self.rest)
    }
}

/// A subtree as JSON, for an `edxml.*` extension: a field with text only is a string; an
/// element with children or attributes an object with `@attribute` members, a `#text` member
/// for text beside attributes, and a member per child name (an array when the name repeats).
/// Only edXML-namespace elements can be kept this way.
pub(crate) fn to_json(el: &Element<'_>, path: &str) -> Result<Value, EdxmlError> {
    if el.ns != Ns::Edxml {
        return Err(EdxmlError::Namespace {
            path: path.to_owned(),
            namespace: XMLDSIG_NS.to_owned(),
        });
    }
    if el.children.is_empty() && el.attrs.is_empty() {
        return Ok(Value::String(el.trimmed().to_owned()));
    }
    let mut map = Map::new();
    for a in &el.attrs {
        map.insert(format!("@{}", a.name), Value::String(a.value.clone()));
    }
    if !el.trimmed().is_empty() {
        map.insert("#text".into(), Value::String(el.trimmed().to_owned()));
    }
    for child in &el.children {
        let value = to_json(child, &format!("{path}/{}", child.segment()))?;
        match map.get_mut(&child.name) {
            None => {
                map.insert(child.name.clone(), value);
            }
            Some(Value::Array(items)) => items.push(value),
            Some(first) => {
                let prev = first.take();
                *first = Value::Array(vec![prev, value]);
            }
        }
    }
    Ok(Value::Object(map))
}

/// Every leaf of a subtree, with its path: what the import report lists.
pub(crate) fn leaves(el: &Element<'_>, path: &str, out: &mut Vec<String>) {
    for a in &el.attrs {
        out.push(format!("{path}/@{}", a.name));
    }
    if el.children.is_empty() {
        if el.attrs.is_empty() || !el.trimmed().is_empty() {
            out.push(path.to_owned());
        }
        return;
    }
    for c in &el.children {
        leaves(c, &format!("{path}/{}", c.segment()), out);
    }
}

/// Writes `value` (as [`to_json`] makes it) as the element `name`: members in `order` first,
/// then the others by name. A JSON `null` writes nothing (a field that was absent).
pub(crate) fn write_json(w: &mut XmlWriter, name: &str, value: &Value, order: &[&str]) {
    match value {
        Value::Null => {}
        Value::String(s) => w.leaf(name, s),
        Value::Number(n) => w.leaf(name, &n.to_string()),
        Value::Bool(b) => w.leaf(name, if *b { "true" } else { "false" }),
        Value::Array(items) => {
            for item in items {
                // An array inside an array has no XML form: each item is written as one.
                write_json(w, name, item, order);
            }
        }
        Value::Object(map) => {
            let mut attrs: Vec<(String, String)> = map
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix('@')?.to_owned(), scalar(v))))
                .collect();
            if attrs.iter().any(|(k, _)| k.starts_with("xlink:")) {
                attrs.push(("xmlns:xlink".into(), "http://www.w3.org/1999/xlink".into()));
            }
            let attrs: Vec<(&str, &str)> = attrs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let children: Vec<(&String, &Value)> = ordered(map, order)
                .into_iter()
                .filter(|(k, _)| !k.starts_with('@') && k.as_str() != "#text")
                .collect();
            if children.is_empty() {
                let text = map.get("#text").map(scalar).unwrap_or_default();
                w.leaf_with(name, &attrs, &text);
                return;
            }
            w.open(name, &attrs);
            for (k, v) in children {
                write_json(w, k, v, &[]);
            }
            w.close(name);
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The members of `map`: those named in `order` first, in that order, then the rest by name.
pub(crate) fn ordered<'m>(
    map: &'m Map<String, Value>,
    order: &[&str],
) -> Vec<(&'m String, &'m Value)> {
    let mut out: Vec<(&String, &Value)> =
        order.iter().filter_map(|k| map.get_key_value(*k)).collect();
    out.extend(map.iter().filter(|(k, _)| !order.contains(&k.as_str())));
    out
}
