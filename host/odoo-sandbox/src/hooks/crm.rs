//! `crm.lead` behaviour: team and stage defaults, won/lost side effects on probability.

use serde_json::{Map, Value};

use crate::compute::teams_of;
use crate::fault::Fault;
use crate::registry;
use crate::store::{Record, State, Tx, truthy};

/// The first non-folded stage for a team (stages without a team are shared), as
/// `crm.lead._stage_find`.
pub(crate) fn first_stage(state: &State, team: Option<i64>, won: bool) -> Option<i64> {
    let model = registry::model("crm.stage").expect("crm.stage");
    let mut ids: Vec<i64> = state
        .ids("crm.stage")
        .into_iter()
        .filter(|&s| {
            let stage_team = state.m2o("crm.stage", s, "team_id");
            stage_team.is_none() || stage_team == team
        })
        .filter(|&s| {
            let row = state.row("crm.stage", s);
            let flag = |f: &str| row.and_then(|r| r.get(f)).is_some_and(truthy);
            if won { flag("is_won") } else { !flag("fold") }
        })
        .collect();
    crate::order::sort_default(state, model, &mut ids);
    ids.first().copied()
}

pub(crate) fn is_won_stage(state: &State, stage: i64) -> bool {
    state
        .row("crm.stage", stage)
        .and_then(|r| r.get("is_won"))
        .is_some_and(truthy)
}

pub(super) fn before_create(
    tx: &mut Tx<'_>,
    rec: &mut Record,
    vals: &Map<String, Value>,
) -> Result<(), Fault> {
    let user = rec.get("user_id").and_then(Value::as_i64);
    if rec.get("team_id").and_then(Value::as_i64).is_none()
        && let Some(team) = user.and_then(|u| teams_of(tx.state(), u).first().copied())
    {
        rec.insert("team_id".into(), Value::from(team));
    }
    let team = rec.get("team_id").and_then(Value::as_i64);
    if rec.get("stage_id").and_then(Value::as_i64).is_none()
        && let Some(stage) = first_stage(tx.state(), team, false)
    {
        rec.insert("stage_id".into(), Value::from(stage));
    }
    let now = Value::from(tx.now.clone());
    if user.is_some() && !vals.contains_key("date_open") {
        rec.insert("date_open".into(), now.clone());
    }
    rec.insert("date_last_stage_update".into(), now.clone());
    let stage = rec.get("stage_id").and_then(Value::as_i64);
    if stage.is_some_and(|s| is_won_stage(tx.state(), s)) {
        if !vals.contains_key("probability") {
            rec.insert("probability".into(), Value::from(100.0));
        }
        if !vals.contains_key("date_closed") {
            rec.insert("date_closed".into(), now);
        }
    }
    if rec.get("active") == Some(&Value::Bool(false)) && !vals.contains_key("probability") {
        rec.insert("probability".into(), Value::from(0.0));
    }
    Ok(())
}

pub(super) fn before_write(tx: &mut Tx<'_>, vals: &mut Map<String, Value>) -> Result<(), Fault> {
    let now = Value::from(tx.now.clone());
    if let Some(stage) = vals.get("stage_id").and_then(Value::as_i64) {
        vals.entry("date_last_stage_update").or_insert(now.clone());
        if is_won_stage(tx.state(), stage) {
            vals.entry("probability").or_insert(Value::from(100.0));
            vals.entry("date_closed").or_insert(now.clone());
        }
    }
    if vals.get("user_id").is_some_and(truthy) {
        vals.entry("date_open").or_insert(now.clone());
    }
    // Archiving a lead is how Odoo marks it lost: its probability computes to 0.
    if vals.get("active").is_some_and(|v| !truthy(v)) {
        vals.entry("probability").or_insert(Value::from(0.0));
        vals.entry("date_closed").or_insert(now);
    }
    Ok(())
}
