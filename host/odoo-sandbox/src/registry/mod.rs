//! The model registry: which models exist and what their fields are.
//!
//! Field metadata mirrors what `fields_get` reports on Odoo 17/18 for the fields the tools
//! use. The registry is static (built once, shared by every database); behaviour that
//! depends on data lives in `store`, `compute` and `methods`, not here.

mod base;
mod crm;
mod project;
mod sale;

use std::collections::HashMap;
use std::sync::LazyLock;

/// Field types, named as `fields_get` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// `char`
    Char,
    /// `text`
    Text,
    /// `html`
    Html,
    /// `integer`
    Integer,
    /// `float`
    Float,
    /// `monetary`
    Monetary,
    /// `boolean`
    Boolean,
    /// `date` (`YYYY-MM-DD`)
    Date,
    /// `datetime` (`YYYY-MM-DD HH:MM:SS`, naive UTC)
    Datetime,
    /// `selection`
    Selection,
    /// `many2one`
    Many2one,
    /// `one2many`
    One2many,
    /// `many2many`
    Many2many,
    /// `binary` (base64 text)
    Binary,
}

impl FieldType {
    /// The name `fields_get` reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Char => "char",
            FieldType::Text => "text",
            FieldType::Html => "html",
            FieldType::Integer => "integer",
            FieldType::Float => "float",
            FieldType::Monetary => "monetary",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
            FieldType::Selection => "selection",
            FieldType::Many2one => "many2one",
            FieldType::One2many => "one2many",
            FieldType::Many2many => "many2many",
            FieldType::Binary => "binary",
        }
    }

    /// One of the x2many types, whose value is a list of ids.
    pub fn is_x2many(self) -> bool {
        matches!(self, FieldType::One2many | FieldType::Many2many)
    }

    /// Types read as `false` when empty (text-like values).
    pub(crate) fn is_textual(self) -> bool {
        matches!(
            self,
            FieldType::Char
                | FieldType::Text
                | FieldType::Html
                | FieldType::Date
                | FieldType::Datetime
                | FieldType::Selection
                | FieldType::Binary
        )
    }
}

/// What happens to a record whose many2one points at a deleted record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ondelete {
    /// The reference becomes `false` (Odoo's default for optional fields).
    SetNull,
    /// Deletion is refused (Odoo's default for required fields).
    Restrict,
    /// The referencing record is deleted too.
    Cascade,
}

/// A default applied on `create` when the caller gives no value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// A boolean constant.
    Bool(bool),
    /// An integer constant.
    Int(i64),
    /// A float constant.
    Float(f64),
    /// A string constant (selection key, text).
    Str(&'static str),
    /// The current time (datetime fields).
    Now,
    /// Today plus a number of days (date fields).
    TodayPlus(i64),
    /// The calling user.
    CurrentUser,
    /// The calling user's partner.
    CurrentPartner,
    /// The calling user's company.
    CurrentCompany,
    /// The calling user's company currency.
    CompanyCurrency,
    /// The first record of the relation in its default order (e.g. the first stage).
    FirstOf,
}

/// How a field's value is produced when it is not plain stored data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compute {
    /// Stored, kept up to date by the model's recompute step (read-only).
    Stored,
    /// Computed on every read by the named function in `compute::live`.
    Live,
    /// Related through a many2one: `("partner_id", "phone")`. Writes go through.
    Related(&'static str, &'static str),
}

/// One field of a model.
#[derive(Debug, Clone)]
pub struct FieldDef {
    /// Technical name.
    pub name: &'static str,
    /// Type.
    pub ftype: FieldType,
    /// Label (`string` in `fields_get`).
    pub string: &'static str,
    /// Comodel of relational fields.
    pub relation: Option<&'static str>,
    /// Inverse many2one of one2many fields.
    pub relation_field: Option<&'static str>,
    /// Must be set (a NOT NULL column in Odoo).
    pub required: bool,
    /// Read-only in the UI; RPC may still write it, as in Odoo.
    pub readonly: bool,
    /// Selection keys and labels.
    pub selection: &'static [(&'static str, &'static str)],
    /// Default on create.
    pub default: Option<Default>,
    /// Computed or related.
    pub compute: Option<Compute>,
    /// Behaviour when the referenced record is deleted (many2one only).
    pub ondelete: Ondelete,
    /// Tooltip text.
    pub help: &'static str,
}

