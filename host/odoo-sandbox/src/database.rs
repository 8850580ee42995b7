//! The database: records behind a lock, the `execute_kw` entry point, credentials and
//! access rights, one transaction per call, optional write-through to SQLite.
//!
//! Reads share a read lock; every mutating call takes the write lock, runs in a [`Tx`],
//! recomputes stored computed fields, persists the changed rows and only then releases the
//! lock, so a failing call (or a failing disk write) leaves nothing behind.

use std::path::Path;
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{Map, Value};

use crate::context::Context;
use crate::error::Error;
use crate::fault::Fault;
use crate::methods::{self, Access, Handler, ReadCall, WriteCall};
use crate::persist::SqliteStore;
use crate::registry::{self, ModelDef};
use crate::store::{State, Tx, truthy};
use crate::{compute, ops, seed};

/// Odoo's superuser (`__system__`), which owns seed data and internal changes.
pub(crate) const SYSTEM_UID: i64 = 1;

/// An Odoo-compatible database.
pub struct Database {
    state: RwLock<State>,
    sqlite: Option<Mutex<SqliteStore>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("persistent", &self.sqlite.is_some())
            .finish_non_exhaustive()
    }
}

/// The current time as Odoo stores datetimes: naive UTC, second precision.
pub(crate) fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl Database {
    /// An in-memory database loaded from seed JSON (the format of
    /// `resources/sandbox-seed.json`).
    ///
    /// # Errors
    /// The seed is not valid JSON, has the wrong shape, or a record is refused by the ORM.
    pub fn from_seed(seed_json: &str) -> Result<Self, Error> {
        Ok(Database {
            state: RwLock::new(seed::load(seed_json)?),
            sqlite: None,
        })
    }

    /// A database persisted to SQLite at `path`: loaded from the file when it already
    /// holds data, otherwise loaded from the seed and saved there.
    ///
    /// # Errors
    /// The file cannot be opened, read or written, or the seed is invalid.
    pub fn open(seed_json: &str, path: &Path) -> Result<Self, Error> {
        let mut store = SqliteStore::open(path)?;
        let state = match store.load()? {
            Some(state) => state,
            None => {
                let state = seed::load(seed_json)?;
                store.save_all(&state)?;
                state
            }
        };
        Ok(Database {
            state: RwLock::new(state),
            sqlite: Some(Mutex::new(store)),
        })
    }

    // A panic mid-call cannot leave half a transaction: the journal is rolled back only
    // on error, but a panic drops the Tx before changes reach SQLite, so the worst case is
    // an in-memory change that is not persisted. Serving on is better than poisoning.
    fn read_state(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_state(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Calls `model.method(*args, **kwargs)` as user `uid`, as Odoo's `execute_kw` does
    /// after checking credentials (see [`Database::check_credentials`]).
    ///
    /// Results follow XML-RPC conventions (`false` for empty values, many2one as
    /// `[id, name]`). A method returning `None` (e.g. `crm.lead.action_set_lost`) commits
    /// and then answers fault 1 `cannot marshal None`, exactly as Odoo's XML-RPC layer.
    ///
    /// # Errors
    /// A [`Fault`] with Odoo's code and message.
    pub fn execute_kw(
        &self,
        uid: i64,
        model: &str,
        method: &str,
        args: Vec<Value>,
        mut kwargs: Map<String, Value>,
    ) -> Result<Value, Fault> {
        let mdef = registry::model(model)
            .ok_or_else(|| Fault::user(format!("Object {model} doesn't exist")))?;
        if method.starts_with('_') {
            return Err(Fault::Access(format!(
                "Private methods (such as '{model}.{method}') cannot be called remotely."
            )));
        }
        let found = methods::lookup(mdef, method).ok_or_else(|| {
            Fault::internal(
                "AttributeError",
                format!("The method '{model}.{method}' does not exist"),
            )
        })?;
        let ctx = Context::take(&mut kwargs)?;
        let result = match found.handler {
            Handler::Read(run) => {
                let state = self.read_state();
                let read_only = user_is_read_only(&state, uid)?;
                let call = ReadCall {
                    state: &state,
                    uid,
                    ctx: &ctx,
                    model: mdef,
                    read_only,
                };
                run(&call, args, kwargs)?
            }
            Handler::Write(run) => {
                self.transaction(uid, ctx, Some((mdef, found.access)), |tx| {
                    run(&mut WriteCall { tx, model: mdef }, args, kwargs)
                })?
            }
        };
        if contains_null(&result) {
            return Err(Fault::marshal_none());
        }
        Ok(result)
    }

    /// Runs `f` in a transaction: all or nothing, persisted before the lock is released.
    fn transaction<T>(
        &self,
        uid: i64,
        ctx: Context,
        access: Option<(&'static ModelDef, Access)>,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, Fault>,
    ) -> Result<T, Fault> {
        let mut state = self.write_state();
        if let Some((model, access)) = access
            && user_is_read_only(&state, uid)?
        {
            return Err(access_error(model, access));
        }
        let mut tx = Tx::begin(&mut state, uid, now(), ctx);
        let value = match f(&mut tx) {
            Ok(value) => value,
            Err(fault) => {
                tx.rollback();
                return Err(fault);
            }
        };
        compute::recompute(&mut tx);
        if let Some(sqlite) = &self.sqlite {
            let changes = tx.changes();
            let written = sqlite
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .apply(&changes);
            if let Err(err) = written {
                tx.rollback();
                tracing::error!(error = %err, "odoo_sandbox.persist failed");
                return Err(Fault::internal(
                    "OperationalError",
                    format!("could not persist the transaction: {err}"),
                ));
            }
        }
        Ok(value)
    }

    /// The uid for a login and password (or API key), or `None`, as `common.authenticate`
    /// (which answers `false`, not a fault, on bad credentials).
    pub fn authenticate(&self, login: &str, password: &str) -> Option<i64> {
        let state = self.read_state();
        let users = registry::model("res.users").expect("res.users");
        state.ids("res.users").into_iter().find(|&uid| {
            state.is_active(users, uid)
                && state.str_field("res.users", uid, "login") == Some(login)
                && password_matches(&state, uid, password)
        })
    }

    /// Checks the credentials `execute_kw` receives.
    ///
    /// # Errors
    /// Fault 3 `Access Denied` for an unknown or inactive uid or a wrong password.
    pub fn check_credentials(&self, uid: i64, password: &str) -> Result<(), Fault> {
        let state = self.read_state();
        let users = registry::model("res.users").expect("res.users");
        let ok = state.exists("res.users", uid)
            && state.is_active(users, uid)
            && password_matches(&state, uid, password);
        if ok { Ok(()) } else { Err(Fault::AccessDenied) }
    }

    /// Sets a user's login and password (the sandbox's configured administrator).
    ///
    /// # Errors
    /// The user does not exist or the login is taken.
    pub fn set_credentials(&self, uid: i64, login: &str, password: &str) -> Result<(), Fault> {
        self.transaction(SYSTEM_UID, Context::default(), None, |tx| {
            let users = registry::model("res.users").expect("res.users");
            let mut vals = Map::new();
            vals.insert("login".into(), Value::from(login));
            vals.insert("password".into(), Value::from(password));
            ops::write(tx, users, &[uid], &vals)
        })
    }
}

fn password_matches(state: &State, uid: i64, password: &str) -> bool {
    // An unset password never matches, even an empty one.
    state
        .str_field("res.users", uid, "password")
        .is_some_and(|p| !p.is_empty() && p == password)
}

/// Whether the user may only read; fault 3 when the uid is not an active user.
fn user_is_read_only(state: &State, uid: i64) -> Result<bool, Fault> {
    let users = registry::model("res.users").expect("res.users");
    if !state.exists("res.users", uid) || !state.is_active(users, uid) {
        return Err(Fault::AccessDenied);
    }
    Ok(state
        .id_list("res.users", uid, "groups_id")
        .into_iter()
        .any(|g| {
            state
                .row("res.groups", g)
                .and_then(|r| r.get("x_read_only"))
                .is_some_and(truthy)
        }))
}

/// Odoo's ACL refusal (fault 4) for an operation on a model.
pub(crate) fn access_error(model: &ModelDef, access: Access) -> Fault {
    let group = match model.name.split('.').next() {
        Some("crm" | "sale") => "Sales/User: Own Documents Only",
        Some("project") => "Project/User",
        Some("product") => "Sales/Administrator",
        Some("mail") => "Role/User",
        _ => "Administration/Settings",
    };
    Fault::Access(format!(
        "You are not allowed to {} '{}' ({}) records.\n\nThis operation is allowed for the following \
         groups:\n\t- {group}\n\nContact your administrator to request access if necessary.",
        access.verb(),
        model.description,
        model.name
    ))
}

fn contains_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(contains_null),
        Value::Object(map) => map.values().any(contains_null),
        _ => false,
    }
}
