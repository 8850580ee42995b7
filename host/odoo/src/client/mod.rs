//! Async client for one Odoo instance over XML-RPC (`/xmlrpc/2/common`, `/xmlrpc/2/object`).
//!
//! Owns the connection pool, the login (uid) and small caches (version, field names) of an
//! instance; maps Odoo faults to [`Error`]. It does not decide what may be called: the host
//! checks policy first, using [`is_write_method`] for read-only instances.
//!
//! Per call: an `odoo.execute_kw` span (instance, model, method); one deadline
//! ([`InstanceConfig::timeout`]) covering login, retries and the answer; at most
//! `max_connections` calls in flight; one fresh login after fault 3 before repeating the
//! call once; one retry of read methods on a connection that closed before answering.
//! Secrets and tracebacks are never logged above debug (secrets never at all).

mod config;
mod error;
mod methods;
mod session;
mod transport;
mod version;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tracing::{Instrument, debug};

pub use config::{
    DEFAULT_MAX_CONNECTIONS, DEFAULT_TIMEOUT, InstanceConfig, MAX_CONNECTIONS_LIMIT, Secret,
};
pub use error::Error;
pub use methods::is_write_method;
pub use session::AUTH_RETRY_AFTER;
pub use transport::DEFAULT_CONNECT_TIMEOUT;
pub use version::ServerVersion;

use crate::xmlrpc;
use config::Endpoints;
use session::Session;
use transport::Transport;

/// How long [`OdooClient::field_names`] answers from its cache.
///
/// Fields change only when a module is installed or upgraded; five minutes bounds how long
/// the host may miss a new field without a `fields_get` (100+ fields) on every tool call.
pub const FIELDS_TTL: Duration = Duration::from_secs(300);

/// Attributes asked of `fields_get`: never none, since a full `fields_get` can fault with
/// "cannot marshal None" (e.g. on `product.pricelist`), and `type` is never `None`.
const FIELD_ATTRIBUTES: &[&str] = &["type"];

/// A client for one Odoo instance. Cheap to clone; clones share pool, login and caches.
#[derive(Clone)]
pub struct OdooClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: InstanceConfig,
    endpoints: Endpoints,
    transport: Transport,
    session: Session,
    version: tokio::sync::OnceCell<ServerVersion>,
    fields: Mutex<FieldCache>,
}

/// Field names per model, with when they were fetched.
type FieldCache = HashMap<String, (Instant, Arc<Vec<String>>)>;

impl fmt::Debug for OdooClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OdooClient")
            .field("name", &self.inner.config.name)
            .field("url", &self.inner.config.url)
            .field("db", &self.inner.config.db)
            .finish_non_exhaustive()
    }
}

