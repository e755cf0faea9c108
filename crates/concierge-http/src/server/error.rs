//! The one error table of the HTTP API.
//!
//! Every handler (public chat, WebSocket, operations and admin) fails with an
//! [`ApiError`]; each variant has a stable snake_case `code`, an HTTP status
//! and a message, and goes out as `{"error": {"code", "message"}}`. Internal
//! failures are logged with their detail and answered with a generic message,
//! so nothing about the database or the process leaks to clients.
//!
//! Request bodies are read with [`ApiJson`], which maps axum's JSON
//! rejections into this table (bad JSON 400, wrong content type 415, too
//! large 413) instead of axum's plain-text answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use concierge_store::StoreError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON.
    #[error("the body is not valid JSON: {0}")]
    BadJson(String),
    /// The JSON does not have the expected shape (missing or unknown fields, wrong types).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The body is not declared as `application/json`.
    #[error("expected a body with content type application/json")]
    UnsupportedMediaType,
    /// The message is empty.
    #[error("the message is empty")]
    EmptyMessage,
    /// No credentials, or credentials that prove nothing (bad token, unknown key, bad password).
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials that do not allow this (wrong role, origin not allowed).
    #[error("{0}")]
    Forbidden(String),
    /// No such resource for this caller (it may exist for someone else).
    #[error("{0} not found")]
    NotFound(String),
    /// The route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// An uploaded bot spec is invalid; each entry is one located problem
    /// (`path: message`).
    #[error("invalid bot spec: {}", .0.join("; "))]
    InvalidSpec(Vec<String>),
    /// The request body is larger than the limit.
    #[error("the request body is larger than the limit")]
    PayloadTooLarge,
    /// The request's headers are larger than the server reads.
    #[error("the request headers are too large")]
    HeadersTooLarge,
    /// The request's URI is longer than the server reads.
    #[error("the request URI is too long")]
    UriTooLong,
    /// The request (or its body) took longer than the server waits.
    #[error("the request took too long")]
    Timeout,
    /// The chat message is longer than the engine accepts.
    #[error("the message is {bytes} bytes long; the limit is {limit}")]
    MessageTooLong {
        /// The message's length in bytes.
        bytes: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Too many requests; retry after the given number of seconds.
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a request would be accepted.
        retry_after_secs: u64,
    },
    /// The server cannot serve now (shutting down, database unreachable).
    #[error("{0}")]
    Unavailable(String),
    /// A failure on the server's side; the detail is logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, for example `rate_limited`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

impl ApiError {
    /// The stable code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadJson(_) => "bad_json",
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::EmptyMessage => "empty_message",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::InvalidSpec(_) => "invalid_spec",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::HeadersTooLarge => "headers_too_large",
            ApiError::UriTooLong => "uri_too_long",
            ApiError::Timeout => "timeout",
            ApiError::MessageTooLong { .. } => "message_too_long",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadJson(_) | ApiError::InvalidRequest(_) | ApiError::EmptyMessage => {
                StatusCode::BAD_REQUEST
            }
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::InvalidSpec(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge | ApiError::MessageTooLong { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::UriTooLong => StatusCode::URI_TOO_LONG,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message sent to clients (generic for internal errors).
    pub fn public_message(&self) -> String {
        match self {
            ApiError::Internal(_) => "an internal error occurred; it has been logged".to_owned(),
            other => other.to_string(),
        }
    }

    /// The body sent to clients.
    pub fn body(&self) -> ErrorBody {
        ErrorBody { error: ErrorDetail { code: self.code().to_owned(), message: self.public_message() } }
    }

    /// The error of a response made outside the handlers (an axum
    /// extractor's rejection, a middleware, the timeout layer, hyper), by
    /// its status; `detail` is the plain-text body it came with.
    pub fn from_status(status: StatusCode, detail: &str) -> Self {
        let detail = detail.trim();
        let or = |fallback: &str| if detail.is_empty() { fallback.to_owned() } else { detail.to_owned() };
        match status {
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized(or("unauthorized")),
            StatusCode::FORBIDDEN => ApiError::Forbidden(or("forbidden")),
            StatusCode::NOT_FOUND => ApiError::NotFound("route".to_owned()),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ApiError::HeadersTooLarge,
            StatusCode::URI_TOO_LONG => ApiError::UriTooLong,
            StatusCode::REQUEST_TIMEOUT => ApiError::Timeout,
            StatusCode::TOO_MANY_REQUESTS => ApiError::RateLimited { retry_after_secs: 1 },
            StatusCode::SERVICE_UNAVAILABLE => ApiError::Unavailable(or("unavailable")),
            status if status.is_server_error() => ApiError::Internal(or("unknown failure")),
            _ => ApiError::InvalidRequest(or("bad request")),
        }
    }

    /// Shorthand for an internal error from anything displayable.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        if let ApiError::RateLimited { retry_after_secs } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { what, .. } => ApiError::NotFound(what.to_owned()),
            StoreError::Invalid(message) => ApiError::InvalidRequest(message),
            StoreError::Duplicate(what) => ApiError::Conflict(format!("{what} already exists")),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonSyntaxError(e) => ApiError::BadJson(e.body_text()),
            JsonRejection::JsonDataError(e) => ApiError::InvalidRequest(e.body_text()),
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge
            }
            other => ApiError::InvalidRequest(other.body_text()),
        }
    }
}

/// A JSON request body whose rejections are [`ApiError`]s. The body must be
/// a JSON object (serde would otherwise read `["hi"]` as `{"text": "hi"}`).
/// Pair it with `#[serde(deny_unknown_fields)]` on the body type for strict
/// validation.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let essence = declared.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !(essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json")))
        {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::InvalidRequest(rejection.body_text())
            }
        })?;
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => {}
            None => return Err(ApiError::BadJson("the body is empty".into())),
            Some(_) => return Err(ApiError::InvalidRequest("the body must be a JSON object".into())),
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

/// Middleware: any error response that is not already JSON (axum's
/// extractor rejections for queries, paths and bodies, the body limit, the
/// timeout layer) is answered from the table instead, keeping its headers.
pub(crate) async fn json_errors(request: Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let error = ApiError::from_status(status, &String::from_utf8_lossy(&detail));
    let mut answer = error.into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().entry(name.clone()).or_insert_with(|| value.clone());
        }
    }
    answer
}

/// The whole response (status line, headers, JSON body) for an error hyper
/// answers by itself before any handler runs (bad request line, headers
/// too large, URI too long), which it sends with an empty body.
pub(crate) fn raw_response(status: StatusCode) -> Vec<u8> {
    let error = ApiError::from_status(status, "");
    let body = serde_json::to_vec(&error.body()).unwrap_or_default();
    let mut raw = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(&body);
    raw
}

/// Answers routes that do not exist.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound("route".to_owned())
}

/// Answers known routes called with the wrong method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_code_a_status_and_a_safe_message() {
        let internal = ApiError::Internal("password=hunter2 at db".into());
        assert_eq!(internal.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!internal.public_message().contains("hunter2"));
        let limited = ApiError::RateLimited { retry_after_secs: 3 };
        assert_eq!((limited.code(), limited.status()), ("rate_limited", StatusCode::TOO_MANY_REQUESTS));
        let response = limited.into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
        let missing: ApiError = StoreError::NotFound { what: "conversation", id: "x".into() }.into();
        assert_eq!((missing.code(), missing.status()), ("not_found", StatusCode::NOT_FOUND));
    }
}
