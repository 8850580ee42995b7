//! Wiring: configuration → sandbox → Odoo instances → engine → registry → surfaces.
//!
//! [`App::start`] builds everything and returns the state and router, so tests can
//! serve it on `127.0.0.1:0`; [`serve`] is what `daniel serve` runs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use axum::Router;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::audit::{AuditLog, spawn_uploader};
use crate::config::MessagingSpec;
use crate::config::{Config, JobStoreSpec, ProcessEnv};
use crate::engine::{Engine, EngineConfig, Services};
use crate::guard::{self, GuardConfig};
use crate::jobs::{self, JobStore, Jobs, MemoryStore, PostgresStore, SqliteStore, spawn_workers};
use crate::mcp::{self, McpServer};
use crate::messaging::{Messenger, Outbox, Twilio};
use crate::odoo::{Instances, SandboxEndpoint};
use crate::registry::{Loader, Registry};
use crate::{rest, sandbox, watch};

/// How the host is started.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub config_path: PathBuf,
    pub guard: GuardConfig,
    /// Disable the pooling allocator (for hosts that refuse large reservations).
    pub no_pooling: bool,
    /// Do not watch files (tests that drive reloads explicitly).
    pub no_watch: bool,
    /// How long shutdown waits for avatar vendor sessions to stop;
    /// [`crate::avatar::SHUTDOWN_GRACE`] when `None`.
    pub shutdown_grace: Option<std::time::Duration>,
}

impl Options {
    /// A host on `config_path` that trusts loopback callers and needs no tokens:
    /// what tests, benchmarks and other in-process embedders start.
    pub fn loopback(config_path: impl Into<PathBuf>) -> Options {
        Options {
            config_path: config_path.into(),
            guard: GuardConfig {
                loopback: true,
                ..Default::default()
            },
            ..Default::default()
        }
    }
}

/// Shared state handed to every surface. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub registry: Arc<Registry>,
    pub engine: Arc<Engine>,
    pub services: Services,
    /// Messages the offline messenger recorded.
    pub outbox: Arc<Outbox>,
    /// Background jobs (quotations).
    pub jobs: Arc<Jobs>,
    /// Job workers in flight, for draining at shutdown.
    pub workers: TaskTracker,
    /// Audit documents (quotations, hand-offs).
    pub audit: Arc<AuditLog>,
    core: Arc<Core>,
}

struct Core {
    loader: Loader,
    config: ArcSwap<Config>,
    sandbox: Mutex<Option<SandboxEndpoint>>,
    shutdown: CancellationToken,
}

/// What a reload did.
#[derive(Debug, Default)]
pub struct ReloadOutcome {
    pub changed: bool,
    pub config_error: Option<String>,
    pub failed: Vec<(String, String)>,
}

/// The running host.
pub struct App {
    pub state: AppState,
    pub router: Router,
    /// Avatar sessions, drained at shutdown (see [`crate::avatar::Avatar::drain`]).
    pub avatar: Arc<crate::avatar::Avatar>,
}

fn load_config(path: &Path) -> anyhow::Result<Config> {
    if path.exists() {
        Ok(Config::load(path, &ProcessEnv)?)
    } else {
        tracing::warn!(path = %path.display(), "no configuration file; using the embedded defaults (sandbox Odoo)");
        Ok(Config::embedded_default(path))
    }
}

