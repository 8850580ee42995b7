//! Host benchmarks (figures, never pass/fail): per-call overhead of a trivial plugin
//! tool against the same tool in native Rust, tools/call per second over loopback
//! HTTP, time from a `.wasm` landing in the folder to `list_changed` (compiling and
//! from the compile cache), and resident memory with plugins loaded.
//!
//! Run: `make bench` (builds the fixture plugins, then `cargo bench -p daniel`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use daniel::app::{App, Options};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

fn artifacts() -> PathBuf {
    std::env::var_os("DANIEL_PLUGIN_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/plugin")
        })
}

fn install(dir: &Path, fixture: &str, name: &str) {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::copy(artifacts().join(format!("{fixture}.wasm")), &tmp)
        .expect("fixture built (make plugins)");
    std::fs::rename(tmp, dir.join(format!("{name}.wasm"))).unwrap();
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    (at(0.50), at(0.99))
}

/// The hello tool written natively: parse, validate, greet, serialise.
fn native_hello(args: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Args {
        name: String,
    }
    let a: Args = serde_json::from_str(args).unwrap();
    json!({ "greeting": format!("Hello, {}!", a.name.trim()) }).to_string()
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::write(
        dir.path().join("plugins.toml"),
        "[host]\nplugin_dir = \"plugins\"\ncache_dir = \"cache\"\n[odoo.instances.main]\nurl = \"http://127.0.0.1:9\"\ndb = \"x\"\nlogin = \"x\"\nkey = \"x\"\n",
    )
    .unwrap();
    install(&plugins, "hello_plugin", "hello");
    let shutdown = CancellationToken::new();
    let options = Options::loopback(dir.path().join("plugins.toml"));
    let app = App::start(options, shutdown.clone()).await.unwrap();
    let state = app.state.clone();
    println!(
        "machine: {} cores; pooling allocator: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        state.engine.pooling()
    );
    println!("RSS idle with 1 plugin loaded: {:.1} MB", rss_mb());

    // 1. Per-call overhead: plugin tool vs native.
    let args = json!({"name": "Ada"});
    for _ in 0..200 {
        state
            .registry
            .call(&state.engine, "hello", args.clone())
            .await
            .unwrap();
    }
    let mut wasm = Vec::with_capacity(5000);
    for _ in 0..5000 {
        let t = Instant::now();
        std::hint::black_box(
            state
                .registry
                .call(&state.engine, "hello", args.clone())
                .await
                .unwrap(),
        );
        wasm.push(t.elapsed());
    }
    let mut native = Vec::with_capacity(5000);
    let text = args.to_string();
    for _ in 0..5000 {
        let t = Instant::now();
        std::hint::black_box(native_hello(&text));
        native.push(t.elapsed());
    }
    let ((wp50, wp99), (np50, np99)) = (percentiles(wasm), percentiles(native));
    println!(
        "call `hello` in plugin: p50 {wp50:?} p99 {wp99:?}; native: p50 {np50:?} p99 {np99:?}"
    );
    println!(
        "  overhead: p50 {:?} p99 {:?} (targets ≤ 50 µs / ≤ 250 µs)",
        wp50.saturating_sub(np50),
        wp99.saturating_sub(np99)
    );

    // 2. tools/call per second over loopback HTTP (16 concurrent sessions).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router;
    let token = shutdown.clone();
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(token.cancelled_owned())
            .await
    });
    let mut clients = Vec::new();
    for _ in 0..16 {
        let t =
            rmcp::transport::StreamableHttpClientTransport::from_uri(format!("http://{addr}/mcp"));
        clients.push(Arc::new(().serve(t).await.unwrap()));
    }
    let window = Duration::from_secs(5);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in &clients {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            let Value::Object(map) = json!({"name": "Ada"}) else {
                unreachable!()
            };
            while started.elapsed() < window {
                c.call_tool(CallToolRequestParams::new("hello").with_arguments(map.clone()))
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
        "tools/call over HTTP, 16 clients: {:.0}/s (target ≥ 5,000/s)",
        total as f64 / started.elapsed().as_secs_f64()
    );

    // 3. `.wasm` landing → list_changed: first compiling, then (after removing it)
    // the same bytes again, now served from the compile cache.
    for label in ["with compilation", "from the compile cache"] {
        let mut changes = state.registry.subscribe();
        let t = Instant::now();
        install(&plugins, "echo_v1", "echo");
        match tokio::time::timeout(Duration::from_secs(30), changes.recv()).await {
            Ok(_) => println!(
                "drop → list_changed {label}: {:?} (targets ≤ 500 ms / ≤ 50 ms)",
                t.elapsed()
            ),
            Err(_) => println!("drop → list_changed {label}: no change within 30 s"),
        }
        let mut removed = state.registry.subscribe();
        std::fs::remove_file(plugins.join("echo.wasm")).unwrap();
        let _ = tokio::time::timeout(Duration::from_secs(30), removed.recv()).await;
    }
    println!("RSS after the benchmarks: {:.1} MB", rss_mb());
    shutdown.cancel();
}
