//! Reading `project.task` the same way in `list_tasks`, `get_task` and `fetch`.
//!
//! Assignees are `user_ids` (many2many ids) from Odoo 16 on and `user_id` (a
//! many2one) before; either way tools report `[{id, name}]`, with the names of all
//! rows' assignees read in one call.

use std::collections::BTreeMap;

use daniel_plugin_sdk::prelude::*;

use crate::fields;
pub use crate::{Ref, to_ref};

/// The assignee field as read: ids (many2many) or one `[id, name]` (many2one).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Assigned {
    /// `user_ids`.
    Ids(Vec<i64>),
    /// `user_id`.
    One(Many2one),
}

impl Default for Assigned {
    fn default() -> Self {
        Self::Ids(Vec::new())
    }
}

/// A task row.
#[derive(Debug, Deserialize)]
pub struct TaskRow {
    /// Task id.
    pub id: i64,
    /// Title.
    pub name: String,
    /// Project.
    #[serde(default)]
    pub project_id: Many2one,
    /// Stage.
    #[serde(default)]
    pub stage_id: Many2one,
    /// Deadline (a datetime on 17+).
    #[serde(default, deserialize_with = "false_as_none")]
    pub date_deadline: Option<String>,
    /// HTML description, when asked for.
    #[serde(default, deserialize_with = "false_as_none")]
    pub description: Option<String>,
    /// Assignees.
    #[serde(default, alias = "user_id")]
    pub user_ids: Assigned,
    /// False for an archived task.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Tasks matching `domain`, with their description if `with_description`.
///
/// # Errors
///
/// What Odoo refused.
pub fn search(
    ctx: &Context,
    domain: Value,
    opts: SearchOpts,
    with_description: bool,
) -> Result<Vec<TaskRow>, ToolError> {
    let user_field = fields::task_assignees(ctx)?;
    let mut wanted = vec![
        "id",
        "name",
        "active",
        "project_id",
        "stage_id",
        "date_deadline",
        user_field,
    ];
    if with_description {
        wanted.push("description");
    }
    Ok(ctx
        .odoo()
        .search_read("project.task", domain, &wanted, opts)?)
}

/// Each row's assignees as `{id, name}`, in row order.
///
/// # Errors
///
/// What Odoo refused when reading the users' names.
pub fn assignees(ctx: &Context, rows: &[TaskRow]) -> Result<Vec<Vec<Ref>>, ToolError> {
    let mut ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| match &r.user_ids {
            Assigned::Ids(ids) => Some(ids.clone()),
            Assigned::One(_) => None,
        })
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names = user_names(ctx, &ids)?;
    Ok(rows
        .iter()
        .map(|r| match &r.user_ids {
            Assigned::Ids(ids) => ids
                .iter()
                .map(|id| Ref {
                    id: *id,
                    name: names.get(id).cloned().unwrap_or_default(),
                })
                .collect(),
            Assigned::One(m2o) => m2o
                .clone()
                .into_inner()
                .map(|(id, name)| vec![Ref { id, name }])
                .unwrap_or_default(),
        })
        .collect())
}

fn user_names(ctx: &Context, ids: &[i64]) -> Result<BTreeMap<i64, String>, ToolError> {
    #[derive(Deserialize)]
    struct Row {
        id: i64,
        name: String,
    }
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<Row> = ctx.odoo().read("res.users", ids, &["name"])?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_assignee_shapes_deserialize() {
        let row: TaskRow =
            serde_json::from_value(json!({"id": 1, "name": "T", "project_id": [2, "P"], "stage_id": false, "date_deadline": false, "user_ids": [7, 11]}))
                .unwrap();
        assert!(matches!(row.user_ids, Assigned::Ids(ref ids) if ids == &[7, 11]));
        assert!(row.stage_id.is_empty() && row.date_deadline.is_none());
        let row: TaskRow =
            serde_json::from_value(json!({"id": 1, "name": "T", "user_id": [7, "Sofía"]})).unwrap();
        assert!(matches!(row.user_ids, Assigned::One(ref m) if m.id() == Some(7)));
        let row: TaskRow =
            serde_json::from_value(json!({"id": 1, "name": "T", "user_id": false})).unwrap();
        assert!(matches!(row.user_ids, Assigned::One(ref m) if m.is_empty()));
    }
}
