//! `[avatar]`: browser avatar sessions (issue 6). Raw shape and validation in one
//! place so the rest of the configuration code only gains a field and a call.
//!
//! With no ElevenLabs key the relay talks to the offline ConvAI stand-in; with no
//! avatar provider the page draws its own avatar. Keys are `${VAR}`-expanded here and
//! never reach the browser or a log line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::expand::{Env, expand};

/// Concurrent avatar sessions unless configured: each holds two WebSockets and, with
/// a cloud avatar, a paid vendor session.
pub(crate) const DEFAULT_MAX_SESSIONS: usize = 32;
/// A session's longest life unless configured: ElevenLabs' own default cap (600 s)
/// plus slack for the avatar's start and stop.
pub(crate) const DEFAULT_MAX_SESSION_SECS: u64 = 900;
/// How long a client tool may run: ElevenLabs' default `response_timeout_secs`.
pub(crate) const DEFAULT_TOOL_TIMEOUT_SECS: u64 = 20;

/// `[avatar]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAvatar {
    enabled: Option<bool>,
    /// Folder with `index.html` (and `vendor/` from npm); relative to the file.
    frontend_dir: Option<String>,
    max_sessions: Option<usize>,
    max_session_secs: Option<u64>,
    tool_timeout_secs: Option<u64>,
    /// Tools the agent may call; all registry tools when absent.
    tools: Option<Vec<String>>,
    elevenlabs_api_key: Option<String>,
    elevenlabs_agent_id: Option<String>,
    elevenlabs_api_base: Option<String>,
    /// `none` (the page draws the avatar), `heygen` or `liveavatar`.
    provider: Option<String>,
    heygen_api_key: Option<String>,
    heygen_avatar_id: Option<String>,
    heygen_voice_id: Option<String>,
    heygen_api_base: Option<String>,
    liveavatar_api_key: Option<String>,
    liveavatar_avatar_id: Option<String>,
    liveavatar_api_base: Option<String>,
    /// The offline agent's quotation tool.
    offline_quotation_tool: Option<String>,
    /// The offline agent's catalogue tool (falls back to the seed catalogue).
    offline_product_tool: Option<String>,
}

/// Validated `[avatar]`.
#[derive(Clone, PartialEq)]
pub struct AvatarSpec {
    pub enabled: bool,
    pub frontend_dir: PathBuf,
    pub max_sessions: usize,
    pub max_session: Duration,
    pub tool_timeout: Duration,
    pub tools: Option<Vec<String>>,
    /// `None`: the offline ConvAI stand-in.
    pub elevenlabs: Option<VendorSpec>,
    pub provider: ProviderSpec,
    pub offline_quotation_tool: String,
    pub offline_product_tool: String,
}

/// A cloud vendor's account: key, the id of the agent or avatar, API base.
#[derive(Clone, PartialEq)]
pub struct VendorSpec {
    pub api_key: String,
    pub id: String,
    pub api_base: String,
    /// HeyGen's voice id (unused elsewhere).
    pub voice_id: Option<String>,
}

impl std::fmt::Debug for VendorSpec {
    // Hand-written so the key can never end up in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VendorSpec")
            .field("id", &self.id)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// The streaming-avatar provider.
#[derive(Debug, Clone, PartialEq)]
pub enum ProviderSpec {
    /// The page draws the avatar itself.
    None,
    /// HeyGen streaming (`streaming.*`); `None` account: the offline stand-in.
    HeyGen(Option<VendorSpec>),
    /// LiveAvatar LITE.
    LiveAvatar(VendorSpec),
}

impl std::fmt::Debug for AvatarSpec {
    // Hand-written so no key can end up in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let provider = match &self.provider {
            ProviderSpec::None => "none",
            ProviderSpec::HeyGen(Some(_)) => "heygen",
            ProviderSpec::HeyGen(None) => "heygen (offline stand-in)",
            ProviderSpec::LiveAvatar(_) => "liveavatar",
        };
        f.debug_struct("AvatarSpec")
            .field("enabled", &self.enabled)
            .field("frontend_dir", &self.frontend_dir)
            .field("elevenlabs", &self.elevenlabs.is_some())
            .field("provider", &provider)
            .finish_non_exhaustive()
    }
}

impl Default for AvatarSpec {
    fn default() -> Self {
        AvatarSpec {
            enabled: true,
            frontend_dir: PathBuf::from("frontend"),
            max_sessions: DEFAULT_MAX_SESSIONS,
            max_session: Duration::from_secs(DEFAULT_MAX_SESSION_SECS),
            tool_timeout: Duration::from_secs(DEFAULT_TOOL_TIMEOUT_SECS),
            tools: None,
            elevenlabs: None,
            provider: ProviderSpec::None,
            offline_quotation_tool: "dev_create_quotation".into(),
            offline_product_tool: "find_products".into(),
        }
    }
}

