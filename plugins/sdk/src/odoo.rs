//! Typed helpers over the `odoo` import: `execute_kw` and the usual ORM methods.
//!
//! The host picks the Odoo instance and the credentials and checks each call against
//! the plugin's grants; the plugin only names models, methods and values. Values cross
//! as JSON: `false` stays `false` and many2one values are `[id, "name"]` (see
//! [`Many2one`](crate::Many2one)).

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::ToolError;
use crate::bindings::daniel::plugin::odoo as wit;

/// Why an Odoo call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OdooError {
    /// The host refused the call (not granted, or a write on a read-only instance).
    Denied(String),
    /// A record, model or field does not exist.
    NotFound(String),
    /// Odoo rejected the values (a user or validation error).
    Invalid(String),
    /// Odoo's access rules refused the call.
    Access(String),
    /// Odoo could not be reached, timed out, or refused the host's credentials.
    Upstream(String),
    /// Odoo failed internally, or its answer did not have the expected shape.
    Internal(String),
}

impl fmt::Display for OdooError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, message) = match self {
            Self::Denied(m) => ("denied", m),
            Self::NotFound(m) => ("not found", m),
            Self::Invalid(m) => ("invalid", m),
            Self::Access(m) => ("access error", m),
            Self::Upstream(m) => ("upstream error", m),
            Self::Internal(m) => ("internal error", m),
        };
        write!(f, "odoo {kind}: {message}")
    }
}

impl std::error::Error for OdooError {}

/// Odoo's verdicts keep their meaning: a validation error is the caller's bad input,
/// an access rule is a denial, and Odoo's own failure is an upstream one.
impl From<OdooError> for ToolError {
    fn from(err: OdooError) -> Self {
        match err {
            OdooError::Denied(m) | OdooError::Access(m) => Self::Denied(m),
            OdooError::NotFound(m) => Self::NotFound(m),
            OdooError::Invalid(m) => Self::InvalidInput(m),
            OdooError::Upstream(m) => Self::Upstream(m),
            OdooError::Internal(m) => Self::Internal(m),
        }
    }
}

impl From<wit::OdooError> for OdooError {
    fn from(err: wit::OdooError) -> Self {
        match err {
            wit::OdooError::Denied(m) => Self::Denied(m),
            wit::OdooError::NotFound(m) => Self::NotFound(m),
            wit::OdooError::Invalid(m) => Self::Invalid(m),
            wit::OdooError::Access(m) => Self::Access(m),
            wit::OdooError::Upstream(m) => Self::Upstream(m),
            wit::OdooError::Internal(m) => Self::Internal(m),
        }
    }
}

/// The server version of the tool's Odoo instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerVersion {
    /// For example 17, 18, 19.
    pub major: u32,
    /// The minor version.
    pub minor: u32,
    /// The full string, e.g. `"18.0+e"`.
    pub text: String,
}

/// Paging and ordering for `search_read` and `search`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchOpts {
    /// At most this many records (Odoo's default: all).
    pub limit: Option<u32>,
    /// Skip this many records first.
    pub offset: Option<u32>,
    /// An Odoo order clause, e.g. `"name asc, id desc"`.
    pub order: Option<String>,
}

impl SearchOpts {
    /// At most `limit` records.
    pub fn limit(limit: u32) -> Self {
        Self {
            limit: Some(limit),
            ..Self::default()
        }
    }

    /// Skips the first `offset` records.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Orders by an Odoo order clause.
    pub fn order(mut self, order: impl Into<String>) -> Self {
        self.order = Some(order.into());
        self
    }

    fn kwargs(&self, fields: Option<&[&str]>) -> Value {
        let mut kwargs = serde_json::Map::new();
        if let Some(fields) = fields {
            kwargs.insert("fields".into(), json!(fields));
        }
        if let Some(limit) = self.limit {
            kwargs.insert("limit".into(), limit.into());
        }
        if let Some(offset) = self.offset {
            kwargs.insert("offset".into(), offset.into());
        }
        if let Some(order) = &self.order {
            kwargs.insert("order".into(), order.clone().into());
        }
        Value::Object(kwargs)
    }
}

