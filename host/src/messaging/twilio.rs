//! Sends WhatsApp and SMS messages with Twilio's Messages API. The same code talks
//! to the real Twilio and to the offline stand-in in `sandbox::twilio`.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::{Channel, Error, Messenger, valid_e164};

/// A Twilio request that takes longer than this is reported as failed.
const TIMEOUT: Duration = Duration::from_secs(15);

/// Twilio account settings and an HTTP client.
pub struct Twilio {
    http: reqwest::Client,
    api_base: String,
    account_sid: String,
    auth_token: String,
    whatsapp_from: String,
    sms_from: String,
}

impl Twilio {
    /// A sender for `account_sid` against `api_base` (`https://api.twilio.com`).
    ///
    /// # Errors
    /// If the HTTP client cannot be built.
    pub fn new(
        api_base: &str,
        account_sid: &str,
        auth_token: &str,
        whatsapp_from: &str,
        sms_from: &str,
    ) -> Result<Twilio, reqwest::Error> {
        Ok(Twilio {
            http: reqwest::Client::builder().timeout(TIMEOUT).build()?,
            api_base: api_base.trim_end_matches('/').to_owned(),
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            whatsapp_from: whatsapp_from.to_owned(),
            sms_from: sms_from.to_owned(),
        })
    }

    async fn post(&self, channel: Channel, to: &str, body: &str) -> Result<String, Error> {
        if !valid_e164(to) {
            return Err(Error::InvalidRecipient(to.to_owned()));
        }
        let (to, from) = match channel {
            Channel::Whatsapp => (
                format!("whatsapp:{to}"),
                format!("whatsapp:{}", self.whatsapp_from),
            ),
            Channel::Sms => (to.to_owned(), self.sms_from.clone()),
        };
        if from.trim_start_matches("whatsapp:").is_empty() {
            return Err(Error::Upstream(format!(
                "no sender number configured for {channel:?} (messaging.whatsapp_from / sms_from)"
            )));
        }
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.api_base, self.account_sid
        );
        let resp = self
            .http
            .post(url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .form(&[("To", to.as_str()), ("From", from.as_str()), ("Body", body)])
            .send()
            .await
            .map_err(|e| Error::Upstream(format!("cannot reach Twilio: {}", e.without_url())))?;
        let status = resp.status();
        let doc: serde_json::Value = resp.json().await.unwrap_or_default();
        if !status.is_success() {
            let msg = doc["message"].as_str().unwrap_or("no message");
            return Err(Error::Upstream(format!(
                "Twilio answered {status}: {msg} (code {})",
                doc["code"]
            )));
        }
        doc["sid"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::Upstream("Twilio answer has no sid".into()))
    }
}

impl Messenger for Twilio {
    fn send<'a>(
        &'a self,
        channel: Channel,
        to: &'a str,
        body: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<String, Error>> + Send + 'a>> {
        Box::pin(self.post(channel, to, body))
    }
}
