//! Loading plugin revisions: read, hash, compile, link, describe, validate, swap.
//!
//! All of it happens off the request path. A plugin that fails any step is not
//! installed; its previous revision (if any) keeps serving and the failure shows in
//! its status. Reloads are serialised so two file events cannot interleave.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::{PluginRevision, PluginStatus, Registry, Tool};
use crate::config::{Config, Grants, Limits, PluginSpec};
use crate::engine::Engine;

/// Largest component accepted; real plugins are well under 5 MB.
const MAX_ARTIFACT_BYTES: u64 = 64 << 20;

/// What one reload did.
#[derive(Debug, Default)]
pub struct ReloadReport {
    /// Whether the tool list changed (and `list_changed` was sent).
    pub changed: bool,
    pub failed: Vec<(String, String)>,
}

/// Loads plugins into a registry.
pub struct Loader {
    engine: Arc<Engine>,
    registry: Arc<Registry>,
    serial: tokio::sync::Mutex<()>,
}

/// A plugin after its load attempt.
enum Attempt {
    Kept(Arc<PluginRevision>),
    Loaded(Arc<PluginRevision>, u64),
    Failed(String),
}

impl Loader {
    pub fn new(engine: Arc<Engine>, registry: Arc<Registry>) -> Loader {
        Loader {
            engine,
            registry,
            serial: tokio::sync::Mutex::new(()),
        }
    }

    /// Brings the registry in line with `config` and the plugin folder.
    pub async fn reload(&self, config: &Config) -> ReloadReport {
        let _serial = self.serial.lock().await;
        let current = self.registry.catalog();
        let mut attempts = BTreeMap::new();
        for spec in desired(config) {
            let name = spec.name.clone();
            let old = current.plugins().get(&name).cloned();
            let attempt = self.attempt(spec, old.as_ref()).await;
            attempts.insert(name, (attempt, old));
        }
        let (plugins, status, failed) = assemble(attempts, config);
        for (name, error) in &failed {
            tracing::warn!(plugin = %name, %error, "plugin rejected");
        }
        let changed = self.registry.install(plugins, status);
        self.registry.metrics.reload(changed, failed.len());
        ReloadReport { changed, failed }
    }

    async fn attempt(&self, spec: PluginSpec, old: Option<&Arc<PluginRevision>>) -> Attempt {
        let bytes = match read_artifact(&spec.artifact) {
            Ok(b) => b,
            Err(e) => return Attempt::Failed(e),
        };
        let hash = hex::encode(Sha256::digest(&bytes));
        if let Some(old) = old
            && old.hash == hash
            && *old.spec == spec
        {
            return Attempt::Kept(old.clone());
        }
        let started = Instant::now();
        match self.build(spec, hash, bytes).await {
            Ok(rev) => Attempt::Loaded(Arc::new(rev), started.elapsed().as_millis() as u64),
            Err(e) => Attempt::Failed(e),
        }
    }

    async fn build(
        &self,
        spec: PluginSpec,
        hash: String,
        bytes: Vec<u8>,
    ) -> Result<PluginRevision, String> {
        let engine = self.engine.clone();
        let h = hash.clone();
        let prepared = tokio::task::spawn_blocking(move || engine.prepare(&h, &bytes))
            .await
            .map_err(|e| format!("compile task failed: {e}"))?
            .map_err(|e| e.to_string())?;
        let spec = Arc::new(spec);
        let specs = self
            .engine
            .describe(&prepared, spec.clone())
            .await
            .map_err(|e| format!("describe failed: {e}"))?;
        let mut names = BTreeSet::new();
        let mut tools = Vec::with_capacity(specs.len());
        for s in specs {
            let tool = Tool::from_spec(s)?;
            if !names.insert(tool.name.clone()) {
                return Err(format!("tool {:?} is declared twice", tool.name));
            }
            tools.push(Arc::new(tool));
        }
        if tools.is_empty() {
            return Err("the plugin declares no tools".into());
        }
        Ok(PluginRevision {
            name: spec.name.clone(),
            hash,
            spec,
            prepared,
            tools,
            loaded_at: chrono::Utc::now(),
        })
    }
}

