//! [`ToolError`]: why a tool call failed, as the host sees it.
//!
//! Each variant matches a case of the WIT `tool-error`, which the host turns into an
//! MCP `isError` result and a REST status (422, 404, 403, 502, 500). Errors from the
//! host interfaces convert with `?`; see the `From` impls.

use std::fmt;

/// Why a tool call failed.
///
/// Build one with the constructors (`ToolError::invalid_input("email: not a valid
/// address")`) or let `?` convert an [`OdooError`](crate::OdooError) or a
/// [`SendError`](crate::SendError).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToolError {
    /// The arguments were wrong; the message says which and why (REST 422).
    InvalidInput(String),
    /// A record or resource the call needs does not exist (REST 404).
    NotFound(String),
    /// The host's policy or Odoo's access rules refused the call (REST 403).
    Denied(String),
    /// Odoo or another upstream service failed or could not be reached (REST 502).
    Upstream(String),
    /// A bug or an unexpected state inside the plugin (REST 500).
    Internal(String),
}

impl ToolError {
    /// The arguments were wrong: name the field and the rule, e.g. `"email: not a valid address"`.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::InvalidInput(message.into())
    }

    /// A record or resource the call needs does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }

    /// The call is not allowed.
    pub fn denied(message: impl Into<String>) -> Self {
        Self::Denied(message.into())
    }

    /// An upstream service failed.
    pub fn upstream(message: impl Into<String>) -> Self {
        Self::Upstream(message.into())
    }

    /// A bug or an unexpected state inside the plugin.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into())
    }

    /// The message without the kind.
    pub fn message(&self) -> &str {
        match self {
            Self::InvalidInput(m)
            | Self::NotFound(m)
            | Self::Denied(m)
            | Self::Upstream(m)
            | Self::Internal(m) => m,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::InvalidInput(_) => "invalid input",
            Self::NotFound(_) => "not found",
            Self::Denied(_) => "denied",
            Self::Upstream(_) => "upstream error",
            Self::Internal(_) => "internal error",
        }
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind(), self.message())
    }
}

impl std::error::Error for ToolError {}

/// A value that could not be turned into or out of JSON inside the plugin is a bug.
impl From<serde_json::Error> for ToolError {
    fn from(err: serde_json::Error) -> Self {
        Self::Internal(format!("json: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_kind_and_message() {
        let err = ToolError::invalid_input("email: not a valid address");
        assert_eq!(err.to_string(), "invalid input: email: not a valid address");
        assert_eq!(err.message(), "email: not a valid address");
    }
}
