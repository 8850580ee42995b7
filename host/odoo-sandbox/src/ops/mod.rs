//! ORM write operations on a transaction: `create`, `write`, `unlink`.
//!
//! Each operation validates field names, converts values to cache format, applies
//! defaults and model hooks, handles related fields and x2many commands, and checks
//! required fields and references the way PostgreSQL constraints would in Odoo.

mod defaults;
mod x2many;

use serde_json::{Map, Value};

use crate::fault::{Fault, py_repr};
use crate::hooks;
use crate::registry::{self, Compute, FieldDef, FieldType, ModelDef, Ondelete};
use crate::store::{self, Record, Tx, to_cache};

pub(crate) use defaults::default_value;

/// Fields Odoo maintains itself; values sent for them are ignored.
const MAGIC: &[&str] = &[
    "id",
    "display_name",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
];

/// Values split by how they are applied.
#[derive(Default)]
struct Split {
    stored: Record,
    related: Vec<(&'static FieldDef, Value)>,
    x2many: Vec<(&'static FieldDef, Value)>,
}

fn invalid_field(model: &ModelDef, name: &str) -> Fault {
    Fault::value_error(format!(
        "Invalid field {} on model {}",
        py_repr(&name.into()),
        py_repr(&model.name.into())
    ))
}

fn split(tx: &Tx<'_>, model: &'static ModelDef, vals: &Map<String, Value>) -> Result<Split, Fault> {
    let mut out = Split::default();
    for (name, value) in vals {
        let field = model
            .field(name)
            .ok_or_else(|| invalid_field(model, name))?;
        if MAGIC.contains(&field.name) {
            continue;
        }
        match field.compute {
            Some(Compute::Live) => {}
            Some(Compute::Related(..)) => out.related.push((field, value.clone())),
            _ if field.ftype.is_x2many() => out.x2many.push((field, value.clone())),
            _ => {
                let v = to_cache(tx.state(), model, field, value)?;
                out.stored.insert(field.name.to_owned(), v);
            }
        }
    }
    Ok(out)
}

/// Creates one record and returns its id.
pub(crate) fn create(
    tx: &mut Tx<'_>,
    model: &'static ModelDef,
    vals: &Map<String, Value>,
) -> Result<i64, Fault> {
    create_with_id(tx, model, None, vals)
}

/// Creates one record, under a given id when loading seed data.
pub(crate) fn create_with_id(
    tx: &mut Tx<'_>,
    model: &'static ModelDef,
    id: Option<i64>,
    vals: &Map<String, Value>,
) -> Result<i64, Fault> {
    let mut split = split(tx, model, vals)?;
    apply_defaults(tx, model, vals, &mut split)?;
    hooks::before_create(tx, model, &mut split.stored, vals)?;
    for magic in ["create_uid", "write_uid"] {
        split.stored.insert(magic.to_owned(), Value::from(tx.uid));
    }
    for magic in ["create_date", "write_date"] {
        split
            .stored
            .insert(magic.to_owned(), Value::from(tx.now.clone()));
    }
    check_required(model, &split.stored, true)?;
    let id = match id {
        Some(id) => id,
        None => tx.alloc_id(model.name),
    };
    tx.insert(model.name, id, split.stored);
    apply_related(tx, model, &[id], split.related)?;
    for (field, value) in split.x2many {
        x2many::apply(tx, model, id, field, &value)?;
    }
    Ok(id)
}

fn apply_defaults(
    tx: &mut Tx<'_>,
    model: &'static ModelDef,
    vals: &Map<String, Value>,
    split: &mut Split,
) -> Result<(), Fault> {
    for field in model.all_fields() {
        if vals.contains_key(field.name) || MAGIC.contains(&field.name) {
            continue;
        }
        let from_context = tx.ctx.defaults.get(field.name).cloned();
        match field.compute {
            Some(Compute::Live) => {}
            Some(Compute::Related(..)) => {
                if let Some(v) = from_context {
                    split.related.push((field, v));
                }
            }
            _ if field.ftype.is_x2many() => {
                if let Some(v) = from_context {
                    split.x2many.push((field, v));
                }
            }
            _ => {
                let value = match from_context {
                    Some(v) => to_cache(tx.state(), model, field, &v)?,
                    None => default_value(tx.state(), tx.uid, &tx.now, field),
                };
                split.stored.insert(field.name.to_owned(), value);
            }
        }
    }
    Ok(())
}

fn check_required(model: &'static ModelDef, stored: &Record, all: bool) -> Result<(), Fault> {
    for field in model
        .all_fields()
        .iter()
        .filter(|f| f.required && f.is_stored())
    {
        let value = stored.get(field.name);
        let missing = match value {
            None => all,
            Some(v) => field.ftype != FieldType::Boolean && is_empty(v),
        };
        if missing {
            return Err(store::not_null(model, field));
        }
    }
    Ok(())
}

fn is_empty(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Bool(false)) || v.as_str() == Some("")
}

/// Writes values on existing records.
pub(crate) fn write(
    tx: &mut Tx<'_>,
    model: &'static ModelDef,
    ids: &[i64],
    vals: &Map<String, Value>,
) -> Result<(), Fault> {
    ensure_exist(tx, model, ids)?;
    let mut vals = vals.clone();
    hooks::before_write(tx, model, ids, &mut vals)?;
    let split = split(tx, model, &vals)?;
    check_required(model, &split.stored, false)?;
    for &id in ids {
        for (name, value) in &split.stored {
            tx.set(model.name, id, name, value.clone());
        }
        tx.set(model.name, id, "write_uid", Value::from(tx.uid));
        let now = tx.now.clone();
        tx.set(model.name, id, "write_date", Value::from(now));
    }
    apply_related(tx, model, ids, split.related)?;
    for (field, value) in &split.x2many {
        for &id in ids {
            x2many::apply(tx, model, id, field, value)?;
        }
    }
    Ok(())
}

/// MissingError unless every id exists.
pub(crate) fn ensure_exist(tx: &Tx<'_>, model: &ModelDef, ids: &[i64]) -> Result<(), Fault> {
    let missing: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|&id| !tx.state().exists(model.name, id))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Fault::missing(model.name, &missing, tx.uid))
    }
}

