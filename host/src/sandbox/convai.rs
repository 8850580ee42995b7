//! An ElevenLabs-ConvAI-compatible server: `GET /v1/convai/conversation/get-signed-url`
//! (checked `xi-api-key`) and the conversation WebSocket at `/v1/convai/conversation`
//! (a single-use token from the signed URL, valid 15 minutes), speaking the protocol
//! of `shared/reference/avatar-protocols.md` §1: metadata first, monotonic event ids,
//! pings that must be ponged, `agent_response` with the first audio chunk,
//! interruption and correction on barge-in, client tool round trips with a timeout,
//! error events and close codes.
//!
//! Its agent is the rules-based seller of [`agent`], voiced by espeak-ng ([`voice`])
//! and hearing through PocketSphinx held to a grammar of the sale ([`hearing`]).
//! [`Faults`] injects the vendor misbehaviour the relay must survive; [`Stats`] lets
//! tests see what the relay sent.

mod agent;
mod client;
mod conversation;
mod extract;
mod hearing;
mod quote;
mod subprocess;
mod voice;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use serde_json::json;
use tokio_util::sync::CancellationToken;

pub use agent::{Action, Agent, Product, catalogue};
pub use hearing::{HearingKind, available as hearing_available};
pub use voice::{VoiceKind, speak};

/// ElevenLabs' signed-URL lifetime.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The agent's configuration, as an ElevenLabs agent is configured in its dashboard.
#[derive(Debug, Clone)]
pub struct AgentOptions {
    /// Client tool that creates a quotation.
    pub quotation_tool: String,
    /// Client tool that looks products up; the seed catalogue when absent or failing.
    pub product_tool: Option<String>,
    /// Client tool reporting a queued quotation's outcome, polled until it is final.
    pub status_tool: Option<String>,
    pub voice: VoiceKind,
    /// Whether spoken turns are recognized (else a placeholder transcript).
    pub hearing: HearingKind,
    /// `agent_output_audio_format` rate.
    pub output_rate: u32,
    /// Speak a first message.
    pub greet: bool,
    /// `conversation.max_duration_seconds`.
    pub max_duration: Duration,
}

impl Default for AgentOptions {
    fn default() -> Self {
        AgentOptions {
            quotation_tool: "dev_create_quotation".into(),
            product_tool: Some("find_products".into()),
            status_tool: Some("dev_get_quotation_status".into()),
            voice: VoiceKind::Auto,
            hearing: HearingKind::Auto,
            output_rate: 16_000,
            greet: true,
            max_duration: Duration::from_secs(600),
        }
    }
}

/// Vendor misbehaviour to inject (all off by default, timings as ElevenLabs').
#[derive(Debug, Clone)]
pub struct Faults {
    /// Delay before the first audio chunk of every turn.
    pub first_audio_delay: Duration,
    /// Audio per chunk, in milliseconds.
    pub chunk_ms: u32,
    /// Pause between chunks (faster than real time, as the vendor streams).
    pub chunk_interval: Duration,
    /// Chunks of an interrupted turn still sent after the `interruption`.
    pub late_chunks_after_interrupt: usize,
    /// Drop the connection, without a close frame, after the first audio chunk of
    /// the first turn that answers the user.
    pub disconnect_mid_turn: bool,
    pub ping_interval: Duration,
    /// Close with 1002 when a ping is not answered within this.
    pub pong_timeout: Duration,
    /// How long the agent waits for a `client_tool_result`.
    pub tool_timeout: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            first_audio_delay: Duration::ZERO,
            chunk_ms: 250,
            chunk_interval: Duration::from_millis(100),
            late_chunks_after_interrupt: 0,
            disconnect_mid_turn: false,
            ping_interval: Duration::from_secs(5),
            pong_timeout: Duration::from_secs(10),
            tool_timeout: Duration::from_secs(20),
        }
    }
}

/// A tool result the stand-in received.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    pub tool: String,
    pub result: String,
    pub is_error: bool,
}

/// What happened on the stand-in, for tests.
#[derive(Debug, Default)]
pub struct Stats {
    pub conversations: AtomicU64,
    pub open: AtomicU64,
    pub pings: AtomicU64,
    pub pongs: AtomicU64,
    pub user_audio_chunks: AtomicU64,
    pub tool_results: Mutex<Vec<ToolResult>>,
    /// Close codes the stand-in sent.
    pub closes: Mutex<Vec<u16>>,
}

