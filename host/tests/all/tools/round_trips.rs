//! How many Odoo round trips a quotation costs, counted at the wire: the instances point
//! at a sandbox of the test's own behind a proxy that logs every `execute_kw`.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use daniel_odoo_sandbox::{Sandbox, SandboxConfig};

use super::{Tools, quotation_args, repo_config};

type Log = Arc<Mutex<Vec<String>>>;

/// `model.method` of an `execute_kw` request body: the 3rd and 4th strings after the
/// database and the key.
fn call_name(xml: &str) -> String {
    let strings: Vec<&str> = xml
        .split("<string>")
        .skip(1)
        .filter_map(|s| s.split("</string>").next())
        .collect();
    match strings.as_slice() {
        [_db, _key, model, method, ..] => format!("{model}.{method}"),
        _ => "?".into(),
    }
}

async fn record(State(log): State<Log>, req: Request, next: Next) -> Response {
    if req.uri().path() != "/xmlrpc/2/object" {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    log.lock()
        .unwrap()
        .push(call_name(&String::from_utf8_lossy(&bytes)));
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

async fn counting_sandbox() -> (String, Log) {
    let log = Log::default();
    let sandbox = Sandbox::new(SandboxConfig::default()).unwrap();
    let app = sandbox
        .router()
        .layer(axum::middleware::from_fn_with_state(log.clone(), record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_line_quotation_for_a_new_customer_takes_at_most_ten_round_trips() {
    let (url, log) = counting_sandbox().await;
    let mut config = repo_config();
    let instance: toml::Table =
        format!("url = {url:?}\ndb = \"demo\"\nlogin = \"admin\"\nkey = \"admin\"")
            .parse()
            .unwrap();
    let instances = config["odoo"]["instances"].as_table_mut().unwrap();
    instances.insert("development".into(), toml::Value::Table(instance.clone()));
    let mut read_only = instance;
    read_only.insert("read_only".into(), true.into());
    instances.insert("production".into(), toml::Value::Table(read_only));
    let t = Tools::start_with(config).await;

    let cold = t.quotation(quotation_args("primera@hotel.mx")).await;
    assert_eq!(cold["status"], "completed", "{cold}");
    let cold_calls = std::mem::take(&mut *log.lock().unwrap());
    let warm = t.quotation(quotation_args("segunda@hotel.mx")).await;
    assert_eq!(warm["status"], "completed", "{warm}");
    let warm_calls = log.lock().unwrap().clone();

    println!(
        "cold ({}): {cold_calls:?}\nwarm ({}): {warm_calls:?}",
        cold_calls.len(),
        warm_calls.len()
    );
    let expected = [
        "product.product.read",
        "product.pricelist.item.search_read",
        "res.partner.search_read",
        "res.partner.create",
        "crm.team.read",
        "res.users.search_read",
        "crm.lead.search_read",
        "crm.lead.create",
        "sale.order.create",
        "sale.order.read",
    ];
    assert_eq!(warm_calls, expected);
    // The first one also logs in and asks the version (once per host: the answer
    // decides whether `mobile` exists); it lists no fields.
    let (common, object): (Vec<String>, Vec<String>) = cold_calls
        .into_iter()
        .partition(|c| c.starts_with("common."));
    assert_eq!(object, expected);
    assert!(
        common.len() <= 2
            && common
                .iter()
                .all(|c| c == "common.authenticate" || c == "common.version"),
        "{common:?}"
    );
}
