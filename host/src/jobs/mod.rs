//! Background jobs with tracking ids (quotations): submitted by plugin tools
//! through the `jobs` host interface, stored, and run by a bounded worker pool that
//! calls the plugin's `run-job` export with the grants of the submitting tool.
//!
//! [`Jobs`] is what host functions and surfaces see; [`store`] keeps the records;
//! [`worker`] runs them.

mod postgres;
mod record;
mod recovery;
mod sqlite;
mod store;
mod worker;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

pub use postgres::PostgresStore;
pub use record::{Job, JobState};
pub use recovery::{INTERRUPTED, recover, spawn_maintenance};
pub use sqlite::SqliteStore;
pub use store::{ABANDONED_KEY, Abandoned, JobStore, KeyClaim, MemoryStore, StoreResult};
pub use worker::{DEFAULT_WORKERS, spawn_workers};

/// Queued jobs (across every host sharing the store) before `submit` pushes back.
pub const DEFAULT_MAX_QUEUED: usize = 10_000;
/// How long a running job's lease lasts; its host renews it at a third of that.
pub const DEFAULT_LEASE: std::time::Duration = std::time::Duration::from_secs(30);

/// Why a job could not be submitted.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("job kind {0:?} must match [a-z0-9_-]{{1,32}}")]
    BadKind(String),
    #[error("job input is not JSON: {0}")]
    BadInput(String),
    #[error("the job queue is full ({0} waiting); try again shortly")]
    QueueFull(usize),
    #[error("job store: {0}")]
    Store(String),
}

/// The job front door shared by host functions, surfaces and workers.
pub struct Jobs {
    store: Arc<dyn JobStore>,
    /// Wakes an idle worker when a job is submitted here (other hosts' jobs are
    /// found by polling).
    wake: Notify,
    /// Queued jobs as last counted in the store, plus those submitted since.
    backlog: AtomicUsize,
    max_queued: usize,
    /// This host's name on the jobs it claims (shared stores).
    owner: String,
    lease: std::time::Duration,
    /// How long a repeated request gets its first job back (zero: never).
    dedupe: std::time::Duration,
    /// What requests are compared within (see [`Jobs::new`]).
    dedupe_scope: String,
}

impl Jobs {
    /// A front door over `store`; `dedupe` is how long a repeated request gets its
    /// first job back (see [`Jobs::submit`]; zero: never), among the requests made
    /// in the same `dedupe_scope`. A host on the embedded sandbox, whose Odoo starts
    /// empty every run, passes a scope of its own run: an earlier run's job names
    /// records that no longer exist.
    pub fn new(
        store: Arc<dyn JobStore>,
        max_queued: usize,
        lease: std::time::Duration,
        dedupe: std::time::Duration,
        dedupe_scope: &str,
    ) -> Arc<Jobs> {
        let random = uuid::Uuid::new_v4().simple().to_string();
        Arc::new(Jobs {
            store,
            wake: Notify::new(),
            backlog: AtomicUsize::new(0),
            max_queued: max_queued.max(1),
            owner: format!("host-{}-{}", std::process::id(), &random[..8]),
            lease,
            dedupe,
            dedupe_scope: dedupe_scope.to_owned(),
        })
    }

    /// Stores a new queued job and wakes a worker.
    ///
    /// A request identical to one submitted within the dedupe window (same plugin,
    /// kind and input) whose job has not failed gets that job back: voice agents
    /// and HTTP clients retry a call that timed out, and the seed system made one
    /// quotation per retry. Two identical requests racing each other may both be
    /// queued; retries come one after another.
    ///
    /// # Errors
    /// [`Error`] for a bad kind or input, a full queue, or a store failure.
    pub async fn submit(
        &self,
        plugin: &str,
        tool: &str,
        kind: &str,
        input: &str,
    ) -> Result<Job, Error> {
        let valid_kind = (1..=32).contains(&kind.len())
            && kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid_kind {
            return Err(Error::BadKind(kind.to_owned()));
        }
        let input: serde_json::Value =
            serde_json::from_str(input).map_err(|e| Error::BadInput(e.to_string()))?;
        let digest = record::digest(&self.dedupe_scope, plugin, kind, &input);
        let since = (!self.dedupe.is_zero()).then(|| {
            chrono::Utc::now()
                - chrono::Duration::from_std(self.dedupe).unwrap_or(chrono::Duration::MAX)
        });
        let duplicate = |first: Job| {
            tracing::info!(
                job = %first.tracking_id, plugin, kind,
                "identical request within the dedupe window: its job is returned"
            );
            Ok(first)
        };
        let waiting = self.backlog.load(Ordering::Relaxed);
        if waiting >= self.max_queued {
            // A repeat of queued work still gets its job; new work waits.
            if let Some(since) = since
                && let Some(first) = self
                    .store
                    .find_duplicate(&digest, since)
                    .await
                    .map_err(Error::Store)?
            {
                return duplicate(first);
            }
            return Err(Error::QueueFull(waiting));
        }
        let mut job = Job::new(plugin, tool, kind, input);
        job.digest = Some(digest);
        match since {
            Some(since) => {
                if let Some(first) = self
                    .store
                    .insert_unless_duplicate(&job, since)
                    .await
                    .map_err(Error::Store)?
                {
                    return duplicate(first);
                }
            }
            None => self.store.insert(&job).await.map_err(Error::Store)?,
        }
        self.backlog.fetch_add(1, Ordering::Relaxed);
        self.wake.notify_one();
        Ok(job)
    }

    /// The job with `id`, if any.
    ///
    /// # Errors
    /// When the store cannot be read (an unknown id is `Ok(None)`, not an error).
    pub async fn get(&self, id: &str) -> StoreResult<Option<Job>> {
        self.store.get(id).await
    }

    /// Records progress of a running job.
    pub async fn progress(&self, id: &str, message: &str) {
        let message: String = message.chars().take(500).collect();
        if let Err(e) = self.store.set_progress(id, &message).await {
            tracing::warn!(job = id, error = %e, "cannot record job progress");
        }
    }

    /// The underlying store.
    pub fn store(&self) -> &Arc<dyn JobStore> {
        &self.store
    }

    /// This host's owner name on claimed jobs.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Claims the next queued job for this host.
    pub(crate) async fn claim(&self) -> StoreResult<Option<Job>> {
        let lease = chrono::Duration::from_std(self.lease).unwrap_or(chrono::Duration::seconds(30));
        let job = self.store.claim(&self.owner, lease).await?;
        if job.is_some() {
            // Saturating: the count may be stale when other hosts submit.
            let _ = self
                .backlog
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                    Some(n.saturating_sub(1))
                });
        }
        Ok(job)
    }

    /// Re-counts the queue from the store (other hosts submit and claim too).
    pub(crate) async fn recount(&self) {
        match self.store.queued().await {
            Ok(n) => self.backlog.store(n, Ordering::Relaxed),
            Err(e) => tracing::warn!(error = %e, "cannot count queued jobs"),
        }
    }

    /// Waits until a job is submitted on this host.
    pub(crate) async fn submitted(&self) {
        self.wake.notified().await;
    }

    /// The lease length for running jobs.
    pub(crate) fn lease(&self) -> std::time::Duration {
        self.lease
    }
}
