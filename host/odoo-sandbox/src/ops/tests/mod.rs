//! create / write / unlink through `execute_kw`: defaults, sequences, x2many commands,
//! computed amounts, references, required fields, atomicity.

mod commands;
mod create;
mod rules;

use serde_json::{Value, json};

use crate::testutil::ok;

pub(super) fn read_one(db: &crate::Database, model: &str, id: i64, fields: Value) -> Value {
    let rows = ok(db, model, "read", json!([[id], fields]), Value::Null);
    rows[0].clone()
}
