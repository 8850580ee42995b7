//! The live set of plugin revisions and the tool namespace they form.
//!
//! A [`Catalog`] is immutable; a reload builds a new one and swaps it in atomically,
//! so calls in flight finish on the revision they started with (they hold an `Arc`).
//! Subscribers get one change event per swap that changed what `tools/list` shows.

mod call;
mod load;
mod tool;

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use tokio::sync::broadcast;

pub(crate) use call::tool_error_text;
pub use call::{CallError, CallOutput};
pub use load::Loader;
pub use tool::{Hints, Tool};

use crate::config::PluginSpec;
use crate::engine::Prepared;

/// One loaded revision of a plugin.
pub struct PluginRevision {
    pub name: String,
    /// SHA-256 of the component, hex.
    pub hash: String,
    pub spec: Arc<PluginSpec>,
    pub prepared: Prepared,
    pub tools: Vec<Arc<Tool>>,
    pub loaded_at: chrono::DateTime<chrono::Utc>,
}

impl PluginRevision {
    /// Short revision id shown in status and logs.
    pub fn revision(&self) -> &str {
        &self.hash[..12.min(self.hash.len())]
    }
}

/// An immutable snapshot of every active plugin and tool.
#[derive(Default)]
pub struct Catalog {
    plugins: BTreeMap<String, Arc<PluginRevision>>,
    tools: BTreeMap<String, (Arc<PluginRevision>, Arc<Tool>)>,
    fingerprint: u64,
}

impl Catalog {
    fn new(plugins: BTreeMap<String, Arc<PluginRevision>>) -> Catalog {
        let mut tools = BTreeMap::new();
        for rev in plugins.values() {
            for t in &rev.tools {
                tools.insert(t.name.clone(), (rev.clone(), t.clone()));
            }
        }
        let mut h = DefaultHasher::new();
        for (_, t) in tools.values() {
            t.fingerprint().hash(&mut h);
        }
        Catalog {
            plugins,
            tools,
            fingerprint: h.finish(),
        }
    }

    /// Every tool, sorted by name.
    pub fn tools(&self) -> impl Iterator<Item = &Arc<Tool>> {
        self.tools.values().map(|(_, t)| t)
    }

    /// The tool and the revision that provides it.
    pub fn tool(&self, name: &str) -> Option<&(Arc<PluginRevision>, Arc<Tool>)> {
        self.tools.get(name)
    }

    /// Active plugins by name.
    pub fn plugins(&self) -> &BTreeMap<String, Arc<PluginRevision>> {
        &self.plugins
    }
}

/// Load state of one plugin, as `GET /api/plugins` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PluginStatus {
    pub name: String,
    /// `active`, `failed` (never loaded) or `degraded` (an older revision serves).
    pub state: &'static str,
    pub revision: Option<String>,
    pub artifact: String,
    pub tools: Vec<String>,
    pub last_error: Option<String>,
    pub loaded_at: Option<String>,
    /// How long the last successful load took, and whether the compile cache served it.
    pub load_ms: Option<u64>,
    pub from_cache: Option<bool>,
}

/// The registry: current catalogue, per-plugin status, change notifications.
pub struct Registry {
    catalog: ArcSwap<Catalog>,
    status: Mutex<BTreeMap<String, PluginStatus>>,
    config_error: Mutex<Option<String>>,
    changes: broadcast::Sender<u64>,
    generation: std::sync::atomic::AtomicU64,
    /// Call, reload and job metrics.
    pub metrics: crate::metrics::Metrics,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            catalog: ArcSwap::from_pointee(Catalog::default()),
            status: Mutex::default(),
            config_error: Mutex::default(),
            changes: broadcast::channel(64).0,
            generation: Default::default(),
            metrics: Default::default(),
        }
    }
}

impl Registry {
    /// The current catalogue. Hold the `Arc` for the length of a call.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.load_full()
    }

    /// A receiver of catalogue changes (one message per change of the tool list).
    pub fn subscribe(&self) -> broadcast::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Per-plugin status, sorted by name.
    pub fn status(&self) -> Vec<PluginStatus> {
        lock(&self.status).values().cloned().collect()
    }

    /// The last configuration error, if the current `plugins.toml` is invalid.
    pub fn config_error(&self) -> Option<String> {
        lock(&self.config_error).clone()
    }

    pub(crate) fn set_config_error(&self, error: Option<String>) {
        *lock(&self.config_error) = error;
    }

    /// Swaps in `plugins` and the statuses; notifies if the tool list changed.
    fn install(
        &self,
        plugins: BTreeMap<String, Arc<PluginRevision>>,
        status: BTreeMap<String, PluginStatus>,
    ) -> bool {
        let next = Catalog::new(plugins);
        let changed = next.fingerprint != self.catalog.load().fingerprint;
        self.catalog.store(Arc::new(next));
        *lock(&self.status) = status;
        if changed {
            let g = self
                .generation
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                + 1;
            // No receivers is fine: nobody is listening yet.
            let _ = self.changes.send(g);
        }
        changed
    }
}

/// Locks ignoring poisoning: status maps stay usable even if a holder panicked.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
