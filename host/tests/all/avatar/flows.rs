//! Whole sessions: typed quotations through the registry (echo, then the real crm
//! plugin), the page and socket the host serves, bad frames, the session cap.

use super::*;

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

/// Offline speech recognition is required where `DANIEL_REQUIRE_SPEECH` is set (CI);
/// elsewhere a machine without espeak-ng or PocketSphinx skips, saying so.
async fn speech_or_skip(text: &str) -> Option<Vec<i16>> {
    let speech = match convai::hearing_available() {
        Ok(()) => convai::speak(text, "en", 16_000).await,
        Err(why) => Err(why),
    };
    match speech {
        Ok(samples) => Some(samples),
        Err(why) if std::env::var_os("DANIEL_REQUIRE_SPEECH").is_none() => {
            eprintln!("skipped: {why} (`make deps` installs espeak-ng and pocketsphinx)");
            None
        }
        Err(why) => panic!("offline speech is required here: {why}"),
    }
}

/// A host with the echo plugin, the stand-ins hearing with `agent`, and a browser
/// that has started a session in `language` with its microphone on.
async fn listening(agent: AgentOptions, language: &str) -> (TestHost, Offline, Browser) {
    let host = TestHost::start("", &[("echo-v1", "echo")]).await;
    let o = offline(
        registry_tools(&host),
        AgentOptions {
            hearing: HearingKind::Auto,
            ..agent
        },
        Faults::default(),
        Duration::from_secs(10),
    )
    .await;
    let b = Browser::open(&o.relay);
    b.send(ClientMessage::Start {
        language: Some(language.into()),
        user_name: None,
        text_only: false,
    });
    (host, o, b)
}

#[tokio::test]
async fn a_spoken_request_is_heard_and_the_quotation_completed_by_typing() {
    let Some(speech) = speech_or_skip("I would like a quotation for two KettyBot Pro").await else {
        return;
    };
    let (_host, o, mut b) = listening(agent("echo"), "es").await;
    b.agent_says("Servibot").await;
    // A pause before and after, as a microphone hears it.
    let mut mic = vec![0i16; 3_200];
    mic.extend(speech);
    mic.extend(vec![0i16; 16_000]);
    b.speak(&mic);
    let heard = b
        .until("the spoken request, transcribed", |m| {
            matches!(m, ServerMessage::UserTranscript { is_final: true, .. })
        })
        .await;
    let ServerMessage::UserTranscript { text, .. } = heard else {
        unreachable!()
    };
    assert_eq!(text, "I would like a quotation for 2 KettyBot Pro");
    // Heard in English, answered in English, with product and quantity taken.
    b.agent_says(
        "quotation: 2 × KettyBot Pro. I still need your name, your email, your phone number.",
    )
    .await;
    b.text("My name is Ana Ruiz from Hotel Sol, ana@hotelsol.mx, phone 55 1234 5678");
    b.until(
        "tool ok",
        |m| matches!(m, ServerMessage::Tool { status: ToolStatus::Ok, name, .. } if name == "echo"),
    )
    .await;
    // The agent confirms once the stand-in has the tool's result.
    b.agent_says("Ana Ruiz").await;
    let results = o.stand_in.stats.tool_results();
    let echoed: Value = serde_json::from_str(&results[0].result).unwrap();
    assert_eq!(
        echoed["products"],
        serde_json::json!([{"product_id": 26154, "qty": 2}])
    );
    assert_eq!(echoed["contact_name"], "Ana Ruiz");
    b.finish().await;
}

#[tokio::test]
async fn a_typed_quotation_is_created_in_the_sandbox_by_the_crm_plugin() {
    // The repository's own plugins and configuration: what `make run` serves.
    let host = TestHost::start(&crate::rest::product_config(), crate::tools::PLUGINS).await;
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

#[tokio::test]
async fn bad_browser_frames_are_refused_without_ending_the_session() {
    let host = TestHost::start("", &[]).await;
    let o = offline(
        registry_tools(&host),
        agent("echo"),
        Faults::default(),
        Duration::from_secs(5),
    )
    .await;
    let mut b = Browser::open(&o.relay);
    b.send(ClientMessage::Text {
        text: "too early".into(),
    });
    b.until("bad state", |m| {
        matches!(
            m,
            ServerMessage::Error {
                code: ErrorCode::BadState,
                fatal: false,
                ..
            }
        )
    })
    .await;
    b.start();
    b.agent_says("Servibot").await;
    b.send(ClientMessage::Audio {
        data: "not base64!".into(),
    });
    b.tx.unbounded_send(Inbound::Audio(vec![1, 2, 3])).unwrap();
    b.text("   ");
    b.tx.unbounded_send(Inbound::Invalid("invalid message: unknown variant".into()))
        .unwrap();
    for _ in 0..4 {
        b.until("bad message", |m| {
            matches!(
                m,
                ServerMessage::Error {
                    code: ErrorCode::BadMessage,
                    fatal: false,
                    ..
                }
            )
        })
        .await;
    }
    // Valid audio still reaches the agent.
    let silence = daniel::avatar::audio::to_base64(&[0; 1600]);
    b.send(ClientMessage::Audio { data: silence });
    let stats = o.stand_in.stats.clone();
    wait_until("the audio chunk", async || {
        Stats::get(&stats.user_audio_chunks) == 1
    })
    .await;
    assert_eq!(b.finish().await.reason, "stopped");
}

#[tokio::test]
async fn sessions_beyond_the_cap_are_told_the_host_is_busy() {
    let host = TestHost::start("[avatar]\nmax_sessions = 1\n", &[]).await;
    use tokio_tungstenite::tungstenite::Message;
    let url = format!("ws://{}/avatar/ws", host.addr);
    let (mut first, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    first
        .send(Message::text(r#"{"type":"start"}"#))
        .await
        .unwrap();
    // The first session holds the only permit once it has said something.
    let Some(Ok(Message::Text(t))) = tokio::time::timeout(WAIT, first.next()).await.unwrap() else {
        panic!()
    };
    assert_contains(t.as_str(), r#""type":"session""#);
    let (mut second, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    let Some(Ok(Message::Text(t))) = tokio::time::timeout(WAIT, second.next()).await.unwrap()
    else {
        panic!()
    };
    assert_contains(t.as_str(), r#""code":"busy""#);
    assert_contains(t.as_str(), r#""fatal":true"#);
}

#[tokio::test]
async fn a_flood_of_utterances_is_not_queued_for_recognition_without_bound() {
    let Some(speech) = speech_or_skip("How much is the BellaBot").await else {
        return;
    };
    let quiet = AgentOptions {
        greet: false,
        ..agent("echo")
    };
    let (_host, _o, mut b) = listening(quiet, "en").await;
    b.until("session", |m| matches!(m, ServerMessage::Session { .. }))
        .await;
    // Five utterances at once, far faster than anyone speaks.
    let mut utterance = speech;
    utterance.extend(vec![0i16; 16_000]);
    for _ in 0..5 {
        b.speak(&utterance);
    }
    let mut heard = Vec::new();
    while heard.len() < 5 {
        if let ServerMessage::UserTranscript { text, .. } = b
            .until("a transcript", |m| {
                matches!(m, ServerMessage::UserTranscript { .. })
            })
            .await
        {
            heard.push(text);
        }
    }
    // At most two are recognized at a time: the others are answered at once as
    // not understood instead of waiting in a queue.
    let understood = heard.iter().filter(|t| t.contains("BellaBot")).count();
    assert!((1..=4).contains(&understood), "{heard:?}");
    assert!(heard.iter().any(|t| t.ends_with(" s]")), "{heard:?}");
    b.finish().await;
}
