//! The seven product plugins end to end: every tool over MCP against the embedded
//! Odoo sandbox, configured by the repository's own `plugins.toml` (so its grants and
//! instance mapping are tested too).

mod catalogue;
mod errors;
mod handoff;
mod leads;
mod quotation;
mod round_trips;
mod sales;

use std::path::Path;
use std::time::Duration;

use rmcp::RoleClient;
use rmcp::service::RunningService;
use serde_json::{Value, json};

use crate::support::{Counter, TestHost, call_params, text};

/// The product plugins: crate file stem and installed name.
pub const PLUGINS: &[(&str, &str)] = &[
    ("crm", "crm"),
    ("sales", "sales"),
    ("projects", "projects"),
    ("tasks", "tasks"),
    ("users", "users"),
    ("search", "search"),
    ("whatsapp", "whatsapp"),
];

/// The repository's `plugins.toml` without its `[host]` table (the test host adds its
/// own plugin and cache folders), as a table to adjust.
pub fn repo_config() -> toml::Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins.toml");
    let mut table: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    table.remove("host");
    table
}

/// The repository's configuration with both instances pointing at the Odoo at `url`
/// ("production" stays read-only). `key` may be a `${VAR}` reference.
pub fn odoo_instances(url: &str, db: &str, login: &str, key: &str) -> toml::Table {
    let mut config = repo_config();
    let mut instance = toml::Table::new();
    for (k, v) in [("url", url), ("db", db), ("login", login), ("key", key)] {
        instance.insert(k.into(), v.into());
    }
    let instances = config["odoo"]["instances"].as_table_mut().unwrap();
    instances.insert("development".into(), instance.clone().into());
    instance.insert("read_only".into(), true.into());
    instances.insert("production".into(), instance.into());
    config
}

/// A test host running the product plugins, and an MCP client connected to it.
pub struct Tools {
    pub host: TestHost,
    client: RunningService<RoleClient, Counter>,
}

impl Tools {
    /// The product plugins under the repository's configuration (two sandbox instances:
    /// read-only "production" and "development", sharing the sandbox's data).
    pub async fn start() -> Tools {
        Self::start_with(repo_config()).await
    }

    pub async fn start_with(config: toml::Table) -> Tools {
        let host = TestHost::start(&toml::to_string(&config).unwrap(), PLUGINS).await;
        let names = host.tool_names();
        assert!(
            names.iter().any(|n| n == "dev_create_quotation"),
            "plugins failed to load: {:?}",
            host.status("crm")
        );
        let (client, _) = host.mcp_client().await;
        Tools { host, client }
    }

    /// Calls `tool` and returns its structured result, checking it came back once: one
    /// text block holding exactly the structured JSON.
    pub async fn ok(&self, tool: &str, args: Value) -> Value {
        let result = self
            .client
            .call_tool(call_params(tool, args.clone()))
            .await
            .unwrap();
        assert_ne!(
            result.is_error,
            Some(true),
            "{tool}({args}) failed: {}",
            text(&result)
        );
        let structured = result
            .structured_content
            .clone()
            .unwrap_or_else(|| panic!("{tool}: no structured result"));
        assert_eq!(result.content.len(), 1, "{tool}: one content block");
        assert_eq!(
            serde_json::from_str::<Value>(&text(&result)).unwrap(),
            structured,
            "{tool}: text is the structured JSON"
        );
        structured
    }

    /// Calls `tool`, expecting an error result; returns its text.
    pub async fn err(&self, tool: &str, args: Value) -> String {
        let result = self
            .client
            .call_tool(call_params(tool, args.clone()))
            .await
            .unwrap();
        assert_eq!(
            result.is_error,
            Some(true),
            "{tool}({args}) should fail, got {}",
            text(&result)
        );
        text(&result)
    }

    /// Calls Odoo on the development instance directly, bypassing the plugins.
    pub async fn odoo(&self, model: &str, method: &str, args: Value, kwargs: Value) -> Value {
        let instances = self.host.state.services.odoo.load_full();
        let client = instances
            .client("development")
            .expect("development instance");
        client
            .execute_kw(model, method, args, kwargs)
            .await
            .unwrap_or_else(|e| panic!("{model}.{method}: {e}"))
    }

    /// Reads one record's fields directly.
    pub async fn read(&self, model: &str, id: i64, fields: &[&str]) -> Value {
        let rows = self
            .odoo(model, "read", json!([[id]]), json!({ "fields": fields }))
            .await;
        rows[0].clone()
    }

    /// Queues a quotation and polls its status until it completes or fails.
    pub async fn quotation(&self, args: Value) -> Value {
        let queued = self.ok("dev_create_quotation", args).await;
        assert_eq!(queued["status"], "queued");
        let id = queued["tracking_id"].as_str().unwrap().to_owned();
        self.wait_for(&id).await
    }

    /// Polls `dev_get_quotation_status` until the job ends.
    pub async fn wait_for(&self, tracking_id: &str) -> Value {
        for _ in 0..300 {
            let status = self
                .ok(
                    "dev_get_quotation_status",
                    json!({ "tracking_id": tracking_id }),
                )
                .await;
            if matches!(status["status"].as_str(), Some("completed" | "failed")) {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("quotation {tracking_id} did not finish");
    }
}

/// A customer's quotation request as the agent sends it: a new company, two lines.
pub fn quotation_args(email: &str) -> Value {
    json!({
        "partner_name": "Hotel Sol Caribe",
        "contact_name": "Ana Ruiz",
        "email": email,
        "phone": "998 123 4567",
        "lead_name": "Hotel Sol Caribe",
        "ciudad": "Cancún",
        "products": [
            {"product_id": 26153, "qty": 2, "price": -1},
            {"product_id": 26171, "qty": 1}
        ],
        "description": "Quiere 2 KettyBot para entrega a habitaciones"
    })
}

/// `[id, "name"]` from Odoo as the id.
pub fn m2o_id(v: &Value) -> Option<i64> {
    v.get(0).and_then(Value::as_i64)
}
