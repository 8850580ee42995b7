//! Field defaults on create (`default=` in Odoo field declarations).
//!
//! Defaults that depend on other values of the new record (a lead's stage from its team,
//! an order's addresses from its customer) are hooks, not defaults: see `hooks`.

use chrono::{Duration, NaiveDate};
use serde_json::Value;

use crate::compute::company_currency;
use crate::registry::{self, Default, FieldDef};
use crate::store::{State, empty};

/// The default of one stored field for a record created by `uid` at `now`.
pub(crate) fn default_value(state: &State, uid: i64, now: &str, field: &FieldDef) -> Value {
    let Some(default) = field.default else {
        return empty(field);
    };
    match default {
        Default::Bool(b) => Value::Bool(b),
        Default::Int(i) => Value::from(i),
        Default::Float(f) => Value::from(f),
        Default::Str(s) => Value::from(s),
        Default::Now => Value::from(now),
        Default::TodayPlus(days) => {
            let today = NaiveDate::parse_from_str(&now[..10], "%Y-%m-%d").unwrap_or_default();
            Value::from(
                (today + Duration::days(days))
                    .format("%Y-%m-%d")
                    .to_string(),
            )
        }
        Default::CurrentUser => Value::from(uid),
        Default::CurrentPartner => opt(state.m2o("res.users", uid, "partner_id")),
        Default::CurrentCompany => opt(user_company(state, uid)),
        Default::CompanyCurrency => {
            opt(user_company(state, uid).and_then(|c| company_currency(state, c)))
        }
        Default::FirstOf => {
            let comodel = field
                .relation
                .and_then(registry::model)
                .expect("FirstOf on a relation");
            let mut ids: Vec<i64> = state
                .ids(comodel.name)
                .into_iter()
                .filter(|&i| state.is_active(comodel, i))
                .collect();
            crate::order::sort_default(state, comodel, &mut ids);
            opt(ids.first().copied())
        }
    }
}

fn opt(id: Option<i64>) -> Value {
    id.map_or(Value::Bool(false), Value::from)
}

/// The user's company, or the first company when the user has none.
pub(crate) fn user_company(state: &State, uid: i64) -> Option<i64> {
    state
        .m2o("res.users", uid, "company_id")
        .or_else(|| state.ids("res.company").first().copied())
}
