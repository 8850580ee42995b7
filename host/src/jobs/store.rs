//! Where job records live. A trait, so the in-memory, SQLite and PostgreSQL stores
//! are interchangeable for workers and surfaces.
//!
//! The store is also the queue: workers *claim* the oldest queued job, so several
//! hosts sharing one PostgreSQL database share the work, and a job submitted on one
//! host may run on another.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::{Job, JobState};

/// Store errors are strings: callers only report them.
pub type StoreResult<T> = Result<T, String>;

/// Which running jobs recovery may fail as abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abandoned {
    /// Every `processing` job: the store belongs to this host alone, so whoever
    /// ran them is gone (start-up of a SQLite or in-memory store).
    All,
    /// Only those whose owner stopped renewing its lease (shared stores).
    LeaseExpired,
}

/// What an `Idempotency-Key` claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyClaim {
    /// The key is new (or an abandoned claim was taken over): the caller creates
    /// the job and then calls [`JobStore::idempotency_set`] or `_release`.
    Claimed,
    /// A request with this key already created this job.
    Known(String),
    /// Another request with this key is being served right now.
    Pending,
}

/// A claim on a key with no tracking id after this long is abandoned (its
/// request died) and can be taken over.
pub const ABANDONED_KEY: Duration = Duration::seconds(60);

/// Job persistence and the shared queue.
#[async_trait::async_trait]
pub trait JobStore: Send + Sync {
    /// Adds a new queued job.
    async fn insert(&self, job: &Job) -> StoreResult<()>;
    /// The job with `id`, if any.
    async fn get(&self, id: &str) -> StoreResult<Option<Job>>;
    /// Applies `f` to the job atomically; returns the updated job.
    async fn update(
        &self,
        id: &str,
        f: &mut (dyn for<'j> FnMut(&'j mut Job) + Send),
    ) -> StoreResult<Option<Job>>;
    /// The newest job with `digest` created after `since` that has not failed: the
    /// one a repeated request gets back.
    async fn find_duplicate(&self, digest: &str, since: DateTime<Utc>) -> StoreResult<Option<Job>>;
    /// Adds `job` unless a duplicate of it (see [`JobStore::find_duplicate`], by its
    /// digest, since `since`) exists: then that one is returned and nothing is added.
    /// Stores make this one step where they can (one lock, one statement), so a
    /// repeat costs no extra round trip and racing repeats rarely both get in.
    async fn insert_unless_duplicate(
        &self,
        job: &Job,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<Job>> {
        if let Some(digest) = &job.digest
            && let Some(first) = self.find_duplicate(digest, since).await?
        {
            return Ok(Some(first));
        }
        self.insert(job).await?;
        Ok(None)
    }
    /// Records a running job's progress message. Jobs report progress often, so
    /// stores override this with one statement instead of a read-modify-write.
    async fn set_progress(&self, id: &str, message: &str) -> StoreResult<()> {
        self.update(id, &mut |j| j.progress = Some(message.to_owned()))
            .await
            .map(drop)
    }
    /// Moves the oldest queued job to `processing` for `owner`, holding it for
    /// `lease`; `None` when nothing is queued. No job is claimed twice.
    async fn claim(&self, owner: &str, lease: Duration) -> StoreResult<Option<Job>>;
    /// Extends the lease of every job `owner` is running; returns how many.
    async fn renew(&self, owner: &str, lease: Duration) -> StoreResult<usize>;
    /// Fails abandoned `processing` jobs with `reason`; returns their ids.
    async fn fail_abandoned(&self, scope: Abandoned, reason: &str) -> StoreResult<Vec<String>>;
    /// Jobs waiting to be claimed.
    async fn queued(&self) -> StoreResult<usize>;
    /// Deletes finished jobs (and idempotency keys) older than `age`; returns how
    /// many jobs.
    async fn purge_finished(&self, age: Duration) -> StoreResult<usize>;
    /// Claims `key` for the request about to create a job.
    async fn idempotency_claim(&self, key: &str) -> StoreResult<KeyClaim>;
    /// Records the job created under a claimed `key`.
    async fn idempotency_set(&self, key: &str, tracking_id: &str) -> StoreResult<()>;
    /// Gives up a claimed `key` whose request failed, so a retry can proceed.
    async fn idempotency_release(&self, key: &str) -> StoreResult<()>;
    /// Whether the store answers (readiness).
    async fn ping(&self) -> StoreResult<()>;
    /// Whether other hosts may share this store (leases matter, and recovery
    /// at start must not fail jobs another live host is running).
    fn shared(&self) -> bool {
        false
    }
}

/// Marks `job` claimed: the one place the claim's record change is spelt out.
pub(super) fn mark_processing(job: &mut Job) {
    job.state = JobState::Processing;
    job.started_at = Some(Utc::now());
}

/// Marks `job` failed because its runner went away.
pub(super) fn mark_abandoned(job: &mut Job, reason: &str) {
    job.state = JobState::Failed;
    job.error = Some(reason.to_owned());
    job.completed_at = Some(Utc::now());
}

/// An idempotency key's job (once created) and when it was claimed.
type KeyEntry = (Option<String>, chrono::DateTime<Utc>);