impl App {
    /// Builds the host and loads its plugins.
    ///
    /// # Errors
    /// An invalid configuration, a sandbox that cannot start, or an engine that
    /// cannot be built.
    pub async fn start(options: Options, shutdown: CancellationToken) -> anyhow::Result<App> {
        let config = load_config(&options.config_path)?;
        let sandbox = if config.needs_sandbox() {
            Some(sandbox::odoo::start(&config.sandbox, shutdown.clone()).await?)
        } else {
            None
        };
        let instances = Instances::from_config(&config, sandbox.as_ref())?;
        let outbox = Arc::new(Outbox::default());
        let messenger = messenger(&config.messaging, outbox.clone(), shutdown.clone()).await?;
        // The sandbox's Odoo is new every run, so repeats are only matched within one.
        let dedupe_scope = sandbox
            .as_ref()
            .map(|_| format!("sandbox-run-{}", uuid::Uuid::new_v4().simple()))
            .unwrap_or_default();
        let jobs = Jobs::new(
            job_store(&config).await?,
            config.jobs.max_queued,
            config.jobs.lease,
            config.jobs.dedupe,
            &dedupe_scope,
        );
        let services = Services {
            odoo: Arc::new(ArcSwap::from_pointee(instances)),
            messenger,
            jobs: jobs.clone(),
        };
        let engine = Arc::new(Engine::new(
            EngineConfig {
                cache_dir: Some(config.cache_dir.join("components")),
                no_pooling: options.no_pooling,
            },
            services.clone(),
        )?);
        let registry = Arc::new(Registry::default());
        let core = Arc::new(Core {
            loader: Loader::new(engine.clone(), registry.clone()),
            config: ArcSwap::from_pointee(config.clone()),
            sandbox: Mutex::new(sandbox),
            shutdown: shutdown.clone(),
        });
        // Plugins first, then recovery, then workers: re-queued jobs need their plugin.
        let report = core.loader.reload(&config).await;
        tracing::info!(
            plugins = registry.catalog().plugins().len(),
            failed = report.failed.len(),
            "plugins loaded"
        );
        let audit = Arc::new(AuditLog::new(
            config.audit.spool_dir.clone(),
            config.audit.redact.clone(),
        )?);
        if let Some(target) = &config.audit.s3 {
            spawn_uploader(
                audit.spool().clone(),
                target.clone(),
                audit.waker(),
                shutdown.clone(),
            );
        }
        jobs::recover(&jobs).await;
        jobs::spawn_maintenance(
            jobs.clone(),
            chrono::Duration::from_std(config.jobs.retention)?,
            shutdown.clone(),
        );
        let workers = spawn_workers(
            jobs.clone(),
            registry.clone(),
            engine.clone(),
            audit.clone(),
            config.jobs.workers,
            shutdown.clone(),
        );
        let state = AppState {
            registry,
            engine,
            services,
            outbox,
            jobs,
            workers,
            audit,
            core,
        };
        if !options.no_watch {
            watch::spawn(state.clone(), shutdown.clone())?;
        }
        // Avatar sessions (issue 6): offline stand-ins unless `[avatar]` names vendor keys.
        let avatar = crate::avatar::Avatar::start(
            &config.avatar,
            state.registry.clone(),
            state.engine.clone(),
            shutdown.clone(),
        )
        .await?;
        let avatar_routes = crate::avatar::router(avatar.clone(), options.guard.api_token.clone());
        let router = router(state.clone(), options.guard, avatar_routes, shutdown);
        Ok(App {
            state,
            router,
            avatar,
        })
    }
}

async fn job_store(config: &Config) -> anyhow::Result<Arc<dyn JobStore>> {
    let fail = |e: String| anyhow::anyhow!("job store: {e}");
    Ok(match &config.jobs.store {
        JobStoreSpec::Sqlite(path) => Arc::new(SqliteStore::open(path).map_err(fail)?),
        JobStoreSpec::Postgres(url) => Arc::new(PostgresStore::connect(url).await.map_err(fail)?),
        JobStoreSpec::Memory => Arc::new(MemoryStore::default()),
    })
}

