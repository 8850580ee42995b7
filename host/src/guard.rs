//! Request checks shared by every HTTP surface: Host and Origin validation against
//! DNS rebinding, and bearer-token authentication.
//!
//! Applied as one middleware around the whole router. `/health` and `/ready` stay
//! open so load balancers can probe without a token. `/avatar/ws` checks its own
//! credential (a browser cannot send a bearer header on a WebSocket).

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

/// A bearer token; compared in constant time and never printed.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// A token from a non-empty string.
    pub fn new(s: impl Into<String>) -> Option<Token> {
        let s = s.into();
        (!s.is_empty()).then_some(Token(s))
    }

    /// Whether `presented` is this token (constant time).
    pub fn matches(&self, presented: &str) -> bool {
        self.0.as_bytes().ct_eq(presented.as_bytes()).into()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// What the guard enforces.
#[derive(Debug, Clone, Default)]
pub struct GuardConfig {
    /// Required on `/mcp*`, `/api/*` and `POST /avatar/tickets` when set (and then
    /// `/avatar/ws` needs a ticket: see `avatar::tickets`).
    pub api_token: Option<Token>,
    /// Required on admin routes (`POST /api/plugins/reload`); falls back to the
    /// API token. With neither, admin routes are refused.
    pub admin_token: Option<Token>,
    /// Host names accepted besides loopback; empty and non-loopback bind = any.
    pub allowed_hosts: Vec<String>,
    /// Browser origins accepted besides loopback ones.
    pub allowed_origins: Vec<String>,
    /// Whether the host is bound to a loopback address.
    pub loopback: bool,
}

impl GuardConfig {
    /// Host names rmcp's own check should accept.
    pub fn mcp_allowed_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]
            .map(String::from)
            .to_vec();
        hosts.extend(self.allowed_hosts.iter().cloned());
        hosts
    }

    fn host_ok(&self, headers: &HeaderMap) -> bool {
        if !self.loopback && self.allowed_hosts.is_empty() {
            return true;
        }
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            return false;
        };
        let name = strip_port(host);
        is_loopback_name(name)
            || self
                .allowed_hosts
                .iter()
                .any(|a| a.eq_ignore_ascii_case(name) || a.eq_ignore_ascii_case(host))
    }

    fn origin_ok(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok()) else {
            return true;
        };
        if self.allowed_origins.iter().any(|o| o == origin) {
            return true;
        }
        let host = origin.split_once("://").map_or("", |(_, rest)| rest);
        is_loopback_name(strip_port(host))
    }
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    host.rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
}

fn is_loopback_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The bearer credential of `Authorization`, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

fn deny(status: StatusCode, message: &str) -> Response {
    let body = axum::Json(serde_json::json!({ "error": message }));
    let mut resp = (status, body).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    resp
}

/// Whether a route is an admin route.
fn is_admin(req: &Request) -> bool {
    req.method() != axum::http::Method::GET && req.uri().path().starts_with("/api/plugins")
}

/// The middleware.
pub async fn check(State(cfg): State<Arc<GuardConfig>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    if !cfg.host_ok(headers) {
        return deny(
            StatusCode::FORBIDDEN,
            "Host header not allowed (add it to host.allowed_hosts)",
        );
    }
    if !cfg.origin_ok(headers) {
        return deny(
            StatusCode::FORBIDDEN,
            "Origin not allowed (add it to host.allowed_origins)",
        );
    }
    let path = req.uri().path();
    let protected =
        path.starts_with("/mcp") || path.starts_with("/api/") || path == "/avatar/tickets";
    if is_admin(&req) {
        let Some(token) = cfg.admin_token.as_ref().or(cfg.api_token.as_ref()) else {
            return deny(
                StatusCode::FORBIDDEN,
                "the admin API is disabled: set DANIEL_ADMIN_TOKEN",
            );
        };
        if !bearer(headers).is_some_and(|p| token.matches(p)) {
            return deny(
                StatusCode::UNAUTHORIZED,
                "missing or wrong admin bearer token",
            );
        }
    } else if protected
        && let Some(token) = &cfg.api_token
        && !bearer(headers).is_some_and(|p| token.matches(p))
    {
        return deny(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn loopback_hosts_pass_and_others_do_not() {
        let cfg = GuardConfig {
            loopback: true,
            ..Default::default()
        };
        assert!(cfg.host_ok(&headers(&[("host", "127.0.0.1:8000")])));
        assert!(cfg.host_ok(&headers(&[("host", "localhost")])));
        assert!(cfg.host_ok(&headers(&[("host", "[::1]:8000")])));
        assert!(!cfg.host_ok(&headers(&[("host", "evil.example:8000")])));
        assert!(!cfg.host_ok(&headers(&[])));
        let cfg = GuardConfig {
            loopback: true,
            allowed_hosts: vec!["erp.example.com".into()],
            ..Default::default()
        };
        assert!(cfg.host_ok(&headers(&[("host", "erp.example.com:443")])));
    }

    #[test]
    fn foreign_origins_are_refused() {
        let cfg = GuardConfig {
            loopback: true,
            ..Default::default()
        };
        assert!(cfg.origin_ok(&headers(&[])));
        assert!(cfg.origin_ok(&headers(&[("origin", "http://localhost:3000")])));
        assert!(!cfg.origin_ok(&headers(&[("origin", "https://evil.example")])));
    }

    #[test]
    fn tokens_compare_exactly() {
        let t = Token::new("abc").unwrap();
        assert!(t.matches("abc"));
        assert!(!t.matches("abcd"));
        assert!(Token::new("").is_none());
        assert_eq!(format!("{t:?}"), "Token(***)");
    }
}