/// Builds the spec, reporting each problem as (key under `avatar`, message).
pub(crate) fn build(
    raw: RawAvatar,
    base: &Path,
    env: &dyn Env,
    problem: &mut dyn FnMut(&str, String),
) -> AvatarSpec {
    let d = AvatarSpec::default();
    let mut secret = |key: &str, v: Option<String>| -> Option<String> {
        let v = v?;
        expand(&v, env)
            .map_err(|e| problem(key, e))
            .ok()
            .filter(|v| !v.is_empty())
    };
    let el_key = secret("elevenlabs_api_key", raw.elevenlabs_api_key);
    let heygen_key = secret("heygen_api_key", raw.heygen_api_key);
    let live_key = secret("liveavatar_api_key", raw.liveavatar_api_key);
    let mut range = |key: &str, v: Option<u64>, default: u64, max: u64| -> u64 {
        let v = v.unwrap_or(default);
        if v == 0 || v > max {
            problem(key, format!("{v} is out of range 1..={max}"));
        }
        v
    };
    let max_sessions = range(
        "max_sessions",
        raw.max_sessions.map(|v| v as u64),
        d.max_sessions as u64,
        10_000,
    ) as usize;
    let max_session = range(
        "max_session_secs",
        raw.max_session_secs,
        DEFAULT_MAX_SESSION_SECS,
        86_400,
    );
    let tool_timeout = range(
        "tool_timeout_secs",
        raw.tool_timeout_secs,
        DEFAULT_TOOL_TIMEOUT_SECS,
        120,
    );
    let elevenlabs = el_key.map(|api_key| VendorSpec {
        api_key,
        id: raw.elevenlabs_agent_id.clone().unwrap_or_else(|| {
            problem(
                "elevenlabs_agent_id",
                "missing while elevenlabs_api_key is set".into(),
            );
            String::new()
        }),
        api_base: raw
            .elevenlabs_api_base
            .clone()
            .unwrap_or_else(|| "https://api.elevenlabs.io".into()),
        voice_id: None,
    });
    let mut account = |prefix: &str,
                       key: Option<String>,
                       id: Option<String>,
                       base: Option<String>,
                       default_base: &str| {
        key.map(|api_key| VendorSpec {
            api_key,
            id: id.unwrap_or_else(|| {
                problem(
                    &format!("{prefix}_avatar_id"),
                    format!("missing while {prefix}_api_key is set"),
                );
                String::new()
            }),
            api_base: base.unwrap_or_else(|| default_base.into()),
            voice_id: None,
        })
    };
    let provider = match raw.provider.as_deref().unwrap_or("none") {
        "none" => ProviderSpec::None,
        "heygen" => {
            let mut acc = account(
                "heygen",
                heygen_key,
                raw.heygen_avatar_id,
                raw.heygen_api_base,
                "https://api.heygen.com",
            );
            if let Some(a) = acc.as_mut() {
                a.voice_id = raw.heygen_voice_id;
            }
            ProviderSpec::HeyGen(acc)
        }
        "liveavatar" => {
            match account(
                "liveavatar",
                live_key,
                raw.liveavatar_avatar_id,
                raw.liveavatar_api_base,
                "https://api.liveavatar.com",
            ) {
                Some(acc) => ProviderSpec::LiveAvatar(acc),
                None => {
                    problem("liveavatar_api_key", "missing while provider = \"liveavatar\" (LiveAvatar has no offline stand-in)".into());
                    ProviderSpec::None
                }
            }
        }
        other => {
            problem(
                "provider",
                format!("{other:?} is not one of \"none\", \"heygen\", \"liveavatar\""),
            );
            ProviderSpec::None
        }
    };
    AvatarSpec {
        enabled: raw.enabled.unwrap_or(true),
        frontend_dir: base.join(raw.frontend_dir.as_deref().unwrap_or("frontend")),
        max_sessions,
        max_session: Duration::from_secs(max_session),
        tool_timeout: Duration::from_secs(tool_timeout),
        tools: raw.tools,
        elevenlabs,
        provider,
        offline_quotation_tool: raw
            .offline_quotation_tool
            .unwrap_or(d.offline_quotation_tool),
        offline_product_tool: raw.offline_product_tool.unwrap_or(d.offline_product_tool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(text: &str, env: &HashMap<String, String>) -> (AvatarSpec, Vec<String>) {
        let raw: RawAvatar = toml::from_str(text).unwrap();
        let mut problems = Vec::new();
        let spec = build(raw, Path::new("/etc/daniel"), env, &mut |k, m| {
            problems.push(format!("avatar.{k}: {m}"))
        });
        (spec, problems)
    }

    #[test]
    fn defaults_are_offline() {
        let (spec, problems) = parse("", &HashMap::new());
        assert!(problems.is_empty(), "{problems:?}");
        assert!(spec.elevenlabs.is_none());
        assert_eq!(spec.provider, ProviderSpec::None);
        assert_eq!(spec.frontend_dir, Path::new("/etc/daniel/frontend"));
    }

    #[test]
    fn keys_come_from_the_environment_and_never_print() {
        let env = HashMap::from([("EL".to_owned(), "sk_secret".to_owned())]);
        let (spec, problems) = parse(
            "elevenlabs_api_key = \"${EL}\"\nelevenlabs_agent_id = \"agent_1\"\nprovider = \"heygen\"",
            &env,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(spec.elevenlabs.as_ref().unwrap().api_key, "sk_secret");
        assert_eq!(spec.provider, ProviderSpec::HeyGen(None));
        assert!(!format!("{spec:?}").contains("sk_secret"));
    }

    #[test]
    fn problems_name_key_and_rule() {
        let (_, problems) = parse(
            "elevenlabs_api_key = \"${NOPE}\"\nprovider = \"did\"\ntool_timeout_secs = 0",
            &HashMap::new(),
        );
        let all = problems.join("\n");
        assert!(
            all.contains("avatar.elevenlabs_api_key: environment variable NOPE is not set"),
            "{all}"
        );
        assert!(
            all.contains("avatar.provider: \"did\" is not one of"),
            "{all}"
        );
        assert!(
            all.contains("avatar.tool_timeout_secs: 0 is out of range 1..=120"),
            "{all}"
        );
    }
}
