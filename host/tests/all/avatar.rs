//! Avatar sessions (issue 6): the relay against the offline ConvAI and HeyGen
//! stand-ins over real sockets, with the vendor faults it must survive, and the
//! browser socket at `/avatar/ws`.
//!
//! Most tests drive `Relay::run` with channels for the browser (the relay is generic
//! over its browser halves) so they can read the stand-ins' statistics; one goes
//! through the host's own `/avatar/ws`.

use std::sync::Arc;
use std::time::Duration;

use daniel::avatar::convai::ConvaiEndpoint;
use daniel::avatar::heygen::HeyGen;
use daniel::avatar::liveavatar::LiveAvatar;
use daniel::avatar::protocol::{ClientMessage, ServerMessage, ToolStatus};
use daniel::avatar::session::{Inbound, Relay, Summary};
use daniel::avatar::tools::{RegistryTools, ToolRunner};
use daniel::sandbox::convai::{self, AgentOptions, Faults, StandIn, Stats, VoiceKind};
use futures::channel::mpsc;
use futures::future::BoxFuture;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::support::{TestHost, assert_contains, wait_until};

/// How long a test waits for one expected message (a bound, not a timing assertion).
const WAIT: Duration = Duration::from_secs(15);

const FULL_REQUEST: &str = "Quiero una cotización de 2 KettyBot Pro. Me llamo Ana Ruiz de la empresa Hotel Sol, ana@hotelsol.mx, teléfono 55 1234 5678";

fn agent(quotation_tool: &str) -> AgentOptions {
    AgentOptions {
        quotation_tool: quotation_tool.into(),
        product_tool: None,
        voice: VoiceKind::Hum,
        ..Default::default()
    }
}

struct Offline {
    stand_in: StandIn,
    relay: Arc<Relay>,
    _stop: tokio_util::sync::DropGuard,
}

async fn offline(
    tools: Arc<dyn ToolRunner>,
    agent: AgentOptions,
    faults: Faults,
    tool_timeout: Duration,
) -> Offline {
    let stop = CancellationToken::new();
    let stand_in = convai::start(agent, faults, stop.clone()).await.unwrap();
    let relay = Relay {
        convai: ConvaiEndpoint::new(&stand_in.api_base, &stand_in.agent_id, &stand_in.api_key),
        provider: None,
        provider_offline: false,
        tools,
        tool_timeout,
        max_duration: Duration::from_secs(120),
        mode: "offline",
        tracker: TaskTracker::new(),
    };
    Offline {
        stand_in,
        relay: Arc::new(relay),
        _stop: stop.drop_guard(),
    }
}

fn registry_tools(host: &TestHost) -> Arc<dyn ToolRunner> {
    Arc::new(RegistryTools::new(
        host.state.registry.clone(),
        host.state.engine.clone(),
        None,
    ))
}

/// A browser made of channels, with the relay running its session.
struct Browser {
    tx: mpsc::UnboundedSender<Inbound>,
    rx: mpsc::UnboundedReceiver<ServerMessage>,
    session: tokio::task::JoinHandle<Summary>,
    seen: Vec<ServerMessage>,
}

impl Browser {
    fn open(relay: &Arc<Relay>) -> Browser {
        let (tx, input) = mpsc::unbounded();
        let (out, rx) = mpsc::unbounded();
        let relay = relay.clone();
        let session = tokio::spawn(async move {
            relay
                .run("test", out, input, CancellationToken::new())
                .await
        });
        Browser {
            tx,
            rx,
            session,
            seen: Vec::new(),
        }
    }

    fn send(&self, m: ClientMessage) {
        self.tx.unbounded_send(Inbound::Message(m)).unwrap();
    }

    fn start(&self) {
        self.send(ClientMessage::Start {
            language: Some("es".into()),
            user_name: None,
            text_only: true,
        });
    }

    fn text(&self, t: &str) {
        self.send(ClientMessage::Text { text: t.into() });
    }

    /// Reads until a message matches, keeping everything read in `seen`.
    async fn until(
        &mut self,
        what: &str,
        pred: impl FnMut(&ServerMessage) -> bool,
    ) -> ServerMessage {
        self.until_within(WAIT, what, pred).await
    }