impl OdooClient {
    /// Validates `config` and prepares the connection pool; connects on the first call.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first field that breaks a rule (empty name, db, login or
    /// secret; a URL that is not plain http(s) with a host; a zero timeout;
    /// `max_connections` outside 1..=[`MAX_CONNECTIONS_LIMIT`]).
    pub fn new(config: InstanceConfig) -> Result<Self, Error> {
        let endpoints = config::validate(&config)?;
        let transport = Transport::new(&config)?;
        Ok(OdooClient {
            inner: Arc::new(Inner {
                config,
                endpoints,
                transport,
                session: Session::default(),
                version: tokio::sync::OnceCell::new(),
                fields: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The instance's configured name.
    pub fn name(&self) -> &str {
        &self.inner.config.name
    }

    /// Calls `model.method(*args, **kwargs)` through `execute_kw` as the configured user.
    ///
    /// A "cannot marshal None" fault after an action-like method (`action_*`, `button_*`,
    /// `message_post`, …) is success returning `null`: Odoo committed before failing to
    /// send the method's `None`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless `args` is an array and `kwargs` an object; fault
    /// mappings ([`Error::Validation`], [`Error::NotFound`], [`Error::Auth`],
    /// [`Error::Access`], [`Error::Internal`]); transport failures ([`Error::Unreachable`],
    /// [`Error::Timeout`], [`Error::ConnectionLost`], [`Error::Protocol`]).
    pub async fn execute_kw(
        &self,
        model: &str,
        method: &str,
        args: Value,
        kwargs: Value,
    ) -> Result<Value, Error> {
        let span = tracing::info_span!("odoo.execute_kw", instance = %self.name(), model, method);
        let call = format!("{model}.{method}");
        async {
            self.check_arguments(&call, model, method, &args, &kwargs)?;
            let work = self.execute_renewing(&call, model, method, &args, &kwargs);
            self.within_timeout(&call, work).await
        }
        .instrument(span)
        .await
    }

    /// The server version (`common.version()`), fetched once and then cached.
    ///
    /// # Errors
    /// Transport failures as for [`OdooClient::execute_kw`]; [`Error::Protocol`] if the
    /// answer has no recognisable version.
    pub async fn version(&self) -> Result<ServerVersion, Error> {
        let version = self.inner.version.get_or_try_init(|| self.fetch_version());
        version.await.cloned()
    }

    /// Names of the fields of `model` the user may see, sorted; cached for [`FIELDS_TTL`].
    ///
    /// # Errors
    /// As for [`OdooClient::execute_kw`] (`fields_get`); [`Error::Protocol`] if the answer
    /// is not a struct.
    pub async fn field_names(&self, model: &str) -> Result<Arc<Vec<String>>, Error> {
        if let Some(names) = self.cached_fields(model) {
            return Ok(names);
        }
        let kwargs = json!({ "attributes": FIELD_ATTRIBUTES });
        let answer = self
            .execute_kw(model, "fields_get", json!([]), kwargs)
            .await?;
        let Value::Object(fields) = answer else {
            return Err(Error::Protocol {
                instance: self.name().to_owned(),
                call: format!("{model}.fields_get"),
                detail: "answer is not a struct of fields".to_owned(),
                source: None,
            });
        };
        let mut names: Vec<String> = fields.into_iter().map(|(name, _)| name).collect();
        names.sort_unstable();
        let names = Arc::new(names);
        self.lock_fields()
            .insert(model.to_owned(), (Instant::now(), Arc::clone(&names)));
        Ok(names)
    }

    fn cached_fields(&self, model: &str) -> Option<Arc<Vec<String>>> {
        let fields = self.lock_fields();
        let (fetched, names) = fields.get(model)?;
        (fetched.elapsed() < FIELDS_TTL).then(|| Arc::clone(names))
    }

    fn lock_fields(&self) -> std::sync::MutexGuard<'_, FieldCache> {
        self.inner
            .fields
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn check_arguments(
        &self,
        call: &str,
        model: &str,
        method: &str,
        args: &Value,
        kwargs: &Value,
    ) -> Result<(), Error> {
        let detail = if model.is_empty() || method.is_empty() {
            "model and method must not be empty"
        } else if !args.is_array() {
            "args must be a JSON array (the positional arguments)"
        } else if !kwargs.is_object() {
            "kwargs must be a JSON object (the keyword arguments)"
        } else {
            return Ok(());
        };
        Err(Error::InvalidArgument {
            instance: self.name().to_owned(),
            call: call.to_owned(),
            detail,
        })
    }

    async fn within_timeout<T>(
        &self,
        call: &str,
        work: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let after = self.inner.config.timeout;
        tokio::time::timeout(after, work).await.unwrap_or_else(|_| {
            Err(Error::Timeout {
                instance: self.name().to_owned(),
                call: call.to_owned(),
                after,
            })
        })
    }

    /// Runs the call; on fault 3 logs in afresh and runs it once more.
    async fn execute_renewing(
        &self,
        call: &str,
        model: &str,
        method: &str,
        args: &Value,
        kwargs: &Value,
    ) -> Result<Value, Error> {
        let uid = self.uid().await?;
        match self
            .execute_as(uid, call, model, method, args, kwargs)
            .await
        {
            Err(Error::Auth { .. }) => {
                debug!(
                    uid,
                    "access denied for the cached uid; logging in again once"
                );
                self.inner.session.forget(uid);
                let uid = self.uid().await?;
                self.execute_as(uid, call, model, method, args, kwargs)
                    .await
            }
            result => result,
        }
    }

    async fn execute_as(
        &self,
        uid: i64,
        call: &str,
        model: &str,
        method: &str,
        args: &Value,
        kwargs: &Value,
    ) -> Result<Value, Error> {
        let config = &self.inner.config;
        let head = [
            json!(config.db),
            json!(uid),
            json!(config.secret.expose()),
            json!(model),
            json!(method),
        ];
        let params = head.iter().chain([args, kwargs]).collect::<Vec<_>>();
        let body = xmlrpc::encode_call_with("execute_kw", params.into_iter());
        let url = &self.inner.endpoints.object;
        let idempotent = methods::is_read_method(method);
        match self
            .inner
            .transport
            .call(url, call, body, idempotent)
            .await?
        {
            Ok(value) => Ok(value),
            Err(fault)
                if error::is_marshal_none(&fault)
                    && methods::none_result_allowed(model, method) =>
            {
                debug!("method returned None (cannot marshal None); taken as success");
                Ok(Value::Null)
            }
            Err(fault) => Err(error::from_fault(self.name(), call, fault)),
        }
    }

    async fn fetch_version(&self) -> Result<ServerVersion, Error> {
        const CALL: &str = "common.version";
        let body = xmlrpc::encode_call("version", &[]);
        let url = &self.inner.endpoints.common;
        let work = self.inner.transport.call(url, CALL, body, true);
        match self.within_timeout(CALL, work).await? {
            Ok(answer) => ServerVersion::from_answer(&answer).ok_or_else(|| Error::Protocol {
                instance: self.name().to_owned(),
                call: CALL.to_owned(),
                detail: "answer has no server_version".to_owned(),
                source: None,
            }),
            Err(fault) => Err(error::from_fault(self.name(), CALL, fault)),
        }
    }
}
