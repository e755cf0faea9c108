//! Server-level bearer tokens from the configuration (the metrics scraper's,
//! the hosting operator's): read from `Authorization: Bearer ...` and
//! compared in time independent of where they differ.

use axum::http::{header, HeaderMap};
use sha2::{Digest, Sha256};

/// Whether the request's bearer token is `expected`.
pub(crate) fn presented(headers: &HeaderMap, expected: &str) -> bool {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    same_secret(token.trim().as_bytes(), expected.as_bytes())
}

/// Compares two secrets in time independent of where they differ (both
/// are hashed first, so their lengths do not show either).
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn only_the_exact_token_passes() {
        let mut headers = HeaderMap::new();
        assert!(!presented(&headers, "s3cret"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer s3cret"));
        assert!(presented(&headers, "s3cret"));
        assert!(!presented(&headers, "s3cre"));
        assert!(!presented(&headers, "s3cret2"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic s3cret"));
        assert!(!presented(&headers, "s3cret"));
    }
}
