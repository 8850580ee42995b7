//! Failures an agent must be able to tell apart: Odoo down (upstream), a write routed to
//! the read-only instance (denied), a call outside the grants (denied).

use serde_json::json;

use super::{Tools, quotation_args, repo_config};
use crate::support::assert_contains;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odoo_down_is_an_upstream_error_for_tools_and_jobs() {
    let mut config = repo_config();
    let down: toml::Table = r#"
        url = "http://127.0.0.1:9"
        db = "none"
        login = "nobody"
        key = "unused"
        timeout_secs = 2
    "#
    .parse()
    .unwrap();
    let instances = config["odoo"]["instances"].as_table_mut().unwrap();
    for name in ["production", "development"] {
        instances.insert(name.into(), toml::Value::Table(down.clone()));
    }
    config["plugins"]["crm"]["settings"]["messages"]
        .as_table_mut()
        .unwrap()
        .insert("error_recipient".into(), "+525500009999".into());
    let t = Tools::start_with(config).await;
    assert_contains(&t.err("list_projects", json!({})).await, "upstream error");
    assert_contains(
        &t.err("get_sale", json!({"sale_id": 1})).await,
        "upstream error",
    );
    // Queueing needs no Odoo; the job then fails and says why.
    let failed = t.quotation(quotation_args("caido@hotel.mx")).await;
    assert_eq!(failed["status"], "failed");
    assert_contains(failed["error"].as_str().unwrap(), "upstream error");
    // The failure is reported to the configured recipient.
    let outbox = t.host.state.outbox.messages();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].to, "+525500009999");
    assert!(
        outbox[0]
            .body
            .starts_with("Error en cotización Servibot - Hotel Sol Caribe"),
        "{}",
        outbox[0].body
    );
    assert_contains(&outbox[0].body, "caido@hotel.mx");
    // The job names itself, as the seed's error notification did.
    let tracking_id = failed["tracking_id"].as_str().unwrap();
    assert_contains(&outbox[0].body, &format!("Tracking ID: {tracking_id}"));
    // A failed quotation is no duplicate: asking again queues a new one.
    let retry = t
        .ok("dev_create_quotation", quotation_args("caido@hotel.mx"))
        .await;
    assert_ne!(retry["tracking_id"], failed["tracking_id"]);
    t.wait_for(retry["tracking_id"].as_str().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_on_the_read_only_instance_and_ungranted_calls_are_denied() {
    let mut config = repo_config();
    let sales = config["plugins"]["sales"].as_table_mut().unwrap();
    sales["tool_instances"]
        .as_table_mut()
        .unwrap()
        .insert("dev_create_sale".into(), "production".into());
    let tasks = config["plugins"]["tasks"]["grants"].as_table_mut().unwrap();
    tasks.remove("res.users");
    let t = Tools::start_with(config).await;
    let err = t.err("dev_create_sale", json!({"partner_id": 21})).await;
    assert_contains(&err, "denied");
    assert_contains(&err, "read-only");
    assert_contains(&err, "sale.order.create");
    assert_eq!(
        t.odoo("sale.order", "search_count", json!([[]]), json!({}))
            .await,
        4,
        "nothing was created"
    );
    let err = t.err("list_tasks", json!({"project_id": 1})).await;
    assert_contains(&err, "\"tasks\" is not granted res.users.read");
}
