//! The shape of `plugins.toml` as written, before validation.
//!
//! Every table denies unknown keys so a typo is an error, not a silently ignored
//! setting. Nothing here is checked beyond syntax and types: `validate` does that.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    #[serde(default)]
    pub(crate) host: RawHost,
    #[serde(default)]
    pub(crate) odoo: RawOdoo,
    #[serde(default)]
    pub(crate) sandbox: RawSandbox,
    #[serde(default)]
    pub(crate) messaging: RawMessaging,
    #[serde(default)]
    pub(crate) jobs: RawJobs,
    #[serde(default)]
    pub(crate) audit: RawAudit,
    #[serde(default)]
    pub(crate) plugins: BTreeMap<String, RawPlugin>,
    /// `[avatar]`: browser avatar sessions (see `config/avatar.rs`).
    #[serde(default)]
    pub(crate) avatar: super::avatar::RawAvatar,
}

/// `[host]`: where plugins and caches live.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHost {
    pub(crate) plugin_dir: Option<String>,
    pub(crate) cache_dir: Option<String>,
    /// Origins allowed to call `/mcp` from a browser, besides loopback ones.
    #[serde(default)]
    pub(crate) allowed_origins: Vec<String>,
    /// Host names (besides loopback) the host answers to, for DNS-rebinding checks.
    #[serde(default)]
    pub(crate) allowed_hosts: Vec<String>,
}

/// `[odoo]`: the named instances.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOdoo {
    #[serde(default)]
    pub(crate) instances: BTreeMap<String, RawInstance>,
}

/// `[odoo.instances.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInstance {
    /// Served by the embedded Odoo sandbox instead of a real server.
    #[serde(default)]
    pub(crate) sandbox: bool,
    pub(crate) url: Option<String>,
    pub(crate) db: Option<String>,
    pub(crate) login: Option<String>,
    /// Password or API key; `${VAR}` is expanded from the environment.
    pub(crate) key: Option<String>,
    /// A file holding the key (for example a mounted secret).
    pub(crate) key_file: Option<String>,
    #[serde(default)]
    pub(crate) read_only: bool,
    pub(crate) timeout_secs: Option<u64>,
    pub(crate) max_connections: Option<usize>,
}

/// `[sandbox]`: the embedded Odoo-compatible server.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSandbox {
    /// Where to persist the sandbox's data; in memory when absent.
    pub(crate) sqlite: Option<String>,
    /// A seed file replacing the built-in demo data.
    pub(crate) seed: Option<String>,
}

/// `[jobs]`: background jobs (quotations).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawJobs {
    /// SQLite file for the durable store; `":memory:"` keeps jobs in memory only;
    /// a `postgres://` URL shares the store between hosts.
    pub(crate) store: Option<String>,
    pub(crate) workers: Option<usize>,
    pub(crate) retention_hours: Option<u64>,
    pub(crate) lease_seconds: Option<u64>,
    pub(crate) max_queued: Option<usize>,
    pub(crate) dedupe_minutes: Option<u64>,
}

/// `[audit]`: JSON audit logs, spooled locally and shipped to S3.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAudit {
    pub(crate) spool_dir: Option<String>,
    /// Field names masked in every document (PII).
    pub(crate) redact: Option<Vec<String>>,
    pub(crate) s3_bucket: Option<String>,
    pub(crate) s3_prefix: Option<String>,
    pub(crate) s3_endpoint: Option<String>,
    pub(crate) s3_region: Option<String>,
    pub(crate) s3_path_style: Option<bool>,
    /// Static credentials (e.g. `"${S3_KEY_ID}"`); the AWS default chain otherwise.
    pub(crate) s3_access_key_id: Option<String>,
    pub(crate) s3_secret_access_key: Option<String>,
}

/// `[messaging]`: outgoing WhatsApp/SMS.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMessaging {
    pub(crate) twilio_account_sid: Option<String>,
    pub(crate) twilio_auth_token: Option<String>,
    pub(crate) whatsapp_from: Option<String>,
    pub(crate) sms_from: Option<String>,
    pub(crate) api_base: Option<String>,
}

/// `[plugins.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPlugin {
    /// The component file, relative to `host.plugin_dir`; defaults to `NAME.wasm`.
    pub(crate) artifact: Option<String>,
    #[serde(default = "default_true")]
    pub(crate) enabled: bool,
    /// The Odoo instance this plugin's tools use unless `tool_instances` says otherwise.
    pub(crate) instance: Option<String>,
    #[serde(default)]
    pub(crate) tool_instances: BTreeMap<String, String>,
    /// Model name to the methods the plugin may call on it (`"*"` for any).
    #[serde(default)]
    pub(crate) grants: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub(crate) messaging: bool,
    pub(crate) memory_mb: Option<u64>,
    pub(crate) cpu_ms: Option<u64>,
    pub(crate) timeout_ms: Option<u64>,
    #[serde(default)]
    pub(crate) settings: toml::Table,
}

fn default_true() -> bool {
    true
}