/// The tool's Odoo instance. Get it from [`Context::odoo`](crate::Context::odoo).
///
/// Every method fails with [`OdooError`], which `?` turns into a [`ToolError`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Odoo {
    _private: (),
}

impl Odoo {
    pub(crate) fn new() -> Self {
        Self { _private: () }
    }

    /// Calls `model.method(*args, **kwargs)` and returns Odoo's JSON answer.
    ///
    /// # Errors
    ///
    /// Whatever the host or Odoo refused; see [`OdooError`].
    pub fn execute_kw(
        &self,
        model: &str,
        method: &str,
        args: Value,
        kwargs: Value,
    ) -> Result<Value, OdooError> {
        let answer = wit::execute_kw(model, method, &args.to_string(), &kwargs.to_string())?;
        serde_json::from_str(&answer).map_err(|err| {
            OdooError::Internal(format!("{model}.{method}: answer is not JSON: {err}"))
        })
    }

    /// Like [`execute_kw`](Self::execute_kw), deserializing the answer into `T`.
    ///
    /// # Errors
    ///
    /// As `execute_kw`, or [`OdooError::Internal`] if the answer is not a `T`.
    pub fn call<T: DeserializeOwned>(
        &self,
        model: &str,
        method: &str,
        args: Value,
        kwargs: Value,
    ) -> Result<T, OdooError> {
        let answer = self.execute_kw(model, method, args, kwargs)?;
        decode(model, method, answer)
    }

    /// `search_read(domain, fields, offset, limit, order)`: the matching records as `T`s.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub fn search_read<T: DeserializeOwned>(
        &self,
        model: &str,
        domain: Value,
        fields: &[&str],
        opts: SearchOpts,
    ) -> Result<Vec<T>, OdooError> {
        self.call(
            model,
            "search_read",
            json!([domain]),
            opts.kwargs(Some(fields)),
        )
    }

    /// `search(domain, offset, limit, order)`: the ids of the matching records.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub fn search(
        &self,
        model: &str,
        domain: Value,
        opts: SearchOpts,
    ) -> Result<Vec<i64>, OdooError> {
        self.call(model, "search", json!([domain]), opts.kwargs(None))
    }

    /// `search_count(domain)`.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub fn search_count(&self, model: &str, domain: Value) -> Result<u64, OdooError> {
        self.call(model, "search_count", json!([domain]), json!({}))
    }

    /// `read(ids, fields)`: the records as `T`s (ids that do not exist are skipped by Odoo).
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call).
    pub fn read<T: DeserializeOwned>(
        &self,
        model: &str,
        ids: &[i64],
        fields: &[&str],
    ) -> Result<Vec<T>, OdooError> {
        self.call(model, "read", json!([ids]), json!({ "fields": fields }))
    }

    /// `create(values)`: the new record's id.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call); [`OdooError::Internal`] if `values` do not serialize.
    pub fn create(&self, model: &str, values: impl Serialize) -> Result<i64, OdooError> {
        let values = to_json(model, "create", values)?;
        self.call(model, "create", json!([values]), json!({}))
    }

    /// `write(ids, values)`.
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call); [`OdooError::Internal`] if `values` do not serialize.
    pub fn write(&self, model: &str, ids: &[i64], values: impl Serialize) -> Result<(), OdooError> {
        let values = to_json(model, "write", values)?;
        let _: Value = self.call(model, "write", json!([ids, values]), json!({}))?;
        Ok(())
    }

    /// `name_search(name, domain, operator="ilike", limit)`: `(id, display name)` pairs.
    ///
    /// Odoo 19 renamed the domain keyword from `args` to `domain`; this picks the one
    /// the instance's version expects (the version is cached by the host).
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call), or what [`version`](Self::version) failed with.
    pub fn name_search(
        &self,
        model: &str,
        name: &str,
        domain: Value,
        limit: u32,
    ) -> Result<Vec<(i64, String)>, OdooError> {
        let kwargs = name_search_kwargs(self.version()?.major, name, domain, limit);
        self.call(model, "name_search", json!([]), kwargs)
    }

    /// The server version (cached by the host).
    ///
    /// # Errors
    ///
    /// The host could not ask Odoo.
    pub fn version(&self) -> Result<ServerVersion, OdooError> {
        let v = wit::version()?;
        Ok(ServerVersion {
            major: v.major,
            minor: v.minor,
            text: v.text,
        })
    }

    /// The names of `model`'s fields on this instance (cached by the host), to pick
    /// the right field names across Odoo versions.
    ///
    /// # Errors
    ///
    /// [`OdooError::NotFound`] for an unknown model, or what the host refused.
    pub fn field_names(&self, model: &str) -> Result<Vec<String>, OdooError> {
        Ok(wit::field_names(model)?)
    }

    /// True if `model` has a field named `field` on this instance.
    ///
    /// # Errors
    ///
    /// As [`field_names`](Self::field_names).
    pub fn has_field(&self, model: &str, field: &str) -> Result<bool, OdooError> {
        Ok(self.field_names(model)?.iter().any(|name| name == field))
    }
}

