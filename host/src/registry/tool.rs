//! One tool of the live catalogue: its spec as MCP shows it, and its validators.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::engine::ToolSpec;

/// Hints for clients, mapped to MCP tool annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Hints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// A validated tool.
pub struct Tool {
    pub name: String,
    pub title: Option<String>,
    pub description: String,
    pub input_schema: Arc<Map<String, Value>>,
    pub output_schema: Option<Arc<Map<String, Value>>>,
    pub hints: Hints,
    input: jsonschema::Validator,
    output: Option<jsonschema::Validator>,
}

impl std::fmt::Debug for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tool")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// MCP tool names: letters, digits, `_` and `-`, at most 64 characters.
fn valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn parse_schema(
    tool: &str,
    which: &str,
    text: &str,
) -> Result<(Arc<Map<String, Value>>, jsonschema::Validator), String> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("tool {tool:?}: {which} schema is not JSON: {e}"))?;
    let Value::Object(map) = &value else {
        return Err(format!(
            "tool {tool:?}: {which} schema must be a JSON object"
        ));
    };
    if map.get("type").and_then(Value::as_str) != Some("object") {
        return Err(format!(
            "tool {tool:?}: {which} schema must have \"type\": \"object\""
        ));
    }
    jsonschema::meta::validate(&value)
        .map_err(|e| format!("tool {tool:?}: {which} schema is not valid JSON Schema: {e}"))?;
    let validator = jsonschema::validator_for(&value)
        .map_err(|e| format!("tool {tool:?}: {which} schema cannot be compiled: {e}"))?;
    Ok((Arc::new(map.clone()), validator))
}

impl Tool {
    /// Validates a spec from a plugin's `describe`.
    ///
    /// # Errors
    /// A message naming the tool and what is wrong with it.
    pub fn from_spec(spec: ToolSpec) -> Result<Tool, String> {
        if !valid_tool_name(&spec.name) {
            return Err(format!(
                "tool name {:?} must match [a-zA-Z0-9_-]{{1,64}}",
                spec.name
            ));
        }
        if spec.description.trim().is_empty() {
            return Err(format!("tool {:?}: description is empty", spec.name));
        }
        let (input_schema, input) = parse_schema(&spec.name, "input", &spec.input_schema)?;
        let (output_schema, output) = match &spec.output_schema {
            Some(text) => {
                let (s, v) = parse_schema(&spec.name, "output", text)?;
                (Some(s), Some(v))
            }
            None => (None, None),
        };
        let a = spec.annotations;
        Ok(Tool {
            name: spec.name,
            title: spec.title,
            description: spec.description,
            input_schema,
            output_schema,
            hints: Hints {
                read_only: a.read_only,
                destructive: a.destructive,
                idempotent: a.idempotent,
                open_world: a.open_world,
            },
            input,
            output,
        })
    }

    /// Checks arguments against the input schema; the message lists each problem
    /// with its JSON path so an agent can correct the call.
    ///
    /// # Errors
    /// A `; `-separated list of problems.
    pub fn check_arguments(&self, args: &Value) -> Result<(), String> {
        errors(&self.input, args)
    }

    /// Checks a structured result against the output schema, if any.
    ///
    /// # Errors
    /// A `; `-separated list of problems.
    pub fn check_output(&self, value: &Value) -> Result<(), String> {
        self.output.as_ref().map_or(Ok(()), |v| errors(v, value))
    }

    /// A stable description used to detect catalogue changes.
    pub(crate) fn fingerprint(&self) -> String {
        serde_json::json!([
            self.name,
            self.title,
            self.description,
            *self.input_schema,
            self.output_schema.as_deref(),
            self.hints
        ])
        .to_string()
    }
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Result<(), String> {
    let problems: Vec<String> = validator
        .iter_errors(value)
        .take(10)
        .map(|e| {
            let path = e.instance_path().to_string();
            if path.is_empty() {
                e.to_string()
            } else {
                format!("{path}: {e}")
            }
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Annotations, ToolSpec};

    fn spec(name: &str, input: &str) -> ToolSpec {
        ToolSpec {
            name: name.into(),
            title: None,
            description: "d".into(),
            input_schema: input.into(),
            output_schema: None,
            annotations: Annotations {
                read_only: true,
                destructive: false,
                idempotent: true,
                open_world: false,
            },
        }
    }

    #[test]
    fn rejects_bad_names_and_schemas() {
        assert!(
            Tool::from_spec(spec("bad name", r#"{"type":"object"}"#))
                .unwrap_err()
                .contains("must match")
        );
        assert!(
            Tool::from_spec(spec("t", "nope"))
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            Tool::from_spec(spec("t", r#"{"type":"string"}"#))
                .unwrap_err()
                .contains("\"type\": \"object\"")
        );
        let err = Tool::from_spec(spec(
            "t",
            r#"{"type":"object","properties":{"a":{"type":12}}}"#,
        ))
        .unwrap_err();
        assert!(err.contains("not valid JSON Schema"), "{err}");
    }

    #[test]
    fn argument_errors_name_the_field() {
        let t = Tool::from_spec(spec(
            "t",
            r#"{"type":"object","properties":{"limit":{"type":"integer","minimum":1}},"required":["limit"]}"#,
        ))
        .unwrap();
        assert!(t.check_arguments(&serde_json::json!({"limit": 3})).is_ok());
        let err = t
            .check_arguments(&serde_json::json!({"limit": 0}))
            .unwrap_err();
        assert!(err.starts_with("/limit"), "{err}");
        assert!(
            t.check_arguments(&serde_json::json!({}))
                .unwrap_err()
                .contains("limit")
        );
    }
}
