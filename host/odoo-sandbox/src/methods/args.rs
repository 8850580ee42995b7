//! Binding XML-RPC positional and keyword arguments to a method's parameters, with the
//! `TypeError`s Python raises for a wrong call (clients learn signatures from them).

use serde_json::{Map, Value};

use crate::fault::{Fault, py_repr};
use crate::registry::{FieldDef, ModelDef};

/// A Python method signature (without `self`).
pub(crate) struct Sig {
    /// `Class.method`, as Python names it in errors.
    pub(crate) qualname: &'static str,
    /// Parameter names in positional order.
    pub(crate) params: &'static [&'static str],
    /// How many leading parameters have no default.
    pub(crate) required: usize,
    /// Accepts arbitrary keyword arguments (`**kwargs`), returned in `extra`.
    pub(crate) var_kw: bool,
}

/// Arguments bound to a signature.
#[derive(Debug)]
pub(crate) struct Bound {
    values: Vec<Option<Value>>,
    /// Keyword arguments caught by `**kwargs`.
    pub(crate) extra: Map<String, Value>,
}

impl Bound {
    /// The argument at a parameter position; `None` when the default applies.
    pub(crate) fn get(&self, index: usize) -> Option<&Value> {
        self.values.get(index).and_then(Option::as_ref)
    }
}

/// Binds arguments as Python would, or fails with Python's `TypeError`.
pub(crate) fn bind(
    sig: &Sig,
    args: Vec<Value>,
    mut kwargs: Map<String, Value>,
) -> Result<Bound, Fault> {
    let n = sig.params.len();
    if args.len() > n {
        let (lo, hi) = (sig.required + 1, n + 1);
        let takes = if lo == hi {
            format!("{hi} positional argument{}", if hi == 1 { "" } else { "s" })
        } else {
            format!("from {lo} to {hi} positional arguments")
        };
        return Err(Fault::type_error(format!(
            "{}() takes {takes} but {} were given",
            sig.qualname,
            args.len() + 1
        )));
    }
    let mut values: Vec<Option<Value>> = args.into_iter().map(Some).collect();
    values.resize(n, None);
    for (i, name) in sig.params.iter().enumerate() {
        if let Some(v) = kwargs.remove(*name) {
            if values[i].is_some() {
                return Err(Fault::type_error(format!(
                    "{}() got multiple values for argument '{name}'",
                    sig.qualname
                )));
            }
            values[i] = Some(v);
        }
    }
    if !sig.var_kw
        && let Some(name) = kwargs.keys().next()
    {
        return Err(Fault::type_error(format!(
            "{}() got an unexpected keyword argument '{name}'",
            sig.qualname
        )));
    }
    let missing: Vec<&str> = sig.params[..sig.required]
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(name, _)| *name)
        .collect();
    if let [first, ..] = missing.as_slice() {
        let names = if missing.len() == 1 {
            format!("'{first}'")
        } else {
            missing
                .iter()
                .map(|m| format!("'{m}'"))
                .collect::<Vec<_>>()
                .join(" and ")
        };
        return Err(Fault::type_error(format!(
            "{}() missing {} required positional argument{}: {names}",
            sig.qualname,
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        )));
    }
    Ok(Bound {
        values,
        extra: kwargs,
    })
}

/// The record ids of a record-method call: `args[0]`, an id or a list of ids.
pub(crate) fn take_ids(args: &mut Vec<Value>) -> Result<Vec<i64>, Fault> {
    if args.is_empty() {
        return Err(Fault::internal("IndexError", "tuple index out of range"));
    }
    ids(&args.remove(0))
}

/// An id or a list of ids (`false` and `[]` mean none).
pub(crate) fn ids(value: &Value) -> Result<Vec<i64>, Fault> {
    match value {
        Value::Bool(false) | Value::Null => Ok(Vec::new()),
        Value::Number(n) if n.is_i64() => Ok(vec![n.as_i64().unwrap_or_default()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_i64().ok_or_else(|| bad_ids(value)))
            .collect(),
        other => Err(bad_ids(other)),
    }
}

fn bad_ids(value: &Value) -> Fault {
    Fault::value_error(format!("Invalid record ids: {}", py_repr(value)))
}

/// `limit`: absent, `false`, `None` or 0 mean no limit (Odoo's `if limit:`).
pub(crate) fn limit(value: Option<&Value>) -> Result<Option<usize>, Fault> {
    match value {
        None | Some(Value::Null | Value::Bool(false)) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(0) => Ok(None),
            Some(l) if l > 0 => Ok(Some(l as usize)),
            _ => Err(Fault::value_error(format!("Invalid limit: {n}"))),
        },
        Some(other) => Err(Fault::type_error(format!(
            "Invalid limit: {}",
            py_repr(other)
        ))),
    }
}

