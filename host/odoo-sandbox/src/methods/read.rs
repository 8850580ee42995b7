//! Record reads: `search`, `search_read`, `search_count`, `read`, `name_search`, `exists`.

use serde_json::{Map, Value};

use super::ReadCall;
use super::args::{self, Sig, bind};
use crate::context::Context;
use crate::domain;
use crate::fault::Fault;
use crate::order;
use crate::registry::{FieldDef, ModelDef};
use crate::store::{self, State, truthy};

/// Ids matching a domain, with Odoo's implicit `active = True`, sorted and sliced.
pub(crate) fn search_ids(
    state: &State,
    ctx: &Context,
    model: &'static ModelDef,
    domain: &Value,
    offset: usize,
    limit: Option<usize>,
    order_spec: Option<&str>,
) -> Result<Vec<i64>, Fault> {
    let mut node = domain::parse(model, domain)?;
    if ctx.active_test && model.has_active() && !node.mentions_active() {
        let active = domain::parse(model, &serde_json::json!([["active", "=", true]]))?;
        node = node.and(active);
    }
    let terms = order::parse(model, order_spec.unwrap_or(model.order))?;
    let cond = domain::compile(state, &node)?;
    let mut ids: Vec<i64> = state
        .ids(model.name)
        .into_iter()
        .filter(|&id| cond.matches(state, model, id))
        .collect();
    order::sort(state, model, &mut ids, &terms);
    Ok(ids
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect())
}

const SEARCH: Sig = Sig {
    qualname: "BaseModel.search",
    params: &["domain", "offset", "limit", "order"],
    required: 1,
    var_kw: false,
};

pub(super) fn search(
    call: &ReadCall<'_>,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let b = bind(&SEARCH, args, kwargs)?;
    let ids = search_ids(
        call.state,
        call.ctx,
        call.model,
        b.get(0).unwrap_or(&Value::Null),
        args::offset(b.get(1))?,
        args::limit(b.get(2))?,
        args::order(b.get(3))?.as_deref(),
    )?;
    Ok(Value::from(ids))
}

const SEARCH_READ: Sig = Sig {
    qualname: "BaseModel.search_read",
    params: &["domain", "fields", "offset", "limit", "order", "load"],
    required: 0,
    var_kw: false,
};

pub(super) fn search_read(
    call: &ReadCall<'_>,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let b = bind(&SEARCH_READ, args, kwargs)?;
    let fields = args::fields(call.model, b.get(1))?;
    let ids = search_ids(
        call.state,
        call.ctx,
        call.model,
        b.get(0).unwrap_or(&Value::Null),
        args::offset(b.get(2))?,
        args::limit(b.get(3))?,
        args::order(b.get(4))?.as_deref(),
    )?;
    Ok(read_records(
        call.state,
        call.model,
        &ids,
        fields.as_deref(),
        classic_load(b.get(5)),
    ))
}

const SEARCH_COUNT: Sig = Sig {
    qualname: "BaseModel.search_count",
    params: &["domain", "limit"],
    required: 1,
    var_kw: false,
};

pub(super) fn search_count(
    call: &ReadCall<'_>,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let b = bind(&SEARCH_COUNT, args, kwargs)?;
    let domain = b.get(0).unwrap_or(&Value::Null);
    let ids = search_ids(
        call.state,
        call.ctx,
        call.model,
        domain,
        0,
        args::limit(b.get(1))?,
        Some("id"),
    )?;
    Ok(Value::from(ids.len()))
}

const READ: Sig = Sig {
    qualname: "BaseModel.read",
    params: &["fields", "load"],
    required: 0,
    var_kw: false,
};

pub(super) fn read(
    call: &ReadCall<'_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    let b = bind(&READ, args, kwargs)?;
    let fields = args::fields(call.model, b.get(0))?;
    // Missing ids are silently dropped, as Odoo 18/19 do.
    let ids: Vec<i64> = ids
        .into_iter()
        .filter(|&id| call.state.exists(call.model.name, id))
        .collect();
    Ok(read_records(
        call.state,
        call.model,
        &ids,
        fields.as_deref(),
        classic_load(b.get(1)),
    ))
}

/// `load='_classic_read'` (the default) reads many2one as `[id, name]`; a falsy `load`
/// reads bare ids.
fn classic_load(load: Option<&Value>) -> bool {
    load.is_none_or(truthy)
}

/// Records as `read` returns them, with `id` always included.
pub(crate) fn read_records(
    state: &State,
    model: &'static ModelDef,
    ids: &[i64],
    fields: Option<&[&'static FieldDef]>,
    classic: bool,
) -> Value {
    let all: Vec<&'static FieldDef> = model.all_fields().iter().collect();
    let fields = fields.unwrap_or(&all);
    let rows = ids.iter().map(|&id| {
        let mut row = Map::new();
        row.insert("id".into(), Value::from(id));
        for field in fields {
            let value = if field.name == "password" {
                // Write-only, as in Odoo: reads never disclose it.
                Value::Bool(false)
            } else {
                store::to_read(state, field, store::value(state, model, id, field), classic)
            };
            row.insert(field.name.to_owned(), value);
        }
        Value::Object(row)
    });
    Value::Array(rows.collect())
}
const NAME_SEARCH: Sig = Sig {
    qualname: "BaseModel.name_search",
    params: &["name", "args", "operator", "limit"],
    required: 0,
    var_kw: false,
};

pub(super) fn name_search(
    call: &ReadCall<'_>,
    args: Vec<Value>,
    mut kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    // 17/18 call the domain `args`, 19 `domain`: accept both so clients of any version work.
    if let Some(domain) = kwargs.remove("domain") {
        if kwargs.contains_key("args") || args.len() > 1 {
            return Err(Fault::type_error(
                "BaseModel.name_search() got multiple values for argument 'args'",
            ));
        }
        kwargs.insert("args".into(), domain);
    }
    let b = bind(&NAME_SEARCH, args, kwargs)?;
    let name = b
        .get(0)
        .filter(|v| truthy(v))
        .cloned()
        .unwrap_or(Value::from(""));
    let operator = b.get(2).and_then(Value::as_str).unwrap_or("ilike");
    let limit = match b.get(3) {
        None => Some(100),
        other => args::limit(other)?,
    };
    let mut domain = match b.get(1) {
        Some(Value::Array(items)) => items.clone(),
        None | Some(Value::Null | Value::Bool(false)) => Vec::new(),
        Some(other) => return Err(Fault::value_error(format!("Invalid domain: {other}"))),
    };
    let name_str = name.as_str().unwrap_or_default();
    if !(name_str.is_empty() && operator == "ilike") {
        if !domain.is_empty() {
            domain.insert(0, Value::from("&"));
        }
        domain.push(serde_json::json!(["display_name", operator, name]));
    }
    let ids = search_ids(
        call.state,
        call.ctx,
        call.model,
        &Value::Array(domain),
        0,
        limit,
        None,
    )?;
    let pairs = ids.into_iter().map(|id| {
        let shown = store::display_name(call.state, call.model, id);
        Value::from(vec![Value::from(id), Value::from(shown)])
    });
    Ok(Value::Array(pairs.collect()))
}

pub(super) fn exists(
    call: &ReadCall<'_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    bind(
        &Sig {
            qualname: "BaseModel.exists",
            params: &[],
            required: 0,
            var_kw: false,
        },
        args,
        kwargs,
    )?;
    Ok(Value::from(
        ids.into_iter()
            .filter(|&id| call.state.exists(call.model.name, id))
            .collect::<Vec<_>>(),
    ))
}
