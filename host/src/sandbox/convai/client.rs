//! The stand-in conversation's reactions to the client: pongs, typed and spoken user
//! turns (with barge-in), tool results, and the agent's resulting actions.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::ToolResult;
use super::agent::Action;
use super::conversation::{Conv, END_OF_TURN, Exit, MAX_UTTERANCE, Pending, VAD_THRESHOLD};
use super::hearing::{Heard, HearingKind};
use crate::avatar::audio;

/// Utterances of one conversation being recognized at once, at most.
const MAX_HEARING: usize = 2;

impl Conv {
    pub(super) fn speaking(&self) -> bool {
        !self.queue.is_empty() || Instant::now() < self.speaking_until
    }

    /// Barge-in: interrupt the turn being spoken, correct its text, drop its audio
    /// (except the late chunks a fault asks for) and every turn queued after it.
    pub(super) async fn interrupt(&mut self) -> Result<(), Exit> {
        let current = self
            .turns
            .front()
            .map(|t| (t.event_id, t.text.clone(), t.total, t.sent));
        let Some((event_id, text, total, sent)) = current.or_else(|| self.last.clone()) else {
            self.speaking_until = Instant::now();
            return Ok(());
        };
        let spoken = (text.chars().count() * sent)
            .checked_div(total)
            .unwrap_or(0);
        self.gate = self.next_id;
        let late = self.s.faults.late_chunks_after_interrupt;
        let mut kept = 0;
        self.queue.retain(|c| {
            let keep = c.event_id == event_id && kept < late;
            kept += usize::from(keep);
            keep
        });
        self.turns.clear();
        self.speaking_until = Instant::now();
        self.send(json!({"type": "interruption", "interruption_event": {"event_id": event_id}}))
            .await?;
        let corrected: String = text.chars().take(spoken).collect();
        self.send(json!({"type": "agent_response_correction", "agent_response_correction_event": {
            "original_agent_response": text, "corrected_agent_response": corrected, "event_id": event_id,
        }})).await
    }

