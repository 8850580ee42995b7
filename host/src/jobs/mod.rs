//! Background jobs with tracking ids (quotations): submitted by plugin tools
//! through the `jobs` host interface, stored, and run by a bounded worker pool that
//! calls the plugin's `run-job` export with the grants of the submitting tool.
//!
//! [`Jobs`] is what host functions and surfaces see; [`store`] keeps the records;
//! [`worker`] runs them.

mod record;
mod recovery;
mod sqlite;
mod store;
mod worker;

use std::sync::Arc;

use tokio::sync::mpsc;

pub use record::{Job, JobState};
pub use recovery::{INTERRUPTED, recover, spawn_retention};
pub use sqlite::SqliteStore;
pub use store::{JobStore, MemoryStore};
pub use worker::{DEFAULT_WORKERS, spawn_workers};

/// Jobs waiting for a worker before `submit` pushes back.
const QUEUE_DEPTH: usize = 1024;

/// Why a job could not be submitted.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("job kind {0:?} must match [a-z0-9_-]{{1,32}}")]
    BadKind(String),
    #[error("job input is not JSON: {0}")]
    BadInput(String),
    #[error("the job queue is full ({QUEUE_DEPTH} waiting); try again shortly")]
    QueueFull,
    #[error("job store: {0}")]
    Store(String),
}

/// The job front door shared by host functions, surfaces and workers.
pub struct Jobs {
    store: Arc<dyn JobStore>,
    queue: mpsc::Sender<String>,
}

impl Jobs {
    /// A front door over `store`, and the receiving end workers consume.
    pub fn new(store: Arc<dyn JobStore>) -> (Arc<Jobs>, mpsc::Receiver<String>) {
        let (queue, rx) = mpsc::channel(QUEUE_DEPTH);
        (Arc::new(Jobs { store, queue }), rx)
    }

    /// Stores a new queued job and hands it to the workers.
    ///
    /// # Errors
    /// [`Error`] for a bad kind or input, a full queue, or a store failure.
    pub fn submit(&self, plugin: &str, tool: &str, kind: &str, input: &str) -> Result<Job, Error> {
        let valid_kind = (1..=32).contains(&kind.len())
            && kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid_kind {
            return Err(Error::BadKind(kind.to_owned()));
        }
        let input: serde_json::Value =
            serde_json::from_str(input).map_err(|e| Error::BadInput(e.to_string()))?;
        let job = Job::new(plugin, tool, kind, input);
        let permit = self.queue.try_reserve().map_err(|_| Error::QueueFull)?;
        self.store.insert(&job).map_err(Error::Store)?;
        permit.send(job.tracking_id.clone());
        Ok(job)
    }

    /// The job with `id`, if any.
    pub fn get(&self, id: &str) -> Option<Job> {
        self.store.get(id).ok().flatten()
    }

    /// Records progress of a running job.
    pub fn progress(&self, id: &str, message: &str) {
        let message: String = message.chars().take(500).collect();
        if let Err(e) = self
            .store
            .update(id, &mut |j| j.progress = Some(message.clone()))
        {
            tracing::warn!(job = id, error = %e, "cannot record job progress");
        }
    }

    /// The underlying store.
    pub fn store(&self) -> &Arc<dyn JobStore> {
        &self.store
    }

    /// Re-queues a stored job (recovery at start).
    pub(crate) fn requeue(&self, id: &str) -> Result<(), Error> {
        self.queue
            .try_send(id.to_owned())
            .map_err(|_| Error::QueueFull)
    }
}
