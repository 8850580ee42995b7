//! Every product tool over MCP against a real Odoo, when one is configured with the
//! variables of the client's suite (`host/odoo/tests/real_odoo.rs`); without them each
//! test prints that it was skipped. The host runs the repository's `plugins.toml` with
//! both instances pointing at that Odoo (settings naming records the database lacks are
//! replaced by its first such record), and ids come from what the database holds.
//!
//! Writes create test records only: a customer `Daniel test <run>` with e-mail
//! `daniel-test+<run>@example.com`, its opportunity and quotations, a note on that
//! opportunity. Messages go to the host's offline outbox, never to a phone.

#[path = "../../odoo/tests/support/real_odoo_env.rs"]
mod real_odoo_env;

use daniel_odoo::{InstanceConfig, OdooClient, Secret};
use real_odoo_env::RealOdoo;
use serde_json::{Value, json};

use crate::tools::{Tools, odoo_instances};

/// A host on the real Odoo and a direct client to it (for settings and checks).
struct Real {
    tools: Tools,
    odoo: OdooClient,
    /// Marks this run's test records.
    run: String,
}

impl Real {
    /// `None` (after saying so) unless `ODOO_TEST_*` name a real Odoo.
    async fn start() -> Option<Real> {
        let env = RealOdoo::from_env()?;
        let odoo = OdooClient::new(InstanceConfig::new(
            "real",
            env.url.clone(),
            env.db.clone(),
            env.login.clone(),
            Secret::new(env.password),
        ))
        .expect("valid ODOO_TEST_* settings");
        // The secret stays in the environment: the host expands it, no file holds it.
        let mut config = odoo_instances(&env.url, &env.db, &env.login, "${ODOO_TEST_PASSWORD}");
        config.remove("messaging");
        fit_settings(&mut config, &odoo).await;
        let tools = Tools::start_with(config).await;
        let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
        Some(Real { tools, odoo, run })
    }

    /// Calls `tool`, expecting success, and checks the result against the output
    /// schema the tool publishes (the host checks it too; this checks what MCP carried).
    async fn ok(&self, tool: &str, args: Value) -> Value {
        let result = self.tools.ok(tool, args).await;
        let catalog = self.tools.host.state.registry.catalog();
        let spec = catalog.tools().find(|t| t.name == tool).unwrap();
        let schema = Value::Object((**spec.output_schema.as_ref().unwrap()).clone());
        let validator = jsonschema::validator_for(&schema).unwrap();
        if let Err(e) = validator.validate(&result) {
            panic!("{tool}: result does not match its output schema: {e}\n{result}");
        }
        result
    }
}

/// Replaces ids in the crm and sales settings that the database does not have.
async fn fit_settings(config: &mut toml::Table, odoo: &OdooClient) {
    let plugins = config["plugins"].as_table_mut().unwrap();
    for (plugin, key, model) in [
        ("crm", "sales_team_id", "crm.team"),
        ("crm", "conversion_stage_id", "crm.stage"),
        ("crm", "pricelist_id", "product.pricelist"),
        ("sales", "pricelist_id", "product.pricelist"),
    ] {
        let settings = plugins[plugin]["settings"].as_table_mut().unwrap();
        let id = settings[key].as_integer().unwrap();
        if ids(odoo, model, json!([["id", "=", id]]), 1)
            .await
            .is_empty()
        {
            let first = ids(odoo, model, json!([]), 1).await;
            let first = *first
                .first()
                .unwrap_or_else(|| panic!("no {model} in the database"));
            eprintln!("real Odoo has no {model} {id}; {plugin}.{key} = {first} for this run");
            settings.insert(key.into(), first.into());
        }
    }
    let crm = plugins["crm"]["settings"].as_table_mut().unwrap();
    let wanted: Vec<i64> = crm["pipeline_stage_ids"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(toml::Value::as_integer)
        .collect();
    let mut stages = ids(odoo, "crm.stage", json!([["id", "in", wanted]]), 100).await;
    if stages.is_empty() {
        stages = ids(odoo, "crm.stage", json!([]), 100).await;
    }
    crm.insert("pipeline_stage_ids".into(), stages.into());
}

async fn ids(odoo: &OdooClient, model: &str, domain: Value, limit: u32) -> Vec<i64> {
    let found = odoo
        .execute_kw(model, "search", json!([domain]), json!({ "limit": limit }))
        .await
        .unwrap_or_else(|e| panic!("{model}.search: {e}"));
    found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_i64)
        .collect()
}

