//! `project` models: projects, tasks, task stages, tags (Odoo 17/18: `user_ids` and `state`
//! on tasks; no `stage_id` on projects, which needs a group the sandbox does not model).

use super::{
    Default, ModelDef, boolean, char, date, datetime, float, html, integer, many2many, many2one,
    one2many, selection,
};

pub(super) fn models() -> Vec<ModelDef> {
    vec![
        project(),
        task(),
        ModelDef::new("project.task.type", "Task Stage")
            .order("sequence, id")
            .fields(vec![
                char("name", "Name").required(),
                integer("sequence", "Sequence").default(Default::Int(1)),
                boolean("fold", "Folded in Kanban"),
                boolean("active", "Active").default(Default::Bool(true)),
                many2many("project_ids", "Projects", "project.project"),
            ]),
        ModelDef::new("project.tags", "Project Tags")
            .order("name")
            .fields(vec![
                char("name", "Name").required(),
                integer("color", "Color"),
            ]),
    ]
}

const VISIBILITY: &[(&str, &str)] = &[
    ("followers", "Invited internal users (private)"),
    ("employees", "All internal users"),
    (
        "portal",
        "Invited portal users and all internal users (public)",
    ),
];

fn project() -> ModelDef {
    ModelDef::new("project.project", "Project")
        .order("sequence, name, id")
        .mail_thread()
        .fields(vec![
            char("name", "Name").required(),
            html("description", "Description"),
            boolean("active", "Active").default(Default::Bool(true)),
            integer("sequence", "Sequence").default(Default::Int(10)),
            many2one("partner_id", "Customer", "res.partner"),
            many2one("user_id", "Project Manager", "res.users").default(Default::CurrentUser),
            date("date_start", "Start Date"),
            date("date", "Expiration Date"),
            one2many("task_ids", "Tasks", "project.task", "project_id"),
            integer("task_count", "Task Count").live(),
            many2many("type_ids", "Tasks Stages", "project.task.type"),
            many2many("tag_ids", "Tags", "project.tags"),
            selection("privacy_visibility", "Visibility", VISIBILITY)
                .required()
                .default(Default::Str("portal")),
            char("label_tasks", "Use Tasks as").default(Default::Str("Tasks")),
            many2one("company_id", "Company", "res.company").default(Default::CurrentCompany),
            integer("color", "Color Index"),
            one2many("message_ids", "Messages", "mail.message", "res_id").live(),
        ])
}

const TASK_STATES: &[(&str, &str)] = &[
    ("01_in_progress", "In Progress"),
    ("02_changes_requested", "Changes Requested"),
    ("03_approved", "Approved"),
    ("1_done", "Done"),
    ("1_canceled", "Canceled"),
    ("04_waiting_normal", "Waiting"),
];

fn task() -> ModelDef {
    ModelDef::new("project.task", "Task")
        .order("priority desc, sequence, date_deadline asc, id desc")
        .parent("parent_id")
        .mail_thread()
        .fields(vec![
            char("name", "Title").required(),
            many2one("project_id", "Project", "project.project"),
            many2many("user_ids", "Assignees", "res.users"),
            many2one("stage_id", "Stage", "project.task.type"),
            selection("state", "State", TASK_STATES)
                .required()
                .default(Default::Str("01_in_progress")),
            selection(
                "priority",
                "Priority",
                &[("0", "Low priority"), ("1", "High priority")],
            )
            .default(Default::Str("0")),
            datetime("date_deadline", "Deadline"),
            datetime("date_assign", "Assigning Date").readonly(),
            datetime("date_end", "Ending Date").readonly(),
            many2many("tag_ids", "Tags", "project.tags"),
            many2one("parent_id", "Parent Task", "project.task").cascade(),
            one2many("child_ids", "Sub-tasks", "project.task", "parent_id"),
            html("description", "Description"),
            many2one("partner_id", "Customer", "res.partner"),
            float("allocated_hours", "Allocated Time"),
            boolean("active", "Active").default(Default::Bool(true)),
            integer("sequence", "Sequence").default(Default::Int(10)),
            boolean("is_closed", "Closed State").live(),
            many2one("sale_line_id", "Sales Order Item", "sale.order.line"),
            many2one("sale_order_id", "Sales Order", "sale.order"),
            many2one("company_id", "Company", "res.company").default(Default::CurrentCompany),
            integer("color", "Color Index"),
            one2many("message_ids", "Messages", "mail.message", "res_id").live(),
        ])
}
