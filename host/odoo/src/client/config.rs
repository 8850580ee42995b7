//! What one Odoo instance is, checked before any connection is made.

use std::fmt;
use std::time::Duration;

use reqwest::Url;

use super::Error;

/// Default time allowed for one call, retries and authentication included.
///
/// Generous because the first call on a database after an Odoo restart loads its registry,
/// measured at 5–6 s for crm+sale+project on two cores.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default number of concurrent calls (and kept-alive connections) per instance.
///
/// A small Odoo runs 2–4 workers; more parallel calls than that only queue on the server.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4;

/// Largest accepted `max_connections`: more is surely a typo, and each is a socket.
pub const MAX_CONNECTIONS_LIMIT: usize = 256;

/// A password or API key. Never printed: `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password or API key.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// One Odoo instance: where it is, which database, and whose credentials.
#[derive(Debug, Clone)]
pub struct InstanceConfig {
    /// The host's name for the instance (config key, logs, errors).
    pub name: String,
    /// Base URL, e.g. `http://127.0.0.1:8069`; a path prefix is kept (Odoo behind a proxy).
    pub url: String,
    /// Database name.
    pub db: String,
    /// Login of the user the host acts as.
    pub login: String,
    /// Password or API key of that user.
    pub secret: Secret,
    /// Time allowed for one call (see [`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
    /// Concurrent calls and kept-alive connections (see [`DEFAULT_MAX_CONNECTIONS`]).
    pub max_connections: usize,
}

impl InstanceConfig {
    /// A configuration with [`DEFAULT_TIMEOUT`] and [`DEFAULT_MAX_CONNECTIONS`].
    pub fn new(
        name: impl Into<String>,
        url: impl Into<String>,
        db: impl Into<String>,
        login: impl Into<String>,
        secret: Secret,
    ) -> Self {
        InstanceConfig {
            name: name.into(),
            url: url.into(),
            db: db.into(),
            login: login.into(),
            secret,
            timeout: DEFAULT_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// The two `/xmlrpc/2` endpoints of a validated configuration.
#[derive(Debug, Clone)]
pub(super) struct Endpoints {
    pub(super) common: Url,
    pub(super) object: Url,
}

/// Checks every field; the first problem found is returned, naming key, value and rule.
pub(super) fn validate(config: &InstanceConfig) -> Result<Endpoints, Error> {
    let problem = |key: &'static str, value: &str, rule: &str| Error::Config {
        instance: config.name.clone(),
        key,
        value: value.to_owned(),
        rule: rule.to_owned(),
    };
    if config.name.trim().is_empty() {
        return Err(problem("name", &config.name, "must not be empty"));
    }
    for (key, value) in [("db", &config.db), ("login", &config.login)] {
        if value.trim().is_empty() {
            return Err(problem(key, value, "must not be empty"));
        }
    }
    if config.secret.expose().is_empty() {
        return Err(problem("secret", "", "must not be empty"));
    }
    if config.timeout.is_zero() {
        return Err(problem("timeout", "0s", "must be more than zero"));
    }
    if !(1..=MAX_CONNECTIONS_LIMIT).contains(&config.max_connections) {
        let value = config.max_connections.to_string();
        return Err(problem(
            "max_connections",
            &value,
            "must be between 1 and 256",
        ));
    }
    endpoints(&config.url).map_err(|rule| problem("url", &config.url, &rule))
}

fn endpoints(url: &str) -> Result<Endpoints, String> {
    const SCHEME: &str = "must start with http:// or https://";
    if !url.contains("://") {
        return Err(SCHEME.to_owned());
    }
    let base = Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(base.scheme(), "http" | "https") {
        return Err(SCHEME.to_owned());
    }
    if base.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".to_owned());
    }
    // Credentials in the URL would end up in logs and error messages.
    if !base.username().is_empty() || base.password().is_some() {
        return Err("must not hold credentials; use login and secret".to_owned());
    }
    if base.query().is_some() || base.fragment().is_some() {
        return Err("must not have a query or fragment".to_owned());
    }
    let prefix = base.path().trim_end_matches('/');
    let join = |service: &str| {
        let mut url = base.clone();
        url.set_path(&format!("{prefix}/xmlrpc/2/{service}"));
        url
    };
    Ok(Endpoints {
        common: join("common"),
        object: join("object"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> InstanceConfig {
        InstanceConfig::new("main", url, "odoo", "admin", Secret::new("s3cret"))
    }

    #[test]
    fn secret_is_never_printed() {
        let c = config("http://127.0.0.1:8069");
        let debug = format!("{c:?} {} {:?}", c.secret, c.secret);
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("***"));
    }

    #[test]
    fn endpoints_keep_a_path_prefix() {
        let e = validate(&config("https://erp.example.com/odoo/")).unwrap();
        assert_eq!(
            e.common.as_str(),
            "https://erp.example.com/odoo/xmlrpc/2/common"
        );
        let e = validate(&config("http://127.0.0.1:8069")).unwrap();
        assert_eq!(e.object.as_str(), "http://127.0.0.1:8069/xmlrpc/2/object");
    }

    #[test]
    fn each_rule_names_key_value_and_rule() {
        type Mutation = Box<dyn Fn(&mut InstanceConfig)>;
        let cases: [(Mutation, &str); 9] = [
            (
                Box::new(|c| c.url = "127.0.0.1:8069".into()),
                "url = \"127.0.0.1:8069\": must start with http:// or https://",
            ),
            (
                Box::new(|c| c.url = "ftp://x".into()),
                "url = \"ftp://x\": must start with http:// or https://",
            ),
            (
                Box::new(|c| c.url = "http://u:p@x".into()),
                "must not hold credentials",
            ),
            (
                Box::new(|c| c.url = "http://x/?db=1".into()),
                "must not have a query",
            ),
            (
                Box::new(|c| c.url = "http://".into()),
                "url = \"http://\": not a URL: empty host",
            ),
            (
                Box::new(|c| c.db = " ".into()),
                "db = \" \": must not be empty",
            ),
            (
                Box::new(|c| c.secret = Secret::new("")),
                "secret = \"\": must not be empty",
            ),
            (
                Box::new(|c| c.timeout = Duration::ZERO),
                "timeout = \"0s\": must be more than zero",
            ),
            (
                Box::new(|c| c.max_connections = 0),
                "max_connections = \"0\": must be between 1 and 256",
            ),
        ];
        for (mutate, expected) in cases {
            let mut c = config("http://127.0.0.1:8069");
            mutate(&mut c);
            let message = validate(&c).unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
            assert!(
                message.starts_with("odoo instance \"main\" config: "),
                "{message}"
            );
        }
    }
}