impl Stats {
    /// A counter's value.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::SeqCst)
    }

    /// Tool results received so far.
    pub fn tool_results(&self) -> Vec<ToolResult> {
        self.tool_results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Close codes sent so far.
    pub fn closes(&self) -> Vec<u16> {
        self.closes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// A running stand-in: where it is and the credentials it accepts.
#[derive(Clone)]
pub struct StandIn {
    pub api_base: String,
    pub api_key: String,
    pub agent_id: String,
    pub stats: Arc<Stats>,
}

struct Shared {
    api_key: String,
    agent_id: String,
    ws_base: String,
    agent: AgentOptions,
    faults: Faults,
    catalogue: Vec<Product>,
    /// The speech recognizer for `catalogue`, made when someone first speaks.
    ears: hearing::LazyEars,
    tokens: Mutex<HashMap<String, Instant>>,
    stats: Arc<Stats>,
    shutdown: CancellationToken,
}

#[derive(serde::Deserialize)]
struct AgentQuery {
    agent_id: Option<String>,
    token: Option<String>,
}

fn detail(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "detail": { "status": kind, "message": message } })),
    )
        .into_response()
}

async fn signed_url(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<AgentQuery>,
) -> Response {
    if headers.get("xi-api-key").and_then(|v| v.to_str().ok()) != Some(s.api_key.as_str()) {
        return detail(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "Invalid API key",
        );
    }
    if q.agent_id.as_deref() != Some(s.agent_id.as_str()) {
        return detail(StatusCode::NOT_FOUND, "agent_not_found", "Agent not found");
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let mut tokens = s.tokens.lock().unwrap_or_else(|e| e.into_inner());
    tokens.retain(|_, at| at.elapsed() < TOKEN_LIFETIME);
    tokens.insert(token.clone(), Instant::now());
    let url = format!(
        "{}/v1/convai/conversation?agent_id={}&token={token}",
        s.ws_base, s.agent_id
    );
    Json(json!({ "signed_url": url })).into_response()
}

async fn conversation(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<AgentQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let by_key =
        headers.get("xi-api-key").and_then(|v| v.to_str().ok()) == Some(s.api_key.as_str());
    let by_token = q.token.as_ref().is_some_and(|t| {
        let mut tokens = s.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens
            .remove(t)
            .is_some_and(|at| at.elapsed() < TOKEN_LIFETIME)
    });
    if !(by_key || by_token) {
        return detail(
            StatusCode::FORBIDDEN,
            "invalid_token",
            "Invalid or expired conversation token",
        );
    }
    if q.agent_id.as_deref() != Some(s.agent_id.as_str()) {
        return detail(StatusCode::NOT_FOUND, "agent_not_found", "Agent not found");
    }
    upgrade
        .protocols(["convai"])
        .max_message_size(1 << 20)
        .on_upgrade(move |socket| conversation::run(socket, s))
}

/// The stand-in's router, for a server already bound to `ws_base`'s address.
fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/convai/conversation/get-signed-url", get(signed_url))
        .route("/v1/convai/conversation", get(conversation))
        .with_state(shared)
}

/// Serves the stand-in on an ephemeral loopback port with fresh credentials.
///
/// # Errors
/// If no loopback port can be bound.
pub async fn start(
    agent: AgentOptions,
    faults: Faults,
    shutdown: CancellationToken,
) -> std::io::Result<StandIn> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stats = Arc::new(Stats::default());
    let stand_in = StandIn {
        api_base: format!("http://{addr}"),
        api_key: format!("sk_offline_{}", uuid::Uuid::new_v4().simple()),
        agent_id: "agent_offline_sales".into(),
        stats: stats.clone(),
    };
    let shared = Arc::new(Shared {
        api_key: stand_in.api_key.clone(),
        agent_id: stand_in.agent_id.clone(),
        ws_base: format!("ws://{addr}"),
        agent,
        faults,
        catalogue: catalogue(daniel_odoo_sandbox::DEFAULT_SEED),
        ears: hearing::LazyEars::default(),
        tokens: Mutex::default(),
        stats,
        shutdown: shutdown.clone(),
    });
    let app = router(shared);
    // Lives as long as the host: stopped by the host's shutdown token.
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener.tap_io(no_delay), app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
        {
            tracing::error!(error = %e, "convai stand-in stopped");
        }
    });
    tracing::info!(%addr, "convai stand-in started (offline sales agent)");
    Ok(stand_in)
}

/// Small frames go out at once: Nagle plus the peer's delayed ACK would hold some
/// for ~40 ms, which streaming audio cannot afford.
pub(crate) fn no_delay(tcp: &mut tokio::net::TcpStream) {
    let _ = tcp.set_nodelay(true);
}
