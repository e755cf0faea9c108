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
