//! Who may open `/avatar/ws`: anyone on a host without an API token; with one, a
//! single-use ticket from `POST /avatar/tickets` (or the token itself).

use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::*;

const TOKEN: &str = "avatar-test-token";

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(host: &TestHost, query: &str, bearer: Option<&str>) -> Result<Socket, u16> {
    let mut req = format!("ws://{}/avatar/ws{query}", host.addr)
        .into_client_request()
        .unwrap();
    if let Some(b) = bearer {
        req.headers_mut()
            .insert("authorization", format!("Bearer {b}").parse().unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(WsError::Http(resp)) => Err(resp.status().as_u16()),
        Err(e) => panic!("unexpected socket error: {e}"),
    }
}

/// Sends `start` and waits for `session`: the socket really serves a session.
async fn starts(mut ws: Socket) {
    ws.send(Message::text(r#"{"type":"start"}"#)).await.unwrap();
    loop {
        let m = tokio::time::timeout(WAIT, ws.next()).await.unwrap();
        if let Some(Ok(Message::Text(t))) = m {
            assert_contains(t.as_str(), r#""type":"session""#);
            return;
        }
    }
}

async fn mint(host: &TestHost, bearer: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().post(host.url("/avatar/tickets"));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn with_an_api_token_the_socket_takes_a_ticket_once() {
    let host = TestHost::start_full("", &[], false, Some(TOKEN)).await;
    assert_eq!(open(&host, "", None).await.err(), Some(401));
    assert_eq!(mint(&host, None).await.status(), 401);
    assert_eq!(mint(&host, Some("wrong")).await.status(), 401);

    let resp = mint(&host, Some(TOKEN)).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["expires_in"], 60);
    let ticket = body["ticket"].as_str().unwrap().to_owned();

    let forged = format!("?ticket={}", "0".repeat(64));
    assert_eq!(open(&host, &forged, None).await.err(), Some(401));
    starts(
        open(&host, &format!("?ticket={ticket}"), None)
            .await
            .unwrap(),
    )
    .await;
    // Used up: the same ticket is refused the second time.
    assert_eq!(
        open(&host, &format!("?ticket={ticket}"), None).await.err(),
        Some(401)
    );
    // Clients that can set headers may present the token itself.
    starts(open(&host, "", Some(TOKEN)).await.unwrap()).await;
    assert_eq!(open(&host, "", Some("wrong")).await.err(), Some(401));
}

#[tokio::test]
async fn without_an_api_token_no_ticket_is_needed() {
    let host = TestHost::start("", &[]).await;
    starts(open(&host, "", None).await.unwrap()).await;
    // The page always asks for a ticket; here any caller gets one, and it is ignored.
    assert_eq!(mint(&host, None).await.status(), 201);
    starts(open(&host, "?ticket=whatever", None).await.unwrap()).await;
}
