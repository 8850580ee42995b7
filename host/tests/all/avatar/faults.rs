//! Vendor faults the relay must survive: a drop mid-turn, slow first audio, late
//! audio after an interruption, a tool that never answers, missing pongs, time limits.

use super::*;

/// A host, the stand-ins misbehaving as `faults` say, and a browser on the relay.
async fn with_faults(faults: Faults) -> (TestHost, Offline, Browser) {
    let host = TestHost::start("", &[]).await;
    let o = offline(
        registry_tools(&host),
        agent("echo"),
        faults,
        Duration::from_secs(5),
    )
    .await;
    let b = Browser::open(&o.relay);
    (host, o, b)
}

#[tokio::test]
async fn a_vendor_disconnect_mid_turn_ends_the_session_cleanly() {
    let faults = Faults {
        disconnect_mid_turn: true,
        ..Default::default()
    };
    let (_host, o, mut b) = with_faults(faults).await;
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
    let faults = Faults {
        first_audio_delay: Duration::from_millis(1500),
        ping_interval: Duration::from_millis(100),
        pong_timeout: Duration::from_millis(1000),
        ..Default::default()
    };
    let (_host, o, mut b) = with_faults(faults).await;
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
    let faults = Faults {
        late_chunks_after_interrupt: 3,
        chunk_interval: Duration::from_millis(150),
        ..Default::default()
    };
    let (_host, _o, mut b) = with_faults(faults).await;
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
async fn a_session_ends_at_its_maximum_length() {
    let host = TestHost::start("", &[]).await;
    let mut o = offline(
        registry_tools(&host),
        agent("echo"),
        Faults::default(),
        Duration::from_secs(5),
    )
    .await;
    Arc::get_mut(&mut o.relay).unwrap().max_duration = Duration::from_millis(500);
    let mut b = Browser::open(&o.relay);
    b.start();
    let err = b
        .until("timeout", |m| matches!(m, ServerMessage::Error { .. }))
        .await;
    assert!(
        matches!(
            err,
            ServerMessage::Error {
                code: ErrorCode::Timeout,
                fatal: true,
                ..
            }
        ),
        "{err:?}"
    );
    b.until("ended", |m| matches!(m, ServerMessage::Ended { .. }))
        .await;
    assert_eq!(
        b.session.await.unwrap().reason,
        "maximum session length reached"
    );
    let stats = o.stand_in.stats.clone();
    wait_until("the conversation closed", async || {
        Stats::get(&stats.open) == 0
    })
    .await;
}