    async fn until_within(
        &mut self,
        wait: Duration,
        what: &str,
        mut pred: impl FnMut(&ServerMessage) -> bool,
    ) -> ServerMessage {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let m = tokio::time::timeout_at(deadline, self.rx.next())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}; saw {:#?}", self.seen))
                .unwrap_or_else(|| {
                    panic!("socket closed waiting for {what}; saw {:#?}", self.seen)
                });
            self.seen.push(m.clone());
            if pred(&m) {
                return m;
            }
        }
    }

    async fn agent_says(&mut self, needle: &str) -> u64 {
        match self
            .until(
                needle,
                |m| matches!(m, ServerMessage::AgentResponse { text, .. } if text.contains(needle)),
            )
            .await
        {
            ServerMessage::AgentResponse { event_id, .. } => event_id,
            _ => unreachable!(),
        }
    }

    async fn finish(mut self) -> Summary {
        self.send(ClientMessage::Stop);
        self.until("ended", |m| matches!(m, ServerMessage::Ended { .. }))
            .await;
        self.session.await.unwrap()
    }
}

#[tokio::test]
async fn typed_text_session_ends_with_a_quotation_tool_call_reaching_the_registry() {
    let host = TestHost::start("", &[("echo-v1", "echo")]).await;
    let o = offline(
        registry_tools(&host),
        agent("echo"),
        Faults::default(),
        Duration::from_secs(10),
    )
    .await;
    let mut b = Browser::open(&o.relay);
    b.start();
    let session = b
        .until("session", |m| matches!(m, ServerMessage::Session { .. }))
        .await;
    let ServerMessage::Session {
        mode,
        output_sample_rate,
        ..
    } = session
    else {
        unreachable!()
    };
    assert_eq!((mode.as_str(), output_sample_rate), ("offline", 16_000));
    b.agent_says("Servibot").await;
    b.until("greeting audio", |m| {
        matches!(m, ServerMessage::Audio { .. })
    })
    .await;
    b.text(FULL_REQUEST);
    b.until("user transcript", |m| {
        matches!(m, ServerMessage::UserTranscript { is_final: true, .. })
    })
    .await;
    b.until("tool started", |m| matches!(m, ServerMessage::Tool { status: ToolStatus::Started, name, .. } if name == "echo")).await;
    b.until("tool ok", |m| {
        matches!(
            m,
            ServerMessage::Tool {
                status: ToolStatus::Ok,
                ..
            }
        )
    })
    .await;
    b.agent_says("Ana Ruiz").await;
    let results = o.stand_in.stats.tool_results();
    assert_eq!(results.len(), 1, "{results:?}");
    assert!(!results[0].is_error);
    // The echo plugin adds its version: the call went through the registry.
    let echoed: Value = serde_json::from_str(&results[0].result).unwrap();
    assert_eq!(echoed["version"], 1);
    assert_eq!(echoed["email"], "ana@hotelsol.mx");
    assert_eq!(echoed["products"][0]["product_id"], 26154);
    let summary = b.finish().await;
    assert_eq!(summary.reason, "stopped");
    assert_eq!(summary.tool_calls, 1);
}

/// The repository's own configuration of the product plugins (`sales`, `crm`) and
/// their Odoo instances, so this test follows what `make run` serves.
fn product_config() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let section = |from: &str, to: &str| {
        let start = text
            .find(from)
            .unwrap_or_else(|| panic!("plugins.toml has no {from}"));
        let end = text[start..].find(to).map_or(text.len(), |e| start + e);
        text[start..end].to_owned()
    };
    section("[odoo.instances.", "\n[plugins.") + &section("[plugins.sales]", "\n[plugins.whatsapp]")
}

#[tokio::test]
async fn a_typed_quotation_is_created_in_the_sandbox_by_the_crm_plugin() {
    let host = TestHost::start(&product_config(), &[("sales", "sales"), ("crm", "crm")]).await;
    let agent = AgentOptions {
        voice: VoiceKind::Hum,
        ..Default::default()
    };
    let o = offline(
        registry_tools(&host),
        agent,
        Faults::default(),
        Duration::from_secs(20),
    )
    .await;
    let mut b = Browser::open(&o.relay);
    b.start();
    b.agent_says("Servibot").await;
    b.text("¿Cuánto cuesta el KettyBot Pro?");
    b.until("find_products", |m| matches!(m, ServerMessage::Tool { name, status: ToolStatus::Ok, .. } if name == "find_products")).await;
    b.agent_says("KettyBot Pro cuesta").await;
    b.text(FULL_REQUEST);
    b.agent_says("dame unos segundos").await;
    let done = b
        .until_within(Duration::from_secs(60), "the quotation", |m| {
            matches!(m, ServerMessage::AgentResponse { text, .. } if text.contains("Listo") || text.contains("No pude"))
        })
        .await;
    let ServerMessage::AgentResponse { text, .. } = done else {
        unreachable!()
    };
    assert_contains(&text, "¡Listo, Ana Ruiz!");
    let results = o.stand_in.stats.tool_results();
    let last = results.last().unwrap();
    assert_eq!(last.tool, "dev_get_quotation_status", "{results:#?}");
    let status: Value = serde_json::from_str(&last.result).unwrap();
    assert_eq!(status["status"], "completed", "{status:#}");
    let order = status["result"]["sale_order_name"].as_str().unwrap();
    assert_contains(&text, order);
    b.finish().await;
}

