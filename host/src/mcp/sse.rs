//! The legacy HTTP+SSE transport (MCP 2024-11-05), kept for agents configured
//! against the system we replace: `GET /mcp/sse` opens an event stream whose first
//! `endpoint` event names the POST URL; `POST /mcp/messages/?session_id=…` takes
//! JSON-RPC messages, and every answer travels back on the stream.
//!
//! rmcp no longer ships this transport, so each stream is bridged to an rmcp
//! session through a pair of channels.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::{Stream, StreamExt};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::{RoleServer, ServiceExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::PollSender;

use super::McpServer;

/// Messages buffered per direction before a slow side applies back-pressure.
const CHANNEL_DEPTH: usize = 64;

type Sessions = Arc<Mutex<HashMap<String, mpsc::Sender<RxJsonRpcMessage<RoleServer>>>>>;

#[derive(Clone)]
struct SseState {
    server: McpServer,
    sessions: Sessions,
}

/// `GET /mcp/sse` and `POST /mcp/messages/`.
pub(crate) fn router(server: McpServer) -> Router {
    let state = SseState {
        server,
        sessions: Sessions::default(),
    };
    Router::new()
        .route("/mcp/sse", get(open))
        .route("/mcp/messages/", post(message))
        .route("/mcp/messages", post(message))
        .with_state(state)
}

/// Removes the session when the client's stream is dropped; dropping its sender
/// ends the rmcp session too.
struct SessionGuard {
    id: String,
    sessions: Sessions,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
        tracing::debug!(session = %self.id, "sse session closed");
    }
}

async fn open(State(state): State<SseState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (to_server, from_client) = mpsc::channel::<RxJsonRpcMessage<RoleServer>>(CHANNEL_DEPTH);
    let (to_client, from_server) = mpsc::channel::<TxJsonRpcMessage<RoleServer>>(CHANNEL_DEPTH);
    state
        .sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.clone(), to_server);
    let transport = (PollSender::new(to_client), ReceiverStream::new(from_client));
    let server = state.server.clone();
    // Lives as long as the session: it ends when the guard below drops the sender.
    tokio::spawn(async move {
        match server.serve(transport).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(e) => tracing::debug!(error = %e, "sse session ended before initialisation"),
        }
    });
    let guard = SessionGuard {
        id: id.clone(),
        sessions: state.sessions.clone(),
    };
    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("/mcp/messages/?session_id={id}"));
    let messages = ReceiverStream::new(from_server).map(move |msg| {
        let _keep = &guard;
        let data = serde_json::to_string(&msg).unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot serialise MCP message");
            "{}".into()
        });
        Ok(Event::default().event("message").data(data))
    });
    tracing::debug!(session = %id, "sse session opened");
    Sse::new(futures::stream::once(async { Ok(endpoint) }).chain(messages))
        .keep_alive(KeepAlive::default())
}

#[derive(serde::Deserialize)]
struct SessionQuery {
    session_id: String,
}

async fn message(
    State(state): State<SseState>,
    Query(q): Query<SessionQuery>,
    body: axum::body::Bytes,
) -> Response {
    let sender = state
        .sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&q.session_id)
        .cloned();
    let Some(sender) = sender else {
        return (
            StatusCode::NOT_FOUND,
            "unknown or closed session_id; open GET /mcp/sse again",
        )
            .into_response();
    };
    let msg: RxJsonRpcMessage<RoleServer> = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({"error": format!("not a JSON-RPC message: {e}")})),
            )
                .into_response();
        }
    };
    match sender.send(msg).await {
        Ok(()) => (StatusCode::ACCEPTED, "Accepted").into_response(),
        Err(_) => (StatusCode::GONE, "session closed").into_response(),
    }
}
