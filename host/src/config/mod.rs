//! `plugins.toml`: which plugins load, from where, with which rights and settings.
//!
//! Loading is two-staged: [`raw`] is the file as written (serde, unknown keys
//! rejected), [`Config`] the validated form the rest of the host uses. Validation
//! collects every problem at once; each names file, line, key path, value and rule.
//! `${VAR}` in Odoo credentials is expanded here, so secrets never reach a plugin.

mod avatar;
mod error;
mod expand;
mod locate;
mod raw;
mod validate;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use avatar::{AvatarSpec, ProviderSpec, VendorSpec};
pub use error::{Error, Problem};
pub use expand::{Env, ProcessEnv};
pub use validate::valid_name;

/// Name of the implicit instance served by the sandbox when none is configured.
pub const DEFAULT_INSTANCE: &str = "main";
/// Per-plugin memory cap unless configured: generous for JSON shuffling, small
/// enough that a runaway plugin cannot hurt the host.
pub const DEFAULT_MEMORY_MB: u64 = 64;
/// Guest CPU budget per call unless configured (host-call waits do not count).
pub const DEFAULT_CPU_MS: u64 = 2_000;
/// Wall-clock cap for a whole call, Odoo round trips included.
pub const DEFAULT_TIMEOUT_MS: u64 = 60_000;

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this came from (for reloads and messages).
    pub source: PathBuf,
    /// Folder watched for `.wasm` components.
    pub plugin_dir: PathBuf,
    /// Folder for compiled-component caches and other host state.
    pub cache_dir: PathBuf,
    /// Extra host names and origins allowed on `/mcp`.
    pub allowed_hosts: Vec<String>,
    pub allowed_origins: Vec<String>,
    /// Odoo instances by name.
    pub instances: BTreeMap<String, InstanceSpec>,
    /// The embedded sandbox's settings (used when some instance is served by it).
    pub sandbox: SandboxSpec,
    pub messaging: MessagingSpec,
    pub jobs: JobsSpec,
    pub audit: AuditSpec,
    /// Declared plugins by name.
    pub plugins: BTreeMap<String, PluginSpec>,
    /// Browser avatar sessions.
    pub avatar: AvatarSpec,
}

/// One Odoo instance.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceSpec {
    pub name: String,
    pub endpoint: Endpoint,
    /// Refuse every write and action method in the host, whatever the grants say.
    pub read_only: bool,
    pub timeout: Duration,
    pub max_connections: usize,
}

/// Where an instance lives.
#[derive(Clone, PartialEq)]
pub enum Endpoint {
    /// The embedded sandbox (its address is known only once it is bound).
    Sandbox,
    /// A real Odoo server.
    Remote {
        url: String,
        db: String,
        login: String,
        key: String,
    },
}

impl std::fmt::Debug for Endpoint {
    // Hand-written so the key can never end up in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Sandbox => f.write_str("Sandbox"),
            Endpoint::Remote { url, db, login, .. } => f
                .debug_struct("Remote")
                .field("url", url)
                .field("db", db)
                .field("login", login)
                .field("key", &"***")
                .finish(),
        }
    }
}

/// `[sandbox]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SandboxSpec {
    pub sqlite: Option<PathBuf>,
    pub seed: Option<PathBuf>,
}

/// `[audit]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSpec {
    pub spool_dir: PathBuf,
    pub redact: Vec<String>,
    /// Where to ship documents; `None` keeps them in the spool only.
    pub s3: Option<crate::audit::S3Target>,
}

/// `[jobs]`.
#[derive(Debug, Clone, PartialEq)]
pub struct JobsSpec {
    pub store: JobStoreSpec,
    pub workers: usize,
    pub retention: Duration,
    /// How long a running job's lease lasts (shared stores).
    pub lease: Duration,
    /// Queued jobs before submissions are refused.
    pub max_queued: usize,
    /// A request identical to one made this recently (and not failed) gets that
    /// job back instead of a new one; zero turns this off.
    pub dedupe: Duration,
}

