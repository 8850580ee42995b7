//! Business methods: chatter (`message_post`), lead outcomes (`action_set_won*`,
//! `action_set_lost`) and order states (`action_confirm`, `action_cancel`, `action_draft`,
//! `action_quotation_sent`), with the return values Odoo 17/18 give over XML-RPC.

use serde_json::{Map, Value, json};

use super::WriteCall;
use super::args::{self, Sig, bind};
use crate::fault::Fault;
use crate::hooks::first_stage;
use crate::ops;
use crate::registry;
use crate::store::truthy;

/// `message_post` takes only keyword arguments after the record.
const MESSAGE_POST: Sig = Sig {
    qualname: "MailThread.message_post",
    params: &[],
    required: 0,
    var_kw: true,
};

/// Subtype external ids the sandbox knows, mapped to subtype names in the seed.
const SUBTYPES: &[(&str, &str)] = &[
    ("mail.mt_comment", "Discussions"),
    ("mail.mt_note", "Note"),
    ("mail.mt_activities", "Activities"),
];

fn ensure_one(call: &WriteCall<'_, '_>, ids: &[i64]) -> Result<i64, Fault> {
    ops::ensure_exist(call.tx, call.model, ids)?;
    match ids {
        [one] => Ok(*one),
        _ => Err(Fault::expected_singleton(call.model.name, ids)),
    }
}

pub(super) fn message_post(
    call: &mut WriteCall<'_, '_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    let mut kw = bind(&MESSAGE_POST, args, kwargs)?.extra;
    let id = ensure_one(call, &ids)?;
    for forbidden in ["model", "res_id", "subtype"] {
        if kw.contains_key(forbidden) {
            return Err(Fault::value_error(
                "message_post doesn't support model and res_id parameters anymore. Please call message_post on record.",
            ));
        }
    }
    let body = kw
        .remove("body")
        .filter(truthy)
        .and_then(|b| b.as_str().map(str::to_owned))
        .unwrap_or_default();
    // Odoo 17/18 escape a plain-string body unless `body_is_html=True`: XML-RPC cannot
    // send a `Markup`, so HTML sent without the flag shows as text in the chatter.
    let html = kw.remove("body_is_html").is_some_and(|v| truthy(&v));
    let body = if html { body } else { escape_html(&body) };
    let subtype = subtype_id(call, kw.remove("subtype_xmlid"), kw.remove("subtype_id"))?;
    // Attachments would need ir.attachment, which the sandbox does not model.
    kw.remove("attachments");
    kw.remove("attachment_ids");
    let user_partner = call.tx.state().m2o("res.users", call.tx.uid, "partner_id");
    let mut vals = kw;
    vals.insert("model".into(), Value::from(call.model.name));
    vals.insert("res_id".into(), Value::from(id));
    vals.insert("body".into(), Value::from(body));
    vals.entry("message_type")
        .or_insert(Value::from("notification"));
    vals.insert(
        "subtype_id".into(),
        subtype.map_or(Value::Bool(false), Value::from),
    );
    if !vals.get("author_id").is_some_and(truthy) {
        vals.insert(
            "author_id".into(),
            user_partner.map_or(Value::Bool(false), Value::from),
        );
    }
    if !vals.get("email_from").is_some_and(truthy)
        && let Some(email) =
            user_partner.and_then(|p| call.tx.state().str_field("res.partner", p, "email"))
    {
        vals.insert("email_from".into(), Value::from(email));
    }
    let message = registry::model("mail.message").expect("mail.message");
    let message_id = ops::create(call.tx, message, &vals)?;
    Ok(Value::from(message_id))
}

