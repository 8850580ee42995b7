//! The `common` service (`version`, `about`, `login`, `authenticate`) and the read-only
//! part of the `db` service (`list`, `db_exist`, `server_version`, `list_lang`).

use serde_json::{Value, json};

use super::{arity, check_db};
use crate::fault::Fault;
use crate::sandbox::Sandbox;

pub(super) fn dispatch(
    sandbox: &Sandbox,
    method: &str,
    params: Vec<Value>,
) -> Result<Value, Fault> {
    let version = sandbox.config.version;
    match method {
        "version" => Ok(json!({
            "server_version": version.series(),
            "server_version_info": [version.major(), 0, 0, "final", 0, ""],
            "server_serie": version.series(),
            "protocol_version": 1,
        })),
        "about" => {
            arity("exp_about", &params, &["extended"], 0)?;
            let info = Value::from("See http://openerp.com");
            if params.first().is_some_and(crate::store::truthy) {
                Ok(json!([info, version.series()]))
            } else {
                Ok(info)
            }
        }
        "login" => {
            arity("exp_login", &params, &["db", "login", "password"], 3)?;
            authenticate(sandbox, &params)
        }
        "authenticate" => {
            arity(
                "exp_authenticate",
                &params,
                &["db", "login", "password", "user_agent_env"],
                4,
            )?;
            authenticate(sandbox, &params)
        }
        "timezone_get" => Ok(Value::from("UTC")),
        _ => Err(Fault::internal(
            "Exception",
            format!("Method not found: {method}"),
        )),
    }
}

/// A uid, or `false` (not a fault) for bad credentials.
fn authenticate(sandbox: &Sandbox, params: &[Value]) -> Result<Value, Fault> {
    check_db(sandbox, &params[0])?;
    let (Some(login), Some(password)) = (params[1].as_str(), params[2].as_str()) else {
        return Ok(Value::Bool(false));
    };
    Ok(sandbox
        .database
        .authenticate(login, password)
        .map_or(Value::Bool(false), Value::from))
}

/// Database-management methods that need the master password, which the sandbox never
/// accepts.
const ADMIN_METHODS: &[&str] = &[
    "create_database",
    "duplicate_database",
    "drop",
    "dump",
    "restore",
    "rename",
    "change_admin_password",
    "migrate_databases",
];

pub(super) fn dispatch_db(
    sandbox: &Sandbox,
    method: &str,
    params: Vec<Value>,
) -> Result<Value, Fault> {
    match method {
        "list" => Ok(json!([sandbox.config.db])),
        "db_exist" => {
            arity("exp_db_exist", &params, &["db_name"], 1)?;
            Ok(Value::Bool(
                params[0].as_str() == Some(sandbox.config.db.as_str()),
            ))
        }
        "server_version" => Ok(Value::from(sandbox.config.version.series())),
        "list_lang" => Ok(json!([
            ["en_US", "English (US)"],
            ["es_MX", "Spanish (MX) / Español (MX)"]
        ])),
        m if ADMIN_METHODS.contains(&m) => Err(Fault::AccessDenied),
        _ => Err(Fault::internal(
            "KeyError",
            format!("'Method not found: {method}'"),
        )),
    }
}
