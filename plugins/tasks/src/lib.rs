//! `list_tasks` and `get_task`: project tasks with their assignees (read-only).
//!
//! Assignees come back as `[{id, name}]` whether the instance has `user_ids` (Odoo
//! 16+) or `user_id`; descriptions are plain text cut at a known length.

use daniel_plugin_sdk::prelude::*;
use plugin_kit::page::{self, Page};
use plugin_kit::tasks::{self as task, Ref, TaskRow};
use plugin_kit::{fields, text, validate};

#[derive(Deserialize, JsonSchema)]
struct ListTasksArgs {
    /// Only tasks of this project.
    #[serde(default)]
    project_id: Option<i64>,
    /// Only tasks assigned to this user id.
    #[serde(default)]
    assigned_to: Option<i64>,
    /// Only tasks assigned to the user whose name contains this (used when
    /// `assigned_to` is not given).
    #[serde(default)]
    assigned_to_name: Option<String>,
    /// Only tasks in this stage.
    #[serde(default)]
    stage_id: Option<i64>,
    /// Part of the task title (case-insensitive).
    #[serde(default)]
    q: Option<String>,
    /// Maximum number of tasks (1-100).
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    50
}

#[derive(Serialize, JsonSchema)]
struct Task {
    id: i64,
    name: String,
    /// The project, or null.
    project_id: Option<Ref>,
    /// The people assigned.
    assignees: Vec<Ref>,
    /// The stage, or null.
    stage_id: Option<Ref>,
    /// Deadline (`YYYY-MM-DD HH:MM:SS`, UTC), or null.
    date_deadline: Option<String>,
    /// False for an archived task.
    active: bool,
    /// Plain-text description (only from `get_task`), cut at 2000 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// True if `description` was cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    description_truncated: Option<bool>,
}

fn to_tasks(
    ctx: &Context,
    rows: Vec<TaskRow>,
    with_description: bool,
) -> Result<Vec<Task>, ToolError> {
    let assignees = task::assignees(ctx, &rows)?;
    Ok(rows
        .into_iter()
        .zip(assignees)
        .map(|(row, assignees)| {
            let (description, cut) = text::html_field(row.description.as_deref());
            Task {
                id: row.id,
                name: row.name,
                project_id: task::to_ref(&row.project_id),
                assignees,
                stage_id: task::to_ref(&row.stage_id),
                date_deadline: row.date_deadline,
                active: row.active,
                description: with_description.then(|| description.unwrap_or_default()),
                description_truncated: with_description.then_some(cut),
            }
        })
        .collect())
}

fn assignee_id(ctx: &Context, args: &ListTasksArgs) -> Result<Option<i64>, ToolError> {
    if let Some(id) = validate::opt_id("assigned_to", args.assigned_to)? {
        return Ok(Some(id));
    }
    let Some(name) = validate::optional(args.assigned_to_name.as_deref()) else {
        return Ok(None);
    };
    let found = ctx.odoo().name_search("res.users", &name, json!([]), 1)?;
    match found.first() {
        Some((id, _)) => Ok(Some(*id)),
        None => Err(ToolError::not_found(format!(
            "assigned_to_name: no user's name contains '{name}' (list_users shows who exists)"
        ))),
    }
}

fn list_tasks(ctx: &Context, args: ListTasksArgs) -> Result<Page<Task>, ToolError> {
    let mut domain = Vec::new();
    if let Some(id) = validate::opt_id("project_id", args.project_id)? {
        domain.push(json!(["project_id", "=", id]));
    }
    if let Some(id) = validate::opt_id("stage_id", args.stage_id)? {
        domain.push(json!(["stage_id", "=", id]));
    }
    if let Some(user) = assignee_id(ctx, &args)? {
        let field = fields::task_assignees(ctx)?;
        domain.push(json!([field, "in", [user]]));
    }
    if let Some(q) = validate::optional(args.q.as_deref()) {
        domain.push(json!(["name", "ilike", q]));
    }
    let rows = task::search(ctx, Value::Array(domain), page::opts(args.limit), false)?;
    let tasks = to_tasks(ctx, rows, false)?;
    Ok(page::page(tasks, args.limit))
}

#[derive(Deserialize, JsonSchema)]
struct GetTaskArgs {
    /// The task's id.
    task_id: i64,
    /// Include the description as plain text.
    #[serde(default = "yes")]
    include_description: bool,
}

fn yes() -> bool {
    true
}

fn get_task(ctx: &Context, args: GetTaskArgs) -> Result<Task, ToolError> {
    let id = validate::id("task_id", args.task_id)?;
    // Archived tasks too: an id the agent already has must still resolve.
    let domain = json!([["id", "=", id], ["active", "in", [true, false]]]);
    let rows = task::search(ctx, domain, SearchOpts::limit(1), args.include_description)?;
    if rows.is_empty() {
        return Err(ToolError::not_found(format!(
            "project.task {id} does not exist"
        )));
    }
    let tasks = to_tasks(ctx, rows, args.include_description)?;
    tasks
        .into_iter()
        .next()
        .ok_or_else(|| ToolError::internal("task vanished while reading it"))
}

daniel_plugin_sdk::plugin! {
    Tasks,
    [
        Tool::new("list_tasks", "Lists project tasks, filtered by project, assignee (id or name), stage or title", list_tasks)
            .title("List tasks")
            .read_only()
            .closed_world(),
        Tool::new("get_task", "Reads one project task, with its description as plain text", get_task)
            .title("Get a task")
            .read_only()
            .closed_world(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_keep_the_seed_parameters() {
        let tools = Tasks::tools();
        let list = tools[0].spec();
        let props = list.input_schema["properties"].as_object().unwrap();
        for p in [
            "project_id",
            "assigned_to",
            "assigned_to_name",
            "stage_id",
            "q",
            "limit",
        ] {
            assert!(props.contains_key(p), "{p}");
        }
        let get = tools[1].spec();
        assert_eq!(get.input_schema["required"], json!(["task_id"]));
        assert_eq!(
            get.input_schema["properties"]["include_description"]["default"],
            true
        );
    }

    #[test]
    fn a_bad_id_is_refused_before_any_call() {
        let err = Tasks::tools()[1]
            .run(&Context::new("get_task"), r#"{"task_id": 0}"#)
            .unwrap_err();
        assert_eq!(
            err,
            ToolError::invalid_input("task_id: must be a positive record id, got 0")
        );
    }
}
