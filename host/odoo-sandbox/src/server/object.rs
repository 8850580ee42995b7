//! The `object` service: `execute_kw(db, uid, password, model, method, args, kwargs)` and
//! `execute(db, uid, password, model, method, *args)`, credentials checked on every call.

use serde_json::{Map, Value};

use super::{arity, check_db};
use crate::fault::{Fault, py_repr};
use crate::sandbox::Sandbox;

pub(super) fn dispatch(
    sandbox: &Sandbox,
    method: &str,
    mut params: Vec<Value>,
) -> Result<Value, Fault> {
    let (args, kwargs) = match method {
        "execute_kw" => {
            arity(
                "execute_kw",
                &params,
                &["db", "uid", "passwd", "obj", "method", "args", "kw"],
                6,
            )?;
            let kwargs = match params.get(6) {
                None | Some(Value::Null | Value::Bool(false)) => Map::new(),
                Some(Value::Object(map)) => map.clone(),
                Some(other) => {
                    return Err(Fault::type_error(format!(
                        "execute_kw() argument after ** must be a mapping, not {}",
                        py_repr(other)
                    )));
                }
            };
            let args = match &params[5] {
                Value::Array(items) => items.clone(),
                other => {
                    return Err(Fault::type_error(format!(
                        "execute_kw() argument after * must be an iterable, not {}",
                        py_repr(other)
                    )));
                }
            };
            (args, kwargs)
        }
        "execute" => {
            // `execute(db, uid, passwd, obj, method, *args)`: only a minimum count.
            let required = ["db", "uid", "passwd", "obj", "method"];
            arity("execute", &params[..params.len().min(5)], &required, 5)?;
            (params.split_off(5), Map::new())
        }
        _ => {
            return Err(Fault::internal(
                "NameError",
                format!("Method not available {method}"),
            ));
        }
    };
    check_db(sandbox, &params[0])?;
    let uid = params[1].as_i64().ok_or(Fault::AccessDenied)?;
    let password = params[2].as_str().ok_or(Fault::AccessDenied)?;
    sandbox.database.check_credentials(uid, password)?;
    let (Some(model), Some(name)) = (params[3].as_str(), params[4].as_str()) else {
        return Err(Fault::type_error("model and method must be strings"));
    };
    let _span =
        tracing::debug_span!("odoo_sandbox.execute_kw", model, method = name, uid).entered();
    sandbox.database.execute_kw(uid, model, name, args, kwargs)
}
