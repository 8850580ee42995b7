//! The client's error type and how Odoo faults map onto it (odoo-external-api.md §4.5).

use std::time::Duration;

use tracing::debug;

use crate::xmlrpc::{self, Fault};

/// Why an Odoo call failed. `call` reads `model.method` (or `common.method`).
#[derive(thiserror::Error, Debug)]
pub enum Error {
    /// Fault 2: a `UserError` or `ValidationError` (constraints included); the message is
    /// written for users.
    #[error("odoo {instance}: {call} refused: {message}")]
    Validation {
        instance: String,
        call: String,
        message: String,
    },
    /// The record (`MissingError`, fault 2), model (fault 2), method or field (fault 1) does
    /// not exist, recognised by Odoo's English wording.
    #[error("odoo {instance}: {call}: not found: {message}")]
    NotFound {
        instance: String,
        call: String,
        message: String,
    },
    /// `authenticate` answered `False`, or fault 3 persisted after one fresh login.
    #[error("odoo {instance}: authentication failed for the configured login and secret")]
    Auth { instance: String },
    /// Fault 4: the user lacks the rights (ACLs, record rules, field groups, private method).
    #[error("odoo {instance}: {call}: access denied: {message}")]
    Access {
        instance: String,
        call: String,
        message: String,
    },
    /// Fault 1 or an unknown code: the last line of the traceback (the traceback itself is
    /// logged at debug only).
    #[error("odoo {instance}: {call} failed inside odoo: {message}")]
    Internal {
        instance: String,
        call: String,
        code: i32,
        message: String,
    },
    /// No connection could be made (refused, no route, connect timeout).
    #[error("odoo {instance} unreachable at {url}")]
    Unreachable {
        instance: String,
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// No complete answer within the configured time.
    #[error("odoo {instance}: {call}: no answer within {after:?}")]
    Timeout {
        instance: String,
        call: String,
        after: Duration,
    },
    /// The connection broke after the request went out: a write may or may not have been
    /// applied. Reads are retried once before this is returned.
    #[error(
        "odoo {instance}: {call}: connection lost before the answer (a write may have been applied)"
    )]
    ConnectionLost {
        instance: String,
        call: String,
        #[source]
        source: reqwest::Error,
    },
    /// An HTTP status other than 200, an oversized or undecodable body, or an answer of the
    /// wrong shape.
    #[error("odoo {instance}: {call}: {detail}")]
    Protocol {
        instance: String,
        call: String,
        detail: String,
        #[source]
        source: Option<Box<xmlrpc::Error>>,
    },
    /// An argument the client can reject before sending.
    #[error("odoo {instance}: {call}: {detail}")]
    InvalidArgument {
        instance: String,
        call: String,
        detail: &'static str,
    },
    /// The instance configuration breaks a rule.
    #[error("odoo instance {instance:?} config: {key} = {value:?}: {rule}")]
    Config {
        instance: String,
        key: &'static str,
        value: String,
        rule: String,
    },
}

/// Maps a fault to an error; the traceback of fault 1 goes to the debug log only.
pub(super) fn from_fault(instance: &str, call: &str, fault: Fault) -> Error {
    let instance = instance.to_owned();
    let call = call.to_owned();
    match fault.code {
        2 if is_missing(&fault.message) => Error::NotFound {
            instance,
            call,
            message: fault.message,
        },
        2 => Error::Validation {
            instance,
            call,
            message: fault.message,
        },
        3 => Error::Auth { instance },
        4 => Error::Access {
            instance,
            call,
            message: fault.message,
        },
        code => {
            debug!(instance, call, code, traceback = %fault.message, "odoo fault");
            let message = last_line(&fault.message).to_owned();
            if is_unknown_name(&message) {
                Error::NotFound {
                    instance,
                    call,
                    message,
                }
            } else {
                Error::Internal {
                    instance,
                    call,
                    code,
                    message,
                }
            }
        }
    }
}

/// The last non-empty line of a traceback: `ExcClass: message`.
pub(super) fn last_line(traceback: &str) -> &str {
    traceback
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("")
}

/// Fault 1 from marshalling a `None` result: raised after the transaction committed.
pub(super) fn is_marshal_none(fault: &Fault) -> bool {
    fault.code == 1 && last_line(&fault.message).contains("cannot marshal None")
}

/// `MissingError` and "unknown model", as Odoo words them in English; a user language other
/// than English makes these plain [`Error::Validation`]s.
fn is_missing(message: &str) -> bool {
    message.starts_with("Record does not exist or has been deleted")
        || (message.starts_with("Object ") && message.trim_end().ends_with(" doesn't exist"))
}

/// Unknown method or field (fault 1).
fn is_unknown_name(last_line: &str) -> bool {
    (last_line.starts_with("AttributeError: The method '") && last_line.ends_with("does not exist"))
        || last_line.starts_with("ValueError: Invalid field ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(code: i32, message: &str) -> Error {
        from_fault(
            "main",
            "crm.lead.write",
            Fault {
                code,
                message: message.to_owned(),
            },
        )
    }

    const TRACEBACK: &str =
        "Traceback (most recent call last):\n  File \"/odoo/http.py\", line 1, in x\n    raise\n";

    #[test]
    fn codes_map_to_variants() {
        assert!(matches!(
            map(2, "You cannot create recursive Partner hierarchies."),
            Error::Validation { .. }
        ));
        assert!(matches!(
            map(
                2,
                "Record does not exist or has been deleted.\n(Record: crm.lead(999999,), User: 2)"
            ),
            Error::NotFound { .. }
        ));
        assert!(matches!(
            map(2, "Object no.such.model doesn't exist"),
            Error::NotFound { .. }
        ));
        assert!(matches!(map(3, "Access Denied"), Error::Auth { .. }));
        assert!(matches!(
            map(
                4,
                "You are not allowed to access 'Lead' (crm.lead) records."
            ),
            Error::Access { .. }
        ));
        let not_found = [
            "AttributeError: The method 'crm.lead.nope' does not exist",
            "ValueError: Invalid field 'no_such_field' in 'crm.lead'",
            "ValueError: Invalid field 'mobile' on 'res.users'",
        ];
        for last in not_found {
            assert!(
                matches!(
                    map(1, &format!("{TRACEBACK}{last}\n")),
                    Error::NotFound { .. }
                ),
                "{last}"
            );
        }
    }

    #[test]
    fn internal_keeps_only_the_last_line() {
        let err = map(
            1,
            &format!("{TRACEBACK}ValueError: Wrong value for crm.lead.type: 'nope'\n\n"),
        );
        assert_eq!(
            err.to_string(),
            "odoo main: crm.lead.write failed inside odoo: ValueError: Wrong value for crm.lead.type: 'nope'"
        );
        assert!(matches!(map(7, "odd"), Error::Internal { code: 7, .. }));
    }

    #[test]
    fn user_messages_are_kept_whole() {
        let message = "You are not allowed to access 'Lead' (crm.lead) records.\n\nContact your administrator.";
        assert!(map(4, message).to_string().ends_with(message));
    }

    #[test]
    fn marshal_none_is_recognised() {
        let fault = |code, text: &str| Fault {
            code,
            message: format!("{TRACEBACK}{text}\n"),
        };
        assert!(is_marshal_none(&fault(
            1,
            "TypeError: cannot marshal None unless allow_none is enabled"
        )));
        assert!(!is_marshal_none(&fault(
            2,
            "TypeError: cannot marshal None unless allow_none is enabled"
        )));
        assert!(!is_marshal_none(&fault(1, "ValueError: nope")));
    }
}
