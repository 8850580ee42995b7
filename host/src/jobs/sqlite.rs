//! The durable job store: one SQLite file, so tracking ids and results survive
//! restarts. Each job is a row holding its JSON record; writes go through at once.
//!
//! rusqlite is synchronous; the connection sits behind a mutex and every statement
//! is short (one row by primary key), so calling it from async code is acceptable.

use std::path::Path;
use std::sync::Mutex;

use chrono::{Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Job, JobState, JobStore};

/// Jobs (and idempotency keys) in a SQLite file.
pub struct SqliteStore {
    db: Mutex<Connection>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl SqliteStore {
    /// Opens or creates the store at `path`.
    ///
    /// # Errors
    /// If the file cannot be opened or its schema created.
    pub fn open(path: &Path) -> Result<SqliteStore, String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let db =
            Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        // WAL keeps readers (status polls) from blocking the writer.
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS jobs (
                 id TEXT PRIMARY KEY,
                 state TEXT NOT NULL,
                 created_at TEXT NOT NULL,
                 completed_at TEXT,
                 record TEXT NOT NULL
             );
             CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created_at);
             CREATE TABLE IF NOT EXISTS idempotency (
                 key TEXT PRIMARY KEY,
                 tracking_id TEXT NOT NULL,
                 created_at TEXT NOT NULL
             );",
        )
        .map_err(err)?;
        Ok(SqliteStore { db: Mutex::new(db) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn state_name(s: JobState) -> &'static str {
    match s {
        JobState::Queued => "queued",
        JobState::Processing => "processing",
        JobState::Completed => "completed",
        JobState::Failed => "failed",
    }
}

fn write(db: &Connection, job: &Job) -> Result<(), String> {
    let record = serde_json::to_string(job).map_err(err)?;
    db.execute(
        "INSERT INTO jobs (id, state, created_at, completed_at, record) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET state = ?2, completed_at = ?4, record = ?5",
        params![
            job.tracking_id,
            state_name(job.state),
            job.created_at.to_rfc3339(),
            job.completed_at.map(|t| t.to_rfc3339()),
            record
        ],
    )
    .map_err(err)?;
    Ok(())
}

fn read(db: &Connection, id: &str) -> Result<Option<Job>, String> {
    let record: Option<String> = db
        .query_row("SELECT record FROM jobs WHERE id = ?1", [id], |r| r.get(0))
        .optional()
        .map_err(err)?;
    record
        .map(|r| serde_json::from_str(&r).map_err(err))
        .transpose()
}

impl JobStore for SqliteStore {
    fn insert(&self, job: &Job) -> Result<(), String> {
        write(&self.lock(), job)
    }

    fn get(&self, id: &str) -> Result<Option<Job>, String> {
        read(&self.lock(), id)
    }

    fn update(&self, id: &str, f: &mut dyn FnMut(&mut Job)) -> Result<Option<Job>, String> {
        let mut db = self.lock();
        let tx = db.transaction().map_err(err)?;
        let Some(mut job) = read(&tx, id)? else {
            return Ok(None);
        };
        f(&mut job);
        write(&tx, &job)?;
        tx.commit().map_err(err)?;
        Ok(Some(job))
    }

    fn unfinished(&self) -> Result<Vec<Job>, String> {
        let db = self.lock();
        let mut stmt = db
            .prepare("SELECT record FROM jobs WHERE state IN ('queued', 'processing') ORDER BY created_at")
            .map_err(err)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(err)?;
        rows.map(|r| {
            r.map_err(err)
                .and_then(|s| serde_json::from_str(&s).map_err(err))
        })
        .collect()
    }

    fn purge_finished(&self, age: Duration) -> Result<usize, String> {
        let cutoff = (Utc::now() - age).to_rfc3339();
        let db = self.lock();
        db.execute("DELETE FROM idempotency WHERE created_at < ?1", [&cutoff])
            .map_err(err)?;
        db.execute(
            "DELETE FROM jobs WHERE completed_at IS NOT NULL AND completed_at < ?1",
            [&cutoff],
        )
        .map_err(err)
    }

    fn idempotency_lookup(&self, key: &str) -> Result<Option<String>, String> {
        self.lock()
            .query_row(
                "SELECT tracking_id FROM idempotency WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)
    }

    fn idempotency_remember(&self, key: &str, tracking_id: &str) -> Result<(), String> {
        self.lock()
            .execute(
                "INSERT OR IGNORE INTO idempotency (key, tracking_id, created_at) VALUES (?1, ?2, ?3)",
                params![key, tracking_id, Utc::now().to_rfc3339()],
            )
            .map_err(err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jobs_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite");
        let job = Job::new(
            "crm",
            "dev_create_quotation",
            "quotation",
            json!({"email": "a@b.c"}),
        );
        {
            let store = SqliteStore::open(&path).unwrap();
            store.insert(&job).unwrap();
            store
                .update(&job.tracking_id, &mut |j| {
                    j.progress = Some("Creando lead...".into())
                })
                .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let back = store.get(&job.tracking_id).unwrap().unwrap();
        assert_eq!(back.progress.as_deref(), Some("Creando lead..."));
        assert_eq!(back.input, json!({"email": "a@b.c"}));
        assert_eq!(store.unfinished().unwrap().len(), 1);
        assert!(store.get("quot_nope").unwrap().is_none());
    }

    #[test]
    fn purge_keeps_unfinished_and_recent_jobs() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("j.sqlite")).unwrap();
        let old = Job::new("p", "t", "quotation", json!({}));
        store.insert(&old).unwrap();
        store
            .update(&old.tracking_id, &mut |j| {
                j.state = JobState::Completed;
                j.completed_at = Some(Utc::now() - Duration::days(10));
            })
            .unwrap();
        let running = Job::new("p", "t", "quotation", json!({}));
        store.insert(&running).unwrap();
        assert_eq!(store.purge_finished(Duration::days(7)).unwrap(), 1);
        assert!(store.get(&running.tracking_id).unwrap().is_some());
    }
}