#[tokio::test]
async fn a_vendor_disconnect_mid_turn_ends_the_session_cleanly() {
    let host = TestHost::start("", &[]).await;
    let faults = Faults {
        disconnect_mid_turn: true,
        ..Default::default()
    };
    let o = offline(
        registry_tools(&host),
        agent("echo"),
        faults,
        Duration::from_secs(5),
    )
    .await;
    let mut b = Browser::open(&o.relay);
    b.start();
    b.agent_says("Servibot").await;
    b.text("¿Cuánto cuesta el BellaBot?");
    let ended = b
        .until("ended", |m| matches!(m, ServerMessage::Ended { .. }))
        .await;
    assert!(
        matches!(&ended, ServerMessage::Ended { reason, vendor_code: None } if reason.contains("connection lost")),
        "{ended:?}"
    );
    let summary = b.session.await.unwrap();
    assert_eq!(summary.reason, "agent connection lost");
    let stats = o.stand_in.stats.clone();
    wait_until("stand-in conversation closed", async || {
        Stats::get(&stats.open) == 0
    })
    .await;
}

#[tokio::test]
async fn slow_first_audio_keeps_the_session_alive_and_arrives() {
    let host = TestHost::start("", &[]).await;
    let faults = Faults {
        first_audio_delay: Duration::from_millis(1500),
        ping_interval: Duration::from_millis(100),
        pong_timeout: Duration::from_millis(1000),
        ..Default::default()
    };
    let o = offline(
        registry_tools(&host),
        agent("echo"),
        faults,
        Duration::from_secs(5),
    )
    .await;
    let mut b = Browser::open(&o.relay);
    let started = tokio::time::Instant::now();
    b.start();
    b.until("first audio", |m| matches!(m, ServerMessage::Audio { .. }))
        .await;
    assert!(started.elapsed() >= Duration::from_millis(1500));
    // The agent_response went out with the first chunk, not before it.
    let first_response = b
        .seen
        .iter()
        .position(|m| matches!(m, ServerMessage::AgentResponse { .. }));
    assert_eq!(first_response, Some(b.seen.len() - 2), "{:#?}", b.seen);
    let summary = b.finish().await;
    assert!(summary.pings_answered >= 5, "{summary:?}");
    assert!(Stats::get(&o.stand_in.stats.pongs) >= 5);
    assert!(
        o.stand_in.stats.closes().is_empty(),
        "no ping went unanswered"
    );
}

#[tokio::test]
async fn late_audio_of_an_interrupted_turn_is_dropped() {
    let host = TestHost::start("", &[]).await;
    let faults = Faults {
        late_chunks_after_interrupt: 3,
        chunk_interval: Duration::from_millis(150),
        ..Default::default()
    };
    let o = offline(
        registry_tools(&host),
        agent("echo"),
        faults,
        Duration::from_secs(5),
    )
    .await;
    let mut b = Browser::open(&o.relay);
    b.start();
    let greeting = b.agent_says("Servibot").await;
    b.until("greeting audio", |m| {
        matches!(m, ServerMessage::Audio { .. })
    })
    .await;
    // Typing while the agent speaks is a barge-in.
    b.text("¿Cuánto cuesta el KettyBot?");
    let interruption = b
        .until("interruption", |m| {
            matches!(m, ServerMessage::Interruption { .. })
        })
        .await;
    assert_eq!(
        interruption,
        ServerMessage::Interruption { event_id: greeting }
    );
    b.until("correction", |m| {
        matches!(m, ServerMessage::AgentResponseCorrection { .. })
    })
    .await;
    let answer = b.agent_says("KettyBot cuesta").await;
    assert!(answer > greeting);
    b.until(
        "answer audio",
        |m| matches!(m, ServerMessage::Audio { event_id, .. } if *event_id == answer),
    )
    .await;
    let at = b
        .seen
        .iter()
        .position(|m| matches!(m, ServerMessage::Interruption { .. }))
        .unwrap();
    let stale: Vec<_> = b.seen[at..]
        .iter()
        .filter(|m| matches!(m, ServerMessage::Audio { event_id, .. } if *event_id <= greeting))
        .collect();
    assert!(
        stale.is_empty(),
        "audio of the interrupted turn after the interruption: {stale:?}"
    );
    let summary = b.finish().await;
    assert_eq!(summary.late_audio_dropped, 3, "{summary:?}");
}

