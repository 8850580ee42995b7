//! From [`RawConfig`] to [`Config`]: cross-field rules, paths, secrets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use super::expand::{Env, expand};
use super::locate::line_of;
use super::raw::{RawConfig, RawInstance, RawMessaging, RawPlugin};
use super::*;

/// Collects problems while validating, each located in the text.
struct Problems<'a> {
    text: &'a str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn add(&mut self, path: &[&str], message: impl Into<String>) {
        self.list.push(Problem {
            line: line_of(self.text, path),
            key: path.join("."),
            message: message.into(),
        });
    }
}

pub(super) fn parse(text: &str, path: &Path, env: &dyn Env) -> Result<Config, Error> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| Error::Invalid {
        path: path.to_owned(),
        problems: vec![syntax_problem(text, &e)],
    })?;
    let mut problems = Problems {
        text,
        list: Vec::new(),
    };
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let config = build(raw, path, base, env, &mut problems);
    if problems.list.is_empty() {
        Ok(config)
    } else {
        Err(Error::Invalid {
            path: path.to_owned(),
            problems: problems.list,
        })
    }
}

fn syntax_problem(text: &str, e: &toml::de::Error) -> Problem {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    // toml's message repeats the snippet; the first line is the rule that failed.
    let message = e
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .to_owned();
    Problem {
        line,
        key: "(syntax)".to_owned(),
        message,
    }
}

fn build(
    raw: RawConfig,
    source: &Path,
    base: &Path,
    env: &dyn Env,
    p: &mut Problems<'_>,
) -> Config {
    let plugin_dir = base.join(raw.host.plugin_dir.as_deref().unwrap_or("plugins/dist"));
    let cache_dir = base.join(raw.host.cache_dir.as_deref().unwrap_or("var/cache"));
    // Names count as known even if their settings are invalid, so one mistake is
    // not reported again at every plugin that uses the instance.
    let mut known: BTreeSet<String> = raw.odoo.instances.keys().cloned().collect();
    let mut instances = BTreeMap::new();
    for (name, inst) in raw.odoo.instances {
        if let Some(spec) = instance(&name, inst, base, env, p) {
            instances.insert(name, spec);
        }
    }
    if known.is_empty() {
        known.insert(DEFAULT_INSTANCE.to_owned());
        instances.insert(
            DEFAULT_INSTANCE.to_owned(),
            sandbox_instance(DEFAULT_INSTANCE, false),
        );
    }
    let mut plugins = BTreeMap::new();
    for (name, plugin) in raw.plugins {
        let spec = plugin_spec(&name, plugin, &plugin_dir, &known, p);
        plugins.insert(name, spec);
    }
    let avatar = super::avatar::build(raw.avatar, base, env, &mut |key, message| {
        p.add(&["avatar", key], message)
    });
    Config {
        source: source.to_owned(),
        plugin_dir,
        cache_dir,
        allowed_hosts: raw.host.allowed_hosts,
        allowed_origins: raw.host.allowed_origins,
        instances,
        sandbox: SandboxSpec {
            sqlite: raw.sandbox.sqlite.map(|s| base.join(s)),
            seed: raw.sandbox.seed.map(|s| base.join(s)),
        },
        messaging: messaging(raw.messaging, env, p),
        jobs: jobs(raw.jobs, base, env, p),
        audit: audit(raw.audit, base, env, p),
        plugins,
        avatar,
    }
}

fn sandbox_instance(name: &str, read_only: bool) -> InstanceSpec {
    InstanceSpec {
        name: name.to_owned(),
        endpoint: Endpoint::Sandbox,
        read_only,
        timeout: Duration::from_secs(30),
        max_connections: 16,
    }
}

