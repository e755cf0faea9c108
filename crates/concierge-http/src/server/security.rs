//! Security headers on every response (unless a handler set its own).
//!
//! The content security policy fits the demo page and the widget served from
//! this server: scripts and connections only to this origin (WebSockets
//! included), inline styles allowed (the widget styles its own elements),
//! no framing, no plugins. A page embedding the widget on another site
//! keeps its own policy; it must allow this server in `script-src` and
//! `connect-src`.

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The content security policy of pages served here.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The middleware.
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults: [(HeaderName, &'static str); 5] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// The longest `x-request-id` taken from a client.
const REQUEST_ID_MAX: usize = 128;

/// Middleware: an `x-request-id` the client sent is kept only when it is
/// short and made of safe characters (letters, digits, `-_.:`); otherwise it
/// is removed, so a fresh one is generated, echoed and logged instead.
pub(crate) async fn check_request_id(mut request: Request, next: Next) -> Response {
    let acceptable = |value: &HeaderValue| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= REQUEST_ID_MAX
            && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
    };
    let headers = request.headers_mut();
    let values: Vec<&HeaderValue> = headers.get_all("x-request-id").iter().collect();
    if !(values.len() == 1 && acceptable(values[0])) {
        headers.remove("x-request-id");
    }
    next.run(request).await
}
