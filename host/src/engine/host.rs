//! The state each call's `Store` carries, and the host functions plugins import.
//!
//! Every host function checks [`crate::policy`] first, then reaches the Odoo
//! instances or the messenger. Expected failures (denied, not found, upstream) are
//! returned as WIT errors; only host faults trap.

use std::sync::Arc;
use std::time::Instant;

use wasmtime::StoreLimits;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::{config, jobs, log, messaging, odoo, types};
use super::limits::CpuMeter;
use crate::config::PluginSpec;
use crate::jobs::Jobs;
use crate::messaging::{self as msg, Messenger};
use crate::odoo::Instances;
use crate::policy;

/// What a plugin's host functions can reach. Cloned into every call.
#[derive(Clone)]
pub struct Services {
    /// Swapped on configuration reload; a call keeps the snapshot it started with.
    pub odoo: Arc<arc_swap::ArcSwap<Instances>>,
    pub messenger: Arc<dyn Messenger>,
    pub jobs: Arc<Jobs>,
}

/// What a store is running: a tool call, a background job, or the catalogue read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Activity {
    /// The tool whose grants apply (for a job: the tool that submitted it).
    pub(crate) tool: Option<String>,
    /// The job being run, for progress reports.
    pub(crate) job: Option<String>,
}

/// Per-call store data.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limits: StoreLimits,
    pub(crate) cpu: CpuMeter,
    spec: Arc<PluginSpec>,
    /// The tool being called; `None` while the catalogue is read.
    tool: Option<String>,
    job: Option<String>,
    instances: Arc<Instances>,
    messenger: Arc<dyn Messenger>,
    jobs: Arc<Jobs>,
    /// The host refused this call a job because its queue was full: the call's
    /// failure is the host being busy, not the plugin's upstream.
    pub(crate) queue_full: bool,
}

impl HostState {
    pub(crate) fn new(spec: Arc<PluginSpec>, activity: Activity, services: &Services) -> Self {
        let limits = wasmtime::StoreLimitsBuilder::new()
            .memory_size(usize::try_from(spec.limits.memory_bytes).unwrap_or(usize::MAX))
            .instances(64)
            .tables(64)
            .memories(16)
            // Without this a failed grow looks like `unreachable` in the guest.
            .trap_on_grow_failure(true)
            .build();
        HostState {
            // No preopens, no environment, no network: std's WASI imports exist but
            // reach nothing. Plugin stderr is dropped; plugins log through `log`.
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            limits,
            cpu: CpuMeter::new(spec.limits.cpu),
            spec,
            tool: activity.tool,
            job: activity.job,
            instances: services.odoo.load_full(),
            messenger: services.messenger.clone(),
            jobs: services.jobs.clone(),
            queue_full: false,
        }
    }

    fn plugin(&self) -> &str {
        &self.spec.name
    }

    fn tool(&self) -> &str {
        self.tool.as_deref().unwrap_or("(describe)")
    }

    /// Resolves the instance for `model.method` under the plugin's grants.
    fn authorize(&self, model: &str, method: &str) -> Result<String, odoo::OdooError> {
        policy::check_odoo(
            self.plugin(),
            self.tool(),
            &self.spec.grants,
            |n| self.instances.spec(n),
            model,
            method,
        )
        .map(|i| i.name.clone())
        .map_err(|d| odoo::OdooError::Denied(d.to_string()))
    }

    fn instance_name(&self) -> Result<String, odoo::OdooError> {
        self.spec
            .grants
            .instance_for(self.tool())
            .map(str::to_owned)
            .ok_or_else(|| {
                odoo::OdooError::Denied(
                    policy::Denied::NoInstance {
                        plugin: self.plugin().into(),
                        tool: self.tool().into(),
                    }
                    .to_string(),
                )
            })
    }
}

impl HostState {
    /// The pooled client of `instance` (cheap to clone, so the borrow of `self` ends).
    fn client(&self, instance: &str) -> Result<daniel_odoo::OdooClient, odoo::OdooError> {
        self.instances.client(instance).cloned().ok_or_else(|| {
            odoo::OdooError::Upstream(format!("odoo instance {instance:?} is not available"))
        })
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl types::Host for HostState {}

fn odoo_error(e: daniel_odoo::Error) -> odoo::OdooError {
    use daniel_odoo::Error as E;
    let text = e.to_string();
    match e {
        E::NotFound { .. } => odoo::OdooError::NotFound(text),
        E::Validation { .. } => odoo::OdooError::Invalid(text),
        E::Access { .. } => odoo::OdooError::Access(text),
        E::Internal { .. } => odoo::OdooError::Internal(text),
        _ => odoo::OdooError::Upstream(text),
    }
}

fn parse_json(what: &str, text: &str, object: bool) -> Result<serde_json::Value, odoo::OdooError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| odoo::OdooError::Invalid(format!("{what}: not valid JSON ({e})")))?;
    let ok = if object {
        value.is_object()
    } else {
        value.is_array()
    };
    if !ok {
        let want = if object { "an object" } else { "an array" };
        return Err(odoo::OdooError::Invalid(format!("{what}: expected {want}")));
    }
    Ok(value)
}

