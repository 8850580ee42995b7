//! Errors building a sandbox: reading the seed, loading or writing the SQLite file.
//!
//! Errors *answering* calls are [`crate::Fault`]s, shaped like Odoo's; these are the
//! operator's errors, raised before a port is bound.

use std::path::PathBuf;

use crate::fault::Fault;

/// Why a sandbox could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The seed file could not be read.
    #[error("cannot read seed file {path}")]
    SeedRead {
        /// The configured seed path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The seed is not JSON.
    #[error("seed data is not valid json")]
    SeedJson(#[source] serde_json::Error),
    /// The seed is JSON but not `{"model": [{"id": 1, ...}, ...], ...}`.
    #[error("seed data: {0}")]
    SeedShape(String),
    /// A seed record was refused by the ORM (unknown field, bad value, dangling reference).
    #[error("seed record {model}({id}) rejected")]
    SeedRecord {
        /// The record's model.
        model: String,
        /// The record's id.
        id: i64,
        /// What the ORM answered.
        #[source]
        fault: Fault,
    },
    /// The SQLite file could not be opened, read or written.
    #[error("sqlite database {path}")]
    Sqlite {
        /// The configured SQLite path.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A row of the SQLite file does not hold a JSON object.
    #[error("sqlite database {path}: stored record {model}({id}) is not a json object")]
    StoredRecord {
        /// The configured SQLite path.
        path: PathBuf,
        /// The row's model.
        model: String,
        /// The row's id.
        id: i64,
    },
    /// The configured administrator credentials could not be applied.
    #[error("cannot set the administrator login {login:?}")]
    Credentials {
        /// The configured login.
        login: String,
        /// What the ORM answered.
        #[source]
        fault: Fault,
    },
}
