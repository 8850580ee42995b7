//! What the product plugins (`crm`, `sales`, `projects`, `tasks`, `users`, `search`,
//! `whatsapp`) share, so each rule has one home:
//!
//! - [`validate`]: argument checks whose messages an agent can act on (ids, quantities,
//!   email, E.164 phones);
//! - [`text`]: HTML to plain text, truncation, escaping for chatter bodies;
//! - [`page`]: capped list limits and the `{items, has_more}` result shape;
//! - [`clock`]: UTC timestamps in Odoo's format;
//! - [`fields`]: field names that differ between Odoo 17, 18 and 19;
//! - [`salesperson`]: the least-loaded salesperson of a team and their WhatsApp number;
//! - [`tasks`]: `project.task` rows and their assignees across versions;
//! - [`pricing`]: unit prices from a pricelist's fixed prices or the list price;
//! - [`messages`]: hand-off message settings and templates.
//!
//! Nothing here names an Odoo instance or holds a business constant: plugins pass their
//! settings in.

pub mod clock;
pub mod fields;
pub mod messages;
pub mod page;
pub mod pricing;
pub mod salesperson;
pub mod tasks;
pub mod text;
pub mod validate;

use daniel_plugin_sdk::Many2one;
use schemars::JsonSchema;
use serde::Serialize;

/// A related record in a result: `{id, name}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Ref {
    /// Its id.
    pub id: i64,
    /// Its display name.
    pub name: String,
}

/// A many2one as a [`Ref`], or `None` when empty.
pub fn to_ref(value: &Many2one) -> Option<Ref> {
    value
        .clone()
        .into_inner()
        .map(|(id, name)| Ref { id, name })
}
