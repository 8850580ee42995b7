//! ElevenLabs ConvAI wire messages: the server events the relay acts on, parsed from
//! text frames, and the client messages it sends.
//!
//! Only the `type` and the payload fields the relay needs are read; every other event
//! type parses as [`Event::Other`] and is ignored, so new vendor events never break a
//! session. Payload keys follow `agent.asyncapi.yaml` (see
//! `shared/reference/avatar-protocols.md` §1.3–1.4).

use serde::Deserialize;
use serde_json::{Value, json};

/// A server event the relay acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// First server message: the conversation id and audio formats.
    Metadata(Metadata),
    /// Must be answered with a `pong` carrying the same id.
    Ping { event_id: u64, ping_ms: Option<u64> },
    /// Agent speech (base64, in the metadata's output format) for turn `event_id`.
    Audio { event_id: u64, audio: String },
    /// Full text of an agent turn.
    AgentResponse { event_id: u64, text: String },
    /// The agent turn's text cut at the interruption.
    AgentResponseCorrection { event_id: u64, text: String },
    /// What the user said; `tentative` for partial recognition.
    UserTranscript { text: String, tentative: bool },
    /// The user barged in on turn `event_id` (older servers send no id).
    Interruption { event_id: Option<u64> },
    /// The agent wants the client to run a tool.
    ClientToolCall {
        tool_call_id: String,
        tool_name: String,
        parameters: Value,
    },
    /// The server reports an error and will usually close next.
    Error {
        code: Option<u16>,
        error_type: Option<String>,
        message: String,
    },
    /// Anything else (VAD scores, tool notices, new event types).
    Other,
}

/// `conversation_initiation_metadata_event`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Metadata {
    pub conversation_id: String,
    #[serde(default = "default_format")]
    pub agent_output_audio_format: String,
    #[serde(default = "default_format")]
    pub user_input_audio_format: String,
}

fn default_format() -> String {
    "pcm_16000".to_owned()
}

impl Metadata {
    /// The agent audio's sample rate, if it is PCM (`pcm_24000` → 24000).
    pub fn output_sample_rate(&self) -> Option<u32> {
        pcm_rate(&self.agent_output_audio_format)
    }
}

