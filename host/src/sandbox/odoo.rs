//! Starts the embedded Odoo sandbox for instances configured with `sandbox = true`
//! (or when no instance is configured at all).

use tokio_util::sync::CancellationToken;

use crate::config::SandboxSpec;
use crate::odoo::SandboxEndpoint;

/// Binds the sandbox on an ephemeral loopback port and serves it until `shutdown`.
///
/// # Errors
/// If the seed or SQLite file cannot be loaded or the port cannot be bound.
pub async fn start(
    spec: &SandboxSpec,
    shutdown: CancellationToken,
) -> anyhow::Result<SandboxEndpoint> {
    use daniel_odoo_sandbox::{Sandbox, SandboxConfig};
    let config = SandboxConfig {
        seed: spec.seed.clone(),
        sqlite: spec.sqlite.clone(),
        ..SandboxConfig::default()
    };
    let endpoint = |addr: std::net::SocketAddr, c: &SandboxConfig| SandboxEndpoint {
        url: format!("http://{addr}"),
        db: c.db.clone(),
        login: c.login.clone(),
        password: c.password.clone(),
    };
    let sandbox = Sandbox::new(config.clone())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) =
            daniel_odoo_sandbox::serve(listener, sandbox, shutdown.cancelled_owned()).await
        {
            tracing::error!(error = %e, "odoo sandbox stopped");
        }
    });
    tracing::info!(%addr, "odoo sandbox started (embedded)");
    Ok(endpoint(addr, &config))
}
