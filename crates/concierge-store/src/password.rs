//! Password hashing with argon2 (PHC strings, random salt per password).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::StoreError;

/// Hashes `password` with argon2id and a fresh salt; CPU-heavy, so it runs
/// on the blocking pool.
pub(crate) async fn hash_password(password: &str) -> Result<String, StoreError> {
    if password.is_empty() {
        return Err(StoreError::Invalid("empty password".into()));
    }
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut aes_gcm::aead::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| StoreError::Task(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?
}

/// Whether `password` matches the stored PHC `hash`.
pub(crate) async fn verify_password(hash: &str, password: &str) -> Result<bool, StoreError> {
    let hash = hash.to_owned();
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| StoreError::Corrupt(format!("stored password hash: {e}")))?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?
}

/// The argon2id hash of a random password nobody knows, made with the same
/// parameters as [`hash_password`] (the `argon2` crate's defaults: m=19456,
/// t=2, p=1). A login for an email that has no account is checked against
/// it, so it costs the same work as a wrong password and takes as long.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ca1QBpBq6SeLSeqwCVVqyw$RwwXmLFV6LtXrvy3dPkl5ilr/yjEjJdzv76yXCm1zSk";

/// Checks a login's `password` against the account's stored hash, or, when
/// there is no account (`None`), against [`DUMMY_HASH`]: either way one
/// full argon2 verification runs, so the answer's timing does not tell
/// whether the email exists. Without an account the answer is always `false`.
pub(crate) async fn verify_login(stored_hash: Option<&str>, password: &str) -> Result<bool, StoreError> {
    match stored_hash {
        Some(hash) => verify_password(hash, password).await,
        None => {
            // The result is thrown away: only the work matters.
            verify_password(DUMMY_HASH, password).await?;
            Ok(false)
        }
    }
}

/// Spends the work of checking a wrong password, for a login refused before
/// any account could be looked up (for example a malformed tenant id), so
/// that refusal takes as long as any other.
pub async fn check_password_of_unknown_account(password: &str) -> Result<(), StoreError> {
    verify_login(None, password).await.map(|_| ())
}

/// An email as accounts are stored and looked up: trimmed and lower-case, so
/// `Ann@Salon.test ` and `ann@salon.test` are one account.
pub(crate) fn normalized_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_dummy_hash_costs_what_a_real_one_costs() {
        let real = hash_password("a real password").await.unwrap();
        let real = PasswordHash::new(&real).unwrap();
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params, "the dummy must be as slow to verify as a stored hash");
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
    }

    #[tokio::test]
    async fn a_login_without_account_is_refused_after_a_full_verification() {
        assert!(!verify_login(None, "any password").await.unwrap());
        assert!(check_password_of_unknown_account("any password").await.is_ok());
        let hash = hash_password("right").await.unwrap();
        assert!(verify_login(Some(&hash), "right").await.unwrap());
        assert!(!verify_login(Some(&hash), "wrong").await.unwrap());
    }
}
