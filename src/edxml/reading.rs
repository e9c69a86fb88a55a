//! The state of one import: the options, the report, the `edxml.*` extensions being filled,
//! and the agency codes read so far (QCVN codes, codes the options map, placeholders).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{clip, EdxmlError};
use super::fields::{leaves, to_json, Fields};
use super::options::EdxmlOptions;
use super::report::ImportReport;
use crate::org::OrgId;

/// The level-1 codes of placeholders: `Z00` for a sender, `Z01` for recipients.
const PLACEHOLDER_SENDER: &str = "000.00.00.Z00";

/// True for a placeholder code the import gave an agency whose edXML code it could not read.
pub(crate) fn is_placeholder(id: &OrgId) -> bool {
    let root = id.root().to_string();
    root == PLACEHOLDER_SENDER || root == "000.00.00.Z01"
}

/// The state of one import: options, the report, the extensions being filled.
pub(crate) struct Reading<'o> {
    pub(crate) options: &'o EdxmlOptions,
    pub(crate) report: ImportReport,
    pub(crate) ext: BTreeMap<String, Value>,
    /// Placeholders given to recipients' unreadable codes, by code.
    placeholders: BTreeMap<String, OrgId>,
}

impl<'o> Reading<'o> {
    pub(crate) fn new(options: &'o EdxmlOptions) -> Self {
        Reading {
            options,
            report: ImportReport::default(),
            ext: BTreeMap::new(),
            placeholders: BTreeMap::new(),
        }
    }

    /// The QCVN code for an edXML agency code: mapped by the options, read as a QCVN code,
    /// or (when `placeholder`) a placeholder; `None` when none of these applies.
    pub(crate) fn agency(
        &mut self,
        raw: &str,
        path: &str,
        sender: bool,
        placeholder: bool,
    ) -> Option<OrgId> {
        if let Some(id) = self.options.agencies.get(raw) {
            self.report.note(format!(
                "{path}: agency code {raw:?} read as {id}, as the options map it"
            ));
            return Some(*id);
        }
        if let Ok(id) = raw.parse::<OrgId>() {
            return Some(id);
        }
        if !placeholder {
            return None;
        }
        let id = if sender {
            PLACEHOLDER_SENDER.parse().ok()?
        } else if let Some(id) = self.placeholders.get(raw) {
            *id
        } else {
            // 000.CC.BB.Z01 with BB 01..99 and CC 00..99: 9 900 distinct recipients.
            let k = self.placeholders.len();
            let code = format!("000.{:02}.{:02}.Z01", (k / 99) % 100, k % 99 + 1);
            let id: OrgId = code.parse().ok()?;
            self.placeholders.insert(raw.to_owned(), id);
            id
        };
        self.report.note(format!(
            "{path}: {raw:?} is not a QCVN 102:2016 agency code; placeholder {id} stands for it \
             (no hub routes it and no certificate names it); map it with EdxmlOptions::agencies \
             (edoc edxml import --agency {raw}=DDD.CC.BB.Xnn)"
        ));
        Some(id)
    }

    /// Keeps the children not taken, whole, in `map`; `known` ones are reported as mapped,
    /// others as unmapped (kept, never dropped).
    pub(crate) fn keep_rest(
        &mut self,
        fields: Fields<'_, '_>,
        known: &[&str],
        map: &mut Map<String, Value>,
        key: &str,
    ) -> Result<(), EdxmlError> {
        let (parent, rest) = fields.rest();
        for el in rest {
            let path = format!("{parent}/{}", el.segment());
            let value = to_json(el, &path)?;
            let mut paths = Vec::new();
            leaves(el, &path, &mut paths);
            for p in paths {
                if known.contains(&el.name.as_str()) {
                    self.report.map(p, format!("extension {key}"));
                } else {
                    self.report.keep_unknown(p, format!("extension {key}"));
                }
            }
            match map.get_mut(&el.name) {
                Some(Value::Array(items)) => items.push(value),
                Some(first) => {
                    let prev = first.take();
                    *first = Value::Array(vec![prev, value]);
                }
                None => {
                    map.insert(el.name.clone(), value);
                }
            }
        }
        Ok(())
    }

    pub(crate) fn put(&mut self, key: &str, map: Map<String, Value>) {
        if !map.is_empty() {
            self.ext.insert(key.to_owned(), Value::Object(map));
        }
    }
}

pub(crate) fn value_error(path: String, value: &str, reason: impl Into<String>) -> EdxmlError {
    EdxmlError::Value {
        path,
        value: clip(value),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognized_and_real_codes_are_not() {
        assert!(is_placeholder(&PLACEHOLDER_SENDER.parse().expect("code")));
        assert!(is_placeholder(&"000.01.02.Z01".parse().expect("code")));
        assert!(!is_placeholder(&"000.00.00.H57".parse().expect("code")));
    }
}
