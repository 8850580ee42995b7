//! A test host: a temporary folder with `plugins.toml` and a plugin folder, the
//! app served on `127.0.0.1:0`, and helpers to drop, replace and remove plugins.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use daniel::app::{App, AppState, Options};
use daniel::guard::{GuardConfig, Token};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use tokio_util::sync::CancellationToken;

pub const ADMIN_TOKEN: &str = "test-admin-token";

/// Where the fixture components are: `DANIEL_PLUGIN_ARTIFACTS`, or the workspace's
/// `target/wasm32-wasip2/plugin` (built by `make plugins`).
pub fn artifact(name: &str) -> PathBuf {
    let dir = std::env::var_os("DANIEL_PLUGIN_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/plugin")
        });
    let path = dir.join(format!("{}.wasm", name.replace('-', "_")));
    assert!(
        path.exists(),
        "missing fixture {}: run `make plugins` first",
        path.display()
    );
    path
}

pub struct TestHost {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub addr: std::net::SocketAddr,
    shutdown: CancellationToken,
}

impl Drop for TestHost {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl TestHost {
    /// Starts a host whose `plugins.toml` is `config` and whose plugin folder holds
    /// `plugins` (fixture name, installed as NAME.wasm).
    pub async fn start(config: &str, plugins: &[(&str, &str)]) -> TestHost {
        Self::start_with(config, plugins, false).await
    }

    pub async fn start_with(config: &str, plugins: &[(&str, &str)], watch: bool) -> TestHost {
        Self::start_full(config, plugins, watch, None).await
    }

    /// A host that requires `api_token` as bearer on `/mcp*` and `/api/*`.
    pub async fn start_full(
        config: &str,
        plugins: &[(&str, &str)],
        watch: bool,
        api_token: Option<&str>,
    ) -> TestHost {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("plugins")).unwrap();
        std::fs::write(dir.path().join("plugins.toml"), with_host_section(config)).unwrap();
        for (fixture, name) in plugins {
            install_into(&dir.path().join("plugins"), fixture, name);
        }
        let shutdown = CancellationToken::new();
        let options = Options {
            config_path: dir.path().join("plugins.toml"),
            guard: GuardConfig {
                loopback: true,
                admin_token: Token::new(ADMIN_TOKEN),
                api_token: api_token.and_then(Token::new),
                ..Default::default()
            },
            no_pooling: false,
            no_watch: !watch,
            shutdown_grace: None,
        };
        let app = App::start(options, shutdown.clone())
            .await
            .expect("host starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let token = shutdown.clone();
        tokio::spawn(async move {
            axum::serve(listener, app.router)
                .with_graceful_shutdown(token.cancelled_owned())
                .await
                .unwrap();
        });
        TestHost {
            dir,
            state: app.state,
            addr,
            shutdown,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn plugin_dir(&self) -> PathBuf {
        self.dir.path().join("plugins")
    }

    /// Installs a fixture as `NAME.wasm` (temp file + rename, as operators should).
    pub fn install(&self, fixture: &str, name: &str) {
        install_into(&self.plugin_dir(), fixture, name);
    }

    /// Drops arbitrary bytes in as `NAME.wasm`.
    pub fn install_bytes(&self, name: &str, bytes: &[u8]) {
        let tmp = self.plugin_dir().join(format!(".{name}.tmp"));
        std::fs::write(&tmp, bytes).unwrap();
        std::fs::rename(tmp, self.plugin_dir().join(format!("{name}.wasm"))).unwrap();
    }

    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.plugin_dir().join(format!("{name}.wasm"))).unwrap();
    }

    pub fn write_config(&self, config: &str) {
        let tmp = self.dir.path().join(".plugins.toml.tmp");
        std::fs::write(&tmp, with_host_section(config)).unwrap();
        std::fs::rename(tmp, self.dir.path().join("plugins.toml")).unwrap();
    }

    pub async fn reload(&self) -> daniel::app::ReloadOutcome {
        self.state.reload().await
    }

    /// Calls a tool directly through the registry (no transport).
    pub async fn call(
        &self,
        tool: &str,
        args: serde_json::Value,
    ) -> Result<daniel::registry::CallOutput, daniel::registry::CallError> {
        self.state
            .registry
            .call(&self.state.engine, tool, args)
            .await
    }

    pub fn tool_names(&self) -> Vec<String> {
        self.state
            .registry
            .catalog()
            .tools()
            .map(|t| t.name.clone())
            .collect()
    }

    pub fn status(&self, plugin: &str) -> daniel::registry::PluginStatus {
        self.state
            .registry
            .status()
            .into_iter()
            .find(|s| s.name == plugin)
            .unwrap_or_else(|| panic!("no status for {plugin}"))
    }

    /// An MCP client over Streamable HTTP that counts list_changed notifications.
    pub async fn mcp_client(&self) -> (RunningService<RoleClient, Counter>, Counter) {
        let counter = Counter::default();
        let transport = StreamableHttpClientTransport::from_uri(self.url("/mcp"));
        let client = counter
            .clone()
            .serve(transport)
            .await
            .expect("mcp client connects");
        (client, counter)
    }
}

/// `config` with a `[host]` section (plugin folder, shared compile cache) unless it has one.
pub fn with_host_section(config: &str) -> String {
    // One compile cache for all tests: keys are content hashes, so sharing is safe,
    // and it spares recompiling the same fixtures in every test.
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("daniel-test-cache");
    if config.contains("[host]") {
        config.to_owned()
    } else {
        format!(
            "[host]\nplugin_dir = \"plugins\"\ncache_dir = {:?}\n\n{config}",
            cache.display().to_string()
        )
    }
}

fn install_into(dir: &Path, fixture: &str, name: &str) {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::copy(artifact(fixture), &tmp).unwrap();
    std::fs::rename(tmp, dir.join(format!("{name}.wasm"))).unwrap();
}

/// Counts `notifications/tools/list_changed`.
#[derive(Clone, Default)]
pub struct Counter(pub Arc<AtomicUsize>);

impl Counter {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl ClientHandler for Counter {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `cond` until it holds or `what` times out (a wait, not a timing assertion).
pub async fn wait_until(what: &str, mut cond: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if cond().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

pub fn call_params(tool: &str, args: serde_json::Value) -> CallToolRequestParams {
    let serde_json::Value::Object(map) = args else {
        panic!("arguments must be an object")
    };
    CallToolRequestParams::new(tool.to_owned()).with_arguments(map)
}

/// The first text block of a result.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .find_map(|c| c.as_text().map(|t| t.text.clone()))
        .unwrap_or_default()
}

/// Asserts `haystack` contains `needle`, printing both otherwise.
#[track_caller]
pub fn assert_contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "expected {needle:?} in:\n{haystack}"
    );
}

/// A configuration whose only Odoo instance is unreachable: policy decisions
/// happen before any network call, so policy tests need no Odoo.
pub const OFFLINE_INSTANCE: &str = r#"
[odoo.instances.main]
url = "http://127.0.0.1:9"
db = "none"
login = "nobody"
key = "unused"
"#;
