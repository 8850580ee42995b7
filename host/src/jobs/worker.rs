//! The worker pool: takes queued job ids, runs each on the current revision of its
//! plugin, and records the outcome. A job never stays `processing` after its run
//! ends, whatever the plugin does.

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{JobState, Jobs};
use crate::audit::AuditLog;
use crate::engine::Engine;
use crate::registry::Registry;
use crate::registry::tool_error_text;

/// Jobs run at once; each holds one plugin instance and usually waits on Odoo.
pub const DEFAULT_WORKERS: usize = 8;

/// Starts the dispatcher; it stops taking work at `shutdown`, and the returned
/// tracker lets the caller wait for jobs in flight.
pub fn spawn_workers(
    jobs: Arc<Jobs>,
    mut queue: mpsc::Receiver<String>,
    registry: Arc<Registry>,
    engine: Arc<Engine>,
    audit: Arc<AuditLog>,
    workers: usize,
    shutdown: CancellationToken,
) -> TaskTracker {
    let tracker = TaskTracker::new();
    let permits = Arc::new(Semaphore::new(workers.max(1)));
    let t = tracker.clone();
    tracker.spawn(async move {
        loop {
            let id = tokio::select! {
                () = shutdown.cancelled() => break,
                id = queue.recv() => match id { Some(id) => id, None => break },
            };
            let Ok(permit) = permits.clone().acquire_owned().await else {
                break;
            };
            let (jobs, registry, engine, audit) = (
                jobs.clone(),
                registry.clone(),
                engine.clone(),
                audit.clone(),
            );
            t.spawn(async move {
                run(&jobs, &registry, &engine, &audit, &id).await;
                drop(permit);
            });
        }
    });
    tracker.close();
    tracker
}

async fn run(jobs: &Jobs, registry: &Registry, engine: &Engine, audit: &AuditLog, id: &str) {
    let store = jobs.store();
    let started = store.update(id, &mut |j| {
        j.state = JobState::Processing;
        j.started_at = Some(chrono::Utc::now());
    });
    registry.metrics.job("processing");
    let job = match started {
        Ok(Some(j)) => j,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(job = id, error = %e, "cannot start job");
            return;
        }
    };
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
    let finished = store.update(id, &mut |j| {
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
    });
    match finished {
        Ok(Some(job)) => audit.record(&job.kind, id, audit_document(&job)),
        Ok(None) => {}
        Err(e) => tracing::error!(job = id, error = %e, "cannot record job outcome"),
    }
    tracing::info!(job = id, kind = %job.kind, plugin = %job.plugin, failed, "job finished");
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
