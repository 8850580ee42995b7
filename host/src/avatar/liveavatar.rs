//! LiveAvatar (HeyGen's current product) in LITE mode: we bring the voice. `POST
//! /v1/sessions/token` (`X-API-KEY`) → `POST /v1/sessions/start` (Bearer session
//! token) gives the LiveKit room for the browser and a `ws_url` to which the agent's
//! audio goes as `agent.speak` (PCM16 24 kHz, about a second a frame: tiny frames
//! break lip-sync), closed by `agent.speak_end`; `agent.interrupt` clears what is
//! scheduled; `session.keep_alive` beats the 5-minute idle close; `POST
//! /v1/sessions/stop` ends billing.

use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::task::AbortOnDropHandle;

use super::provider::{AvatarDetails, AvatarProvider, AvatarSession, Command};
use super::{Error, audio};

/// LiveAvatar's audio rate.
pub const RATE: u32 = 24_000;
/// First frame of a turn: short, so the avatar starts talking sooner.
const FIRST_FRAME: usize = RATE as usize * 6 / 10;
/// Later frames: the documented ~1 s.
const FRAME: usize = RATE as usize;
/// Keep-alive period, well inside the 5-minute idle close.
const KEEP_ALIVE: Duration = Duration::from_secs(120);
/// One HTTP call's limit, and how long to wait for the session to connect.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A LiveAvatar account.
#[derive(Clone)]
pub struct LiveAvatar {
    api_base: String,
    api_key: String,
    avatar_id: String,
    http: reqwest::Client,
}

impl LiveAvatar {
    /// A client for `api_base` (`https://api.liveavatar.com` or a stand-in).
    pub fn new(api_base: &str, api_key: &str, avatar_id: &str) -> LiveAvatar {
        LiveAvatar {
            api_base: api_base.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
            avatar_id: avatar_id.to_owned(),
            http: reqwest::Client::builder()
                .timeout(CALL_TIMEOUT)
                .build()
                .unwrap_or_default(),
        }
    }

    /// `POST /v1/sessions/{step}`: the envelope's `data` on `code == 100`.
    async fn call(&self, step: &'static str, auth: Auth<'_>, body: Value) -> Result<Value, Error> {
        let fail = |reason: String| Error::Provider {
            provider: "liveavatar",
            step,
            reason,
        };
        let req = self
            .http
            .post(format!("{}/v1/sessions/{step}", self.api_base));
        let req = match auth {
            Auth::Key => req.header("X-API-KEY", &self.api_key),
            Auth::Session(token) => req.bearer_auth(token),
        };
        let resp = req
            .json(&body)
            .send()
            .await
            .map_err(|e| fail(e.without_url().to_string()))?;
        let status = resp.status();
        let envelope: Value = resp
            .json()
            .await
            .map_err(|e| fail(format!("status {status}: {}", e.without_url())))?;
        match envelope["code"].as_i64() {
            Some(100) if status.is_success() => Ok(envelope["data"].clone()),
            code => Err(fail(format!(
                "status {status}, code {code:?}: {}",
                envelope["message"].as_str().unwrap_or("no message")
            ))),
        }
    }
}

enum Auth<'a> {
    Key,
    Session(&'a str),
}

fn text(data: &Value, key: &str, step: &'static str) -> Result<String, Error> {
    data[key]
        .as_str()
        .map(str::to_owned)
        .ok_or(Error::Provider {
            provider: "liveavatar",
            step,
            reason: format!("response has no {key}"),
        })
}

impl AvatarProvider for LiveAvatar {
    fn name(&self) -> &'static str {
        "liveavatar"
    }

    fn open(&self) -> BoxFuture<'_, Result<Box<dyn AvatarSession>, Error>> {
        Box::pin(async move {
            let body = json!({ "mode": "LITE", "avatar_id": self.avatar_id, "is_sandbox": false });
            let data = self.call("token", Auth::Key, body).await?;
            let token = text(&data, "session_token", "token")?;
            let session_id = text(&data, "session_id", "token")?;
            let stopper = Stopper {
                client: self.clone(),
                token: token.clone(),
                session_id: session_id.clone(),
            };
            // From here on a failure must still stop the session (it is billed).
            match connect(self, &token, &session_id).await {
                Ok((details, ws)) => {
                    Ok(Box::new(LiteSession::new(stopper, details, ws)) as Box<dyn AvatarSession>)
                }
                Err(e) => {
                    let _ = stopper.stop().await;
                    Err(e)
                }
            }
        })
    }
}

