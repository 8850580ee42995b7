//! The offline messenger: records every message instead of sending it, so tests and
//! new users can see what would have gone out.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use super::{Channel, Error, Messenger, valid_e164};

/// Most recent messages kept; older ones are dropped so memory stays bounded.
const MAX_KEPT: usize = 1_000;

/// One recorded message.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SentMessage {
    pub id: String,
    pub channel: Channel,
    pub to: String,
    pub body: String,
    pub at: String,
}

/// In-memory record of sent messages.
#[derive(Default)]
pub struct Outbox {
    sent: Mutex<Vec<SentMessage>>,
}

impl Outbox {
    /// Messages recorded so far, oldest first.
    pub fn messages(&self) -> Vec<SentMessage> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Messenger for Outbox {
    fn send<'a>(
        &'a self,
        channel: Channel,
        to: &'a str,
        body: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<String, Error>> + Send + 'a>> {
        Box::pin(async move {
            if !valid_e164(to) {
                return Err(Error::InvalidRecipient(to.to_owned()));
            }
            let id = format!("SM{}", uuid::Uuid::new_v4().simple());
            let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
            if sent.len() >= MAX_KEPT {
                sent.remove(0);
            }
            sent.push(SentMessage {
                id: id.clone(),
                channel,
                to: to.to_owned(),
                body: body.to_owned(),
                at: chrono::Utc::now().to_rfc3339(),
            });
            Ok(id)
        })
    }
}
