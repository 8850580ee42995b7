//! `base` and `mail` behaviour: partner company flags, users' partners and unique logins,
//! messages' record names.

use serde_json::{Map, Value};

use crate::fault::Fault;
use crate::registry;
use crate::store::{Record, Tx, display_name, truthy};

/// Keeps `is_company` and `company_type` in step, whichever was given.
fn sync_company_type(
    is_company: Option<&Value>,
    company_type: Option<&Value>,
) -> Option<(bool, &'static str)> {
    match (is_company, company_type.and_then(Value::as_str)) {
        (_, Some("company")) => Some((true, "company")),
        (_, Some("person")) => Some((false, "person")),
        (Some(v), _) if truthy(v) => Some((true, "company")),
        (Some(_), _) => Some((false, "person")),
        _ => None,
    }
}

pub(super) fn partner_before_create(
    rec: &mut Record,
    vals: &Map<String, Value>,
) -> Result<(), Fault> {
    if let Some((is_company, kind)) =
        sync_company_type(vals.get("is_company"), vals.get("company_type"))
    {
        rec.insert("is_company".into(), Value::Bool(is_company));
        rec.insert("company_type".into(), Value::from(kind));
    }
    let is_contact = rec.get("type").and_then(Value::as_str) == Some("contact");
    if is_contact && !rec.get("name").is_some_and(truthy) {
        // res.partner's SQL constraint `check_name`.
        return Err(Fault::user("Contacts require a name"));
    }
    Ok(())
}

pub(super) fn partner_before_write(
    tx: &Tx<'_>,
    ids: &[i64],
    vals: &mut Map<String, Value>,
) -> Result<(), Fault> {
    if let Some((is_company, kind)) =
        sync_company_type(vals.get("is_company"), vals.get("company_type"))
    {
        vals.insert("is_company".into(), Value::Bool(is_company));
        vals.insert("company_type".into(), Value::from(kind));
    }
    // res.partner's SQL constraint `check_name` only binds contacts, not addresses.
    let becomes_contact = |id: &i64| match vals.get("type").and_then(Value::as_str) {
        Some(kind) => kind == "contact",
        None => {
            tx.state()
                .str_field("res.partner", *id, "type")
                .unwrap_or("contact")
                == "contact"
        }
    };
    if vals.get("name").is_some_and(|v| !truthy(v)) && ids.iter().any(becomes_contact) {
        return Err(Fault::user("Contacts require a name"));
    }
    Ok(())
}

fn login_taken(tx: &Tx<'_>, login: &str, except: &[i64]) -> bool {
    let state = tx.state();
    state
        .ids("res.users")
        .into_iter()
        .any(|u| !except.contains(&u) && state.str_field("res.users", u, "login") == Some(login))
}

fn duplicate_login() -> Fault {
    Fault::user(
        "The operation cannot be completed: You can not have two users with the same login!",
    )
}

pub(super) fn user_before_create(
    tx: &mut Tx<'_>,
    rec: &mut Record,
    vals: &Map<String, Value>,
) -> Result<(), Fault> {
    if let Some(login) = rec.get("login").and_then(Value::as_str)
        && login_taken(tx, login, &[])
    {
        return Err(duplicate_login());
    }
    // res.users `_inherits` res.partner: a user without a partner gets one, which then
    // receives the related name/email/phone values.
    if rec.get("partner_id").and_then(Value::as_i64).is_none() {
        let partner_model = registry::model("res.partner").expect("res.partner");
        let mut pvals = Map::new();
        let name = vals
            .get("name")
            .or(vals.get("login"))
            .cloned()
            .unwrap_or(Value::Bool(false));
        pvals.insert("name".into(), name);
        if let Some(company) = rec.get("company_id") {
            pvals.insert("company_id".into(), company.clone());
        }
        let partner = crate::ops::create(tx, partner_model, &pvals)?;
        rec.insert("partner_id".into(), Value::from(partner));
    }
    if rec
        .get("company_ids")
        .is_none_or(|v| v.as_array().is_none_or(Vec::is_empty))
        && let Some(company) = rec.get("company_id").and_then(Value::as_i64)
    {
        rec.insert("company_ids".into(), Value::from(vec![company]));
    }
    Ok(())
}

pub(super) fn user_before_write(
    tx: &mut Tx<'_>,
    ids: &[i64],
    vals: &mut Map<String, Value>,
) -> Result<(), Fault> {
    if let Some(login) = vals.get("login").and_then(Value::as_str)
        && (ids.len() > 1 || login_taken(tx, login, ids))
    {
        return Err(duplicate_login());
    }
    Ok(())
}

pub(super) fn user_before_unlink(ids: &[i64]) -> Result<(), Fault> {
    if ids.iter().any(|&id| id == 1 || id == 2) {
        return Err(Fault::user(
            "You can not remove the admin user as it is used internally for resources created by \
             Odoo (updates, module installation, ...)",
        ));
    }
    Ok(())
}

pub(super) fn message_before_create(tx: &mut Tx<'_>, rec: &mut Record) -> Result<(), Fault> {
    let state = tx.state();
    let target = rec
        .get("model")
        .and_then(Value::as_str)
        .and_then(registry::model);
    if !rec.get("record_name").is_some_and(truthy)
        && let (Some(model), Some(res_id)) = (target, rec.get("res_id").and_then(Value::as_i64))
    {
        rec.insert(
            "record_name".into(),
            Value::from(display_name(state, model, res_id)),
        );
    }
    if let Some(subtype) = rec.get("subtype_id").and_then(Value::as_i64) {
        let internal = state
            .row("mail.message.subtype", subtype)
            .and_then(|r| r.get("internal"))
            .is_some_and(truthy);
        rec.insert("is_internal".into(), Value::Bool(internal));
    }
    Ok(())
}
