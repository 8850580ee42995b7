//! `list_projects`: projects by name and archive state (read-only).

use daniel_plugin_sdk::prelude::*;
use plugin_kit::page::{self, Page};

#[derive(Deserialize, JsonSchema)]
struct ListProjectsArgs {
    /// Part of the project name (case-insensitive).
    #[serde(default)]
    q: Option<String>,
    /// `true`: active projects only; `false`: archived ones only; omitted: active ones.
    #[serde(default)]
    active: Option<bool>,
    /// Maximum number of projects (1-100).
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    50
}

#[derive(Serialize, Deserialize, JsonSchema)]
struct Project {
    id: i64,
    name: String,
    active: bool,
}

fn list_projects(ctx: &Context, args: ListProjectsArgs) -> Result<Page<Project>, ToolError> {
    let rows = ctx.odoo().search_read(
        "project.project",
        page::name_and_active(args.q.as_deref(), args.active),
        &["id", "name", "active"],
        page::opts(args.limit).order("name, id"),
    )?;
    Ok(page::page(rows, args.limit))
}

daniel_plugin_sdk::plugin! {
    Projects,
    [
        Tool::new("list_projects", "Lists projects, optionally filtered by name and archive state", list_projects)
            .title("List projects")
            .read_only()
            .closed_world(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_keeps_the_seed_parameters() {
        let spec = Projects::tools()[0].spec();
        assert_eq!(spec.name, "list_projects");
        let props = spec.input_schema["properties"].as_object().unwrap();
        assert!(
            ["q", "active", "limit"]
                .iter()
                .all(|p| props.contains_key(*p))
        );
        assert_eq!(spec.input_schema["properties"]["limit"]["default"], 50);
        let out = spec.output_schema.unwrap();
        assert_eq!(out["required"], json!(["items", "has_more"]));
    }
}
