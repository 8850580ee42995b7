//! Plugins reaching Odoo through the host: the embedded sandbox answers over real
//! XML-RPC, and time spent waiting on Odoo is not charged to a plugin's CPU budget.

use serde_json::json;

use crate::support::{TestHost, assert_contains};

const SANDBOX: &str = r#"
[odoo.instances.main]
sandbox = true

[plugins.hello]
[plugins.hello.grants]
"res.partner" = ["search_count"]

[plugins.faults]
cpu_ms = 40
[plugins.faults.grants]
"res.partner" = ["search_count", "create"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_reads_the_sandbox_through_the_host() {
    let host = TestHost::start(
        SANDBOX,
        &[("hello-plugin", "hello"), ("fixture-faults", "faults")],
    )
    .await;
    let count = host
        .call("count_partners", json!({}))
        .await
        .unwrap()
        .structured
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert!(count > 5, "the demo data has partners, got {count}");
    let created = host
        .call("write_partner", json!({"name": "Acme Test"}))
        .await
        .unwrap()
        .structured
        .unwrap();
    assert!(created["id"].as_i64().unwrap() > 0);
    let after = host
        .call("count_partners", json!({}))
        .await
        .unwrap()
        .structured
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert_eq!(after, count + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_on_odoo_is_not_charged_to_the_cpu_budget() {
    let host = TestHost::start(SANDBOX, &[("fixture-faults", "faults")]).await;
    // 200 XML-RPC round trips take far longer than the 40 ms CPU budget in wall
    // time, but the guest itself barely runs between them.
    let out = host
        .call("sleepy_host", json!({"n": 200}))
        .await
        .unwrap()
        .structured
        .unwrap();
    assert_eq!(out["calls"], 200);
    // A guest that burns CPU itself is still stopped at the same budget.
    let err = host.call("spin", json!({})).await.unwrap_err();
    assert_contains(&err.to_string(), "CPU budget");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_reports_the_sandbox_version_and_failed_plugins() {
    let host = TestHost::start(SANDBOX, &[("hello-plugin", "hello")]).await;
    // `faults` is declared but its artifact is missing: not ready.
    let r = reqwest::get(host.url("/ready")).await.unwrap();
    assert_eq!(r.status(), 503);
    host.install("fixture-faults", "faults");
    host.reload().await;
    let r = reqwest::get(host.url("/ready")).await.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["odoo"]["main"]["ok"], true);
    assert_contains(body["odoo"]["main"]["version"].as_str().unwrap(), "1");
}
