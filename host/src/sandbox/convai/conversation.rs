//! One stand-in conversation: the server side of the ConvAI socket.
//!
//! A single loop owns the socket and every timer: audio chunks paced out of a queue,
//! pings and their pong deadline, the pending tool call's deadline, and speech being
//! synthesized and utterances being recognized (`JoinSet`s, so nothing outlives the
//! conversation). Barge-in is detected on typed messages and by an energy VAD on the
//! user's audio, which also cuts it into utterances.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until};

use super::Shared;
use super::agent::{Agent, Lang};
use super::hearing::Heard;
use super::voice::{self, Speech};
use crate::avatar::audio;

/// Level above which user audio counts as speech.
pub(super) const VAD_THRESHOLD: f32 = 0.02;
/// Trailing silence that ends a user utterance.
pub(super) const END_OF_TURN: Duration = Duration::from_millis(600);
/// The most audio of one utterance kept for the recognizer: 30 s at 16 kHz.
pub(super) const MAX_UTTERANCE: usize = 30 * 16_000;
/// How long the client has to send its first frame.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// A long way off, for timers that are not armed.
const NEVER: Duration = Duration::from_secs(86_400);

pub(super) struct Turn {
    pub(super) event_id: u64,
    pub(super) text: String,
    pub(super) total: usize,
    pub(super) sent: usize,
    pub(super) response_sent: bool,
}

pub(super) struct Chunk {
    pub(super) event_id: u64,
    pub(super) samples: Vec<i16>,
}

pub(super) struct Pending {
    pub(super) call_id: String,
    pub(super) tool: String,
    pub(super) deadline: Instant,
}

/// Why the loop ends: a close code and reason, or an abrupt drop.
pub(super) enum Exit {
    Close(u16, &'static str),
    Drop,
    ClientGone,
}

pub(super) struct Conv {
    pub(super) tx: SplitSink<WebSocket, Message>,
    pub(super) s: Arc<Shared>,
    pub(super) agent: Agent,
    pub(super) next_id: u64,
    pub(super) queue: VecDeque<Chunk>,
    /// Turns with audio still to send, oldest (the one speaking) first.
    pub(super) turns: VecDeque<Turn>,
    /// Turns up to this id were interrupted.
    pub(super) gate: u64,
    pub(super) next_chunk_at: Instant,
    pub(super) speaking_until: Instant,
    pub(super) synth: JoinSet<(u64, String, Speech)>,
    pub(super) pending: Option<Pending>,
    /// A tool call to issue later (status polling).
    pub(super) scheduled: Option<(Instant, String, Value)>,
    pub(super) ping: Option<(u64, Instant)>,
    /// User audio: samples of speech in the current utterance and trailing silence.
    pub(super) speech: usize,
    pub(super) silence: usize,
    /// The current utterance's audio (speech and the pauses inside it), and the
    /// chunk heard before it began (so its first sound is not clipped).
    pub(super) utterance: Vec<i16>,
    pub(super) preroll: Vec<i16>,
    /// Utterances being recognized: their length in seconds and what was heard.
    pub(super) hearing: JoinSet<(f32, Heard)>,
    pub(super) answered_user: bool,
    /// The turn whose audio went out last: (event id, text, samples, samples sent).
    pub(super) last: Option<(u64, String, usize, usize)>,
}

pub(super) async fn run(socket: WebSocket, s: Arc<Shared>) {
    s.stats.conversations.fetch_add(1, Ordering::SeqCst);
    s.stats.open.fetch_add(1, Ordering::SeqCst);
    let (tx, mut rx) = socket.split();
    let first = tokio::time::timeout(INIT_TIMEOUT, rx.next())
        .await
        .ok()
        .flatten();
    let init: Value = match first {
        Some(Ok(Message::Text(t))) => serde_json::from_str(t.as_str()).unwrap_or_default(),
        _ => Value::Null,
    };
    let language = init["dynamic_variables"]["language"]
        .as_str()
        .unwrap_or("es");
    let agent = Agent::new(
        language,
        s.catalogue.clone(),
        &s.agent.quotation_tool,
        s.agent.product_tool.as_deref(),
    )
    .with_status_tool(s.agent.status_tool.as_deref());
    let now = Instant::now();
    let mut c = Conv {
        tx,
        s: s.clone(),
        agent,
        next_id: 0,
        queue: VecDeque::new(),
        turns: VecDeque::new(),
        gate: 0,
        next_chunk_at: now,
        speaking_until: now,
        synth: JoinSet::new(),
        pending: None,
        scheduled: None,
        ping: None,
        speech: 0,
        silence: 0,
        utterance: Vec::new(),
        preroll: Vec::new(),
        hearing: JoinSet::new(),
        answered_user: false,
        last: None,
    };
    let exit = if init["type"] != "conversation_initiation_client_data" {
        c.error(
            1008,
            "invalid_message",
            "the first message must be conversation_initiation_client_data",
        )
        .await;
        Exit::Close(1008, "Invalid message received")
    } else if init
        .get("conversation_config_override")
        .is_some_and(|o| !o.is_null())
    {
        c.error(
            1008,
            "override_error",
            "Override for field is not allowed by config",
        )
        .await;
        Exit::Close(1008, "Override not allowed")
    } else {
        c.main(&mut rx).await
    };
    match exit {
        Exit::Close(code, reason) => {
            s.stats
                .closes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(code);
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let _ = c.tx.send(Message::Close(Some(frame))).await;
        }
        Exit::Drop | Exit::ClientGone => {}
    }
    s.stats.open.fetch_sub(1, Ordering::SeqCst);
}

impl Conv {
    pub(super) fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(super) async fn send(&mut self, v: Value) -> Result<(), Exit> {
        self.tx
            .send(Message::Text(v.to_string().into()))
            .await
            .map_err(|_| Exit::ClientGone)
    }

