//! An offline Odoo: an XML-RPC server with Odoo 17/18's ORM semantics, used as the host's
//! default Odoo, by tests, and by plugin authors (`daniel sandbox`).
//!
//! Layers, bottom up:
//! - [`registry`]: models and field metadata (what `fields_get` reports);
//! - `store`: records as JSON field maps, reads, display names, transactions;
//! - `domain` and `order`: search domains and sort specifications;
//! - `ops`, `hooks`, `compute`: create/write/unlink with defaults, x2many commands,
//!   model behaviour and computed fields;
//! - `methods`: the callable model methods; [`Database`]: `execute_kw`, credentials,
//!   access rights, one transaction per call, optional SQLite write-through;
//! - `seed`, `persist`: initial data and storage;
//! - [`Sandbox`] and [`serve`]: the `/xmlrpc/2` server; [`CallLog`] records what it was
//!   asked (round-trip counts in tests and benchmarks).
//!
//! Faults carry Odoo's codes and messages ([`Fault`]); see
//! `shared/reference/odoo-external-api.md` for the behaviour imitated.

mod compute;
mod config;
mod context;
mod database;
mod domain;
mod error;
mod fault;
mod hooks;
mod methods;
mod ops;
mod order;
mod persist;
pub mod registry;
mod sandbox;
mod seed;
mod server;
mod store;
#[cfg(test)]
mod testutil;

pub use config::{OdooVersion, SandboxConfig};
pub use database::Database;
pub use error::Error;
pub use fault::Fault;
pub use sandbox::{ADMIN_UID, DEFAULT_MAX_BODY_BYTES, Sandbox};
pub use seed::DEFAULT_SEED;
pub use server::{Call, CallLog, serve};
