//! `search` and `fetch` over projects and tasks, in the shapes chat connectors expect
//! (`{results: [{id, title, url}]}` and `{id, title, text, url, metadata}`), returned
//! once as structured JSON (the seed system double-wrapped them in MCP content).

mod fetch;

use daniel_plugin_sdk::prelude::*;
use plugin_kit::{page, tasks as task};

/// `[plugins.search.settings]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    /// Base URL of the Odoo web client for links (`https://erp.example.com`); links
    /// are `odoo://MODEL/ID` without it.
    odoo_url: Option<String>,
}

impl Settings {
    fn link(&self, model: &str, id: i64) -> String {
        match self.odoo_url.as_deref().map(|u| u.trim_end_matches('/')) {
            Some(base) if !base.is_empty() => {
                format!("{base}/web#id={id}&model={model}&view_type=form")
            }
            _ => format!("odoo://{model}/{id}"),
        }
    }
}

#[derive(Deserialize, JsonSchema)]
struct SearchArgs {
    /// Words to look for in project and task names. Mentioning "project(s)"/"proyecto(s)"
    /// or "task(s)"/"tarea(s)" limits the search to that kind.
    query: String,
    /// Maximum number of results (1-100); split between projects and tasks when both
    /// are searched.
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    10
}

#[derive(Serialize, JsonSchema)]
struct Hit {
    /// `project:<id>` or `task:<id>`: pass it to `fetch`.
    id: String,
    title: String,
    url: String,
}

#[derive(Serialize, JsonSchema)]
struct Results {
    results: Vec<Hit>,
}

const PROJECT_WORDS: [&str; 4] = ["proyecto", "proyectos", "project", "projects"];
const TASK_WORDS: [&str; 4] = ["tarea", "tareas", "task", "tasks"];

/// Which kinds the query asks for, and the words left to match names with.
fn plan(query: &str) -> (bool, bool, String) {
    let words: Vec<&str> = query.split_whitespace().collect();
    let lower = |w: &&str| w.to_lowercase();
    let projects = words
        .iter()
        .map(lower)
        .any(|w| PROJECT_WORDS.contains(&w.as_str()));
    let tasks = words
        .iter()
        .map(lower)
        .any(|w| TASK_WORDS.contains(&w.as_str()));
    let rest: Vec<&str> = words
        .into_iter()
        .filter(|w| {
            let w = w.to_lowercase();
            !PROJECT_WORDS.contains(&w.as_str()) && !TASK_WORDS.contains(&w.as_str())
        })
        .collect();
    let both = projects == tasks;
    (both || projects, both || tasks, rest.join(" "))
}

fn search(ctx: &Context, args: SearchArgs) -> Result<Results, ToolError> {
    let settings: Settings = ctx.settings()?;
    let (projects, tasks, term) = plan(&args.query);
    let limit = page::cap(args.limit);
    let each = if projects && tasks {
        (limit / 2).max(1)
    } else {
        limit
    };
    let domain = if term.is_empty() {
        json!([])
    } else {
        json!([["name", "ilike", term]])
    };
    let mut results = Vec::new();
    if projects {
        #[derive(Deserialize)]
        struct Row {
            id: i64,
            #[serde(default, deserialize_with = "false_as_none")]
            name: Option<String>,
        }
        let rows: Vec<Row> = ctx.odoo().search_read(
            "project.project",
            domain.clone(),
            &["id", "name"],
            SearchOpts::limit(each).order("name, id"),
        )?;
        results.extend(rows.into_iter().map(|r| Hit {
            id: format!("project:{}", r.id),
            title: format!("Project · {}", r.name.as_deref().unwrap_or("(sin nombre)")),
            url: settings.link("project.project", r.id),
        }));
    }
    if tasks {
        let rows = task::search(ctx, domain, SearchOpts::limit(each), false)?;
        results.extend(rows.into_iter().map(|r| Hit {
            id: format!("task:{}", r.id),
            title: format!("Task · {}", r.name),
            url: settings.link("project.task", r.id),
        }));
    }
    Ok(Results { results })
}

daniel_plugin_sdk::plugin! {
    Search,
    [
        Tool::new("search", "Searches projects and tasks by name; returns ids to pass to fetch", search)
            .title("Search projects and tasks")
            .read_only()
            .closed_world(),
        Tool::new("fetch", "Reads one project or task found by search (id 'project:<id>' or 'task:<id>')", fetch::fetch)
            .title("Fetch a project or task")
            .read_only()
            .closed_world(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_words_choose_what_to_search_and_are_not_matched() {
        assert_eq!(
            plan("proyectos de soporte"),
            (true, false, "de soporte".into())
        );
        assert_eq!(plan("Tareas"), (false, true, String::new()));
        assert_eq!(plan("KettyBot"), (true, true, "KettyBot".into()));
        assert_eq!(plan("project task mapa"), (true, true, "mapa".into()));
    }

    #[test]
    fn links_use_the_configured_url() {
        let s = Settings {
            odoo_url: Some("https://erp.example.com/".into()),
        };
        assert_eq!(
            s.link("project.task", 3),
            "https://erp.example.com/web#id=3&model=project.task&view_type=form"
        );
        assert_eq!(
            Settings::default().link("project.project", 1),
            "odoo://project.project/1"
        );
    }
}
