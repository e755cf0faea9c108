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
    /// Login attempts allowed per client address, whatever the email
    /// (password spraying).
    pub login_rate_per_ip: RateConfig,
    /// Login attempts allowed per tenant, from anywhere.
    pub login_rate_per_tenant: RateConfig,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(14 * 24 * 60 * 60),
            // Five attempts at once, then one every 12 seconds.
            login_rate: RateConfig { per_second: 1.0 / 12.0, burst: 5 },
            // Twenty a minute from one address, across emails.
            login_rate_per_ip: RateConfig { per_second: 20.0 / 60.0, burst: 20 },
            // Two a second per tenant, from everywhere.
            login_rate_per_tenant: RateConfig { per_second: 2.0, burst: 120 },
        }
    }
}
