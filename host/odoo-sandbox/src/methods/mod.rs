//! The model methods `execute_kw` can call, and the table that finds them.
//!
//! Generic ORM methods exist on every model; business methods only on their models
//! (`message_post` on mail-thread models, `action_*` on leads and orders). Each method
//! declares the access it needs, so the database can refuse read-only users before
//! anything runs.

mod actions;
pub(crate) mod args;
mod introspect;
mod read;
mod write;

use serde_json::{Map, Value};

use crate::context::Context;
use crate::fault::Fault;
use crate::registry::ModelDef;
use crate::store::{State, Tx};

/// The ACL operation a method needs, named as Odoo's access errors name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Create,
    Write,
    Unlink,
}

impl Access {
    /// The verb in "You are not allowed to {verb} …".
    pub(crate) fn verb(self) -> &'static str {
        match self {
            Access::Read => "access",
            Access::Create => "create",
            Access::Write => "modify",
            Access::Unlink => "delete",
        }
    }
}

/// A read-only call: shared access to the state.
pub(crate) struct ReadCall<'a> {
    pub(crate) state: &'a State,
    pub(crate) uid: i64,
    pub(crate) ctx: &'a Context,
    pub(crate) model: &'static ModelDef,
    /// The caller may only read (sandbox read-only group).
    pub(crate) read_only: bool,
}

/// A mutating call: a transaction over the state.
pub(crate) struct WriteCall<'t, 'a> {
    pub(crate) tx: &'t mut Tx<'a>,
    pub(crate) model: &'static ModelDef,
}

type ReadFn = fn(&ReadCall<'_>, Vec<Value>, Map<String, Value>) -> Result<Value, Fault>;
type WriteFn = fn(&mut WriteCall<'_, '_>, Vec<Value>, Map<String, Value>) -> Result<Value, Fault>;

/// How a method runs.
#[derive(Clone, Copy)]
pub(crate) enum Handler {
    Read(ReadFn),
    Write(WriteFn),
}

/// A callable method.
#[derive(Clone, Copy)]
pub(crate) struct Method {
    pub(crate) access: Access,
    pub(crate) handler: Handler,
}

const fn r(f: ReadFn) -> Method {
    Method {
        access: Access::Read,
        handler: Handler::Read(f),
    }
}

const fn w(access: Access, f: WriteFn) -> Method {
    Method {
        access,
        handler: Handler::Write(f),
    }
}

/// Finds a public method of a model.
pub(crate) fn lookup(model: &ModelDef, name: &str) -> Option<Method> {
    let generic = match name {
        "search" => Some(r(read::search)),
        "search_read" => Some(r(read::search_read)),
        "search_count" => Some(r(read::search_count)),
        "read" => Some(r(read::read)),
        "fields_get" => Some(r(introspect::fields_get)),
        "name_search" => Some(r(read::name_search)),
        "default_get" => Some(r(introspect::default_get)),
        "exists" => Some(r(read::exists)),
        "check_access_rights" => Some(r(introspect::check_access_rights)),
        "create" => Some(w(Access::Create, write::create)),
        "name_create" => Some(w(Access::Create, write::name_create)),
        "write" => Some(w(Access::Write, write::write)),
        "unlink" => Some(w(Access::Unlink, write::unlink)),
        "message_post" if model.mail_thread => Some(w(Access::Write, actions::message_post)),
        _ => None,
    };
    generic.or_else(|| match (model.name, name) {
        ("res.users", "context_get") => Some(r(introspect::context_get)),
        ("crm.lead", "action_set_won") => Some(w(Access::Write, actions::set_won)),
        ("crm.lead", "action_set_won_rainbowman") => {
            Some(w(Access::Write, actions::set_won_rainbowman))
        }
        ("crm.lead", "action_set_lost") => Some(w(Access::Write, actions::set_lost)),
        ("sale.order", "action_confirm") => Some(w(Access::Write, actions::confirm)),
        ("sale.order", "action_cancel") => Some(w(Access::Write, actions::cancel)),
        ("sale.order", "action_draft") => Some(w(Access::Write, actions::draft)),
        ("sale.order", "action_quotation_sent") => Some(w(Access::Write, actions::quotation_sent)),
        _ => None,
    })
}

#[cfg(test)]
mod tests;
