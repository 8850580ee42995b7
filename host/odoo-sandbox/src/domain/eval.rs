//! Domain evaluation: a parsed domain is compiled against the current data (name
//! look-ups, `child_of` closures, sub-domains), then tested record by record.
//!
//! Semantics follow Odoo 17/18's SQL: negative operators (`!=`, `not in`, `not ilike`)
//! also match unset values; a dotted path matches when some record reached through it
//! satisfies the rest; many2one compared with text matches on the display name.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::Value;

use super::{Leaf, Node, Op, is_numeric, like};
use crate::fault::Fault;
use crate::registry::{self, FieldDef, FieldType, ModelDef};
use crate::store::{self, State, display_name, ids_of, truthy};

/// A domain ready to test records.
#[derive(Debug)]
pub(crate) enum Cond {
    Const(bool),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    Leaf {
        hops: Vec<&'static FieldDef>,
        model: &'static ModelDef,
        field: &'static FieldDef,
        pred: Pred,
    },
}

/// The test applied to the last field of a leaf's path.
#[derive(Debug)]
pub(crate) enum Pred {
    /// A comparison of a plain value.
    Scalar { op: Op, value: Value },
    /// Membership of the referenced ids in `set` (`empty`: unset also matches).
    Ids {
        set: HashSet<i64>,
        empty: bool,
        negate: bool,
    },
    /// `any` / `not any` over the referenced records.
    Any { sub: Box<Cond>, negate: bool },
}

/// Compiles a parsed domain against the current data.
pub(crate) fn compile(state: &State, node: &Node) -> Result<Cond, Fault> {
    Ok(match node {
        Node::Const(b) => Cond::Const(*b),
        Node::And(a, b) => Cond::And(Box::new(compile(state, a)?), Box::new(compile(state, b)?)),
        Node::Or(a, b) => Cond::Or(Box::new(compile(state, a)?), Box::new(compile(state, b)?)),
        Node::Not(a) => Cond::Not(Box::new(compile(state, a)?)),
        Node::Leaf(leaf) => match predicate(state, leaf)? {
            Some(pred) => Cond::Leaf {
                hops: leaf.hops.clone(),
                model: leaf.model,
                field: leaf.field,
                pred,
            },
            None => Cond::Const(true),
        },
    })
}

/// The comodel a leaf's ids refer to: the relation, or the model itself for `id`.
fn target_model(leaf: &Leaf) -> &'static ModelDef {
    leaf.field
        .relation
        .and_then(registry::model)
        .unwrap_or(leaf.model)
}

fn predicate(state: &State, leaf: &Leaf) -> Result<Option<Pred>, Fault> {
    if leaf.op == Op::EqOrUnset && !truthy(&leaf.value) {
        return Ok(None);
    }
    let op = if leaf.op == Op::EqOrUnset {
        Op::Eq
    } else {
        leaf.op
    };
    let is_ref = leaf.field.relation.is_some() || leaf.field.name == "id";
    if let Some(sub) = &leaf.sub {
        return Ok(Some(Pred::Any {
            sub: Box::new(compile(state, sub)?),
            negate: op == Op::NotAny,
        }));
    }
    if !is_ref || matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge) {
        let value = coerce(leaf.field, op, &leaf.value)?;
        return Ok(Some(Pred::Scalar { op, value }));
    }
    let comodel = target_model(leaf);
    let values = match &leaf.value {
        Value::Array(items) if !super::is_pair(&leaf.value) => items.clone(),
        Value::Array(pair) => vec![pair[0].clone()],
        other => vec![other.clone()],
    };
    let mut set: HashSet<i64> = values.iter().filter_map(Value::as_i64).collect();
    let empty = values.iter().any(|v| !truthy(v)) && matches!(op.positive(), Op::Eq | Op::In);
    let names: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    if !names.is_empty() {
        set.extend(resolve_names(state, comodel, op.positive(), &names));
    }
    match op {
        Op::ChildOf => set = closure(state, comodel, set, true),
        Op::ParentOf => set = closure(state, comodel, set, false),
        _ => {}
    }
    // `partner_id = True` means "is set", as SQL `partner_id IS NOT NULL` would.
    if values.iter().all(|v| *v == Value::Bool(true)) && matches!(op, Op::Eq | Op::Ne) {
        return Ok(Some(Pred::Ids {
            set,
            empty: true,
            negate: op == Op::Eq,
        }));
    }
    Ok(Some(Pred::Ids {
        set,
        empty,
        negate: op.is_negative(),
    }))
}

/// Ids of `model` whose display name matches any of `names` under a positive operator.
fn resolve_names(state: &State, model: &'static ModelDef, op: Op, names: &[&str]) -> HashSet<i64> {
    state
        .ids(model.name)
        .into_iter()
        .filter(|&id| {
            let shown = Value::String(display_name(state, model, id));
            names
                .iter()
                .any(|n| scalar(FieldType::Char, op_for_names(op), &shown, &Value::from(*n)))
        })
        .collect()
}

fn op_for_names(op: Op) -> Op {
    match op {
        Op::In | Op::ChildOf | Op::ParentOf => Op::Eq,
        other => other,
    }
}

/// Descendants (`down`) or ancestors of `ids` through the model's `_parent_name`; models
/// without a hierarchy just keep `ids`, as Odoo does.
fn closure(state: &State, model: &'static ModelDef, ids: HashSet<i64>, down: bool) -> HashSet<i64> {
    let Some(parent) = model.parent_name else {
        return ids;
    };
    let mut result = ids.clone();
    let mut frontier: Vec<i64> = ids.into_iter().collect();
    while let Some(id) = frontier.pop() {
        let next: Vec<i64> = if down {
            state
                .ids(model.name)
                .into_iter()
                .filter(|&c| state.m2o(model.name, c, parent) == Some(id))
                .collect()
        } else {
            state.m2o(model.name, id, parent).into_iter().collect()
        };
        frontier.extend(next.into_iter().filter(|n| result.insert(*n)));
    }
    result
}

