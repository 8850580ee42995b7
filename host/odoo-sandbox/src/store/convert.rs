//! Conversion of incoming values to cache format, with Odoo's coercions and errors.
//!
//! Mirrors each field class's `convert_to_cache`: `int(value or 0)` for integers,
//! `float(value or 0.0)` for floats, selection keys checked, dates parsed, and many2one
//! targets that must exist (a foreign key in Odoo).

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use super::{State, truthy};
use crate::fault::{Fault, py_repr};
use crate::registry::{FieldDef, FieldType, ModelDef};

const DATE_FORMAT: &str = "%Y-%m-%d";
const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Converts a value written to a non-x2many field to cache format.
pub(crate) fn to_cache(
    state: &State,
    model: &ModelDef,
    field: &FieldDef,
    value: &Value,
) -> Result<Value, Fault> {
    match field.ftype {
        FieldType::Char | FieldType::Text | FieldType::Html | FieldType::Binary => {
            text(model, field, value)
        }
        FieldType::Selection => selection(model, field, value),
        FieldType::Integer => integer(value),
        FieldType::Float | FieldType::Monetary => float(value),
        FieldType::Boolean => Ok(Value::Bool(truthy(value))),
        FieldType::Date => match value {
            v if !truthy(v) => Ok(Value::Bool(false)),
            Value::String(s) => normalize_date(s).map(Value::String),
            other => Err(wrong_value(model, field, other)),
        },
        FieldType::Datetime => match value {
            v if !truthy(v) => Ok(Value::Bool(false)),
            Value::String(s) => normalize_datetime(s).map(Value::String),
            other => Err(wrong_value(model, field, other)),
        },
        FieldType::Many2one => many2one(state, model, field, value),
        FieldType::One2many | FieldType::Many2many => {
            unreachable!("x2many values are commands, handled by ops::x2many")
        }
    }
}

fn wrong_value(model: &ModelDef, field: &FieldDef, value: &Value) -> Fault {
    Fault::value_error(format!(
        "Wrong value for {}.{}: {}",
        model.name,
        field.name,
        py_repr(value)
    ))
}

fn text(model: &ModelDef, field: &FieldDef, value: &Value) -> Result<Value, Fault> {
    match value {
        Value::Null | Value::Bool(false) => Ok(Value::Bool(false)),
        Value::String(s) if s.is_empty() => Ok(Value::Bool(false)),
        Value::String(s) => Ok(Value::String(s.clone())),
        // Odoo stores `str(value)` for scalars written to text fields.
        Value::Number(n) => Ok(Value::String(n.to_string())),
        Value::Bool(true) => Ok(Value::String("True".to_owned())),
        other => Err(wrong_value(model, field, other)),
    }
}

fn selection(model: &ModelDef, field: &FieldDef, value: &Value) -> Result<Value, Fault> {
    if let Value::String(s) = value
        && field.selection.iter().any(|(key, _)| key == s)
    {
        return Ok(value.clone());
    }
    if !truthy(value) {
        return Ok(Value::Bool(false));
    }
    Err(wrong_value(model, field, value))
}

fn integer(value: &Value) -> Result<Value, Fault> {
    match value {
        v if !truthy(v) => Ok(Value::from(0)),
        Value::Bool(true) => Ok(Value::from(1)),
        Value::Number(n) => Ok(Value::from(
            n.as_i64()
                .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
        )),
        Value::String(s) => s.trim().parse::<i64>().map(Value::from).map_err(|_| {
            Fault::value_error(format!(
                "invalid literal for int() with base 10: {}",
                py_repr(value)
            ))
        }),
        other => Err(Fault::type_error(format!(
            "int() argument must be a string, a bytes-like object or a real number, not {}",
            py_type(other)
        ))),
    }
}

