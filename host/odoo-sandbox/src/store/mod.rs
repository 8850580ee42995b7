//! The in-memory record store: one table of JSON field maps per model.
//!
//! Records hold only stored fields, in "cache format" (many2one as an id or `false`,
//! many2many as an id list). Everything else (one2many, related and live-computed fields,
//! `display_name`) is derived on read by [`value`]. Mutations go through [`Tx`], which
//! keeps an undo log so a failing call leaves nothing behind.

mod convert;
mod display;
mod tx;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::registry::{self, Compute, FieldDef, FieldType, ModelDef};

pub(crate) use convert::{foreign_key, normalize_date, normalize_datetime, not_null, to_cache};
pub(crate) use display::display_name;
pub(crate) use tx::{Changes, Tx};

/// One record's stored fields, keyed by field name (the id is the table key).
pub(crate) type Record = Map<String, Value>;

/// All records of one model.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    pub(crate) rows: BTreeMap<i64, Record>,
    /// Ids are never reused, as with PostgreSQL sequences, even after a delete.
    pub(crate) next_id: i64,
}

/// Every table of a database.
#[derive(Debug, Clone)]
pub(crate) struct State {
    tables: HashMap<&'static str, Table>,
}

impl State {
    /// Empty tables for every registered model.
    pub(crate) fn new() -> Self {
        let tables = registry::models()
            .map(|m| {
                let table = Table {
                    rows: BTreeMap::new(),
                    next_id: 1,
                };
                (m.name, table)
            })
            .collect();
        State { tables }
    }

    pub(crate) fn table(&self, model: &str) -> &Table {
        // Callers only pass names from the registry, which created every table.
        &self.tables[model]
    }

    pub(crate) fn table_mut(&mut self, model: &str) -> &mut Table {
        self.tables
            .get_mut(model)
            .expect("table for a registered model")
    }

    pub(crate) fn tables(&self) -> impl Iterator<Item = (&'static str, &Table)> {
        self.tables.iter().map(|(k, v)| (*k, v))
    }

    pub(crate) fn row(&self, model: &str, id: i64) -> Option<&Record> {
        self.table(model).rows.get(&id)
    }

    pub(crate) fn exists(&self, model: &str, id: i64) -> bool {
        self.table(model).rows.contains_key(&id)
    }

    pub(crate) fn ids(&self, model: &str) -> Vec<i64> {
        self.table(model).rows.keys().copied().collect()
    }

    /// Whether a record is active (records of models without `active` always are).
    pub(crate) fn is_active(&self, model: &ModelDef, id: i64) -> bool {
        !model.has_active()
            || self
                .row(model.name, id)
                .is_some_and(|r| r.get("active").is_none_or(truthy))
    }

    /// A stored field of a record, or the field type's empty value.
    pub(crate) fn stored(&self, model: &str, id: i64, field: &str) -> Value {
        self.row(model, id)
            .and_then(|r| r.get(field))
            .cloned()
            .unwrap_or(Value::Bool(false))
    }

    /// A stored many2one as an id.
    pub(crate) fn m2o(&self, model: &str, id: i64, field: &str) -> Option<i64> {
        self.row(model, id)?.get(field)?.as_i64()
    }

    /// A stored string field.
    pub(crate) fn str_field(&self, model: &str, id: i64, field: &str) -> Option<&str> {
        self.row(model, id)?.get(field)?.as_str()
    }

    /// A stored numeric field as f64 (0 when unset).
    pub(crate) fn num(&self, model: &str, id: i64, field: &str) -> f64 {
        self.row(model, id)
            .and_then(|r| r.get(field))
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
    }

    /// A stored many2many as ids.
    pub(crate) fn id_list(&self, model: &str, id: i64, field: &str) -> Vec<i64> {
        self.row(model, id)
            .and_then(|r| r.get(field))
            .map(ids_of)
            .unwrap_or_default()
    }
}

/// Python truthiness of a decoded value.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The ids in a cache-format x2many value.
pub(crate) fn ids_of(v: &Value) -> Vec<i64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

