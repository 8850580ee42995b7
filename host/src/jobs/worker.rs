//! The worker pool: claims queued jobs from the store, runs each on the current
//! revision of its plugin, and records the outcome. A job never stays
//! `processing` after its run ends, whatever the plugin does; if this host dies
//! mid-run, recovery fails the job (see [`super::recovery`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{Job, JobState, Jobs};
use crate::audit::AuditLog;
use crate::engine::Engine;
use crate::registry::Registry;
use crate::registry::tool_error_text;

/// Jobs run at once; each holds one plugin instance and usually waits on Odoo.
pub const DEFAULT_WORKERS: usize = 8;

/// How often an idle host looks for jobs submitted elsewhere: often for a
/// shared store, rarely otherwise (local submissions wake workers at once).
fn idle_poll(shared: bool) -> Duration {
    if shared {
        Duration::from_millis(250)
    } else {
        Duration::from_secs(5)
    }
}

/// Starts the dispatcher (and, for a shared store, the lease renewer); both stop
/// at `shutdown`, and the returned tracker lets the caller wait for jobs in flight.
pub fn spawn_workers(
    jobs: Arc<Jobs>,
    registry: Arc<Registry>,
    engine: Arc<Engine>,
    audit: Arc<AuditLog>,
    workers: usize,
    shutdown: CancellationToken,
) -> TaskTracker {
    let tracker = TaskTracker::new();
    let permits = Arc::new(Semaphore::new(workers.max(1)));
    let shared = jobs.store().shared();
    if shared {
        tracker.spawn(renew_leases(jobs.clone(), shutdown.clone()));
    }
    let t = tracker.clone();
    tracker.spawn(async move {
        loop {
            let permit = tokio::select! {
                () = shutdown.cancelled() => break,
                p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            };
            let job = match jobs.claim().await {
                Ok(Some(job)) => job,
                Ok(None) => {
                    drop(permit);
                    idle(&jobs, shared, &shutdown).await;
                    continue;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot claim a job");
                    drop(permit);
                    idle(&jobs, shared, &shutdown).await;
                    continue;
                }
            };
            registry.metrics.job("processing");
            let (jobs, registry, engine, audit) = (
                jobs.clone(),
                registry.clone(),
                engine.clone(),
                audit.clone(),
            );
            t.spawn(async move {
                run(&jobs, &registry, &engine, &audit, job).await;
                drop(permit);
            });
        }
    });
    tracker.close();
    tracker
}

/// Waits for a local submission, the poll interval, or shutdown.
async fn idle(jobs: &Jobs, shared: bool, shutdown: &CancellationToken) {
    tokio::select! {
        () = shutdown.cancelled() => {}
        () = jobs.submitted() => {}
        () = tokio::time::sleep(idle_poll(shared)) => jobs.recount().await,
    }
}

/// Keeps this host's leases alive while it runs jobs.
async fn renew_leases(jobs: Arc<Jobs>, shutdown: CancellationToken) {
    let lease = chrono::Duration::from_std(jobs.lease()).unwrap_or(chrono::Duration::seconds(30));
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(jobs.lease() / 3) => {}
        }
        if let Err(e) = jobs.store().renew(jobs.owner(), lease).await {
            tracing::warn!(error = %e, "cannot renew job leases");
        }
    }
}

async fn run(jobs: &Jobs, registry: &Registry, engine: &Engine, audit: &AuditLog, job: Job) {
    let store = jobs.store();
    let id = job.tracking_id.as_str();
    let catalog = registry.catalog();
    let outcome = match catalog.plugins().get(&job.plugin) {
        None => Err(format!("plugin {:?} is not loaded", job.plugin)),
        Some(rev) => {
            let input = job.input.to_string();
            match engine
                .run_job(
                    &rev.prepared,
                    rev.spec.clone(),
                    &job.tool,
                    id,
                    &job.kind,
                    &input,
                )
                .await
            {
                Ok(Ok(out)) => Ok(out
                    .structured
                    .and_then(|s| serde_json::from_str(&s).ok())
                    .unwrap_or(serde_json::Value::Null)),
                Ok(Err(e)) => Err(tool_error_text(&e)),
                Err(e) => Err(format!("plugin failed: {e}")),
            }
        }
    };
    let failed = outcome.is_err();
    registry
        .metrics
        .job(if failed { "failed" } else { "completed" });
    record_outcome(store.as_ref(), audit, id, outcome).await;
    tracing::info!(job = id, kind = %job.kind, plugin = %job.plugin, failed, "job finished");
}

