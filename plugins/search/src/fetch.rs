//! `fetch`: one project or task by the id `search` returned.

use daniel_plugin_sdk::prelude::*;
use plugin_kit::tasks::{self as task, Ref};
use plugin_kit::text;

use crate::Settings;

#[derive(Deserialize, JsonSchema)]
pub(crate) struct FetchArgs {
    /// `project:<id>` or `task:<id>`, as returned by `search`.
    doc_id: String,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct Document {
    id: String,
    title: String,
    /// Plain text: the task's description (cut at 2000 characters) or the name.
    text: String,
    url: String,
    metadata: Metadata,
}

#[derive(Serialize, JsonSchema)]
struct Metadata {
    /// `project.project` or `project.task`.
    model: &'static str,
    /// Whether the record is active (not archived).
    active: bool,
    /// A task's project.
    #[serde(skip_serializing_if = "Option::is_none")]
    project_id: Option<Ref>,
    /// A task's assignees.
    #[serde(skip_serializing_if = "Option::is_none")]
    assignees: Option<Vec<Ref>>,
    /// A task's stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    stage_id: Option<Ref>,
    /// A task's deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    date_deadline: Option<String>,
    /// True if `text` was cut.
    text_truncated: bool,
}

enum Kind {
    Project,
    Task,
}

fn parse(doc_id: &str) -> Result<(Kind, i64), ToolError> {
    let Some((kind, id)) = doc_id.trim().split_once(':') else {
        return Err(ToolError::invalid_input(
            "doc_id: invalid id format. Use 'project:<id>' or 'task:<id>'.",
        ));
    };
    let id: i64 = id.trim().parse().ok().filter(|id| *id > 0).ok_or_else(|| {
        ToolError::invalid_input(format!("doc_id: '{id}' is not a valid numeric id"))
    })?;
    match kind.trim() {
        "project" => Ok((Kind::Project, id)),
        "task" => Ok((Kind::Task, id)),
        other => Err(ToolError::invalid_input(format!(
            "doc_id: unknown kind '{other}'. Use 'project' or 'task'."
        ))),
    }
}

pub(crate) fn fetch(ctx: &Context, args: FetchArgs) -> Result<Document, ToolError> {
    let settings: Settings = ctx.settings()?;
    match parse(&args.doc_id)? {
        (Kind::Project, id) => project(ctx, &settings, id),
        (Kind::Task, id) => task(ctx, &settings, id),
    }
}

fn project(ctx: &Context, settings: &Settings, id: i64) -> Result<Document, ToolError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "false_as_none")]
        name: Option<String>,
        #[serde(default)]
        active: bool,
        #[serde(default, deserialize_with = "false_as_none")]
        description: Option<String>,
    }
    let rows: Vec<Row> =
        ctx.odoo()
            .read("project.project", &[id], &["name", "active", "description"])?;
    let row = rows
        .into_iter()
        .next()
        .ok_or_else(|| ToolError::not_found(format!("Project {id} not found")))?;
    let name = row.name.unwrap_or_else(|| "(sin nombre)".into());
    let (description, cut) = text::html_field(row.description.as_deref());
    Ok(Document {
        id: format!("project:{id}"),
        title: format!("Project · {name}"),
        text: description.map_or_else(|| name.clone(), |d| format!("{name}\n\n{d}")),
        url: settings.link("project.project", id),
        metadata: Metadata {
            model: "project.project",
            active: row.active,
            project_id: None,
            assignees: None,
            stage_id: None,
            date_deadline: None,
            text_truncated: cut,
        },
    })
}

fn task(ctx: &Context, settings: &Settings, id: i64) -> Result<Document, ToolError> {
    // Archived tasks too: an id from an earlier search must still resolve.
    let domain = json!([["id", "=", id], ["active", "in", [true, false]]]);
    let rows = task::search(ctx, domain, SearchOpts::limit(1), true)?;
    let assignees = task::assignees(ctx, &rows)?;
    let (Some(row), Some(assignees)) = (rows.into_iter().next(), assignees.into_iter().next())
    else {
        return Err(ToolError::not_found(format!("Task {id} not found")));
    };
    let (description, cut) = text::html_field(row.description.as_deref());
    Ok(Document {
        id: format!("task:{id}"),
        title: format!("Task · {}", row.name),
        text: description.unwrap_or_else(|| row.name.clone()),
        url: settings.link("project.task", id),
        metadata: Metadata {
            model: "project.task",
            active: row.active,
            project_id: task::to_ref(&row.project_id),
            assignees: Some(assignees),
            stage_id: task::to_ref(&row.stage_id),
            date_deadline: row.date_deadline,
            text_truncated: cut,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_with_messages_that_say_what_to_send() {
        assert!(matches!(parse("task:3"), Ok((Kind::Task, 3))));
        assert!(matches!(parse(" project: 12 "), Ok((Kind::Project, 12))));
        let msg = |id| parse(id).err().unwrap().message().to_owned();
        assert_eq!(
            msg("3"),
            "doc_id: invalid id format. Use 'project:<id>' or 'task:<id>'."
        );
        assert_eq!(msg("task:x"), "doc_id: 'x' is not a valid numeric id");
        assert_eq!(
            msg("lead:3"),
            "doc_id: unknown kind 'lead'. Use 'project' or 'task'."
        );
    }
}
