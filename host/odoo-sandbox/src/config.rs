//! Sandbox configuration: database name, admin credentials, seed and persistence paths,
//! and the Odoo version the server advertises.

use std::path::PathBuf;

/// The Odoo series the sandbox imitates.
///
/// Both speak XML-RPC only (`GET /web/version` answers 404, as on real 17 and 18), use the
/// ≤18 field names (`mobile`, `tax_id`, `product_uom`, `groups_id`) and return
/// `message_post` ids as integers. `name_search` accepts its domain as `args` (17/18) and,
/// for clients written against 19, as `domain` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OdooVersion {
    /// Odoo 17.0.
    V17,
    /// Odoo 18.0 (the version of the seed system's staging instance).
    #[default]
    V18,
}

impl OdooVersion {
    /// `server_version` / `server_serie`, e.g. `18.0`.
    pub fn series(self) -> &'static str {
        match self {
            OdooVersion::V17 => "17.0",
            OdooVersion::V18 => "18.0",
        }
    }

    /// The major version number.
    pub fn major(self) -> i64 {
        match self {
            OdooVersion::V17 => 17,
            OdooVersion::V18 => 18,
        }
    }
}

/// How to build a [`crate::Sandbox`].
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Database name clients must pass (`demo`).
    pub db: String,
    /// Login of the administrator (user id 2), `admin` by default.
    pub login: String,
    /// Password of the administrator, also accepted where clients send an API key.
    pub password: String,
    /// Seed JSON replacing the embedded `resources/sandbox-seed.json`.
    pub seed: Option<PathBuf>,
    /// SQLite file to persist to; loaded instead of the seed when it already holds data.
    pub sqlite: Option<PathBuf>,
    /// The version advertised by `common.version`.
    pub version: OdooVersion,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            db: "demo".to_owned(),
            login: "admin".to_owned(),
            password: "admin".to_owned(),
            seed: None,
            sqlite: None,
            version: OdooVersion::default(),
        }
    }
}
