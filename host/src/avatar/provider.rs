//! Streaming-avatar providers behind one trait, and the driver that owns a vendor
//! session for the life of a relay session.
//!
//! The relay never waits on the avatar: it hands [`Command`]s to an [`AvatarLink`]
//! (a bounded queue), and a driver task performs them in order, sends keep-alives
//! while the session is in use, and always stops the vendor session at the end.
//! Dropping the link is the end: its guard cancels the driver, which stops the
//! vendor session before it exits (the seed leaked paid sessions on error paths).

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use super::Error;

/// Commands queued for the driver; past this the avatar is lagging and speech is
/// dropped rather than delaying the conversation.
const QUEUE: usize = 256;
/// How long stopping a vendor session may take before the driver gives up.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// A pause in agent audio this long ends the avatar's turn (ConvAI marks no turn end).
const IDLE_FLUSH: Duration = Duration::from_millis(300);

/// What the browser needs to show the avatar.
#[derive(Debug, Clone, PartialEq)]
pub struct AvatarDetails {
    pub provider: String,
    /// LiveKit server URL; `None` when the page draws the avatar itself.
    pub livekit_url: Option<String>,
    /// LiveKit client token for this room.
    pub token: Option<String>,
}

/// Something for the avatar to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Agent text for turn `event_id` (providers that voice text themselves).
    Text { event_id: u64, text: String },
    /// Agent audio for turn `event_id`: PCM16 samples at `rate` (providers that
    /// lip-sync to the agent's own voice).
    Audio {
        event_id: u64,
        samples: Vec<i16>,
        rate: u32,
    },
    /// No agent audio for a while: send what is buffered and end the turn.
    Flush,
    /// Stop speaking and drop whatever is scheduled.
    Interrupt,
}

/// A provider: opens vendor sessions.
pub trait AvatarProvider: Send + Sync {
    /// Short name for messages and the browser (`heygen`, `liveavatar`).
    fn name(&self) -> &'static str;
    /// Creates and starts a vendor session.
    fn open(&self) -> BoxFuture<'_, Result<Box<dyn AvatarSession>, Error>>;
}

/// One open vendor session.
pub trait AvatarSession: Send {
    /// What the browser needs to show it.
    fn details(&self) -> AvatarDetails;
    /// How often [`AvatarSession::keep_alive`] must run while the session is open.
    fn keep_alive_interval(&self) -> Duration;
    /// Performs one command.
    fn handle(&mut self, command: Command) -> BoxFuture<'_, Result<(), Error>>;
    /// Tells the vendor the session is still in use.
    fn keep_alive(&mut self) -> BoxFuture<'_, Result<(), Error>>;
    /// Ends the vendor session (billing stops here).
    fn stop(self: Box<Self>) -> BoxFuture<'static, Result<(), Error>>;
}

/// The relay's handle on a vendor session; dropping it stops the session.
pub struct AvatarLink {
    tx: mpsc::Sender<Command>,
    details: AvatarDetails,
    _stop: StopGuard,
}

struct StopGuard(CancellationToken);

impl Drop for StopGuard {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl AvatarLink {
    /// Opens a vendor session and starts its driver in `tracker` (so shutdown can
    /// wait for every stop call).
    ///
    /// # Errors
    /// The provider's error when the session cannot be created or started.
    pub async fn open(
        provider: &Arc<dyn AvatarProvider>,
        tracker: &TaskTracker,
    ) -> Result<AvatarLink, Error> {
        let session = provider.open().await?;
        let details = session.details();
        let (tx, rx) = mpsc::channel(QUEUE);
        let cancel = CancellationToken::new();
        let span = tracing::info_span!("avatar.provider", provider = provider.name());
        tracker.spawn(drive(session, rx, cancel.clone()).instrument(span));
        Ok(AvatarLink {
            tx,
            details,
            _stop: StopGuard(cancel),
        })
    }

    /// What the browser needs.
    pub fn details(&self) -> &AvatarDetails {
        &self.details
    }

