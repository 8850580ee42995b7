//! Who may open `GET /avatar/ws` when the host has an API token.
//!
//! Browsers cannot put an `Authorization` header on a WebSocket, and the API token must
//! never reach a page. So a trusted party (the embedding backend, or an auth proxy in
//! front of the page) calls `POST /avatar/tickets` with the bearer token and gets a
//! short-lived, single-use ticket the page passes as `?ticket=`. A ticket is a public
//! lookup id followed by a secret compared in constant time; it is removed when
//! presented (used or not), lives [`TICKET_TTL`], and is never logged. Non-browser
//! clients may present the bearer token on the upgrade request instead.
//!
//! Without an API token (the loopback default) no credential is needed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::HeaderMap;
use std::time::Instant;
use subtle::ConstantTimeEq;

use crate::guard::Token;

/// How long a ticket may wait to be used.
pub const TICKET_TTL: Duration = Duration::from_secs(60);
/// Unused tickets kept at most; minting beyond it fails until some expire.
const MAX_OUTSTANDING: usize = 4096;
/// Hex characters of the id, then of the secret.
const PART: usize = 32;

/// Why a socket was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "a ticket is required: POST /avatar/tickets with the API bearer token, then connect with ?ticket="
    )]
    Missing,
    #[error("unknown or already used ticket")]
    Unknown,
    #[error("the ticket expired (tickets last 60 s)")]
    Expired,
}

/// Too many tickets outstanding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many unused avatar tickets; try again shortly")]
pub struct Full;

/// Outstanding tickets: id → (secret, expiry).
#[derive(Default)]
pub struct Tickets(Mutex<HashMap<String, (String, Instant)>>);

impl Tickets {
    /// A new ticket, valid for [`TICKET_TTL`].
    ///
    /// # Errors
    /// [`Full`] when [`MAX_OUTSTANDING`] unexpired tickets wait to be used.
    pub fn mint(&self) -> Result<String, Full> {
        self.mint_at(Instant::now())
    }

    fn mint_at(&self, now: Instant) -> Result<String, Full> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (_, expires)| *expires > now);
        if map.len() >= MAX_OUTSTANDING {
            return Err(Full);
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        let secret = uuid::Uuid::new_v4().simple().to_string();
        let ticket = format!("{id}{secret}");
        map.insert(id, (secret, now + TICKET_TTL));
        Ok(ticket)
    }

    /// Uses up `presented`.
    ///
    /// # Errors
    /// [`Refusal::Unknown`] for a ticket never minted or already presented,
    /// [`Refusal::Expired`] for one older than [`TICKET_TTL`].
    pub fn redeem(&self, presented: &str) -> Result<(), Refusal> {
        self.redeem_at(presented, Instant::now())
    }

    fn redeem_at(&self, presented: &str, now: Instant) -> Result<(), Refusal> {
        if presented.len() != 2 * PART || !presented.is_ascii() {
            return Err(Refusal::Unknown);
        }
        let (id, secret) = presented.split_at(PART);
        let entry = self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
        let Some((expected, expires)) = entry else {
            return Err(Refusal::Unknown);
        };
        if !bool::from(expected.as_bytes().ct_eq(secret.as_bytes())) {
            return Err(Refusal::Unknown);
        }
        if now > expires {
            return Err(Refusal::Expired);
        }
        Ok(())
    }
}

/// The socket's access rule: the API token, if any, and the tickets it mints.
#[derive(Default)]
pub struct Access {
    pub api_token: Option<Token>,
    pub tickets: Tickets,
}

impl Access {
    /// Whether an upgrade request may open a session.
    ///
    /// # Errors
    /// Why not, when the host has an API token and neither a valid ticket nor the
    /// token itself was presented.
    pub fn admit(&self, headers: &HeaderMap, ticket: Option<&str>) -> Result<(), Refusal> {
        let Some(token) = &self.api_token else {
            return Ok(());
        };
        if crate::guard::bearer(headers).is_some_and(|p| token.matches(p)) {
            return Ok(());
        }
        match ticket {
            Some(t) => self.tickets.redeem(t),
            None => Err(Refusal::Missing),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_opens_once() {
        let t = Tickets::default();
        let ticket = t.mint().unwrap();
        assert_eq!(ticket.len(), 64);
        assert_eq!(t.redeem(&ticket), Ok(()));
        assert_eq!(t.redeem(&ticket), Err(Refusal::Unknown));
    }

    #[test]
    fn wrong_secrets_and_shapes_are_unknown_and_burn_the_id() {
        let t = Tickets::default();
        let ticket = t.mint().unwrap();
        let forged = format!("{}{}", &ticket[..PART], "0".repeat(PART));
        assert_eq!(t.redeem(&forged), Err(Refusal::Unknown));
        assert_eq!(t.redeem(&ticket), Err(Refusal::Unknown));
        for bad in ["", "abc", &"é".repeat(32), &ticket[..63]] {
            assert_eq!(t.redeem(bad), Err(Refusal::Unknown), "{bad:?}");
        }
    }

    #[test]
    fn tickets_expire_after_a_minute() {
        let t = Tickets::default();
        let now = Instant::now();
        let fresh = t.mint_at(now).unwrap();
        let stale = t.mint_at(now).unwrap();
        let second = Duration::from_secs(1);
        assert_eq!(t.redeem_at(&fresh, now + TICKET_TTL - second), Ok(()));
        assert_eq!(
            t.redeem_at(&stale, now + TICKET_TTL + second),
            Err(Refusal::Expired)
        );
        // An expired ticket is used up too.
        assert_eq!(t.redeem_at(&stale, now), Err(Refusal::Unknown));
    }

    #[test]
    fn outstanding_tickets_are_bounded_and_expired_ones_pruned() {
        let t = Tickets::default();
        let now = Instant::now();
        for _ in 0..MAX_OUTSTANDING {
            t.mint_at(now).unwrap();
        }
        assert_eq!(t.mint_at(now), Err(Full));
        let later = now + TICKET_TTL + Duration::from_secs(1);
        assert!(t.mint_at(later).is_ok());
    }

    #[test]
    fn without_an_api_token_anyone_is_admitted() {
        let open = Access::default();
        assert_eq!(open.admit(&HeaderMap::new(), None), Ok(()));
        let guarded = Access {
            api_token: Token::new("s3cret"),
            ..Default::default()
        };
        assert_eq!(
            guarded.admit(&HeaderMap::new(), None),
            Err(Refusal::Missing)
        );
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer s3cret".parse().unwrap());
        assert_eq!(guarded.admit(&h, None), Ok(()));
        h.insert("authorization", "Bearer nope".parse().unwrap());
        assert_eq!(guarded.admit(&h, Some("x")), Err(Refusal::Unknown));
    }
}
