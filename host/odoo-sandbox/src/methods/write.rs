//! Write methods: `create` (a dict or a list of dicts, as Odoo 17+), `write`, `unlink`,
//! `name_create`.

use serde_json::{Map, Value};

use super::WriteCall;
use super::args::{self, Sig, bind};
use crate::fault::{Fault, py_repr};
use crate::ops;
use crate::store::display_name;

const CREATE: Sig = Sig {
    qualname: "BaseModel.create",
    params: &["vals_list"],
    required: 1,
    var_kw: false,
};

pub(super) fn create(
    call: &mut WriteCall<'_, '_>,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let b = bind(&CREATE, args, kwargs)?;
    match b.get(0) {
        Some(Value::Object(vals)) => Ok(Value::from(ops::create(call.tx, call.model, vals)?)),
        Some(Value::Array(list)) => {
            let mut ids = Vec::with_capacity(list.len());
            for item in list {
                let vals = item.as_object().ok_or_else(|| not_a_dict(item))?;
                ids.push(ops::create(call.tx, call.model, vals)?);
            }
            Ok(Value::from(ids))
        }
        Some(other) => Err(not_a_dict(other)),
        None => unreachable!("required argument bound"),
    }
}

fn not_a_dict(value: &Value) -> Fault {
    Fault::type_error(format!(
        "'{}' object is not a mapping: {}",
        match value {
            Value::Array(_) => "list",
            Value::String(_) => "str",
            Value::Number(_) => "int",
            Value::Bool(_) => "bool",
            _ => "NoneType",
        },
        py_repr(value)
    ))
}

const WRITE: Sig = Sig {
    qualname: "BaseModel.write",
    params: &["vals"],
    required: 1,
    var_kw: false,
};

pub(super) fn write(
    call: &mut WriteCall<'_, '_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    let b = bind(&WRITE, args, kwargs)?;
    let vals = b
        .get(0)
        .and_then(Value::as_object)
        .ok_or_else(|| not_a_dict(b.get(0).unwrap_or(&Value::Null)))?;
    ops::write(call.tx, call.model, &ids, vals)?;
    Ok(Value::Bool(true))
}

pub(super) fn unlink(
    call: &mut WriteCall<'_, '_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    bind(
        &Sig {
            qualname: "BaseModel.unlink",
            params: &[],
            required: 0,
            var_kw: false,
        },
        args,
        kwargs,
    )?;
    ops::unlink(call.tx, call.model, &ids)?;
    Ok(Value::Bool(true))
}

const NAME_CREATE: Sig = Sig {
    qualname: "BaseModel.name_create",
    params: &["name"],
    required: 1,
    var_kw: false,
};

pub(super) fn name_create(
    call: &mut WriteCall<'_, '_>,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let b = bind(&NAME_CREATE, args, kwargs)?;
    if call.model.field("name").is_none() {
        return Err(Fault::user(format!(
            "Cannot execute name_create, no _rec_name defined on {}",
            call.model.name
        )));
    }
    let mut vals = Map::new();
    vals.insert(
        "name".into(),
        b.get(0).cloned().unwrap_or(Value::Bool(false)),
    );
    let id = ops::create(call.tx, call.model, &vals)?;
    let shown = display_name(call.tx.state(), call.model, id);
    Ok(Value::from(vec![Value::from(id), Value::from(shown)]))
}
