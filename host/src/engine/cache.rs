//! Compiled components cached on disk, keyed by content hash and engine settings.
//!
//! Compiling a component takes ~100 ms; loading a cached one ~1 ms. Keys include
//! wasmtime's compatibility hash, so an artifact built under another `Config` or
//! wasmtime version is never loaded. Only files this cache wrote are loaded.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use wasmtime::component::Component;

/// On-disk cache of compiled components.
pub(crate) struct CompileCache {
    dir: Option<PathBuf>,
    engine_key: String,
}

impl CompileCache {
    /// A cache under `dir` (created on demand), or none.
    pub(crate) fn new(engine: &wasmtime::Engine, dir: Option<PathBuf>) -> Self {
        let mut h = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        CompileCache {
            dir,
            engine_key: format!("{:016x}", h.finish()),
        }
    }

    /// Loads the component for `bytes` (whose SHA-256 is `hash`), compiling and
    /// storing it on a miss. Returns the component and whether it came from cache.
    pub(crate) fn load(
        &self,
        engine: &wasmtime::Engine,
        hash: &str,
        bytes: &[u8],
    ) -> wasmtime::Result<(Component, bool)> {
        let path = self
            .dir
            .as_ref()
            .map(|d| d.join(format!("{hash}-{}.cwasm", self.engine_key)));
        if let Some(path) = &path
            && path.exists()
        {
            // SAFETY: the file was written by `store` below from `Component::serialize`
            // for this exact engine configuration (the key says so); wasmtime also
            // checks the artifact's header and compatibility before using it.
            #[allow(unsafe_code)]
            let loaded = unsafe { Component::deserialize_file(engine, path) };
            match loaded {
                Ok(c) => return Ok((c, true)),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "discarding unusable compiled component");
                    let _ = std::fs::remove_file(path);
                }
            }
        }
        let component = Component::new(engine, bytes)?;
        if let Some(path) = &path {
            store(path, &component);
        }
        Ok((component, false))
    }
}

/// Writes atomically (temp file + rename) so a crash never leaves a torn artifact.
fn store(path: &std::path::Path, component: &Component) {
    let result = (|| -> anyhow::Result<()> {
        let bytes = component.serialize()?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if let Err(e) = result {
        // A cache that cannot be written only costs compile time later.
        tracing::warn!(path = %path.display(), error = %e, "cannot write compiled component cache");
    }
}
