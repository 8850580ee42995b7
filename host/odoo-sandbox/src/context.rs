//! The `context` keyword argument: the few keys whose meaning the sandbox honours.
//!
//! `active_test: false` shows archived records; `default_<field>` overrides a field's
//! default on create. Other keys (`lang`, `tz`, `allowed_company_ids`…) are accepted and
//! ignored, as a single-company, single-language database may.

use serde_json::{Map, Value};

use crate::fault::Fault;
use crate::store::truthy;

/// A call's context.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// Hide archived records from searches (Odoo's default).
    pub(crate) active_test: bool,
    /// `default_<field>` entries, keyed by field name.
    pub(crate) defaults: Map<String, Value>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            active_test: true,
            defaults: Map::new(),
        }
    }
}

impl Context {
    /// Takes `context` out of the keyword arguments.
    pub(crate) fn take(kwargs: &mut Map<String, Value>) -> Result<Self, Fault> {
        match kwargs.remove("context") {
            None | Some(Value::Null) => Ok(Context::default()),
            Some(Value::Object(map)) => Ok(Self::from_map(&map)),
            Some(other) => Err(Fault::type_error(format!(
                "'{}' object is not a mapping",
                py_type_name(&other)
            ))),
        }
    }

    fn from_map(map: &Map<String, Value>) -> Self {
        let active_test = map.get("active_test").is_none_or(truthy);
        let defaults = map
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("default_")
                    .map(|f| (f.to_owned(), v.clone()))
            })
            .collect();
        Context {
            active_test,
            defaults,
        }
    }
}

fn py_type_name(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "list",
        Value::String(_) => "str",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::Bool(_) => "bool",
        Value::Null | Value::Object(_) => "NoneType",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_active_test_and_defaults() {
        let mut kw = json!({"context": {"active_test": false, "default_type": "opportunity", "lang": "es_MX"}, "limit": 1})
            .as_object()
            .cloned()
            .unwrap();
        let ctx = Context::take(&mut kw).unwrap();
        assert!(!ctx.active_test);
        assert_eq!(ctx.defaults.get("type"), Some(&json!("opportunity")));
        assert!(!kw.contains_key("context"));
        assert!(kw.contains_key("limit"));
    }

    #[test]
    fn non_mapping_context_is_a_type_error() {
        let mut kw = json!({"context": [1]}).as_object().cloned().unwrap();
        assert_eq!(Context::take(&mut kw).unwrap_err().code(), 1);
    }
}