/// The rate of a `pcm_<rate>` format; `None` for μ-law and unknown formats.
pub fn pcm_rate(format: &str) -> Option<u32> {
    format.strip_prefix("pcm_")?.parse().ok()
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Wire {
    ConversationInitiationMetadata {
        conversation_initiation_metadata_event: Metadata,
    },
    Ping {
        ping_event: PingEvent,
    },
    Audio {
        audio_event: AudioEvent,
    },
    AgentResponse {
        agent_response_event: AgentResponseEvent,
    },
    AgentResponseCorrection {
        agent_response_correction_event: CorrectionEvent,
    },
    UserTranscript {
        user_transcription_event: TranscriptEvent,
    },
    TentativeUserTranscript {
        tentative_user_transcription_event: TranscriptEvent,
    },
    Interruption {
        #[serde(default)]
        interruption_event: Option<InterruptionEvent>,
    },
    ClientToolCall {
        client_tool_call: ToolCallEvent,
    },
    Error {
        #[serde(default)]
        error_event: Option<ErrorEvent>,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct PingEvent {
    event_id: u64,
    #[serde(default)]
    ping_ms: Option<u64>,
}

#[derive(Deserialize)]
struct AudioEvent {
    audio_base_64: String,
    event_id: u64,
}

#[derive(Deserialize)]
struct AgentResponseEvent {
    agent_response: String,
    #[serde(default)]
    event_id: u64,
}

#[derive(Deserialize)]
struct CorrectionEvent {
    corrected_agent_response: String,
    #[serde(default)]
    event_id: u64,
}

#[derive(Deserialize)]
struct TranscriptEvent {
    user_transcript: String,
}

#[derive(Deserialize)]
struct InterruptionEvent {
    #[serde(default)]
    event_id: Option<u64>,
}

#[derive(Deserialize)]
struct ToolCallEvent {
    tool_name: String,
    tool_call_id: String,
    #[serde(default)]
    parameters: Value,
}

#[derive(Deserialize)]
struct ErrorEvent {
    #[serde(default)]
    code: Option<u16>,
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Parses a server text frame.
///
/// # Errors
/// The JSON error when the frame is not JSON or a known event lacks a field.
pub fn parse(text: &str) -> Result<Event, serde_json::Error> {
    Ok(match serde_json::from_str::<Wire>(text)? {
        Wire::ConversationInitiationMetadata {
            conversation_initiation_metadata_event: m,
        } => Event::Metadata(m),
        Wire::Ping { ping_event: p } => Event::Ping {
            event_id: p.event_id,
            ping_ms: p.ping_ms,
        },
        Wire::Audio { audio_event: a } => Event::Audio {
            event_id: a.event_id,
            audio: a.audio_base_64,
        },
        Wire::AgentResponse {
            agent_response_event: r,
        } => Event::AgentResponse {
            event_id: r.event_id,
            text: r.agent_response,
        },
        Wire::AgentResponseCorrection {
            agent_response_correction_event: c,
        } => Event::AgentResponseCorrection {
            event_id: c.event_id,
            text: c.corrected_agent_response,
        },
        Wire::UserTranscript {
            user_transcription_event: t,
        } => Event::UserTranscript {
            text: t.user_transcript,
            tentative: false,
        },
        Wire::TentativeUserTranscript {
            tentative_user_transcription_event: t,
        } => Event::UserTranscript {
            text: t.user_transcript,
            tentative: true,
        },
        Wire::Interruption { interruption_event } => Event::Interruption {
            event_id: interruption_event.and_then(|e| e.event_id),
        },
        Wire::ClientToolCall {
            client_tool_call: c,
        } => Event::ClientToolCall {
            tool_call_id: c.tool_call_id,
            tool_name: c.tool_name,
            parameters: c.parameters,
        },
        Wire::Error { error_event } => {
            let e = error_event.unwrap_or(ErrorEvent {
                code: None,
                error_type: None,
                message: None,
            });
            Event::Error {
                code: e.code,
                error_type: e.error_type,
                message: e.message.unwrap_or_default(),
            }
        }
        Wire::Other => Event::Other,
    })
}

// === client messages ===

/// `{"user_audio_chunk": "<b64>"}`: the one client message without a `type`.
pub fn user_audio(b64: &str) -> String {
    json!({ "user_audio_chunk": b64 }).to_string()
}

/// `pong` for the ping `event_id`.
pub fn pong(event_id: u64) -> String {
    json!({ "type": "pong", "event_id": event_id }).to_string()
}

/// Typed input, treated like speech.
pub fn user_message(text: &str) -> String {
    json!({ "type": "user_message", "text": text }).to_string()
}

/// Background information that does not trigger a reply.
pub fn contextual_update(text: &str) -> String {
    json!({ "type": "contextual_update", "text": text }).to_string()
}

/// Resets the vendor's turn timeout without content.
pub fn user_activity() -> String {
    json!({ "type": "user_activity" }).to_string()
}

/// A tool's answer; `result` must be a string.
pub fn client_tool_result(tool_call_id: &str, result: &str, is_error: bool) -> String {
    json!({
        "type": "client_tool_result",
        "tool_call_id": tool_call_id,
        "result": result,
        "is_error": is_error,
    })
    .to_string()
}

/// The first client frame: dynamic variables only (overrides are refused unless the
/// agent enables them, so the relay never sends any).
pub fn initiation(dynamic_variables: &serde_json::Map<String, Value>) -> String {
    json!({
        "type": "conversation_initiation_client_data",
        "dynamic_variables": dynamic_variables,
        "source_info": { "source": "daniel", "version": env!("CARGO_PKG_VERSION") },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_events_the_relay_needs() {
        let ping = r#"{"type":"ping","ping_event":{"event_id":7,"ping_ms":42}}"#;
        assert_eq!(
            parse(ping).unwrap(),
            Event::Ping {
                event_id: 7,
                ping_ms: Some(42)
            }
        );
        let audio = r#"{"type":"audio","audio_event":{"audio_base_64":"AAA=","event_id":3,"alignment":null}}"#;
        assert_eq!(
            parse(audio).unwrap(),
            Event::Audio {
                event_id: 3,
                audio: "AAA=".into()
            }
        );
        let call = r#"{"type":"client_tool_call","client_tool_call":{"tool_name":"t","tool_call_id":"c","parameters":{"a":1},"event_id":4}}"#;
        assert!(
            matches!(parse(call).unwrap(), Event::ClientToolCall { tool_name, .. } if tool_name == "t")
        );
        let tentative = r#"{"type":"tentative_user_transcript","tentative_user_transcription_event":{"user_transcript":"ho","event_id":1}}"#;
        assert_eq!(
            parse(tentative).unwrap(),
            Event::UserTranscript {
                text: "ho".into(),
                tentative: true
            }
        );
    }

    #[test]
    fn tolerates_old_and_unknown_events() {
        let old = r#"{"type":"interruption","interruption_event":{"reason":"user"}}"#;
        assert_eq!(parse(old).unwrap(), Event::Interruption { event_id: None });
        assert_eq!(
            parse(r#"{"type":"vad_score","vad_score_event":{"vad_score":0.9}}"#).unwrap(),
            Event::Other
        );
        assert!(parse(r#"{"type":"ping"}"#).is_err());
    }

    #[test]
    fn client_messages_are_the_documented_json() {
        let p: Value = serde_json::from_str(&pong(5)).unwrap();
        assert_eq!(p, json!({"type": "pong", "event_id": 5}));
        assert_eq!(user_audio("QQ=="), r#"{"user_audio_chunk":"QQ=="}"#);
        let r: Value = serde_json::from_str(&client_tool_result("c", "ok", false)).unwrap();
        assert_eq!(r["type"], "client_tool_result");
        assert_eq!(r["is_error"], false);
    }
}