impl odoo::Host for HostState {
    async fn execute_kw(
        &mut self,
        model: String,
        method: String,
        args: String,
        kwargs: String,
    ) -> wasmtime::Result<Result<String, odoo::OdooError>> {
        let prepared = self.authorize(&model, &method).and_then(|inst| {
            let kwargs = if kwargs.trim().is_empty() {
                "{}"
            } else {
                &kwargs
            };
            Ok((
                inst,
                parse_json("args", &args, false)?,
                parse_json("kwargs", kwargs, true)?,
            ))
        });
        let (inst, args, kwargs) = match prepared {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let client = match self.client(&inst) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let started = Instant::now();
        let result = client.execute_kw(&model, &method, args, kwargs).await;
        self.cpu.add_host_time(started.elapsed());
        tracing::debug!(plugin = %self.spec.name, tool = self.tool(), instance = %inst, %model, %method,
            elapsed_us = started.elapsed().as_micros() as u64, ok = result.is_ok(), "odoo call");
        Ok(result.map(|v| v.to_string()).map_err(odoo_error))
    }

    async fn version(&mut self) -> wasmtime::Result<Result<odoo::ServerVersion, odoo::OdooError>> {
        let inst = match self.instance_name() {
            Ok(i) => i,
            Err(e) => return Ok(Err(e)),
        };
        let client = match self.client(&inst) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let started = Instant::now();
        let v = client.version().await;
        self.cpu.add_host_time(started.elapsed());
        Ok(v.map(|v| odoo::ServerVersion {
            major: v.major,
            minor: v.minor,
            text: v.text,
        })
        .map_err(odoo_error))
    }

    async fn field_names(
        &mut self,
        model: String,
    ) -> wasmtime::Result<Result<Vec<String>, odoo::OdooError>> {
        // Reading field names is as sensitive as reading the model: require a grant.
        let inst = match self.spec.grants.models.contains_key(&model) {
            true => self.instance_name(),
            false => self.authorize(&model, "fields_get"),
        };
        let inst = match inst {
            Ok(i) => i,
            Err(e) => return Ok(Err(e)),
        };
        let client = match self.client(&inst) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let started = Instant::now();
        let names = client.field_names(&model).await;
        self.cpu.add_host_time(started.elapsed());
        Ok(names.map(|n| n.as_ref().clone()).map_err(odoo_error))
    }
}

impl messaging::Host for HostState {
    async fn send(
        &mut self,
        channel: messaging::Channel,
        to: String,
        body: String,
    ) -> wasmtime::Result<Result<String, messaging::SendError>> {
        if let Err(d) = policy::check_messaging(self.plugin(), &self.spec.grants) {
            return Ok(Err(messaging::SendError::Denied(d.to_string())));
        }
        let channel = match channel {
            messaging::Channel::Whatsapp => msg::Channel::Whatsapp,
            messaging::Channel::Sms => msg::Channel::Sms,
        };
        let messenger = self.messenger.clone();
        let started = Instant::now();
        let sent = messenger.send(channel, &to, &body).await;
        self.cpu.add_host_time(started.elapsed());
        Ok(sent.map_err(|e| match e {
            msg::Error::InvalidRecipient(_) => {
                messaging::SendError::InvalidRecipient(e.to_string())
            }
            msg::Error::Upstream(_) => messaging::SendError::Upstream(e.to_string()),
        }))
    }
}

impl config::Host for HostState {
    async fn settings(&mut self) -> wasmtime::Result<String> {
        Ok(self.spec.settings.to_string())
    }

    async fn get(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        Ok(self.spec.settings.get(&key).map(|v| v.to_string()))
    }
}

impl log::Host for HostState {
    async fn log(&mut self, level: log::Level, message: String) -> wasmtime::Result<()> {
        // Bound what a plugin can push into the host's log per line.
        let message: String = message.chars().take(2_000).collect();
        let (plugin, tool) = (self.plugin(), self.tool());
        match level {
            log::Level::Trace => tracing::trace!(plugin, tool, "{message}"),
            log::Level::Debug => tracing::debug!(plugin, tool, "{message}"),
            log::Level::Info => tracing::info!(plugin, tool, "{message}"),
            log::Level::Warn => tracing::warn!(plugin, tool, "{message}"),
            log::Level::Error => tracing::error!(plugin, tool, "{message}"),
        }
        Ok(())
    }
}

impl jobs::Host for HostState {
    async fn submit(
        &mut self,
        kind: String,
        input: String,
    ) -> wasmtime::Result<Result<String, String>> {
        let Some(tool) = self.tool.clone() else {
            return Ok(Err("jobs can only be submitted while a tool runs".into()));
        };
        let submitted = self.jobs.submit(self.plugin(), &tool, &kind, &input).await;
        self.queue_full |= matches!(submitted, Err(crate::jobs::Error::QueueFull(_)));
        Ok(submitted.map(|j| j.tracking_id).map_err(|e| e.to_string()))
    }

    async fn status(&mut self, tracking_id: String) -> wasmtime::Result<Option<String>> {
        // A plugin sees only its own jobs. The contract has no error here: a store
        // that cannot be read answers like an unknown id, and the host log says why.
        let job = self.jobs.get(&tracking_id).await.unwrap_or_else(|e| {
            tracing::warn!(job = %tracking_id, error = %e, "cannot read job status");
            None
        });
        Ok(job
            .filter(|j| j.plugin == self.spec.name)
            .map(|j| j.status_json().to_string()))
    }

    async fn current(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(self.job.clone())
    }

    async fn progress(&mut self, message: String) -> wasmtime::Result<()> {
        if let Some(job) = &self.job {
            self.jobs.progress(job, &message).await;
        }
        Ok(())
    }
}
