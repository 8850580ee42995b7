//! The REST surface with the product plugins over the sandbox: quotations with
//! tracking ids, idempotency, field validation, hand-off, metrics, OpenAPI, and jobs
//! that survive the host being killed.

use serde_json::{Value, json};

use crate::support::{TestHost, artifact, assert_contains, wait_until};
use crate::tools::PLUGINS as PRODUCT_PLUGINS;

#[path = "../common/repo_config.rs"]
mod repo_config;
pub(crate) use repo_config::product_config;

pub(crate) fn quotation(email: &str) -> Value {
    json!({
        "partner_name": "Hotel Reforma", "contact_name": "Ana Pérez", "email": email,
        "phone": "+52 55 1234 5678", "lead_name": "Servibot - Hotel Reforma",
        "products": [{"product_id": 26153, "qty": 2}],
    })
}

/// Queues a quotation for `email` at the host on `base`; returns its tracking id.
pub(crate) async fn queue_quotation(http: &reqwest::Client, base: &str, email: &str) -> String {
    let accepted: Value = http
        .post(format!("{base}/api/quotation/async"))
        .json(&quotation(email))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    accepted["tracking_id"].as_str().unwrap().to_owned()
}

pub(crate) async fn wait_for_job(host: &TestHost, id: &str) -> Value {
    let mut last = Value::Null;
    wait_until("job finished", async || {
        last = reqwest::get(host.url(&format!("/api/quotation/status/{id}")))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        matches!(last["status"].as_str(), Some("completed" | "failed"))
    })
    .await;
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quotation_is_queued_tracked_and_created_once_per_idempotency_key() {
    let host = TestHost::start(&product_config(), PRODUCT_PLUGINS).await;
    let http = reqwest::Client::new();
    let post = |key: &'static str| {
        http.post(host.url("/api/quotation/async"))
            .header("idempotency-key", key)
            .json(&quotation("Ana@Reforma.mx"))
            .send()
    };
    let first = post("k-1").await.unwrap();
    assert_eq!(first.status(), 202);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = first.json().await.unwrap();
    let id = body["tracking_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("quot_") && id.len() == 17, "{id}");
    assert_eq!(
        (body["status"].as_str(), body["status_url"].as_str()),
        (Some("queued"), Some(location.as_str()))
    );

    let again: Value = post("k-1").await.unwrap().json().await.unwrap();
    assert_eq!(
        again["tracking_id"],
        json!(id),
        "a retried request returns the first tracking id"
    );

    let done = wait_for_job(&host, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert!(done["result"].is_object(), "{done}");
    // Exactly one quotation: one hand-off message, one job.
    assert_eq!(
        host.state.outbox.messages().len(),
        1,
        "{:?}",
        host.state.outbox.messages()
    );
    // The same quotation again within the dedupe window, even under another key, is
    // the same job (clients and agents retry with fresh keys); another one is new.
    let same: Value = post("k-2").await.unwrap().json().await.unwrap();
    assert_eq!(same["tracking_id"], json!(id));
    let other = queue_quotation(&http, &host.url(""), "luis@reforma.mx").await;
    assert_ne!(other, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_retries_with_one_idempotency_key_create_one_quotation() {
    let host = TestHost::start(&product_config(), PRODUCT_PLUGINS).await;
    let http = reqwest::Client::new();
    let posts = (0..6).map(|_| {
        http.post(host.url("/api/quotation/async"))
            .header("idempotency-key", "race-1")
            .json(&quotation("race@reforma.mx"))
            .send()
    });
    let mut ids = std::collections::HashSet::new();
    for r in futures::future::join_all(posts).await {
        let r = r.unwrap();
        assert_eq!(r.status(), 202);
        let body: Value = r.json().await.unwrap();
        ids.insert(body["tracking_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        ids.len(),
        1,
        "one tracking id for every racing retry: {ids:?}"
    );
    let id = ids.into_iter().next().unwrap();
    assert_eq!(wait_for_job(&host, &id).await["status"], "completed");
    assert_eq!(host.state.outbox.messages().len(), 1, "one quotation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_requests_name_every_field_and_unknown_ids_are_404() {
    let host = TestHost::start(&product_config(), PRODUCT_PLUGINS).await;
    let http = reqwest::Client::new();
    let r = http
        .post(host.url("/api/quotation/async"))
        .json(&json!({"partner_name": "", "email": "nope", "products": [{"product_id": 0}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    let locs: Vec<String> = body["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["loc"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect();
    for want in [
        "body.partner_name",
        "body.email",
        "body.contact_name",
        "body.phone",
        "body.lead_name",
        "body.products.0.product_id",
    ] {
        assert!(locs.contains(&want.to_owned()), "{want} not in {locs:?}");
    }
    let r = http
        .post(host.url("/api/quotation/async"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = reqwest::get(host.url("/api/quotation/status/quot_000000000000"))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handoff_notifies_the_leads_salesperson() {
    let host = TestHost::start(&product_config(), PRODUCT_PLUGINS).await;
    let http = reqwest::Client::new();
    let r = http
        .post(host.url("/api/elevenlabs/handoff"))
        .json(&json!({"user_phone": "+5215512345678", "user_name": "Ana", "lead_id": 1}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    let sent = host.state.outbox.messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(body["message_sid"], json!(sent[0].id));
    let r = http
        .post(host.url("/api/elevenlabs/handoff"))
        .json(&json!({"user_phone": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_openapi_and_docs_are_served() {
    let host = TestHost::start(&product_config(), PRODUCT_PLUGINS).await;
    host.call("list_projects", json!({})).await.unwrap();
    let metrics = reqwest::get(host.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_contains(
        &metrics,
        "daniel_tool_calls_total{tool=\"list_projects\",outcome=\"ok\"} 1",
    );
    assert_contains(&metrics, "daniel_tool_call_seconds_bucket");
    let doc: Value = reqwest::get(host.url("/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/quotation/async"]["post"].is_object());
    let page = reqwest::get(host.url("/docs"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_contains(&page, "/openapi.json");
}

/// A TCP server that accepts and never answers: an Odoo that hangs.
async fn hanging_odoo() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (port, task)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_host(dir: &std::path::Path, port: u16) -> Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_daniel"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--config"])
        .arg(dir.join("plugins.toml"))
        .env("RUST_LOG", "warn")
        .stderr(std::fs::File::create(dir.join(format!("host-{port}.log"))).unwrap())
        .spawn()
        .unwrap();
    Child(child)
}

/// A folder with the crm plugin and a plugins.toml declaring only it, its
/// development instance (where quotations run) at a hanging Odoo on `odoo_port`;
/// `extra` is appended (a `[jobs]` table, say).
fn crm_over_hanging_odoo(odoo_port: u16, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("plugins")).unwrap();
    std::fs::copy(artifact("crm"), dir.path().join("plugins/crm.wasm")).unwrap();
    let config = product_config()
        .replace("[odoo.instances.development]\nsandbox = true", &format!(
            "[odoo.instances.development]\nurl = \"http://127.0.0.1:{odoo_port}\"\ndb = \"d\"\nlogin = \"l\"\nkey = \"k\"\ntimeout_secs = 120"
        ));
    let declared_only_crm: String = config
        .split("\n[plugins.")
        .enumerate()
        .filter(|(i, part)| *i == 0 || part.starts_with("crm"))
        .map(|(i, part)| {
            if i == 0 {
                part.to_owned()
            } else {
                format!("\n[plugins.{part}")
            }
        })
        .collect();
    std::fs::write(
        dir.path().join("plugins.toml"),
        format!(
            "[host]\nplugin_dir = \"plugins\"\ncache_dir = \"cache\"\n{declared_only_crm}\n{extra}"
        ),
    )
    .unwrap();
    dir
}

/// The status document of job `id`.
async fn job_status(http: &reqwest::Client, base: &str, id: &str) -> Value {
    http.get(format!("{base}/api/quotation/status/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// `daniel serve` on `dir`'s plugins.toml at `port`, once it answers; its base URL.
async fn serve(http: &reqwest::Client, dir: &std::path::Path, port: u16) -> (Child, String) {
    let host = start_host(dir, port);
    let base = format!("http://127.0.0.1:{port}");
    wait_until("host up", async || {
        http.get(format!("{base}/health")).send().await.is_ok()
    })
    .await;
    (host, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_job_queue_answers_503_with_retry_after() {
    let (odoo_port, _odoo) = hanging_odoo().await;
    let dir = crm_over_hanging_odoo(
        odoo_port,
        "[jobs]\nstore = \":memory:\"\nworkers = 1\nmax_queued = 1\n",
    );
    let http = reqwest::Client::new();
    let (_host, base) = serve(&http, dir.path(), free_port()).await;
    // The one worker hangs on Odoo with the first; the second waits in the queue.
    let first = queue_quotation(&http, &base, "one@full.mx").await;
    wait_until("first job processing", async || {
        job_status(&http, &base, &first).await["status"] == "processing"
    })
    .await;
    let second = queue_quotation(&http, &base, "two@full.mx").await;
    assert_eq!(job_status(&http, &base, &second).await["status"], "queued");
    let refused = http
        .post(format!("{base}/api/quotation/async"))
        .json(&quotation("three@full.mx"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "5");
    let body: Value = refused.json().await.unwrap();
    assert_contains(body["detail"].as_str().unwrap(), "queue is full");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_running_when_the_host_is_killed_is_failed_with_a_reason_at_restart() {
    let (odoo_port, _odoo) = hanging_odoo().await;
    let dir = crm_over_hanging_odoo(odoo_port, "");
    let http = reqwest::Client::new();
    let port = free_port();
    let (host, base) = serve(&http, dir.path(), port).await;
    let id = queue_quotation(&http, &base, "kill@nine.mx").await;
    wait_until("job processing", async || {
        job_status(&http, &base, &id).await["status"] == "processing"
    })
    .await;
    // kill -9: no shutdown hooks run.
    drop(host);
    let (host, _) = serve(&http, dir.path(), port).await;
    let s = job_status(&http, &base, &id).await;
    assert_eq!(s["status"], "failed", "{s}");
    assert_contains(
        s["error"].as_str().unwrap(),
        "host stopped while this job was running",
    );
    drop(host);
}
