//! Rate limits: token buckets keyed by client IP and by tenant. Also the
//! client address behind trusted proxies, the early 413 and the body-read
//! timeout's 408.
//!
//! Each key has a bucket of `burst` tokens refilled at `per_second`; a
//! request takes one token or is refused with the time until one is back
//! (sent as `Retry-After`). Buckets live in a few mutex-guarded shards so
//! concurrent requests rarely wait on each other; full buckets are dropped
//! when a shard grows, since a missing bucket and a full one are the same.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tower_http::timeout::{TimeoutBody, TimeoutError};

use super::config::{ClientIpHeader, HttpConfig, RateConfig};
use super::error::ApiError;
use super::state::AppState;

const SHARDS: usize = 16;
/// Above this many buckets a shard drops its full ones.
const PRUNE_ABOVE: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// One rate limit over many keys.
#[derive(Debug)]
pub struct RateLimiter {
    rate: RateConfig,
    hasher: RandomState,
    shards: Vec<Mutex<HashMap<String, Bucket>>>,
}

impl RateLimiter {
    /// A limiter with this rate for every key.
    pub fn new(rate: RateConfig) -> Self {
        RateLimiter {
            rate,
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    /// Takes a token for `key` at `now`, or says how long until one is available.
    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        if !self.rate.is_enabled() {
            return Ok(());
        }
        let burst = f64::from(self.rate.burst);
        let shard = &self.shards[(self.hasher.hash_one(key) as usize) % SHARDS];
        let mut buckets = shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            let rate = self.rate.per_second;
            buckets.retain(|_, b| b.tokens + now.duration_since(b.updated).as_secs_f64() * rate < burst);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket { tokens: burst, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate.per_second).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate.per_second))
        }
    }

    /// Takes a token for `key` now.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }
}

/// The per-IP and per-tenant limits of the public chat API.
#[derive(Debug)]
pub struct Limits {
    /// Per client IP.
    pub per_ip: RateLimiter,
    /// Per tenant.
    pub per_tenant: RateLimiter,
}

impl Limits {
    /// Limits with these rates.
    pub fn new(per_ip: RateConfig, per_tenant: RateConfig) -> Self {
        Limits { per_ip: RateLimiter::new(per_ip), per_tenant: RateLimiter::new(per_tenant) }
    }

    /// Admits one request of `ip` to `tenant`, or refuses it as [`ApiError::RateLimited`].
    pub fn admit(&self, ip: std::net::IpAddr, tenant: &str) -> Result<(), ApiError> {
        let limited = |wait: Duration| ApiError::RateLimited {
            retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
        };
        self.per_ip.check(&ip.to_string()).map_err(limited)?;
        self.per_tenant.check(tenant).map_err(limited)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_rate_applies() {
        let limiter = RateLimiter::new(RateConfig { per_second: 2.0, burst: 3 });
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("a", start).is_ok());
        }
        let wait = limiter.check_at("a", start).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-9, "{wait:?}");
        assert!(limiter.check_at("b", start).is_ok(), "keys are independent");
        assert!(limiter.check_at("a", start + Duration::from_millis(500)).is_ok());
        assert!(limiter.check_at("a", start + Duration::from_millis(500)).is_err());
    }

    #[test]
    fn a_zero_rate_never_refuses() {
        let limiter = RateLimiter::new(RateConfig::UNLIMITED);
        let now = Instant::now();
        assert!((0..10_000).all(|_| limiter.check_at("a", now).is_ok()));
    }

    #[test]
    fn many_keys_do_not_grow_without_bound() {
        let limiter = RateLimiter::new(RateConfig { per_second: 1000.0, burst: 1 });
        let start = Instant::now();
        for i in 0..(SHARDS * PRUNE_ABOVE * 2) {
            let _ = limiter.check_at(&i.to_string(), start + Duration::from_millis(i as u64));
        }
        let total: usize = limiter.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(total <= SHARDS * (PRUNE_ABOVE + 1), "{total}");
    }
}

/// The client's address: the socket's, or, when the socket is a trusted
/// proxy (`server.trusted_proxies`), the one the proxy names in its
/// configured header. Set on each request by [`client_address`]; every
/// limiter and the request log read it. Unspecified when unknown (tests that
/// call the router without a socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        if let Some(ip) = parts.extensions.get::<ClientIp>() {
            return Ok(*ip);
        }
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        Ok(ClientIp(ip))
    }
}

/// The addresses a header lists, nearest hop last (`None` for an entry
/// that is not an address: nothing before it can be believed).
fn forwarded_chain(headers: &HeaderMap, which: ClientIpHeader) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
    };
    let parse = |text: &str| -> Option<IpAddr> {
        let text = text.trim().trim_matches('"');
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Some(ip);
        }
        // `[v6]:port`, `[v6]` or `v4:port`.
        if let Some(rest) = text.strip_prefix('[') {
            return rest.split(']').next()?.parse().ok();
        }
        text.parse::<std::net::SocketAddr>().ok().map(|a| a.ip())
    };
    match which {
        ClientIpHeader::XForwardedFor => {
            values("x-forwarded-for").iter().flat_map(|v| v.split(',')).map(parse).collect()
        }
        ClientIpHeader::XRealIp => values("x-real-ip").last().map(|v| parse(v)).into_iter().collect(),
        ClientIpHeader::Forwarded => values("forwarded")
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .find_map(|pair| {
                        let (key, value) = pair.split_once('=')?;
                        key.trim().eq_ignore_ascii_case("for").then_some(value)
                    })
                    .and_then(parse)
            })
            .collect(),
    }
}