/// Twilio when configured; otherwise the same client against the local stand-in,
/// which records messages instead of sending them.
async fn messenger(
    spec: &MessagingSpec,
    outbox: Arc<Outbox>,
    shutdown: CancellationToken,
) -> anyhow::Result<Arc<dyn Messenger>> {
    let sender = match &spec.twilio {
        Some(t) => Twilio::new(
            &t.api_base,
            &t.account_sid,
            &t.auth_token,
            t.whatsapp_from.as_deref().unwrap_or_default(),
            t.sms_from.as_deref().unwrap_or_default(),
        )?,
        None => {
            let (url, account) = sandbox::twilio::start(outbox, shutdown).await?;
            // Twilio's documented sandbox sender numbers; the stand-in accepts any.
            Twilio::new(
                &url,
                &account.sid,
                &account.token,
                "+14155238886",
                "+15005550006",
            )?
        }
    };
    Ok(Arc::new(sender))
}

fn router(
    state: AppState,
    guard: GuardConfig,
    avatar: Router,
    shutdown: CancellationToken,
) -> Router {
    let mcp = mcp::router(
        McpServer::new(state.registry.clone(), state.engine.clone()),
        guard.mcp_allowed_hosts(),
        shutdown,
    );
    rest::router()
        .with_state(state)
        .merge(mcp)
        .merge(avatar)
        // The guard wraps every route; trace is outermost so refusals are logged too.
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(guard),
            guard::check,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
}

/// The request span: method and path only, never the query (avatar tickets ride there).
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!("request", method = %req.method(), path = req.uri().path())
}

impl AppState {
    /// The configuration in force.
    pub fn config(&self) -> Arc<Config> {
        self.core.config.load_full()
    }

    /// Re-reads the configuration and plugin folder. An invalid configuration is
    /// reported and the previous one stays in force.
    pub async fn reload(&self) -> ReloadOutcome {
        let path = self.config().source.clone();
        let config = match load_config(&path) {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("{e:#}");
                self.registry.set_config_error(Some(msg.clone()));
                return ReloadOutcome {
                    config_error: Some(msg),
                    ..Default::default()
                };
            }
        };
        if let Err(e) = self.apply_instances(&config).await {
            let msg = format!("{e:#}");
            self.registry.set_config_error(Some(msg.clone()));
            return ReloadOutcome {
                config_error: Some(msg),
                ..Default::default()
            };
        }
        self.registry.set_config_error(None);
        self.core.config.store(Arc::new(config.clone()));
        let report = self.core.loader.reload(&config).await;
        ReloadOutcome {
            changed: report.changed,
            config_error: None,
            failed: report.failed,
        }
    }

    /// Rebuilds the Odoo clients if the instances changed (starting the sandbox
    /// if it is newly needed).
    async fn apply_instances(&self, config: &Config) -> anyhow::Result<()> {
        let old = self.config();
        if old.instances == config.instances && old.sandbox == config.sandbox {
            return Ok(());
        }
        let running = self
            .core
            .sandbox
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let endpoint = match running {
            Some(s) => Some(s),
            None if config.needs_sandbox() => {
                let s = sandbox::odoo::start(&config.sandbox, self.core.shutdown.clone()).await?;
                *self.core.sandbox.lock().unwrap_or_else(|e| e.into_inner()) = Some(s.clone());
                Some(s)
            }
            None => None,
        };
        let instances = Instances::from_config(config, endpoint.as_ref())?;
        self.services.odoo.store(Arc::new(instances));
        Ok(())
    }
}

/// Serves the host on `listener` until `shutdown`.
///
/// # Errors
/// If start-up fails or the server stops with an I/O error.
pub async fn serve(
    listener: tokio::net::TcpListener,
    options: Options,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let grace = options
        .shutdown_grace
        .unwrap_or(crate::avatar::SHUTDOWN_GRACE);
    let app = App::start(options, shutdown.clone()).await?;
    tracing::info!(%addr, "daniel listening: MCP at /mcp (SSE at /mcp/sse), REST at /api");
    // Nagle's algorithm would hold small WebSocket and SSE frames for ~40 ms.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app.router)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    // Upgraded avatar sockets outlive the server: no vendor session may outlive us.
    app.avatar.drain(grace).await;
    Ok(())
}
