//! Where job records live. A trait, so a durable store can replace the
//! in-memory one without touching workers or surfaces.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{Duration, Utc};

use super::{Job, JobState};

/// Job persistence. Errors are strings: callers only report them.
pub trait JobStore: Send + Sync {
    /// Adds a new job.
    fn insert(&self, job: &Job) -> Result<(), String>;
    /// The job with `id`, if any.
    fn get(&self, id: &str) -> Result<Option<Job>, String>;
    /// Applies `f` to the job atomically; returns the updated job.
    fn update(&self, id: &str, f: &mut dyn FnMut(&mut Job)) -> Result<Option<Job>, String>;
    /// Jobs not finished (queued or processing), oldest first: for recovery at start.
    fn unfinished(&self) -> Result<Vec<Job>, String>;
    /// Deletes finished jobs (and idempotency keys) older than `age`; returns how
    /// many jobs.
    fn purge_finished(&self, age: Duration) -> Result<usize, String>;
    /// The tracking id recorded for a client's `Idempotency-Key`, if any.
    fn idempotency_lookup(&self, key: &str) -> Result<Option<String>, String>;
    /// Records the tracking id created for `key` (first one wins).
    fn idempotency_remember(&self, key: &str, tracking_id: &str) -> Result<(), String>;
}

/// Jobs kept in memory (lost on restart).
#[derive(Default)]
pub struct MemoryStore {
    jobs: Mutex<HashMap<String, Job>>,
    keys: Mutex<HashMap<String, String>>,
}

impl MemoryStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl JobStore for MemoryStore {
    fn insert(&self, job: &Job) -> Result<(), String> {
        self.lock().insert(job.tracking_id.clone(), job.clone());
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<Job>, String> {
        Ok(self.lock().get(id).cloned())
    }

    fn update(&self, id: &str, f: &mut dyn FnMut(&mut Job)) -> Result<Option<Job>, String> {
        Ok(self.lock().get_mut(id).map(|j| {
            f(j);
            j.clone()
        }))
    }

    fn unfinished(&self) -> Result<Vec<Job>, String> {
        let mut out: Vec<Job> = self
            .lock()
            .values()
            .filter(|j| matches!(j.state, JobState::Queued | JobState::Processing))
            .cloned()
            .collect();
        out.sort_by_key(|j| j.created_at);
        Ok(out)
    }

    fn purge_finished(&self, age: Duration) -> Result<usize, String> {
        let cutoff = Utc::now() - age;
        let mut jobs = self.lock();
        let before = jobs.len();
        jobs.retain(|_, j| j.completed_at.is_none_or(|t| t > cutoff));
        Ok(before - jobs.len())
    }

    fn idempotency_lookup(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned())
    }

    fn idempotency_remember(&self, key: &str, tracking_id: &str) -> Result<(), String> {
        self.keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.to_owned())
            .or_insert_with(|| tracking_id.to_owned());
        Ok(())
    }
}
