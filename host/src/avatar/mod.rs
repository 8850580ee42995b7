//! Browser avatar sessions (issue 6): the page at `/`, the session socket at
//! `GET /avatar/ws`, and the relay between the browser, an ElevenLabs ConvAI agent
//! and a streaming-avatar provider.
//!
//! [`Avatar::start`] picks the vendors from `[avatar]`: with no ElevenLabs key the
//! offline ConvAI stand-in (`sandbox::convai`) answers; `provider = "heygen"` without
//! a key uses the HeyGen stand-in (`sandbox::avatar`). Either way the relay's own
//! client code runs. Tool calls go through the registry, as MCP calls do.
//! [`protocol`] documents the browser messages; [`session`] is the relay itself;
//! [`tickets`] decides who may open the socket when the host has an API token.
//! At shutdown [`Avatar::drain`] waits (bounded) until every vendor session stopped.

pub mod audio;
pub mod convai;
pub mod events;
pub mod heygen;
pub mod liveavatar;
pub mod protocol;
pub mod provider;
mod relaying;
pub mod session;
pub mod tickets;
pub mod tools;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Query;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use futures::future::ready;
use futures::{SinkExt, StreamExt};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::services::{ServeDir, ServeFile};
use tracing::Instrument;

use crate::config::{AvatarSpec, ProviderSpec};
use crate::engine::Engine;
use crate::guard::Token;
use crate::registry::Registry;
use crate::sandbox;
use convai::ConvaiEndpoint;
use protocol::{ErrorCode, ServerMessage};
use provider::AvatarProvider;
use session::{Inbound, Relay};
use tickets::{Access, TICKET_TTL};

/// Largest frame a browser may send: a 2 s audio chunk in base64 with room to spare.
const MAX_BROWSER_FRAME: usize = 256 * 1024;
/// How long shutdown waits for sessions to end and vendor sessions to stop: a
/// driver's own stop bound (10 s) plus the ConvAI close (1 s) and slack.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(15);

/// Why a vendor step failed. Messages name the vendor and step, never a key or a
/// signed URL.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("convai signed url request failed: {reason}")]
    SignedUrl { reason: String },
    #[error("convai connection to {host} failed: {reason}")]
    Connect { host: String, reason: String },
    #[error("convai handshake failed: {0}")]
    Handshake(String),
    #[error("convai send failed: {0}")]
    Send(String),
    #[error("avatar provider {provider}: {step} failed: {reason}")]
    Provider {
        provider: &'static str,
        step: &'static str,
        reason: String,
    },
}

/// The running avatar service: vendors chosen, stand-ins started, sessions capped.
pub struct Avatar {
    relay: Relay,
    sessions: Arc<Semaphore>,
    spec: AvatarSpec,
    shutdown: CancellationToken,
    /// Browser sessions in flight: an upgraded socket leaves the HTTP server, so the
    /// server's graceful shutdown does not wait for it; [`Avatar::drain`] does.
    connections: TaskTracker,
    /// Stops the offline stand-ins, after the drain (or on drop): they must still
    /// answer the stop calls of the sessions ending at shutdown.
    stand_ins: CancellationToken,
}

impl Drop for Avatar {
    fn drop(&mut self) {
        self.stand_ins.cancel();
    }
}

