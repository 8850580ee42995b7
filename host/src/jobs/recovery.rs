//! Start-up recovery and upkeep. A job that was queued when its host stopped
//! simply waits in the store for a worker. One that was running is failed with
//! the reason, because its Odoo writes may be half done and re-running it could
//! create a second quotation.
//!
//! A store of this host's own (SQLite, memory) fails every running job at start.
//! A shared store (PostgreSQL) fails only jobs whose lease ran out, at start and
//! then periodically, since the other hosts' jobs are still running.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Abandoned, Jobs};

/// How often finished jobs older than the retention period are deleted.
const RETENTION_SWEEP: Duration = Duration::from_secs(3600);

/// The message a job interrupted by a restart ends with.
pub const INTERRUPTED: &str = "the host stopped while this job was running; it was not retried \
because part of it may already be in Odoo: check the lead and order before submitting again";

/// Fails jobs abandoned by a previous run; returns how many.
pub async fn recover(jobs: &Jobs) -> usize {
    let scope = if jobs.store().shared() {
        Abandoned::LeaseExpired
    } else {
        Abandoned::All
    };
    let failed = fail_abandoned(jobs, scope).await;
    jobs.recount().await;
    failed
}

async fn fail_abandoned(jobs: &Jobs, scope: Abandoned) -> usize {
    match jobs.store().fail_abandoned(scope, INTERRUPTED).await {
        Ok(ids) => {
            if !ids.is_empty() {
                tracing::warn!(failed = ids.len(), jobs = ?ids, "failed jobs whose host stopped while running them");
            }
            ids.len()
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot fail interrupted jobs");
            0
        }
    }
}

/// Deletes finished jobs older than `retention` every hour and, for a shared
/// store, fails jobs with expired leases every half lease, until `shutdown`.
pub fn spawn_maintenance(
    jobs: Arc<Jobs>,
    retention: chrono::Duration,
    shutdown: CancellationToken,
) {
    let shared = jobs.store().shared();
    let tick = if shared {
        jobs.lease() / 2
    } else {
        RETENTION_SWEEP
    };
    // Owned by `shutdown`: the loop ends with the host.
    tokio::spawn(async move {
        let mut since_purge = RETENTION_SWEEP;
        loop {
            if since_purge >= RETENTION_SWEEP {
                since_purge = Duration::ZERO;
                match jobs.store().purge_finished(retention).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(purged = n, "old jobs deleted"),
                    Err(e) => tracing::warn!(error = %e, "job retention sweep failed"),
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(tick) => since_purge += tick,
            }
            if shared {
                fail_abandoned(&jobs, Abandoned::LeaseExpired).await;
            }
        }
    });
}
