//! The three exports, `describe`, `call` and `run-job`, over a plugin's tools and jobs.
//!
//! [`plugin!`](crate::plugin) implements the generated `Guest` trait by calling these;
//! they convert between the SDK's types and the WIT ones. The lists are rebuilt on
//! every export call: the host makes a fresh instance per call, so there is nothing to
//! cache, and building them only boxes closures.

use crate::bindings::daniel::plugin::types as wit;
use crate::{Annotations, Content, Context, Job, Tool, ToolError, ToolOutput, ToolSpec};

/// The catalogue, for the `describe` export.
pub fn describe(tools: &[Tool]) -> Vec<wit::ToolSpec> {
    tools.iter().map(|tool| tool.spec().into()).collect()
}

/// Runs tool `name`, for the `call` export.
///
/// # Errors
///
/// [`ToolError::NotFound`] for a name not in `tools`, else what the tool returned.
pub fn call(
    tools: &[Tool],
    name: &str,
    arguments: &str,
) -> Result<wit::ToolOutput, wit::ToolError> {
    let tool = tools
        .iter()
        .find(|tool| tool.name() == name)
        .ok_or_else(|| ToolError::not_found(format!("no tool named {name:?} in this plugin")))?;
    Ok(tool.run(&Context::new(name), arguments)?.into())
}

/// Runs background job `kind`, for the `run-job` export.
///
/// # Errors
///
/// [`ToolError::Internal`] for a kind not in `jobs` (the host only runs jobs this plugin
/// submitted, so an unknown kind means a revision that dropped it), else what the job
/// returned.
pub fn run_job(jobs: &[Job], kind: &str, input: &str) -> Result<wit::ToolOutput, wit::ToolError> {
    let job = jobs.iter().find(|job| job.kind() == kind).ok_or_else(|| {
        let known: Vec<&str> = jobs.iter().map(Job::kind).collect();
        ToolError::internal(format!(
            "unknown job kind {kind:?} (this plugin runs: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ))
    })?;
    Ok(job.run(&Context::for_job(kind), input)?.into())
}

impl From<ToolSpec> for wit::ToolSpec {
    fn from(spec: ToolSpec) -> Self {
        Self {
            name: spec.name,
            title: spec.title,
            description: spec.description,
            input_schema: spec.input_schema.to_string(),
            output_schema: spec.output_schema.map(|schema| schema.to_string()),
            annotations: spec.annotations.into(),
        }
    }
}

impl From<Annotations> for wit::Annotations {
    fn from(a: Annotations) -> Self {
        Self {
            read_only: a.read_only,
            destructive: a.destructive,
            idempotent: a.idempotent,
            open_world: a.open_world,
        }
    }
}

impl From<ToolOutput> for wit::ToolOutput {
    fn from(out: ToolOutput) -> Self {
        Self {
            content: out.content.into_iter().map(Into::into).collect(),
            structured: out.structured.map(|value| value.to_string()),
        }
    }
}

impl From<Content> for wit::Content {
    fn from(block: Content) -> Self {
        match block {
            Content::Text(text) => Self::Text(text),
            Content::Image(m) => Self::Image(wit::Media {
                data: m.data,
                mime_type: m.mime_type,
            }),
            Content::Audio(m) => Self::Audio(wit::Media {
                data: m.data,
                mime_type: m.mime_type,
            }),
            Content::Resource(r) => Self::Resource(wit::EmbeddedResource {
                uri: r.uri,
                mime_type: r.mime_type,
                text: r.text,
                blob: r.blob,
            }),
        }
    }
}

impl From<ToolError> for wit::ToolError {
    fn from(err: ToolError) -> Self {
        match err {
            ToolError::InvalidInput(m) => Self::InvalidInput(m),
            ToolError::NotFound(m) => Self::NotFound(m),
            ToolError::Denied(m) => Self::Denied(m),
            ToolError::Upstream(m) => Self::Upstream(m),
            ToolError::Internal(m) => Self::Internal(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::NoArgs;

    fn tools() -> Vec<Tool> {
        vec![
            Tool::new("ok", "Says ok", |_, _: NoArgs| {
                Ok(json!({"ok": true}).as_object().cloned().unwrap())
            }),
            Tool::new("text", "Says hi", |_, _: NoArgs| Ok(Content::text("hi"))),
        ]
    }

    #[test]
    fn describe_sends_schemas_as_json_text() {
        let specs = describe(&tools());
        assert_eq!(specs.len(), 2);
        let input: serde_json::Value = serde_json::from_str(&specs[0].input_schema).unwrap();
        assert_eq!(input["type"], "object");
        assert!(specs[0].output_schema.is_some());
        assert!(specs[1].output_schema.is_none());
    }

    #[test]
    fn call_finds_the_tool_and_converts_the_result() {
        let out = call(&tools(), "ok", "{}").unwrap();
        assert_eq!(out.structured.as_deref(), Some(r#"{"ok":true}"#));
        let out = call(&tools(), "text", "{}").unwrap();
        assert!(matches!(&out.content[..], [wit::Content::Text(t)] if t == "hi"));
        let err = call(&tools(), "nope", "{}").unwrap_err();
        assert!(matches!(err, wit::ToolError::NotFound(m) if m.contains("nope")));
    }

    #[test]
    fn run_job_finds_the_kind_and_converts_the_result() {
        let jobs = vec![Job::new("ping", |ctx: &Context, n: u32| {
            Ok(json!({"kind": ctx.job(), "n": n})
                .as_object()
                .cloned()
                .unwrap())
        })];
        let out = run_job(&jobs, "ping", "7").unwrap();
        assert_eq!(out.structured.as_deref(), Some(r#"{"kind":"ping","n":7}"#));
        let err = run_job(&jobs, "pong", "{}").unwrap_err();
        assert!(
            matches!(&err, wit::ToolError::Internal(m) if m == r#"unknown job kind "pong" (this plugin runs: ping)"#),
            "{err:?}"
        );
        let err = run_job(&[], "quotation", "{}").unwrap_err();
        assert!(
            matches!(&err, wit::ToolError::Internal(m) if m.starts_with("unknown job kind \"quotation\"")),
            "{err:?}"
        );
    }
}