/// Writes related fields through to the record their many2one points at.
fn apply_related(
    tx: &mut Tx<'_>,
    model: &'static ModelDef,
    ids: &[i64],
    related: Vec<(&'static FieldDef, Value)>,
) -> Result<(), Fault> {
    for (field, value) in related {
        let Some(Compute::Related(via, target)) = field.compute else {
            continue;
        };
        let comodel = model
            .field(via)
            .and_then(|f| f.relation)
            .and_then(registry::model)
            .expect("related comodel");
        let mut vals = Map::new();
        vals.insert(target.to_owned(), value);
        for &id in ids {
            if let Some(other) = tx.state().m2o(model.name, id, via) {
                write(tx, comodel, &[other], &vals)?;
            }
        }
    }
    Ok(())
}

/// Deletes records, with Odoo's checks and `ondelete` rules on references.
pub(crate) fn unlink(tx: &mut Tx<'_>, model: &'static ModelDef, ids: &[i64]) -> Result<(), Fault> {
    ensure_exist(tx, model, ids)?;
    hooks::before_unlink(tx, model, ids)?;
    for &id in ids {
        delete(tx, model, id)?;
    }
    Ok(())
}

/// Deletes one record and handles what refers to it (SQL `ON DELETE`, no Python hooks).
fn delete(tx: &mut Tx<'_>, model: &'static ModelDef, id: i64) -> Result<(), Fault> {
    if !tx.state().exists(model.name, id) {
        return Ok(());
    }
    // Remove first so self-references and cycles terminate.
    tx.remove(model.name, id);
    for other in registry::models() {
        for field in other.all_fields() {
            if field.relation != Some(model.name) || !field.is_stored() {
                continue;
            }
            match field.ftype {
                FieldType::Many2one => on_delete_m2o(tx, other, field, id)?,
                FieldType::Many2many => {
                    for row in tx.state().ids(other.name) {
                        let mut list = tx.state().id_list(other.name, row, field.name);
                        if list.contains(&id) {
                            list.retain(|&x| x != id);
                            tx.set(other.name, row, field.name, Value::from(list));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if model.mail_thread {
        let messages = tx.state().ids("mail.message");
        for mid in messages {
            let row = tx.state().row("mail.message", mid);
            let hit = row.is_some_and(|r| {
                r.get("model").and_then(Value::as_str) == Some(model.name)
                    && r.get("res_id").and_then(Value::as_i64) == Some(id)
            });
            if hit {
                tx.remove("mail.message", mid);
            }
        }
    }
    Ok(())
}

fn on_delete_m2o(
    tx: &mut Tx<'_>,
    other: &'static ModelDef,
    field: &'static FieldDef,
    id: i64,
) -> Result<(), Fault> {
    let referencing: Vec<i64> = tx
        .state()
        .ids(other.name)
        .into_iter()
        .filter(|&row| tx.state().m2o(other.name, row, field.name) == Some(id))
        .collect();
    for row in referencing {
        match field.ondelete {
            Ondelete::Cascade => delete(tx, other, row)?,
            Ondelete::Restrict => return Err(store::foreign_key(other, field)),
            Ondelete::SetNull => tx.set(other.name, row, field.name, Value::Bool(false)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
