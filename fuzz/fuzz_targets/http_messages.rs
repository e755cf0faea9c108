//! The public chat API's messages endpoint, in process: the server's whole
//! axum router (`concierge_http::server::router`, the demo salon tenant on a
//! SQLite file in a temporary directory, a fixed clock, no rate limits) is
//! driven with `tower::ServiceExt::oneshot`. Per input: start a
//! conversation, then POST the input as the body of
//! `/v1/chat/demo-salon/conversations/{id}/messages`. Checks: no panic, and
//! the answer is never a server error (5xx): an arbitrary body is the
//! client's mistake (400, 413, 422) or a turn (200).
#![no_main]

use std::sync::LazyLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use concierge_http::server::config::{LimitsConfig, RateConfig, ServerConfig};
use concierge_http::server::demo::{DEMO_KEY, DEMO_TENANT};
use concierge_http::server::{router, start};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct Server {
    runtime: tokio::runtime::Runtime,
    app: Router,
    _data: tempfile::TempDir,
}

/// Started once per process (store opened, demo seeded).
static SERVER: LazyLock<Server> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        data_dir: data.path().to_owned(),
        demo: true,
        now: Some(concierge_fuzz::now()),
        limits: LimitsConfig {
            per_ip: RateConfig::UNLIMITED,
            per_tenant: RateConfig::UNLIMITED,
            ..LimitsConfig::default()
        },
        ..ServerConfig::default()
    };
    let (state, _) = runtime.block_on(start(config)).unwrap();
    let server = Server { runtime, app: router(state), _data: data };
    // A first turn builds (trains) the salon's engine, before fuzzing starts.
    let (status, answer) = server.runtime.block_on(turn(&server.app, br#"{"text": "hi"}"#.to_vec()));
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer));
    server
});

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Vec<u8>) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, body.to_vec())
}

/// Starts a conversation, then posts `body` to its messages endpoint.
async fn turn(app: &Router, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
    let start = Request::post(format!("/v1/chat/{DEMO_TENANT}/conversations"))
        .header("x-concierge-key", DEMO_KEY)
        .body(Body::empty())
        .unwrap();
    let (status, created) = send(app, start).await;
    assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&created));
    let created: serde_json::Value = serde_json::from_slice(&created).unwrap();
    let (id, token) = (created["conversation_id"].as_str().unwrap(), created["token"].as_str().unwrap());
    let message = Request::post(format!("/v1/chat/{DEMO_TENANT}/conversations/{id}/messages"))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    send(app, message).await
}

fuzz_target!(
    // Start before fuzzing, so starting does not count against `-timeout`.
    init: {
        LazyLock::force(&SERVER);
    },
    |body: &[u8]| {
        let (status, answer) = SERVER.runtime.block_on(turn(&SERVER.app, body.to_vec()));
        assert!(!status.is_server_error(), "{status}: {}", String::from_utf8_lossy(&answer));
    }
);