/// Where jobs are kept.
#[derive(Clone, PartialEq)]
pub enum JobStoreSpec {
    /// In memory (lost on restart).
    Memory,
    /// A SQLite file (this host alone).
    Sqlite(PathBuf),
    /// A PostgreSQL URL (shared by several hosts); may hold a password.
    Postgres(String),
}

impl std::fmt::Debug for JobStoreSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobStoreSpec::Memory => f.write_str("Memory"),
            JobStoreSpec::Sqlite(p) => f.debug_tuple("Sqlite").field(p).finish(),
            // Never print the URL: it may carry the password.
            JobStoreSpec::Postgres(_) => f.write_str("Postgres(..)"),
        }
    }
}

/// `[messaging]`: Twilio credentials, or the offline stand-in when absent.
#[derive(Clone, Default)]
pub struct MessagingSpec {
    pub twilio: Option<TwilioSpec>,
}

/// Twilio account settings.
#[derive(Clone)]
pub struct TwilioSpec {
    pub account_sid: String,
    pub auth_token: String,
    pub whatsapp_from: Option<String>,
    pub sms_from: Option<String>,
    pub api_base: String,
}

impl std::fmt::Debug for MessagingSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = if self.twilio.is_some() {
            "twilio"
        } else {
            "offline"
        };
        f.debug_struct("MessagingSpec")
            .field("mode", &mode)
            .finish()
    }
}

/// One declared plugin.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginSpec {
    pub name: String,
    pub artifact: PathBuf,
    pub enabled: bool,
    pub limits: Limits,
    pub grants: Grants,
    /// Free-form settings handed to the plugin as JSON.
    pub settings: serde_json::Value,
}

/// Resource caps for one plugin's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub memory_bytes: u64,
    pub cpu: Duration,
    pub wall: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: DEFAULT_MEMORY_MB << 20,
            cpu: Duration::from_millis(DEFAULT_CPU_MS),
            wall: Duration::from_millis(DEFAULT_TIMEOUT_MS),
        }
    }
}

/// What a plugin may do outside its sandbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    /// Instance for tools without an entry in `tool_instances`.
    pub instance: Option<String>,
    pub tool_instances: BTreeMap<String, String>,
    /// Model to allowed methods; `None` means every method.
    pub models: BTreeMap<String, Option<BTreeSet<String>>>,
    pub messaging: bool,
}

impl Grants {
    /// The instance a tool's Odoo calls go to, if the plugin has one.
    pub fn instance_for(&self, tool: &str) -> Option<&str> {
        self.tool_instances
            .get(tool)
            .or(self.instance.as_ref())
            .map(String::as_str)
    }
}

impl Config {
    /// Reads and validates `path`, expanding `${VAR}` from `env`.
    ///
    /// # Errors
    /// [`Error::Read`] if the file cannot be read, [`Error::Invalid`] listing every
    /// problem (with line and key) otherwise.
    pub fn load(path: &Path, env: &dyn Env) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path, env)
    }

    /// Validates configuration text as if read from `path` (relative paths resolve
    /// against its folder).
    ///
    /// # Errors
    /// [`Error::Invalid`] listing every problem found.
    pub fn parse(text: &str, path: &Path, env: &dyn Env) -> Result<Config, Error> {
        validate::parse(text, path, env)
    }

    /// The configuration used when the file does not exist: the sandbox as the
    /// only instance and whatever `.wasm` lands in `plugins/dist`.
    pub fn embedded_default(path: &Path) -> Config {
        validate::parse("", path, &ProcessEnv).expect("the empty configuration is valid")
    }

    /// Whether any instance is served by the embedded sandbox.
    pub fn needs_sandbox(&self) -> bool {
        self.instances
            .values()
            .any(|i| matches!(i.endpoint, Endpoint::Sandbox))
    }
}