/// Jobs kept in memory (lost on restart). One host only.
#[derive(Default)]
pub struct MemoryStore {
    jobs: Mutex<HashMap<String, Job>>,
    keys: Mutex<HashMap<String, KeyEntry>>,
    /// Tracking ids by request digest, oldest first: duplicates are found
    /// without scanning every job.
    digests: Mutex<HashMap<String, Vec<String>>>,
}

impl MemoryStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, KeyEntry>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn digests(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<String>>> {
        self.digests.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The newest job of `digest` in `jobs` made after `since` that has not failed.
    fn duplicate_in(
        &self,
        jobs: &HashMap<String, Job>,
        digest: &str,
        since: DateTime<Utc>,
    ) -> Option<Job> {
        let ids = self.digests().get(digest).cloned().unwrap_or_default();
        ids.iter()
            .filter_map(|id| jobs.get(id))
            .filter(|j| j.created_at > since && j.state != JobState::Failed)
            .max_by_key(|j| j.created_at)
            .cloned()
    }
}

#[async_trait::async_trait]
impl JobStore for MemoryStore {
    async fn insert(&self, job: &Job) -> StoreResult<()> {
        self.lock().insert(job.tracking_id.clone(), job.clone());
        if let Some(digest) = &job.digest {
            self.digests()
                .entry(digest.clone())
                .or_default()
                .push(job.tracking_id.clone());
        }
        Ok(())
    }

    async fn find_duplicate(&self, digest: &str, since: DateTime<Utc>) -> StoreResult<Option<Job>> {
        let jobs = self.lock();
        Ok(self.duplicate_in(&jobs, digest, since))
    }

    async fn insert_unless_duplicate(
        &self,
        job: &Job,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<Job>> {
        // One jobs lock around the look and the insert: no repeat slips between.
        let mut jobs = self.lock();
        if let Some(digest) = &job.digest {
            if let Some(first) = self.duplicate_in(&jobs, digest, since) {
                return Ok(Some(first));
            }
            self.digests()
                .entry(digest.clone())
                .or_default()
                .push(job.tracking_id.clone());
        }
        jobs.insert(job.tracking_id.clone(), job.clone());
        Ok(None)
    }

    async fn get(&self, id: &str) -> StoreResult<Option<Job>> {
        Ok(self.lock().get(id).cloned())
    }

    async fn update(
        &self,
        id: &str,
        f: &mut (dyn for<'j> FnMut(&'j mut Job) + Send),
    ) -> StoreResult<Option<Job>> {
        Ok(self.lock().get_mut(id).map(|j| {
            f(j);
            j.clone()
        }))
    }

    async fn claim(&self, _owner: &str, _lease: Duration) -> StoreResult<Option<Job>> {
        let mut jobs = self.lock();
        let oldest = jobs
            .values_mut()
            .filter(|j| j.state == JobState::Queued)
            .min_by_key(|j| j.created_at);
        Ok(oldest.map(|j| {
            mark_processing(j);
            j.clone()
        }))
    }

    async fn renew(&self, _owner: &str, _lease: Duration) -> StoreResult<usize> {
        Ok(0)
    }

    async fn fail_abandoned(&self, scope: Abandoned, reason: &str) -> StoreResult<Vec<String>> {
        if scope == Abandoned::LeaseExpired {
            return Ok(Vec::new());
        }
        let mut failed = Vec::new();
        for job in self.lock().values_mut() {
            if job.state == JobState::Processing {
                mark_abandoned(job, reason);
                failed.push(job.tracking_id.clone());
            }
        }
        Ok(failed)
    }

    async fn queued(&self) -> StoreResult<usize> {
        Ok(self
            .lock()
            .values()
            .filter(|j| j.state == JobState::Queued)
            .count())
    }

    async fn purge_finished(&self, age: Duration) -> StoreResult<usize> {
        let cutoff = Utc::now() - age;
        self.keys().retain(|_, (_, at)| *at > cutoff);
        let mut jobs = self.lock();
        let before = jobs.len();
        jobs.retain(|_, j| j.completed_at.is_none_or(|t| t > cutoff));
        let purged = before - jobs.len();
        if purged > 0 {
            let mut digests = self.digests();
            for ids in digests.values_mut() {
                ids.retain(|id| jobs.contains_key(id));
            }
            digests.retain(|_, ids| !ids.is_empty());
        }
        Ok(purged)
    }

    async fn idempotency_claim(&self, key: &str) -> StoreResult<KeyClaim> {
        let now = Utc::now();
        let mut keys = self.keys();
        Ok(match keys.get_mut(key) {
            Some((Some(id), _)) => KeyClaim::Known(id.clone()),
            Some((None, at)) if now - *at < ABANDONED_KEY => KeyClaim::Pending,
            Some((None, at)) => {
                *at = now;
                KeyClaim::Claimed
            }
            None => {
                keys.insert(key.to_owned(), (None, now));
                KeyClaim::Claimed
            }
        })
    }

    async fn idempotency_set(&self, key: &str, tracking_id: &str) -> StoreResult<()> {
        if let Some((id, _)) = self.keys().get_mut(key) {
            id.get_or_insert_with(|| tracking_id.to_owned());
        }
        Ok(())
    }

    async fn idempotency_release(&self, key: &str) -> StoreResult<()> {
        let mut keys = self.keys();
        if matches!(keys.get(key), Some((None, _))) {
            keys.remove(key);
        }
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }
}