fn instance(
    name: &str,
    raw: RawInstance,
    base: &Path,
    env: &dyn Env,
    p: &mut Problems<'_>,
) -> Option<InstanceSpec> {
    let at = |key: &'static str| ["odoo", "instances", name, key];
    if !valid_name(name) {
        p.add(
            &["odoo", "instances", name],
            format!("instance name {name:?} must match [a-z0-9_-]+"),
        );
    }
    let mut spec = sandbox_instance(name, raw.read_only);
    spec.timeout = Duration::from_secs(raw.timeout_secs.unwrap_or(30));
    spec.max_connections = raw.max_connections.unwrap_or(8);
    if spec.max_connections == 0 || spec.max_connections > 256 {
        p.add(
            &at("max_connections"),
            format!("{} is out of range 1..=256", spec.max_connections),
        );
    }
    if raw.timeout_secs == Some(0) {
        p.add(&at("timeout_secs"), "must be at least 1");
    }
    if raw.sandbox {
        for (key, set) in [
            ("url", raw.url.is_some()),
            ("db", raw.db.is_some()),
            ("login", raw.login.is_some()),
        ] {
            if set {
                p.add(
                    &at(key),
                    "not allowed with sandbox = true (the sandbox supplies it)",
                );
            }
        }
        return Some(spec);
    }
    let mut missing = |key: &'static str, v: Option<String>| {
        v.map(|v| expand(&v, env).map_err(|e| p.add(&at(key), e)).ok())
            .unwrap_or_else(|| {
                p.add(&at(key), "missing (or set sandbox = true)");
                None
            })
    };
    let url = missing("url", raw.url);
    let db = missing("db", raw.db);
    let login = missing("login", raw.login);
    let key = match (raw.key, raw.key_file) {
        (Some(_), Some(_)) => {
            p.add(&at("key_file"), "set either key or key_file, not both");
            None
        }
        (Some(k), None) => expand(&k, env).map_err(|e| p.add(&at("key"), e)).ok(),
        (None, Some(f)) => read_secret(&base.join(&f))
            .map_err(|e| p.add(&at("key_file"), e))
            .ok(),
        (None, None) => {
            p.add(
                &at("key"),
                "missing: an API key or password, e.g. key = \"${ODOO_KEY}\"",
            );
            None
        }
    };
    if let Some(u) = &url
        && !(u.starts_with("http://") || u.starts_with("https://"))
    {
        p.add(&at("url"), format!("{u:?} is not an http(s) URL"));
    }
    spec.endpoint = Endpoint::Remote {
        url: url?,
        db: db?,
        login: login?,
        key: key?,
    };
    Some(spec)
}

fn jobs(raw: super::raw::RawJobs, base: &Path, env: &dyn Env, p: &mut Problems<'_>) -> JobsSpec {
    let workers = raw.workers.unwrap_or(crate::jobs::DEFAULT_WORKERS);
    if workers == 0 || workers > 256 {
        p.add(
            &["jobs", "workers"],
            format!("{workers} is out of range 1..=256"),
        );
    }
    let hours = raw.retention_hours.unwrap_or(24 * 7);
    if hours == 0 {
        p.add(&["jobs", "retention_hours"], "must be at least 1");
    }
    let lease = raw
        .lease_seconds
        .unwrap_or(crate::jobs::DEFAULT_LEASE.as_secs());
    if !(2..=3600).contains(&lease) {
        p.add(
            &["jobs", "lease_seconds"],
            format!("{lease} is out of range 2..=3600"),
        );
    }
    let max_queued = raw.max_queued.unwrap_or(crate::jobs::DEFAULT_MAX_QUEUED);
    if max_queued == 0 {
        p.add(&["jobs", "max_queued"], "must be at least 1");
    }
    let dedupe = raw.dedupe_minutes.unwrap_or(10);
    if dedupe > 24 * 60 {
        p.add(
            &["jobs", "dedupe_minutes"],
            format!("{dedupe} is out of range 0..=1440"),
        );
    }
    let store = match raw.store.as_deref() {
        Some(":memory:") => JobStoreSpec::Memory,
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            // `${VAR}` keeps the password out of the file.
            match expand(url, env) {
                Ok(url) => JobStoreSpec::Postgres(url),
                Err(e) => {
                    p.add(&["jobs", "store"], e);
                    JobStoreSpec::Memory
                }
            }
        }
        Some(path) => JobStoreSpec::Sqlite(base.join(path)),
        None => JobStoreSpec::Sqlite(base.join("var/jobs.sqlite")),
    };
    JobsSpec {
        store,
        workers,
        retention: Duration::from_secs(hours * 3600),
        lease: Duration::from_secs(lease),
        max_queued,
        dedupe: Duration::from_secs(dedupe * 60),
    }
}

