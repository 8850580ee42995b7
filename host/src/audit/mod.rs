//! Audit logs: one JSON document per quotation and per hand-off, written to a local
//! spool and shipped to S3 (or an S3-compatible store) under `<prefix>/YYYY/MM/`.
//!
//! The spool is the source of truth: a document is uploaded from disk and only then
//! moved to `uploaded/`, so a failed or interrupted upload is retried (with backoff,
//! across restarts) and never lost. Re-uploading after a crash writes the same key
//! with the same bytes, so no document ever appears twice.

mod redact;
mod spool;
mod upload;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Notify;

pub use redact::redact;
pub use spool::Spool;
pub use upload::{S3Target, spawn_uploader};

/// Writes audit documents into the spool and wakes the uploader.
pub struct AuditLog {
    spool: Spool,
    redact: Vec<String>,
    wake: Arc<Notify>,
}

impl AuditLog {
    /// An audit log spooling into `dir`, redacting the named fields.
    ///
    /// # Errors
    /// If the spool folders cannot be created.
    pub fn new(dir: PathBuf, redact: Vec<String>) -> std::io::Result<AuditLog> {
        Ok(AuditLog {
            spool: Spool::open(dir)?,
            redact,
            wake: Arc::new(Notify::new()),
        })
    }

    /// The spool, for the uploader and tests.
    pub fn spool(&self) -> &Spool {
        &self.spool
    }

    /// What the uploader waits on.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Records a document of `kind` (`quotation`, `handoff`) named `id`. Failures are
    /// logged, never returned: auditing must not fail the audited operation.
    pub fn record(&self, kind: &str, id: &str, mut doc: Value) {
        redact(&mut doc, &self.redact);
        let name = format!("{kind}_{id}.json");
        match self.spool.write(&name, &doc) {
            Ok(_) => self.wake.notify_one(),
            Err(e) => tracing::error!(%kind, %id, error = %e, "cannot write audit log"),
        }
    }
}
