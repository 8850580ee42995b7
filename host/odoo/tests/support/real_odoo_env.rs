//! The real Odoo that the `real_odoo` suites run against, when one is configured:
//! `ODOO_TEST_URL`, `ODOO_TEST_DB`, `ODOO_TEST_LOGIN`, `ODOO_TEST_PASSWORD`. Shared by the
//! client's suite (`host/odoo/tests/real_odoo.rs`) and the tools' suite
//! (`host/tests/all/real_odoo.rs`), so both read and skip alike.

/// Where and as whom to reach the real Odoo.
pub(crate) struct RealOdoo {
    pub(crate) url: String,
    pub(crate) db: String,
    pub(crate) login: String,
    /// Password or API key.
    pub(crate) password: String,
}

impl RealOdoo {
    /// The configured Odoo, or `None` after printing that the calling test was skipped
    /// (CI has no Odoo; an empty variable counts as unset).
    pub(crate) fn from_env() -> Option<RealOdoo> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let (Some(url), Some(db), Some(login), Some(password)) = (
            var("ODOO_TEST_URL"),
            var("ODOO_TEST_DB"),
            var("ODOO_TEST_LOGIN"),
            var("ODOO_TEST_PASSWORD"),
        ) else {
            eprintln!(
                "SKIPPED: real-Odoo test; set ODOO_TEST_URL, ODOO_TEST_DB, ODOO_TEST_LOGIN and ODOO_TEST_PASSWORD to run it"
            );
            return None;
        };
        Some(RealOdoo {
            url,
            db,
            login,
            password,
        })
    }
}
