//! Search domains: strict parsing of Odoo's Polish-notation domains, then evaluation.
//!
//! A domain is a list of leaves `[path, operator, value]` and prefix operators `&` `|`
//! (arity 2) and `!` (arity 1), with an implicit `&` between juxtaposed terms. Anything
//! malformed (non-list, bad arity, unknown operator or field) is a fault, never "match
//! everything" (`odoo-external-api.md` §3, erpipe#65).

mod eval;
mod like;

use serde_json::Value;

use crate::fault::{Fault, py_leaf, py_repr};
use crate::registry::{self, FieldDef, FieldType, ModelDef};

pub(crate) use eval::compile;
pub(crate) use like::like;

/// A leaf operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    EqOrUnset,
    Like,
    NotLike,
    ILike,
    NotILike,
    EqLike,
    EqILike,
    In,
    NotIn,
    ChildOf,
    ParentOf,
    Any,
    NotAny,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        // Odoo lower-cases operators and still maps the deprecated `<>` and `==`.
        Some(match s.to_lowercase().as_str() {
            "=" | "==" => Op::Eq,
            "!=" | "<>" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "=?" => Op::EqOrUnset,
            "like" => Op::Like,
            "not like" => Op::NotLike,
            "ilike" => Op::ILike,
            "not ilike" => Op::NotILike,
            "=like" => Op::EqLike,
            "=ilike" => Op::EqILike,
            "in" => Op::In,
            "not in" => Op::NotIn,
            "child_of" => Op::ChildOf,
            "parent_of" => Op::ParentOf,
            "any" => Op::Any,
            "not any" => Op::NotAny,
            _ => return None,
        })
    }

    /// Operators that match when the positive form does not (`!=`, `not in`, …).
    pub(crate) fn is_negative(self) -> bool {
        matches!(
            self,
            Op::Ne | Op::NotLike | Op::NotILike | Op::NotIn | Op::NotAny
        )
    }

    /// The positive form of a negative operator.
    pub(crate) fn positive(self) -> Op {
        match self {
            Op::Ne => Op::Eq,
            Op::NotLike => Op::Like,
            Op::NotILike => Op::ILike,
            Op::NotIn => Op::In,
            Op::NotAny => Op::Any,
            other => other,
        }
    }
}

/// A parsed domain.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Const(bool),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Leaf(Leaf),
}

/// One condition, with its field path resolved against the registry.
#[derive(Debug, Clone)]
pub(crate) struct Leaf {
    /// Relational fields followed before the last one (`partner_id` in `partner_id.email`).
    pub(crate) hops: Vec<&'static FieldDef>,
    /// The model the last field belongs to.
    pub(crate) model: &'static ModelDef,
    /// The last field of the path.
    pub(crate) field: &'static FieldDef,
    pub(crate) op: Op,
    pub(crate) value: Value,
    /// The sub-domain of `any` / `not any`, parsed on the comodel.
    pub(crate) sub: Option<Box<Node>>,
}

impl Node {
    /// Whether a leaf names `active` at the top of its path; Odoo then skips the implicit
    /// `active = True` filter.
    pub(crate) fn mentions_active(&self) -> bool {
        match self {
            Node::Const(_) => false,
            Node::And(a, b) | Node::Or(a, b) => a.mentions_active() || b.mentions_active(),
            Node::Not(a) => a.mentions_active(),
            Node::Leaf(leaf) => leaf.hops.is_empty() && leaf.field.name == "active",
        }
    }

    /// `self AND other`.
    pub(crate) fn and(self, other: Node) -> Node {
        Node::And(Box::new(self), Box::new(other))
    }
}

/// Parses a domain for `model`. `None`/`false` mean the empty domain, as in `search_read`.
pub(crate) fn parse(model: &'static ModelDef, domain: &Value) -> Result<Node, Fault> {
    let items = match domain {
        Value::Null | Value::Bool(false) => return Ok(Node::Const(true)),
        Value::Array(items) => items,
        other => return Err(malformed(other)),
    };
    let mut pos = 0;
    let mut result: Option<Node> = None;
    while pos < items.len() {
        let term = parse_term(model, items, &mut pos, domain)?;
        result = Some(match result {
            None => term,
            Some(acc) => acc.and(term),
        });
    }
    Ok(result.unwrap_or(Node::Const(true)))
}

fn malformed(domain: &Value) -> Fault {
    Fault::value_error(format!(
        "Domain {} is syntactically not correct.",
        py_repr(domain)
    ))
}

