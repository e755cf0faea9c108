//! How long staff sessions last and how fast logins may be tried.

use std::time::Duration;

use super::RateConfig;

/// Settings of the admin API's authentication.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthConfig {
    /// Lifetime of an access token (a JWT): short, since it cannot be revoked.
    pub access_ttl: Duration,
    /// Lifetime of each refresh token; every refresh issues a new one.
    pub refresh_ttl: Duration,
    /// Login attempts allowed per client address and email.
    pub login_rate: RateConfig,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(14 * 24 * 60 * 60),
            // Five attempts at once, then one every 12 seconds.
            login_rate: RateConfig { per_second: 1.0 / 12.0, burst: 5 },
        }
    }
}
