//! The MCP surface: Streamable HTTP at `/mcp`, the legacy SSE transport at
//! `/mcp/sse`, and stdio for desktop clients, all served by one handler type.

mod convert;
mod handler;
mod sse;

use std::sync::Arc;

use axum::Router;
use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

pub use handler::McpServer;

/// Largest JSON-RPC request accepted on `/mcp`.
const MAX_REQUEST_BYTES: usize = 4 << 20;

/// `/mcp` (Streamable HTTP) and `/mcp/sse` + `/mcp/messages/` (legacy SSE).
/// Host, Origin and bearer checks are applied around it by the caller.
pub fn router(
    server: McpServer,
    allowed_hosts: Vec<String>,
    shutdown: CancellationToken,
) -> Router {
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(allowed_hosts)
        .with_max_request_body_bytes(MAX_REQUEST_BYTES)
        .with_cancellation_token(shutdown);
    let factory = server.clone();
    let http = StreamableHttpService::new(
        move || Ok(factory.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    sse::router(server).route_service("/mcp", http)
}

/// Serves MCP on stdin/stdout until the client closes it.
///
/// # Errors
/// If the session cannot be established or ends with a transport error.
pub async fn serve_stdio(server: McpServer) -> anyhow::Result<()> {
    let running = server.serve(rmcp::transport::io::stdio()).await?;
    running.waiting().await?;
    Ok(())
}
