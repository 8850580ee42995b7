//! Daniel: a plugin host that puts Odoo in reach of AI agents.
//!
//! Data flows one way: surfaces ([`mcp`], [`rest`], [`avatar`]) → [`registry`] → [`engine`]
//! (sandboxed WebAssembly plugins) → host functions → [`policy`] → clients
//! ([`odoo`], [`messaging`]). [`config`] turns `plugins.toml` into validated types;
//! [`watch`] reloads plugins when files change; [`app`] wires it all together and
//! [`guard`] checks every HTTP request. [`sandbox`] starts the offline Odoo.

pub mod app;
pub mod audit;
pub mod avatar;
pub mod cli;
pub mod config;
pub mod engine;
pub mod guard;
pub mod jobs;
pub mod mcp;
pub mod messaging;
pub mod metrics;
pub mod odoo;
pub mod policy;
pub mod registry;
pub mod rest;
pub mod sandbox;
pub mod watch;
