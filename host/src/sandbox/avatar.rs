//! A HeyGen-streaming-compatible control plane: `POST /v1/streaming.new`, `.start`,
//! `.task`, `.interrupt`, `.keep_alive`, `.stop` with `x-api-key` and HeyGen's
//! `{"code":100,"message":"success","data":{..}}` envelope, and `GET
//! /v2/streaming.list`. Sessions idle past `activity_idle_timeout` close, as HeyGen's do.
//!
//! There is no video: the LiveKit URL and token it hands out point at no room, so the
//! relay treats it as offline and the page draws its own avatar. It exists so the
//! real HeyGen client runs, and so tests can see every session was stopped.
//! [`liveavatar`] does the same for LiveAvatar's LITE mode.

pub mod liveavatar;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// One stand-in session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// `new`, `connected` or `closed`.
    pub status: &'static str,
    /// Texts sent with `streaming.task`.
    pub tasks: Vec<String>,
    pub interrupts: u32,
    pub keep_alives: u32,
    /// `streaming.stop` calls received.
    pub stops: u32,
    idle_timeout: Duration,
    last_activity: Instant,
}

/// Every session the stand-in has seen, for tests.
#[derive(Debug, Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>, AtomicU64);

impl Sessions {
    /// Makes every later `streaming.stop` take `delay` before it answers (a slow or
    /// hung vendor).
    pub fn delay_stops(&self, delay: Duration) {
        self.1.store(
            delay.as_millis().try_into().unwrap_or(u64::MAX),
            Ordering::SeqCst,
        );
    }

    /// A copy of all sessions by id.
    pub fn all(&self) -> HashMap<String, Session> {
        self.lock().clone()
    }

    /// Sessions not yet closed.
    pub fn open(&self) -> usize {
        self.lock()
            .values()
            .filter(|s| s.status != "closed")
            .count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for s in map.values_mut() {
            if s.status != "closed" && s.last_activity.elapsed() > s.idle_timeout {
                s.status = "closed";
            }
        }
        map
    }
}

/// A running stand-in.
#[derive(Clone)]
pub struct StandIn {
    pub api_base: String,
    pub api_key: String,
    pub sessions: Arc<Sessions>,
}

#[derive(Clone)]
struct Shared {
    api_key: String,
    sessions: Arc<Sessions>,
}

fn envelope(data: Value) -> Response {
    Json(json!({ "code": 100, "message": "success", "data": data })).into_response()
}

fn refuse(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        Json(json!({ "code": code, "message": message, "data": null })),
    )
        .into_response()
}

fn authorised(s: &Shared, headers: &HeaderMap) -> bool {
    headers.get("x-api-key").and_then(|v| v.to_str().ok()) == Some(s.api_key.as_str())
}

async fn new_session(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !authorised(&s, &headers) {
        return refuse(StatusCode::UNAUTHORIZED, 400_112, "Unauthorized");
    }
    let idle = body["activity_idle_timeout"]
        .as_u64()
        .unwrap_or(120)
        .clamp(30, 3600);
    let id = uuid::Uuid::new_v4().to_string();
    let session = Session {
        status: "new",
        tasks: Vec::new(),
        interrupts: 0,
        keep_alives: 0,
        stops: 0,
        idle_timeout: Duration::from_secs(idle),
        last_activity: Instant::now(),
    };
    s.sessions.lock().insert(id.clone(), session);
    envelope(json!({
        "session_id": id,
        "url": "wss://livekit.offline.invalid",
        "access_token": format!("offline.{}", uuid::Uuid::new_v4().simple()),
        "is_paid": false,
        "session_duration_limit": 600,
        "realtime_endpoint": null,
    }))
}

/// Applies `op` to a live session named in the body.
fn with_session(
    s: &Shared,
    headers: &HeaderMap,
    body: &Value,
    op: impl FnOnce(&mut Session) -> Value,
) -> Response {
    if !authorised(s, headers) {
        return refuse(StatusCode::UNAUTHORIZED, 400_112, "Unauthorized");
    }
    let id = body["session_id"].as_str().unwrap_or_default();
    let mut sessions = s.sessions.lock();
    match sessions.get_mut(id) {
        Some(session) if session.status != "closed" => {
            session.last_activity = Instant::now();
            envelope(op(session))
        }
        Some(_) => refuse(StatusCode::BAD_REQUEST, 10_005, "Session is closed"),
        None => refuse(StatusCode::BAD_REQUEST, 10_005, "Session not found"),
    }
}

async fn start_session(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    with_session(&s, &headers, &body, |session| {
        session.status = "connected";
        json!({ "status": "connected" })
    })
}

async fn task(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let text = body["text"].as_str().unwrap_or_default().to_owned();
    // About 70 ms a character: what HeyGen reports as the utterance's duration.
    let duration_ms = text.chars().count() as u64 * 70;
    with_session(&s, &headers, &body, move |session| {
        session.tasks.push(text);
        json!({ "duration_ms": duration_ms, "task_id": uuid::Uuid::new_v4().to_string() })
    })
}

async fn interrupt(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    with_session(&s, &headers, &body, |session| {
        session.interrupts += 1;
        Value::Null
    })
}

async fn keep_alive(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    with_session(&s, &headers, &body, |session| {
        session.keep_alives += 1;
        Value::Null
    })
}

async fn stop(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let delay = Duration::from_millis(s.sessions.1.load(Ordering::SeqCst));
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    with_session(&s, &headers, &body, |session| {
        session.stops += 1;
        session.status = "closed";
        Value::Null
    })
}

async fn list(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if !authorised(&s, &headers) {
        return refuse(StatusCode::UNAUTHORIZED, 400_112, "Unauthorized");
    }
    let sessions = s.sessions.all();
    let data: Vec<Value> = sessions
        .iter()
        .filter(|(_, v)| v.status != "closed")
        .map(|(id, v)| json!({ "session_id": id, "status": v.status }))
        .collect();
    Json(
        json!({ "code": 100, "message": "success", "data": { "total": data.len(), "data": data } }),
    )
    .into_response()
}

/// The stand-in's router.
fn router(shared: Shared) -> Router {
    Router::new()
        .route("/v1/streaming.new", post(new_session))
        .route("/v1/streaming.start", post(start_session))
        .route("/v1/streaming.task", post(task))
        .route("/v1/streaming.interrupt", post(interrupt))
        .route("/v1/streaming.keep_alive", post(keep_alive))
        .route("/v1/streaming.stop", post(stop))
        .route("/v2/streaming.list", get(list))
        .with_state(shared)
}

/// Serves the stand-in on an ephemeral loopback port with a fresh key.
///
/// # Errors
/// If no loopback port can be bound.
pub async fn start(shutdown: CancellationToken) -> std::io::Result<StandIn> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stand_in = StandIn {
        api_base: format!("http://{addr}"),
        api_key: uuid::Uuid::new_v4().simple().to_string(),
        sessions: Arc::default(),
    };
    let app = router(Shared {
        api_key: stand_in.api_key.clone(),
        sessions: stand_in.sessions.clone(),
    });
    // Lives as long as the host: stopped by the host's shutdown token.
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener.tap_io(super::convai::no_delay), app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
        {
            tracing::error!(error = %e, "heygen stand-in stopped");
        }
    });
    tracing::info!(%addr, "heygen stand-in started (no video; the page draws the avatar)");
    Ok(stand_in)
}
