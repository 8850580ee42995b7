//! [`Sandbox`]: a configured database plus the XML-RPC router that serves it.

use std::sync::Arc;

use crate::config::SandboxConfig;
use crate::database::Database;
use crate::error::Error;
use crate::seed::DEFAULT_SEED;
use crate::server::CallLog;

/// The administrator's user id, as in every Odoo database.
pub const ADMIN_UID: i64 = 2;

/// Largest request body the server reads, by default.
///
/// Sandbox calls are small (a `create` with a few lines is a few kilobytes); 8 MiB still
/// fits a base64 image written to a binary field while bounding what one request can make
/// the server buffer. Larger bodies get an XML-RPC fault, not a dropped connection.
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// An Odoo sandbox: cheap to clone, all clones share one database.
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub(crate) database: Arc<Database>,
    pub(crate) config: Arc<SandboxConfig>,
    pub(crate) max_body_bytes: usize,
    /// Where answered calls are recorded, if anywhere.
    pub(crate) calls: Option<CallLog>,
}

impl Sandbox {
    /// Loads the seed (or the SQLite file) and applies the administrator credentials.
    ///
    /// # Errors
    /// The seed cannot be read or is invalid, the SQLite file cannot be used, or the
    /// credentials cannot be set.
    pub fn new(config: SandboxConfig) -> Result<Self, Error> {
        let seed_text;
        let seed = match &config.seed {
            Some(path) => {
                seed_text = std::fs::read_to_string(path).map_err(|source| Error::SeedRead {
                    path: path.clone(),
                    source,
                })?;
                seed_text.as_str()
            }
            None => DEFAULT_SEED,
        };
        let database = match &config.sqlite {
            Some(path) => Database::open(seed, path)?,
            None => Database::from_seed(seed)?,
        };
        database
            .set_credentials(ADMIN_UID, &config.login, &config.password)
            .map_err(|fault| Error::Credentials {
                login: config.login.clone(),
                fault,
            })?;
        Ok(Sandbox {
            database: Arc::new(database),
            config: Arc::new(config),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            calls: None,
        })
    }

    /// Sets the largest request body the server reads (see [`DEFAULT_MAX_BODY_BYTES`]).
    #[must_use]
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Records every XML-RPC request answered from now on in `log` (tests, benchmarks).
    #[must_use]
    pub fn with_call_log(mut self, log: CallLog) -> Self {
        self.calls = Some(log);
        self
    }

    /// The XML-RPC routes: `POST /xmlrpc/2/common`, `/xmlrpc/2/object`, `/xmlrpc/2/db`.
    pub fn router(&self) -> axum::Router {
        crate::server::router(self.clone())
    }

    /// The database, for in-process callers and tests.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// The configuration the sandbox was built with.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }
}
