//! `OdooClient` against a fake Odoo on loopback: login and uid cache, fault mapping,
//! retries, timeouts and unreachable servers. No timing is asserted.

#[path = "support/fake_odoo.rs"]
mod fake_odoo;

use std::sync::atomic::Ordering;
use std::time::Duration;

use daniel_odoo::client::Error;
use daniel_odoo::{OdooClient, Secret};
use fake_odoo::{FakeOdoo, Reply, SECRET};
use serde_json::{Value, json};

const TRACEBACK: &str = "Traceback (most recent call last):\n  File \"/odoo/odoo/http.py\", line 2100, in _serve_db\n    return service_model.retrying(self._serve_ir_http, self.env)\n";

/// Answers by method name; see each arm.
fn handler(model: &str, method: &str, args: &Value, kwargs: &Value) -> Reply {
    match method {
        "search_count" | "search_read" | "write" => Reply::Value(json!(7)),
        "echo" => Reply::Value(json!([args, kwargs])),
        "fields_get" if kwargs["attributes"].is_array() => Reply::Value(
            json!({"name": {"type": "char"}, "id": {"type": "integer"}, "email_from": {"type": "char"}}),
        ),
        "fields_get" => Reply::Fault(
            1,
            format!("{TRACEBACK}TypeError: cannot marshal None unless allow_none is enabled"),
        ),
        "check" => Reply::Fault(2, "You cannot create recursive Partner hierarchies.".into()),
        "missing" => Reply::Fault(
            2,
            "Record does not exist or has been deleted.\n(Record: crm.lead(999999,), User: 2)"
                .into(),
        ),
        "denied" => Reply::Fault(3, "Access Denied".into()),
        "forbidden" => Reply::Fault(
            4,
            "You are not allowed to access 'Lead' (crm.lead) records.".into(),
        ),
        "crash" => Reply::Fault(
            1,
            format!("{TRACEBACK}ValueError: Wrong value for crm.lead.type: 'nope'\n"),
        ),
        "nope" => Reply::Fault(
            1,
            format!("{TRACEBACK}AttributeError: The method '{model}.nope' does not exist"),
        ),
        "slow" => Reply::Sleep(Duration::from_secs(30)),
        "big" => Reply::Value(json!("x".repeat(2 << 20))),
        "huge" => Reply::Value(json!("x".repeat(daniel_odoo::xmlrpc::MAX_BODY_BYTES))),
        _ if model == "no.such.model" => {
            Reply::Fault(2, "Object no.such.model doesn't exist".into())
        }
        _ => Reply::Fault(
            1,
            format!("{TRACEBACK}TypeError: cannot marshal None unless allow_none is enabled\n"),
        ),
    }
}

async fn start() -> (FakeOdoo, OdooClient) {
    let fake = FakeOdoo::start(handler).await;
    let client = OdooClient::new(fake.config()).unwrap();
    (fake, client)
}

async fn call(client: &OdooClient, model: &str, method: &str) -> Result<Value, Error> {
    client
        .execute_kw(model, method, json!([[]]), json!({}))
        .await
}

fn calls(fake: &FakeOdoo) -> (usize, usize) {
    let s = &fake.state;
    (
        FakeOdoo::count(&s.authenticate_calls),
        FakeOdoo::count(&s.execute_calls),
    )
}

#[tokio::test]
async fn authenticates_once_and_caches_the_uid() {
    let (fake, client) = start().await;
    let mut callers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let client = client.clone();
        callers.spawn(async move { call(&client, "crm.lead", "search_count").await });
    }
    while let Some(result) = callers.join_next().await {
        assert_eq!(result.unwrap().unwrap(), json!(7));
    }
    assert_eq!(
        call(&client.clone(), "crm.lead", "search_count")
            .await
            .unwrap(),
        json!(7)
    );
    assert_eq!(calls(&fake), (1, 9));
}

