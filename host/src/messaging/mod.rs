//! Outgoing WhatsApp and SMS messages on behalf of plugins.
//!
//! [`Messenger`] is the seam; [`Twilio`] the implementation, pointed at the real
//! Twilio when credentials are configured and at the offline stand-in (which
//! records into an [`Outbox`]) otherwise. Policy (may this plugin send?) is
//! checked by the host function before a messenger is reached.

mod outbox;
mod twilio;

use std::future::Future;
use std::pin::Pin;

pub use outbox::{Outbox, SentMessage};
pub use twilio::Twilio;

/// WhatsApp or SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Whatsapp,
    Sms,
}

/// Why a message was not sent.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("invalid recipient {0:?}: expected an E.164 number such as +5215512345678")]
    InvalidRecipient(String),
    #[error("message provider failed: {0}")]
    Upstream(String),
}

/// Sends messages; returns the provider's message id.
pub trait Messenger: Send + Sync {
    /// Sends `body` to `to` over `channel`.
    fn send<'a>(
        &'a self,
        channel: Channel,
        to: &'a str,
        body: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<String, Error>> + Send + 'a>>;
}

/// Accepts `+` followed by 8 to 15 digits (E.164).
pub fn valid_e164(to: &str) -> bool {
    to.strip_prefix('+')
        .is_some_and(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::valid_e164;

    #[test]
    fn e164_shapes() {
        assert!(valid_e164("+5215512345678"));
        assert!(!valid_e164("5215512345678"));
        assert!(!valid_e164("+52 155"));
        assert!(!valid_e164("+1234"));
    }
}