impl Avatar {
    /// Chooses the vendors and starts the offline stand-ins they need.
    ///
    /// # Errors
    /// If a stand-in cannot bind a loopback port.
    pub async fn start(
        spec: &AvatarSpec,
        registry: Arc<Registry>,
        engine: Arc<Engine>,
        shutdown: CancellationToken,
    ) -> std::io::Result<Arc<Avatar>> {
        let stand_ins = CancellationToken::new();
        let convai = match &spec.elevenlabs {
            Some(el) => ConvaiEndpoint::new(&el.api_base, &el.id, &el.api_key),
            None => {
                let agent = sandbox::convai::AgentOptions {
                    quotation_tool: spec.offline_quotation_tool.clone(),
                    product_tool: Some(spec.offline_product_tool.clone()),
                    ..Default::default()
                };
                let s =
                    sandbox::convai::start(agent, Default::default(), stand_ins.clone()).await?;
                ConvaiEndpoint::new(&s.api_base, &s.agent_id, &s.api_key)
            }
        };
        let (provider, provider_offline): (Option<Arc<dyn AvatarProvider>>, bool) =
            match &spec.provider {
                ProviderSpec::None => (None, false),
                ProviderSpec::HeyGen(Some(acc)) => (
                    Some(Arc::new(heygen::HeyGen::new(
                        &acc.api_base,
                        &acc.api_key,
                        &acc.id,
                        acc.voice_id.as_deref(),
                    ))),
                    false,
                ),
                ProviderSpec::HeyGen(None) => {
                    let s = sandbox::avatar::start(stand_ins.clone()).await?;
                    (
                        Some(Arc::new(heygen::HeyGen::new(
                            &s.api_base,
                            &s.api_key,
                            "offline",
                            None,
                        ))),
                        true,
                    )
                }
                ProviderSpec::LiveAvatar(acc) => (
                    Some(Arc::new(liveavatar::LiveAvatar::new(
                        &acc.api_base,
                        &acc.api_key,
                        &acc.id,
                    ))),
                    false,
                ),
            };
        let mode = match (&spec.elevenlabs, &provider, provider_offline) {
            (None, _, _) => "offline",
            (Some(_), Some(_), false) => "avatar",
            (Some(_), _, _) => "voice",
        };
        tracing::info!(mode, frontend = %spec.frontend_dir.display(), "avatar sessions at /avatar/ws");
        let relay = Relay {
            convai,
            provider,
            provider_offline,
            tools: Arc::new(tools::RegistryTools::new(
                registry,
                engine,
                spec.tools.as_deref(),
            )),
            tool_timeout: spec.tool_timeout,
            max_duration: spec.max_session,
            mode,
            tracker: TaskTracker::new(),
        };
        Ok(Arc::new(Avatar {
            relay,
            sessions: Arc::new(Semaphore::new(spec.max_sessions)),
            spec: spec.clone(),
            shutdown,
            connections: TaskTracker::new(),
            stand_ins,
        }))
    }

    /// Serves one browser socket to the end of its session.
    async fn serve(self: Arc<Self>, socket: WebSocket) {
        let session_id = uuid::Uuid::new_v4().simple().to_string();
        let span =
            tracing::info_span!("avatar.session", session_id = %session_id, mode = self.relay.mode);
        async move {
            let (tx, rx) = socket.split();
            let mut out = tx.with(|m: ServerMessage| {
                ready(
                    serde_json::to_string(&m)
                        .map(|t| Message::Text(t.into()))
                        .map_err(axum::Error::new),
                )
            });
            let Ok(_permit) = self.sessions.clone().try_acquire_owned() else {
                let msg = "too many avatar sessions; try again shortly";
                let _ = out
                    .send(ServerMessage::error(ErrorCode::Busy, msg, true))
                    .await;
                let _ = out.close().await;
                return;
            };
            let input = rx
                .take_while(|m| ready(matches!(m, Ok(m) if !matches!(m, Message::Close(_)))))
                .filter_map(|m| ready(m.ok().and_then(inbound)));
            let summary = self
                .relay
                .run(
                    &session_id,
                    &mut out,
                    Box::pin(input),
                    self.shutdown.clone(),
                )
                .await;
            let _ = out.close().await;
            tracing::info!(
                reason = %summary.reason,
                tool_calls = summary.tool_calls,
                late_audio_dropped = summary.late_audio_dropped,
                "avatar session ended"
            );
        }
        .instrument(span)
        .await;
    }

