//! Messages recorded by the offline Twilio stand-in, so tests and new users can see
//! what would have gone out (`GET /api/messages`).

use std::collections::VecDeque;
use std::sync::Mutex;

use super::Channel;

/// Most recent messages kept; older ones are dropped so memory stays bounded.
const MAX_KEPT: usize = 1_000;

/// One recorded message.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SentMessage {
    pub id: String,
    pub channel: Channel,
    /// E.164 number, without the `whatsapp:` prefix.
    pub to: String,
    pub from: String,
    pub body: String,
    pub at: String,
}

/// In-memory record of messages.
#[derive(Default)]
pub struct Outbox {
    sent: Mutex<VecDeque<SentMessage>>,
}

impl Outbox {
    /// Messages recorded so far, oldest first.
    pub fn messages(&self) -> Vec<SentMessage> {
        self.lock().iter().cloned().collect()
    }

    /// Records a message.
    pub fn record(&self, message: SentMessage) {
        let mut sent = self.lock();
        if sent.len() >= MAX_KEPT {
            sent.pop_front();
        }
        sent.push_back(message);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<SentMessage>> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner())
    }
}