/// A tool that never answers in time.
struct Stuck;

impl ToolRunner for Stuck {
    fn call(&self, _: &str, _: Value) -> BoxFuture<'static, Result<String, String>> {
        Box::pin(async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok("too late".into())
        })
    }
}

#[tokio::test]
async fn a_tool_call_that_times_out_is_answered_as_an_error() {
    let o = offline(
        Arc::new(Stuck),
        agent("dev_create_quotation"),
        Faults::default(),
        Duration::from_millis(300),
    )
    .await;
    let mut b = Browser::open(&o.relay);
    b.start();
    b.agent_says("Servibot").await;
    b.text(FULL_REQUEST);
    let timeout = b
        .until("timeout", |m| {
            matches!(
                m,
                ServerMessage::Tool {
                    status: ToolStatus::Timeout,
                    ..
                }
            )
        })
        .await;
    let ServerMessage::Tool {
        detail: Some(detail),
        ..
    } = timeout
    else {
        panic!("{timeout:?}")
    };
    assert_contains(&detail, "timed out");
    b.agent_says("No pude crear la cotización").await;
    let results = o.stand_in.stats.tool_results();
    assert!(
        results[0].is_error && results[0].result.contains("timed out"),
        "{results:?}"
    );
    b.finish().await;
}

#[tokio::test]
async fn the_stand_in_closes_a_client_that_does_not_pong() {
    let faults = Faults {
        ping_interval: Duration::from_millis(100),
        pong_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let stop = CancellationToken::new();
    let s = convai::start(agent("echo"), faults, stop.clone())
        .await
        .unwrap();
    let url = ConvaiEndpoint::new(&s.api_base, &s.agent_id, &s.api_key)
        .signed_url()
        .await
        .unwrap();
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    use tokio_tungstenite::tungstenite::Message;
    let init = r#"{"type":"conversation_initiation_client_data","dynamic_variables":{}}"#;
    ws.send(Message::text(init)).await.unwrap();
    let mut saw_error = false;
    let code = loop {
        match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(Message::Text(t))) => saw_error |= t.contains("ping_timeout"),
            Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            other => panic!("unexpected end: {other:?}"),
        }
    };
    assert!(saw_error);
    assert_eq!(code, Some(1002));
    assert_eq!(s.stats.closes(), [1002]);
    // A signed URL is single-use.
    assert!(
        tokio_tungstenite::connect_async(url.as_str())
            .await
            .is_err()
    );
    stop.cancel();
}

#[tokio::test]
async fn sessions_under_churn_stop_every_vendor_session() {
    let host = TestHost::start("", &[]).await;
    let stop = CancellationToken::new();
    let heygen = daniel::sandbox::avatar::start(stop.clone()).await.unwrap();
    let mut o = offline(
        registry_tools(&host),
        agent("echo"),
        Faults::default(),
        Duration::from_secs(5),
    )
    .await;
    let relay = Arc::get_mut(&mut o.relay).unwrap();
    relay.provider = Some(Arc::new(HeyGen::new(
        &heygen.api_base,
        &heygen.api_key,
        "offline",
        None,
    )));
    relay.provider_offline = true;
    let mut sessions = Vec::new();
    for i in 0..12 {
        let mut b = Browser::open(&o.relay);
        b.start();
        let avatar = b
            .until("avatar", |m| matches!(m, ServerMessage::Avatar { .. }))
            .await;
        // An offline provider's room does not exist: the browser gets no LiveKit details.
        assert_eq!(
            avatar,
            ServerMessage::Avatar {
                provider: "heygen".into(),
                livekit_url: None,
                token: None
            }
        );
        if i == 0 {
            // The greeting reaches the avatar as a HeyGen task.
            b.agent_says("Servibot").await;
            let hg = heygen.sessions.clone();
            wait_until("a streaming.task", async || {
                hg.all().values().any(|s| !s.tasks.is_empty())
            })
            .await;
            sessions.push(tokio::spawn(b.finish()));
        } else if i % 2 == 0 {
            b.agent_says("Servibot").await;
            sessions.push(tokio::spawn(b.finish()));
        } else {
            // The browser vanishes mid-greeting.
            drop(b.tx);
            sessions.push(b.session);
        }
    }
    for s in sessions {
        s.await.unwrap();
    }
    let (hg, stats) = (heygen.sessions.clone(), o.stand_in.stats.clone());
    wait_until("every avatar session stopped", async || hg.open() == 0).await;
    wait_until("every conversation closed", async || {
        Stats::get(&stats.open) == 0
    })
    .await;
    let all = heygen.sessions.all();
    assert_eq!(all.len(), 12);
    assert!(
        all.values()
            .any(|s| s.tasks.iter().any(|t| t.contains("Servibot"))),
        "{all:?}"
    );
    assert!(all.values().all(|s| s.status == "closed"));
    stop.cancel();
}

