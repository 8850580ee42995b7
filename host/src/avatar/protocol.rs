//! The browser ⇄ host WebSocket protocol at `GET /avatar/ws` (one session per socket).
//!
//! Every frame is a JSON text frame with a `type` field; microphone audio may also be
//! sent as a binary frame of raw PCM16LE mono samples at 16 kHz. `frontend/PROTOCOL.md`
//! describes the same messages for page authors; the two must change together.
//!
//! Vendor details stay in the host: the browser never sees an API key, a signed URL
//! or a vendor event it did not need. The one vendor credential it gets is the
//! short-lived LiveKit token of its own avatar room.

use serde::{Deserialize, Serialize};

/// Sample rate of microphone audio the host accepts (what ConvAI expects by default).
pub const INPUT_SAMPLE_RATE: u32 = 16_000;
/// Longest text a browser may type in one message, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// Browser → host.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// Opens the conversation (and the avatar, if one is configured). Sent once.
    Start {
        /// `"es"` or `"en"`; passed to the agent as the `language` dynamic variable.
        #[serde(default)]
        language: Option<String>,
        /// How the customer wants to be called; the `user_name` dynamic variable.
        #[serde(default)]
        user_name: Option<String>,
        /// No microphone: the agent still speaks, the user types.
        #[serde(default)]
        text_only: bool,
    },
    /// A chunk of microphone audio: base64 PCM16LE mono at [`INPUT_SAMPLE_RATE`].
    Audio { data: String },
    /// Typed input, treated like speech.
    Text { text: String },
    /// Background information for the agent that does not trigger a reply.
    Context { text: String },
    /// The user asked the agent to stop talking (button or typed input while speaking).
    Interrupt,
    /// Ends the session; the host stops every vendor session and closes the socket.
    Stop,
}

/// Host → browser.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The conversation is open; audio formats are fixed from here on.
    Session {
        /// The host's id for this session (for support and logs).
        session_id: String,
        /// The agent vendor's conversation id.
        conversation_id: String,
        /// `offline` (local stand-ins), `voice` (ElevenLabs) or `avatar` (ElevenLabs +
        /// a streaming avatar whose audio comes over LiveKit).
        mode: String,
        /// Rate of the microphone audio the host expects.
        input_sample_rate: u32,
        /// Rate of the agent audio in `audio` messages (PCM16LE mono).
        output_sample_rate: u32,
    },
    /// Agent speech to play: base64 PCM16LE mono at `output_sample_rate`. Chunks of
    /// an interrupted turn never follow its `interruption`.
    Audio { event_id: u64, data: String },
    /// What the user said (`final: false` for a tentative transcript).
    UserTranscript {
        text: String,
        #[serde(rename = "final")]
        is_final: bool,
    },
    /// The agent's reply for a turn (sent with its first audio chunk).
    AgentResponse { event_id: u64, text: String },
    /// The agent's reply cut to what was actually spoken before an interruption.
    AgentResponseCorrection { event_id: u64, text: String },
    /// The user barged in: stop playing and drop queued audio of turn `event_id`
    /// and earlier.
    Interruption { event_id: u64 },
    /// A tool the agent called, as it starts and as it ends.
    Tool {
        call_id: String,
        name: String,
        status: ToolStatus,
        /// Why it failed (never the tool's full output).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// The avatar to show. With `livekit_url` set, join that room with `token` and
    /// play the avatar's own audio track (the host then sends no `audio`).
    Avatar {
        provider: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        livekit_url: Option<String>,
        /// Short-lived LiveKit client token for this room only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
    },
    /// Something went wrong; with `fatal` the session ends next.
    Error {
        code: ErrorCode,
        message: String,
        fatal: bool,
    },
    /// The session is over; the socket closes after this message.
    Ended {
        reason: String,
        /// The agent vendor's WebSocket close code, when it ended the conversation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vendor_code: Option<u16>,
    },
}

/// Phase of a tool call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolStatus {
    Started,
    Ok,
    Error,
    Timeout,
}

/// Machine-readable error kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A frame the host could not understand (the session goes on).
    BadMessage,
    /// A message that is not allowed in the session's current phase.
    BadState,
    /// Too many sessions at once.
    Busy,
    /// The agent vendor could not be reached or failed.
    Agent,
    /// The avatar provider could not be reached or failed (voice goes on).
    Avatar,
    /// The session reached its maximum duration.
    Timeout,
}

impl ServerMessage {
    /// An error message.
    pub fn error(code: ErrorCode, message: impl Into<String>, fatal: bool) -> Self {
        ServerMessage::Error {
            code,
            message: message.into(),
            fatal,
        }
    }
}

/// Parses a text frame from the browser.
///
/// # Errors
/// A message naming what is wrong with the frame (unknown type, missing field).
pub fn parse_client(text: &str) -> Result<ClientMessage, String> {
    serde_json::from_str(text).map_err(|e| format!("invalid message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_round_trip() {
        let start = parse_client(r#"{"type":"start","language":"es"}"#).unwrap();
        assert_eq!(
            start,
            ClientMessage::Start {
                language: Some("es".into()),
                user_name: None,
                text_only: false
            }
        );
        assert_eq!(
            parse_client(r#"{"type":"interrupt"}"#).unwrap(),
            ClientMessage::Interrupt
        );
        assert!(
            parse_client(r#"{"type":"launch"}"#)
                .unwrap_err()
                .contains("unknown variant")
        );
        assert!(parse_client(r#"{"type":"text"}"#).is_err());
        assert!(parse_client("not json").is_err());
    }

    #[test]
    fn server_messages_use_snake_case_tags() {
        let m = ServerMessage::UserTranscript {
            text: "hola".into(),
            is_final: true,
        };
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"type":"user_transcript","text":"hola","final":true}"#
        );
        let t = ServerMessage::Tool {
            call_id: "c1".into(),
            name: "find_products".into(),
            status: ToolStatus::Timeout,
            detail: None,
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"type":"tool","call_id":"c1","name":"find_products","status":"timeout"}"#
        );
    }
}
