//! Ships spooled documents to S3 with aws-sdk-s3, retrying with exponential backoff
//! until each one is accepted. Runs until shutdown; documents left pending are
//! picked up by the next start.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::spool::Spool;

/// First and longest wait between failed attempts.
const BACKOFF_START: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// How often the spool is rescanned even without a wake-up.
const RESCAN: Duration = Duration::from_secs(30);

/// Where documents go.
#[derive(Clone, PartialEq)]
pub struct S3Target {
    pub bucket: String,
    /// Key prefix; documents land at `<prefix>/YYYY/MM/<name>`.
    pub prefix: String,
    /// A custom endpoint (S3-compatible stores); `None` for AWS.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Path-style addressing (`endpoint/bucket/key`), which most S3-compatible
    /// stores need.
    pub path_style: bool,
    /// Static access key id and secret; `None` uses the AWS default chain.
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for S3Target {
    // Hand-written so the secret key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Target")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("path_style", &self.path_style)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|(id, _)| (id, "***")),
            )
            .finish()
    }
}

/// Builds the client from the standard AWS chain (environment, profile, instance
/// role), with the configured endpoint and addressing.
async fn client(target: &S3Target) -> aws_sdk_s3::Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = &target.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    if let Some(endpoint) = &target.endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some((id, secret)) = &target.credentials {
        let creds = aws_sdk_s3::config::Credentials::new(id, secret, None, None, "daniel-config");
        loader = loader.credentials_provider(creds);
    }
    let shared = loader.load().await;
    let config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(target.path_style)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// Starts the uploader; it stops at `shutdown`.
pub fn spawn_uploader(
    spool: Spool,
    target: S3Target,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
) {
    // Owned by `shutdown`; pending documents survive it on disk.
    tokio::spawn(async move {
        let s3 = client(&target).await;
        let mut backoff = BACKOFF_START;
        loop {
            let failed = upload_pending(&s3, &spool, &target).await;
            let wait = if failed {
                let w = backoff;
                backoff = (backoff * 2).min(BACKOFF_MAX);
                w
            } else {
                backoff = BACKOFF_START;
                RESCAN
            };
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = wake.notified(), if !failed => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    });
}

/// Uploads every pending document; returns whether any upload failed.
async fn upload_pending(s3: &aws_sdk_s3::Client, spool: &Spool, target: &S3Target) -> bool {
    for doc in spool.pending() {
        let body = match tokio::fs::read(&doc.path).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(file = %doc.path.display(), error = %e, "cannot read audit log");
                continue;
            }
        };
        let key = format!("{}/{}", target.prefix.trim_end_matches('/'), doc.key);
        let put = s3
            .put_object()
            .bucket(&target.bucket)
            .key(&key)
            .content_type("application/json")
            .body(ByteStream::from(body))
            .send()
            .await;
        match put {
            Ok(_) => {
                if let Err(e) = spool.mark_uploaded(&doc) {
                    tracing::warn!(file = %doc.path.display(), error = %e, "uploaded but cannot move out of the spool");
                }
                tracing::debug!(%key, "audit log uploaded");
            }
            Err(e) => {
                tracing::warn!(%key, error = %aws_sdk_s3::error::DisplayErrorContext(&e), "audit upload failed; will retry");
                return true;
            }
        }
    }
    false
}
