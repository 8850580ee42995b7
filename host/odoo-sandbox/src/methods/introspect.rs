//! Model and user metadata: `fields_get`, `default_get`, `check_access_rights`,
//! `context_get`.

use serde_json::{Map, Value};

use super::ReadCall;
use super::args::{self, Sig, bind};
use crate::fault::Fault;
use crate::registry::{Compute, FieldDef, FieldType, ModelDef};
use crate::store::truthy;

const FIELDS_GET: Sig = Sig {
    qualname: "BaseModel.fields_get",
    params: &["allfields", "attributes"],
    required: 0,
    var_kw: false,
};

pub(super) fn fields_get(
    call: &ReadCall<'_>,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let b = bind(&FIELDS_GET, args, kwargs)?;
    let names = |v: Option<&Value>| -> Option<Vec<String>> {
        let list = v?.as_array()?;
        (!list.is_empty()).then(|| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
    };
    let allfields = names(b.get(0));
    let attributes = names(b.get(1));
    let mut out = Map::new();
    for field in call.model.all_fields() {
        if allfields
            .as_ref()
            .is_some_and(|a| !a.iter().any(|n| n == field.name))
        {
            continue;
        }
        let mut desc = describe(call.model, field);
        if let Some(attrs) = &attributes {
            desc.retain(|k, _| attrs.iter().any(|a| a == k));
        } else if call.model.name == "product.pricelist" {
            // A full `fields_get` on product.pricelist fails on real Odoo 18/19 because one
            // attribute is None and cannot be marshalled (§4.5); keep that trap so clients
            // learn to pass `attributes`.
            desc.insert("company_dependent_property".into(), Value::Null);
        }
        out.insert(field.name.to_owned(), Value::Object(desc));
    }
    Ok(Value::Object(out))
}

/// One field's `fields_get` description.
fn describe(model: &ModelDef, field: &FieldDef) -> Map<String, Value> {
    let stored = field.is_stored() || field.name == "id";
    let related = matches!(field.compute, Some(Compute::Related(..)));
    let mut d = Map::new();
    d.insert("name".into(), Value::from(field.name));
    d.insert("type".into(), Value::from(field.ftype.as_str()));
    d.insert("string".into(), Value::from(field.string));
    if !field.help.is_empty() {
        d.insert("help".into(), Value::from(field.help));
    }
    d.insert("required".into(), Value::Bool(field.required));
    d.insert("readonly".into(), Value::Bool(field.readonly));
    d.insert("store".into(), Value::Bool(stored));
    d.insert("searchable".into(), Value::Bool(true));
    d.insert(
        "sortable".into(),
        Value::Bool(stored && !field.ftype.is_x2many()),
    );
    d.insert(
        "groupable".into(),
        Value::Bool(stored && field.ftype != FieldType::Binary),
    );
    d.insert("manual".into(), Value::Bool(field.name.starts_with("x_")));
    d.insert("company_dependent".into(), Value::Bool(false));
    d.insert("translate".into(), Value::Bool(false));
    d.insert("exportable".into(), Value::Bool(true));
    d.insert("depends".into(), Value::Array(Vec::new()));
    if related && let Some(Compute::Related(via, target)) = field.compute {
        d.insert("related".into(), Value::from(format!("{via}.{target}")));
    }
    if let Some(rel) = field.relation {
        d.insert("relation".into(), Value::from(rel));
        d.insert("domain".into(), Value::Array(Vec::new()));
        d.insert("context".into(), Value::Object(Map::new()));
    }
    if let Some(inv) = field.relation_field {
        d.insert("relation_field".into(), Value::from(inv));
    }
    if field.ftype == FieldType::Selection {
        let pairs = field
            .selection
            .iter()
            .map(|(k, l)| Value::from(vec![Value::from(*k), Value::from(*l)]));
        d.insert("selection".into(), Value::Array(pairs.collect()));
    }
    if field.ftype == FieldType::Monetary {
        let currency = if model.field("currency_id").is_some() {
            "currency_id"
        } else {
            "company_currency"
        };
        d.insert("currency_field".into(), Value::from(currency));
    }
    d
}

const DEFAULT_GET: Sig = Sig {
    qualname: "BaseModel.default_get",
    params: &["fields_list"],
    required: 1,
    var_kw: false,
};

pub(super) fn default_get(
    call: &ReadCall<'_>,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let b = bind(&DEFAULT_GET, args, kwargs)?;
    let fields = args::fields(call.model, b.get(0))?.unwrap_or_default();
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
    let mut out = Map::new();
    for field in fields {
        let value = match call.ctx.defaults.get(field.name) {
            Some(v) => v.clone(),
            None if field.default.is_some() => {
                crate::ops::default_value(call.state, call.uid, &now, field)
            }
            None => continue,
        };
        out.insert(field.name.to_owned(), value);
    }
    Ok(Value::Object(out))
}

const CHECK_ACCESS: Sig = Sig {
    qualname: "BaseModel.check_access_rights",
    params: &["operation", "raise_exception"],
    required: 1,
    var_kw: false,
};

pub(super) fn check_access_rights(
    call: &ReadCall<'_>,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let b = bind(&CHECK_ACCESS, args, kwargs)?;
    let access = match b.get(0).and_then(Value::as_str) {
        Some("read") => super::Access::Read,
        Some("create") => super::Access::Create,
        Some("write") => super::Access::Write,
        Some("unlink") => super::Access::Unlink,
        _ => return Err(Fault::value_error("Invalid access mode")),
    };
    if access == super::Access::Read || !call.read_only {
        return Ok(Value::Bool(true));
    }
    if b.get(1).is_none_or(truthy) {
        Err(crate::database::access_error(call.model, access))
    } else {
        Ok(Value::Bool(false))
    }
}

pub(super) fn context_get(
    call: &ReadCall<'_>,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    bind(
        &Sig {
            qualname: "Users.context_get",
            params: &[],
            required: 0,
            var_kw: false,
        },
        args,
        kwargs,
    )?;
    let lang = call
        .state
        .m2o("res.users", call.uid, "partner_id")
        .and_then(|p| call.state.str_field("res.partner", p, "lang"))
        .unwrap_or("en_US");
    let tz = call
        .state
        .str_field("res.users", call.uid, "tz")
        .map_or(Value::Bool(false), Value::from);
    Ok(serde_json::json!({"lang": lang, "tz": tz, "uid": call.uid}))
}
