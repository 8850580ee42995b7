//! The ElevenLabs ConvAI client: a signed URL from the REST API (the API key never
//! leaves the host), the WebSocket, and the opening handshake.
//!
//! The conversation itself is a pair of halves, a [`Sink`] of text frames and a
//! [`Stream`] of [`Frame`]s, so the relay runs the same over a real socket (to
//! ElevenLabs or the offline stand-in in `sandbox::convai`) and over channels in tests.

use std::pin::Pin;
use std::time::Duration;

use futures::{Sink, SinkExt, Stream, StreamExt};
use serde_json::{Map, Value};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::Error;
use super::events::{self, Event, Metadata};

/// How long the opening handshake (connect, initiation, metadata) may take.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest frame accepted from the vendor: the Python SDK's 16 MiB, which covers any
/// audio chunk the service sends.
const MAX_FRAME_BYTES: usize = 16 << 20;

/// What the vendor side of a conversation yields.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A JSON text frame.
    Text(String),
    /// The vendor closed the conversation (close code and reason), or the transport
    /// failed (`None`).
    Closed(Option<(u16, String)>),
}

/// Frames to the vendor.
pub type VendorSink = Pin<Box<dyn Sink<String, Error = Error> + Send>>;
/// Frames from the vendor.
pub type VendorStream = Pin<Box<dyn Stream<Item = Frame> + Send>>;

/// An open conversation: the halves and what the handshake told.
pub struct Conversation {
    pub sink: VendorSink,
    pub stream: VendorStream,
    pub metadata: Metadata,
}

/// Where conversations are opened: ElevenLabs, or the offline stand-in.
#[derive(Clone)]
pub struct ConvaiEndpoint {
    /// `https://api.elevenlabs.io` or the stand-in's `http://127.0.0.1:PORT`.
    pub api_base: String,
    pub agent_id: String,
    api_key: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for ConvaiEndpoint {
    // Hand-written so the key can never end up in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConvaiEndpoint")
            .field("api_base", &self.api_base)
            .field("agent_id", &self.agent_id)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct SignedUrl {
    signed_url: String,
}

impl ConvaiEndpoint {
    /// An endpoint with its own HTTP client.
    pub fn new(api_base: &str, agent_id: &str, api_key: &str) -> ConvaiEndpoint {
        let http = reqwest::Client::builder()
            .timeout(HANDSHAKE_TIMEOUT)
            .build()
            .unwrap_or_default();
        ConvaiEndpoint {
            api_base: api_base.trim_end_matches('/').to_owned(),
            agent_id: agent_id.to_owned(),
            api_key: api_key.to_owned(),
            http,
        }
    }

    /// A signed WebSocket URL for one conversation (valid 15 minutes).
    ///
    /// # Errors
    /// [`Error::SignedUrl`] when the request fails or is refused.
    pub async fn signed_url(&self) -> Result<String, Error> {
        let fail = |reason: String| Error::SignedUrl { reason };
        let url = reqwest::Url::parse_with_params(
            &format!("{}/v1/convai/conversation/get-signed-url", self.api_base),
            &[("agent_id", &self.agent_id)],
        )
        .map_err(|e| fail(format!("bad api base: {e}")))?;
        let resp = self
            .http
            .get(url)
            .header("xi-api-key", &self.api_key)
            .send()
            .await
            .map_err(|e| fail(e.without_url().to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(fail(format!("status {status}")));
        }
        let body: SignedUrl = resp
            .json()
            .await
            .map_err(|e| fail(e.without_url().to_string()))?;
        Ok(body.signed_url)
    }

    /// Opens a conversation: signed URL, WebSocket, initiation with
    /// `dynamic_variables`, and the metadata the server must send first.
    ///
    /// # Errors
    /// [`Error::SignedUrl`], [`Error::Connect`] or [`Error::Handshake`].
    pub async fn open(
        &self,
        dynamic_variables: &Map<String, Value>,
    ) -> Result<Conversation, Error> {
        let url = self.signed_url().await?;
        let host = host_of(&url);
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_FRAME_BYTES))
            .max_frame_size(Some(MAX_FRAME_BYTES));
        let connect = tokio_tungstenite::connect_async_with_config(url, Some(config), true);
        let (ws, _) = tokio::time::timeout(HANDSHAKE_TIMEOUT, connect)
            .await
            .map_err(|_| Error::Connect {
                host: host.clone(),
                reason: "timed out".into(),
            })?
            .map_err(|e| Error::Connect {
                host,
                reason: e.to_string(),
            })?;
        let (sink, stream) = ws.split();
        let sink: VendorSink = Box::pin(
            sink.sink_map_err(|e| Error::Send(e.to_string()))
                .with(|s: String| async move { Ok::<_, Error>(Message::text(s)) }),
        );
        let stream: VendorStream = Box::pin(frames(stream));
        handshake(sink, stream, dynamic_variables).await
    }
}

/// The URL's host, for messages (the query holds the conversation token).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or_default().to_owned()
}

