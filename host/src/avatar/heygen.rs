//! HeyGen streaming avatar (the legacy Interactive Avatar API the seed used):
//! `streaming.new` → `streaming.start` → `streaming.task` / `streaming.interrupt` /
//! `streaming.keep_alive` → `streaming.stop`, all `POST` with `x-api-key` and the
//! `{"code":100,"data":{..}}` envelope.
//!
//! The avatar voices the agent's text itself (`task_type: "repeat"`), sent
//! `async` so a long utterance never holds up the next command (the seed awaited a
//! `sync` task inside its ElevenLabs loop). The browser joins the LiveKit room from
//! `streaming.new` and plays the avatar's own audio.

use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::Error;
use super::provider::{AvatarDetails, AvatarProvider, AvatarSession, Command};

/// HeyGen closes idle sessions after `activity_idle_timeout` (120 s by default);
/// a keep-alive every 60 s stays well inside it.
const KEEP_ALIVE: Duration = Duration::from_secs(60);
/// One HTTP call's limit.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// HeyGen account settings.
#[derive(Clone)]
pub struct HeyGen {
    api_base: String,
    api_key: String,
    avatar_id: String,
    voice_id: Option<String>,
    http: reqwest::Client,
}

impl HeyGen {
    /// A client for `api_base` (`https://api.heygen.com` or the offline stand-in).
    pub fn new(api_base: &str, api_key: &str, avatar_id: &str, voice_id: Option<&str>) -> HeyGen {
        HeyGen {
            api_base: api_base.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
            avatar_id: avatar_id.to_owned(),
            voice_id: voice_id.map(str::to_owned),
            http: reqwest::Client::builder()
                .timeout(CALL_TIMEOUT)
                .build()
                .unwrap_or_default(),
        }
    }

    /// `POST /v1/streaming.{step}`; the envelope's `data` on `code == 100`.
    async fn call(&self, step: &'static str, body: Value) -> Result<Value, Error> {
        let fail = |reason: String| Error::Provider {
            provider: "heygen",
            step,
            reason,
        };
        let resp = self
            .http
            .post(format!("{}/v1/streaming.{step}", self.api_base))
            .header("x-api-key", &self.api_key)
            .json(&body)
            .send()
            .await
            .map_err(|e| fail(e.without_url().to_string()))?;
        let status = resp.status();
        let envelope: Value = resp.json().await.map_err(|e| {
            fail(format!(
                "status {status}, body not JSON: {}",
                e.without_url()
            ))
        })?;
        match envelope.get("code").and_then(Value::as_i64) {
            Some(100) if status.is_success() => {
                Ok(envelope.get("data").cloned().unwrap_or(Value::Null))
            }
            code => {
                let message = envelope
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("no message");
                Err(fail(format!("status {status}, code {code:?}: {message}")))
            }
        }
    }
}

impl AvatarProvider for HeyGen {
    fn name(&self) -> &'static str {
        "heygen"
    }

    fn open(&self) -> BoxFuture<'_, Result<Box<dyn AvatarSession>, Error>> {
        Box::pin(async move {
            let mut body = json!({
                "quality": "medium",
                "avatar_name": self.avatar_id,
                "version": "v2",
                "video_encoding": "H264",
                "activity_idle_timeout": 120,
            });
            if let Some(voice) = &self.voice_id {
                body["voice"] = json!({ "voice_id": voice });
            }
            let data = self.call("new", body).await?;
            let field = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_owned);
            let missing = |k: &str| Error::Provider {
                provider: "heygen",
                step: "new",
                reason: format!("response has no {k}"),
            };
            let session_id = field("session_id").ok_or_else(|| missing("session_id"))?;
            let session = HeyGenSession {
                client: self.clone(),
                details: AvatarDetails {
                    provider: "heygen".into(),
                    livekit_url: field("url"),
                    token: field("access_token"),
                },
                session_id,
            };
            // A session created but not started still counts against concurrency:
            // stop it if start fails.
            if let Err(e) = session.client.call("start", session.id_body()).await {
                let _ = Box::new(session).stop().await;
                return Err(e);
            }
            Ok(Box::new(session) as Box<dyn AvatarSession>)
        })
    }
}

struct HeyGenSession {
    client: HeyGen,
    details: AvatarDetails,
    session_id: String,
}

impl HeyGenSession {
    fn id_body(&self) -> Value {
        json!({ "session_id": self.session_id })
    }
}

impl AvatarSession for HeyGenSession {
    fn details(&self) -> AvatarDetails {
        self.details.clone()
    }

    fn keep_alive_interval(&self) -> Duration {
        KEEP_ALIVE
    }

    fn handle(&mut self, command: Command) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            match command {
                Command::Text { text, .. } => {
                    let body = json!({
                        "session_id": self.session_id, "text": text,
                        "task_type": "repeat", "task_mode": "async",
                    });
                    self.client.call("task", body).await.map(drop)
                }
                Command::Interrupt => self
                    .client
                    .call("interrupt", self.id_body())
                    .await
                    .map(drop),
                // HeyGen voices the text itself.
                Command::Audio { .. } | Command::Flush => Ok(()),
            }
        })
    }

    fn keep_alive(&mut self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            self.client
                .call("keep_alive", self.id_body())
                .await
                .map(drop)
        })
    }

    fn stop(self: Box<Self>) -> BoxFuture<'static, Result<(), Error>> {
        Box::pin(async move { self.client.call("stop", self.id_body()).await.map(drop) })
    }
}
