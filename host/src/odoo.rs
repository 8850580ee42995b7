//! The host's Odoo instances: one pooled client per configured instance.
//!
//! Built from the configuration at start and on every reload; plugins reach it only
//! through the `odoo` host functions after [`crate::policy`] has approved the call.

use std::collections::BTreeMap;
use std::time::Duration;

use daniel_odoo::{InstanceConfig, OdooClient};

use crate::config::{Config, Endpoint, InstanceSpec};

/// Sandbox credentials the host uses for its own embedded Odoo.
#[derive(Debug, Clone)]
pub struct SandboxEndpoint {
    pub url: String,
    pub db: String,
    pub login: String,
    pub password: String,
}

/// Named Odoo instances with their clients.
#[derive(Default)]
pub struct Instances {
    by_name: BTreeMap<String, (InstanceSpec, OdooClient)>,
}

/// Why the instances could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("odoo instance {instance:?} is served by the sandbox, but the sandbox is not running")]
    NoSandbox { instance: String },
    #[error("odoo instance {instance:?}: {source}")]
    Client {
        instance: String,
        #[source]
        source: daniel_odoo::Error,
    },
}

impl Instances {
    /// Creates a client per instance in `config`; sandbox instances use `sandbox`.
    ///
    /// # Errors
    /// [`Error`] naming the instance whose client could not be built.
    pub fn from_config(config: &Config, sandbox: Option<&SandboxEndpoint>) -> Result<Self, Error> {
        let mut by_name = BTreeMap::new();
        for (name, spec) in &config.instances {
            let (url, db, login, secret) = match &spec.endpoint {
                Endpoint::Sandbox => {
                    let s = sandbox.ok_or_else(|| Error::NoSandbox {
                        instance: name.clone(),
                    })?;
                    (
                        s.url.clone(),
                        s.db.clone(),
                        s.login.clone(),
                        s.password.clone(),
                    )
                }
                Endpoint::Remote {
                    url,
                    db,
                    login,
                    key,
                } => (url.clone(), db.clone(), login.clone(), key.clone()),
            };
            let client = OdooClient::new(InstanceConfig {
                name: name.clone(),
                url,
                db,
                login,
                secret: daniel_odoo::Secret::new(secret),
                timeout: spec.timeout,
                max_connections: spec.max_connections,
            })
            .map_err(|source| Error::Client {
                instance: name.clone(),
                source,
            })?;
            by_name.insert(name.clone(), (spec.clone(), client));
        }
        Ok(Instances { by_name })
    }

    /// The instance's settings.
    pub fn spec(&self, name: &str) -> Option<&InstanceSpec> {
        self.by_name.get(name).map(|(s, _)| s)
    }

    /// The instance's client.
    pub fn client(&self, name: &str) -> Option<&OdooClient> {
        self.by_name.get(name).map(|(_, c)| c)
    }

    /// Checks every instance answers `version()`, for readiness probes.
    pub async fn probe(&self, timeout: Duration) -> BTreeMap<String, Result<String, String>> {
        let mut out = BTreeMap::new();
        for (name, (_, client)) in &self.by_name {
            let r = match tokio::time::timeout(timeout, client.version()).await {
                Ok(Ok(v)) => Ok(v.text),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!("no answer within {timeout:?}")),
            };
            out.insert(name.clone(), r);
        }
        out
    }
}
