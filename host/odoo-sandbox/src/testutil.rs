//! Test helpers: a seeded database, JSON-shaped calls, unique temporary paths.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Map, Value};

use crate::{ADMIN_UID, DEFAULT_SEED, Database, Fault};

/// A fresh in-memory database with the embedded seed.
pub(crate) fn db() -> Database {
    Database::from_seed(DEFAULT_SEED).expect("embedded seed loads")
}

fn kwargs(kwargs: Value) -> Map<String, Value> {
    match kwargs {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => panic!("kwargs must be an object, got {other}"),
    }
}

fn args(args: Value) -> Vec<Value> {
    match args {
        Value::Array(items) => items,
        other => panic!("args must be an array, got {other}"),
    }
}

/// `execute_kw` as the administrator.
pub(crate) fn call(
    db: &Database,
    model: &str,
    method: &str,
    a: Value,
    kw: Value,
) -> Result<Value, Fault> {
    call_as(db, ADMIN_UID, model, method, a, kw)
}

/// `execute_kw` as any user.
pub(crate) fn call_as(
    db: &Database,
    uid: i64,
    model: &str,
    method: &str,
    a: Value,
    kw: Value,
) -> Result<Value, Fault> {
    db.execute_kw(uid, model, method, args(a), kwargs(kw))
}

/// `execute_kw` that must succeed.
pub(crate) fn ok(db: &Database, model: &str, method: &str, a: Value, kw: Value) -> Value {
    call(db, model, method, a, kw)
        .unwrap_or_else(|f| panic!("{model}.{method} failed: {}", f.fault_string()))
}

/// Ids from a `search` answer.
pub(crate) fn ids(value: &Value) -> Vec<i64> {
    value
        .as_array()
        .expect("an id list")
        .iter()
        .map(|v| v.as_i64().expect("an id"))
        .collect()
}

/// A unique path in the system temporary directory.
pub(crate) fn temp_path(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("odoo-sandbox-{}-{n}-{name}", std::process::id()))
}