/// Stores a run's outcome, and audits it.
///
/// The first final state stands: another host may have failed this job as
/// abandoned while it ran here unreachable (its lease expired), and a status a
/// client has seen as final must not change under it. Such a late outcome goes to
/// the audit log only, as `late_outcome`.
async fn record_outcome(
    store: &dyn super::JobStore,
    audit: &AuditLog,
    id: &str,
    outcome: Result<serde_json::Value, String>,
) {
    let mut given_up = None;
    let finished = store
        .update(id, &mut |j| {
            if j.state != JobState::Processing {
                given_up = Some(j.state);
                return;
            }
            j.completed_at = Some(chrono::Utc::now());
            match &outcome {
                Ok(v) => {
                    j.state = JobState::Completed;
                    j.result = Some(v.clone());
                }
                Err(e) => {
                    j.state = JobState::Failed;
                    j.error = Some(e.clone());
                }
            }
        })
        .await;
    match (finished, given_up) {
        (Ok(Some(job)), Some(state)) => {
            tracing::warn!(
                job = id,
                state = state.as_str(),
                "job finished after it was given up as abandoned; its status stays, \
                 its outcome goes to the audit log"
            );
            let mut doc = audit_document(&job);
            doc["late_outcome"] = match &outcome {
                Ok(v) => serde_json::json!({ "status": "completed", "output": v }),
                Err(e) => serde_json::json!({ "status": "failed", "error": e }),
            };
            audit.record(&job.kind, &format!("{id}.late"), doc);
        }
        (Ok(Some(job)), None) => audit.record(&job.kind, id, audit_document(&job)),
        (Ok(None), _) => {}
        (Err(e), _) => tracing::error!(job = id, error = %e, "cannot record job outcome"),
    }
}

/// The audit document of a finished job.
fn audit_document(job: &super::Job) -> serde_json::Value {
    let duration = job
        .completed_at
        .zip(job.started_at)
        .map(|(end, start)| (end - start).num_milliseconds());
    serde_json::json!({
        "tracking_id": job.tracking_id,
        "kind": job.kind,
        "plugin": job.plugin,
        "status": job.state,
        "created_at": job.created_at.to_rfc3339(),
        "started_at": job.started_at.map(|t| t.to_rfc3339()),
        "completed_at": job.completed_at.map(|t| t.to_rfc3339()),
        "duration_ms": duration,
        "input": job.input,
        "output": job.result,
        "error": job.error,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::jobs::{Abandoned, JobStore, MemoryStore};

    async fn running(store: &MemoryStore) -> String {
        let job = Job::new("crm", "dev_create_quotation", "quotation", json!({}));
        store.insert(&job).await.unwrap();
        let claimed = store
            .claim("here", chrono::Duration::seconds(30))
            .await
            .unwrap();
        claimed.unwrap().tracking_id
    }

    fn audited(audit: &AuditLog) -> Vec<serde_json::Value> {
        audit
            .spool()
            .pending()
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(&p.path).unwrap()).unwrap())
            .collect()
    }

    #[tokio::test]
    async fn an_outcome_is_stored_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let audit = AuditLog::new(dir.path().to_path_buf(), Vec::new()).unwrap();
        let store = MemoryStore::default();
        let id = running(&store).await;
        record_outcome(&store, &audit, &id, Ok(json!({"sale_order_name": "S1"}))).await;
        let job = store.get(&id).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Completed);
        let docs = audited(&audit);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0]["output"]["sale_order_name"], "S1");
    }

    #[tokio::test]
    async fn a_job_given_up_as_abandoned_keeps_its_status_and_the_late_outcome_is_audited() {
        let dir = tempfile::tempdir().unwrap();
        let audit = AuditLog::new(dir.path().to_path_buf(), Vec::new()).unwrap();
        let store = MemoryStore::default();
        let id = running(&store).await;
        // Another host's view: this run's host is gone.
        let failed = store
            .fail_abandoned(Abandoned::All, "interrupted")
            .await
            .unwrap();
        assert_eq!(failed, std::slice::from_ref(&id));
        record_outcome(&store, &audit, &id, Ok(json!({"sale_order_name": "S2"}))).await;
        let job = store.get(&id).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Failed);
        assert_eq!(job.error.as_deref(), Some("interrupted"));
        assert!(job.result.is_none());
        let docs = audited(&audit);
        assert_eq!(docs.len(), 1, "{docs:?}");
        assert_eq!(docs[0]["status"], "failed");
        assert_eq!(docs[0]["late_outcome"]["status"], "completed");
        assert_eq!(docs[0]["late_outcome"]["output"]["sale_order_name"], "S2");
    }
}
