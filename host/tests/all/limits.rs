//! A plugin that spins, hogs memory or panics is stopped; the host and other
//! plugins keep serving throughout.

use daniel::engine;
use daniel::registry::CallError;
use serde_json::json;

use crate::support::{OFFLINE_INSTANCE, TestHost, assert_contains};

fn config() -> String {
    format!(
        "{OFFLINE_INSTANCE}\n[plugins.faults]\ncpu_ms = 200\nmemory_mb = 24\ntimeout_ms = 5000\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spinning_plugin_is_stopped_at_its_cpu_deadline() {
    let host = TestHost::start(
        &config(),
        &[("fixture-faults", "faults"), ("hello-plugin", "hello")],
    )
    .await;
    let err = host.call("spin", json!({})).await.unwrap_err();
    assert!(
        matches!(
            err,
            CallError::Plugin {
                source: engine::Error::Limit(engine::LimitExceeded::Cpu(_)),
                ..
            }
        ),
        "{err}"
    );
    assert_contains(&err.to_string(), "CPU budget");
    // The same plugin and another plugin still answer.
    assert_eq!(
        host.call("ok", json!({})).await.unwrap().structured,
        Some(json!({"ok": true}))
    );
    let hello = host.call("hello", json!({"name": "Ada"})).await.unwrap();
    assert_eq!(hello.structured, Some(json!({"greeting": "Hello, Ada!"})));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spinning_plugin_does_not_block_other_calls() {
    let host = TestHost::start(
        &config(),
        &[("fixture-faults", "faults"), ("hello-plugin", "hello")],
    )
    .await;
    let spinning = host.call("spin", json!({}));
    let other = async {
        // Runs while `spin` burns its budget on the other worker or interleaved on this one.
        host.call("hello", json!({"name": "Grace"})).await
    };
    let (spun, hello) = tokio::join!(spinning, other);
    assert!(spun.is_err());
    assert!(hello.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hog_is_trapped_at_its_memory_cap() {
    let host = TestHost::start(&config(), &[("fixture-faults", "faults")]).await;
    let err = host.call("hog", json!({})).await.unwrap_err();
    assert!(
        matches!(
            err,
            CallError::Plugin {
                source: engine::Error::Memory { cap_mb: 24 },
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        host.call("ok", json!({})).await.unwrap().structured,
        Some(json!({"ok": true}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_is_an_error_and_the_next_call_works() {
    let host = TestHost::start(&config(), &[("fixture-faults", "faults")]).await;
    let err = host.call("panic", json!({})).await.unwrap_err();
    assert!(
        matches!(
            err,
            CallError::Plugin {
                source: engine::Error::Trap(_),
                ..
            }
        ),
        "{err}"
    );
    assert_contains(&err.to_string(), "panicked");
    assert_eq!(
        host.call("ok", json!({})).await.unwrap().structured,
        Some(json!({"ok": true}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arguments_are_validated_against_the_input_schema() {
    let host = TestHost::start(&config(), &[("hello-plugin", "hello")]).await;
    let err = host.call("hello", json!({"name": 5})).await.unwrap_err();
    assert!(matches!(err, CallError::InvalidArguments { .. }), "{err}");
    assert_contains(&err.to_string(), "/name");
    let err = host.call("hello", json!({})).await.unwrap_err();
    assert_contains(&err.to_string(), "name");
    let err = host.call("hello", json!({"name": "  "})).await.unwrap_err();
    assert_contains(&err.to_string(), "invalid input: name");
}
