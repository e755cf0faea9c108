//! Secrets that name their tenant: `<prefix><tenant>.<64 hex digits>`
//! (refresh tokens `rt_`, invitations `inv_`). The tenant part tells the
//! store which tenant's rows to look in (row-level security needs it before
//! the secret is found); the store keeps only the SHA-256 of the whole
//! secret.

use aes_gcm::aead::rand_core::RngCore;

use crate::{api_key, TenantId};

/// A fresh secret for `tenant`.
pub(crate) fn generate(prefix: &str, tenant: &TenantId) -> String {
    let mut secret = [0u8; 32];
    aes_gcm::aead::OsRng.fill_bytes(&mut secret);
    format!("{prefix}{}.{}", tenant.as_str(), hex::encode(secret))
}

/// The tenant named by a well-formed secret with this prefix.
pub(crate) fn tenant_of(prefix: &str, secret: &str) -> Option<TenantId> {
    let (tenant, random) = secret.strip_prefix(prefix)?.split_once('.')?;
    if random.len() != 64 || !random.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    TenantId::parse(tenant).ok()
}

/// The stored hash of a secret.
pub(crate) fn hash(secret: &str) -> String {
    api_key::hash(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_names_its_tenant() {
        let tenant = TenantId::parse("demo-salon_2").unwrap();
        for prefix in ["rt_", "inv_"] {
            let secret = generate(prefix, &tenant);
            assert_eq!(tenant_of(prefix, &secret), Some(tenant.clone()));
        }
        assert_eq!(tenant_of("inv_", &generate("rt_", &tenant)), None);
    }

    #[test]
    fn malformed_secrets_name_no_tenant() {
        for bad in ["", "rt_", "rt_x.", "rt_x.zz", "ck_abc_def", &format!("rt_a b.{}", "0".repeat(64))] {
            assert_eq!(tenant_of("rt_", bad), None, "{bad:?}");
        }
    }
}
