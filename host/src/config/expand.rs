//! `${VAR}` expansion for secrets, from the process environment or a test map.

/// Where `${VAR}` values come from; tests pass a map.
pub trait Env {
    /// The variable's value, if set.
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Env for std::collections::HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// Replaces every `${NAME}` in `text`. Fails naming the first unset variable or an
/// unterminated reference. `$$` stands for a literal `$`.
pub(crate) fn expand(text: &str, env: &dyn Env) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').ok_or("unterminated ${...} reference")?;
            let name = &body[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("invalid variable name {name:?} in ${{...}}"));
            }
            let value = env
                .var(name)
                .ok_or_else(|| format!("environment variable {name} is not set"))?;
            out.push_str(&value);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env() -> HashMap<String, String> {
        HashMap::from([("KEY".to_owned(), "s3cret".to_owned())])
    }

    #[test]
    fn expands_known_variables_and_keeps_other_text() {
        assert_eq!(expand("a-${KEY}-b", &env()).unwrap(), "a-s3cret-b");
        assert_eq!(expand("cost $5 and $$", &env()).unwrap(), "cost $5 and $");
    }

    #[test]
    fn names_the_missing_variable() {
        let err = expand("${NOPE}", &env()).unwrap_err();
        assert!(err.contains("NOPE"), "{err}");
        assert!(
            expand("${KEY", &env())
                .unwrap_err()
                .contains("unterminated")
        );
        assert!(
            expand("${A B}", &env())
                .unwrap_err()
                .contains("invalid variable")
        );
    }
}
