//! Per-call resource accounting: memory caps and a CPU budget that ignores the time
//! a guest spends waiting in host calls.
//!
//! Epoch ticks measure wall time, so charging them directly would make a plugin that
//! waits on a slow Odoo trip its CPU deadline as soon as it resumes. Instead the
//! epoch callback computes guest time as elapsed time minus host-call time.

use std::time::{Duration, Instant};

/// Why a call was stopped by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    #[error("CPU budget of {0:?} exceeded")]
    Cpu(Duration),
    #[error("wall-clock limit of {0:?} exceeded")]
    Wall(Duration),
}

/// Guest-time accounting for one call.
#[derive(Debug)]
pub(crate) struct CpuMeter {
    started: Instant,
    in_host: Duration,
    budget: Duration,
}

impl CpuMeter {
    pub(crate) fn new(budget: Duration) -> Self {
        CpuMeter {
            started: Instant::now(),
            in_host: Duration::ZERO,
            budget,
        }
    }

    /// Records time spent inside a host function.
    pub(crate) fn add_host_time(&mut self, spent: Duration) {
        self.in_host += spent;
    }

    /// Time the guest itself has run.
    pub(crate) fn guest_time(&self) -> Duration {
        self.started.elapsed().saturating_sub(self.in_host)
    }

    /// `Err` once the guest has used up its budget.
    pub(crate) fn check(&self) -> Result<(), LimitExceeded> {
        if self.guest_time() > self.budget {
            Err(LimitExceeded::Cpu(self.budget))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_time_is_not_charged() {
        let mut m = CpuMeter::new(Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(80));
        assert!(m.check().is_err());
        m.add_host_time(Duration::from_millis(80));
        assert!(m.check().is_ok());
    }
}
