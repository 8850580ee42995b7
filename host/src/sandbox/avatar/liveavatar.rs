//! A LiveAvatar-compatible control plane and LITE socket: `POST /v1/sessions/token`
//! (`X-API-KEY`), `/v1/sessions/start` and `/v1/sessions/stop` (Bearer session token),
//! and the `ws_url` socket that announces `session.state_updated: connected`, takes
//! `agent.speak` (≤ 1 MB a frame), `agent.speak_end`, `agent.interrupt` and
//! `session.keep_alive`, and answers with `agent.speak_started` / `agent.speak_ended`.
//! Like the HeyGen stand-in it has no video; it records what it was sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocket};
use axum::extract::{Path, Query, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::avatar::audio;

/// What one LITE session was sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiteSession {
    /// `created`, `connected` or `closed`.
    pub status: &'static str,
    /// Each `agent.speak`: its event id and sample count.
    pub frames: Vec<(String, usize)>,
    pub speak_ends: Vec<String>,
    pub interrupts: u32,
    pub keep_alives: u32,
}

/// A running stand-in.
#[derive(Clone)]
pub struct StandIn {
    pub api_base: String,
    pub api_key: String,
    /// Sessions by id.
    pub sessions: Arc<Mutex<HashMap<String, LiteSession>>>,
}

impl StandIn {
    /// A copy of every session.
    pub fn all(&self) -> HashMap<String, LiteSession> {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[derive(Clone)]
struct Shared {
    stand_in: StandIn,
    ws_base: String,
    /// Session token → session id.
    tokens: Arc<Mutex<HashMap<String, String>>>,
}

impl Shared {
    fn session_of(&self, headers: &HeaderMap) -> Option<String> {
        let token = headers
            .get("authorization")?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")?;
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut LiteSession)) {
        if let Some(s) = self
            .stand_in
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(id)
        {
            f(s);
        }
    }
}

fn ok(status: StatusCode, data: Value) -> Response {
    (
        status,
        Json(json!({ "code": 100, "message": "success", "data": data })),
    )
        .into_response()
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "code": 4001, "message": message, "data": null })),
    )
        .into_response()
}

async fn token(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(s.stand_in.api_key.as_str()) {
        return refuse(StatusCode::UNAUTHORIZED, "Invalid API key");
    }
    if body["mode"] != "LITE" {
        return refuse(StatusCode::BAD_REQUEST, "only LITE mode is simulated");
    }
    let (id, token) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().simple().to_string(),
    );
    s.tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(token.clone(), id.clone());
    let session = LiteSession {
        status: "created",
        ..Default::default()
    };
    s.stand_in
        .sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.clone(), session);
    ok(
        StatusCode::OK,
        json!({ "session_id": id, "session_token": token }),
    )
}

async fn start(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let Some(id) = s.session_of(&headers) else {
        return refuse(StatusCode::UNAUTHORIZED, "Invalid session token");
    };
    let ws_url = format!("{}/v1/sessions/ws/{id}", s.ws_base);
    ok(
        StatusCode::CREATED,
        json!({
            "session_id": id, "livekit_url": "wss://livekit.offline.invalid",
            "livekit_client_token": format!("offline.{}", uuid::Uuid::new_v4().simple()),
            "livekit_agent_token": null, "max_session_duration": 1200, "ws_url": ws_url,
        }),
    )
}

async fn stop(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let Some(id) = s.session_of(&headers) else {
        return refuse(StatusCode::UNAUTHORIZED, "Invalid session token");
    };
    s.update(&id, |session| session.status = "closed");
    ok(StatusCode::OK, Value::Null)
}

async fn ws(
    State(s): State<Shared>,
    Path(id): Path<String>,
    Query(_q): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let known = s
        .stand_in
        .sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains_key(&id);
    if !known {
        return refuse(StatusCode::NOT_FOUND, "Session not found");
    }
    upgrade
        .max_message_size(1 << 20)
        .on_upgrade(move |socket| lite(socket, s, id))
}

async fn lite(socket: WebSocket, s: Shared, id: String) {
    let (mut tx, mut rx) = socket.split();
    s.update(&id, |session| session.status = "connected");
    let connected = json!({ "type": "session.state_updated", "state": "connected" });
    if tx
        .send(Message::Text(connected.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    let mut speaking: Option<String> = None;
    while let Some(Ok(Message::Text(t))) = rx.next().await {
        let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
        let event_id = v["event_id"].as_str().unwrap_or_default().to_owned();
        let reply = match v["type"].as_str().unwrap_or_default() {
            "agent.speak" => {
                let samples = v["audio"]
                    .as_str()
                    .and_then(audio::from_base64)
                    .map_or(0, |a| a.len());
                s.update(&id, |session| {
                    session.frames.push((event_id.clone(), samples))
                });
                (speaking.as_deref() != Some(&event_id)).then(|| {
                    speaking = Some(event_id.clone());
                    json!({ "type": "agent.speak_started", "event_id": event_id })
                })
            }
            "agent.speak_end" => {
                s.update(&id, |session| session.speak_ends.push(event_id.clone()));
                speaking = None;
                Some(json!({ "type": "agent.speak_ended", "event_id": event_id }))
            }
            "agent.interrupt" => {
                s.update(&id, |session| session.interrupts += 1);
                speaking = None;
                None
            }
            "session.keep_alive" => {
                s.update(&id, |session| session.keep_alives += 1);
                None
            }
            _ => None,
        };
        if let Some(r) = reply
            && tx.send(Message::Text(r.to_string().into())).await.is_err()
        {
            break;
        }
    }
}

/// Serves the stand-in on an ephemeral loopback port with a fresh key.
///
/// # Errors
/// If no loopback port can be bound.
pub async fn start_server(shutdown: CancellationToken) -> std::io::Result<StandIn> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stand_in = StandIn {
        api_base: format!("http://{addr}"),
        api_key: uuid::Uuid::new_v4().simple().to_string(),
        sessions: Arc::default(),
    };
    let shared = Shared {
        stand_in: stand_in.clone(),
        ws_base: format!("ws://{addr}"),
        tokens: Arc::default(),
    };
    let app = Router::new()
        .route("/v1/sessions/token", post(token))
        .route("/v1/sessions/start", post(start))
        .route("/v1/sessions/stop", post(stop))
        .route("/v1/sessions/ws/{id}", get(ws))
        .with_state(shared);
    // Lives as long as its owner's shutdown token.
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener.tap_io(crate::sandbox::convai::no_delay), app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
        {
            tracing::error!(error = %e, "liveavatar stand-in stopped");
        }
    });
    Ok(stand_in)
}
