//! The wasmtime engine: compiles plugin components, instantiates one fresh instance
//! per call from a cached `InstancePre`, and enforces memory, CPU and wall limits.
//!
//! Owns no plugin state: the registry keeps revisions; this module only knows how to
//! turn bytes into a [`Prepared`] component and how to run `describe` and `call`.

mod bindings;
mod cache;
mod host;
mod limits;
mod linker;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use wasmtime::component::{Component, Linker};
use wasmtime::{Store, UpdateDeadline};

pub use bindings::types::{Annotations, Content, ToolError, ToolOutput, ToolSpec};
use host::Activity;
pub use host::{HostState, Services};
pub use limits::LimitExceeded;

use crate::config::PluginSpec;

/// Epoch tick: the granularity of CPU checks and of cooperative yields.
const EPOCH_TICK: Duration = Duration::from_millis(5);
/// Largest linear memory any plugin may configure; the pooling allocator reserves
/// address space for this per slot, so it stays modest.
pub const MAX_MEMORY_BYTES: u64 = 512 << 20;
/// Concurrent plugin instances; also the pooling allocator's instance slots.
const MAX_INSTANCES: u32 = 256;

/// A tool's answer to a call.
#[derive(Debug)]
pub struct Answer {
    pub result: Result<ToolOutput, ToolError>,
    /// The host refused the call a job because its queue was full.
    pub queue_full: bool,
}

/// A compiled, linked component ready to instantiate.
#[derive(Clone)]
pub struct Prepared {
    pre: bindings::ToolPluginPre<HostState>,
    /// Whether the compiled code came from the on-disk cache.
    pub from_cache: bool,
}

/// Why running a plugin failed (as opposed to the plugin returning a tool error).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a valid component: {0}")]
    Compile(String),
    #[error("component does not fit the plugin contract (wit/plugin.wit): {0}")]
    Link(String),
    #[error("plugin exceeded its limit: {0}")]
    Limit(LimitExceeded),
    #[error("plugin ran out of memory (cap {cap_mb} MiB)")]
    Memory { cap_mb: u64 },
    #[error("plugin crashed: {0}")]
    Trap(String),
}

/// Engine-wide settings.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    /// Where compiled components are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Skip the pooling allocator even if the probe would succeed.
    pub no_pooling: bool,
}

/// The shared wasmtime engine and linker.
pub struct Engine {
    engine: wasmtime::Engine,
    linker: Linker<HostState>,
    cache: cache::CompileCache,
    services: Services,
    permits: Arc<Semaphore>,
    pooling: bool,
}

impl Engine {
    /// Builds the engine (pooling allocator if the probe succeeds) and starts the
    /// epoch ticker, which stops by itself when the engine is dropped.
    ///
    /// # Errors
    /// If wasmtime cannot be configured or the host interfaces cannot be linked.
    pub fn new(config: EngineConfig, services: Services) -> anyhow::Result<Engine> {
        let (engine, pooling) = build_engine(config.no_pooling)?;
        let linker = linker::build(&engine)?;
        spawn_ticker(&engine)?;
        let cache = cache::CompileCache::new(&engine, config.cache_dir);
        tracing::info!(pooling, "wasm engine ready");
        Ok(Engine {
            engine,
            linker,
            cache,
            services,
            permits: Arc::new(Semaphore::new(MAX_INSTANCES as usize)),
            pooling,
        })
    }

    /// Whether the pooling allocator is in use.
    pub fn pooling(&self) -> bool {
        self.pooling
    }

    /// Compiles (or loads from cache) and links a component. CPU-heavy: call it
    /// from a blocking thread.
    ///
    /// # Errors
    /// [`Error::Compile`] for bytes that are not a component, [`Error::Link`] for a
    /// component that imports something the host does not provide.
    pub fn prepare(&self, hash: &str, bytes: &[u8]) -> Result<Prepared, Error> {
        let (component, from_cache) = self
            .cache
            .load(&self.engine, hash, bytes)
            .map_err(|e| Error::Compile(format!("{e:#}")))?;
        let pre = self.link(&component)?;
        Ok(Prepared { pre, from_cache })
    }

    fn link(&self, component: &Component) -> Result<bindings::ToolPluginPre<HostState>, Error> {
        let pre = self
            .linker
            .instantiate_pre(component)
            .map_err(|e| Error::Link(format!("{e:#}")))?;
        bindings::ToolPluginPre::new(pre).map_err(|e| Error::Link(format!("{e:#}")))
    }

    /// Reads the plugin's catalogue.
    ///
    /// # Errors
    /// [`Error`] if the plugin traps or exceeds its limits while describing itself.
    pub async fn describe(
        &self,
        prepared: &Prepared,
        spec: Arc<PluginSpec>,
    ) -> Result<Vec<ToolSpec>, Error> {
        self.run(prepared, spec, Activity::default(), |plugin, store| {
            Box::pin(plugin.call_describe(store))
        })
        .await
    }

