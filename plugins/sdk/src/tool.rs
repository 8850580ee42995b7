//! [`Tool`]: a typed handler plus what the catalogue says about it.
//!
//! `Tool::new` erases the handler's argument and result types into a closure over JSON
//! text and keeps two function pointers that generate the schemas. Nothing is
//! generated until [`Tool::spec`] is asked for (at `describe`), so a call pays only
//! for its own tool.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Context, IntoOutput, ToolError, ToolOutput, args, schema};

type Handler = Box<dyn Fn(&Context, &str) -> Result<ToolOutput, ToolError>>;

/// Hints for clients, sent as MCP tool annotations.
///
/// The default is MCP's worst case for a tool nobody annotated: it may write, may
/// destroy, is not idempotent and may reach outside systems. Loosen it with the
/// builder methods on [`Tool`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Annotations {
    /// The tool changes nothing.
    pub read_only: bool,
    /// The tool may delete or overwrite (meaningful only when not read-only).
    pub destructive: bool,
    /// Repeating a call with the same arguments has no further effect.
    pub idempotent: bool,
    /// The tool may reach systems beyond the Odoo instance (e.g. sends messages).
    pub open_world: bool,
}

impl Default for Annotations {
    fn default() -> Self {
        Self {
            read_only: false,
            destructive: true,
            idempotent: false,
            open_world: true,
        }
    }
}

/// A catalogue entry as the SDK sends it to the host.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolSpec {
    /// Unique across all loaded plugins: `[a-zA-Z0-9_-]{1,64}`.
    pub name: String,
    /// A human-readable title.
    pub title: Option<String>,
    /// What the tool does, for the model.
    pub description: String,
    /// JSON Schema of the arguments (an object schema).
    pub input_schema: Value,
    /// JSON Schema of the structured result (an object schema), if the tool has one.
    pub output_schema: Option<Value>,
    /// Hints for clients.
    pub annotations: Annotations,
}

/// One tool: name, description, typed handler and hints.
pub struct Tool {
    name: String,
    title: Option<String>,
    description: String,
    annotations: Annotations,
    input_schema: fn() -> Value,
    output_schema: fn() -> Option<Value>,
    handler: Handler,
}

impl Tool {
    /// A tool named `name` that runs `handler`.
    ///
    /// The arguments `A` are a struct (or map) deserialized from the call's JSON
    /// object; its doc comments and serde attributes become the input schema. The
    /// result `R` is structured (`Serialize + JsonSchema`, with an output schema) or
    /// raw content ([`Content`](crate::Content), [`ToolOutput`]); see [`IntoOutput`].
    pub fn new<A, R, F>(name: impl Into<String>, description: impl Into<String>, handler: F) -> Self
    where
        A: DeserializeOwned + JsonSchema + 'static,
        R: IntoOutput + 'static,
        F: Fn(&Context, A) -> Result<R, ToolError> + 'static,
    {
        Self {
            name: name.into(),
            title: None,
            description: description.into(),
            annotations: Annotations::default(),
            input_schema: schema::input_schema::<A>,
            output_schema: R::output_schema,
            handler: Box::new(move |ctx, json| handler(ctx, args::parse(json)?)?.into_output()),
        }
    }

    /// Sets a human-readable title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Marks the tool as changing nothing.
    pub fn read_only(mut self) -> Self {
        self.annotations.read_only = true;
        self.annotations.destructive = false;
        self
    }

    /// Marks a writing tool as only adding or updating, never deleting or overwriting.
    pub fn non_destructive(mut self) -> Self {
        self.annotations.destructive = false;
        self
    }

    /// Marks the tool as safe to repeat with the same arguments.
    pub fn idempotent(mut self) -> Self {
        self.annotations.idempotent = true;
        self
    }

    /// Marks the tool as touching only the Odoo instance, nothing beyond it.
    pub fn closed_world(mut self) -> Self {
        self.annotations.open_world = false;
        self
    }

    /// Replaces all hints at once.
    pub fn annotations(mut self, annotations: Annotations) -> Self {
        self.annotations = annotations;
        self
    }

    /// The tool's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The catalogue entry, with both schemas generated.
    pub fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: self.name.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            input_schema: (self.input_schema)(),
            output_schema: (self.output_schema)(),
            annotations: self.annotations,
        }
    }

    /// Runs the tool on `arguments` (a JSON object as text).
    ///
    /// # Errors
    ///
    /// [`ToolError::InvalidInput`] if the arguments do not fit, else what the handler
    /// returned.
    pub fn run(&self, ctx: &Context, arguments: &str) -> Result<ToolOutput, ToolError> {
        (self.handler)(ctx, arguments)
    }
}

impl std::fmt::Debug for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tool")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use super::*;
    use crate::{Content, NoArgs};

    #[derive(Deserialize, JsonSchema)]
    struct HelloArgs {
        /// Who to greet.
        name: String,
    }

    #[derive(Serialize, JsonSchema)]
    struct Greeting {
        greeting: String,
    }

    fn hello(_: &Context, args: HelloArgs) -> Result<Greeting, ToolError> {
        Ok(Greeting {
            greeting: format!("Hello, {}!", args.name),
        })
    }

    #[test]
    fn spec_has_schemas_and_hints() {
        let spec = Tool::new("hello", "Greets", hello)
            .title("Hello")
            .read_only()
            .spec();
        assert_eq!(spec.name, "hello");
        assert_eq!(spec.title.as_deref(), Some("Hello"));
        assert_eq!(
            spec.input_schema["properties"]["name"]["description"],
            "Who to greet."
        );
        assert_eq!(spec.output_schema.unwrap()["required"], json!(["greeting"]));
        assert!(spec.annotations.read_only && !spec.annotations.destructive);
        assert!(spec.annotations.open_world);
    }

    #[test]
    fn run_parses_arguments_and_structures_the_result() {
        let tool = Tool::new("hello", "Greets", hello);
        let ctx = Context::new("hello");
        let out = tool.run(&ctx, r#"{"name":"Ada"}"#).unwrap();
        assert_eq!(out.structured, Some(json!({"greeting": "Hello, Ada!"})));
        let err = tool.run(&ctx, r#"{"name":1}"#).unwrap_err();
        assert_eq!(
            err,
            ToolError::invalid_input("name: invalid type: integer `1`, expected a string")
        );
    }

    #[test]
    fn raw_content_tools_have_no_output_schema() {
        let tool = Tool::new("text", "Text", |_, _: NoArgs| Ok(Content::text("hi")));
        assert!(tool.spec().output_schema.is_none());
        let out = tool.run(&Context::new("text"), "{}").unwrap();
        assert_eq!(out.content, vec![Content::text("hi")]);
    }

    #[test]
    fn handler_errors_pass_through() {
        let tool = Tool::new("fail", "Fails", |_, _: NoArgs| -> Result<Content, _> {
            Err(ToolError::not_found("res.partner 7"))
        });
        let err = tool.run(&Context::new("fail"), "{}").unwrap_err();
        assert_eq!(err, ToolError::not_found("res.partner 7"));
    }
}