/// `offset`: absent or false mean 0.
pub(crate) fn offset(value: Option<&Value>) -> Result<usize, Fault> {
    match value {
        None | Some(Value::Null | Value::Bool(false)) => Ok(0),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|o| o as usize)
            .ok_or_else(|| Fault::value_error(format!("Invalid offset: {n}"))),
        Some(other) => Err(Fault::type_error(format!(
            "Invalid offset: {}",
            py_repr(other)
        ))),
    }
}

/// `order`: absent or false mean the model's default order.
pub(crate) fn order(value: Option<&Value>) -> Result<Option<String>, Fault> {
    match value {
        None | Some(Value::Null | Value::Bool(false)) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Fault::type_error(format!(
            "Invalid order: {}",
            py_repr(other)
        ))),
    }
}

/// `fields`: absent, false or empty mean every field.
pub(crate) fn fields(
    model: &'static ModelDef,
    value: Option<&Value>,
) -> Result<Option<Vec<&'static FieldDef>>, Fault> {
    let items = match value {
        None | Some(Value::Null | Value::Bool(false)) => return Ok(None),
        Some(Value::Array(items)) if items.is_empty() => return Ok(None),
        Some(Value::Array(items)) => items.clone(),
        Some(Value::String(one)) => vec![Value::from(one.clone())],
        Some(other) => {
            return Err(Fault::type_error(format!(
                "Invalid fields: {}",
                py_repr(other)
            )));
        }
    };
    items
        .iter()
        .map(|item| {
            let name = item.as_str().unwrap_or_default();
            model.field(name).ok_or_else(|| {
                Fault::value_error(format!(
                    "Invalid field {} in {}",
                    py_repr(item),
                    py_repr(&model.name.into())
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SEARCH: Sig = Sig {
        qualname: "BaseModel.search",
        params: &["domain", "offset", "limit", "order"],
        required: 1,
        var_kw: false,
    };

    fn kw(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn binds_positional_and_keyword() {
        let b = bind(&SEARCH, vec![json!([])], kw(json!({"limit": 5}))).unwrap();
        assert_eq!(b.get(0), Some(&json!([])));
        assert_eq!(b.get(2), Some(&json!(5)));
        assert_eq!(b.get(1), None);
    }

    #[test]
    fn python_type_errors() {
        let e = bind(&SEARCH, vec![], Map::new()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "TypeError: BaseModel.search() missing 1 required positional argument: 'domain'"
        );
        let e = bind(&SEARCH, vec![json!([])], kw(json!({"nope": 1}))).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("got an unexpected keyword argument 'nope'")
        );
        let e = bind(&SEARCH, vec![json!([]), json!(0)], kw(json!({"offset": 1}))).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("got multiple values for argument 'offset'")
        );
        let e = bind(&SEARCH, vec![json!([]); 5], Map::new()).unwrap_err();
        assert!(
            e.to_string()
                .contains("takes from 2 to 5 positional arguments but 6 were given")
        );
    }

    #[test]
    fn ids_limits_and_fields() {
        assert_eq!(ids(&json!(7)).unwrap(), vec![7]);
        assert_eq!(ids(&json!([1, 2])).unwrap(), vec![1, 2]);
        assert!(ids(&json!("x")).is_err());
        assert_eq!(limit(Some(&json!(0))).unwrap(), None);
        assert_eq!(limit(Some(&json!(3))).unwrap(), Some(3));
        assert!(limit(Some(&json!(-1))).is_err());
        let lead = crate::registry::model("crm.lead").unwrap();
        let err = fields(lead, Some(&json!(["name", "nope"]))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ValueError: Invalid field 'nope' in 'crm.lead'"
        );
    }
}