    /// Calls `tool` with `arguments` (JSON text) in a fresh instance.
    ///
    /// # Errors
    /// [`Error`] if the plugin traps or exceeds a limit; a tool's own failure is the
    /// answer's `Err(ToolError)`.
    pub async fn call(
        &self,
        prepared: &Prepared,
        spec: Arc<PluginSpec>,
        tool: &str,
        arguments: &str,
    ) -> Result<Answer, Error> {
        let name = tool.to_owned();
        let args = arguments.to_owned();
        let activity = Activity {
            tool: Some(tool.to_owned()),
            job: None,
        };
        self.run(prepared, spec, activity, move |plugin, store| {
            Box::pin(async move {
                let result = plugin.call_call(&mut *store, &name, &args).await?;
                let queue_full = store.data().queue_full;
                Ok(Answer { result, queue_full })
            })
        })
        .await
    }

    /// Runs background job `job_id` of `kind` with the grants of `tool`.
    ///
    /// # Errors
    /// As [`Engine::call`].
    pub async fn run_job(
        &self,
        prepared: &Prepared,
        spec: Arc<PluginSpec>,
        tool: &str,
        job_id: &str,
        kind: &str,
        input: &str,
    ) -> Result<Result<ToolOutput, ToolError>, Error> {
        let (kind, input) = (kind.to_owned(), input.to_owned());
        let activity = Activity {
            tool: Some(tool.to_owned()),
            job: Some(job_id.to_owned()),
        };
        self.run(prepared, spec, activity, move |plugin, store| {
            Box::pin(async move { plugin.call_run_job(store, &kind, &input).await })
        })
        .await
    }

    /// Instantiates, runs `f`, and classifies failures. The store (and with it the
    /// instance) is dropped afterwards: a trap poisons an instance, and per-call
    /// instances keep calls from seeing each other's state.
    async fn run<R>(
        &self,
        prepared: &Prepared,
        spec: Arc<PluginSpec>,
        activity: Activity,
        f: impl for<'a> FnOnce(
            &'a bindings::ToolPlugin,
            &'a mut Store<HostState>,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = wasmtime::Result<R>> + Send + 'a>,
        >,
    ) -> Result<R, Error> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Trap("engine is shutting down".into()))?;
        let limits = spec.limits;
        let mut store = Store::new(&self.engine, HostState::new(spec, activity, &self.services));
        store.limiter(|s| &mut s.limits);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|ctx| {
            ctx.data().cpu.check().map_err(wasmtime::Error::new)?;
            // Yield every tick so a busy guest never starves other tasks on the worker.
            Ok(UpdateDeadline::Yield(1))
        });
        let work = async {
            let plugin = prepared.pre.instantiate_async(&mut store).await?;
            f(&plugin, &mut store).await
        };
        match tokio::time::timeout(limits.wall, work).await {
            Err(_) => Err(Error::Limit(LimitExceeded::Wall(limits.wall))),
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => Err(classify(e, limits.memory_bytes)),
        }
    }
}

fn classify(e: wasmtime::Error, memory_bytes: u64) -> Error {
    if let Some(limit) = e.downcast_ref::<LimitExceeded>() {
        return Error::Limit(*limit);
    }
    let text = format!("{e:#}");
    if text.contains("growing memory") || text.contains("memory allocation") {
        return Error::Memory {
            cap_mb: memory_bytes >> 20,
        };
    }
    match e.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::UnreachableCodeReached) => Error::Trap("the plugin panicked".into()),
        Some(trap) => Error::Trap(trap.to_string()),
        None => Error::Trap(text),
    }
}

fn base_config() -> wasmtime::Config {
    let mut cfg = wasmtime::Config::new();
    cfg.wasm_component_model(true).epoch_interruption(true);
    cfg
}

/// Probes the pooling allocator (it needs a large virtual-address reservation some
/// hosts refuse) and falls back to on-demand allocation.
fn build_engine(no_pooling: bool) -> anyhow::Result<(wasmtime::Engine, bool)> {
    if !no_pooling {
        let mut pool = wasmtime::PoolingAllocationConfig::default();
        pool.total_component_instances(MAX_INSTANCES)
            .total_core_instances(MAX_INSTANCES * 4)
            .total_memories(MAX_INSTANCES * 2)
            .total_tables(MAX_INSTANCES * 4)
            .max_memory_size(MAX_MEMORY_BYTES as usize);
        let mut cfg = base_config();
        cfg.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
        match wasmtime::Engine::new(&cfg) {
            Ok(engine) => return Ok((engine, true)),
            Err(e) => {
                tracing::warn!(error = %e, "pooling allocator unavailable; using on-demand allocation")
            }
        }
    }
    Ok((wasmtime::Engine::new(&base_config())?, false))
}

/// Advances the epoch on a named OS thread; holds only a weak engine reference.
fn spawn_ticker(engine: &wasmtime::Engine) -> std::io::Result<()> {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("daniel-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })?;
    Ok(())
}
