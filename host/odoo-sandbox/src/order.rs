//! `order` specifications (`"name asc, id desc"`) and sorting by them.
//!
//! Sorting follows PostgreSQL: NULLs last ascending and first descending, text compared
//! case-insensitively, and a many2one sorted by its comodel's own default order (so
//! `stage_id` sorts by stage sequence, as in Odoo).

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::Value;

use crate::fault::{Fault, py_repr};
use crate::registry::{self, FieldDef, FieldType, ModelDef};
use crate::store::{self, State};

/// Many2one sort keys recurse into comodel orders; this bounds the depth.
const MAX_RANK_DEPTH: usize = 2;

/// One `field [asc|desc] [nulls first|last]` term.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    field: &'static FieldDef,
    desc: bool,
    nulls_first: bool,
}

fn invalid(spec: &str) -> Fault {
    Fault::value_error(format!(
        "Invalid \"order\" specified ({spec}). A valid \"order\" specification is a \
         comma-separated list of valid field names (optionally followed by asc/desc for the \
         direction)"
    ))
}

/// Parses an order specification for `model`.
pub(crate) fn parse(model: &'static ModelDef, spec: &str) -> Result<Vec<Term>, Fault> {
    let mut terms = Vec::new();
    for part in spec.split(',') {
        let words: Vec<String> = part.split_whitespace().map(str::to_lowercase).collect();
        let Some((name, rest)) = words.split_first() else {
            return Err(invalid(spec));
        };
        let field = model.field(name).ok_or_else(|| {
            Fault::value_error(format!(
                "Invalid field {} on model {}",
                py_repr(&Value::from(name.as_str())),
                py_repr(&Value::from(model.name))
            ))
        })?;
        if field.ftype.is_x2many() || field.ftype == FieldType::Binary {
            return Err(invalid(spec));
        }
        let words: Vec<&str> = rest.iter().map(String::as_str).collect();
        let (desc, nulls) = match words.as_slice() {
            [] | ["asc"] => (false, None),
            ["desc"] => (true, None),
            [dir @ ("asc" | "desc"), "nulls", n @ ("first" | "last")] => {
                (*dir == "desc", Some(*n == "first"))
            }
            ["nulls", n @ ("first" | "last")] => (false, Some(*n == "first")),
            _ => return Err(invalid(spec)),
        };
        terms.push(Term {
            field,
            desc,
            nulls_first: nulls.unwrap_or(desc),
        });
    }
    Ok(terms)
}

/// Sorts ids by a specification; ties fall back to ascending id for stable answers.
pub(crate) fn sort(state: &State, model: &'static ModelDef, ids: &mut [i64], terms: &[Term]) {
    sort_depth(state, model, ids, terms, 0);
}

/// Sorts ids by the model's default order (`_order`).
pub(crate) fn sort_default(state: &State, model: &'static ModelDef, ids: &mut [i64]) {
    sort_default_depth(state, model, ids, 0);
}

fn sort_default_depth(state: &State, model: &'static ModelDef, ids: &mut [i64], depth: usize) {
    // Default orders are registry constants; a parse failure is a registry bug.
    let terms = parse(model, model.order).expect("model default order is valid");
    sort_depth(state, model, ids, &terms, depth);
}

#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum Key {
    Null,
    Num(f64),
    Text(String, String),
}

fn sort_depth(
    state: &State,
    model: &'static ModelDef,
    ids: &mut [i64],
    terms: &[Term],
    depth: usize,
) {
    if ids.len() < 2 {
        return;
    }
    let mut ranks: HashMap<&str, HashMap<i64, usize>> = HashMap::new();
    for term in terms {
        if term.field.ftype == FieldType::Many2one && depth < MAX_RANK_DEPTH {
            let comodel = term
                .field
                .relation
                .and_then(registry::model)
                .expect("comodel");
            let mut all = state.ids(comodel.name);
            sort_default_depth(state, comodel, &mut all, depth + 1);
            let map = all.into_iter().enumerate().map(|(i, id)| (id, i)).collect();
            ranks.insert(term.field.name, map);
        }
    }
    let keyed: HashMap<i64, Vec<Key>> = ids
        .iter()
        .map(|&id| {
            let keys = terms
                .iter()
                .map(|t| key(state, model, id, t.field, ranks.get(t.field.name)))
                .collect();
            (id, keys)
        })
        .collect();
    ids.sort_by(|a, b| {
        for (i, term) in terms.iter().enumerate() {
            let ord = compare(&keyed[a][i], &keyed[b][i], term);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        a.cmp(b)
    });
}

fn key(
    state: &State,
    model: &'static ModelDef,
    id: i64,
    field: &FieldDef,
    ranks: Option<&HashMap<i64, usize>>,
) -> Key {
    let v = store::value(state, model, id, field);
    match (field.ftype, &v) {
        (FieldType::Many2one, Value::Number(n)) => {
            let rid = n.as_i64().unwrap_or_default();
            match ranks.and_then(|r| r.get(&rid)) {
                Some(rank) => Key::Num(*rank as f64),
                None => Key::Num(rid as f64),
            }
        }
        (FieldType::Boolean, v) => Key::Num(if store::truthy(v) { 1.0 } else { 0.0 }),
        (_, Value::Number(n)) => Key::Num(n.as_f64().unwrap_or_default()),
        (_, Value::String(s)) if !s.is_empty() => Key::Text(s.to_lowercase(), s.clone()),
        _ => Key::Null,
    }
}

fn compare(a: &Key, b: &Key, term: &Term) -> Ordering {
    match (a, b) {
        (Key::Null, Key::Null) => Ordering::Equal,
        (Key::Null, _) => {
            if term.nulls_first {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (_, Key::Null) => {
            if term.nulls_first {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        _ => {
            let ord = a.partial_cmp(b).unwrap_or(Ordering::Equal);
            if term.desc { ord.reverse() } else { ord }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::model;

    #[test]
    fn parses_directions_and_rejects_garbage() {
        let lead = model("crm.lead").unwrap();
        let terms = parse(lead, "name asc, id DESC").unwrap();
        assert_eq!(terms.len(), 2);
        assert!(!terms[0].desc && terms[1].desc);
        assert!(terms[1].nulls_first);
        assert!(parse(lead, "name sideways").is_err());
        assert!(parse(lead, "name,").is_err());
        let err = parse(lead, "nope").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ValueError: Invalid field 'nope' on model 'crm.lead'"
        );
        assert!(parse(lead, "tag_ids").is_err());
    }

    #[test]
    fn every_default_order_parses() {
        for m in registry::models() {
            parse(m, m.order).unwrap_or_else(|e| panic!("{}: {e}", m.name));
        }
    }
}
