//! Client tools: what the agent's `client_tool_call` runs. The host's registry, under
//! the same plugins, grants and limits as MCP, optionally narrowed to an allow-list.
//!
//! The answer is the string ConvAI's `client_tool_result.result` requires: the
//! structured result as JSON when there is one, else the text content.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;

use crate::engine::{Content, Engine};
use crate::registry::{CallOutput, Registry};

/// Longest tool answer handed back to the agent: the LLM's context is the limit, and
/// a runaway result must not become a multi-megabyte frame.
const MAX_RESULT_CHARS: usize = 16_000;

/// Runs tools for the relay.
pub trait ToolRunner: Send + Sync {
    /// Runs `name` with `args`: the answer for the agent, or the error text.
    fn call(&self, name: &str, args: Value) -> BoxFuture<'static, Result<String, String>>;
}

/// Tools from the plugin registry.
pub struct RegistryTools {
    registry: Arc<Registry>,
    engine: Arc<Engine>,
    /// `None`: every tool in the catalogue.
    allowed: Option<BTreeSet<String>>,
}

impl RegistryTools {
    /// Tools from `registry`, limited to `allowed` when given.
    pub fn new(
        registry: Arc<Registry>,
        engine: Arc<Engine>,
        allowed: Option<&[String]>,
    ) -> RegistryTools {
        RegistryTools {
            registry,
            engine,
            allowed: allowed.map(|a| a.iter().cloned().collect()),
        }
    }
}

impl ToolRunner for RegistryTools {
    fn call(&self, name: &str, args: Value) -> BoxFuture<'static, Result<String, String>> {
        if self.allowed.as_ref().is_some_and(|a| !a.contains(name)) {
            let msg = format!("Client tool with name {name} is not defined on client");
            return Box::pin(async move { Err(msg) });
        }
        let (registry, engine, name) =
            (self.registry.clone(), self.engine.clone(), name.to_owned());
        Box::pin(async move {
            let args = if args.is_null() {
                Value::Object(Default::default())
            } else {
                args
            };
            match registry.call(&engine, &name, args).await {
                Ok(out) => Ok(answer(out)),
                Err(e) => Err(truncate(e.to_string())),
            }
        })
    }
}

/// The agent-facing string for a result.
pub fn answer(out: CallOutput) -> String {
    if let Some(v) = out.structured {
        return truncate(v.to_string());
    }
    let text: Vec<String> = out
        .content
        .into_iter()
        .map(|c| match c {
            Content::Text(t) => t,
            Content::Image(_) => "[image]".to_owned(),
            Content::Audio(_) => "[audio]".to_owned(),
            Content::Resource(r) => r.text.unwrap_or_else(|| "[resource]".to_owned()),
        })
        .collect();
    truncate(text.join("\n"))
}

fn truncate(mut s: String) -> String {
    if let Some((at, _)) = s.char_indices().nth(MAX_RESULT_CHARS) {
        s.truncate(at);
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_results_become_json_strings() {
        let out = CallOutput {
            content: vec![Content::Text("ignored".into())],
            structured: Some(serde_json::json!({"id": 7})),
        };
        assert_eq!(answer(out), r#"{"id":7}"#);
        let text = CallOutput {
            content: vec![Content::Text("a".into()), Content::Text("b".into())],
            structured: None,
        };
        assert_eq!(answer(text), "a\nb");
    }

    #[test]
    fn long_results_are_cut() {
        let s = truncate("é".repeat(MAX_RESULT_CHARS + 5));
        assert_eq!(s.chars().count(), MAX_RESULT_CHARS + 1);
    }
}
