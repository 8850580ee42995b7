//! The repository's plugins.toml without its `[host]` table: the product plugins and
//! their Odoo instances as `make run` serves them, for tests and benches that bring
//! folders of their own. Shared by the test crate and the benches through `#[path]`.

pub(crate) fn product_config() -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../plugins.toml"))
        .expect("the repository's plugins.toml");
    let mut out = String::new();
    let mut in_host = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_host = line.trim() == "[host]";
        }
        if !in_host {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