/// Brings a leaf's value to the field's cache format so comparisons are like for like.
fn coerce(field: &FieldDef, op: Op, value: &Value) -> Result<Value, Fault> {
    let one = |v: &Value| -> Result<Value, Fault> {
        match (field.ftype, v) {
            (_, Value::Bool(false) | Value::Null) => Ok(Value::Bool(false)),
            (t, Value::String(s)) if is_numeric(t) && !is_like(op) => {
                s.trim().parse::<f64>().map(Value::from).map_err(|_| {
                    Fault::value_error(format!("invalid input syntax for type numeric: \"{s}\""))
                })
            }
            (FieldType::Date, Value::String(s)) if !is_like(op) => {
                store::normalize_date(s).map(Value::String)
            }
            (FieldType::Datetime, Value::String(s)) if !is_like(op) => {
                store::normalize_datetime(s).map(Value::String)
            }
            _ => Ok(v.clone()),
        }
    };
    match value {
        Value::Array(items) => Ok(Value::Array(
            items.iter().map(one).collect::<Result<_, _>>()?,
        )),
        other => one(other),
    }
}

fn is_like(op: Op) -> bool {
    matches!(
        op,
        Op::Like | Op::NotLike | Op::ILike | Op::NotILike | Op::EqLike | Op::EqILike
    )
}

impl Cond {
    /// Whether record `id` of `model` satisfies the domain.
    pub(crate) fn matches(&self, state: &State, model: &'static ModelDef, id: i64) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::And(a, b) => a.matches(state, model, id) && b.matches(state, model, id),
            Cond::Or(a, b) => a.matches(state, model, id) || b.matches(state, model, id),
            Cond::Not(a) => !a.matches(state, model, id),
            Cond::Leaf {
                hops,
                model: last,
                field,
                pred,
            } => {
                let mut current_model = model;
                let mut ids = vec![id];
                for hop in hops {
                    let next = hop.relation.and_then(registry::model).expect("hop comodel");
                    ids = ids
                        .iter()
                        .flat_map(|&i| referenced(&store::value(state, current_model, i, hop)))
                        .filter(|&i| state.exists(next.name, i))
                        .collect();
                    current_model = next;
                }
                ids.iter().any(|&i| test(state, last, i, field, pred))
            }
        }
    }
}

fn referenced(v: &Value) -> Vec<i64> {
    match v {
        Value::Array(_) => ids_of(v),
        other => other.as_i64().into_iter().collect(),
    }
}

fn test(state: &State, model: &'static ModelDef, id: i64, field: &FieldDef, pred: &Pred) -> bool {
    let v = store::value(state, model, id, field);
    match pred {
        Pred::Scalar { op, value } => scalar(field.ftype, *op, &v, value),
        Pred::Ids { set, empty, negate } => {
            let refs = referenced(&v);
            let hit = refs.iter().any(|r| set.contains(r)) || (refs.is_empty() && *empty);
            hit != *negate
        }
        Pred::Any { sub, negate } => {
            let comodel = field
                .relation
                .and_then(registry::model)
                .expect("any on a relation");
            let hit = referenced(&v)
                .into_iter()
                .any(|r| sub.matches(state, comodel, r));
            hit != *negate
        }
    }
}

/// Whether a stored value counts as SQL NULL.
fn is_null(ftype: FieldType, v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(false) => ftype != FieldType::Boolean,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// A comparison of a stored value `v` with a leaf value, with SQL's NULL rules.
pub(super) fn scalar(ftype: FieldType, op: Op, v: &Value, value: &Value) -> bool {
    match op {
        Op::Eq | Op::EqOrUnset => equals(ftype, v, value),
        Op::Ne => !equals(ftype, v, value),
        Op::In => items(value).iter().any(|x| equals(ftype, v, x)),
        Op::NotIn => !items(value).iter().any(|x| equals(ftype, v, x)),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            if is_null(ftype, v) || !truthy_or_number(value) {
                return false;
            }
            let ord = compare(v, value);
            match op {
                Op::Lt => ord == Some(Ordering::Less),
                Op::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
                Op::Gt => ord == Some(Ordering::Greater),
                _ => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
            }
        }
        Op::Like | Op::ILike | Op::EqLike | Op::EqILike | Op::NotLike | Op::NotILike => {
            let hit = !is_null(ftype, v) && {
                let text = as_text(v);
                let needle = if truthy(value) {
                    as_text(value)
                } else {
                    String::new()
                };
                let pattern = match op.positive() {
                    Op::Like | Op::ILike => format!("%{needle}%"),
                    _ => needle,
                };
                like(
                    &pattern,
                    &text,
                    matches!(op.positive(), Op::ILike | Op::EqILike),
                )
            };
            hit != op.is_negative()
        }
        Op::ChildOf | Op::ParentOf | Op::Any | Op::NotAny => false,
    }
}

fn items(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

fn truthy_or_number(v: &Value) -> bool {
    v.is_number() || truthy(v)
}

fn equals(ftype: FieldType, v: &Value, value: &Value) -> bool {
    if ftype == FieldType::Boolean {
        return truthy(v) == truthy(value);
    }
    if !truthy(value) && !value.is_number() {
        // `field = False` is `IS NULL`; numbers are never NULL here, so it means zero.
        return is_null(ftype, v) || (is_numeric(ftype) && v.as_f64() == Some(0.0));
    }
    compare(v, value) == Some(Ordering::Equal)
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        other => other.to_string(),
    }
}
