//! Field metadata: types, defaults, computes, `ondelete`, and the builders the model
//! declarations use (`char("name", "Name").required()`).

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

    pub(crate) fn restrict(mut self) -> Self {
        self.ondelete = Ondelete::Restrict;
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
pub(crate) fn many2one(
    name: &'static str,
    string: &'static str,
    comodel: &'static str,
) -> FieldDef {
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
pub(crate) fn many2many(
    name: &'static str,
    string: &'static str,
    comodel: &'static str,
) -> FieldDef {
    let mut f = FieldDef::new(name, FieldType::Many2many, string);
    f.relation = Some(comodel);
    f
}
