//! What the client logs, at every level and including hyper's and reqwest's own events:
//! never the secret, tracebacks only at debug. A binary of its own because the subscriber
//! is thread-local, and tracing caches per-callsite interest across threads: a parallel
//! test without a subscriber could otherwise switch the client's span off for this one.

// The fake server module is shared with the other tests; this one uses only part of it.
#[allow(dead_code)]
#[path = "support/fake_odoo.rs"]
mod fake_odoo;

use std::sync::atomic::Ordering;

use daniel_odoo::OdooClient;
use fake_odoo::{FakeOdoo, Reply, SECRET};
use serde_json::json;

/// Everything logged at any level (the client's and hyper's/reqwest's own trace events).
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_hold_no_secret_and_tracebacks_only_at_debug() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let fake = FakeOdoo::start(|_, method, _, _| match method {
        "crash" => Reply::Fault(
            1,
            "Traceback (most recent call last):\n  File \"x.py\"\nValueError: bad".into(),
        ),
        "denied" => Reply::Fault(3, "Access Denied".into()),
        _ => Reply::Value(json!(7)),
    })
    .await;
    let client = OdooClient::new(fake.config()).unwrap();
    let call = |method| client.execute_kw("crm.lead", method, json!([]), json!({}));
    call("crash").await.unwrap_err();
    call("denied").await.unwrap_err();
    fake.state.drop_responses.store(1, Ordering::SeqCst);
    call("search_read").await.unwrap();
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("odoo.execute_kw"), "no span in:\n{logs}");
    assert!(!logs.contains(SECRET), "secret in logs:\n{logs}");
    let traceback_lines: Vec<_> = logs.lines().filter(|l| l.contains("Traceback")).collect();
    assert!(!traceback_lines.is_empty());
    for line in traceback_lines {
        assert!(line.contains("DEBUG"), "traceback above debug: {line}");
    }
}