    pub(super) async fn on_client(&mut self, text: &str) -> Result<(), Exit> {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            self.error(1008, "invalid_message", "Invalid JSON").await;
            return Err(Exit::Close(1008, "Invalid message received"));
        };
        if let Some(b64) = v.get("user_audio_chunk").and_then(Value::as_str) {
            return self.on_audio(b64).await;
        }
        match v["type"].as_str().unwrap_or_default() {
            "pong" => {
                if self
                    .ping
                    .is_some_and(|(id, _)| v["event_id"].as_u64() == Some(id))
                {
                    self.ping = None;
                    self.s.stats.pongs.fetch_add(1, Ordering::SeqCst);
                }
                Ok(())
            }
            "user_message" => {
                let said = v["text"].as_str().unwrap_or_default().to_owned();
                if self.speaking() {
                    self.interrupt().await?;
                }
                self.user_turn(&said).await
            }
            "client_tool_result" => self.on_tool_result(&v).await,
            "contextual_update" | "user_activity" | "feedback" => Ok(()),
            _ => {
                self.error(1008, "invalid_message", "Unknown message type")
                    .await;
                Err(Exit::Close(1008, "Invalid message received"))
            }
        }
    }

    async fn user_turn(&mut self, said: &str) -> Result<(), Exit> {
        let id = self.id();
        self.answered_user = true;
        self.send(json!({"type": "user_transcript", "user_transcription_event": {"user_transcript": said, "event_id": id}})).await?;
        let actions = self.agent.on_user(said);
        self.act(actions).await
    }

    /// Energy VAD: speech while the agent talks is a barge-in; 600 ms of silence
    /// after speech ends the user's utterance, which goes to the recognizer.
    async fn on_audio(&mut self, b64: &str) -> Result<(), Exit> {
        self.s
            .stats
            .user_audio_chunks
            .fetch_add(1, Ordering::SeqCst);
        let Some(samples) = audio::from_base64(b64) else {
            self.error(
                1008,
                "invalid_message",
                "user_audio_chunk is not base64 PCM16",
            )
            .await;
            return Err(Exit::Close(1008, "Invalid message received"));
        };
        if audio::rms(&samples) > VAD_THRESHOLD {
            if self.speech == 0 {
                if self.speaking() {
                    self.interrupt().await?;
                }
                self.utterance = std::mem::take(&mut self.preroll);
            }
            self.speech += samples.len() + self.silence;
            self.silence = 0;
            self.keep(&samples);
        } else if self.speech > 0 {
            self.silence += samples.len();
            self.keep(&samples);
            if self.silence >= 16_000 * END_OF_TURN.as_millis() as usize / 1000 {
                let secs = self.speech as f32 / 16_000.0;
                self.speech = 0;
                self.silence = 0;
                let utterance = std::mem::take(&mut self.utterance);
                return self.recognize(secs, utterance).await;
            }
        } else {
            self.preroll = samples;
        }
        Ok(())
    }

    /// Keeps utterance audio, up to [`MAX_UTTERANCE`] (a longer one is heard cut).
    fn keep(&mut self, samples: &[i16]) {
        let room = MAX_UTTERANCE.saturating_sub(self.utterance.len());
        self.utterance
            .extend_from_slice(&samples[..samples.len().min(room)]);
    }

    /// Hands an utterance to the recognizer; [`Conv::on_heard`] takes the answer.
    async fn recognize(&mut self, secs: f32, utterance: Vec<i16>) -> Result<(), Exit> {
        if self.s.agent.hearing == HearingKind::Off {
            return self.on_heard(secs, Heard::Unavailable).await;
        }
        // Nobody speaks faster than 0.1 s of recognition per utterance: a backlog
        // means a client flooding audio, and it is not let to grow.
        if self.hearing.len() >= MAX_HEARING {
            tracing::debug!("utterances arrive faster than they are recognized; one skipped");
            return self.on_heard(secs, Heard::Nothing).await;
        }
        let s = self.s.clone();
        self.hearing.spawn(async move {
            let heard = match s.ears.get(&s.catalogue).await {
                Some(ears) => ears.hear(&utterance).await,
                None => Heard::Unavailable,
            };
            (secs, heard)
        });
        Ok(())
    }

    /// The user's spoken turn, once recognized: its words when it was understood,
    /// else its length (`[2.3 s]`) and the agent asking for it typed.
    pub(super) async fn on_heard(&mut self, secs: f32, heard: Heard) -> Result<(), Exit> {
        let id = self.id();
        let transcript = match &heard {
            Heard::Text(text) => text.clone(),
            Heard::Nothing | Heard::Unavailable => format!("[{secs:.1} s]"),
        };
        self.send(json!({"type": "user_transcript", "user_transcription_event": {"user_transcript": transcript, "event_id": id}})).await?;
        self.answered_user = true;
        let actions = match heard {
            Heard::Text(text) => self.agent.on_spoken(&text),
            Heard::Nothing => self.agent.on_unheard(secs, true),
            Heard::Unavailable => self.agent.on_unheard(secs, false),
        };
        self.act(actions).await
    }

    async fn on_tool_result(&mut self, v: &Value) -> Result<(), Exit> {
        let call_id = v["tool_call_id"].as_str().unwrap_or_default();
        let Some(p) = self.pending.take_if(|p| p.call_id == call_id) else {
            return Ok(()); // late or unknown: the agent already moved on
        };
        let result = v["result"]
            .as_str()
            .map_or_else(|| v["result"].to_string(), str::to_owned);
        let is_error = v["is_error"].as_bool().unwrap_or(false);
        self.s
            .stats
            .tool_results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(ToolResult {
                tool: p.tool.clone(),
                result: result.clone(),
                is_error,
            });
        let outcome = if is_error {
            Err(result.as_str())
        } else {
            Ok(result.as_str())
        };
        let actions = self.agent.on_tool_result(&p.tool, outcome);
        self.act(actions).await
    }

    pub(super) async fn act(&mut self, actions: Vec<Action>) -> Result<(), Exit> {
        for action in actions {
            match action {
                Action::Say(text) => self.say(text),
                Action::Call { tool, args } => self.call(tool, args).await?,
                Action::CallLater { tool, args, after } => {
                    self.scheduled = Some((Instant::now() + after, tool, args));
                }
            }
        }
        Ok(())
    }

    /// Issues a `client_tool_call` and arms its deadline.
    pub(super) async fn call(&mut self, tool: String, args: Value) -> Result<(), Exit> {
        let event_id = self.id();
        let call_id = format!("call_{event_id}");
        self.pending = Some(Pending {
            call_id: call_id.clone(),
            tool: tool.clone(),
            deadline: Instant::now() + self.s.faults.tool_timeout,
        });
        self.send(json!({"type": "client_tool_call", "client_tool_call": {
            "tool_name": tool, "tool_call_id": call_id, "parameters": args, "event_id": event_id,
        }}))
        .await
    }
}
