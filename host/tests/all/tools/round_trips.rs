//! How many Odoo round trips a quotation costs, counted at the wire: the instances point
//! at a sandbox of the test's own that logs every XML-RPC request it answers.

use daniel_odoo_sandbox::{CallLog, Sandbox, SandboxConfig};

use super::{Tools, odoo_instances, quotation_args};

async fn counting_sandbox() -> (String, CallLog) {
    let log = CallLog::default();
    let sandbox = Sandbox::new(SandboxConfig::default())
        .unwrap()
        .with_call_log(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, sandbox.router()).await.unwrap() });
    (url, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_line_quotation_for_a_new_customer_takes_at_most_ten_round_trips() {
    let (url, log) = counting_sandbox().await;
    let t = Tools::start_with(odoo_instances(&url, "demo", "admin", "admin")).await;

    let cold = t.quotation(quotation_args("primera@hotel.mx")).await;
    assert_eq!(cold["status"], "completed", "{cold}");
    let cold_calls: Vec<String> = log.take().into_iter().map(|c| c.name).collect();
    let warm = t.quotation(quotation_args("segunda@hotel.mx")).await;
    assert_eq!(warm["status"], "completed", "{warm}");
    let warm_calls = log.names();

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
