//! The durable job store: one SQLite file, so tracking ids and results survive
//! restarts. Each job is a row holding its JSON record; writes go through at once.
//!
//! rusqlite is synchronous; the connection sits behind a mutex and every statement
//! is short (one row by primary key), so calling it from async code is acceptable.

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::store::{
    ABANDONED_KEY, Abandoned, KeyClaim, StoreResult, mark_abandoned, mark_processing,
};
use super::{Job, JobStore};

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
        let mut db =
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
             CREATE INDEX IF NOT EXISTS jobs_digest
                 ON jobs (json_extract(record, '$.digest'), created_at);",
        )
        .map_err(err)?;
        migrate(&mut db)?;
        Ok(SqliteStore { db: Mutex::new(db) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Schema versions (`PRAGMA user_version`). Version 1 lets an idempotency key be
/// claimed before its job exists (`tracking_id` NULL while the request runs).
fn migrate(db: &mut Connection) -> Result<(), String> {
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    if version >= 1 {
        return Ok(());
    }
    let tx = db.transaction().map_err(err)?;
    let existed: i64 = tx
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'idempotency'",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    if existed > 0 {
        tx.execute_batch("ALTER TABLE idempotency RENAME TO idempotency_v0;")
            .map_err(err)?;
    }
    tx.execute_batch(
        "CREATE TABLE idempotency (
             key TEXT PRIMARY KEY,
             tracking_id TEXT,
             created_at TEXT NOT NULL
         );",
    )
    .map_err(err)?;
    if existed > 0 {
        tx.execute_batch(
            "INSERT INTO idempotency (key, tracking_id, created_at)
                 SELECT key, tracking_id, created_at FROM idempotency_v0;
             DROP TABLE idempotency_v0;",
        )
        .map_err(err)?;
    }
    tx.execute_batch("PRAGMA user_version = 1;").map_err(err)?;
    tx.commit().map_err(err)
}

fn write(db: &Connection, job: &Job) -> Result<(), String> {
    let record = serde_json::to_string(job).map_err(err)?;
    db.execute(
        "INSERT INTO jobs (id, state, created_at, completed_at, record) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET state = ?2, completed_at = ?4, record = ?5",
        params![
            job.tracking_id,
            job.state.as_str(),
            job.created_at.to_rfc3339(),
            job.completed_at.map(|t| t.to_rfc3339()),
            record
        ],
    )
    .map_err(err)?;
    Ok(())
}