fn subtype_id(
    call: &WriteCall<'_, '_>,
    xmlid: Option<Value>,
    id: Option<Value>,
) -> Result<Option<i64>, Fault> {
    if let Some(id) = id.as_ref().and_then(Value::as_i64).filter(|&i| i != 0) {
        return Ok(Some(id));
    }
    let xmlid = xmlid
        .as_ref()
        .and_then(Value::as_str)
        .unwrap_or("mail.mt_note")
        .to_owned();
    let name = SUBTYPES
        .iter()
        .find(|(x, _)| *x == xmlid)
        .map(|(_, name)| *name)
        .ok_or_else(|| {
            Fault::value_error(format!("External ID not found in the system: {xmlid}"))
        })?;
    let state = call.tx.state();
    Ok(state
        .ids("mail.message.subtype")
        .into_iter()
        .find(|&s| state.str_field("mail.message.subtype", s, "name") == Some(name)))
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

fn no_args(
    qualname: &'static str,
    args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<(), Fault> {
    bind(
        &Sig {
            qualname,
            params: &[],
            required: 0,
            var_kw: false,
        },
        args,
        kwargs,
    )
    .map(|_| ())
}

fn won(call: &mut WriteCall<'_, '_>, ids: &[i64]) -> Result<(), Fault> {
    ops::ensure_exist(call.tx, call.model, ids)?;
    for &id in ids {
        let team = call.tx.state().m2o("crm.lead", id, "team_id");
        let stage = first_stage(call.tx.state(), team, true);
        let vals = json!({"active": true, "stage_id": stage.map_or(Value::Bool(false), Value::from), "probability": 100.0});
        ops::write(
            call.tx,
            call.model,
            &[id],
            vals.as_object().expect("object"),
        )?;
    }
    Ok(())
}

pub(super) fn set_won(
    call: &mut WriteCall<'_, '_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    no_args("Lead.action_set_won", args, kwargs)?;
    won(call, &ids)?;
    Ok(Value::Bool(true))
}

/// Marks won and, like Odoo, returns a rainbow-man effect for the salesperson's first
/// won deal of the year (`_get_rainbowman_message`), `True` otherwise.
pub(super) fn set_won_rainbowman(
    call: &mut WriteCall<'_, '_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    no_args("Lead.action_set_won_rainbowman", args, kwargs)?;
    let id = ensure_one(call, &ids)?;
    won(call, &[id])?;
    let state = call.tx.state();
    let (Some(user), Some(_team)) = (
        state.m2o("crm.lead", id, "user_id"),
        state.m2o("crm.lead", id, "team_id"),
    ) else {
        return Ok(Value::Bool(true));
    };
    let year_start = format!("{}-01-01 00:00:00", &call.tx.now[..4]);
    let won_this_year = state
        .ids("crm.lead")
        .into_iter()
        .filter(|&l| state.m2o("crm.lead", l, "user_id") == Some(user))
        .filter(|&l| state.str_field("crm.lead", l, "type") == Some("opportunity"))
        .filter(|&l| state.num("crm.lead", l, "probability") >= 100.0)
        .filter(|&l| {
            state
                .str_field("crm.lead", l, "date_closed")
                .is_some_and(|d| d >= year_start.as_str())
        })
        .count();
    if won_this_year != 1 {
        return Ok(Value::Bool(true));
    }
    Ok(json!({"effect": {
        "fadeout": "slow",
        "message": "Go, go, go! Congrats for your first deal.",
        "img_url": format!("/web/image/res.users/{user}/avatar_128"),
        "type": "rainbow_man",
    }}))
}

/// Archives the leads and writes the extra values (e.g. `lost_reason_id`). Odoo returns
/// `None` here, so over XML-RPC the call commits and then faults with "cannot marshal
/// None"; the database reproduces that after committing (`odoo-external-api.md` §4.5).
pub(super) fn set_lost(
    call: &mut WriteCall<'_, '_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    let extra = bind(
        &Sig {
            qualname: "Lead.action_set_lost",
            params: &[],
            required: 0,
            var_kw: true,
        },
        args,
        kwargs,
    )?
    .extra;
    ops::ensure_exist(call.tx, call.model, &ids)?;
    let mut vals = extra;
    vals.insert("active".into(), Value::Bool(false));
    ops::write(call.tx, call.model, &ids, &vals)?;
    Ok(Value::Null)
}

fn set_order_state(
    call: &mut WriteCall<'_, '_>,
    ids: &[i64],
    from: &[&str],
    to: &str,
) -> Result<(), Fault> {
    ops::ensure_exist(call.tx, call.model, ids)?;
    for &id in ids {
        let current = call
            .tx
            .state()
            .str_field("sale.order", id, "state")
            .unwrap_or("draft")
            .to_owned();
        if from.contains(&current.as_str()) {
            let mut vals = Map::new();
            vals.insert("state".into(), Value::from(to));
            if to == "sale" {
                vals.insert("date_order".into(), Value::from(call.tx.now.clone()));
            }
            ops::write(call.tx, call.model, &[id], &vals)?;
        }
    }
    Ok(())
}

pub(super) fn confirm(
    call: &mut WriteCall<'_, '_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    no_args("SaleOrder.action_confirm", args, kwargs)?;
    ops::ensure_exist(call.tx, call.model, &ids)?;
    let state = call.tx.state();
    let mut bad: Vec<&str> = ids
        .iter()
        .filter_map(|&id| match state.str_field("sale.order", id, "state") {
            Some("sale") => Some("Sales Order"),
            Some("cancel") => Some("Cancelled"),
            _ => None,
        })
        .collect();
    bad.dedup();
    if !bad.is_empty() {
        return Err(Fault::user(format!(
            "It is not allowed to confirm an order in the following states: {}",
            bad.join(", ")
        )));
    }
    set_order_state(call, &ids, &["draft", "sent"], "sale")?;
    Ok(Value::Bool(true))
}

pub(super) fn cancel(
    call: &mut WriteCall<'_, '_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    no_args("SaleOrder.action_cancel", args, kwargs)?;
    set_order_state(call, &ids, &["draft", "sent", "sale"], "cancel")?;
    Ok(Value::Bool(true))
}

pub(super) fn draft(
    call: &mut WriteCall<'_, '_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    no_args("SaleOrder.action_draft", args, kwargs)?;
    set_order_state(call, &ids, &["cancel", "sent"], "draft")?;
    Ok(Value::Bool(true))
}

pub(super) fn quotation_sent(
    call: &mut WriteCall<'_, '_>,
    mut args: Vec<Value>,
    kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    let ids = args::take_ids(&mut args)?;
    no_args("SaleOrder.action_quotation_sent", args, kwargs)?;
    set_order_state(call, &ids, &["draft"], "sent")?;
    Ok(Value::Bool(true))
}
