//! The relay loop of one open session: vendor events to the browser (and the
//! avatar), browser input to the vendor, tool calls through the registry.
//!
//! Interruptions gate agent audio by event id: once turn N is interrupted no chunk of
//! a turn ≤ N reaches the browser or the avatar, however late it arrives (vendors do
//! send such chunks; ElevenLabs' own SDK had to fix the same bug).

use std::time::Duration;

use futures::{Sink, SinkExt, Stream, StreamExt};
use serde_json::Value;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::audio;
use super::convai::{Frame, VendorSink, VendorStream};
use super::events::{self, Event};
use super::protocol::{ClientMessage, ErrorCode, MAX_TEXT_CHARS, ServerMessage, ToolStatus};
use super::provider::{AvatarLink, Command};
use super::session::{Inbound, Relay, Summary};

/// Largest base64 audio chunk accepted from the browser (about 2 s at 16 kHz).
const MAX_AUDIO_B64: usize = 96 * 1024;

type ToolDone = (String, String, Result<String, ToolFailure>);

enum ToolFailure {
    Error(String),
    Timeout,
}

/// Why the relay loop stopped.
pub(super) enum End {
    BrowserGone,
    Stopped,
    Vendor(Option<(u16, String)>),
    Timeout,
    Shutdown,
}

pub(super) struct Relaying<'r> {
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

impl<'r> Relaying<'r> {
    pub(super) fn new(
        relay: &'r Relay,
        sink: VendorSink,
        avatar: Option<AvatarLink>,
        avatar_voice: bool,
        rate: u32,
    ) -> Relaying<'r> {
        Relaying {
            relay,
            sink,
            avatar,
            avatar_voice,
            rate,
            tools: JoinSet::new(),
            gate: None,
            current: None,
            summary: Summary::default(),
        }
    }

    pub(super) async fn run<O, I>(
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
    pub(super) async fn finish<O: Sink<ServerMessage> + Unpin>(
        mut self,
        out: &mut O,
        end: End,
    ) -> Summary {
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
