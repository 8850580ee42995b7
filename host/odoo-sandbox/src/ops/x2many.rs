//! x2many write commands (`fields.Command`): `(0,0,vals)` create, `(1,id,vals)` update,
//! `(2,id)` delete, `(3,id)` unlink, `(4,id)` link, `(5,)` clear, `(6,0,ids)` set.
//!
//! A plain list of ids is taken as `(6,0,ids)` and `false` as `(5,)`, which is what
//! clients that skip the command syntax expect (n8n#17426).

use serde_json::{Map, Value};

use crate::fault::{Fault, py_repr};
use crate::registry::{self, FieldDef, FieldType, ModelDef, Ondelete};
use crate::store::{Tx, truthy};

#[derive(Debug)]
enum Command {
    Create(Map<String, Value>),
    Update(i64, Map<String, Value>),
    Delete(i64),
    Unlink(i64),
    Link(i64),
    Clear,
    Set(Vec<i64>),
}

fn invalid(model: &ModelDef, field: &FieldDef, value: &Value) -> Fault {
    Fault::value_error(format!(
        "Invalid x2many command {} for field {}.{}",
        py_repr(value),
        model.name,
        field.name
    ))
}

fn parse(model: &ModelDef, field: &FieldDef, value: &Value) -> Result<Vec<Command>, Fault> {
    let items = match value {
        v if !truthy(v) && !v.is_array() => return Ok(vec![Command::Clear]),
        Value::Array(items) => items,
        other => return Err(invalid(model, field, other)),
    };
    if !items.is_empty() && items.iter().all(Value::is_i64) {
        return Ok(vec![Command::Set(
            items.iter().filter_map(Value::as_i64).collect(),
        )]);
    }
    items
        .iter()
        .map(|item| parse_one(model, field, item))
        .collect()
}

fn parse_one(model: &ModelDef, field: &FieldDef, item: &Value) -> Result<Command, Fault> {
    let bad = || invalid(model, field, item);
    let parts = item.as_array().ok_or_else(bad)?;
    let code = parts.first().and_then(Value::as_i64).ok_or_else(bad)?;
    let id = || parts.get(1).and_then(Value::as_i64).ok_or_else(bad);
    let vals = || {
        parts
            .get(2)
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(bad)
    };
    Ok(match code {
        0 => Command::Create(vals()?),
        1 => Command::Update(id()?, vals()?),
        2 => Command::Delete(id()?),
        3 => Command::Unlink(id()?),
        4 => Command::Link(id()?),
        5 => Command::Clear,
        6 => {
            let ids = parts.get(2).and_then(Value::as_array).ok_or_else(bad)?;
            Command::Set(
                ids.iter()
                    .map(|v| v.as_i64().ok_or_else(bad))
                    .collect::<Result<_, _>>()?,
            )
        }
        _ => return Err(bad()),
    })
}

/// Applies an x2many value to one record.
pub(super) fn apply(
    tx: &mut Tx<'_>,
    model: &'static ModelDef,
    id: i64,
    field: &'static FieldDef,
    value: &Value,
) -> Result<(), Fault> {
    let commands = parse(model, field, value)?;
    let comodel = field
        .relation
        .and_then(registry::model)
        .expect("x2many comodel");
    for command in commands {
        match field.ftype {
            FieldType::One2many => one2many(tx, comodel, field, id, command)?,
            _ => many2many(tx, model, comodel, field, id, command)?,
        }
    }
    Ok(())
}

fn one2many(
    tx: &mut Tx<'_>,
    comodel: &'static ModelDef,
    field: &FieldDef,
    id: i64,
    command: Command,
) -> Result<(), Fault> {
    let inverse = field.relation_field.expect("one2many inverse");
    let link = |vals: &mut Map<String, Value>, target: Value| {
        vals.insert(inverse.to_owned(), target);
    };
    match command {
        Command::Create(mut vals) => {
            link(&mut vals, Value::from(id));
            super::create(tx, comodel, &vals)?;
        }
        Command::Update(cid, vals) => super::write(tx, comodel, &[cid], &vals)?,
        Command::Delete(cid) => super::unlink(tx, comodel, &[cid])?,
        Command::Unlink(cid) => detach(tx, comodel, inverse, &[cid])?,
        Command::Link(cid) => {
            let mut vals = Map::new();
            link(&mut vals, Value::from(id));
            super::write(tx, comodel, &[cid], &vals)?;
        }
        Command::Clear => {
            let children = children(tx, comodel, inverse, id);
            detach(tx, comodel, inverse, &children)?;
        }
        Command::Set(ids) => {
            let stale: Vec<i64> = children(tx, comodel, inverse, id)
                .into_iter()
                .filter(|c| !ids.contains(c))
                .collect();
            detach(tx, comodel, inverse, &stale)?;
            let mut vals = Map::new();
            link(&mut vals, Value::from(id));
            super::write(tx, comodel, &ids, &vals)?;
        }
    }
    Ok(())
}

fn children(tx: &Tx<'_>, comodel: &ModelDef, inverse: &str, id: i64) -> Vec<i64> {
    let state = tx.state();
    state
        .ids(comodel.name)
        .into_iter()
        .filter(|&c| state.m2o(comodel.name, c, inverse) == Some(id))
        .collect()
}

/// Removes children from a one2many: deleted when the inverse cascades (a line cannot
/// exist without its order), otherwise their inverse is cleared.
fn detach(
    tx: &mut Tx<'_>,
    comodel: &'static ModelDef,
    inverse: &str,
    ids: &[i64],
) -> Result<(), Fault> {
    if ids.is_empty() {
        return Ok(());
    }
    let inverse_field = comodel.field(inverse).expect("inverse field");
    if inverse_field.ondelete == Ondelete::Cascade || inverse_field.required {
        super::unlink(tx, comodel, ids)
    } else {
        let mut vals = Map::new();
        vals.insert(inverse.to_owned(), Value::Bool(false));
        super::write(tx, comodel, ids, &vals)
    }
}

fn many2many(
    tx: &mut Tx<'_>,
    model: &'static ModelDef,
    comodel: &'static ModelDef,
    field: &FieldDef,
    id: i64,
    command: Command,
) -> Result<(), Fault> {
    let mut current = tx.state().id_list(model.name, id, field.name);
    match command {
        Command::Create(vals) => current.push(super::create(tx, comodel, &vals)?),
        Command::Update(cid, vals) => super::write(tx, comodel, &[cid], &vals)?,
        Command::Delete(cid) => {
            super::unlink(tx, comodel, &[cid])?;
            current.retain(|&x| x != cid);
        }
        Command::Unlink(cid) => current.retain(|&x| x != cid),
        Command::Link(cid) => {
            check_exists(tx, model, comodel, field, &[cid])?;
            if !current.contains(&cid) {
                current.push(cid);
            }
        }
        Command::Clear => current.clear(),
        Command::Set(ids) => {
            check_exists(tx, model, comodel, field, &ids)?;
            current.clear();
            for i in ids {
                if !current.contains(&i) {
                    current.push(i);
                }
            }
        }
    }
    tx.set(model.name, id, field.name, Value::from(current));
    Ok(())
}

fn check_exists(
    tx: &Tx<'_>,
    model: &ModelDef,
    comodel: &ModelDef,
    field: &FieldDef,
    ids: &[i64],
) -> Result<(), Fault> {
    if ids.iter().all(|&i| tx.state().exists(comodel.name, i)) {
        Ok(())
    } else {
        Err(crate::store::foreign_key(model, field))
    }
}
