//! Host integration tests: one binary, a module per area. Fixture plugins come from
//! `make plugins` (see `support::artifact`).

#![allow(unreachable_pub)] // test helpers are crate-internal by construction

mod support;

mod audit;
mod avatar;
mod config;
mod jobs;
mod limits;
mod mcp;
mod odoo;
mod policy;
mod real_odoo;
mod reload;
mod rest;
mod tools;
