//! Outgoing WhatsApp and SMS messages through the host, which holds the provider
//! credentials and decides whether this plugin may send at all.

use std::fmt;

use crate::ToolError;
use crate::bindings::daniel::plugin::messaging as wit;

/// The channel a message goes out on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// WhatsApp.
    Whatsapp,
    /// SMS.
    Sms,
}

/// Why a message was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// The plugin may not send messages.
    Denied(String),
    /// The recipient is not a valid E.164 number.
    InvalidRecipient(String),
    /// The provider failed or could not be reached.
    Upstream(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Denied(m) => write!(f, "sending denied: {m}"),
            Self::InvalidRecipient(m) => write!(f, "invalid recipient: {m}"),
            Self::Upstream(m) => write!(f, "messaging provider error: {m}"),
        }
    }
}

impl std::error::Error for SendError {}

/// A bad number is the caller's input; the rest keep their meaning.
impl From<SendError> for ToolError {
    fn from(err: SendError) -> Self {
        match err {
            SendError::Denied(m) => Self::Denied(m),
            SendError::InvalidRecipient(m) => Self::InvalidInput(format!("to: {m}")),
            SendError::Upstream(m) => Self::Upstream(m),
        }
    }
}

impl From<wit::SendError> for SendError {
    fn from(err: wit::SendError) -> Self {
        match err {
            wit::SendError::Denied(m) => Self::Denied(m),
            wit::SendError::InvalidRecipient(m) => Self::InvalidRecipient(m),
            wit::SendError::Upstream(m) => Self::Upstream(m),
        }
    }
}

/// Sends messages. Get it from [`Context::messaging`](crate::Context::messaging).
#[derive(Clone, Copy, Debug, Default)]
pub struct Messaging {
    _private: (),
}

impl Messaging {
    pub(crate) fn new() -> Self {
        Self { _private: () }
    }

    /// Sends `body` to `to` (E.164, e.g. `"+5215512345678"`); returns the provider's
    /// message id.
    ///
    /// # Errors
    ///
    /// See [`SendError`].
    pub fn send(&self, channel: Channel, to: &str, body: &str) -> Result<String, SendError> {
        let channel = match channel {
            Channel::Whatsapp => wit::Channel::Whatsapp,
            Channel::Sms => wit::Channel::Sms,
        };
        Ok(wit::send(channel, to, body)?)
    }

    /// Sends a WhatsApp message.
    ///
    /// # Errors
    ///
    /// See [`SendError`].
    pub fn whatsapp(&self, to: &str, body: &str) -> Result<String, SendError> {
        self.send(Channel::Whatsapp, to, body)
    }

    /// Sends an SMS.
    ///
    /// # Errors
    ///
    /// See [`SendError`].
    pub fn sms(&self, to: &str, body: &str) -> Result<String, SendError> {
        self.send(Channel::Sms, to, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_errors_map_to_tool_errors() {
        let bad = SendError::InvalidRecipient("\"12\" is not E.164".into());
        assert_eq!(
            ToolError::from(bad),
            ToolError::invalid_input("to: \"12\" is not E.164")
        );
        assert_eq!(
            ToolError::from(SendError::Denied("no".into())),
            ToolError::denied("no")
        );
    }
}
