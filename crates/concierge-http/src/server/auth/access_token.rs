//! Access tokens: HS256 JWTs signed with a key derived from the server
//! secret, carrying who (`sub`), for which tenant, with which role, and
//! when they expire. Expiry is checked against the server's clock, not the
//! library's, so a server running on a fixed clock (tests, demos) agrees
//! with itself.

use chrono::{DateTime, Utc};
use concierge_store::TenantId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::role::Role;

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user's id.
    pub sub: String,
    /// The user's tenant.
    pub tenant: String,
    /// The user's role when the token was issued.
    pub role: Role,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Issue time, Unix seconds.
    pub iat: i64,
    /// A unique id of this token.
    pub jti: String,
}

/// Why an access token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessTokenError {
    /// Not a JWT signed by this server with HS256.
    #[error("invalid access token")]
    Invalid,
    /// Past its expiry.
    #[error("the access token expired")]
    Expired,
    /// The tenant it names is not a valid tenant id.
    #[error("invalid access token")]
    BadTenant,
}

/// Signs a token for `user_id` of `tenant` with `role`, valid for `ttl` from `now`.
pub fn issue(
    key: &[u8; 32],
    tenant: &TenantId,
    user_id: &str,
    role: Role,
    now: DateTime<Utc>,
    ttl: std::time::Duration,
) -> Result<String, jsonwebtoken::errors::Error> {
    let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    let claims = AccessClaims {
        sub: user_id.to_owned(),
        tenant: tenant.as_str().to_owned(),
        role,
        iat: now.timestamp(),
        exp: now.timestamp().saturating_add(ttl),
        jti: uuid::Uuid::new_v4().to_string(),
    };
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(key))
}

/// Checks a token's signature and expiry at `now`; returns its claims and tenant.
pub fn verify(
    key: &[u8; 32],
    token: &str,
    now: DateTime<Utc>,
) -> Result<(AccessClaims, TenantId), AccessTokenError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.required_spec_claims = ["exp", "iat", "sub"].iter().map(|c| c.to_string()).collect();
    let data = jsonwebtoken::decode::<AccessClaims>(token, &DecodingKey::from_secret(key), &validation)
        .map_err(|_| AccessTokenError::Invalid)?;
    let claims = data.claims;
    if claims.exp <= now.timestamp() {
        return Err(AccessTokenError::Expired);
    }
    let tenant = TenantId::parse(&claims.tenant).map_err(|_| AccessTokenError::BadTenant)?;
    Ok((claims, tenant))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn a_token_verifies_until_it_expires() {
        let tenant = TenantId::parse("salon").unwrap();
        let now = Utc::now();
        let token = issue(&KEY, &tenant, "u1", Role::Agent, now, Duration::from_secs(60)).unwrap();
        let (claims, got) = verify(&KEY, &token, now).unwrap();
        assert_eq!((claims.sub.as_str(), claims.role, got), ("u1", Role::Agent, tenant));
        assert_eq!(claims.exp - claims.iat, 60);
        let later = now + chrono::TimeDelta::seconds(61);
        assert_eq!(verify(&KEY, &token, later), Err(AccessTokenError::Expired));
    }

    #[test]
    fn tampered_or_foreign_tokens_are_refused() {
        let tenant = TenantId::parse("salon").unwrap();
        let now = Utc::now();
        let token = issue(&KEY, &tenant, "u1", Role::Agent, now, Duration::from_secs(60)).unwrap();
        assert_eq!(verify(&[8; 32], &token, now), Err(AccessTokenError::Invalid));
        // Change the role in the payload without re-signing.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = String::from_utf8(b64.decode(&parts[1]).unwrap()).unwrap().replace("agent", "owner");
        parts[1] = b64.encode(payload);
        assert_eq!(verify(&KEY, &parts.join("."), now), Err(AccessTokenError::Invalid));
        assert_eq!(verify(&KEY, "not a token", now), Err(AccessTokenError::Invalid));
    }
}
