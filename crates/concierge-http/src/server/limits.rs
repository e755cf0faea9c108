//! Rate limits: token buckets keyed by client IP and by tenant.
//!
//! Each key has a bucket of `burst` tokens refilled at `per_second`; a
//! request takes one token or is refused with the time until one is back
//! (sent as `Retry-After`). Buckets live in a few mutex-guarded shards so
//! concurrent requests rarely wait on each other; full buckets are dropped
//! when a shard grows, since a missing bucket and a full one are the same.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::config::RateConfig;
use super::error::ApiError;

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

/// The client's IP address (from the connection; unspecified when unknown,
/// for example in tests that call the router without a socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        Ok(ClientIp(ip))
    }
}