/// Fields masked in audit documents unless configured otherwise.
const DEFAULT_REDACT: [&str; 5] = ["email", "email_from", "phone", "user_phone", "mobile"];

fn audit(raw: super::raw::RawAudit, base: &Path, env: &dyn Env, p: &mut Problems<'_>) -> AuditSpec {
    let mut get = |key: &'static str, v: Option<String>| {
        v.and_then(|v| expand(&v, env).map_err(|e| p.add(&["audit", key], e)).ok())
            .filter(|v| !v.is_empty())
    };
    let bucket = get("s3_bucket", raw.s3_bucket);
    let endpoint = get("s3_endpoint", raw.s3_endpoint);
    let region = get("s3_region", raw.s3_region);
    let prefix = get("s3_prefix", raw.s3_prefix).unwrap_or_else(|| "daniel-logs".into());
    let key_id = get("s3_access_key_id", raw.s3_access_key_id);
    let secret = get("s3_secret_access_key", raw.s3_secret_access_key);
    let credentials = match (key_id, secret) {
        (Some(id), Some(secret)) => Some((id, secret)),
        (None, None) => None,
        _ => {
            p.add(
                &["audit", "s3_secret_access_key"],
                "set both s3_access_key_id and s3_secret_access_key, or neither",
            );
            None
        }
    };
    if let Some(e) = &endpoint
        && !(e.starts_with("http://") || e.starts_with("https://"))
    {
        p.add(
            &["audit", "s3_endpoint"],
            format!("{e:?} is not an http(s) URL"),
        );
    }
    AuditSpec {
        spool_dir: base.join(raw.spool_dir.as_deref().unwrap_or("var/audit")),
        redact: raw
            .redact
            .unwrap_or_else(|| DEFAULT_REDACT.map(String::from).to_vec()),
        s3: bucket.map(|bucket| crate::audit::S3Target {
            bucket,
            prefix,
            path_style: raw.s3_path_style.unwrap_or(endpoint.is_some()),
            endpoint,
            region,
            credentials,
        }),
    }
}

fn read_secret(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn messaging(raw: RawMessaging, env: &dyn Env, p: &mut Problems<'_>) -> MessagingSpec {
    let mut get = |key: &'static str, v: Option<String>| {
        v.and_then(|v| {
            expand(&v, env)
                .map_err(|e| p.add(&["messaging", key], e))
                .ok()
        })
        .filter(|v| !v.is_empty())
    };
    let sid = get("twilio_account_sid", raw.twilio_account_sid);
    let token = get("twilio_auth_token", raw.twilio_auth_token);
    let whatsapp_from = get("whatsapp_from", raw.whatsapp_from);
    let sms_from = get("sms_from", raw.sms_from);
    let api_base = get("api_base", raw.api_base);
    let twilio = match (sid, token) {
        (Some(account_sid), Some(auth_token)) => Some(TwilioSpec {
            account_sid,
            auth_token,
            whatsapp_from,
            sms_from,
            api_base: api_base.unwrap_or_else(|| "https://api.twilio.com".to_owned()),
        }),
        (None, None) => None,
        (Some(_), None) => {
            p.add(
                &["messaging", "twilio_auth_token"],
                "missing while twilio_account_sid is set",
            );
            None
        }
        (None, Some(_)) => {
            p.add(
                &["messaging", "twilio_account_sid"],
                "missing while twilio_auth_token is set",
            );
            None
        }
    };
    MessagingSpec { twilio }
}