#[tokio::test]
async fn liveavatar_lite_gets_the_agent_audio_in_second_long_frames() {
    let host = TestHost::start("", &[]).await;
    let stop = CancellationToken::new();
    let la = daniel::sandbox::avatar::liveavatar::start_server(stop.clone())
        .await
        .unwrap();
    let faults = Faults {
        chunk_interval: Duration::from_millis(10),
        ..Default::default()
    };
    let mut o = offline(
        registry_tools(&host),
        agent("echo"),
        faults,
        Duration::from_secs(5),
    )
    .await;
    let relay = Arc::get_mut(&mut o.relay).unwrap();
    relay.provider = Some(Arc::new(LiveAvatar::new(
        &la.api_base,
        &la.api_key,
        "avatar-1",
    )));
    let mut b = Browser::open(&o.relay);
    b.start();
    let avatar = b
        .until("avatar", |m| matches!(m, ServerMessage::Avatar { .. }))
        .await;
    let ServerMessage::Avatar {
        provider,
        livekit_url,
        token,
    } = avatar
    else {
        unreachable!()
    };
    assert_eq!(provider, "liveavatar");
    assert!(livekit_url.is_some() && token.is_some());
    b.agent_says("Servibot").await;
    let stand_in = la.clone();
    wait_until("the greeting's speak_end", async || {
        stand_in.all().values().any(|s| !s.speak_ends.is_empty())
    })
    .await;
    let session = la.all().into_values().next().unwrap();
    let (first, rest) = session.frames.split_first().unwrap();
    assert_eq!(first.1, 14_400, "a short first frame (0.6 s at 24 kHz)");
    let (last, middle) = rest.split_last().unwrap();
    assert!(middle.iter().all(|f| f.1 == 24_000), "{:?}", session.frames);
    assert!(last.1 <= 24_000);
    assert_eq!(session.speak_ends, std::slice::from_ref(&first.0));
    // The avatar speaks: the browser gets no agent audio of its own.
    assert!(
        !b.seen
            .iter()
            .any(|m| matches!(m, ServerMessage::Audio { .. }))
    );
    b.finish().await;
    wait_until("the session stopped", async || {
        la.all().values().all(|s| s.status == "closed")
    })
    .await;
    stop.cancel();
}

#[tokio::test]
async fn the_host_serves_the_page_and_a_session_at_avatar_ws() {
    let frontend = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend");
    let config = format!(
        "[avatar]\nfrontend_dir = {:?}\n",
        frontend.display().to_string()
    );
    let host = TestHost::start(&config, &[]).await;
    let page = reqwest::get(host.url("/")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert_contains(&page.text().await.unwrap(), "/ui/js/app.js");
    let js = reqwest::get(host.url("/ui/js/app.js")).await.unwrap();
    assert_eq!(js.status(), 200);

    use tokio_tungstenite::tungstenite::Message;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/avatar/ws", host.addr))
        .await
        .unwrap();
    ws.send(Message::text(r#"{"type":"launch"}"#))
        .await
        .unwrap();
    ws.send(Message::text(r#"{"type":"start","language":"en"}"#))
        .await
        .unwrap();
    let mut types = Vec::new();
    let mut greeting = None;
    while greeting.is_none() {
        let Some(Ok(Message::Text(t))) = tokio::time::timeout(WAIT, ws.next()).await.unwrap()
        else {
            continue;
        };
        let v: Value = serde_json::from_str(t.as_str()).unwrap();
        types.push(v["type"].as_str().unwrap_or_default().to_owned());
        if v["type"] == "agent_response" {
            greeting = v["text"].as_str().map(str::to_owned);
        }
    }
    assert_eq!(types[..2], ["error", "session"], "{types:?}");
    assert_contains(&greeting.unwrap(), "sales assistant");
    ws.send(Message::text(r#"{"type":"stop"}"#)).await.unwrap();
    let mut ended = false;
    while let Ok(Some(Ok(m))) = tokio::time::timeout(WAIT, ws.next()).await {
        if let Message::Text(t) = m {
            ended |= t.contains(r#""type":"ended""#);
        }
    }
    assert!(ended);
}
