//! The job stores behind one contract (memory, SQLite, PostgreSQL), and several
//! hosts sharing one PostgreSQL queue.
//!
//! PostgreSQL tests need `DANIEL_TEST_POSTGRES_URL` (`.ci/run` installs and starts
//! a server and sets it); without it they say they were skipped, unless
//! `DANIEL_REQUIRE_POSTGRES=1` makes that a failure (as in CI).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Age;
use daniel::jobs::{
    Abandoned, INTERRUPTED, Job, JobState, JobStore, KeyClaim, MemoryStore, PostgresStore,
    SqliteStore,
};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::rest::{product_config, queue_quotation, wait_for_job};
use crate::support::TestHost;
use crate::tools::PLUGINS as PRODUCT_PLUGINS;

/// A URL to a fresh, empty schema of the test PostgreSQL server, or `None`
/// (after saying so) when no server is configured.
async fn postgres() -> Option<String> {
    let Ok(url) = std::env::var("DANIEL_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("DANIEL_REQUIRE_POSTGRES").is_none(),
            "DANIEL_REQUIRE_POSTGRES is set but DANIEL_TEST_POSTGRES_URL is not"
        );
        eprintln!("skipped: set DANIEL_TEST_POSTGRES_URL to test the PostgreSQL job store");
        return None;
    };
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("test PostgreSQL reachable");
    tokio::spawn(connection);
    let schema = format!("t_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}options=-csearch_path%3D{schema}"))
}

fn job() -> Job {
    Job::new("crm", "dev_create_quotation", "quotation", json!({"n": 1}))
}