    pub(super) async fn error(&mut self, code: u16, kind: &str, message: &str) {
        let e = json!({"type": "error", "error_event": {"code": code, "error_type": kind, "message": message}});
        let _ = self.send(e).await;
    }

    async fn main(&mut self, rx: &mut futures::stream::SplitStream<WebSocket>) -> Exit {
        let meta = json!({"type": "conversation_initiation_metadata", "conversation_initiation_metadata_event": {
            "conversation_id": format!("conv_{}", uuid::Uuid::new_v4().simple()),
            "agent_output_audio_format": format!("pcm_{}", self.s.agent.output_rate),
            "user_input_audio_format": "pcm_16000",
        }});
        if let Err(e) = self.send(meta).await {
            return e;
        }
        if self.s.agent.greet {
            let greeting = self.agent.greeting();
            self.say(greeting);
        }
        let end = Instant::now() + self.s.agent.max_duration;
        let mut ping_at = Instant::now() + self.s.faults.ping_interval;
        let shutdown = self.s.shutdown.clone();
        loop {
            let chunk_at = if self.queue.is_empty() {
                Instant::now() + NEVER
            } else {
                self.next_chunk_at
            };
            let pong_by = self.ping.map_or(Instant::now() + NEVER, |(_, at)| {
                at + self.s.faults.pong_timeout
            });
            let tool_by = self
                .pending
                .as_ref()
                .map_or(Instant::now() + NEVER, |p| p.deadline);
            let later_at = self
                .scheduled
                .as_ref()
                .map_or(Instant::now() + NEVER, |(at, _, _)| *at);
            let step = tokio::select! {
                _ = shutdown.cancelled() => Err(Exit::Close(1001, "Server shutting down")),
                _ = sleep_until(end) => {
                    self.error(1000, "max_duration_exceeded", "Maximum conversation duration reached").await;
                    Err(Exit::Close(1000, "Max duration exceeded"))
                }
                msg = rx.next() => match msg {
                    Some(Ok(Message::Text(t))) => self.on_client(t.as_str()).await,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Err(Exit::ClientGone),
                    Some(Ok(_)) => Ok(()),
                },
                _ = sleep_until(chunk_at) => self.send_chunk().await,
                _ = sleep_until(ping_at) => {
                    ping_at = Instant::now() + self.s.faults.ping_interval;
                    self.send_ping().await
                }
                _ = sleep_until(pong_by) => {
                    self.error(1002, "ping_timeout", "No pong received for ping").await;
                    Err(Exit::Close(1002, "Ping timeout"))
                }
                _ = sleep_until(tool_by) => {
                    let p = self.pending.take();
                    let tool = p.map(|p| p.tool).unwrap_or_default();
                    let actions = self.agent.on_tool_result(&tool, Err("the tool did not answer in time"));
                    self.act(actions).await
                }
                _ = sleep_until(later_at) => match self.scheduled.take() {
                    Some((_, tool, args)) => self.call(tool, args).await,
                    None => Ok(()),
                },
                Some(Ok((event_id, text, speech))) = self.synth.join_next(), if !self.synth.is_empty() => {
                    self.enqueue(event_id, text, speech);
                    Ok(())
                }
                Some(Ok((secs, heard))) = self.hearing.join_next(), if !self.hearing.is_empty() => {
                    self.on_heard(secs, heard).await
                }
            };
            if let Err(exit) = step {
                return exit;
            }
        }
    }

