//! One browser session: wait for `start`, open the conversation (and the avatar),
//! then relay until either side ends, the session times out, or the host stops.
//!
//! Generic over the browser's halves (a [`Sink`] of [`ServerMessage`]s and a
//! [`Stream`] of [`Inbound`]s) so tests drive it with channels. Everything the
//! session starts is owned by the relay loop (`relaying`): the vendor socket, the avatar link (its
//! drop stops the vendor session) and the tool calls (a `JoinSet`, aborted on drop),
//! so returning from [`Relay::run`] on any path leaves nothing behind.

use std::sync::Arc;
use std::time::Duration;

use futures::{Sink, SinkExt, Stream, StreamExt};
use serde_json::{Map, Value};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::convai::ConvaiEndpoint;
use super::protocol::{ClientMessage, ErrorCode, INPUT_SAMPLE_RATE, ServerMessage};
use super::provider::{AvatarLink, AvatarProvider};
use super::relaying::Relaying;
use super::tools::ToolRunner;

/// How long a socket may stay open without sending `start`.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// What the browser sent, as the socket adapter decoded it.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    Message(ClientMessage),
    /// A binary frame: raw PCM16LE at 16 kHz.
    Audio(Vec<u8>),
    /// A frame that could not be decoded, with the reason.
    Invalid(String),
}

/// How a session ended, for logs and tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub reason: String,
    pub vendor_code: Option<u16>,
    /// Agent audio chunks dropped because their turn was interrupted.
    pub late_audio_dropped: u64,
    pub tool_calls: u64,
    pub pings_answered: u64,
}

/// Everything a session needs; one per host, shared by all sessions.
pub struct Relay {
    pub convai: ConvaiEndpoint,
    pub provider: Option<Arc<dyn AvatarProvider>>,
    /// The provider is an offline stand-in: its LiveKit room does not exist, so the
    /// browser plays the agent audio and draws the avatar.
    pub provider_offline: bool,
    pub tools: Arc<dyn ToolRunner>,
    pub tool_timeout: Duration,
    pub max_duration: Duration,
    /// `offline`, `voice` or `avatar`.
    pub mode: &'static str,
    /// Owns the avatar drivers, so shutdown can wait for their stop calls.
    pub tracker: TaskTracker,
}

impl Relay {
    /// Runs one session to its end.
    pub async fn run<O, I>(
        &self,
        session_id: &str,
        mut out: O,
        mut input: I,
        shutdown: CancellationToken,
    ) -> Summary
    where
        O: Sink<ServerMessage> + Unpin,
        I: Stream<Item = Inbound> + Unpin,
    {
        let vars = tokio::select! {
            _ = shutdown.cancelled() => return ended(&mut out, "host shutting down", None).await,
            start = wait_for_start(&mut out, &mut input) => match start {
                Some(vars) => vars,
                None => return Summary { reason: "closed before start".into(), ..Default::default() },
            },
        };
        let mut vars = vars;
        vars.insert("session_id".into(), session_id.into());
        let avatar = async {
            match &self.provider {
                Some(p) => Some(AvatarLink::open(p, &self.tracker).await),
                None => None,
            }
        };
        let (conversation, avatar) = tokio::join!(self.convai.open(&vars), avatar);
        let conversation = match conversation {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "conversation did not open");
                let _ = out
                    .send(ServerMessage::error(ErrorCode::Agent, e.to_string(), true))
                    .await;
                return ended(&mut out, "agent unavailable", None).await;
            }
        };
        let rate = conversation
            .metadata
            .output_sample_rate()
            .unwrap_or(INPUT_SAMPLE_RATE);
        let session = ServerMessage::Session {
            session_id: session_id.to_owned(),
            conversation_id: conversation.metadata.conversation_id.clone(),
            mode: self.mode.to_owned(),
            input_sample_rate: INPUT_SAMPLE_RATE,
            output_sample_rate: rate,
        };
        if out.send(session).await.is_err() {
            return Summary {
                reason: "browser gone".into(),
                ..Default::default()
            };
        }
        let avatar = match avatar {
            Some(Ok(link)) => Some(link),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "avatar did not start; voice only");
                let _ = out
                    .send(ServerMessage::error(
                        ErrorCode::Avatar,
                        e.to_string(),
                        false,
                    ))
                    .await;
                None
            }
            None => None,
        };
        let avatar_voice = !self.provider_offline
            && avatar
                .as_ref()
                .is_some_and(|a| a.details().livekit_url.is_some());
        if let Some(link) = &avatar {
            let d = link.details();
            let (livekit_url, token) = if self.provider_offline {
                (None, None)
            } else {
                (d.livekit_url.clone(), d.token.clone())
            };
            let _ = out
                .send(ServerMessage::Avatar {
                    provider: d.provider.clone(),
                    livekit_url,
                    token,
                })
                .await;
        }
        let mut relaying = Relaying::new(self, conversation.sink, avatar, avatar_voice, rate);
        let end = relaying
            .run(&mut out, &mut input, conversation.stream, &shutdown)
            .await;
        relaying.finish(&mut out, end).await
    }
}

/// Reads until `start`; `None` if the socket closes, stops or idles first.
async fn wait_for_start<O, I>(out: &mut O, input: &mut I) -> Option<Map<String, Value>>
where
    O: Sink<ServerMessage> + Unpin,
    I: Stream<Item = Inbound> + Unpin,
{
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let next = tokio::time::timeout_at(deadline, input.next())
            .await
            .ok()??;
        match next {
            Inbound::Message(ClientMessage::Start {
                language,
                user_name,
                text_only,
            }) => {
                let mut vars = Map::new();
                let language = match language.as_deref() {
                    Some("en") => "en",
                    _ => "es",
                };
                vars.insert("language".into(), language.into());
                vars.insert("channel".into(), "web_avatar".into());
                vars.insert("text_only".into(), text_only.into());
                let name: String = user_name.unwrap_or_default().chars().take(80).collect();
                vars.insert("user_name".into(), name.trim().into());
                return Some(vars);
            }
            Inbound::Message(ClientMessage::Stop) => return None,
            Inbound::Invalid(reason) => {
                out.send(ServerMessage::error(ErrorCode::BadMessage, reason, false))
                    .await
                    .ok()?;
            }
            Inbound::Message(_) | Inbound::Audio(_) => {
                let msg = "send start first";
                out.send(ServerMessage::error(ErrorCode::BadState, msg, false))
                    .await
                    .ok()?;
            }
        }
    }
}

async fn ended<O: Sink<ServerMessage> + Unpin>(
    out: &mut O,
    reason: &str,
    vendor_code: Option<u16>,
) -> Summary {
    let _ = out
        .send(ServerMessage::Ended {
            reason: reason.to_owned(),
            vendor_code,
        })
        .await;
    Summary {
        reason: reason.to_owned(),
        vendor_code,
        ..Default::default()
    }
}