fn float(value: &Value) -> Result<Value, Fault> {
    match value {
        v if !truthy(v) => Ok(Value::from(0.0)),
        Value::Bool(true) => Ok(Value::from(1.0)),
        Value::Number(n) => Ok(Value::from(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => s.trim().parse::<f64>().map(Value::from).map_err(|_| {
            Fault::value_error(format!(
                "could not convert string to float: {}",
                py_repr(value)
            ))
        }),
        other => Err(Fault::type_error(format!(
            "float() argument must be a string or a real number, not {}",
            py_type(other)
        ))),
    }
}

fn py_type(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "'list'",
        Value::Object(_) => "'dict'",
        Value::Null => "'NoneType'",
        _ => "'str'",
    }
}

fn many2one(
    state: &State,
    model: &ModelDef,
    field: &FieldDef,
    value: &Value,
) -> Result<Value, Fault> {
    let id = match value {
        v if !truthy(v) => return Ok(Value::Bool(false)),
        Value::Number(n) => n.as_i64(),
        // A `(id, name)` pair, as `read` answers, is accepted back like Odoo does.
        Value::Array(pair) if pair.len() == 2 => pair[0].as_i64(),
        _ => None,
    };
    let Some(id) = id else {
        return Err(wrong_value(model, field, value));
    };
    let comodel = field.relation.expect("many2one has a comodel");
    if !state.exists(comodel, id) {
        return Err(foreign_key(model, field));
    }
    Ok(Value::from(id))
}

/// What Odoo answers when PostgreSQL reports a foreign key violation: the same text for
/// a dangling reference on insert and for a restricted delete.
pub(crate) fn foreign_key(model: &ModelDef, field: &FieldDef) -> Fault {
    Fault::user(format!(
        "The operation cannot be completed: another model requires the record being \
         deleted. If possible, archive it instead.\n\nModel: {} ({})\nConstraint: {}_{}_fkey",
        model.description,
        model.name,
        model.name.replace('.', "_"),
        field.name
    ))
}

/// What Odoo answers when a NOT NULL column (a required field) is left empty.
pub(crate) fn not_null(model: &ModelDef, field: &FieldDef) -> Fault {
    Fault::user(format!(
        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n\
         - Delete: another model requires the record being deleted. If possible, archive it \
         instead.\n\nModel: {} ({})\nField: {} ({})",
        model.description, model.name, field.string, field.name
    ))
}

/// `YYYY-MM-DD`, also taken from the date part of a datetime, as `fields.Date.to_date`.
pub(crate) fn normalize_date(s: &str) -> Result<String, Fault> {
    let head = s.get(..10).unwrap_or(s);
    NaiveDate::parse_from_str(head, DATE_FORMAT)
        .map(|d| d.format(DATE_FORMAT).to_string())
        .map_err(|_| {
            Fault::value_error(format!(
                "time data {} does not match format '{DATE_FORMAT}'",
                py_repr(&Value::from(s))
            ))
        })
}

/// `YYYY-MM-DD HH:MM:SS` (naive UTC). A bare date means midnight; the ISO `T` form and
/// XML-RPC's `dateTime.iso8601` text are accepted too, fractions and `Z` dropped.
pub(crate) fn normalize_datetime(s: &str) -> Result<String, Fault> {
    let trimmed = s.trim().trim_end_matches('Z');
    let parsed = if trimmed.len() == 10 {
        NaiveDate::parse_from_str(trimmed, DATE_FORMAT)
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    } else {
        let head = trimmed.get(..19).unwrap_or(trimmed);
        ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y%m%dT%H:%M:%S"]
            .iter()
            .find_map(|fmt| NaiveDateTime::parse_from_str(head, fmt).ok())
            .or_else(|| NaiveDateTime::parse_from_str(trimmed, "%Y%m%dT%H:%M:%S").ok())
    };
    parsed
        .map(|dt| dt.format(DATETIME_FORMAT).to_string())
        .ok_or_else(|| {
            Fault::value_error(format!(
                "time data {} does not match format '{DATETIME_FORMAT}'",
                py_repr(&Value::from(s))
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::model;
    use serde_json::json;

    fn conv(model_name: &str, field: &str, v: Value) -> Result<Value, Fault> {
        let m = model(model_name).unwrap();
        to_cache(&State::new(), m, m.field(field).unwrap(), &v)
    }

    #[test]
    fn scalars_coerce_like_python() {
        assert_eq!(
            conv("crm.lead", "probability", json!(5)).unwrap(),
            json!(5.0)
        );
        assert_eq!(
            conv("crm.lead", "probability", json!(false)).unwrap(),
            json!(0.0)
        );
        assert_eq!(conv("crm.lead", "color", json!("7")).unwrap(), json!(7));
        assert_eq!(
            conv("crm.lead", "phone", json!(5512)).unwrap(),
            json!("5512")
        );
        assert_eq!(conv("crm.lead", "phone", json!("")).unwrap(), json!(false));
        assert_eq!(conv("crm.lead", "active", json!(0)).unwrap(), json!(false));
        let err = conv("crm.lead", "color", json!("x")).unwrap_err();
        assert_eq!(err.code(), 1);
    }

    #[test]
    fn selection_checks_keys() {
        assert_eq!(
            conv("crm.lead", "type", json!("opportunity")).unwrap(),
            json!("opportunity")
        );
        let err = conv("crm.lead", "type", json!("nope")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ValueError: Wrong value for crm.lead.type: 'nope'"
        );
    }

    #[test]
    fn dates_normalise() {
        assert_eq!(normalize_date("2026-01-02 03:04:05").unwrap(), "2026-01-02");
        assert_eq!(
            normalize_datetime("2026-01-02").unwrap(),
            "2026-01-02 00:00:00"
        );
        assert_eq!(
            normalize_datetime("2026-01-02T03:04:05Z").unwrap(),
            "2026-01-02 03:04:05"
        );
        assert_eq!(
            normalize_datetime("20260102T03:04:05").unwrap(),
            "2026-01-02 03:04:05"
        );
        assert!(normalize_datetime("tomorrow").is_err());
        assert!(normalize_date("2026-13-01").is_err());
    }

    #[test]
    fn dangling_many2one_is_a_foreign_key_fault() {
        let err = conv("crm.lead", "stage_id", json!(999)).unwrap_err();
        assert_eq!(err.code(), 2);
        assert!(
            err.to_string()
                .contains("Constraint: crm_lead_stage_id_fkey")
        );
    }
}
