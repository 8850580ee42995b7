//! Calling a tool: look it up in the current catalogue, validate the arguments,
//! run it on a fresh instance of its plugin revision, check the result.

use std::sync::Arc;

use serde_json::Value;

use super::{PluginRevision, Registry, Tool};
use crate::engine::{self, Answer, Content, Engine, ToolError};

/// A successful call's result.
#[derive(Debug, Clone)]
pub struct CallOutput {
    pub content: Vec<Content>,
    pub structured: Option<Value>,
}

/// Why a call produced no result. Each maps to an MCP `isError` result (or, for an
/// unknown tool, a protocol error) and to a REST status.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("unknown tool {0:?}")]
    UnknownTool(String),
    #[error("invalid arguments for {tool}: {message}")]
    InvalidArguments { tool: String, message: String },
    #[error("{}", tool_error_text(.0))]
    Tool(ToolError),
    #[error("tool {tool} failed in plugin {plugin}: {source}")]
    Plugin {
        tool: String,
        plugin: String,
        #[source]
        source: engine::Error,
    },
    #[error("tool {tool} returned an invalid result: {message}")]
    BadOutput { tool: String, message: String },
    /// The host refused the work for now (its job queue is full); the same call
    /// succeeds later.
    #[error("the host is busy: {0}")]
    Busy(String),
}

/// A tool error as one line for agents, REST clients and job records.
pub(crate) fn tool_error_text(e: &ToolError) -> String {
    match e {
        ToolError::InvalidInput(m) => format!("invalid input: {m}"),
        ToolError::NotFound(m) => format!("not found: {m}"),
        ToolError::Denied(m) => format!("denied: {m}"),
        ToolError::Upstream(m) => format!("upstream error: {m}"),
        ToolError::Internal(m) => format!("internal error: {m}"),
    }
}

impl Registry {
    /// Calls `tool` with `arguments` (a JSON object).
    ///
    /// # Errors
    /// [`CallError`] saying whether the tool, its arguments, the plugin or its result
    /// was at fault.
    pub async fn call(
        &self,
        engine: &Engine,
        tool: &str,
        arguments: Value,
    ) -> Result<CallOutput, CallError> {
        let catalog = self.catalog();
        let (rev, t) = catalog
            .tool(tool)
            .ok_or_else(|| CallError::UnknownTool(tool.to_owned()))?;
        let started = std::time::Instant::now();
        let result = call_revision(engine, rev, t, arguments).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(CallError::InvalidArguments { .. }) => "invalid_arguments",
            Err(CallError::Tool(_)) => "tool_error",
            Err(CallError::Busy(_)) => "busy",
            Err(_) => "plugin_failure",
        };
        self.metrics
            .call(tool, outcome, started.elapsed().as_secs_f64());
        result
    }
}

async fn call_revision(
    engine: &Engine,
    rev: &Arc<PluginRevision>,
    tool: &Tool,
    arguments: Value,
) -> Result<CallOutput, CallError> {
    let arguments = if arguments.is_null() {
        Value::Object(Default::default())
    } else {
        arguments
    };
    tool.check_arguments(&arguments)
        .map_err(|message| CallError::InvalidArguments {
            tool: tool.name.clone(),
            message,
        })?;
    let started = std::time::Instant::now();
    let result = engine
        .call(
            &rev.prepared,
            rev.spec.clone(),
            &tool.name,
            &arguments.to_string(),
        )
        .await;
    let elapsed_us = started.elapsed().as_micros() as u64;
    let output = match result {
        Ok(Answer {
            result: Err(ToolError::Upstream(message)),
            queue_full: true,
        }) => {
            // The plugin passed on the host's own refusal.
            tracing::debug!(tool = %tool.name, plugin = %rev.name, elapsed_us, "job queue full");
            return Err(CallError::Busy(message));
        }
        Ok(Answer {
            result: Ok(out), ..
        }) => out,
        Ok(Answer { result: Err(e), .. }) => {
            tracing::debug!(tool = %tool.name, plugin = %rev.name, elapsed_us, error = %tool_error_text(&e), "tool error");
            return Err(CallError::Tool(e));
        }
        Err(source) => {
            tracing::warn!(tool = %tool.name, plugin = %rev.name, revision = rev.revision(), elapsed_us, error = %source, "plugin failed");
            return Err(CallError::Plugin {
                tool: tool.name.clone(),
                plugin: rev.name.clone(),
                source,
            });
        }
    };
    tracing::debug!(tool = %tool.name, plugin = %rev.name, elapsed_us, "tool call");
    let bad = |message: String| CallError::BadOutput {
        tool: tool.name.clone(),
        message,
    };
    let structured = match output.structured {
        Some(text) => {
            Some(serde_json::from_str::<Value>(&text).map_err(|e| bad(format!("not JSON: {e}")))?)
        }
        None => None,
    };
    match (&structured, &tool.output_schema) {
        (Some(v), Some(_)) => tool.check_output(v).map_err(bad)?,
        (None, Some(_)) => {
            return Err(bad(
                "the tool declares an output schema but returned no structured result".into(),
            ));
        }
        _ => {}
    }
    Ok(CallOutput {
        content: output.content,
        structured,
    })
}
