//! Sandbox and client figures (never pass/fail): `search_read` of 50 records through
//! the real client over loopback (p50/p99) against the database's own time for the
//! same call, and calls per second with 16 concurrent callers on one pooled client.
//!
//! The client's own overhead (encoding, decoding into `serde_json::Value`, bookkeeping) is
//! told apart from the server's time (database, its XML-RPC, HTTP) by sending the same
//! call, alternately, through the client and as a pre-encoded bare HTTP POST whose answer
//! is read but not decoded.
//!
//! Run: `cargo bench -p daniel-odoo-sandbox --bench sandbox`.

use std::time::{Duration, Instant};

use daniel_odoo::{InstanceConfig, OdooClient, Secret};
use daniel_odoo_sandbox::{ADMIN_UID, Sandbox, SandboxConfig};
use serde_json::json;

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q) as usize];
    (at(0.5), at(0.99))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sandbox = Sandbox::new(SandboxConfig::default()).unwrap();
    // Enough partners that a 50-record page is full.
    for i in 0..60 {
        sandbox
            .database()
            .execute_kw(ADMIN_UID, "res.partner", "create", vec![json!({"name": format!("Bench partner {i}"), "email": format!("p{i}@bench.example")})], Default::default())
            .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let s = sandbox.clone();
    tokio::spawn(daniel_odoo_sandbox::serve(
        listener,
        s,
        std::future::pending(),
    ));
    let mut config = InstanceConfig::new(
        "bench",
        format!("http://{addr}"),
        "demo",
        "admin",
        Secret::new("admin"),
    );
    config.max_connections = 16;
    let client = OdooClient::new(config).unwrap();
    let args = json!([[]]);
    let kwargs = json!({"fields": ["name", "email", "phone", "city", "is_company"], "limit": 50});

    let kw_map = kwargs.as_object().unwrap().clone();
    let mut own = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        std::hint::black_box(
            sandbox
                .database()
                .execute_kw(
                    ADMIN_UID,
                    "res.partner",
                    "search_read",
                    vec![json!([])],
                    kw_map.clone(),
                )
                .unwrap(),
        );
        own.push(t.elapsed());
    }
    for _ in 0..100 {
        client
            .execute_kw("res.partner", "search_read", args.clone(), kwargs.clone())
            .await
            .unwrap();
    }
    let bare = BarePost::new(&addr, &args, &kwargs);
    let (mut rt, mut bare_rt) = (Vec::new(), Vec::new());
    for _ in 0..2000 {
        let t = Instant::now();
        std::hint::black_box(
            client
                .execute_kw("res.partner", "search_read", args.clone(), kwargs.clone())
                .await
                .unwrap(),
        );
        rt.push(t.elapsed());
        let t = Instant::now();
        bare.send().await;
        bare_rt.push(t.elapsed());
    }
    let ((op50, op99), (cp50, cp99)) = (percentiles(own), percentiles(rt));
    let (bp50, _) = percentiles(bare_rt);
    println!("search_read 50 records, database only: p50 {op50:?} p99 {op99:?}");
    println!(
        "search_read 50 records, client → sandbox over loopback: p50 {cp50:?} p99 {cp99:?} (target p50 ≤ 1 ms)"
    );
    println!(
        "  client + HTTP + XML-RPC overhead beyond the database: p50 {:?} (target ≤ 100 µs beyond the server's own time)",
        cp50.saturating_sub(op50)
    );
    println!(
        "  of which the client's own (vs. a bare HTTP POST at p50 {bp50:?}): p50 {:?} (target ≤ 100 µs)",
        cp50.saturating_sub(bp50)
    );

    let window = Duration::from_secs(4);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while started.elapsed() < window {
                c.execute_kw("res.partner", "search_count", json!([[]]), json!({}))
                    .await
                    .unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    println!(
        "16 concurrent callers, one pooled client: {:.0} calls/s",
        total as f64 / started.elapsed().as_secs_f64()
    );
}

/// The client's `search_read`, encoded once and posted without the client.
struct BarePost {
    http: reqwest::Client,
    url: String,
    body: String,
}

impl BarePost {
    fn new(
        addr: &std::net::SocketAddr,
        args: &serde_json::Value,
        kwargs: &serde_json::Value,
    ) -> Self {
        let params = [
            json!("demo"),
            json!(ADMIN_UID),
            json!("admin"),
            json!("res.partner"),
            json!("search_read"),
            args.clone(),
            kwargs.clone(),
        ];
        BarePost {
            http: reqwest::Client::new(),
            url: format!("http://{addr}/xmlrpc/2/object"),
            body: daniel_odoo::xmlrpc::encode_call("execute_kw", &params),
        }
    }

    async fn send(&self) {
        let response = self
            .http
            .post(&self.url)
            .body(self.body.clone())
            .send()
            .await;
        let answer = response.unwrap().bytes().await.unwrap();
        assert!(answer.starts_with(b"<?xml") && !answer.windows(7).any(|w| w == b"<fault>"));
    }
}