/// What every store must do, whatever it keeps jobs in.
async fn contract(store: Arc<dyn JobStore>) {
    store.ping().await.unwrap();
    assert!(store.get("quot_nope").await.unwrap().is_none());
    assert!(store.claim("me", Age::seconds(30)).await.unwrap().is_none());

    // Queue order: oldest first, each claimed once.
    let first = job();
    let second = job();
    store.insert(&first).await.unwrap();
    store.insert(&second).await.unwrap();
    assert_eq!(store.queued().await.unwrap(), 2);
    let claimed = store.claim("me", Age::seconds(30)).await.unwrap().unwrap();
    assert_eq!(claimed.tracking_id, first.tracking_id);
    assert_eq!(claimed.state, JobState::Processing);
    assert!(claimed.started_at.is_some());
    assert_eq!(store.queued().await.unwrap(), 1);

    // Progress and outcome are read back as written.
    store
        .update(&first.tracking_id, &mut |j| {
            j.progress = Some("Creando lead".into())
        })
        .await
        .unwrap();
    let back = store.get(&first.tracking_id).await.unwrap().unwrap();
    assert_eq!(back.progress.as_deref(), Some("Creando lead"));
    let said = "Cotización \"S00042\" creada — 2/3";
    store.set_progress(&first.tracking_id, said).await.unwrap();
    store.set_progress("quot_nope", "nobody").await.unwrap();
    let back = store.get(&first.tracking_id).await.unwrap().unwrap();
    assert_eq!(back.progress.as_deref(), Some(said));
    assert_eq!(back.state, JobState::Processing);
    assert_eq!(back.input, json!({"n": 1}));
    store
        .update(&first.tracking_id, &mut |j| {
            j.state = JobState::Completed;
            j.result = Some(json!({"order": 7}));
            j.completed_at = Some(chrono::Utc::now() - Age::days(10));
        })
        .await
        .unwrap();
    assert!(
        store
            .update("quot_nope", &mut |_| {})
            .await
            .unwrap()
            .is_none()
    );

    // Retention deletes old finished jobs only.
    assert_eq!(store.purge_finished(Age::days(7)).await.unwrap(), 1);
    assert!(store.get(&first.tracking_id).await.unwrap().is_none());
    assert!(store.get(&second.tracking_id).await.unwrap().is_some());

    // Idempotency keys: claimed once, pending while the request runs, then known.
    assert_eq!(
        store.idempotency_claim("k1").await.unwrap(),
        KeyClaim::Claimed
    );
    assert_eq!(
        store.idempotency_claim("k1").await.unwrap(),
        KeyClaim::Pending
    );
    store.idempotency_set("k1", "quot_a").await.unwrap();
    assert_eq!(
        store.idempotency_claim("k1").await.unwrap(),
        KeyClaim::Known("quot_a".into())
    );
    // The first tracking id wins, and a known key is never released.
    store.idempotency_set("k1", "quot_b").await.unwrap();
    store.idempotency_release("k1").await.unwrap();
    assert_eq!(
        store.idempotency_claim("k1").await.unwrap(),
        KeyClaim::Known("quot_a".into())
    );
    // A failed request releases its key so a retry can create the job.
    assert_eq!(
        store.idempotency_claim("k2").await.unwrap(),
        KeyClaim::Claimed
    );
    store.idempotency_release("k2").await.unwrap();
    assert_eq!(
        store.idempotency_claim("k2").await.unwrap(),
        KeyClaim::Claimed
    );

    // Duplicates: the newest job of a digest made since a time, unless it failed.
    let hour_ago = chrono::Utc::now() - Age::hours(1);
    assert!(
        store
            .find_duplicate("d1", hour_ago)
            .await
            .unwrap()
            .is_none()
    );
    let mut older = job();
    older.digest = Some("d1".into());
    older.created_at = chrono::Utc::now() - Age::minutes(30);
    let mut newer = job();
    newer.digest = Some("d1".into());
    let mut other = job();
    other.digest = Some("d2".into());
    for j in [&older, &newer, &other] {
        store.insert(j).await.unwrap();
    }
    let found = store.find_duplicate("d1", hour_ago).await.unwrap().unwrap();
    assert_eq!(found.tracking_id, newer.tracking_id);
    assert_eq!(found.digest.as_deref(), Some("d1"));
    let recent = chrono::Utc::now() - Age::minutes(40);
    store
        .update(&newer.tracking_id, &mut |j| j.state = JobState::Failed)
        .await
        .unwrap();
    let found = store.find_duplicate("d1", recent).await.unwrap().unwrap();
    assert_eq!(
        found.tracking_id, older.tracking_id,
        "a failed job is no duplicate"
    );
    let since_older = older.created_at + Age::seconds(1);
    assert!(
        store
            .find_duplicate("d1", since_older)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .find_duplicate("d3", hour_ago)
            .await
            .unwrap()
            .is_none()
    );

    // Insert unless a duplicate exists: the first gets in, a repeat gets it back.
    let mut first = job();
    first.digest = Some("d9".into());
    let added = store
        .insert_unless_duplicate(&first, hour_ago)
        .await
        .unwrap();
    assert!(added.is_none());
    let mut repeat = job();
    repeat.digest = Some("d9".into());
    let back = store
        .insert_unless_duplicate(&repeat, hour_ago)
        .await
        .unwrap();
    assert_eq!(back.map(|j| j.tracking_id), Some(first.tracking_id.clone()));
    assert!(
        store.get(&repeat.tracking_id).await.unwrap().is_none(),
        "not added"
    );
    let plain = job();
    let added = store
        .insert_unless_duplicate(&plain, hour_ago)
        .await
        .unwrap();
    assert!(added.is_none());
    assert!(store.get(&plain.tracking_id).await.unwrap().is_some());
}

/// Racing repeats on a single-host store: one lock covers the look and the insert.
async fn racing_repeats_get_one_job(store: Arc<dyn JobStore>) {
    let since = chrono::Utc::now() - Age::minutes(10);
    let tries = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut j = job();
            j.digest = Some("race".into());
            let back = store.insert_unless_duplicate(&j, since).await.unwrap();
            back.map_or(j.tracking_id, |first| first.tracking_id)
        })
    });
    let mut ids = HashSet::new();
    for t in tries {
        ids.insert(t.await.unwrap());
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(store.queued().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_repeats_on_single_host_stores_get_one_job() {
    racing_repeats_get_one_job(Arc::new(MemoryStore::default())).await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(&dir.path().join("jobs.sqlite")).unwrap();
    racing_repeats_get_one_job(Arc::new(sqlite)).await;
}

#[tokio::test]
async fn the_memory_store_keeps_the_contract() {
    let store = Arc::new(MemoryStore::default());
    contract(store.clone()).await;
    interrupted_jobs_fail_at_start(store).await;
}

#[tokio::test]
async fn the_sqlite_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("jobs.sqlite")).unwrap());
    contract(store.clone()).await;
    interrupted_jobs_fail_at_start(store).await;
}