fn name_search_kwargs(major: u32, name: &str, domain: Value, limit: u32) -> Value {
    let keyword = if major >= 19 { "domain" } else { "args" };
    json!({ "name": name, keyword: domain, "operator": "ilike", "limit": limit })
}

fn decode<T: DeserializeOwned>(model: &str, method: &str, answer: Value) -> Result<T, OdooError> {
    serde_path_to_error::deserialize(answer).map_err(|err| {
        OdooError::Internal(format!(
            "{model}.{method}: unexpected answer at {}: {}",
            err.path(),
            err.inner()
        ))
    })
}

fn to_json(model: &str, method: &str, values: impl Serialize) -> Result<Value, OdooError> {
    serde_json::to_value(values)
        .map_err(|err| OdooError::Internal(format!("{model}.{method}: values: {err}")))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[test]
    fn search_opts_become_kwargs() {
        let opts = SearchOpts::limit(5).offset(10).order("name");
        assert_eq!(
            opts.kwargs(Some(&["id", "name"])),
            json!({"fields": ["id", "name"], "limit": 5, "offset": 10, "order": "name"})
        );
        assert_eq!(SearchOpts::default().kwargs(None), json!({}));
    }

    #[test]
    fn name_search_names_its_domain_by_version() {
        let domain = json!([["active", "=", true]]);
        assert_eq!(
            name_search_kwargs(18, "Ana", domain.clone(), 5),
            json!({"name": "Ana", "args": domain, "operator": "ilike", "limit": 5})
        );
        assert_eq!(
            name_search_kwargs(19, "Ana", domain.clone(), 5),
            json!({"name": "Ana", "domain": domain, "operator": "ilike", "limit": 5})
        );
    }

    #[test]
    fn odoo_errors_map_to_tool_errors() {
        let cases = [
            (OdooError::Denied("a".into()), ToolError::denied("a")),
            (OdooError::NotFound("b".into()), ToolError::not_found("b")),
            (
                OdooError::Invalid("c".into()),
                ToolError::invalid_input("c"),
            ),
            (OdooError::Access("d".into()), ToolError::denied("d")),
            (OdooError::Upstream("e".into()), ToolError::upstream("e")),
            (OdooError::Internal("f".into()), ToolError::internal("f")),
        ];
        for (odoo, tool) in cases {
            assert_eq!(ToolError::from(odoo), tool);
        }
    }

    #[test]
    fn a_wrong_answer_names_method_and_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Row {
            id: i64,
        }
        let err = decode::<Vec<Row>>("res.partner", "read", json!([{"id": "x"}])).unwrap_err();
        assert_eq!(
            err,
            OdooError::Internal(
                "res.partner.read: unexpected answer at [0].id: invalid type: string \"x\", expected i64"
                    .into()
            )
        );
    }
}