/// The value a field has when nothing was stored.
pub(crate) fn empty(field: &FieldDef) -> Value {
    match field.ftype {
        FieldType::Boolean => Value::Bool(false),
        FieldType::Integer => Value::from(0),
        FieldType::Float | FieldType::Monetary => Value::from(0.0),
        FieldType::One2many | FieldType::Many2many => Value::Array(Vec::new()),
        _ => Value::Bool(false),
    }
}

/// A field's value for one record, in cache format, whatever its kind.
pub(crate) fn value(state: &State, model: &'static ModelDef, id: i64, field: &FieldDef) -> Value {
    match (field.name, field.ftype, field.compute) {
        ("id", _, _) => Value::from(id),
        ("display_name", _, _) => Value::String(display_name(state, model, id)),
        (_, _, Some(Compute::Live)) => crate::compute::live(state, model, id, field),
        (_, _, Some(Compute::Related(via, target))) => related(state, model, id, via, target),
        (_, FieldType::One2many, _) => Value::from(one2many(state, id, field)),
        (_, FieldType::Many2many, _) => {
            let ids = state.id_list(model.name, id, field.name);
            Value::from(visible(state, field, ids))
        }
        _ => state
            .row(model.name, id)
            .and_then(|r| r.get(field.name))
            .cloned()
            .unwrap_or_else(|| empty(field)),
    }
}

fn related(state: &State, model: &'static ModelDef, id: i64, via: &str, target: &str) -> Value {
    let via_field = model
        .field(via)
        .expect("related path checked by the registry");
    let comodel = registry::model(via_field.relation.unwrap_or_default()).expect("comodel");
    let target_field = comodel.field(target).expect("related target exists");
    match state.m2o(model.name, id, via) {
        Some(other) if state.exists(comodel.name, other) => {
            value(state, comodel, other, target_field)
        }
        _ => empty(target_field),
    }
}

/// Children of a one2many, active ones only (Odoo's `active_test` on the comodel), in
/// the comodel's default order.
fn one2many(state: &State, id: i64, field: &FieldDef) -> Vec<i64> {
    let (Some(comodel), Some(inverse)) = (field.relation, field.relation_field) else {
        return Vec::new();
    };
    let children: Vec<i64> = state
        .table(comodel)
        .rows
        .iter()
        .filter(|(_, r)| r.get(inverse).and_then(Value::as_i64) == Some(id))
        .map(|(cid, _)| *cid)
        .collect();
    visible(state, field, children)
}

/// Drops archived records and sorts in the comodel's default order, as x2many reads do.
fn visible(state: &State, field: &FieldDef, ids: Vec<i64>) -> Vec<i64> {
    let Some(comodel) = field.relation.and_then(registry::model) else {
        return ids;
    };
    let mut ids: Vec<i64> = ids
        .into_iter()
        .filter(|&i| state.exists(comodel.name, i) && state.is_active(comodel, i))
        .collect();
    crate::order::sort_default(state, comodel, &mut ids);
    ids
}

/// A cache-format value converted to what `read` answers.
pub(crate) fn to_read(state: &State, field: &FieldDef, value: Value, classic: bool) -> Value {
    match field.ftype {
        FieldType::Many2one => match value.as_i64() {
            Some(id) if classic => {
                let comodel = field.relation.and_then(registry::model).expect("comodel");
                Value::from(vec![
                    Value::from(id),
                    Value::String(display_name(state, comodel, id)),
                ])
            }
            Some(id) => Value::from(id),
            None => Value::Bool(false),
        },
        FieldType::Float | FieldType::Monetary => Value::from(value.as_f64().unwrap_or(0.0)),
        FieldType::Integer => Value::from(value.as_i64().unwrap_or(0)),
        FieldType::Boolean => Value::Bool(truthy(&value)),
        t if t.is_textual() => match value {
            Value::String(s) if !s.is_empty() => Value::String(s),
            _ => Value::Bool(false),
        },
        _ => value,
    }
}
