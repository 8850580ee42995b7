//! Prometheus metrics: tool calls and errors per tool, call latency, jobs by
//! outcome, plugin reloads and failures. Rendered at `GET /metrics`.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    tool: String,
    /// `ok`, `tool_error`, `invalid_arguments`, `plugin_failure`.
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolLabel {
    tool: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

/// The host's metrics.
pub struct Metrics {
    registry: Mutex<Registry>,
    calls: Family<CallLabels, Counter>,
    latency: Family<ToolLabel, Histogram, fn() -> Histogram>,
    jobs: Family<StateLabel, Counter>,
    jobs_running: Gauge,
    reloads: Counter,
    plugin_failures: Counter,
}

fn latency_histogram() -> Histogram {
    // 100 µs to ~3 s: trivial tools to slow Odoo round trips.
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        let m = Metrics {
            registry: Mutex::new(Registry::default()),
            calls: Family::default(),
            latency: Family::new_with_constructor(latency_histogram as fn() -> Histogram),
            jobs: Family::default(),
            jobs_running: Gauge::default(),
            reloads: Counter::default(),
            plugin_failures: Counter::default(),
        };
        {
            let mut r = m.registry.lock().unwrap_or_else(|e| e.into_inner());
            r.register(
                "daniel_tool_calls",
                "Tool calls by tool and outcome",
                m.calls.clone(),
            );
            r.register(
                "daniel_tool_call_seconds",
                "Tool call latency",
                m.latency.clone(),
            );
            r.register(
                "daniel_jobs",
                "Background jobs by state reached (submitted, completed, failed)",
                m.jobs.clone(),
            );
            r.register(
                "daniel_jobs_running",
                "Background jobs running now",
                m.jobs_running.clone(),
            );
            r.register(
                "daniel_plugin_reloads",
                "Plugin reloads that changed the catalogue",
                m.reloads.clone(),
            );
            r.register(
                "daniel_plugin_load_failures",
                "Plugin revisions rejected at load",
                m.plugin_failures.clone(),
            );
        }
        m
    }
}

impl Metrics {
    /// Records one tool call.
    pub fn call(&self, tool: &str, outcome: &str, seconds: f64) {
        self.calls
            .get_or_create(&CallLabels {
                tool: tool.into(),
                outcome: outcome.into(),
            })
            .inc();
        self.latency
            .get_or_create(&ToolLabel { tool: tool.into() })
            .observe(seconds);
    }

    /// Records a job reaching `state`.
    pub fn job(&self, state: &str) {
        self.jobs
            .get_or_create(&StateLabel {
                state: state.into(),
            })
            .inc();
        match state {
            "processing" => {
                self.jobs_running.inc();
            }
            "completed" | "failed" => {
                self.jobs_running.dec();
            }
            _ => {}
        }
    }

    /// Records a reload: whether the catalogue changed and how many plugins failed.
    pub fn reload(&self, changed: bool, failures: usize) {
        if changed {
            self.reloads.inc();
        }
        self.plugin_failures.inc_by(failures as u64);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let r = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = prometheus_client::encoding::prometheus_text::encode(&mut out, &r) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Metrics;

    #[test]
    fn renders_labelled_families() {
        let m = Metrics::default();
        m.call("hello", "ok", 0.002);
        m.job("processing");
        m.job("completed");
        let text = m.render();
        assert!(
            text.contains("daniel_tool_calls_total{tool=\"hello\",outcome=\"ok\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("daniel_tool_call_seconds_count{tool=\"hello\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("daniel_jobs_total{state=\"completed\"} 1"),
            "{text}"
        );
        assert!(text.contains("daniel_jobs_running 0"), "{text}");
    }
}
