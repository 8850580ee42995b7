//! What a tool returns: structured JSON or content blocks.
//!
//! A handler's `Ok` value implements [`IntoOutput`]. A `Serialize + JsonSchema` value
//! becomes the structured result (MCP `structuredContent`) and gives the tool an output
//! schema; the host shows it to the model as text. [`Content`] and [`ToolOutput`] are
//! raw results (text, images, audio, embedded resources) for tools without an output
//! schema.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::{ToolError, schema};

/// One content block of a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// An image, base64-encoded.
    Image(Media),
    /// Audio, base64-encoded.
    Audio(Media),
    /// A resource embedded in the result.
    Resource(EmbeddedResource),
}

/// Binary media, base64-encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    /// The bytes in standard base64.
    pub data: String,
    /// For example `image/png` or `audio/wav`.
    pub mime_type: String,
}

/// A resource embedded in a result: text or a base64 blob, under a URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedResource {
    /// The resource's URI, e.g. `odoo://res.partner/7`.
    pub uri: String,
    /// Its media type, if known.
    pub mime_type: Option<String>,
    /// Its text, for a text resource.
    pub text: Option<String>,
    /// Its bytes in base64, for a binary resource.
    pub blob: Option<String>,
}

impl Content {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    /// An image from base64 data.
    pub fn image(base64: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Self::Image(Media {
            data: base64.into(),
            mime_type: mime_type.into(),
        })
    }

    /// An image from raw bytes.
    pub fn image_bytes(bytes: &[u8], mime_type: impl Into<String>) -> Self {
        Self::image(STANDARD.encode(bytes), mime_type)
    }

    /// Audio from base64 data.
    pub fn audio(base64: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Self::Audio(Media {
            data: base64.into(),
            mime_type: mime_type.into(),
        })
    }

    /// Audio from raw bytes.
    pub fn audio_bytes(bytes: &[u8], mime_type: impl Into<String>) -> Self {
        Self::audio(STANDARD.encode(bytes), mime_type)
    }

    /// An embedded text resource.
    pub fn resource_text(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Self::Resource(EmbeddedResource {
            uri: uri.into(),
            mime_type: Some(mime_type.into()),
            text: Some(text.into()),
            blob: None,
        })
    }

    /// An embedded binary resource from raw bytes.
    pub fn resource_blob(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        bytes: &[u8],
    ) -> Self {
        Self::Resource(EmbeddedResource {
            uri: uri.into(),
            mime_type: Some(mime_type.into()),
            text: None,
            blob: Some(STANDARD.encode(bytes)),
        })
    }
}

/// A successful result as sent to the host.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToolOutput {
    /// Content blocks shown to the model. When empty and `structured` is set, the host
    /// adds the structured JSON as a text block.
    pub content: Vec<Content>,
    /// The structured result (MCP `structuredContent`). Set by the SDK for tools with
    /// an output schema; raw results leave it `None`.
    pub structured: Option<Value>,
}

impl ToolOutput {
    /// A result made of these content blocks.
    pub fn new(content: Vec<Content>) -> Self {
        Self {
            content,
            structured: None,
        }
    }

    /// A result with one text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(vec![Content::text(text)])
    }

    /// Adds a content block.
    pub fn with(mut self, block: Content) -> Self {
        self.content.push(block);
        self
    }
}

impl From<Vec<Content>> for ToolOutput {
    fn from(content: Vec<Content>) -> Self {
        Self::new(content)
    }
}

impl From<Content> for ToolOutput {
    fn from(block: Content) -> Self {
        Self::new(vec![block])
    }
}

/// A value a tool handler may return in `Ok`.
///
/// Implemented for every `Serialize + JsonSchema` type (a structured result with an
/// output schema), and for [`Content`] and [`ToolOutput`] (raw content, no schema).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a tool result",
    label = "tool results must be `Serialize + JsonSchema` (structured) or `Content`/`ToolOutput` (raw)",
    note = "derive `serde::Serialize` and `schemars::JsonSchema` on the result type"
)]
pub trait IntoOutput {
    /// The output schema, or `None` for raw content.
    fn output_schema() -> Option<Value>;

    /// Converts the value into a result.
    ///
    /// # Errors
    ///
    /// [`ToolError::Internal`] if the value cannot be serialized.
    fn into_output(self) -> Result<ToolOutput, ToolError>;
}

impl<T: Serialize + JsonSchema> IntoOutput for T {
    fn output_schema() -> Option<Value> {
        Some(schema::output_schema::<T>())
    }

    fn into_output(self) -> Result<ToolOutput, ToolError> {
        let value = serde_json::to_value(self)?;
        let structured = schema::output_shape::<T>().wrap_value(value);
        Ok(ToolOutput {
            content: Vec::new(),
            structured: Some(structured),
        })
    }
}

impl IntoOutput for ToolOutput {
    fn output_schema() -> Option<Value> {
        None
    }

    fn into_output(self) -> Result<ToolOutput, ToolError> {
        Ok(self)
    }
}

impl IntoOutput for Content {
    fn output_schema() -> Option<Value> {
        None
    }

    fn into_output(self) -> Result<ToolOutput, ToolError> {
        Ok(self.into())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn structured_results_are_wrapped_like_their_schema() {
        let out = vec![1, 2].into_output().unwrap();
        assert_eq!(out.structured, Some(json!({"items": [1, 2]})));
        assert!(out.content.is_empty());
        assert_eq!(<Vec<i32>>::output_schema().unwrap()["type"], "object");
    }

    #[test]
    fn raw_results_have_no_schema() {
        assert!(Content::output_schema().is_none());
        assert!(ToolOutput::output_schema().is_none());
        let out = Content::text("hi").into_output().unwrap();
        assert_eq!(out, ToolOutput::text("hi"));
    }

    #[test]
    fn bytes_are_base64_encoded() {
        let Content::Image(media) = Content::image_bytes(b"\x89PNG", "image/png") else {
            unreachable!()
        };
        assert_eq!(media.data, "iVBORw==");
    }
}
