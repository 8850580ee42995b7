//! The shared job store: PostgreSQL, so several hosts can share one queue.
//!
//! Workers claim jobs with `FOR UPDATE SKIP LOCKED`: each claim locks the oldest
//! queued row nobody else holds, so hosts never wait on each other or run a job
//! twice. A claimed job carries its owner and a lease the owner keeps renewing;
//! when a host dies its leases run out and any other host fails those jobs with
//! the interruption reason (a blind re-run could create a second quotation).
//!
//! State, owner and lease are columns (the queue's indexes use them); the whole
//! job record is kept as JSONB beside them, as the other stores keep it.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::sync::Arc;

use tokio_postgres::config::SslMode;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::store::{
    ABANDONED_KEY, Abandoned, KeyClaim, StoreResult, mark_abandoned, mark_processing,
};
use super::{Job, JobStore};

/// Connections per host: workers, REST and MCP share them.
const POOL_SIZE: usize = 16;
/// How long a caller waits for a connection, or for a new one to open.
const CONNECT_TIMEOUT: StdDuration = StdDuration::from_secs(5);
/// Serialises schema creation when several hosts start at once.
const SCHEMA_LOCK: i64 = 0x6461_6e69_656c; // "daniel"

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS daniel_jobs (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        completed_at TIMESTAMPTZ,
        owner TEXT,
        lease_until TIMESTAMPTZ,
        record JSONB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS daniel_jobs_queued
        ON daniel_jobs (created_at) WHERE state = 'queued';
    CREATE INDEX IF NOT EXISTS daniel_jobs_running
        ON daniel_jobs (lease_until) WHERE state = 'processing';
    CREATE INDEX IF NOT EXISTS daniel_jobs_finished
        ON daniel_jobs (completed_at) WHERE completed_at IS NOT NULL;
    CREATE INDEX IF NOT EXISTS daniel_jobs_digest
        ON daniel_jobs ((record->>'digest'), created_at) WHERE record ? 'digest';
    CREATE TABLE IF NOT EXISTS daniel_idempotency (
        key TEXT PRIMARY KEY,
        tracking_id TEXT,
        created_at TIMESTAMPTZ NOT NULL
    );";

/// Jobs in PostgreSQL, shared by every host pointed at the same database.
pub struct PostgresStore {
    pool: Pool,
}

/// The error with its causes: tokio-postgres puts the server's message in the
/// source chain, and "db error" alone says nothing.
fn err(e: impl std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn record(job: &Job) -> StoreResult<serde_json::Value> {
    serde_json::to_value(job).map_err(|e| e.to_string())
}

fn parse(value: serde_json::Value) -> StoreResult<Job> {
    serde_json::from_value(value).map_err(|e| format!("unreadable job record: {e}"))
}

fn seconds(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

/// A TLS connector that verifies the server against the system's roots (or
/// the file named by `SSL_CERT_FILE`).
fn tls() -> StoreResult<MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A certificate rustls cannot parse is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    if roots.is_empty() {
        return Err(
            "sslmode=require, but no trusted root certificates were found (set SSL_CERT_FILE)"
                .into(),
        );
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host/db`, libpq-style
    /// parameters allowed; `sslmode=require` for TLS with a verified server
    /// certificate) and creates the tables if missing.
    ///
    /// # Errors
    /// A malformed URL, an unreachable server, refused credentials or missing
    /// rights to create the tables. The URL itself is never in the message: it
    /// may hold a password.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| format!("invalid PostgreSQL URL: {}", err(e)))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("daniel");
        }
        let recycling = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        // TLS only when asked for: "prefer" (the libpq default) would fail
        // outright on a server with a self-signed certificate rather than fall back.
        let manager = if config.get_ssl_mode() == SslMode::Require {
            Manager::from_config(config, tls()?, recycling)
        } else {
            config.ssl_mode(SslMode::Disable);
            Manager::from_config(config, NoTls, recycling)
        };
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(err)?;
        let store = PostgresStore { pool };
        let mut client = store.client().await?;
        let tx = client.transaction().await.map_err(err)?;
        execute(&tx, "SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).await?;
        tx.batch_execute(SCHEMA).await.map_err(err)?;
        tx.commit().await.map_err(err)?;
        drop(client);
        Ok(store)
    }

    async fn client(&self) -> StoreResult<deadpool_postgres::Object> {
        self.pool
            .get()
            .await
            .map_err(|e| format!("PostgreSQL unavailable: {}", err(e)))
    }

    /// Writes the record of `job` and the columns derived from it. A finished
    /// job drops its lease: nobody runs it any more.
    async fn write(client: &impl GenericClient, job: &Job) -> StoreResult<()> {
        execute(
            client,
            "UPDATE daniel_jobs SET state = $2, completed_at = $3, record = $4,
                     lease_until = CASE WHEN $3::timestamptz IS NULL THEN lease_until END
                 WHERE id = $1",
            &[
                &job.tracking_id,
                &job.state.as_str(),
                &job.completed_at,
                &record(job)?,
            ],
        )
        .await?;
        Ok(())
    }
}

/// Statements run prepared once per connection and cached there: a plain string
/// would be parsed and described by the server on every call, one more round trip.
async fn execute(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> StoreResult<u64> {
    let statement = c.prepare_cached(sql).await.map_err(err)?;
    c.execute(&statement, params).await.map_err(err)
}

async fn query(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> StoreResult<Vec<Row>> {
    let statement = c.prepare_cached(sql).await.map_err(err)?;
    c.query(&statement, params).await.map_err(err)
}

async fn query_opt(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> StoreResult<Option<Row>> {
    let statement = c.prepare_cached(sql).await.map_err(err)?;
    c.query_opt(&statement, params).await.map_err(err)
}

#[async_trait::async_trait]
impl JobStore for PostgresStore {
    async fn insert(&self, job: &Job) -> StoreResult<()> {
        execute(
            &self.client().await?,
            "INSERT INTO daniel_jobs (id, state, created_at, completed_at, record)
                 VALUES ($1, $2, $3, $4, $5)",
            &[
                &job.tracking_id,
                &job.state.as_str(),
                &job.created_at,
                &job.completed_at,
                &record(job)?,
            ],
        )
        .await?;
        Ok(())
    }

    async fn get(&self, id: &str) -> StoreResult<Option<Job>> {
        let row = query_opt(
            &self.client().await?,
            "SELECT record FROM daniel_jobs WHERE id = $1",
            &[&id],
        )
        .await?;
        row.map(|r| parse(r.get(0))).transpose()
    }

    async fn find_duplicate(&self, digest: &str, since: DateTime<Utc>) -> StoreResult<Option<Job>> {
        let row = query_opt(
            &self.client().await?,
            "SELECT record FROM daniel_jobs
             WHERE record ? 'digest' AND record->>'digest' = $1 AND created_at > $2
               AND state <> 'failed'
             ORDER BY created_at DESC LIMIT 1",
            &[&digest, &since],
        )
        .await?;
        row.map(|r| parse(r.get(0))).transpose()
    }

    async fn insert_unless_duplicate(
        &self,
        job: &Job,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<Job>> {
        let Some(digest) = &job.digest else {
            self.insert(job).await?;
            return Ok(None);
        };
        // One statement, one round trip: the duplicate if there is one, else the
        // insert. (Two identical requests in the very same instant may both insert.)
        let row = query_opt(
            &self.client().await?,
            "WITH dup AS (
                 SELECT record FROM daniel_jobs
                 WHERE record ? 'digest' AND record->>'digest' = $6 AND created_at > $7
                   AND state <> 'failed'
                 ORDER BY created_at DESC LIMIT 1
             ), added AS (
                 INSERT INTO daniel_jobs (id, state, created_at, completed_at, record)
                 SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM dup)
             )
             SELECT record FROM dup",
            &[
                &job.tracking_id,
                &job.state.as_str(),
                &job.created_at,
                &job.completed_at,
                &record(job)?,
                digest,
                &since,
            ],
        )
        .await?;
        row.map(|r| parse(r.get(0))).transpose()
    }

    async fn update(
        &self,
        id: &str,
        f: &mut (dyn for<'j> FnMut(&'j mut Job) + Send),
    ) -> StoreResult<Option<Job>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(err)?;
        let Some(row) = query_opt(
            &tx,
            "SELECT record FROM daniel_jobs WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        else {
            return Ok(None);
        };
        let mut job = parse(row.get(0))?;
        f(&mut job);
        Self::write(&tx, &job).await?;
        tx.commit().await.map_err(err)?;
        Ok(Some(job))
    }

    async fn set_progress(&self, id: &str, message: &str) -> StoreResult<()> {
        execute(
            &self.client().await?,
            "UPDATE daniel_jobs SET record = jsonb_set(record, '{progress}', to_jsonb($2::text))
                 WHERE id = $1",
            &[&id, &message],
        )
        .await?;
        Ok(())
    }

    async fn claim(&self, owner: &str, lease: Duration) -> StoreResult<Option<Job>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(err)?;
        // SKIP LOCKED: a row another host is claiming right now is passed over,
        // not waited for, so concurrent claimers each get a different job.
        let Some(row) = query_opt(
            &tx,
            "SELECT record FROM daniel_jobs WHERE state = 'queued'
                 ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED",
            &[],
        )
        .await?
        else {
            return Ok(None);
        };
        let mut job = parse(row.get(0))?;
        mark_processing(&mut job);
        // Leases run on the database's clock, the one every host shares.
        execute(
            &tx,
            "UPDATE daniel_jobs SET state = 'processing', owner = $2,
                 lease_until = now() + make_interval(secs => $3), record = $4
             WHERE id = $1",
            &[&job.tracking_id, &owner, &seconds(lease), &record(&job)?],
        )
        .await?;
        tx.commit().await.map_err(err)?;
        Ok(Some(job))
    }

    async fn renew(&self, owner: &str, lease: Duration) -> StoreResult<usize> {
        let n = execute(
            &self.client().await?,
            "UPDATE daniel_jobs SET lease_until = now() + make_interval(secs => $2)
                 WHERE owner = $1 AND state = 'processing'",
            &[&owner, &seconds(lease)],
        )
        .await?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn fail_abandoned(&self, scope: Abandoned, reason: &str) -> StoreResult<Vec<String>> {
        // A shared store never fails everything: other hosts may be running
        // those jobs. Only expired leases mean a runner is gone.
        let _ = scope;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(err)?;
        let rows = query(
            &tx,
            "SELECT record FROM daniel_jobs
                 WHERE state = 'processing' AND (lease_until IS NULL OR lease_until < now())
                 FOR UPDATE SKIP LOCKED",
            &[],
        )
        .await?;
        let mut failed = Vec::with_capacity(rows.len());
        for row in rows {
            let mut job = parse(row.get(0))?;
            mark_abandoned(&mut job, reason);
            Self::write(&tx, &job).await?;
            failed.push(job.tracking_id);
        }
        tx.commit().await.map_err(err)?;
        Ok(failed)
    }

    async fn queued(&self) -> StoreResult<usize> {
        // count(*) always answers one row.
        let row = query_opt(
            &self.client().await?,
            "SELECT count(*) FROM daniel_jobs WHERE state = 'queued'",
            &[],
        )
        .await?;
        Ok(row.map_or(0, |r| usize::try_from(r.get::<_, i64>(0)).unwrap_or(0)))
    }

    async fn purge_finished(&self, age: Duration) -> StoreResult<usize> {
        let cutoff = Utc::now() - age;
        let client = self.client().await?;
        execute(
            &client,
            "DELETE FROM daniel_idempotency WHERE created_at < $1",
            &[&cutoff],
        )
        .await?;
        let n = execute(
            &client,
            "DELETE FROM daniel_jobs WHERE completed_at < $1",
            &[&cutoff],
        )
        .await?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn idempotency_claim(&self, key: &str) -> StoreResult<KeyClaim> {
        let now = Utc::now();
        let client = self.client().await?;
        let inserted = execute(
            &client,
            "INSERT INTO daniel_idempotency (key, tracking_id, created_at)
                 VALUES ($1, NULL, $2) ON CONFLICT (key) DO NOTHING",
            &[&key, &now],
        )
        .await?;
        if inserted == 1 {
            return Ok(KeyClaim::Claimed);
        }
        // A claim whose request died long ago is taken over by this one.
        let taken_over = execute(
            &client,
            "UPDATE daniel_idempotency SET created_at = $2
                 WHERE key = $1 AND tracking_id IS NULL AND created_at < $3",
            &[&key, &now, &(now - ABANDONED_KEY)],
        )
        .await?;
        if taken_over == 1 {
            return Ok(KeyClaim::Claimed);
        }
        let row = query_opt(
            &client,
            "SELECT tracking_id FROM daniel_idempotency WHERE key = $1",
            &[&key],
        )
        .await?;
        Ok(match row.and_then(|r| r.get::<_, Option<String>>(0)) {
            Some(id) => KeyClaim::Known(id),
            // Released between our insert and this read, or still running.
            None => KeyClaim::Pending,
        })
    }

    async fn idempotency_set(&self, key: &str, tracking_id: &str) -> StoreResult<()> {
        execute(
            &self.client().await?,
            "UPDATE daniel_idempotency SET tracking_id = $2
                 WHERE key = $1 AND tracking_id IS NULL",
            &[&key, &tracking_id],
        )
        .await?;
        Ok(())
    }

    async fn idempotency_release(&self, key: &str) -> StoreResult<()> {
        execute(
            &self.client().await?,
            "DELETE FROM daniel_idempotency WHERE key = $1 AND tracking_id IS NULL",
            &[&key],
        )
        .await?;
        Ok(())
    }

    async fn ping(&self) -> StoreResult<()> {
        self.client()
            .await?
            .simple_query("SELECT 1")
            .await
            .map_err(err)?;
        Ok(())
    }

    fn shared(&self) -> bool {
        true
    }
}
