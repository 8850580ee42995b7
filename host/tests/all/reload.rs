//! Hot reload: replacing and removing plugins under load, and rejecting broken
//! revisions while the previous one keeps serving.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::support::{
    ADMIN_TOKEN, OFFLINE_INSTANCE, TestHost, assert_contains, call_params, wait_until,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_and_remove_under_load_with_one_list_changed_per_change() {
    let host = TestHost::start_with(
        OFFLINE_INSTANCE,
        &[("echo-v1", "echo"), ("hello-plugin", "hello")],
        true,
    )
    .await;
    let (client, counter) = host.mcp_client().await;
    let client = Arc::new(client);
    let stop = Arc::new(AtomicBool::new(false));
    let (calls, failures, v2_seen) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let caller = {
        let (client, stop, calls, failures, v2_seen) = (
            client.clone(),
            stop.clone(),
            calls.clone(),
            failures.clone(),
            v2_seen.clone(),
        );
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let r = client
                    .call_tool(call_params("echo", json!({"text": "hi"})))
                    .await;
                calls.fetch_add(1, Ordering::SeqCst);
                match r {
                    Ok(r) if r.is_error != Some(true) => {
                        if r.structured_content.as_ref().and_then(|s| s.get("version"))
                            == Some(&json!(2))
                        {
                            v2_seen.store(true, Ordering::SeqCst);
                        }
                    }
                    other => {
                        eprintln!("failed call: {other:?}");
                        failures.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        })
    };
    wait_until("first calls", async || calls.load(Ordering::SeqCst) > 5).await;

    host.install("echo-v2", "echo");
    wait_until("v2 serving", async || v2_seen.load(Ordering::SeqCst)).await;
    wait_until("one notification", async || counter.get() == 1).await;
    assert!(host.tool_names().contains(&"echo_upper".to_owned()));

    host.remove("hello");
    wait_until("hello removed", async || {
        !host.tool_names().contains(&"hello".to_owned())
    })
    .await;
    wait_until("second notification", async || counter.get() == 2).await;

    // Same bytes again: the catalogue does not change, so no notification.
    host.install("echo-v2", "echo");
    let outcome = host.reload().await;
    assert!(!outcome.changed);

    let before = calls.load(Ordering::SeqCst);
    wait_until("more calls", async || {
        calls.load(Ordering::SeqCst) > before + 5
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    caller.await.unwrap();
    assert_eq!(
        failures.load(Ordering::SeqCst),
        0,
        "calls failed during reloads"
    );
    assert_eq!(
        counter.get(),
        2,
        "exactly one list_changed per catalogue change"
    );
    let tools = client.list_all_tools().await.unwrap();
    let mut names: Vec<_> = tools.iter().map(|t| t.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["echo", "echo_upper"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_component_is_rejected_and_the_old_revision_serves() {
    let host = TestHost::start(OFFLINE_INSTANCE, &[("echo-v1", "echo")]).await;
    let before = host.status("echo").revision;
    host.install_bytes("echo", b"\0asm this is not a component");
    let outcome = host.reload().await;
    assert_eq!(outcome.failed.len(), 1);
    let status = host.status("echo");
    assert_eq!(status.state, "degraded");
    assert_eq!(status.revision, before);
    assert_contains(
        status.last_error.as_deref().unwrap(),
        "not a valid component",
    );
    let out = host
        .call("echo", json!({"text": "still here"}))
        .await
        .unwrap();
    assert_eq!(out.structured.unwrap()["version"], json!(1));
    // A corrupt file for a brand-new plugin: it simply does not load.
    host.install_bytes("broken", b"garbage");
    host.reload().await;
    assert_eq!(host.status("broken").state, "failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colliding_tool_name_is_rejected() {
    let host = TestHost::start(OFFLINE_INSTANCE, &[("hello-plugin", "hello")]).await;
    host.install("collide", "collide");
    let outcome = host.reload().await;
    assert!(!outcome.changed);
    let status = host.status("collide");
    assert_eq!(status.state, "failed");
    assert_contains(
        status.last_error.as_deref().unwrap(),
        "tool name \"hello\" collides with plugin \"hello\"",
    );
    assert!(host.call("hello", json!({"name": "Ada"})).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_configuration_is_rejected_and_the_previous_one_stays() {
    let host = TestHost::start(OFFLINE_INSTANCE, &[("hello-plugin", "hello")]).await;
    host.write_config(&format!(
        "{OFFLINE_INSTANCE}\n[plugins.hello]\ninstance = \"nope\"\nmemroy_mb = 3\n"
    ));
    let outcome = host.reload().await;
    let err = outcome.config_error.expect("config rejected");
    assert_contains(&err, "plugins.toml:");
    assert_contains(&err, "memroy_mb");
    assert!(host.call("hello", json!({"name": "Ada"})).await.is_ok());
    // Visible in the admin API too.
    let body: serde_json::Value = reqwest::get(host.url("/api/plugins"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_contains(body["config_error"].as_str().unwrap(), "memroy_mb");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_reload_endpoint_needs_the_admin_token() {
    let host = TestHost::start(OFFLINE_INSTANCE, &[]).await;
    let http = reqwest::Client::new();
    let r = http
        .post(host.url("/api/plugins/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    host.install("hello-plugin", "hello");
    let r = http
        .post(host.url("/api/plugins/reload"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["changed"], json!(true));
    let list: serde_json::Value = reqwest::get(host.url("/api/plugins"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hello = &list["plugins"][0];
    assert_eq!(
        (hello["name"].as_str(), hello["state"].as_str()),
        (Some("hello"), Some("active"))
    );
    let mut tools: Vec<&str> = hello["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    tools.sort_unstable();
    assert_eq!(tools, ["count_partners", "hello"]);
    assert_eq!(hello["revision"].as_str().unwrap().len(), 12);
}