/// Maps tungstenite messages to [`Frame`]s; ends after the first close or error.
fn frames<S>(stream: S) -> impl Stream<Item = Frame> + Send
where
    S: Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Send + Unpin,
{
    futures::stream::unfold((stream, false), |(mut s, done)| async move {
        if done {
            return None;
        }
        loop {
            let frame = match s.next().await {
                Some(Ok(Message::Text(t))) => Frame::Text(t.as_str().to_owned()),
                Some(Ok(Message::Close(c))) => {
                    Frame::Closed(c.map(|c| (c.code.into(), c.reason.as_str().to_owned())))
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => Frame::Closed(None),
            };
            let last = matches!(frame, Frame::Closed(_));
            return Some((frame, (s, last)));
        }
    })
}

/// Sends the initiation and waits for `conversation_initiation_metadata`.
///
/// # Errors
/// [`Error::Handshake`] if the first event is anything else, the vendor closes, or
/// nothing arrives within [`HANDSHAKE_TIMEOUT`].
pub async fn handshake(
    mut sink: VendorSink,
    mut stream: VendorStream,
    dynamic_variables: &Map<String, Value>,
) -> Result<Conversation, Error> {
    sink.send(events::initiation(dynamic_variables)).await?;
    let first = tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.next())
        .await
        .map_err(|_| Error::Handshake("no metadata within the handshake timeout".into()))?;
    match first {
        Some(Frame::Text(text)) => match events::parse(&text) {
            Ok(Event::Metadata(metadata)) => Ok(Conversation {
                sink,
                stream,
                metadata,
            }),
            Ok(Event::Error { message, code, .. }) => Err(Error::Handshake(format!(
                "refused ({}): {message}",
                code.unwrap_or_default()
            ))),
            Ok(_) => Err(Error::Handshake(
                "the first event was not conversation_initiation_metadata".into(),
            )),
            Err(e) => Err(Error::Handshake(format!("bad first event: {e}"))),
        },
        Some(Frame::Closed(c)) => Err(Error::Handshake(match c {
            Some((code, reason)) => format!("closed with {code}: {reason}"),
            None => "connection lost".into(),
        })),
        None => Err(Error::Handshake("connection lost".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::channel::mpsc;

    fn halves() -> (
        VendorSink,
        mpsc::UnboundedReceiver<String>,
        mpsc::UnboundedSender<Frame>,
        VendorStream,
    ) {
        let (out_tx, out_rx) = mpsc::unbounded::<String>();
        let (in_tx, in_rx) = mpsc::unbounded::<Frame>();
        let sink: VendorSink = Box::pin(out_tx.sink_map_err(|e| Error::Send(e.to_string())));
        (sink, out_rx, in_tx, Box::pin(in_rx))
    }

    #[tokio::test]
    async fn handshake_sends_initiation_and_reads_metadata() {
        let (sink, mut sent, server, stream) = halves();
        let meta = r#"{"type":"conversation_initiation_metadata","conversation_initiation_metadata_event":{"conversation_id":"c1","agent_output_audio_format":"pcm_24000","user_input_audio_format":"pcm_16000"}}"#;
        server.unbounded_send(Frame::Text(meta.into())).unwrap();
        let mut vars = Map::new();
        vars.insert("language".into(), "es".into());
        let conv = handshake(sink, stream, &vars).await.unwrap();
        assert_eq!(conv.metadata.conversation_id, "c1");
        assert_eq!(conv.metadata.output_sample_rate(), Some(24_000));
        let init: Value = serde_json::from_str(&sent.next().await.unwrap()).unwrap();
        assert_eq!(init["type"], "conversation_initiation_client_data");
        assert_eq!(init["dynamic_variables"]["language"], "es");
    }

    #[tokio::test]
    async fn handshake_reports_a_refusal() {
        let (sink, _sent, server, stream) = halves();
        server
            .unbounded_send(Frame::Closed(Some((
                1008,
                "missing_dynamic_variable".into(),
            ))))
            .unwrap();
        let err = handshake(sink, stream, &Map::new()).await.err().unwrap();
        assert!(err.to_string().contains("1008"), "{err}");
    }

    #[test]
    fn host_hides_the_token() {
        assert_eq!(
            host_of("wss://api.elevenlabs.io/v1/convai/conversation?agent_id=a&token=t"),
            "api.elevenlabs.io"
        );
    }
}
