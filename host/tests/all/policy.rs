//! Host-enforced grants: an ungranted model or method is denied naming plugin,
//! model and method; a read-only instance refuses writes whatever the grant says.

use daniel::registry::CallError;
use serde_json::json;

use crate::support::{OFFLINE_INSTANCE, TestHost, assert_contains};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ungranted_calls_are_denied_with_names() {
    let config = format!(
        "{OFFLINE_INSTANCE}\n[plugins.faults]\ninstance = \"main\"\n[plugins.faults.grants]\n\"res.partner\" = [\"search_count\"]\n"
    );
    let host = TestHost::start(&config, &[("fixture-faults", "faults")]).await;
    let err = host
        .call(
            "ungranted",
            json!({"model": "sale.order", "method": "read", "args": [[1]]}),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::Tool(_)), "{err}");
    assert_contains(&err.to_string(), "denied");
    assert_contains(
        &err.to_string(),
        "\"faults\" is not granted sale.order.read",
    );
    let err = host
        .call(
            "ungranted",
            json!({"model": "res.partner", "method": "unlink", "args": [[1]]}),
        )
        .await
        .unwrap_err();
    assert_contains(&err.to_string(), "not granted res.partner.unlink");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_instance_refuses_writes_in_the_host() {
    let config = format!(
        "{}\nread_only = true\n[plugins.faults]\n[plugins.faults.grants]\n\"res.partner\" = [\"*\"]\n",
        OFFLINE_INSTANCE.trim_end()
    );
    let host = TestHost::start(&config, &[("fixture-faults", "faults")]).await;
    let err = host.call("write_partner", json!({})).await.unwrap_err();
    assert_contains(&err.to_string(), "read-only");
    assert_contains(&err.to_string(), "res.partner.create");
    let err = host
        .call(
            "ungranted",
            json!({"model": "res.partner", "method": "action_archive", "args": [[1]]}),
        )
        .await
        .unwrap_err();
    assert_contains(&err.to_string(), "read-only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeclared_plugins_get_no_odoo_and_no_messaging() {
    let host = TestHost::start(OFFLINE_INSTANCE, &[("fixture-faults", "faults")]).await;
    let err = host
        .call(
            "ungranted",
            json!({"model": "res.partner", "method": "search_count", "args": [[]]}),
        )
        .await
        .unwrap_err();
    assert_contains(
        &err.to_string(),
        "\"faults\" has no Odoo instance for tool \"ungranted\"",
    );
    let err = host
        .call("send", json!({"to": "+5215512345678", "body": "hi"}))
        .await
        .unwrap_err();
    assert_contains(&err.to_string(), "may not send messages");
    assert!(host.state.outbox.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn granted_messages_reach_the_outbox_and_settings_reach_the_plugin() {
    let config = format!(
        "{OFFLINE_INSTANCE}\n[plugins.faults]\nmessaging = true\n[plugins.faults.settings]\nteam_id = 1\ngreeting = \"hola\"\n"
    );
    let host = TestHost::start(&config, &[("fixture-faults", "faults")]).await;
    let sent = host
        .call("send", json!({"to": "+5215512345678", "body": "hola"}))
        .await
        .unwrap();
    let id = sent.structured.unwrap()["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let outbox = host.state.outbox.messages();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (
            outbox[0].id.as_str(),
            outbox[0].to.as_str(),
            outbox[0].body.as_str()
        ),
        (id.as_str(), "+5215512345678", "hola")
    );
    let err = host
        .call("send", json!({"to": "5512345678", "body": "x"}))
        .await
        .unwrap_err();
    assert_contains(&err.to_string(), "E.164");
    let settings = host
        .call("settings", json!({}))
        .await
        .unwrap()
        .structured
        .unwrap();
    assert_eq!(settings, json!({"team_id": 1, "greeting": "hola"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_odoo_is_an_upstream_error_not_a_hang() {
    let config = format!(
        "{OFFLINE_INSTANCE}\n[plugins.faults]\n[plugins.faults.grants]\n\"res.partner\" = [\"search_count\"]\n"
    );
    let host = TestHost::start(&config, &[("fixture-faults", "faults")]).await;
    let err = host.call("sleepy_host", json!({"n": 1})).await.unwrap_err();
    assert_contains(&err.to_string(), "upstream");
}
