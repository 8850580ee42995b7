//! REST throughput (figures, never pass/fail): accepted quotation requests per
//! second and status reads per second, with the worker pool draining the queued
//! quotations against the embedded Odoo sandbox meanwhile.
//!
//! The host is the real `daniel serve` binary (release build) and the load comes
//! from `wrk` in another process, so neither steals the other's allocator or
//! runtime. Targets on 2 cores: ≥ 2,000 accepted/s and ≥ 10,000 status reads/s.
//! With `DANIEL_TEST_POSTGRES_URL` set, the same figures are taken with the
//! PostgreSQL job store too.
//!
//! Run: `make bench` (installs wrk if missing), or
//! `cargo bench -p daniel --bench rest`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long each wrk run lasts, and with how many connections.
const RUN: &str = "10s";
const CONNECTIONS: &str = "32";

struct Host(Child);

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn artifacts() -> PathBuf {
    std::env::var_os("DANIEL_PLUGIN_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/plugin")
        })
}

#[path = "../tests/common/repo_config.rs"]
mod repo_config;

/// The repository's plugin configuration, with this run's folders and job store.
fn config(store: &str) -> String {
    let mut out = String::from("[host]\nplugin_dir = \"plugins\"\ncache_dir = \"cache\"\n");
    out.push_str(&repo_config::product_config());
    // The queue may grow far beyond its default bound while wrk floods it.
    out.push_str(&format!(
        "\n[jobs]\nstore = \"{store}\"\nmax_queued = 1000000\n"
    ));
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(dir: &Path, store: &str) -> (Host, String) {
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(artifacts().join("crm.wasm"), plugins.join("crm.wasm"))
        .expect("crm plugin built (make plugins)");
    std::fs::write(dir.join("plugins.toml"), config(store)).unwrap();
    let port = free_port();
    let host = Host(
        Command::new(env!("CARGO_BIN_EXE_daniel"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--config"])
            .arg(dir.join("plugins.toml"))
            .env("RUST_LOG", "warn")
            .stderr(std::fs::File::create(dir.join("host.log")).unwrap())
            .spawn()
            .expect("daniel binary"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(120);
    // Only crm is installed, so /ready (every declared plugin loaded) stays 503.
    while !get(&format!("{base}/api/plugins")).is_some_and(|p| p.contains("dev_create_quotation")) {
        assert!(
            Instant::now() < deadline,
            "host did not load crm; see {}",
            dir.join("host.log").display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (host, base)
}

/// A blocking GET through curl (keeps this bench free of an HTTP client runtime).
fn get(url: &str) -> Option<String> {
    let out = Command::new("curl").args(["-fsS", url]).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs wrk; returns (requests/s, non-2xx responses, p50, p99).
fn wrk(dir: &Path, url: &str, script: Option<&str>) -> (f64, u64, String, String) {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t1", "-c", CONNECTIONS, "-d", RUN, "--latency"]);
    if let Some(body) = script {
        let path = dir.join("post.lua");
        std::fs::write(&path, body).unwrap();
        cmd.arg("-s").arg(path);
    }
    let out = cmd.arg(url).stderr(Stdio::inherit()).output().expect("wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_owned()))
            .unwrap_or_default()
    };
    let rate = field("Requests/sec:").parse().unwrap_or(0.0);
    let non_2xx = field("Non-2xx or 3xx responses:").parse().unwrap_or(0);
    let latency = |q: &str| field(q).split_whitespace().next().unwrap_or("?").to_owned();
    (rate, non_2xx, latency("50%"), latency("99%"))
}

/// A metric's value from `/metrics` text.
fn metric(base: &str, name: &str) -> f64 {
    get(&format!("{base}/metrics"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0.0)
}

const QUOTATION: &str = r#"{"partner_name":"Hotel Reforma","contact_name":"Ana Pérez","email":"bench@reforma.mx","phone":"+52 55 1234 5678","lead_name":"Servibot - Hotel Reforma","products":[{"product_id":26153,"qty":2}]}"#;

fn run(label: &str, store: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (_host, base) = start(dir.path(), store);
    // Each request a different customer: identical ones would be deduplicated.
    let template = QUOTATION.replace("bench@", "bench%d@");
    let script = format!(
        "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n\
         local n = 0\nrequest = function()\n  n = n + 1\n  \
         return wrk.format(nil, nil, nil, string.format([[{template}]], n))\nend\n"
    );
    let completed = r#"daniel_jobs_total{state="completed"} "#;
    let (rate, bad, p50, p99) = wrk(
        dir.path(),
        &format!("{base}/api/quotation/async"),
        Some(&script),
    );
    let drained = metric(&base, completed);
    println!(
        "{label}: accepted quotations {rate:>8.0}/s  (p50 {p50}, p99 {p99}, non-202 {bad}; \
         {drained:.0} quotations completed by the workers meanwhile)"
    );
    // Status reads of one job while the workers keep draining the backlog.
    let id = last_tracking_id(&base);
    let before = metric(&base, completed);
    let (rate, bad, p50, p99) = wrk(
        dir.path(),
        &format!("{base}/api/quotation/status/{id}"),
        None,
    );
    let drained = metric(&base, completed) - before;
    println!(
        "{label}: status reads        {rate:>8.0}/s  (p50 {p50}, p99 {p99}, non-200 {bad}; \
         {drained:.0} quotations completed meanwhile)"
    );
}

/// A tracking id to read: queue one more quotation with curl.
fn last_tracking_id(base: &str) -> String {
    let out = Command::new("curl")
        .args([
            "-fsS",
            "-H",
            "content-type: application/json",
            "-d",
            QUOTATION,
        ])
        .arg(format!("{base}/api/quotation/async"))
        .output()
        .expect("curl");
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("202 body");
    body["tracking_id"]
        .as_str()
        .expect("tracking id")
        .to_owned()
}

/// The URL with a new empty schema as its search path (psql creates it), so
/// earlier runs' jobs are not in the queue.
fn fresh_schema(url: &str) -> String {
    let schema = format!("bench_{}", std::process::id());
    let ok = Command::new("psql")
        .args([url, "-qc", &format!("CREATE SCHEMA {schema}")])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "psql could not create schema {schema}");
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}

fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("rest bench skipped: wrk is not installed (apt-get install wrk, or make bench)");
        return;
    }
    println!("REST throughput, {CONNECTIONS} connections for {RUN} each, wrk in another process:");
    run("memory  ", ":memory:");
    run("sqlite  ", "var/jobs.sqlite");
    if let Ok(url) = std::env::var("DANIEL_TEST_POSTGRES_URL") {
        run("postgres", &fresh_schema(&url));
    }
}
