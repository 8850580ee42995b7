//! The MCP server handler: `tools/list` from the live catalogue, `tools/call` into
//! the engine, and `notifications/tools/list_changed` on catalogue changes.
//!
//! rmcp makes one handler per session; they share the registry and engine.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, SubscriptionFilter,
};
use rmcp::service::{NotificationContext, RequestContext, SubscriptionContext};
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use tokio::sync::broadcast::error::RecvError;

use super::convert;
use crate::engine::Engine;
use crate::registry::{CallError, Registry};

/// How often a legacy session's notifier checks whether its client went away.
const PEER_CHECK: Duration = Duration::from_secs(5);

/// Serves the registry's tools to one MCP session.
#[derive(Clone)]
pub struct McpServer {
    registry: Arc<Registry>,
    engine: Arc<Engine>,
}

impl McpServer {
    pub fn new(registry: Arc<Registry>, engine: Arc<Engine>) -> McpServer {
        McpServer { registry, engine }
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        let caps = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .build();
        ServerConfig::new(caps)
            .with_server_info(Implementation::new("daniel", env!("CARGO_PKG_VERSION")))
            .with_instructions("Tools for the company's Odoo ERP: CRM, sales, projects, tasks, users, search and WhatsApp hand-off.")
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let catalog = self.registry.catalog();
        Ok(ListToolsResult::with_all_items(
            catalog.tools().map(|t| convert::tool(t)).collect(),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let args = request
            .arguments
            .map(serde_json::Value::Object)
            .unwrap_or_default();
        match self.registry.call(&self.engine, &request.name, args).await {
            Ok(out) => Ok(convert::success(out).into()),
            Err(CallError::UnknownTool(name)) => Err(McpError::invalid_params(
                format!("unknown tool {name:?}; call tools/list for the current catalogue"),
                None,
            )),
            Err(e) => Ok(convert::failure(&e).into()),
        }
    }

    /// Legacy sessions (protocol ≤ 2025-11-25) get notifications on their stream.
    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        let mut changes = self.registry.subscribe();
        let peer = context.peer;
        // Owned by the session: ends when the client disconnects (checked on every
        // change and every PEER_CHECK), so sessions never leak notifier tasks.
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    change = changes.recv() => match change {
                        Ok(_) | Err(RecvError::Lagged(_)) => {
                            if peer.notify_tool_list_changed().await.is_err() { break; }
                        }
                        Err(RecvError::Closed) => break,
                    },
                    () = tokio::time::sleep(PEER_CHECK) => if peer.is_transport_closed() { break },
                }
            }
        });
    }

    /// 2026-07-28 clients ask for notifications with `subscriptions/listen`.
    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(requested.supported_by(&self.get_info().capabilities))
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), McpError> {
        let mut changes = self.registry.subscribe();
        loop {
            tokio::select! {
                () = context.cancelled() => return Ok(()),
                change = changes.recv() => match change {
                    Ok(_) | Err(RecvError::Lagged(_)) => {
                        if context.sink().notify_tool_list_changed().await.is_err() { return Ok(()); }
                    }
                    Err(RecvError::Closed) => return Ok(()),
                },
            }
        }
    }
}
