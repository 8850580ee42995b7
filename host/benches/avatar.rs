//! Avatar relay benchmark (figures, never pass/fail): the relay's added latency per
//! agent audio frame, from a vendor's WebSocket send to the browser side, with 1 and
//! with many concurrent sessions on this machine (target p99 ≤ 2 ms).
//!
//! A minimal ConvAI-shaped vendor on loopback streams audio frames whose first 8
//! bytes of PCM carry the send time; the relay forwards them untouched (no avatar), and
//! the browser side is a channel, so the figure is one loopback hop plus the relay's
//! receive → parse → gate → send. Then a soak: `AVATAR_SOAK_SESSIONS` (500) offline
//! sessions against the ConvAI stand-in for `AVATAR_SOAK_SECS` (30), each asking a
//! question every few seconds, printing resident memory as it goes. Last, offline
//! speech recognition: from the end of a spoken request (the VAD's end-of-turn pause
//! included) to its transcript, when espeak-ng and PocketSphinx are installed.
//! Run: `cargo bench -p daniel --bench avatar`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use base64::Engine as _;
use daniel::avatar::convai::ConvaiEndpoint;
use daniel::avatar::protocol::{ClientMessage, ServerMessage};
use daniel::avatar::session::{Inbound, Relay};
use daniel::avatar::tools::ToolRunner;
use daniel::sandbox::convai;
use futures::StreamExt;
use futures::channel::mpsc;
use futures::future::BoxFuture;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Frames per session, and the vendor's pause between them (ElevenLabs streams
/// 100–250 ms chunks faster than real time).
const FRAMES: usize = 400;
const INTERVAL: Duration = Duration::from_millis(5);
/// 100 ms of 16 kHz PCM16.
const FRAME_BYTES: usize = 3_200;

struct NoTools;

impl ToolRunner for NoTools {
    fn call(&self, _: &str, _: Value) -> BoxFuture<'static, Result<String, String>> {
        Box::pin(async { Err("no tools".into()) })
    }
}

fn epoch() -> &'static Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(Instant::now)
}

async fn vendor_socket(mut ws: WebSocket) {
    let _init = ws.next().await;
    let meta = json!({"type": "conversation_initiation_metadata", "conversation_initiation_metadata_event":
        {"conversation_id": "bench", "agent_output_audio_format": "pcm_16000", "user_input_audio_format": "pcm_16000"}});
    if ws
        .send(Message::Text(meta.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    let mut pcm = vec![0u8; FRAME_BYTES];
    for i in 0..FRAMES {
        tokio::time::sleep(INTERVAL).await;
        let nanos = epoch().elapsed().as_nanos() as u64;
        pcm[..8].copy_from_slice(&nanos.to_le_bytes());
        let b64 = base64::engine::general_purpose::STANDARD.encode(&pcm);
        let frame =
            json!({"type": "audio", "audio_event": {"audio_base_64": b64, "event_id": i + 1}});
        if ws
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_err()
        {
            return;
        }
    }
    let _ = ws.send(Message::Close(None)).await;
}

async fn vendor() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route(
            "/v1/convai/conversation/get-signed-url",
            get(move || async move { Json(json!({"signed_url": format!("ws://{addr}/ws")})) }),
        )
        .route(
            "/ws",
            get(|up: WebSocketUpgrade| async move { up.on_upgrade(vendor_socket) }),
        );
    // As every server should for streaming audio (without it Nagle and delayed ACKs
    // hold some frames ~40 ms).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// One session's per-frame latencies in microseconds.
async fn session(relay: Arc<Relay>) -> Vec<u64> {
    let (tx, input) = mpsc::unbounded();
    let (out, mut rx) = mpsc::unbounded();
    tx.unbounded_send(Inbound::Message(ClientMessage::Start {
        language: None,
        user_name: None,
        text_only: true,
    }))
    .unwrap();
    let run = tokio::spawn(async move {
        relay
            .run("bench", out, input, CancellationToken::new())
            .await
    });
    let mut lat = Vec::with_capacity(FRAMES);
    while let Some(m) = rx.next().await {
        if let ServerMessage::Audio { data, .. } = m {
            let now = epoch().elapsed().as_nanos() as u64;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .unwrap();
            let sent = u64::from_le_bytes(bytes[..8].try_into().unwrap());
            lat.push(now.saturating_sub(sent) / 1_000);
        }
    }
    drop(tx);
    let _ = run.await;
    lat
}

fn pct(sorted: &[u64], p: f64) -> u64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(relay: &Arc<Relay>, sessions: usize) {
    let started = Instant::now();
    let tasks: Vec<_> = (0..sessions)
        .map(|_| tokio::spawn(session(relay.clone())))
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    println!(
        "relay audio frame, {sessions:>3} sessions: {} frames in {:.1} s, p50 {} µs, p99 {} µs, p99.9 {} µs, max {} µs",
        all.len(),
        started.elapsed().as_secs_f64(),
        pct(&all, 0.50),
        pct(&all, 0.99),
        pct(&all, 0.999),
        all.last().copied().unwrap_or_default(),
    );
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A customer who asks a question every 3 s until `stop`; counts agent replies.
async fn customer(relay: Arc<Relay>, stop: CancellationToken) -> u64 {
    let (tx, input) = mpsc::unbounded();
    let (out, mut rx) = mpsc::unbounded::<ServerMessage>();
    let start = ClientMessage::Start {
        language: None,
        user_name: None,
        text_only: true,
    };
    tx.unbounded_send(Inbound::Message(start)).unwrap();
    let run = tokio::spawn(async move { relay.run("soak", out, input, stop).await });
    let ask = tx.clone();
    let asking = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(3)).await;
            let q = ClientMessage::Text {
                text: "¿Cuánto cuesta el KettyBot?".into(),
            };
            if ask.unbounded_send(Inbound::Message(q)).is_err() {
                break;
            }
        }
    });
    let mut replies = 0;
    while let Some(m) = rx.next().await {
        replies += u64::from(matches!(m, ServerMessage::AgentResponse { .. }));
    }
    asking.abort();
    let _ = run.await;
    replies
}