    /// Starts synthesizing a new agent turn.
    pub(super) fn say(&mut self, text: String) {
        let event_id = self.id();
        // The agent's language, which follows the customer's, not the session's.
        let lang = match self.agent.lang {
            Lang::Es => "es",
            Lang::En => "en",
        };
        let (kind, rate) = (self.s.agent.voice, self.s.agent.output_rate);
        self.synth.spawn(async move {
            let speech = voice::synthesize(kind, &text, lang, rate).await;
            (event_id, text, speech)
        });
    }

    fn enqueue(&mut self, event_id: u64, text: String, speech: Speech) {
        if event_id <= self.gate {
            return;
        }
        let per_chunk = (self.s.agent.output_rate * self.s.faults.chunk_ms / 1000).max(1) as usize;
        let was_idle = self.queue.is_empty();
        for c in speech.samples.chunks(per_chunk) {
            self.queue.push_back(Chunk {
                event_id,
                samples: c.to_vec(),
            });
        }
        if was_idle {
            self.next_chunk_at = Instant::now() + self.s.faults.first_audio_delay;
        }
        tracing::trace!(event_id, engine = speech.engine, "agent turn synthesized");
        self.turns.push_back(Turn {
            event_id,
            text,
            total: speech.samples.len(),
            sent: 0,
            response_sent: false,
        });
    }

    async fn send_chunk(&mut self) -> Result<(), Exit> {
        let Some(chunk) = self.queue.pop_front() else {
            return Ok(());
        };
        let mut first_of_user_turn = false;
        let mut response = None;
        if let Some(turn) = self.turns.iter_mut().find(|t| t.event_id == chunk.event_id) {
            if !turn.response_sent {
                turn.response_sent = true;
                first_of_user_turn = self.answered_user;
                response = Some(turn.text.clone());
            }
            turn.sent += chunk.samples.len();
            self.last = Some((turn.event_id, turn.text.clone(), turn.total, turn.sent));
        }
        if let Some(text) = response {
            self.send(json!({"type": "agent_response", "agent_response_event": {"agent_response": text, "event_id": chunk.event_id}})).await?;
        }
        self.turns.retain(|t| t.sent < t.total);
        let audio = json!({"type": "audio", "audio_event": {
            "audio_base_64": audio::to_base64(&chunk.samples), "event_id": chunk.event_id, "alignment": null,
        }});
        self.send(audio).await?;
        let rate = self.s.agent.output_rate as u64;
        let dur = Duration::from_millis(chunk.samples.len() as u64 * 1000 / rate);
        let now = Instant::now();
        self.speaking_until = self.speaking_until.max(now) + dur;
        self.next_chunk_at = now + self.s.faults.chunk_interval;
        if first_of_user_turn && self.s.faults.disconnect_mid_turn {
            return Err(Exit::Drop);
        }
        Ok(())
    }

    async fn send_ping(&mut self) -> Result<(), Exit> {
        if self.ping.is_some() {
            return Ok(());
        }
        let id = self.id();
        self.ping = Some((id, Instant::now()));
        self.s.stats.pings.fetch_add(1, Ordering::SeqCst);
        self.send(json!({"type": "ping", "ping_event": {"event_id": id, "ping_ms": null}}))
            .await
    }
}
