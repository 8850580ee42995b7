//! Round-trip latency (p50/p99) and throughput with 16 concurrent callers of
//! `OdooClient::execute_kw` against the fake Odoo over loopback. Prints figures; asserts
//! nothing. Run: `cargo bench -p daniel-odoo --bench client` (add `-- --quick` for a
//! short run). The fake answers at once, so this measures the client, the codec and
//! loopback HTTP, not Odoo (which takes 20–30 ms per call, odoo-external-api.md §4.8).

// The fake server module is shared with the tests; the bench uses only part of it.
#[allow(dead_code)]
#[path = "../tests/support/fake_odoo.rs"]
mod fake_odoo;

use std::time::{Duration, Instant};

use daniel_odoo::OdooClient;
use fake_odoo::{FakeOdoo, Reply};
use serde_json::json;

const CONCURRENT_CALLERS: usize = 16;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (sequential, concurrent) = if quick { (200, 800) } else { (2_000, 8_000) };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run(sequential, concurrent));
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

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let index = (sorted.len() * p / 100).min(sorted.len().saturating_sub(1));
    sorted.get(index).copied().unwrap_or_default()
}
