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
use daniel::avatar::protocol::{ClientMessage, ErrorCode, ServerMessage, ToolStatus};
use daniel::avatar::session::{Inbound, Relay, Summary};
use daniel::avatar::tools::{RegistryTools, ToolRunner};
use daniel::sandbox::convai::{self, AgentOptions, Faults, HearingKind, StandIn, Stats, VoiceKind};
use futures::channel::mpsc;
use futures::future::BoxFuture;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::support::{TestHost, assert_contains, wait_until};

mod access;
mod faults;
mod flows;
mod shutdown;
mod vendors;

/// How long a test waits for one expected message (a bound, not a timing assertion).
const WAIT: Duration = Duration::from_secs(15);

const FULL_REQUEST: &str = "Quiero una cotización de 2 KettyBot Pro. Me llamo Ana Ruiz de la empresa Hotel Sol, ana@hotelsol.mx, teléfono 55 1234 5678";

fn agent(quotation_tool: &str) -> AgentOptions {
    AgentOptions {
        quotation_tool: quotation_tool.into(),
        product_tool: None,
        voice: VoiceKind::Hum,
        hearing: HearingKind::Off,
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

    /// `samples` (16 kHz) as the page's microphone sends them: 100 ms chunks.
    fn speak(&self, samples: &[i16]) {
        for chunk in samples.chunks(1_600) {
            self.send(ClientMessage::Audio {
                data: daniel::avatar::audio::to_base64(chunk),
            });
        }
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