    /// Shutdown, after the shutdown token is cancelled: waits up to `grace` for every
    /// browser session to end (closing its ConvAI conversation) and every avatar
    /// driver to stop its vendor session, then stops the offline stand-ins. Returns
    /// whether everything finished in time.
    pub async fn drain(&self, grace: Duration) -> bool {
        self.connections.close();
        self.relay.tracker.close();
        let all = async {
            self.connections.wait().await;
            self.relay.tracker.wait().await;
        };
        let done = tokio::time::timeout(grace, all).await.is_ok();
        if done {
            tracing::info!("avatar sessions ended and vendor sessions stopped");
        } else {
            tracing::warn!(
                sessions = self.connections.len(),
                vendor_sessions = self.relay.tracker.len(),
                grace_secs = grace.as_secs_f32(),
                "avatar shutdown grace ran out; these may still be open at the vendor"
            );
        }
        self.stand_ins.cancel();
        done
    }
}

fn inbound(m: Message) -> Option<Inbound> {
    match m {
        Message::Text(t) => Some(match protocol::parse_client(t.as_str()) {
            Ok(m) => Inbound::Message(m),
            Err(e) => Inbound::Invalid(e),
        }),
        Message::Binary(b) => Some(Inbound::Audio(b.to_vec())),
        _ => None,
    }
}

/// `GET /avatar/ws` query: the ticket is never logged (the trace span records the
/// path only).
#[derive(serde::Deserialize)]
struct WsQuery {
    ticket: Option<String>,
}

fn refuse(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

async fn ws(
    Extension(avatar): Extension<Arc<Avatar>>,
    Extension(access): Extension<Arc<Access>>,
    headers: HeaderMap,
    Query(query): Query<WsQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    if let Err(refusal) = access.admit(&headers, query.ticket.as_deref()) {
        tracing::info!(reason = %refusal, "avatar socket refused");
        return refuse(StatusCode::UNAUTHORIZED, refusal.to_string());
    }
    let connections = avatar.connections.clone();
    upgrade
        .max_message_size(MAX_BROWSER_FRAME)
        .on_upgrade(move |socket| connections.track_future(avatar.serve(socket)))
}

/// A single-use ticket for `GET /avatar/ws?ticket=…`, valid 60 s. With an API token
/// configured, this route needs `Authorization: Bearer <token>` (the guard checks it).
#[utoipa::path(post, path = "/avatar/tickets", tag = "avatar",
    responses(
        (status = 201, description = "A ticket: `{\"ticket\": \"…\", \"expires_in\": 60}`", body = Object),
        (status = 401, description = "The API token is configured and was not presented", body = Object),
        (status = 503, description = "Too many unused tickets; try again shortly", body = Object),
    ))]
pub(crate) async fn mint_ticket(Extension(access): Extension<Arc<Access>>) -> Response {
    match access.tickets.mint() {
        Ok(ticket) => {
            let body = serde_json::json!({ "ticket": ticket, "expires_in": TICKET_TTL.as_secs() });
            let mut resp = (StatusCode::CREATED, Json(body)).into_response();
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => refuse(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

/// `GET /avatar/ws`, `POST /avatar/tickets`, the page at `/` and its files under
/// `/ui/` and `/vendor/`; nothing when `[avatar] enabled = false`. With `api_token`
/// the socket needs a ticket or the token (see [`tickets`]).
pub fn router(avatar: Arc<Avatar>, api_token: Option<Token>) -> Router {
    if !avatar.spec.enabled {
        return Router::new();
    }
    let access = Arc::new(Access {
        api_token,
        ..Default::default()
    });
    let dir = avatar.spec.frontend_dir.clone();
    Router::new()
        .route("/avatar/ws", get(ws))
        .route("/avatar/tickets", post(mint_ticket))
        .route_service("/", ServeFile::new(dir.join("index.html")))
        .nest_service("/ui", ServeDir::new(&dir))
        .nest_service("/vendor", ServeDir::new(dir.join("vendor")))
        .layer(Extension(avatar))
        .layer(Extension(access))
}