#[tokio::test]
async fn the_postgres_store_keeps_the_contract() {
    let Some(url) = postgres().await else { return };
    let store = Arc::new(PostgresStore::connect(&url).await.unwrap());
    assert!(store.shared());
    contract(store).await;
}

/// A store of one host's own: at start every running job was abandoned.
async fn interrupted_jobs_fail_at_start(store: Arc<dyn JobStore>) {
    assert!(!store.shared());
    let running = job();
    store.insert(&running).await.unwrap();
    while store
        .claim("old", Age::seconds(30))
        .await
        .unwrap()
        .is_some()
    {}
    assert!(
        store
            .fail_abandoned(Abandoned::LeaseExpired, INTERRUPTED)
            .await
            .unwrap()
            .is_empty(),
        "leases mean nothing to a store of one host"
    );
    let failed = store
        .fail_abandoned(Abandoned::All, INTERRUPTED)
        .await
        .unwrap();
    assert!(failed.contains(&running.tracking_id));
    let back = store.get(&running.tracking_id).await.unwrap().unwrap();
    assert_eq!(back.state, JobState::Failed);
    assert_eq!(back.error.as_deref(), Some(INTERRUPTED));
}

#[tokio::test]
async fn a_postgres_job_whose_host_stops_renewing_is_failed_by_another_host() {
    let Some(url) = postgres().await else { return };
    let dead = PostgresStore::connect(&url).await.unwrap();
    let alive = PostgresStore::connect(&url).await.unwrap();
    let (orphan, kept) = (job(), job());
    dead.insert(&orphan).await.unwrap();
    alive.insert(&kept).await.unwrap();
    let claimed = dead
        .claim("dead-host", Age::seconds(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.tracking_id, orphan.tracking_id);
    let claimed = alive
        .claim("live-host", Age::seconds(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.tracking_id, kept.tracking_id);
    // Even "All" never fails a live host's jobs in a shared store.
    assert!(
        alive
            .fail_abandoned(Abandoned::All, INTERRUPTED)
            .await
            .unwrap()
            .is_empty()
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(alive.renew("live-host", Age::seconds(30)).await.unwrap(), 1);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let failed = alive
        .fail_abandoned(Abandoned::LeaseExpired, INTERRUPTED)
        .await
        .unwrap();
    assert_eq!(failed, vec![orphan.tracking_id.clone()]);
    let back = alive.get(&orphan.tracking_id).await.unwrap().unwrap();
    assert_eq!(back.state, JobState::Failed);
    assert_eq!(back.error.as_deref(), Some(INTERRUPTED));
    let kept = alive.get(&kept.tracking_id).await.unwrap().unwrap();
    assert_eq!(kept.state, JobState::Processing);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_on_two_connections_pools_never_share_a_job() {
    let Some(url) = postgres().await else { return };
    let stores: Vec<Arc<dyn JobStore>> = vec![
        Arc::new(PostgresStore::connect(&url).await.unwrap()),
        Arc::new(PostgresStore::connect(&url).await.unwrap()),
    ];
    const JOBS: usize = 200;
    for i in 0..JOBS {
        stores[i % 2].insert(&job()).await.unwrap();
    }
    let mut claimers = Vec::new();
    for i in 0..12 {
        let store = stores[i % 2].clone();
        claimers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(j) = store
                .claim(&format!("c{i}"), Age::seconds(30))
                .await
                .unwrap()
            {
                mine.push(j.tracking_id);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for c in claimers {
        all.extend(c.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), JOBS, "every job claimed");
    assert_eq!(unique.len(), JOBS, "no job claimed twice");
    assert_eq!(stores[0].queued().await.unwrap(), 0);
}

/// The repository's configuration with both Odoo instances pointed at one shared
/// sandbox, jobs in `store`, and `workers` workers.
fn shared_config(sandbox: &daniel::odoo::SandboxEndpoint, store: &str, workers: u32) -> String {
    let instance = format!(
        "url = \"{}\"\ndb = \"{}\"\nlogin = \"{}\"\nkey = \"{}\"",
        sandbox.url, sandbox.db, sandbox.login, sandbox.password
    );
    format!(
        "{}\n[jobs]\nstore = \"{store}\"\nworkers = {workers}\nlease_seconds = 5\n",
        product_config().replace("sandbox = true", &instance)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hosts_share_one_postgres_queue() {
    let Some(url) = postgres().await else { return };
    let stop = CancellationToken::new();
    let sandbox = daniel::sandbox::odoo::start(&Default::default(), stop.clone())
        .await
        .unwrap();
    let crm = [("crm", "crm")];
    let a = TestHost::start(&shared_config(&sandbox, &url, 1), &crm).await;
    let b = TestHost::start(&shared_config(&sandbox, &url, 4), &crm).await;
    let http = reqwest::Client::new();
    let base = a.url("");
    let mut ids = Vec::new();
    for i in 0..16 {
        ids.push(queue_quotation(&http, &base, &format!("shared{i}@hosts.mx")).await);
    }
    // Host B reads what host A accepted, and the two finish the work between them.
    for id in &ids {
        let status = wait_for_job(&b, id).await;
        assert_eq!(status["status"], "completed", "{status}");
    }
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let owners: HashSet<String> = client
        .query("SELECT DISTINCT owner FROM daniel_jobs", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let expected: HashSet<String> = [a.state.jobs.owner(), b.state.jobs.owner()]
        .map(str::to_owned)
        .into();
    assert_eq!(owners, expected, "both hosts ran jobs");
    stop.cancel();
}

#[tokio::test]
async fn postgres_tls_refuses_a_server_certificate_it_cannot_verify() {
    let Some(url) = postgres().await else { return };
    // Debian's server offers TLS with a self-signed ("snakeoil") certificate.
    let Err(e) = PostgresStore::connect(&format!("{url}&sslmode=require")).await else {
        panic!("connected over TLS to a server whose certificate is not trusted");
    };
    assert!(
        e.contains("certificate") || e.contains("TLS") || e.contains("tls"),
        "{e}"
    );
    assert!(!e.contains("no trusted root"), "{e}");
    eprintln!("refused as expected: {e}");
    assert!(
        !e.contains("daniel:daniel"),
        "the URL's password leaked: {e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeat_after_a_restart_on_the_sandbox_is_a_new_job() {
    // The sandbox's Odoo starts empty every run: a job of the last run names records
    // that are gone, so a repeat is not matched with it (a real Odoo keeps them).
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("jobs.sqlite");
    let config = format!(
        "{}\n[jobs]\nstore = {:?}\n",
        product_config(),
        store.display().to_string()
    );
    let http = reqwest::Client::new();
    let first_run = TestHost::start(&config, PRODUCT_PLUGINS).await;
    let base = first_run.url("");
    let first = queue_quotation(&http, &base, "otra-vez@hotel.mx").await;
    assert_eq!(
        queue_quotation(&http, &base, "otra-vez@hotel.mx").await,
        first
    );
    wait_for_job(&first_run, &first).await;
    drop(first_run);
    let second_run = TestHost::start(&config, PRODUCT_PLUGINS).await;
    let again = queue_quotation(&http, &second_run.url(""), "otra-vez@hotel.mx").await;
    assert_ne!(again, first);
    assert_eq!(
        wait_for_job(&second_run, &again).await["status"],
        "completed"
    );
}
