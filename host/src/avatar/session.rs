//! One browser session: wait for `start`, open the conversation (and the avatar),
//! then relay until either side ends, the session times out, or the host stops.
//!
//! Generic over the browser's halves (a [`Sink`] of [`ServerMessage`]s and a
//! [`Stream`] of [`Inbound`]s) so tests drive it with channels. Everything the
//! session starts is owned by [`Relaying`]: the vendor socket, the avatar link (its
//! drop stops the vendor session) and the tool calls (a `JoinSet`, aborted on drop),
//! so returning from [`Relay::run`] on any path leaves nothing behind.

use std::sync::Arc;
use std::time::Duration;

use futures::{Sink, SinkExt, Stream, StreamExt};
use serde_json::{Map, Value};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::audio;
use super::convai::{ConvaiEndpoint, Frame, VendorSink, VendorStream};
use super::events::{self, Event};
use super::protocol::{
    ClientMessage, ErrorCode, INPUT_SAMPLE_RATE, MAX_TEXT_CHARS, ServerMessage, ToolStatus,
};
use super::provider::{AvatarLink, AvatarProvider, Command};
use super::tools::ToolRunner;

/// How long a socket may stay open without sending `start`.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest base64 audio chunk accepted from the browser (about 2 s at 16 kHz).
const MAX_AUDIO_B64: usize = 96 * 1024;

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

type ToolDone = (String, String, Result<String, ToolFailure>);

enum ToolFailure {
    Error(String),
    Timeout,
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
        let mut relaying = Relaying {
            relay: self,
            sink: conversation.sink,
            avatar,
            avatar_voice,
            rate,
            tools: JoinSet::new(),
            gate: None,
            current: None,
            summary: Summary::default(),
        };
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

/// Why the relay loop stopped.
enum End {
    BrowserGone,
    Stopped,
    Vendor(Option<(u16, String)>),
    Timeout,
    Shutdown,
}

struct Relaying<'r> {
    relay: &'r Relay,
    sink: VendorSink,
    avatar: Option<AvatarLink>,
    /// The avatar's own audio reaches the browser over LiveKit: send it no audio.
    avatar_voice: bool,
    rate: u32,
    tools: JoinSet<ToolDone>,
    /// Turns up to this id were interrupted: their late audio is dropped.
    gate: Option<u64>,
    /// The latest agent turn seen.
    current: Option<u64>,
    summary: Summary,
}

/// What a step of the loop says to do next.
type Step = Result<(), End>;

