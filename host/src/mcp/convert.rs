//! Mapping between the registry's types and MCP's wire types.

use rmcp::model::{
    CallToolResult, ContentBlock, ResourceContents, Tool as McpTool, ToolAnnotations,
};

use crate::engine::{Content, ToolError};
use crate::registry::{CallError, CallOutput, Tool};

/// A catalogue tool as `tools/list` shows it.
pub(crate) fn tool(t: &Tool) -> McpTool {
    let mut out = McpTool::new_with_raw(
        t.name.clone(),
        Some(t.description.clone().into()),
        t.input_schema.clone(),
    );
    if let Some(title) = &t.title {
        out = out.with_title(title.clone());
    }
    if let Some(schema) = &t.output_schema {
        out = out.with_raw_output_schema(schema.clone());
    }
    let h = t.hints;
    let mut ann = ToolAnnotations::new()
        .read_only(h.read_only)
        .destructive(h.destructive)
        .idempotent(h.idempotent)
        .open_world(h.open_world);
    ann.title = t.title.clone();
    out.with_annotations(ann)
}

fn content(c: Content) -> ContentBlock {
    match c {
        Content::Text(t) => ContentBlock::text(t),
        Content::Image(m) => ContentBlock::image(m.data, m.mime_type),
        Content::Audio(m) => ContentBlock::audio(m.data, m.mime_type),
        Content::Resource(r) => ContentBlock::resource(match (r.text, r.blob) {
            (_, Some(blob)) => ResourceContents::BlobResourceContents {
                uri: r.uri,
                mime_type: r.mime_type,
                blob,
                meta: None,
            },
            (text, None) => ResourceContents::TextResourceContents {
                uri: r.uri,
                mime_type: r.mime_type,
                text: text.unwrap_or_default(),
                meta: None,
            },
        }),
    }
}

/// A successful call: structured results also travel as text, for clients that
/// do not read `structuredContent`.
pub(crate) fn success(out: CallOutput) -> CallToolResult {
    let mut blocks: Vec<ContentBlock> = out.content.into_iter().map(content).collect();
    if blocks.is_empty()
        && let Some(v) = &out.structured
    {
        blocks.push(ContentBlock::text(v.to_string()));
    }
    let mut result = CallToolResult::success(blocks);
    result.structured_content = out.structured;
    result
}

/// A failed call as an `isError` result whose text an agent can act on.
pub(crate) fn failure(e: &CallError) -> CallToolResult {
    let text = match e {
        CallError::Tool(ToolError::Internal(_))
        | CallError::Plugin { .. }
        | CallError::BadOutput { .. } => {
            format!(
                "{e}. The failure was logged; retrying with the same input will likely fail again."
            )
        }
        other => other.to_string(),
    };
    CallToolResult::error(vec![ContentBlock::text(text)])
}