fn plugin_spec(
    name: &str,
    raw: RawPlugin,
    plugin_dir: &Path,
    instances: &BTreeSet<String>,
    p: &mut Problems<'_>,
) -> PluginSpec {
    let at = |key: &str| -> Vec<String> { vec!["plugins".into(), name.into(), key.into()] };
    let add = |p: &mut Problems<'_>, key: Vec<String>, msg: String| {
        p.add(&key.iter().map(String::as_str).collect::<Vec<_>>(), msg);
    };
    if !valid_name(name) {
        add(
            p,
            vec!["plugins".into(), name.into()],
            format!("plugin name {name:?} must match [a-z0-9_-]+"),
        );
    }
    let known = || instances.iter().cloned().collect::<Vec<_>>().join(", ");
    let check_instance = |p: &mut Problems<'_>, key: Vec<String>, inst: &str| {
        if !instances.contains(inst) {
            add(
                p,
                key,
                format!("unknown instance {inst:?} (known: {})", known()),
            );
        }
    };
    if let Some(inst) = &raw.instance {
        check_instance(p, at("instance"), inst);
    }
    for (tool, inst) in &raw.tool_instances {
        check_instance(
            p,
            vec![
                "plugins".into(),
                name.into(),
                "tool_instances".into(),
                tool.clone(),
            ],
            inst,
        );
    }
    let mut models = BTreeMap::new();
    for (model, methods) in raw.grants {
        let key = vec![
            "plugins".into(),
            name.into(),
            "grants".into(),
            model.clone(),
        ];
        if methods.is_empty() {
            add(
                p,
                key.clone(),
                "empty method list (remove the entry to grant nothing)".into(),
            );
        }
        let set: BTreeSet<String> = methods.into_iter().collect();
        models.insert(model, if set.contains("*") { None } else { Some(set) });
    }
    let has_instance = raw.instance.is_some() || !raw.tool_instances.is_empty();
    if !models.is_empty() && !has_instance && instances.len() > 1 {
        add(
            p,
            at("instance"),
            format!(
                "grants are set but no instance is chosen (known: {})",
                known()
            ),
        );
    }
    let limit = |p: &mut Problems<'_>, key: &str, v: Option<u64>, default: u64, max: u64| {
        let v = v.unwrap_or(default);
        if v == 0 || v > max {
            add(p, at(key), format!("{v} is out of range 1..={max}"));
        }
        v
    };
    let memory_mb = limit(p, "memory_mb", raw.memory_mb, DEFAULT_MEMORY_MB, 4096);
    let cpu_ms = limit(p, "cpu_ms", raw.cpu_ms, DEFAULT_CPU_MS, 600_000);
    let timeout_ms = limit(
        p,
        "timeout_ms",
        raw.timeout_ms,
        DEFAULT_TIMEOUT_MS,
        3_600_000,
    );
    let settings = serde_json::to_value(&raw.settings).unwrap_or_default();
    // With a single instance, plugins with grants use it without having to say so.
    let instance = raw.instance.or_else(|| {
        (instances.len() == 1)
            .then(|| instances.iter().next().cloned())
            .flatten()
    });
    PluginSpec {
        name: name.to_owned(),
        artifact: plugin_dir.join(raw.artifact.unwrap_or_else(|| format!("{name}.wasm"))),
        enabled: raw.enabled,
        limits: Limits {
            memory_bytes: memory_mb << 20,
            cpu: Duration::from_millis(cpu_ms),
            wall: Duration::from_millis(timeout_ms),
        },
        grants: Grants {
            instance,
            tool_instances: raw.tool_instances,
            models,
            messaging: raw.messaging,
        },
        settings,
    }
}

/// Plugin and instance names appear in paths, logs and metrics: keep them plain.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}