impl Relaying<'_> {
    async fn run<O, I>(
        &mut self,
        out: &mut O,
        input: &mut I,
        mut vendor: VendorStream,
        shutdown: &CancellationToken,
    ) -> End
    where
        O: Sink<ServerMessage> + Unpin,
        I: Stream<Item = Inbound> + Unpin,
    {
        let deadline = tokio::time::sleep(self.relay.max_duration);
        tokio::pin!(deadline);
        loop {
            let step = tokio::select! {
                _ = shutdown.cancelled() => Err(End::Shutdown),
                _ = &mut deadline => Err(End::Timeout),
                frame = vendor.next() => match frame {
                    Some(Frame::Text(text)) => self.on_vendor(out, &text).await,
                    Some(Frame::Closed(c)) => Err(End::Vendor(c)),
                    None => Err(End::Vendor(None)),
                },
                inbound = input.next() => match inbound {
                    Some(inbound) => self.on_browser(out, inbound).await,
                    None => Err(End::BrowserGone),
                },
                Some(done) = self.tools.join_next(), if !self.tools.is_empty() => match done {
                    Ok(done) => self.on_tool_done(out, done).await,
                    Err(e) => {
                        tracing::warn!(error = %e, "tool task failed");
                        Ok(())
                    }
                },
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    async fn vendor_send(&mut self, frame: String) -> Step {
        self.sink.send(frame).await.map_err(|e| {
            tracing::debug!(error = %e, "vendor send failed");
            End::Vendor(None)
        })
    }

    async fn to_browser<O: Sink<ServerMessage> + Unpin>(out: &mut O, msg: ServerMessage) -> Step {
        out.send(msg).await.map_err(|_| End::BrowserGone)
    }

    fn gated(&self, event_id: u64) -> bool {
        self.gate.is_some_and(|g| event_id <= g)
    }

    fn avatar(&self, command: Command) {
        if let Some(a) = &self.avatar {
            a.send(command);
        }
    }

    async fn interrupt<O: Sink<ServerMessage> + Unpin>(
        &mut self,
        out: &mut O,
        event_id: u64,
    ) -> Step {
        self.gate = Some(self.gate.map_or(event_id, |g| g.max(event_id)));
        self.avatar(Command::Interrupt);
        Self::to_browser(out, ServerMessage::Interruption { event_id }).await
    }

    async fn on_vendor<O: Sink<ServerMessage> + Unpin>(&mut self, out: &mut O, text: &str) -> Step {
        let event = match events::parse(text) {
            Ok(e) => e,
            Err(e) => {
                tracing::debug!(error = %e, "unreadable vendor event ignored");
                return Ok(());
            }
        };
        match event {
            Event::Ping { event_id, .. } => {
                self.summary.pings_answered += 1;
                self.vendor_send(events::pong(event_id)).await
            }
            Event::Audio { event_id, audio } => {
                if self.gated(event_id) {
                    self.summary.late_audio_dropped += 1;
                    return Ok(());
                }
                self.current = Some(self.current.map_or(event_id, |c| c.max(event_id)));
                if self.avatar.is_some() {
                    let samples = audio::from_base64(&audio).unwrap_or_default();
                    self.avatar(Command::Audio {
                        event_id,
                        samples,
                        rate: self.rate,
                    });
                }
                if self.avatar_voice {
                    return Ok(());
                }
                Self::to_browser(
                    out,
                    ServerMessage::Audio {
                        event_id,
                        data: audio,
                    },
                )
                .await
            }
            Event::AgentResponse { event_id, text } => {
                if self.gated(event_id) {
                    return Ok(());
                }
                self.avatar(Command::Text {
                    event_id,
                    text: text.clone(),
                });
                Self::to_browser(out, ServerMessage::AgentResponse { event_id, text }).await
            }
            Event::AgentResponseCorrection { event_id, text } => {
                Self::to_browser(
                    out,
                    ServerMessage::AgentResponseCorrection { event_id, text },
                )
                .await
            }
            Event::UserTranscript { text, tentative } => {
                Self::to_browser(
                    out,
                    ServerMessage::UserTranscript {
                        text,
                        is_final: !tentative,
                    },
                )
                .await
            }
            Event::Interruption { event_id } => {
                let id = event_id.or(self.current).unwrap_or(0);
                self.interrupt(out, id).await
            }
            Event::ClientToolCall {
                tool_call_id,
                tool_name,
                parameters,
            } => {
                self.start_tool(out, tool_call_id, tool_name, parameters)
                    .await
            }
            Event::Error {
                code,
                error_type,
                message,
            } => {
                tracing::info!(
                    code,
                    error_type = error_type.as_deref().unwrap_or(""),
                    "vendor error event"
                );
                let msg = format!("agent error {}: {message}", error_type.unwrap_or_default());
                Self::to_browser(out, ServerMessage::error(ErrorCode::Agent, msg, false)).await
            }
            Event::Metadata(_) | Event::Other => Ok(()),
        }
    }

    async fn start_tool<O: Sink<ServerMessage> + Unpin>(
        &mut self,
        out: &mut O,
        call_id: String,
        name: String,
        args: Value,
    ) -> Step {
        self.summary.tool_calls += 1;
        let started = ServerMessage::Tool {
            call_id: call_id.clone(),
            name: name.clone(),
            status: ToolStatus::Started,
            detail: None,
        };
        Self::to_browser(out, started).await?;
        let call = self.relay.tools.call(&name, args);
        let timeout = self.relay.tool_timeout;
        self.tools.spawn(async move {
            let result = match tokio::time::timeout(timeout, call).await {
                Ok(Ok(answer)) => Ok(answer),
                Ok(Err(e)) => Err(ToolFailure::Error(e)),
                Err(_) => Err(ToolFailure::Timeout),
            };
            (call_id, name, result)
        });
        Ok(())
    }

    async fn on_tool_done<O: Sink<ServerMessage> + Unpin>(
        &mut self,
        out: &mut O,
        (call_id, name, result): ToolDone,
    ) -> Step {
        let (frame, status, detail) = match result {
            Ok(answer) => (
                events::client_tool_result(&call_id, &answer, false),
                ToolStatus::Ok,
                None,
            ),
            Err(ToolFailure::Error(e)) => (
                events::client_tool_result(&call_id, &e, true),
                ToolStatus::Error,
                Some(e),
            ),
            Err(ToolFailure::Timeout) => {
                let secs = self.relay.tool_timeout.as_secs_f32();
                let e = format!("tool {name} timed out after {secs} s");
                (
                    events::client_tool_result(&call_id, &e, true),
                    ToolStatus::Timeout,
                    Some(e),
                )
            }
        };
        self.vendor_send(frame).await?;
        Self::to_browser(
            out,
            ServerMessage::Tool {
                call_id,
                name,
                status,
                detail,
            },
        )
        .await
    }

    async fn on_browser<O: Sink<ServerMessage> + Unpin>(
        &mut self,
        out: &mut O,
        inbound: Inbound,
    ) -> Step {
        let bad = |m: &str| ServerMessage::error(ErrorCode::BadMessage, m, false);
        match inbound {
            Inbound::Message(ClientMessage::Audio { data }) => {
                if data.len() > MAX_AUDIO_B64 || audio::from_base64(&data).is_none() {
                    return Self::to_browser(
                        out,
                        bad("audio must be base64 PCM16, at most 2 s a chunk"),
                    )
                    .await;
                }
                self.vendor_send(events::user_audio(&data)).await
            }
            Inbound::Audio(bytes) => {
                if bytes.len() % 2 != 0 || bytes.len() > MAX_AUDIO_B64 * 3 / 4 {
                    return Self::to_browser(
                        out,
                        bad("binary audio must be PCM16, at most 2 s a chunk"),
                    )
                    .await;
                }
                self.vendor_send(events::user_audio(&base64_of(&bytes)))
                    .await
            }
            Inbound::Message(ClientMessage::Text { text }) => match clean_text(&text) {
                Some(t) => self.vendor_send(events::user_message(&t)).await,
                None => Self::to_browser(out, bad("text must be 1 to 2000 characters")).await,
            },
            Inbound::Message(ClientMessage::Context { text }) => match clean_text(&text) {
                Some(t) => self.vendor_send(events::contextual_update(&t)).await,
                None => Self::to_browser(out, bad("text must be 1 to 2000 characters")).await,
            },
            Inbound::Message(ClientMessage::Interrupt) => {
                let id = self.current.unwrap_or(0);
                self.interrupt(out, id).await?;
                self.vendor_send(events::user_activity()).await
            }
            Inbound::Message(ClientMessage::Stop) => Err(End::Stopped),
            Inbound::Message(ClientMessage::Start { .. }) => {
                Self::to_browser(
                    out,
                    ServerMessage::error(ErrorCode::BadState, "already started", false),
                )
                .await
            }
            Inbound::Invalid(reason) => Self::to_browser(out, bad(&reason)).await,
        }
    }

    /// Ends the session: tell the browser why, close the vendor socket, and let the
    /// drops stop the avatar and abort tool calls.
    async fn finish<O: Sink<ServerMessage> + Unpin>(mut self, out: &mut O, end: End) -> Summary {
        let timed_out = matches!(end, End::Timeout);
        let (reason, code) = match end {
            End::BrowserGone => ("browser closed".to_owned(), None),
            End::Stopped => ("stopped".to_owned(), None),
            End::Vendor(Some((code, reason))) => (
                format!("agent closed the conversation: {reason}"),
                Some(code),
            ),
            End::Vendor(None) => ("agent connection lost".to_owned(), None),
            End::Timeout => ("maximum session length reached".to_owned(), None),
            End::Shutdown => ("host shutting down".to_owned(), None),
        };
        if timed_out {
            let msg = ServerMessage::error(
                ErrorCode::Timeout,
                "the session reached its maximum length",
                true,
            );
            let _ = out.send(msg).await;
        }
        let _ = out
            .send(ServerMessage::Ended {
                reason: reason.clone(),
                vendor_code: code,
            })
            .await;
        let _ = tokio::time::timeout(Duration::from_secs(1), self.sink.close()).await;
        self.tools.abort_all();
        self.summary.reason = reason;
        self.summary.vendor_code = code;
        std::mem::take(&mut self.summary)
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Trimmed text within [`MAX_TEXT_CHARS`], or `None`.
fn clean_text(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty() && t.chars().count() <= MAX_TEXT_CHARS).then(|| t.to_owned())
}