fn read_artifact(path: &Path) -> Result<Vec<u8>, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > MAX_ARTIFACT_BYTES {
        return Err(format!(
            "{} is {} bytes; the limit is {MAX_ARTIFACT_BYTES}",
            path.display(),
            meta.len()
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Declared, enabled plugins plus any undeclared `NAME.wasm` in the plugin folder;
/// the latter load with default limits and no grants (no Odoo, no messaging).
fn desired(config: &Config) -> Vec<PluginSpec> {
    let mut out: Vec<PluginSpec> = config
        .plugins
        .values()
        .filter(|p| p.enabled)
        .cloned()
        .collect();
    let claimed: BTreeSet<_> = config
        .plugins
        .values()
        .map(|p| p.artifact.clone())
        .collect();
    let Ok(entries) = std::fs::read_dir(&config.plugin_dir) else {
        return out;
    };
    let mut extra: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm") && !claimed.contains(p))
        .collect();
    extra.sort();
    for path in extra {
        let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
            continue;
        };
        if config.plugins.contains_key(&name) || !crate::config::valid_name(&name) {
            continue;
        }
        out.push(PluginSpec {
            name,
            artifact: path,
            enabled: true,
            limits: Limits::default(),
            grants: Grants::default(),
            settings: serde_json::json!({}),
        });
    }
    out
}

type Assembled = (
    BTreeMap<String, Arc<PluginRevision>>,
    BTreeMap<String, PluginStatus>,
    Vec<(String, String)>,
);

/// Places revisions into one namespace. Unchanged revisions keep their names;
/// a new revision whose tool names collide is rejected (its old revision stays).
fn assemble(
    attempts: BTreeMap<String, (Attempt, Option<Arc<PluginRevision>>)>,
    config: &Config,
) -> Assembled {
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut plugins = BTreeMap::new();
    let mut status = BTreeMap::new();
    let mut failed = Vec::new();
    let place =
        |rev: &Arc<PluginRevision>, owner: &mut BTreeMap<String, String>| -> Result<(), String> {
            if let Some((t, other)) = rev.tools.iter().find_map(|t| {
                owner
                    .get(&t.name)
                    .filter(|o| **o != rev.name)
                    .map(|o| (&t.name, o))
            }) {
                return Err(format!("tool name {t:?} collides with plugin {other:?}"));
            }
            for t in &rev.tools {
                owner.insert(t.name.clone(), rev.name.clone());
            }
            Ok(())
        };
    for (name, (attempt, _)) in &attempts {
        if let Attempt::Kept(rev) = attempt
            && place(rev, &mut owner).is_ok()
        {
            plugins.insert(name.clone(), rev.clone());
            status.insert(name.clone(), active(rev, None, None));
        }
    }
    for (name, (attempt, old)) in attempts {
        let error = match attempt {
            Attempt::Kept(_) => continue,
            Attempt::Loaded(rev, ms) => match place(&rev, &mut owner) {
                Ok(()) => {
                    tracing::info!(plugin = %name, revision = rev.revision(), tools = rev.tools.len(), load_ms = ms, "plugin loaded");
                    status.insert(name.clone(), active(&rev, Some(ms), None));
                    plugins.insert(name, rev);
                    continue;
                }
                Err(e) => e,
            },
            Attempt::Failed(e) => e,
        };
        let fallback = old.filter(|o| place(o, &mut owner).is_ok());
        let st = match &fallback {
            Some(o) => PluginStatus {
                state: "degraded",
                ..active(o, None, Some(error.clone()))
            },
            None => PluginStatus {
                name: name.clone(),
                state: "failed",
                revision: None,
                artifact: artifact_of(config, &name),
                tools: vec![],
                last_error: Some(error.clone()),
                loaded_at: None,
                load_ms: None,
                from_cache: None,
            },
        };
        if let Some(o) = fallback {
            plugins.insert(name.clone(), o);
        }
        status.insert(name.clone(), st);
        failed.push((name, error));
    }
    (plugins, status, failed)
}

fn artifact_of(config: &Config, name: &str) -> String {
    config.plugins.get(name).map_or_else(
        || {
            config
                .plugin_dir
                .join(format!("{name}.wasm"))
                .display()
                .to_string()
        },
        |p| p.artifact.display().to_string(),
    )
}

fn active(rev: &PluginRevision, load_ms: Option<u64>, last_error: Option<String>) -> PluginStatus {
    PluginStatus {
        name: rev.name.clone(),
        state: "active",
        revision: Some(rev.revision().to_owned()),
        artifact: rev.spec.artifact.display().to_string(),
        tools: rev.tools.iter().map(|t| t.name.clone()).collect(),
        last_error,
        loaded_at: Some(rev.loaded_at.to_rfc3339()),
        load_ms,
        from_cache: Some(rev.prepared.from_cache),
    }
}