/// `sessions/start`, then the LITE socket, waiting for `state: connected`.
async fn connect(
    client: &LiveAvatar,
    token: &str,
    session_id: &str,
) -> Result<(AvatarDetails, Ws), Error> {
    let data = client
        .call(
            "start",
            Auth::Session(token),
            json!({ "session_id": session_id }),
        )
        .await?;
    let details = AvatarDetails {
        provider: "liveavatar".into(),
        livekit_url: data["livekit_url"].as_str().map(str::to_owned),
        token: data["livekit_client_token"].as_str().map(str::to_owned),
    };
    let ws_url = text(&data, "ws_url", "start")?;
    let fail = |reason: String| Error::Provider {
        provider: "liveavatar",
        step: "connect",
        reason,
    };
    let wait = async {
        // Nagle off: `agent.speak_end` and `agent.interrupt` are small and urgent.
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(ws_url.as_str(), None, true)
            .await
            .map_err(|e| fail(e.to_string()))?;
        while let Some(msg) = ws.next().await {
            let Ok(Message::Text(t)) = msg else { continue };
            let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
            if v["type"] == "session.state_updated" && v["state"] == "connected" {
                return Ok(ws);
            }
        }
        Err(fail("closed before the session connected".into()))
    };
    let ws = tokio::time::timeout(CALL_TIMEOUT, wait)
        .await
        .map_err(|_| fail("the session did not connect in time".into()))??;
    Ok((details, ws))
}

/// Stops a session by id (also used when opening fails half-way).
struct Stopper {
    client: LiveAvatar,
    token: String,
    session_id: String,
}

impl Stopper {
    async fn stop(&self) -> Result<(), Error> {
        let body = json!({ "session_id": self.session_id });
        self.client
            .call("stop", Auth::Session(&self.token), body)
            .await
            .map(drop)
    }
}

struct LiteSession {
    stopper: Stopper,
    details: AvatarDetails,
    tx: SplitSink<Ws, Message>,
    /// Drains the socket (answering its pings); aborted with the session.
    _reader: AbortOnDropHandle<()>,
    /// Audio of the turn being spoken, at [`RATE`], not yet sent.
    buffer: Vec<i16>,
    turn: Option<u64>,
    frames_in_turn: usize,
}

impl LiteSession {
    fn new(stopper: Stopper, details: AvatarDetails, ws: Ws) -> LiteSession {
        let (tx, mut rx) = ws.split();
        let reader = AbortOnDropHandle::new(tokio::spawn(async move {
            while let Some(Ok(msg)) = rx.next().await {
                if let Message::Text(t) = msg {
                    tracing::trace!(event = %t.as_str().chars().take(120).collect::<String>(), "liveavatar event");
                }
            }
        }));
        LiteSession {
            stopper,
            details,
            tx,
            _reader: reader,
            buffer: Vec::new(),
            turn: None,
            frames_in_turn: 0,
        }
    }

    async fn send(&mut self, v: Value) -> Result<(), Error> {
        self.tx
            .send(Message::text(v.to_string()))
            .await
            .map_err(|e| Error::Provider {
                provider: "liveavatar",
                step: "send",
                reason: e.to_string(),
            })
    }

    /// Sends whole frames; with `all`, the tail too and `agent.speak_end`.
    async fn flush(&mut self, all: bool) -> Result<(), Error> {
        let Some(turn) = self.turn else { return Ok(()) };
        loop {
            let size = if self.frames_in_turn == 0 {
                FIRST_FRAME
            } else {
                FRAME
            };
            // A short tail only goes out when the turn ends.
            let tail_due = all && !self.buffer.is_empty();
            if self.buffer.len() < size && !tail_due {
                break;
            }
            let frame: Vec<i16> = self.buffer.drain(..size.min(self.buffer.len())).collect();
            self.frames_in_turn += 1;
            let msg = json!({ "type": "agent.speak", "audio": audio::to_base64(&frame), "event_id": turn.to_string() });
            self.send(msg).await?;
        }
        if all {
            self.turn = None;
            self.frames_in_turn = 0;
            self.send(json!({ "type": "agent.speak_end", "event_id": turn.to_string() }))
                .await?;
        }
        Ok(())
    }
}

impl AvatarSession for LiteSession {
    fn details(&self) -> AvatarDetails {
        self.details.clone()
    }

    fn keep_alive_interval(&self) -> Duration {
        KEEP_ALIVE
    }

    fn handle(&mut self, command: Command) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            match command {
                Command::Audio {
                    event_id,
                    samples,
                    rate,
                } => {
                    if self.turn.is_some_and(|t| t != event_id) {
                        self.flush(true).await?;
                    }
                    self.turn = Some(event_id);
                    self.buffer.extend(audio::resample(&samples, rate, RATE));
                    self.flush(false).await
                }
                Command::Flush => self.flush(true).await,
                Command::Interrupt => {
                    self.buffer.clear();
                    self.turn = None;
                    self.frames_in_turn = 0;
                    self.send(json!({ "type": "agent.interrupt" })).await
                }
                // LITE mode lip-syncs to our audio; text is for captions only.
                Command::Text { .. } => Ok(()),
            }
        })
    }

    fn keep_alive(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        let id = uuid::Uuid::new_v4().to_string();
        Box::pin(async move {
            self.send(json!({ "type": "session.keep_alive", "event_id": id }))
                .await
        })
    }

    fn stop(self: Box<Self>) -> BoxFuture<'static, Result<(), Error>> {
        Box::pin(async move {
            let mut this = *self;
            let _ = this.tx.close().await;
            this.stopper.stop().await
        })
    }
}