/// Who the client is, seen from a socket at `peer`: a request from an
/// untrusted peer is its own client whatever its headers say; from a trusted
/// proxy, the nearest untrusted address of the header's chain.
pub(crate) fn resolve_client(config: &HttpConfig, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if !config.is_trusted_proxy(peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_chain(headers, config.client_ip_header).into_iter().rev() {
        match hop {
            Some(ip) => {
                client = ip;
                if !config.is_trusted_proxy(ip) {
                    break;
                }
            }
            None => break,
        }
    }
    client
}

/// Middleware: sets the request's [`ClientIp`] (outermost, so the request
/// log and every limiter see the same address).
pub(crate) async fn client_address(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer =
        request.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    if let Some(peer) = peer {
        let client = resolve_client(&state.config.http, peer, request.headers());
        request.extensions_mut().insert(ClientIp(client));
    }
    next.run(request).await
}

/// Middleware: a body declared (`Content-Length`) larger than the route
/// accepts is refused with 413 before a byte of it is read. The answer says
/// `Connection: close`: the unread body leaves the connection unusable, and
/// a client told so does not send its next request on it.
pub(crate) async fn refuse_large_bodies(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = if request.uri().path().starts_with("/v1/chat/") {
        state.config.limits.body_bytes
    } else {
        super::DEFAULT_BODY_LIMIT
    };
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        let mut response = ApiError::PayloadTooLarge.into_response();
        response.headers_mut().insert(axum::http::header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    next.run(request).await
}

/// Middleware: a request body that pauses longer than
/// `server.body_read_timeout` ends its request with 408 `timeout`, whatever
/// the handler's extractor made of the failed read (axum's would say 400).
/// Every 408 (this one or the request timeout's) says `Connection: close`:
/// the rest of the body is never read, so the connection cannot serve
/// another request.
pub(crate) async fn time_out_bodies(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let timed_out = Arc::new(AtomicBool::new(false));
    let timeout = state.config.http.body_read_timeout;
    let request = request.map(|body| {
        axum::body::Body::new(WatchedBody {
            body: Box::pin(TimeoutBody::new(timeout, body)),
            timed_out: timed_out.clone(),
        })
    });
    let response = next.run(request).await;
    if !timed_out.load(Ordering::Relaxed) && response.status() != StatusCode::REQUEST_TIMEOUT {
        return response;
    }
    let mut response = ApiError::Timeout.into_response();
    response.headers_mut().insert(axum::http::header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A request body under tower-http's [`TimeoutBody`] that notes when the
/// timeout, rather than anything else, ended it.
struct WatchedBody {
    body: Pin<Box<TimeoutBody<axum::body::Body>>>,
    timed_out: Arc<AtomicBool>,
}

impl HttpBody for WatchedBody {
    type Data = <TimeoutBody<axum::body::Body> as HttpBody>::Data;
    type Error = <TimeoutBody<axum::body::Body> as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let frame = self.body.as_mut().poll_frame(cx);
        if let Poll::Ready(Some(Err(error))) = &frame {
            if error.is::<TimeoutError>() {
                self.timed_out.store(true, Ordering::Relaxed);
            }
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod client_tests {
    use super::*;
    use crate::server::config::Cidr;

    fn config(header: ClientIpHeader) -> HttpConfig {
        HttpConfig {
            trusted_proxies: vec![Cidr::parse("10.0.0.0/8").unwrap()],
            client_ip_header: header,
            ..HttpConfig::default()
        }
    }

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, value.parse().unwrap());
        headers
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        let xff = config(ClientIpHeader::XForwardedFor);
        let spoof = headers("x-forwarded-for", "1.2.3.4");
        let outsider: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(resolve_client(&xff, outsider, &spoof), outsider, "untrusted peers cannot spoof");
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(resolve_client(&xff, proxy, &spoof), "1.2.3.4".parse::<IpAddr>().unwrap());
        // A client prepending a fake address does not get it believed.
        let chain = headers("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.3");
        assert_eq!(resolve_client(&xff, proxy, &chain), "198.51.100.7".parse::<IpAddr>().unwrap());
        let junk = headers("x-forwarded-for", "6.6.6.6, garbage");
        assert_eq!(resolve_client(&xff, proxy, &junk), proxy);
        let forwarded = config(ClientIpHeader::Forwarded);
        let value = headers("forwarded", "for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.5");
        assert_eq!(resolve_client(&forwarded, proxy, &value), "2001:db8::1".parse::<IpAddr>().unwrap());
        let real = config(ClientIpHeader::XRealIp);
        assert_eq!(
            resolve_client(&real, proxy, &headers("x-real-ip", "192.0.2.1")),
            "192.0.2.1".parse::<IpAddr>().unwrap()
        );
    }
}