#[tokio::test]
async fn refused_login_is_auth_and_not_repeated_at_once() {
    let fake = FakeOdoo::start(handler).await;
    let mut config = fake.config();
    config.secret = Secret::new("wrong");
    let client = OdooClient::new(config).unwrap();
    for _ in 0..3 {
        let err = call(&client, "crm.lead", "search_count").await.unwrap_err();
        assert!(
            matches!(err, Error::Auth { ref instance } if instance == "fake"),
            "{err:?}"
        );
    }
    assert_eq!(calls(&fake), (1, 0));
}

#[tokio::test]
async fn fault_3_renews_the_uid_once_and_repeats_the_call() {
    let (fake, client) = start().await;
    call(&client, "crm.lead", "search_count").await.unwrap();
    fake.state.uid.store(9, Ordering::SeqCst);
    assert_eq!(
        call(&client, "crm.lead", "search_count").await.unwrap(),
        json!(7)
    );
    assert_eq!(calls(&fake), (2, 3));
    // A fault 3 that persists: one renewal, one repeat, then Auth.
    let err = call(&client, "crm.lead", "denied").await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert_eq!(calls(&fake), (3, 5));
}

#[tokio::test]
async fn faults_map_to_errors() {
    let (_fake, client) = start().await;
    let err = call(&client, "res.partner", "check").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "odoo fake: res.partner.check refused: You cannot create recursive Partner hierarchies."
    );
    assert!(matches!(err, Error::Validation { .. }));
    let err = call(&client, "crm.lead", "missing").await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { ref message, .. } if message.starts_with("Record does not exist")),
        "{err:?}"
    );
    let err = call(&client, "no.such.model", "search").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = call(&client, "crm.lead", "nope").await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { ref message, .. } if message == "AttributeError: The method 'crm.lead.nope' does not exist")
    );
    let err = call(&client, "crm.lead", "forbidden").await.unwrap_err();
    assert!(
        matches!(err, Error::Access { ref call, .. } if call == "crm.lead.forbidden"),
        "{err:?}"
    );
    let err = call(&client, "crm.lead", "crash").await.unwrap_err();
    assert!(matches!(err, Error::Internal { code: 1, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "odoo fake: crm.lead.crash failed inside odoo: ValueError: Wrong value for crm.lead.type: 'nope'"
    );
}

#[tokio::test]
async fn cannot_marshal_none_after_an_action_is_success() {
    let (_fake, client) = start().await;
    for method in [
        "action_set_lost",
        "action_cancel",
        "button_draft",
        "message_post",
    ] {
        assert_eq!(
            call(&client, "crm.lead", method).await.unwrap(),
            Value::Null,
            "{method}"
        );
    }
    let err = call(&client, "crm.lead", "compute_something")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Internal { .. }), "{err:?}");
    let err = client
        .execute_kw("product.pricelist", "fields_get", json!([]), json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Internal { .. }), "{err:?}");
}

#[tokio::test]
async fn a_read_is_retried_once_on_a_dropped_connection() {
    let (fake, client) = start().await;
    call(&client, "crm.lead", "search_count").await.unwrap();
    fake.state.drop_responses.store(1, Ordering::SeqCst);
    assert_eq!(
        call(&client, "crm.lead", "search_read").await.unwrap(),
        json!(7)
    );
    assert_eq!(calls(&fake), (1, 3));
    // Two drops in a row: the single retry is spent, the read fails.
    fake.state.drop_responses.store(2, Ordering::SeqCst);
    let err = call(&client, "crm.lead", "search_read").await.unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
}

#[tokio::test]
async fn a_write_is_never_retried() {
    let (fake, client) = start().await;
    call(&client, "crm.lead", "search_count").await.unwrap();
    fake.state.drop_responses.store(1, Ordering::SeqCst);
    let err = call(&client, "crm.lead", "write").await.unwrap_err();
    assert!(
        matches!(err, Error::ConnectionLost { ref call, .. } if call == "crm.lead.write"),
        "{err:?}"
    );
    assert!(err.to_string().contains("a write may have been applied"));
    assert_eq!(calls(&fake), (1, 2));
    assert_eq!(call(&client, "crm.lead", "write").await.unwrap(), json!(7));
}

