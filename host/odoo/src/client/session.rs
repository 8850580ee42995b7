//! Login state of one instance: the uid from `common.authenticate`, cached until Odoo
//! answers "Access Denied" (fault 3) for it.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Error, OdooClient, error};
use crate::xmlrpc;

/// How long a refused login is remembered before the next attempt reaches Odoo.
///
/// Matches Odoo's default login cooldown (`base.login_cooldown_duration`, 60 s after 5
/// failures): hammering a wrong secret would only lock the login out further.
pub const AUTH_RETRY_AFTER: Duration = Duration::from_secs(60);

#[derive(Default)]
pub(super) struct Session {
    uid: Mutex<Option<i64>>,
    /// Held while logging in so concurrent callers share one login; holds when Odoo last
    /// refused the credentials.
    login: tokio::sync::Mutex<Option<Instant>>,
}

impl Session {
    fn cached(&self) -> Option<i64> {
        *self.uid.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn store(&self, uid: Option<i64>) {
        *self.uid.lock().unwrap_or_else(PoisonError::into_inner) = uid;
    }

    /// Drops `uid` unless another caller already replaced it with a fresh one.
    pub(super) fn forget(&self, uid: i64) {
        let mut cached = self.uid.lock().unwrap_or_else(PoisonError::into_inner);
        if *cached == Some(uid) {
            *cached = None;
        }
    }
}

impl OdooClient {
    /// The cached uid, logging in first if there is none.
    pub(super) async fn uid(&self) -> Result<i64, Error> {
        let session = &self.inner.session;
        if let Some(uid) = session.cached() {
            return Ok(uid);
        }
        let mut refused_at = session.login.lock().await;
        if let Some(uid) = session.cached() {
            return Ok(uid);
        }
        if refused_at.is_some_and(|at| at.elapsed() < AUTH_RETRY_AFTER) {
            return Err(self.auth_error());
        }
        match self.authenticate().await? {
            Some(uid) => {
                session.store(Some(uid));
                *refused_at = None;
                Ok(uid)
            }
            None => {
                *refused_at = Some(Instant::now());
                Err(self.auth_error())
            }
        }
    }

    fn auth_error(&self) -> Error {
        Error::Auth {
            instance: self.name().to_owned(),
        }
    }

    /// `common.authenticate`: `Some(uid)`, or `None` when Odoo answers `False`.
    async fn authenticate(&self) -> Result<Option<i64>, Error> {
        const CALL: &str = "common.authenticate";
        let config = &self.inner.config;
        let params = [
            json!(config.db),
            json!(config.login),
            json!(config.secret.expose()),
            json!({}),
        ];
        let body = xmlrpc::encode_call("authenticate", &params);
        let url = &self.inner.endpoints.common;
        // Logging in changes nothing, so a stale connection may be retried.
        match self.inner.transport.call(url, CALL, body, true).await? {
            Ok(Value::Number(n)) if n.as_i64().is_some_and(|uid| uid > 0) => Ok(n.as_i64()),
            Ok(Value::Bool(false)) => Ok(None),
            Ok(other) => Err(Error::Protocol {
                instance: self.name().to_owned(),
                call: CALL.to_owned(),
                detail: format!(
                    "answer is not a uid or false: {}",
                    crate::xmlrpc::excerpt(&other.to_string())
                ),
                source: None,
            }),
            Err(fault) => Err(error::from_fault(self.name(), CALL, fault)),
        }
    }
}
