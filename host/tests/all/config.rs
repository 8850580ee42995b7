//! `plugins.toml` validation: every problem named with file, line and key.

use std::collections::HashMap;
use std::path::Path;

use daniel::config::{Config, Endpoint};

use crate::support::assert_contains;

fn parse(text: &str) -> Result<Config, String> {
    let env = HashMap::from([("ODOO_KEY".to_owned(), "s3cret".to_owned())]);
    Config::parse(text, Path::new("conf/plugins.toml"), &env).map_err(|e| e.to_string())
}

#[test]
fn a_full_configuration_is_understood() {
    let c = parse(
        r#"
[odoo.instances.prod]
url = "https://erp.example.com"
db = "prod"
login = "bot@example.com"
key = "${ODOO_KEY}"
read_only = true

[odoo.instances.dev]
sandbox = true

[plugins.sales]
instance = "prod"
tool_instances = { dev_create_sale = "dev" }
messaging = true
memory_mb = 32
[plugins.sales.grants]
"sale.order" = ["search_read", "create"]
"res.partner" = ["*"]
[plugins.sales.settings]
team_id = 1
"#,
    )
    .unwrap();
    let Endpoint::Remote { key, .. } = &c.instances["prod"].endpoint else {
        panic!("remote")
    };
    assert_eq!(key, "s3cret");
    assert!(
        !format!("{:?}", c.instances["prod"]).contains("s3cret"),
        "secrets never in Debug output"
    );
    let sales = &c.plugins["sales"];
    assert_eq!(sales.grants.instance_for("list_sales"), Some("prod"));
    assert_eq!(sales.grants.instance_for("dev_create_sale"), Some("dev"));
    assert_eq!(sales.limits.memory_bytes, 32 << 20);
    assert_eq!(sales.artifact, Path::new("conf/plugins/dist/sales.wasm"));
    assert_eq!(sales.settings["team_id"], 1);
    assert!(c.needs_sandbox());
}

#[test]
fn every_problem_is_reported_with_line_and_key() {
    let err = parse(
        "[odoo.instances.prod]\nurl = \"ftp://x\"\ndb = \"d\"\nlogin = \"l\"\nkey = \"${MISSING}\"\n\n[plugins.crm]\ninstance = \"prod2\"\ncpu_ms = 0\n",
    )
    .unwrap_err();
    assert_contains(
        &err,
        "conf/plugins.toml:2: odoo.instances.prod.url: \"ftp://x\" is not an http(s) URL",
    );
    assert_contains(
        &err,
        "conf/plugins.toml:5: odoo.instances.prod.key: environment variable MISSING is not set",
    );
    assert_contains(
        &err,
        "conf/plugins.toml:8: plugins.crm.instance: unknown instance \"prod2\" (known: prod)",
    );
    assert_contains(
        &err,
        "conf/plugins.toml:9: plugins.crm.cpu_ms: 0 is out of range",
    );
}

#[test]
fn unknown_keys_and_syntax_errors_name_the_line() {
    let err = parse("[plugins.crm]\nartifact = \"crm.wasm\"\nmemroy_mb = 3\n").unwrap_err();
    assert_contains(
        &err,
        "conf/plugins.toml:3: (syntax): unknown field `memroy_mb`",
    );
    let err = parse("[plugins.crm\n").unwrap_err();
    assert_contains(&err, "conf/plugins.toml:1:");
}

#[test]
fn an_empty_file_means_the_sandbox_and_drop_in_plugins() {
    let c = parse("").unwrap();
    assert!(c.needs_sandbox());
    assert_eq!(c.instances.keys().collect::<Vec<_>>(), ["main"]);
    assert!(c.plugins.is_empty());
}

#[test]
fn job_stores_are_chosen_by_the_store_value_and_a_postgres_password_never_prints() {
    use daniel::config::JobStoreSpec;
    let c = parse("").unwrap();
    assert_eq!(
        c.jobs.store,
        JobStoreSpec::Sqlite(Path::new("conf/var/jobs.sqlite").to_path_buf())
    );
    assert_eq!(
        parse("[jobs]\nstore = \":memory:\"").unwrap().jobs.store,
        JobStoreSpec::Memory
    );
    let c = parse("[jobs]\nstore = \"postgres://daniel:${ODOO_KEY}@db/daniel\"").unwrap();
    assert_eq!(
        c.jobs.store,
        JobStoreSpec::Postgres("postgres://daniel:s3cret@db/daniel".into())
    );
    assert!(!format!("{c:?}").contains("s3cret"), "{c:?}");
    assert_eq!(c.jobs.dedupe, std::time::Duration::from_secs(600));
    let off = parse("[jobs]\ndedupe_minutes = 0").unwrap();
    assert!(off.jobs.dedupe.is_zero());
    let err = parse(
        "[jobs]\nstore = \"postgres://u:${NOPE}@db/d\"\nlease_seconds = 1\nmax_queued = 0\ndedupe_minutes = 5000",
    )
    .unwrap_err();
    for key in [
        "jobs.store",
        "jobs.lease_seconds",
        "jobs.max_queued",
        "jobs.dedupe_minutes",
    ] {
        assert_contains(&err, key);
    }
}