#[tokio::test]
async fn login_is_retried_on_a_dropped_first_connection() {
    let (fake, client) = start().await;
    fake.state.drop_responses.store(1, Ordering::SeqCst);
    assert_eq!(
        call(&client, "crm.lead", "search_count").await.unwrap(),
        json!(7)
    );
    assert_eq!(calls(&fake), (2, 1));
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let fake = FakeOdoo::start(handler).await;
    let mut config = fake.config();
    config.timeout = Duration::from_millis(200);
    let client = OdooClient::new(config).unwrap();
    let err = call(&client, "crm.lead", "slow").await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(200)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config = daniel_odoo::InstanceConfig::new(
        "gone",
        format!("http://{addr}"),
        "odoo",
        "admin",
        Secret::new(SECRET),
    );
    let client = OdooClient::new(config).unwrap();
    let err = call(&client, "crm.lead", "search_count").await.unwrap_err();
    assert!(
        matches!(err, Error::Unreachable { ref instance, .. } if instance == "gone"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("odoo gone unreachable at http://{addr}")
    );
    assert!(matches!(
        client.version().await,
        Err(Error::Unreachable { .. })
    ));
}

#[tokio::test]
async fn large_ints_and_nil_travel_both_ways() {
    let (_fake, client) = start().await;
    let args =
        json!([i64::MAX, i64::MIN, 3_000_000_000i64, -5, null, {"a": null, "b": [1.5, false, ""]}]);
    let kwargs = json!({"context": {"lang": "en_US", "tz": null}});
    let answer = client
        .execute_kw("x.y", "echo", args.clone(), kwargs.clone())
        .await
        .unwrap();
    assert_eq!(answer, json!([args, kwargs]));
}

#[tokio::test]
async fn version_and_field_names_are_cached() {
    let (fake, client) = start().await;
    for _ in 0..2 {
        let version = client.version().await.unwrap();
        assert_eq!(
            (version.major, version.minor, version.text.as_str()),
            (19, 0, "19.0")
        );
    }
    assert_eq!(FakeOdoo::count(&fake.state.version_calls), 1);
    for _ in 0..2 {
        let names = client.field_names("crm.lead").await.unwrap();
        assert_eq!(*names, ["email_from", "id", "name"]);
    }
    assert_eq!(calls(&fake), (1, 1));
}

#[tokio::test]
async fn bad_arguments_and_statuses() {
    let (fake, client) = start().await;
    let err = client
        .execute_kw("crm.lead", "read", json!(5), json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    let err = client
        .execute_kw("crm.lead", "read", json!([5]), json!([]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    assert_eq!(calls(&fake), (0, 0));
    let mut config = fake.config();
    config.url = format!("{}/elsewhere", fake.url());
    let client = OdooClient::new(config).unwrap();
    let err = client.version().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "odoo fake: common.version: http status 404 Not Found from /elsewhere/xmlrpc/2/common"
    );
}

#[tokio::test]
async fn the_secret_never_shows() {
    let (_fake, client) = start().await;
    let printed = format!("{client:?}");
    assert!(!printed.contains(SECRET), "{printed}");
    let err = call(&client, "crm.lead", "denied").await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(SECRET));
}

#[tokio::test]
async fn large_answers_decode_and_oversized_ones_are_refused() {
    let (_fake, client) = start().await;
    let big = call(&client, "ir.attachment", "big").await.unwrap();
    assert_eq!(big.as_str().map(str::len), Some(2 << 20));
    let err = call(&client, "ir.attachment", "huge").await.unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    assert!(
        err.to_string().contains("exceeds the 33554432-byte limit"),
        "{err}"
    );
}