fn parse_term(
    model: &'static ModelDef,
    items: &[Value],
    pos: &mut usize,
    whole: &Value,
) -> Result<Node, Fault> {
    let Some(item) = items.get(*pos) else {
        // An operator ran out of operands.
        return Err(malformed(whole));
    };
    *pos += 1;
    match item {
        Value::String(s) if s == "&" || s == "|" => {
            let a = parse_term(model, items, pos, whole)?;
            let b = parse_term(model, items, pos, whole)?;
            Ok(if s == "&" {
                Node::And(Box::new(a), Box::new(b))
            } else {
                Node::Or(Box::new(a), Box::new(b))
            })
        }
        Value::String(s) if s == "!" => {
            Ok(Node::Not(Box::new(parse_term(model, items, pos, whole)?)))
        }
        Value::Array(leaf) => parse_leaf(model, leaf),
        _ => Err(malformed(whole)),
    }
}

fn invalid_leaf(leaf: &[Value]) -> Fault {
    Fault::value_error(format!("Invalid leaf {}", py_leaf(leaf)))
}

fn parse_leaf(model: &'static ModelDef, leaf: &[Value]) -> Result<Node, Fault> {
    let [path, op, value] = leaf else {
        return Err(invalid_leaf(leaf));
    };
    let op = op
        .as_str()
        .and_then(Op::parse)
        .ok_or_else(|| invalid_leaf(leaf))?;
    // The constant leaves Odoo itself produces: (1, '=', 1) is TRUE, (0, '=', 1) FALSE.
    if let Some(n) = path.as_i64() {
        return match (n, op, value.as_i64()) {
            (1, Op::Eq, Some(1)) => Ok(Node::Const(true)),
            (0, Op::Eq, Some(1)) => Ok(Node::Const(false)),
            _ => Err(invalid_leaf(leaf)),
        };
    }
    let path = path
        .as_str()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| invalid_leaf(leaf))?;
    let (hops, last_model, field) = resolve_path(model, path, leaf)?;
    check_operator(field, op, value, leaf)?;
    let sub = match op {
        Op::Any | Op::NotAny => {
            let comodel = field
                .relation
                .and_then(registry::model)
                .ok_or_else(|| invalid_leaf(leaf))?;
            if !value.is_array() {
                return Err(invalid_leaf(leaf));
            }
            Some(Box::new(parse(comodel, value)?))
        }
        _ => None,
    };
    Ok(Node::Leaf(Leaf {
        hops,
        model: last_model,
        field,
        op,
        value: value.clone(),
        sub,
    }))
}

type Resolved = (Vec<&'static FieldDef>, &'static ModelDef, &'static FieldDef);

fn resolve_path(model: &'static ModelDef, path: &str, leaf: &[Value]) -> Result<Resolved, Fault> {
    let mut current = model;
    let mut hops = Vec::new();
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let field = current.field(part).ok_or_else(|| {
            Fault::value_error(format!(
                "Invalid field {}.{part} in leaf {}",
                current.name,
                py_leaf(leaf)
            ))
        })?;
        if parts.peek().is_none() {
            return Ok((hops, current, field));
        }
        current = field.relation.and_then(registry::model).ok_or_else(|| {
            Fault::value_error(format!(
                "Invalid field {}.{part} in leaf {}: not a relational field",
                current.name,
                py_leaf(leaf)
            ))
        })?;
        hops.push(field);
    }
    Err(invalid_leaf(leaf))
}

fn check_operator(field: &FieldDef, op: Op, value: &Value, leaf: &[Value]) -> Result<(), Fault> {
    let relational = field.relation.is_some() || field.name == "id";
    let ok = match op {
        Op::ChildOf | Op::ParentOf => relational,
        Op::Any | Op::NotAny => field.relation.is_some(),
        Op::In | Op::NotIn => !matches!(value, Value::Object(_)),
        _ => {
            !matches!(value, Value::Object(_))
                && (field.ftype.is_x2many() || !value.is_array() || is_pair(value))
        }
    };
    if ok { Ok(()) } else { Err(invalid_leaf(leaf)) }
}

/// `[id, "name"]` as `read` returns a many2one; Odoo accepts it back in `=` leaves.
fn is_pair(value: &Value) -> bool {
    matches!(value, Value::Array(a) if a.len() == 2 && a[0].is_i64() && a[1].is_string())
}

/// Whether `ftype` compares as a number.
pub(crate) fn is_numeric(ftype: FieldType) -> bool {
    matches!(
        ftype,
        FieldType::Integer | FieldType::Float | FieldType::Monetary
    )
}

#[cfg(test)]
mod tests;
