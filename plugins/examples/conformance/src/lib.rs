//! The tools of the MCP conformance suite that fit the plugin contract: one per kind
//! of content block, a mix of them, and a tool that always fails.
//!
//! Texts and URIs are the ones the suite checks for, so do not reword them.

use daniel_plugin_sdk::prelude::*;

/// A 1×1 red pixel.
const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC";
/// One millisecond of 8-bit mono silence at 8 kHz.
const WAV: &str = "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";

fn simple_text(_: &Context, _: NoArgs) -> Result<Content, ToolError> {
    Ok(Content::text("This is a simple text response for testing."))
}

fn image(_: &Context, _: NoArgs) -> Result<Content, ToolError> {
    Ok(Content::image(PNG, "image/png"))
}

fn audio(_: &Context, _: NoArgs) -> Result<Content, ToolError> {
    Ok(Content::audio(WAV, "audio/wav"))
}

fn embedded_resource(_: &Context, _: NoArgs) -> Result<Content, ToolError> {
    Ok(Content::resource_text(
        "test://embedded-resource",
        "text/plain",
        "This is an embedded resource content.",
    ))
}

fn multiple(_: &Context, _: NoArgs) -> Result<ToolOutput, ToolError> {
    let data = json!({ "test": "data", "value": 123 }).to_string();
    Ok(ToolOutput::text("Multiple content types test:")
        .with(Content::image(PNG, "image/png"))
        .with(Content::resource_text(
            "test://mixed-content-resource",
            "application/json",
            data,
        )))
}

fn error(_: &Context, _: NoArgs) -> Result<Content, ToolError> {
    Err(ToolError::internal(
        "This tool intentionally returns an error for testing",
    ))
}

daniel_plugin_sdk::plugin! {
    Conformance,
    [
        Tool::new("test_simple_text", "Returns simple text content", simple_text).read_only(),
        Tool::new("test_image_content", "Returns image content", image).read_only(),
        Tool::new("test_audio_content", "Returns audio content", audio).read_only(),
        Tool::new("test_embedded_resource", "Returns an embedded resource", embedded_resource)
            .read_only(),
        Tool::new("test_multiple_content_types", "Returns text, image and resource", multiple)
            .read_only(),
        Tool::new("test_error_handling", "Always fails, to test error results", error).read_only(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_content_has_three_blocks_and_no_schema() {
        let tools = Conformance::tools();
        let tool = tools
            .iter()
            .find(|t| t.name() == "test_multiple_content_types")
            .unwrap();
        assert!(tool.spec().output_schema.is_none());
        let out = tool
            .run(&Context::new("test_multiple_content_types"), "{}")
            .unwrap();
        assert_eq!(out.content.len(), 3);
        assert!(out.structured.is_none());
    }
}
