//! The model registry: which models exist and what their fields are.
//!
//! Field metadata mirrors what `fields_get` reports on Odoo 17/18 for the fields the tools
//! use. The registry is static (built once, shared by every database); behaviour that
//! depends on data lives in `store`, `compute` and `methods`, not here.

mod base;
mod crm;
mod field;
mod project;
mod sale;

use std::collections::HashMap;
use std::sync::LazyLock;

pub use field::{Compute, Default, FieldDef, FieldType, Ondelete};
pub(crate) use field::{
    binary, boolean, char, date, datetime, float, html, integer, many2many, many2one, monetary,
    one2many, selection, text,
};

/// One model: its fields and the few class attributes the ORM needs.
#[derive(Debug)]
pub struct ModelDef {
    /// Technical name, e.g. `crm.lead`.
    pub name: &'static str,
    /// `_description`, used in error messages.
    pub description: &'static str,
    /// `_order`, the default sort.
    pub order: &'static str,
    /// `_parent_name` for `child_of`/`parent_of`, when the model is a hierarchy.
    pub parent_name: Option<&'static str>,
    /// Inherits `mail.thread`: `message_post` works and messages die with the record.
    pub mail_thread: bool,
    fields: Vec<FieldDef>,
    index: HashMap<&'static str, usize>,
}

impl ModelDef {
    pub(crate) fn new(name: &'static str, description: &'static str) -> Self {
        ModelDef {
            name,
            description,
            order: "id",
            parent_name: None,
            mail_thread: false,
            fields: Vec::new(),
            index: HashMap::new(),
        }
    }

    pub(crate) fn order(mut self, order: &'static str) -> Self {
        self.order = order;
        self
    }

    pub(crate) fn parent(mut self, field: &'static str) -> Self {
        self.parent_name = Some(field);
        self
    }

    pub(crate) fn mail_thread(mut self) -> Self {
        self.mail_thread = true;
        self
    }

    pub(crate) fn fields(mut self, fields: Vec<FieldDef>) -> Self {
        for f in fields {
            self.push(f);
        }
        self
    }

    fn push(&mut self, field: FieldDef) {
        assert!(
            !self.index.contains_key(field.name),
            "{}.{} declared twice",
            self.name,
            field.name
        );
        self.index.insert(field.name, self.fields.len());
        self.fields.push(field);
    }

    /// Adds the fields every Odoo model has (`id`, `display_name`, log-access fields).
    fn with_magic_fields(mut self) -> Self {
        self.push(integer("id", "ID").readonly());
        self.push(char("display_name", "Display Name").live());
        self.push(many2one("create_uid", "Created by", "res.users").readonly());
        self.push(datetime("create_date", "Created on").readonly());
        self.push(many2one("write_uid", "Last Updated by", "res.users").readonly());
        self.push(datetime("write_date", "Last Updated on").readonly());
        self
    }

    /// A field by name.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.index.get(name).map(|&i| &self.fields[i])
    }

    /// All fields in declaration order.
    pub fn all_fields(&self) -> &[FieldDef] {
        &self.fields
    }

    /// Whether records can be archived (the model has `active`).
    pub fn has_active(&self) -> bool {
        self.index.contains_key("active")
    }
}

/// All models, by name.
struct Registry {
    models: HashMap<&'static str, ModelDef>,
}

impl Registry {
    fn build() -> Self {
        let mut models = HashMap::new();
        let all = [
            base::models(),
            crm::models(),
            sale::models(),
            project::models(),
        ];
        for model in all.into_iter().flatten() {
            let model = model.with_magic_fields();
            models.insert(model.name, model);
        }
        let registry = Registry { models };
        registry.check();
        registry
    }

    /// Every relation must point at a known model; a typo here would only show at runtime.
    fn check(&self) {
        for model in self.models.values() {
            for f in model.all_fields() {
                if let Some(rel) = f.relation {
                    assert!(
                        self.models.contains_key(rel),
                        "{}.{} -> {rel}",
                        model.name,
                        f.name
                    );
                }
                if let (Some(rel), Some(inv)) = (f.relation, f.relation_field) {
                    assert!(
                        self.models[rel].field(inv).is_some(),
                        "{}.{}",
                        model.name,
                        f.name
                    );
                }
            }
        }
    }
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::build);

/// A model by name, from the process-wide registry.
pub fn model(name: &str) -> Option<&'static ModelDef> {
    REGISTRY.models.get(name)
}

/// Every model, from the process-wide registry.
pub fn models() -> impl Iterator<Item = &'static ModelDef> {
    REGISTRY.models.values()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_builds_and_relations_resolve() {
        let lead = model("crm.lead").expect("crm.lead");
        assert_eq!(lead.field("stage_id").unwrap().relation, Some("crm.stage"));
        assert!(lead.field("display_name").is_some());
        assert!(lead.has_active());
        assert!(model("no.such").is_none());
    }

    #[test]
    fn required_many2one_restricts_deletion() {
        let so = model("sale.order").unwrap();
        assert_eq!(so.field("partner_id").unwrap().ondelete, Ondelete::Restrict);
        let line = model("sale.order.line").unwrap();
        assert_eq!(line.field("order_id").unwrap().ondelete, Ondelete::Cascade);
    }
}