fn duplicate(db: &Connection, digest: &str, since: DateTime<Utc>) -> Result<Option<Job>, String> {
    let record: Option<String> = db
        .query_row(
            "SELECT record FROM jobs
             WHERE json_extract(record, '$.digest') = ?1 AND created_at > ?2
               AND state <> 'failed'
             ORDER BY created_at DESC LIMIT 1",
            params![digest, since.to_rfc3339()],
            |r| r.get(0),
        )
        .optional()
        .map_err(err)?;
    record
        .map(|r| serde_json::from_str(&r).map_err(err))
        .transpose()
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

#[async_trait::async_trait]
impl JobStore for SqliteStore {
    async fn insert(&self, job: &Job) -> StoreResult<()> {
        write(&self.lock(), job)
    }

    async fn get(&self, id: &str) -> StoreResult<Option<Job>> {
        read(&self.lock(), id)
    }

    async fn find_duplicate(&self, digest: &str, since: DateTime<Utc>) -> StoreResult<Option<Job>> {
        duplicate(&self.lock(), digest, since)
    }

    async fn insert_unless_duplicate(
        &self,
        job: &Job,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<Job>> {
        // One connection lock around the look and the insert.
        let db = self.lock();
        if let Some(digest) = &job.digest
            && let Some(first) = duplicate(&db, digest, since)?
        {
            return Ok(Some(first));
        }
        write(&db, job)?;
        Ok(None)
    }

    async fn update(
        &self,
        id: &str,
        f: &mut (dyn for<'j> FnMut(&'j mut Job) + Send),
    ) -> StoreResult<Option<Job>> {
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

    async fn set_progress(&self, id: &str, message: &str) -> StoreResult<()> {
        self.lock()
            .execute(
                "UPDATE jobs SET record = json_set(record, '$.progress', ?2) WHERE id = ?1",
                params![id, message],
            )
            .map_err(err)?;
        Ok(())
    }

    async fn claim(&self, _owner: &str, _lease: Duration) -> StoreResult<Option<Job>> {
        // One connection behind a mutex: the transaction alone makes this atomic.
        let mut db = self.lock();
        let tx = db.transaction().map_err(err)?;
        let record: Option<String> = tx
            .query_row(
                "SELECT record FROM jobs WHERE state = 'queued' ORDER BY created_at LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        let Some(record) = record else {
            return Ok(None);
        };
        let mut job: Job = serde_json::from_str(&record).map_err(err)?;
        mark_processing(&mut job);
        write(&tx, &job)?;
        tx.commit().map_err(err)?;
        Ok(Some(job))
    }

    async fn renew(&self, _owner: &str, _lease: Duration) -> StoreResult<usize> {
        Ok(0)
    }

    async fn fail_abandoned(&self, scope: Abandoned, reason: &str) -> StoreResult<Vec<String>> {
        if scope == Abandoned::LeaseExpired {
            return Ok(Vec::new());
        }
        let mut db = self.lock();
        let tx = db.transaction().map_err(err)?;
        let records: Vec<String> = {
            let mut stmt = tx
                .prepare("SELECT record FROM jobs WHERE state = 'processing'")
                .map_err(err)?;
            stmt.query_map([], |r| r.get(0))
                .map_err(err)?
                .collect::<Result<_, _>>()
                .map_err(err)?
        };
        let mut failed = Vec::with_capacity(records.len());
        for record in records {
            let mut job: Job = serde_json::from_str(&record).map_err(err)?;
            mark_abandoned(&mut job, reason);
            write(&tx, &job)?;
            failed.push(job.tracking_id);
        }
        tx.commit().map_err(err)?;
        Ok(failed)
    }

    async fn queued(&self) -> StoreResult<usize> {
        self.lock()
            .query_row(
                "SELECT count(*) FROM jobs WHERE state = 'queued'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(err)
    }

    async fn purge_finished(&self, age: Duration) -> StoreResult<usize> {
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

    async fn idempotency_claim(&self, key: &str) -> StoreResult<KeyClaim> {
        let now = Utc::now();
        let stale = (now - ABANDONED_KEY).to_rfc3339();
        let now = now.to_rfc3339();
        let mut db = self.lock();
        let tx = db.transaction().map_err(err)?;
        let inserted = tx
            .execute(
                "INSERT OR IGNORE INTO idempotency (key, tracking_id, created_at) VALUES (?1, NULL, ?2)",
                params![key, now],
            )
            .map_err(err)?;
        let claim = if inserted == 1 {
            KeyClaim::Claimed
        } else {
            let taken_over = tx
                .execute(
                    "UPDATE idempotency SET created_at = ?2
                     WHERE key = ?1 AND tracking_id IS NULL AND created_at < ?3",
                    params![key, now, stale],
                )
                .map_err(err)?;
            if taken_over == 1 {
                KeyClaim::Claimed
            } else {
                let id: Option<String> = tx
                    .query_row(
                        "SELECT tracking_id FROM idempotency WHERE key = ?1",
                        [key],
                        |r| r.get(0),
                    )
                    .map_err(err)?;
                id.map_or(KeyClaim::Pending, KeyClaim::Known)
            }
        };
        tx.commit().map_err(err)?;
        Ok(claim)
    }

    async fn idempotency_set(&self, key: &str, tracking_id: &str) -> StoreResult<()> {
        self.lock()
            .execute(
                "UPDATE idempotency SET tracking_id = ?2 WHERE key = ?1 AND tracking_id IS NULL",
                params![key, tracking_id],
            )
            .map_err(err)?;
        Ok(())
    }

    async fn idempotency_release(&self, key: &str) -> StoreResult<()> {
        self.lock()
            .execute(
                "DELETE FROM idempotency WHERE key = ?1 AND tracking_id IS NULL",
                [key],
            )
            .map_err(err)?;
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        self.lock()
            .query_row("SELECT 1", [], |_| Ok(()))
            .map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn jobs_and_keys_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite");
        let job = Job::new("crm", "dev_create_quotation", "quotation", json!({"a": 1}));
        {
            let store = SqliteStore::open(&path).unwrap();
            store.insert(&job).await.unwrap();
            store.idempotency_claim("k").await.unwrap();
            store.idempotency_set("k", &job.tracking_id).await.unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let back = store.get(&job.tracking_id).await.unwrap().unwrap();
        assert_eq!(back.input, json!({"a": 1}));
        assert_eq!(store.queued().await.unwrap(), 1);
        assert_eq!(
            store.idempotency_claim("k").await.unwrap(),
            KeyClaim::Known(job.tracking_id)
        );
    }

    #[tokio::test]
    async fn a_store_from_before_key_claims_is_migrated_with_its_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite");
        {
            let db = Connection::open(&path).unwrap();
            db.execute_batch(
                "CREATE TABLE idempotency (key TEXT PRIMARY KEY, tracking_id TEXT NOT NULL,
                     created_at TEXT NOT NULL);
                 INSERT INTO idempotency VALUES ('old', 'quot_old', '2026-11-26T00:00:00Z');",
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            store.idempotency_claim("old").await.unwrap(),
            KeyClaim::Known("quot_old".into())
        );
        // Version 1 allows a claim without a tracking id yet.
        assert_eq!(
            store.idempotency_claim("new").await.unwrap(),
            KeyClaim::Claimed
        );
        drop(store);
        // Opening again does not migrate twice.
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            store.idempotency_claim("new").await.unwrap(),
            KeyClaim::Pending
        );
    }
}