async fn soak() {
    let (sessions, secs) = (
        env_or("AVATAR_SOAK_SESSIONS", 500),
        env_or("AVATAR_SOAK_SECS", 30),
    );
    let stop = CancellationToken::new();
    let agent = convai::AgentOptions {
        product_tool: None,
        voice: convai::VoiceKind::Hum,
        hearing: convai::HearingKind::Off,
        ..Default::default()
    };
    let (s, relay) = offline(agent, &stop).await;
    let before = rss_mib();
    let tasks: Vec<_> = (0..sessions)
        .map(|_| tokio::spawn(customer(relay.clone(), stop.clone())))
        .collect();
    for t in 0..secs / 5 {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let open = convai::Stats::get(&s.stats.open);
        println!(
            "soak t={:>3}s: {open} conversations open, RSS {:.1} MiB",
            (t + 1) * 5,
            rss_mib()
        );
    }
    stop.cancel();
    let mut replies = 0;
    for t in tasks {
        replies += t.await.unwrap_or(0);
    }
    println!(
        "soak: {sessions} offline sessions for {secs} s: {replies} agent replies, RSS {before:.1} → {:.1} MiB",
        rss_mib()
    );
}

/// Spoken requests, one after another in one session: the time from the last chunk
/// of the utterance's trailing pause (600 ms of it ends the turn) to its transcript.
async fn hearing() {
    const SAID: &str = "I would like a quotation for two KettyBot Pro";
    const TURNS: usize = 20;
    let speech = match convai::hearing_available() {
        Ok(()) => convai::speak(SAID, "en", 16_000).await,
        Err(why) => Err(why),
    };
    let speech = match speech {
        Ok(s) => s,
        Err(why) => return println!("hearing: skipped ({why})"),
    };
    let stop = CancellationToken::new();
    let agent = convai::AgentOptions {
        product_tool: None,
        greet: false,
        voice: convai::VoiceKind::Hum,
        ..Default::default()
    };
    let (_s, relay) = offline(agent, &stop).await;
    let (tx, input) = mpsc::unbounded();
    let (out, mut rx) = mpsc::unbounded::<ServerMessage>();
    let start = ClientMessage::Start {
        language: Some("en".into()),
        user_name: None,
        text_only: false,
    };
    tx.unbounded_send(Inbound::Message(start)).unwrap();
    let ended = stop.clone();
    let session = tokio::spawn(async move { relay.run("bench", out, input, ended).await });
    let mut utterance = speech;
    utterance.extend(vec![0i16; 16_000 * 7 / 10]);
    let chunk = |samples: &[i16]| {
        let bytes: Vec<u8> = samples.iter().flat_map(|v| v.to_le_bytes()).collect();
        Inbound::Message(ClientMessage::Audio {
            data: base64::engine::general_purpose::STANDARD.encode(bytes),
        })
    };
    let (mut waits, mut understood) = (Vec::new(), 0);
    for _ in 0..TURNS {
        for c in utterance.chunks(1_600) {
            tx.unbounded_send(chunk(c)).unwrap();
        }
        let sent = Instant::now();
        while let Some(m) = rx.next().await {
            if let ServerMessage::UserTranscript { text, .. } = m {
                waits.push(sent.elapsed().as_micros() as u64);
                understood += usize::from(text.contains("2 KettyBot Pro"));
                break;
            }
        }
    }
    waits.sort_unstable();
    println!(
        "hearing: {TURNS} spoken requests, {understood} understood; end of pause → transcript \
         p50 {:.0} ms, p99 {:.0} ms (plus the 600 ms pause that ends a turn)",
        pct(&waits, 0.50) as f64 / 1000.0,
        pct(&waits, 0.99) as f64 / 1000.0,
    );
    stop.cancel();
    let _ = session.await;
}

/// The ConvAI stand-in with `agent`, and a relay to it.
async fn offline(
    agent: convai::AgentOptions,
    stop: &CancellationToken,
) -> (convai::StandIn, Arc<Relay>) {
    let s = convai::start(agent, convai::Faults::default(), stop.clone())
        .await
        .unwrap();
    let relay = Arc::new(Relay {
        convai: ConvaiEndpoint::new(&s.api_base, &s.agent_id, &s.api_key),
        ..relay_with(&s.api_base)
    });
    (s, relay)
}

fn relay_with(base: &str) -> Relay {
    Relay {
        convai: ConvaiEndpoint::new(base, "bench", "key"),
        provider: None,
        provider_offline: false,
        tools: Arc::new(NoTools),
        tool_timeout: Duration::from_secs(1),
        max_duration: Duration::from_secs(600),
        mode: "offline",
        tracker: TaskTracker::new(),
    }
}

#[tokio::main]
async fn main() {
    epoch();
    let base = vendor().await;
    let relay = Arc::new(relay_with(&base));
    for sessions in [1, 50, 100] {
        measure(&relay, sessions).await;
    }
    soak().await;
    hearing().await;
}
