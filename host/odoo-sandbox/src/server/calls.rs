//! [`CallLog`]: what a sandbox was asked, in order, and how long it took to answer.
//!
//! For tests and benchmarks that count Odoo round trips at the wire (the host's own
//! counters could not see a call it forgot to count). Off unless a log is attached
//! with [`crate::Sandbox::with_call_log`].

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;

/// One XML-RPC request the sandbox answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// `model.method` for `object` calls (`res.partner.create`), otherwise
    /// `service.method` (`common.authenticate`).
    pub name: String,
    /// From the handler receiving the request to the answer being encoded: the
    /// server's own work, without the connection or the client's encoding.
    pub duration: Duration,
}

/// A shared, append-only record of calls; clones share it.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<Call>>>);

impl CallLog {
    /// Removes and returns the calls recorded so far.
    pub fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.lock())
    }

    /// The names of the calls recorded so far, in order.
    pub fn names(&self) -> Vec<String> {
        self.lock().iter().map(|c| c.name.clone()).collect()
    }

    pub(crate) fn push(&self, name: String, duration: Duration) {
        self.lock().push(Call { name, duration });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Call>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The name a call is logged under (see [`Call::name`]).
pub(crate) fn call_name(service: &str, method: &str, params: &[Value]) -> String {
    match (service, params.get(3), params.get(4)) {
        ("object", Some(Value::String(model)), Some(Value::String(m))) => format!("{model}.{m}"),
        _ => format!("{service}.{method}"),
    }
}
