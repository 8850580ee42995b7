//! Shutdown through the host's own `app::serve`: it returns only after every browser
//! session ended and every vendor session was stopped (HeyGen `streaming.stop`, the
//! ConvAI conversation closed), and a hung vendor holds it no longer than the grace.

use std::time::Instant;

use daniel::app::{self, Options};
use daniel::sandbox::avatar as heygen_stand_in;
use tokio_tungstenite::tungstenite::Message;

use super::*;
use crate::support::with_host_section;

struct Vendors {
    convai: StandIn,
    heygen: heygen_stand_in::StandIn,
    _stop: tokio_util::sync::DropGuard,
}

/// Stand-ins the test owns, so they outlive the host and can be read after it.
async fn vendors() -> Vendors {
    let stop = CancellationToken::new();
    let convai = convai::start(agent("echo"), Faults::default(), stop.clone())
        .await
        .unwrap();
    let heygen = heygen_stand_in::start(stop.clone()).await.unwrap();
    Vendors {
        convai,
        heygen,
        _stop: stop.drop_guard(),
    }
}

/// The host configured with the stand-ins as its "real" vendors.
fn config(v: &Vendors) -> String {
    format!(
        "[avatar]\nelevenlabs_api_key = {:?}\nelevenlabs_agent_id = {:?}\nelevenlabs_api_base = {:?}\n\
         provider = \"heygen\"\nheygen_api_key = {:?}\nheygen_avatar_id = \"offline\"\nheygen_api_base = {:?}\n",
        v.convai.api_key, v.convai.agent_id, v.convai.api_base, v.heygen.api_key, v.heygen.api_base
    )
}

struct Served {
    addr: std::net::SocketAddr,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

async fn serve(config: &str, grace: Duration) -> Served {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("plugins")).unwrap();
    std::fs::write(dir.path().join("plugins.toml"), with_host_section(config)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let options = Options {
        no_watch: true,
        shutdown_grace: Some(grace),
        ..Options::loopback(dir.path().join("plugins.toml"))
    };
    let task = tokio::spawn(app::serve(listener, options, shutdown.clone()));
    Served {
        addr,
        shutdown,
        task,
        _dir: dir,
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Reads text frames until one contains `needle`.
async fn until(ws: &mut Socket, needle: &str) {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) if t.as_str().contains(needle) => return,
            Ok(Some(Ok(_))) => {}
            other => panic!("no {needle}: {other:?}"),
        }
    }
}

/// A session whose avatar (a HeyGen stand-in session) has started.
async fn session(addr: std::net::SocketAddr) -> Socket {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/avatar/ws"))
        .await
        .unwrap();
    ws.send(Message::text(r#"{"type":"start"}"#)).await.unwrap();
    until(&mut ws, r#""type":"avatar""#).await;
    ws
}

#[tokio::test]
async fn shutdown_returns_after_every_vendor_session_is_stopped() {
    let v = vendors().await;
    let host = serve(&config(&v), Duration::from_secs(15)).await;
    let mut sockets = Vec::new();
    for _ in 0..3 {
        sockets.push(session(host.addr).await);
    }
    assert_eq!(v.heygen.sessions.open(), 3);
    assert_eq!(Stats::get(&v.convai.stats.open), 3);
    host.shutdown.cancel();
    let served = tokio::time::timeout(Duration::from_secs(30), host.task)
        .await
        .expect("the host stopped within its grace");
    served.unwrap().unwrap();
    // Read right after the host returned: every stop call was made and answered.
    let all = v.heygen.sessions.all();
    assert_eq!(all.len(), 3);
    assert!(
        all.values().all(|s| s.stops == 1 && s.status == "closed"),
        "{all:?}"
    );
    // The close frame was sent before the host returned; the stand-in counts it when read.
    let stats = v.convai.stats.clone();
    wait_until("every conversation closed", async || {
        Stats::get(&stats.open) == 0
    })
    .await;
    for mut ws in sockets {
        until(&mut ws, "host shutting down").await;
    }
}

#[tokio::test]
async fn a_hung_vendor_stop_holds_shutdown_no_longer_than_the_grace() {
    let v = vendors().await;
    v.heygen.sessions.delay_stops(Duration::from_secs(60));
    let host = serve(&config(&v), Duration::from_secs(1)).await;
    let _ws = session(host.addr).await;
    let started = Instant::now();
    host.shutdown.cancel();
    let served = tokio::time::timeout(Duration::from_secs(10), host.task)
        .await
        .expect("the grace bounds shutdown");
    served.unwrap().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(v.heygen.sessions.all().values().all(|s| s.stops == 0));
}