impl FieldDef {
    fn new(name: &'static str, ftype: FieldType, string: &'static str) -> Self {
        FieldDef {
            name,
            ftype,
            string,
            relation: None,
            relation_field: None,
            required: false,
            readonly: false,
            selection: &[],
            default: None,
            compute: None,
            ondelete: Ondelete::SetNull,
            help: "",
        }
    }

    /// Whether the value lives in the record (as opposed to computed or derived on read).
    pub fn is_stored(&self) -> bool {
        self.ftype != FieldType::One2many
            && matches!(self.compute, None | Some(Compute::Stored))
            && self.name != "id"
            && self.name != "display_name"
    }

    pub(crate) fn required(mut self) -> Self {
        self.required = true;
        if self.ftype == FieldType::Many2one && self.ondelete == Ondelete::SetNull {
            self.ondelete = Ondelete::Restrict;
        }
        self
    }

    pub(crate) fn readonly(mut self) -> Self {
        self.readonly = true;
        self
    }

    pub(crate) fn default(mut self, default: Default) -> Self {
        self.default = Some(default);
        self
    }

    pub(crate) fn stored_compute(mut self) -> Self {
        self.compute = Some(Compute::Stored);
        self.readonly = true;
        self
    }

    pub(crate) fn live(mut self) -> Self {
        self.compute = Some(Compute::Live);
        self.readonly = true;
        self
    }

    pub(crate) fn related(mut self, via: &'static str, field: &'static str) -> Self {
        self.compute = Some(Compute::Related(via, field));
        self
    }

    pub(crate) fn cascade(mut self) -> Self {
        self.ondelete = Ondelete::Cascade;
        self
    }

    pub(crate) fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }
}

pub(crate) fn char(name: &'static str, string: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::Char, string)
}
pub(crate) fn text(name: &'static str, string: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::Text, string)
}
pub(crate) fn html(name: &'static str, string: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::Html, string)
}
pub(crate) fn integer(name: &'static str, string: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::Integer, string).default(Default::Int(0))
}
pub(crate) fn float(name: &'static str, string: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::Float, string).default(Default::Float(0.0))
}
pub(crate) fn monetary(name: &'static str, string: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::Monetary, string).default(Default::Float(0.0))
}
pub(crate) fn boolean(name: &'static str, string: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::Boolean, string).default(Default::Bool(false))
}
pub(crate) fn date(name: &'static str, string: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::Date, string)
}
pub(crate) fn datetime(name: &'static str, string: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::Datetime, string)
}
pub(crate) fn binary(name: &'static str, string: &'static str) -> FieldDef {
    FieldDef::new(name, FieldType::Binary, string)
}
pub(crate) fn selection(
    name: &'static str,
    string: &'static str,
    values: &'static [(&'static str, &'static str)],
) -> FieldDef {
    let mut f = FieldDef::new(name, FieldType::Selection, string);
    f.selection = values;
    f
}
pub(crate) fn many2one(name: &'static str, string: &'static str, comodel: &'static str) -> FieldDef {
    let mut f = FieldDef::new(name, FieldType::Many2one, string);
    f.relation = Some(comodel);
    f
}
pub(crate) fn one2many(
    name: &'static str,
    string: &'static str,
    comodel: &'static str,
    inverse: &'static str,
) -> FieldDef {
    let mut f = FieldDef::new(name, FieldType::One2many, string);
    f.relation = Some(comodel);
    f.relation_field = Some(inverse);
    f
}
pub(crate) fn many2many(name: &'static str, string: &'static str, comodel: &'static str) -> FieldDef {
    let mut f = FieldDef::new(name, FieldType::Many2many, string);
    f.relation = Some(comodel);
    f
}

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
        let all = [base::models(), crm::models(), sale::models(), project::models()];
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
                    assert!(self.models.contains_key(rel), "{}.{} -> {rel}", model.name, f.name);
                }
                if let (Some(rel), Some(inv)) = (f.relation, f.relation_field) {
                    assert!(self.models[rel].field(inv).is_some(), "{}.{}", model.name, f.name);
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
