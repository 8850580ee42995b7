//! The server version from `common.version()`.

use std::fmt;

use serde_json::Value;

/// Odoo's version, e.g. `19.0` (`major` 19, `minor` 0) or `saas~18.2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVersion {
    /// Major version (18, 19, …).
    pub major: u32,
    /// Minor version (0 for a release, 1–4 for SaaS intermediates).
    pub minor: u32,
    /// `server_version` as the server wrote it.
    pub text: String,
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl ServerVersion {
    /// Reads `server_version_info` (`[19, 0, 0, "final", 0, ""]`), or failing that parses
    /// `server_version` (`"saas~18.2"`, `"17.0+e"`).
    pub(super) fn from_answer(answer: &Value) -> Option<ServerVersion> {
        let text = answer.get("server_version")?.as_str()?.to_owned();
        let number = |v: Option<&Value>| v?.as_u64().and_then(|n| u32::try_from(n).ok());
        let info = answer.get("server_version_info").and_then(Value::as_array);
        let from_info = info.and_then(|info| Some((number(info.first())?, number(info.get(1))?)));
        let (major, minor) = from_info.or_else(|| parse_text(&text))?;
        Some(ServerVersion { major, minor, text })
    }
}

fn parse_text(text: &str) -> Option<(u32, u32)> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let mut parts = text[start..].split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_info_or_text() {
        let v = ServerVersion::from_answer(&json!({
            "server_version": "19.0", "server_version_info": [19, 0, 0, "final", 0, ""],
            "server_serie": "19.0", "protocol_version": 1,
        }))
        .unwrap();
        assert_eq!((v.major, v.minor, v.text.as_str()), (19, 0, "19.0"));
        let saas = ServerVersion::from_answer(&json!({
            "server_version": "saas~18.2", "server_version_info": ["saas~18", 2, 0, "final", 0, ""],
        }))
        .unwrap();
        assert_eq!((saas.major, saas.minor), (18, 2));
        let enterprise = ServerVersion::from_answer(&json!({"server_version": "17.0+e"})).unwrap();
        assert_eq!((enterprise.major, enterprise.minor), (17, 0));
        assert_eq!(
            ServerVersion::from_answer(&json!({"server_version": "dev"})),
            None
        );
        assert_eq!(ServerVersion::from_answer(&json!([19])), None);
    }
}
