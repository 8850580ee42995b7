//! Start-up recovery and retention. A job that was queued when the host stopped is
//! queued again; one that was running is failed with the reason, because its
//! Odoo writes may be half done and re-running it could create a second quotation.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{JobState, Jobs};

/// How often finished jobs older than the retention period are deleted.
const RETENTION_SWEEP: Duration = Duration::from_secs(3600);

/// The message a job interrupted by a restart ends with.
pub const INTERRUPTED: &str = "the host stopped while this job was running; it was not retried \
because part of it may already be in Odoo: check the lead and order before submitting again";

/// Re-queues queued jobs and fails interrupted ones; returns (requeued, failed).
pub fn recover(jobs: &Jobs) -> (usize, usize) {
    let unfinished = match jobs.store().unfinished() {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "cannot read unfinished jobs");
            return (0, 0);
        }
    };
    let (mut requeued, mut failed) = (0, 0);
    for job in unfinished {
        match job.state {
            JobState::Queued => match jobs.requeue(&job.tracking_id) {
                Ok(()) => requeued += 1,
                Err(e) => {
                    tracing::error!(job = %job.tracking_id, error = %e, "cannot re-queue job")
                }
            },
            _ => {
                let r = jobs.store().update(&job.tracking_id, &mut |j| {
                    j.state = JobState::Failed;
                    j.error = Some(INTERRUPTED.to_owned());
                    j.completed_at = Some(chrono::Utc::now());
                });
                if let Err(e) = r {
                    tracing::error!(job = %job.tracking_id, error = %e, "cannot fail interrupted job");
                }
                failed += 1;
            }
        }
    }
    if requeued + failed > 0 {
        tracing::warn!(requeued, failed, "recovered jobs left by the previous run");
    }
    (requeued, failed)
}

/// Deletes finished jobs older than `retention` every hour until `shutdown`.
pub fn spawn_retention(jobs: Arc<Jobs>, retention: chrono::Duration, shutdown: CancellationToken) {
    // Owned by `shutdown`: the loop ends with the host.
    tokio::spawn(async move {
        loop {
            match jobs.store().purge_finished(retention) {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "old jobs deleted"),
                Err(e) => tracing::warn!(error = %e, "job retention sweep failed"),
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(RETENTION_SWEEP) => {}
            }
        }
    });
}
