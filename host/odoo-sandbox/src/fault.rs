//! Faults as Odoo raises them, classified by XML-RPC fault code.
//!
//! Odoo maps exceptions to four codes (`odoo-external-api.md` §4.5): 1 for any Python
//! error (the fault string is a traceback whose last line is `Class: message`), 2 for
//! `UserError` and its subclasses (bare message), 3 for bad credentials and 4 for access
//! refusals. The ORM raises these values; the server only encodes them.

use serde_json::Value;

/// An error a call answers with, shaped like the one real Odoo would raise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    /// Code 1: an unexpected Python exception (`ValueError`, `TypeError`, `AttributeError`…).
    #[error("{class}: {message}")]
    Internal {
        /// The Python exception class, e.g. `ValueError`.
        class: String,
        /// The exception message (the text after `Class: `).
        message: String,
    },
    /// Code 2: `UserError`, `ValidationError`, `MissingError`, or an unknown model.
    #[error("{0}")]
    User(String),
    /// Code 3: wrong uid or password on the object service.
    #[error("Access Denied")]
    AccessDenied,
    /// Code 4: `AccessError` (ACL refusals, private methods).
    #[error("{0}")]
    Access(String),
}

impl Fault {
    /// The XML-RPC `faultCode` Odoo sends for this fault.
    pub fn code(&self) -> i32 {
        match self {
            Fault::Internal { .. } => 1,
            Fault::User(_) => 2,
            Fault::AccessDenied => 3,
            Fault::Access(_) => 4,
        }
    }

    /// The XML-RPC `faultString`: a traceback for code 1, the bare message otherwise.
    pub fn fault_string(&self) -> String {
        match self {
            // Clients take the last non-empty line as the message (§4.5), so the frames
            // only need to look like Odoo's; they never point at real code.
            Fault::Internal { class, message } => format!(
                "Traceback (most recent call last):\n  \
                 File \"/usr/lib/python3/dist-packages/odoo/addons/base/controllers/rpc.py\", \
                 line 150, in xmlrpc_2\n    response = self._xmlrpc(service)\n  \
                 File \"/usr/lib/python3/dist-packages/odoo/service/model.py\", line 62, \
                 in execute_kw\n    return execute(db, uid, obj, method, *args, **kw or {{}})\n\
                 {class}: {message}\n"
            ),
            other => other.to_string(),
        }
    }

    pub(crate) fn internal(class: &str, message: impl Into<String>) -> Self {
        Fault::Internal {
            class: class.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn value_error(message: impl Into<String>) -> Self {
        Self::internal("ValueError", message)
    }

    pub(crate) fn type_error(message: impl Into<String>) -> Self {
        Self::internal("TypeError", message)
    }

    pub(crate) fn user(message: impl Into<String>) -> Self {
        Fault::User(message.into())
    }

    /// Odoo's `MissingError` for ids that do not exist (any more).
    pub(crate) fn missing(model: &str, ids: &[i64], uid: i64) -> Self {
        Fault::User(format!(
            "Record does not exist or has been deleted.\n(Record: {model}{}, User: {uid})",
            py_tuple(ids)
        ))
    }

    /// `cannot marshal None`: what Odoo's XML-RPC layer answers, after committing, when a
    /// method returns `None` (e.g. `crm.lead.action_set_lost`).
    pub(crate) fn marshal_none() -> Self {
        Self::type_error("cannot marshal None unless allow_none is enabled")
    }

    /// `Expected singleton` raised by `ensure_one()`.
    pub(crate) fn expected_singleton(model: &str, ids: &[i64]) -> Self {
        Self::value_error(format!("Expected singleton: {model}{}", py_tuple(ids)))
    }
}

impl From<&Fault> for daniel_odoo::xmlrpc::Fault {
    /// The wire form: `faultCode` and `faultString`, for in-process callers that speak the
    /// codec's types.
    fn from(fault: &Fault) -> Self {
        daniel_odoo::xmlrpc::Fault {
            code: fault.code(),
            message: fault.fault_string(),
        }
    }
}

/// Python's `repr` of a tuple of ids: `(7,)`, `(1, 2)`, `()`.
pub(crate) fn py_tuple(ids: &[i64]) -> String {
    match ids {
        [one] => format!("({one},)"),
        _ => {
            let inner: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!("({})", inner.join(", "))
        }
    }
}

/// Python's `repr` of a decoded XML-RPC value, for messages that quote the input.
pub(crate) fn py_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e16 => format!("{f:.1}"),
            _ => n.to_string(),
        },
        Value::String(s) => py_str(s),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(py_repr).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", py_str(k), py_repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// Python's `repr` of a domain leaf, which Odoo normalises to a tuple.
pub(crate) fn py_leaf(items: &[Value]) -> String {
    let inner: Vec<String> = items.iter().map(py_repr).collect();
    format!("({})", inner.join(", "))
}

fn py_str(s: &str) -> String {
    // Python picks double quotes only when the text has a single quote and no double one.
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_match_odoo() {
        assert_eq!(Fault::value_error("x").code(), 1);
        assert_eq!(Fault::user("x").code(), 2);
        assert_eq!(Fault::AccessDenied.code(), 3);
        assert_eq!(Fault::Access("x".into()).code(), 4);
    }

    #[test]
    fn internal_fault_string_ends_with_exception_line() {
        let f = Fault::value_error("Invalid field 'x' in 'crm.lead'");
        let s = f.fault_string();
        assert!(s.starts_with("Traceback (most recent call last):"));
        let last = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
        assert_eq!(last, "ValueError: Invalid field 'x' in 'crm.lead'");
    }

    #[test]
    fn user_faults_are_bare_messages() {
        let f = Fault::missing("crm.lead", &[999999], 2);
        assert_eq!(
            f.fault_string(),
            "Record does not exist or has been deleted.\n(Record: crm.lead(999999,), User: 2)"
        );
        assert_eq!(Fault::AccessDenied.fault_string(), "Access Denied");
    }

    #[test]
    fn converts_to_the_wire_fault() {
        let wire = daniel_odoo::xmlrpc::Fault::from(&Fault::AccessDenied);
        assert_eq!((wire.code, wire.message.as_str()), (3, "Access Denied"));
    }

    #[test]
    fn python_reprs() {
        assert_eq!(py_tuple(&[1, 2]), "(1, 2)");
        assert_eq!(
            py_repr(&json!(["|", ["a", "=", 1], false, null, 1.0, "it's"])),
            "['|', ['a', '=', 1], False, None, 1.0, \"it's\"]"
        );
        assert_eq!(
            py_leaf(&[json!("name"), json!("bad"), json!(1)]),
            "('name', 'bad', 1)"
        );
    }
}
