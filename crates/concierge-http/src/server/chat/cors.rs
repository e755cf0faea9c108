//! CORS for the public chat API, per tenant.
//!
//! Applied to the whole router, it acts on `/v1/chat/{tenant}/...` only. The
//! origins allowed there are those of the
//! tenant's publishable keys (`*` allows any). A request from the server's
//! own origin (the demo page) is always allowed. Preflight requests are
//! answered here; an actual request from an origin that is not allowed is
//! refused with 403 (the browser would hide the answer anyway, and this
//! keeps other sites from driving a conversation). Requests without an
//! `Origin` header (servers, tools) pass.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::server::error::ApiError;
use crate::server::state::AppState;

const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
const ALLOW_HEADERS: &str = "authorization, content-type, x-concierge-key";
const MAX_AGE_SECS: &str = "600";

/// Whether `origin` is the server's own (the `Host` the request came to).
fn is_same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host)
}

/// Whether the tenant allows `origin`.
async fn allowed(
    state: &AppState,
    tenant: &str,
    origin: &str,
    headers: &HeaderMap,
) -> Result<bool, ApiError> {
    if is_same_origin(origin, headers) {
        return Ok(true);
    }
    let Ok(tenant) = concierge_store::TenantId::parse(tenant) else {
        return Ok(false);
    };
    let origins = state.allowed_origins(&tenant).await?;
    Ok(origins.iter().any(|o| o == "*" || o == origin))
}

/// The tenant in a `/v1/chat/{tenant}/...` path.
fn tenant_of(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/chat/")?.split('/').next().filter(|t| !t.is_empty())
}

/// The middleware.
pub(crate) async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(tenant) = tenant_of(request.uri().path()).map(str::to_owned) else {
        return next.run(request).await;
    };
    let Some(origin) = request.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_owned)
    else {
        return next.run(request).await;
    };
    let is_preflight = request.method() == Method::OPTIONS
        && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    match allowed(&state, &tenant, &origin, request.headers()).await {
        Err(error) => return error.into_response(),
        Ok(false) => {
            return ApiError::Forbidden(format!("origin {origin} is not allowed for this tenant"))
                .into_response();
        }
        Ok(true) => {}
    }
    let origin_value = HeaderValue::from_str(&origin).unwrap_or_else(|_| HeaderValue::from_static("null"));
    let mut response = if is_preflight {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOW_HEADERS));
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE_SECS));
        response
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin_value);
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    headers
        .insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("retry-after, x-request-id"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_comes_from_the_path_and_the_host_makes_the_own_origin() {
        assert_eq!(tenant_of("/v1/chat/demo-salon/conversations"), Some("demo-salon"));
        assert_eq!(tenant_of("/v1/chat/"), None);
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(is_same_origin("http://127.0.0.1:8080", &headers));
        assert!(!is_same_origin("http://127.0.0.1:8081", &headers));
        assert!(!is_same_origin("http://evil.example", &headers));
    }
}
