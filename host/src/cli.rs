//! The command-line entry points behind `main`: flags, tracing, signals, exit codes.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use tokio_util::sync::CancellationToken;

use crate::app::{self, Options};
use crate::guard::{GuardConfig, Token};

/// Exit code for an invalid configuration or usage (sysexits `EX_USAGE`).
const EX_USAGE: u8 = 64;

/// Flags of `daniel serve`.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to bind.
    #[arg(long, env = "DANIEL_ADDR", default_value = "127.0.0.1:8000")]
    pub addr: SocketAddr,
    /// Path of plugins.toml.
    #[arg(long, env = "DANIEL_CONFIG", default_value = "plugins.toml")]
    pub config: PathBuf,
    /// Disable the pooling instance allocator.
    #[arg(long)]
    pub no_pooling: bool,
}

/// Flags of `daniel sandbox`.
#[derive(Args, Debug, Clone)]
pub struct SandboxArgs {
    #[arg(long, env = "DANIEL_SANDBOX_ADDR", default_value = "127.0.0.1:8069")]
    pub addr: SocketAddr,
    /// Database name clients must use.
    #[arg(long, default_value = "demo")]
    pub db: String,
    #[arg(long, default_value = "admin")]
    pub login: String,
    /// Password or API key of the admin login.
    #[arg(long, env = "DANIEL_SANDBOX_PASSWORD", default_value = "admin")]
    pub password: String,
    /// Persist data to this SQLite file (in memory otherwise).
    #[arg(long)]
    pub sqlite: Option<PathBuf>,
    /// Seed data replacing the built-in demo data set.
    #[arg(long)]
    pub seed: Option<PathBuf>,
}

/// Logs to stderr (stdout carries MCP in stdio mode); `RUST_LOG` filters,
/// `DANIEL_LOG_FORMAT=json` switches to JSON lines.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,rmcp=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("DANIEL_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Cancels `shutdown` on Ctrl-C or SIGTERM; a second signal exits at once.
pub fn stop_on_signal(shutdown: CancellationToken) {
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down (signal again to exit now)");
        shutdown.cancel();
        wait_for_signal().await;
        std::process::exit(130);
    });
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn guard_from_env(addr: &SocketAddr) -> anyhow::Result<GuardConfig> {
    let api_token = std::env::var("DANIEL_API_TOKEN").ok().and_then(Token::new);
    let admin_token = std::env::var("DANIEL_ADMIN_TOKEN")
        .ok()
        .and_then(Token::new);
    let loopback = addr.ip().is_loopback();
    if !loopback && api_token.is_none() {
        anyhow::bail!("binding to {addr} (not loopback) requires DANIEL_API_TOKEN to be set");
    }
    Ok(GuardConfig {
        api_token,
        admin_token,
        loopback,
        ..Default::default()
    })
}

/// `daniel serve`.
///
/// # Errors
/// Configuration, bind or start-up failures.
pub async fn serve(args: ServeArgs, shutdown: CancellationToken) -> anyhow::Result<()> {
    let mut guard = guard_from_env(&args.addr)?;
    if let Ok(config) = crate::config::Config::load(&args.config, &crate::config::ProcessEnv) {
        guard.allowed_hosts = config.allowed_hosts.clone();
        guard.allowed_origins = config.allowed_origins.clone();
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot bind {}: {e}", args.addr))?;
    let options = Options {
        config_path: args.config,
        guard,
        no_pooling: args.no_pooling,
        no_watch: false,
        shutdown_grace: None,
    };
    app::serve(listener, options, shutdown).await
}

/// `daniel mcp-stdio`.
///
/// # Errors
/// Configuration or start-up failures, or a broken stdio session.
pub async fn mcp_stdio(config: PathBuf, shutdown: CancellationToken) -> anyhow::Result<()> {
    let options = Options {
        config_path: config,
        ..Default::default()
    };
    let app = app::App::start(options, shutdown.clone()).await?;
    let server = crate::mcp::McpServer::new(app.state.registry.clone(), app.state.engine.clone());
    tokio::select! {
        r = crate::mcp::serve_stdio(server) => r,
        () = shutdown.cancelled() => Ok(()),
    }
}

/// `daniel sandbox`.
///
/// # Errors
/// If the data cannot be loaded or the address cannot be bound.
pub async fn sandbox(args: SandboxArgs, shutdown: CancellationToken) -> anyhow::Result<()> {
    use daniel_odoo_sandbox::{Sandbox, SandboxConfig};
    let config = SandboxConfig {
        db: args.db,
        login: args.login,
        password: args.password,
        seed: args.seed,
        sqlite: args.sqlite,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::new(config.clone())?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot bind {}: {e}", args.addr))?;
    let storage = config
        .sqlite
        .as_ref()
        .map_or_else(|| "memory".to_owned(), |p| p.display().to_string());
    eprintln!(
        "Odoo sandbox on http://{addr}  (XML-RPC /xmlrpc/2/common, /xmlrpc/2/object)\n  database: {}\n  login:    {}\n  password: {} (also accepted as API key)\n  storage:  {storage}",
        config.db,
        config.login,
        config.password,
        addr = args.addr
    );
    daniel_odoo_sandbox::serve(listener, sandbox, shutdown.cancelled_owned()).await?;
    Ok(())
}

/// Maps a run's result to the process exit code, printing the error chain.
pub fn exit(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            let usage = e.downcast_ref::<crate::config::Error>().is_some();
            ExitCode::from(if usage { EX_USAGE } else { 1 })
        }
    }
}