/// The `id` of the first item of a list tool's page.
fn first_id(page: &Value, what: &str) -> i64 {
    page["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the real Odoo has no {what} to read: {page}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_tool_answers_with_its_documented_shape() {
    let Some(r) = Real::start().await else { return };
    let projects = r.ok("list_projects", json!({"limit": 5})).await;
    let project = first_id(&projects, "project");
    let tasks = r.ok("list_tasks", json!({"project_id": project})).await;
    let task = match tasks["items"][0]["id"].as_i64() {
        Some(id) => id,
        None => first_id(&r.ok("list_tasks", json!({"limit": 1})).await, "task"),
    };
    let read = r.ok("get_task", json!({"task_id": task})).await;
    assert_eq!(read["id"], task);
    let users = r.ok("list_users", json!({"limit": 5})).await;
    assert!(!users["items"].as_array().unwrap().is_empty());

    let sales = r.ok("list_sales", json!({"limit": 5})).await;
    let sale = first_id(&sales, "sale order");
    let order = r
        .ok("get_sale", json!({"sale_id": sale, "include_lines": true}))
        .await;
    assert_eq!(order["id"], sale);

    let name = projects["items"][0]["name"].as_str().unwrap();
    let word = name.split_whitespace().max_by_key(|w| w.len()).unwrap();
    let hits = r.ok("search", json!({"query": word})).await;
    assert!(hits["results"].is_array());
    for doc_id in [format!("project:{project}"), format!("task:{task}")] {
        let doc = r.ok("fetch", json!({ "doc_id": doc_id })).await;
        assert_eq!(doc["id"], doc_id);
    }
    let products = r.ok("find_products", json!({"limit": 5})).await;
    first_id(&products, "product for sale");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_tool_works_on_test_records() {
    let Some(r) = Real::start().await else { return };
    let products = r.ok("find_products", json!({"limit": 2})).await;
    let product_ids: Vec<i64> = products["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["id"].as_i64())
        .collect();
    assert!(!product_ids.is_empty(), "no product for sale: {products}");

    let name = format!("Daniel test {}", r.run);
    let queued = r
        .ok(
            "dev_create_quotation",
            json!({
                "partner_name": name,
                "contact_name": name,
                "email": format!("daniel-test+{}@example.com", r.run),
                "phone": "+525500000000",
                "lead_name": name,
                "products": product_ids.iter().map(|id| json!({"product_id": id, "qty": 1})).collect::<Vec<_>>(),
                "description": "Daniel integration test: test data, safe to delete",
            }),
        )
        .await;
    assert_eq!(queued["status"], "queued");
    let tracking_id = queued["tracking_id"].as_str().unwrap();
    r.tools.wait_for(tracking_id).await;
    let done = r
        .ok(
            "dev_get_quotation_status",
            json!({ "tracking_id": tracking_id }),
        )
        .await;
    assert_eq!(done["status"], "completed", "{done}");
    let result = &done["result"];
    assert_eq!(result["partner_reused"], false, "a new test customer");
    assert_eq!(result["lines"].as_array().unwrap().len(), product_ids.len());
    let (partner, lead) = (
        result["partner_id"].as_i64().unwrap(),
        result["lead_id"].as_i64().unwrap(),
    );
    eprintln!(
        "test records: res.partner {partner}, crm.lead {lead}, sale.order {}",
        result["sale_order_id"]
    );

    let sale = r
        .ok(
            "dev_create_sale",
            json!({"partner_id": partner, "note": "Daniel integration test"}),
        )
        .await;
    let sale_id = sale["id"].as_i64().unwrap();
    r.ok(
        "dev_create_sale_line",
        json!({"order_id": sale_id, "product_id": product_ids[0], "product_uom_qty": 1}),
    )
    .await;
    let reference = format!("daniel-test-{}", r.run);
    let updated = r
        .ok(
            "dev_update_sale",
            json!({"sale_id": sale_id, "values": {"client_order_ref": reference}}),
        )
        .await;
    assert_eq!(updated["updated_fields"], json!(["client_order_ref"]));
    let record = r.ok("dev_read_sale", json!({ "sale_id": sale_id })).await;
    assert_eq!(record["record"]["client_order_ref"], reference);
    assert_eq!(record["record"]["order_line"].as_array().unwrap().len(), 1);

    let noted = r
        .ok(
            "dev_update_lead_quotation",
            json!({"lead_id": lead, "message": "Daniel integration test note"}),
        )
        .await;
    assert_eq!(noted["message_posted"], true);
    let notified = r
        .ok(
            "message_notification",
            json!({"user_phone": "+525500000000", "reason": "Daniel integration test", "lead_id": lead}),
        )
        .await;
    assert_eq!(notified["status"], "sent");
    let partner_email = r
        .odoo
        .execute_kw(
            "res.partner",
            "read",
            json!([[partner]]),
            json!({"fields": ["email"]}),
        )
        .await
        .unwrap();
    assert_eq!(
        partner_email[0]["email"],
        format!("daniel-test+{}@example.com", r.run)
    );
}
