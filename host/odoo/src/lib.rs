//! Odoo for the Daniel plugin host: the XML-RPC codec and an async client per instance.
//!
//! - [`xmlrpc`]: `serde_json::Value` ⇄ XML-RPC, exactly as Odoo's `/xmlrpc/2` means it; also
//!   used by the Odoo sandbox server.
//! - [`client`]: [`OdooClient`], one per configured instance: login, pooling, timeouts,
//!   retries and the mapping of Odoo faults to [`client::Error`].
//!
//! Nothing here knows about plugins or policy; the host decides what may be called.

pub mod client;
pub mod xmlrpc;

pub use client::{Error, InstanceConfig, OdooClient, Secret, ServerVersion, is_write_method};
