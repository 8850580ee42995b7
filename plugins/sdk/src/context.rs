//! [`Context`]: what a running tool can reach, handed to every handler.
//!
//! Settings come from the plugin's table in `plugins.toml` (never secrets: the host
//! keeps those). They are operator configuration, so a setting that does not fit its
//! type is reported as an internal error, not as the caller's bad input.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::bindings::daniel::plugin::config as wit;
use crate::{Jobs, Messaging, Odoo, ToolError};

/// The running tool's (or background job's) view of the host.
#[derive(Debug)]
pub struct Context {
    tool: String,
    job: Option<String>,
}

impl Context {
    /// A context for tool `tool`. The SDK makes one per call; tests may make their own.
    pub fn new(tool: impl Into<String>) -> Self {
        Self {
            tool: tool.into(),
            job: None,
        }
    }

    /// A context for a background job of kind `kind` (see [`Job`](crate::Job)).
    pub fn for_job(kind: impl Into<String>) -> Self {
        let kind = kind.into();
        Self {
            tool: format!("job:{kind}"),
            job: Some(kind),
        }
    }

    /// The name of the tool being called (`job:<kind>` while a job runs).
    pub fn tool(&self) -> &str {
        &self.tool
    }

    /// The kind of the background job being run, if this is a job.
    pub fn job(&self) -> Option<&str> {
        self.job.as_deref()
    }

    /// The host's job queue: submit jobs, read their status, report progress.
    pub fn jobs(&self) -> Jobs {
        Jobs::new()
    }

    /// The tool's Odoo instance.
    pub fn odoo(&self) -> Odoo {
        Odoo::new()
    }

    /// Outgoing WhatsApp and SMS.
    pub fn messaging(&self) -> Messaging {
        Messaging::new()
    }

    /// All of the plugin's settings as one `T` (a struct whose fields are the keys).
    ///
    /// # Errors
    ///
    /// [`ToolError::Internal`] naming the setting that does not fit `T`.
    pub fn settings<T: DeserializeOwned>(&self) -> Result<T, ToolError> {
        parse_settings(&wit::settings())
    }

    /// All settings as a JSON object.
    ///
    /// # Errors
    ///
    /// [`ToolError::Internal`] if the host sent something that is not JSON.
    pub fn settings_json(&self) -> Result<Value, ToolError> {
        parse_settings(&wit::settings())
    }

    /// Setting `key` as a `T`, or `None` if it is not set.
    ///
    /// # Errors
    ///
    /// [`ToolError::Internal`] if the setting does not fit `T`.
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ToolError> {
        wit::get(key)
            .map(|json| parse_setting(key, &json))
            .transpose()
    }
}

fn parse_settings<T: DeserializeOwned>(json: &str) -> Result<T, ToolError> {
    crate::args::parse_json(json)
        .map_err(|err| ToolError::Internal(format!("settings: {}", err.message())))
}

fn parse_setting<T: DeserializeOwned>(key: &str, json: &str) -> Result<T, ToolError> {
    crate::args::parse_json(json)
        .map_err(|err| ToolError::Internal(format!("settings.{key}: {}", err.message())))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Settings {
        company: String,
        #[serde(default)]
        max_rows: u32,
    }

    #[test]
    fn job_contexts_know_their_kind() {
        let ctx = Context::for_job("quotation");
        assert_eq!(
            (ctx.tool(), ctx.job()),
            ("job:quotation", Some("quotation"))
        );
        assert_eq!(Context::new("hello").job(), None);
    }

    #[test]
    fn settings_errors_name_the_key() {
        let err = parse_settings::<Settings>(r#"{"company": "A", "max_rows": "x"}"#).unwrap_err();
        assert_eq!(
            err,
            ToolError::internal(r#"settings: max_rows: invalid type: string "x", expected u32"#)
        );
        let err = parse_setting::<u32>("max_rows", r#""x""#).unwrap_err();
        assert_eq!(
            err,
            ToolError::internal(r#"settings.max_rows: invalid type: string "x", expected u32"#)
        );
    }
}
