//! Round-trip latency (p50/p99) and throughput with 16 concurrent callers of
//! `OdooClient::execute_kw` against the fake Odoo over loopback, and the client's own
//! overhead for a 50-record `search_read` page. Prints figures; asserts nothing. Run:
//! `cargo bench -p daniel-odoo --bench client` (add `-- --quick` for a short run). The fake
//! answers at once, so this measures the client, the codec and loopback HTTP, not Odoo
//! (which takes 20–30 ms per call, odoo-external-api.md §4.8).
//!
//! Client overhead: the same `execute_kw` is sent alternately through the client and as a
//! pre-encoded bare HTTP POST whose answer is read but not decoded. Server and transport
//! work are the same for both, so the difference of the p50s is what the client adds:
//! request encoding, response decoding into `serde_json::Value` and its bookkeeping.

// The fake server module is shared with the tests; the bench uses only part of it.
#[allow(dead_code)]
#[path = "../tests/support/fake_odoo.rs"]
mod fake_odoo;

use std::time::{Duration, Instant};

use daniel_odoo::{OdooClient, xmlrpc};
use fake_odoo::{DB, FakeOdoo, Reply, SECRET};
use serde_json::json;

const CONCURRENT_CALLERS: usize = 16;

/// 50 partners × 6 fields as Odoo's marshaller writes them (see `benches/codec.rs`).
const PAGE: &[u8] = include_bytes!("fixtures/search_read_50.xml");

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (sequential, concurrent) = if quick { (200, 800) } else { (2_000, 8_000) };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run(sequential, concurrent));
    runtime.block_on(overhead(sequential));
}

async fn run(sequential: usize, concurrent: usize) {
    let fake = FakeOdoo::start(|_, _, _, _| {
        Reply::Value(
            json!([{"id": 1, "name": "Lead", "partner_id": [3, "Azure"], "expected_revenue": 1.5}]),
        )
    })
    .await;
    let mut config = fake.config();
    config.max_connections = CONCURRENT_CALLERS;
    let client = OdooClient::new(config).expect("client");
    let call = |client: OdooClient| async move {
        let args = json!([[["type", "=", "lead"]]]);
        let kwargs = json!({"fields": ["name", "partner_id", "expected_revenue"], "limit": 1});
        client
            .execute_kw("crm.lead", "search_read", args, kwargs)
            .await
            .expect("call");
    };
    for _ in 0..50 {
        call(client.clone()).await;
    }

    let mut samples = Vec::with_capacity(sequential);
    for _ in 0..sequential {
        let start = Instant::now();
        call(client.clone()).await;
        samples.push(start.elapsed());
    }
    samples.sort_unstable();
    println!(
        "round trip ({sequential} sequential calls): p50 {:?}, p99 {:?}, max {:?}",
        percentile(&samples, 50),
        percentile(&samples, 99),
        samples.last().copied().unwrap_or_default(),
    );

    let start = Instant::now();
    let mut callers = tokio::task::JoinSet::new();
    for worker in 0..CONCURRENT_CALLERS {
        let client = client.clone();
        let share =
            concurrent / CONCURRENT_CALLERS + usize::from(worker < concurrent % CONCURRENT_CALLERS);
        callers.spawn(async move {
            for _ in 0..share {
                call(client.clone()).await;
            }
        });
    }
    while let Some(done) = callers.join_next().await {
        done.expect("caller task");
    }
    let elapsed = start.elapsed();
    println!(
        "throughput ({concurrent} calls, {CONCURRENT_CALLERS} concurrent callers): {:.0} calls/s ({elapsed:?})",
        concurrent as f64 / elapsed.as_secs_f64()
    );
}

async fn overhead(rounds: usize) {
    let page = xmlrpc::decode_response(PAGE)
        .expect("fixture decodes")
        .expect("fixture is not a fault");
    let fake = FakeOdoo::start(move |_, _, _, _| Reply::Value(page.clone())).await;
    let client = OdooClient::new(fake.config()).expect("client");
    let (args, kwargs) = (
        json!([[["is_company", "=", false]]]),
        json!({"fields": ["name", "email", "phone", "city", "is_company"], "limit": 50}),
    );
    let through_client = || async {
        let page = client
            .execute_kw("res.partner", "search_read", args.clone(), kwargs.clone())
            .await
            .expect("call");
        std::hint::black_box(page);
    };
    // The client logs in on its first call; the fake accepts uid 2.
    let params = [
        json!(DB),
        json!(2),
        json!(SECRET),
        json!("res.partner"),
        json!("search_read"),
        args.clone(),
        kwargs.clone(),
    ];
    let request = xmlrpc::encode_call("execute_kw", &params);
    let http = reqwest::Client::new();
    let url = format!("{}/xmlrpc/2/object", fake.url());
    let bare = || async {
        let response = http.post(&url).body(request.clone()).send().await;
        let body = response.expect("post").bytes().await.expect("body");
        assert!(body.starts_with(b"<?xml") && body.len() > 20_000);
    };
    for _ in 0..100 {
        through_client().await;
        bare().await;
    }
    let (mut client_times, mut bare_times) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let start = Instant::now();
        through_client().await;
        client_times.push(start.elapsed());
        let start = Instant::now();
        bare().await;
        bare_times.push(start.elapsed());
    }
    client_times.sort_unstable();
    bare_times.sort_unstable();
    let (with_client, bare) = (percentile(&client_times, 50), percentile(&bare_times, 50));
    println!(
        "search_read 50 records ({rounds} calls each): through the client p50 {with_client:?}, \
         bare http p50 {bare:?}; client overhead p50 {:?} (target ≤ 100 µs)",
        with_client.saturating_sub(bare)
    );
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let index = (sorted.len() * p / 100).min(sorted.len().saturating_sub(1));
    sorted.get(index).copied().unwrap_or_default()
}