    /// Queues a command; drops it (with a warning) when the avatar lags behind.
    pub fn send(&self, command: Command) {
        if let Err(e) = self.tx.try_send(command) {
            tracing::warn!(reason = %e, "avatar command dropped");
        }
    }
}

/// Performs commands in order, keeps the session alive, and stops it at the end.
async fn drive(
    mut session: Box<dyn AvatarSession>,
    mut rx: mpsc::Receiver<Command>,
    cancel: CancellationToken,
) {
    let mut keep_alive = tokio::time::interval(session.keep_alive_interval());
    keep_alive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    keep_alive.tick().await;
    let idle = tokio::time::sleep(IDLE_FLUSH);
    tokio::pin!(idle);
    let mut unflushed = false;
    loop {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            command = rx.recv() => match command {
                Some(command) => {
                    if matches!(command, Command::Audio { .. }) {
                        unflushed = true;
                        idle.as_mut().reset(tokio::time::Instant::now() + IDLE_FLUSH);
                    }
                    if let Err(e) = session.handle(command).await {
                        tracing::warn!(error = %e, "avatar command failed");
                    }
                }
                None => break,
            },
            _ = &mut idle, if unflushed => {
                unflushed = false;
                if let Err(e) = session.handle(Command::Flush).await {
                    tracing::warn!(error = %e, "avatar flush failed");
                }
            }
            _ = keep_alive.tick() => {
                if let Err(e) = session.keep_alive().await {
                    tracing::warn!(error = %e, "avatar keep-alive failed");
                }
            }
        }
    }
    match tokio::time::timeout(STOP_TIMEOUT, session.stop()).await {
        Ok(Ok(())) => tracing::debug!("avatar session stopped"),
        Ok(Err(e)) => tracing::warn!(error = %e, "avatar stop failed"),
        Err(_) => tracing::warn!("avatar stop timed out"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    type Log = Arc<Mutex<Vec<String>>>;

    struct Fake(Log);

    impl Fake {
        fn log(&self, s: String) {
            self.0.lock().unwrap().push(s);
        }
    }

    impl AvatarSession for Fake {
        fn details(&self) -> AvatarDetails {
            AvatarDetails {
                provider: "fake".into(),
                livekit_url: None,
                token: None,
            }
        }
        fn keep_alive_interval(&self) -> Duration {
            Duration::from_millis(50)
        }
        fn handle(&mut self, command: Command) -> BoxFuture<'_, Result<(), Error>> {
            let name = match command {
                Command::Audio { .. } => "audio",
                Command::Text { .. } => "text",
                Command::Flush => "flush",
                Command::Interrupt => "interrupt",
            };
            self.log(name.into());
            Box::pin(async { Ok(()) })
        }
        fn keep_alive(&mut self) -> BoxFuture<'_, Result<(), Error>> {
            self.log("keep_alive".into());
            Box::pin(async { Ok(()) })
        }
        fn stop(self: Box<Self>) -> BoxFuture<'static, Result<(), Error>> {
            self.log("stop".into());
            Box::pin(async { Ok(()) })
        }
    }

    struct FakeProvider(Log);

    impl AvatarProvider for FakeProvider {
        fn name(&self) -> &'static str {
            "fake"
        }
        fn open(&self) -> BoxFuture<'_, Result<Box<dyn AvatarSession>, Error>> {
            let log = self.0.clone();
            Box::pin(async move { Ok(Box::new(Fake(log)) as Box<dyn AvatarSession>) })
        }
    }

    #[tokio::test]
    async fn the_driver_flushes_keeps_alive_and_always_stops() {
        let log = Log::default();
        let provider: Arc<dyn AvatarProvider> = Arc::new(FakeProvider(log.clone()));
        let tracker = TaskTracker::new();
        let link = AvatarLink::open(&provider, &tracker).await.unwrap();
        link.send(Command::Audio {
            event_id: 1,
            samples: vec![0; 160],
            rate: 16_000,
        });
        tokio::time::sleep(IDLE_FLUSH + Duration::from_millis(200)).await;
        drop(link);
        tracker.close();
        tracker.wait().await;
        let log = log.lock().unwrap().clone();
        assert_eq!(log[0], "audio");
        assert_eq!(log.iter().filter(|l| *l == "flush").count(), 1, "{log:?}");
        assert!(
            log.iter().filter(|l| *l == "keep_alive").count() >= 2,
            "{log:?}"
        );
        assert_eq!(log.last().map(String::as_str), Some("stop"));
    }
}
