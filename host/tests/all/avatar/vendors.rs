//! Avatar providers against their stand-ins: HeyGen sessions always stopped under
//! churn, LiveAvatar LITE fed second-long frames.

use super::*;

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
