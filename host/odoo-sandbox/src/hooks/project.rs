//! `project.task` behaviour: stage from the project's stages, assignment and end dates.

use serde_json::{Map, Value};

use crate::fault::Fault;
use crate::registry;
use crate::store::{Record, State, Tx, truthy};

/// The first active stage (by sequence) among a project's task stages.
fn first_project_stage(state: &State, project: i64) -> Option<i64> {
    let model = registry::model("project.task.type").expect("project.task.type");
    let mut stages: Vec<i64> = state
        .id_list("project.project", project, "type_ids")
        .into_iter()
        .filter(|&s| state.exists(model.name, s) && state.is_active(model, s))
        .collect();
    crate::order::sort_default(state, model, &mut stages);
    stages.first().copied()
}

pub(super) fn before_create(
    tx: &mut Tx<'_>,
    rec: &mut Record,
    vals: &Map<String, Value>,
) -> Result<(), Fault> {
    if rec.get("stage_id").and_then(Value::as_i64).is_none()
        && let Some(project) = rec.get("project_id").and_then(Value::as_i64)
        && let Some(stage) = first_project_stage(tx.state(), project)
    {
        rec.insert("stage_id".into(), Value::from(stage));
    }
    if vals.get("user_ids").is_some_and(truthy) && !vals.contains_key("date_assign") {
        rec.insert("date_assign".into(), Value::from(tx.now.clone()));
    }
    Ok(())
}

pub(super) fn before_write(tx: &mut Tx<'_>, vals: &mut Map<String, Value>) -> Result<(), Fault> {
    let now = Value::from(tx.now.clone());
    if vals.get("user_ids").is_some_and(truthy) {
        vals.entry("date_assign").or_insert(now.clone());
    }
    if matches!(
        vals.get("state").and_then(Value::as_str),
        Some("1_done" | "1_canceled")
    ) {
        vals.entry("date_end").or_insert(now);
    }
    Ok(())
}
