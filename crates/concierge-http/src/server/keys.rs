//! The server secret and the keys derived from it.
//!
//! One 32-byte master secret comes from `CONCIERGE_SECRET_KEY` (64 hex
//! characters, or any passphrase of at least 32 characters, which is hashed)
//! or is generated on first start and kept in `<data_dir>/secret.key`
//! (mode 0600). Each use gets its own key, derived as
//! HMAC-SHA256(master, purpose), so a key leaked from one use does not give
//! away another: conversation tokens, JWT signing (admin API) and the
//! store's encryption key for integration credentials.
//!
//! Changing the secret invalidates every conversation token and admin
//! session, and makes stored integration credentials unreadable.

use std::path::Path;

use concierge_store::EncryptionKey;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::config::Secret;

type HmacSha256 = Hmac<Sha256>;

/// Why the secret could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The configured secret is too short.
    #[error("CONCIERGE_SECRET_KEY must be 64 hex characters or a passphrase of at least 32 characters")]
    TooShort,
    /// The secret file could not be read or written.
    #[error("secret file {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The secret file does not hold 64 hex characters.
    #[error("secret file {0} does not hold 64 hex characters")]
    Corrupt(String),
    /// The system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
}

/// The server's keys. `Debug` shows none of them.
#[derive(Clone)]
pub struct ServerKeys {
    conversation_tokens: [u8; 32],
    jwt_signing: [u8; 32],
    store_encryption: [u8; 32],
}

impl std::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKeys(<redacted>)")
    }
}

impl ServerKeys {
    /// Keys derived from a 32-byte master secret.
    pub fn from_master(master: &[u8; 32]) -> Self {
        ServerKeys {
            conversation_tokens: derive(master, b"concierge conversation tokens v1"),
            jwt_signing: derive(master, b"concierge jwt signing v1"),
            store_encryption: derive(master, b"concierge store encryption v1"),
        }
    }

    /// Keys from the configured secret, else from `<data_dir>/secret.key`,
    /// which is created (0600) with a random secret if missing.
    pub fn load_or_create(configured: Option<&Secret>, data_dir: &Path) -> Result<Self, KeyError> {
        if let Some(secret) = configured {
            return Ok(ServerKeys::from_master(&master_from_text(secret.expose())?));
        }
        let path = data_dir.join("secret.key");
        let shown = path.display().to_string();
        let file_error = |source| KeyError::File { path: shown.clone(), source };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).map_err(|_| KeyError::Corrupt(shown.clone()))?;
                let master: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Corrupt(shown.clone()))?;
                Ok(ServerKeys::from_master(&master))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut master = [0u8; 32];
                getrandom::getrandom(&mut master).map_err(|e| KeyError::Random(e.to_string()))?;
                std::fs::create_dir_all(data_dir).map_err(file_error)?;
                write_private(&path, &format!("{}\n", hex::encode(master))).map_err(file_error)?;
                Ok(ServerKeys::from_master(&master))
            }
            Err(e) => Err(file_error(e)),
        }
    }

    /// The key conversation tokens are signed with.
    pub fn conversation_token_key(&self) -> &[u8; 32] {
        &self.conversation_tokens
    }

    /// The key the admin API signs its JWT access tokens with (HS256).
    pub fn jwt_signing_key(&self) -> &[u8; 32] {
        &self.jwt_signing
    }

    /// The store's key for integration credentials.
    pub fn store_encryption_key(&self) -> EncryptionKey {
        EncryptionKey::from_bytes(self.store_encryption)
    }
}

fn derive(master: &[u8; 32], purpose: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(master).expect("HMAC takes keys of any length");
    mac.update(purpose);
    mac.finalize().into_bytes().into()
}

fn master_from_text(text: &str) -> Result<[u8; 32], KeyError> {
    let text = text.trim();
    if let Ok(bytes) = hex::decode(text) {
        if let Ok(master) = <[u8; 32]>::try_from(bytes) {
            return Ok(master);
        }
    }
    if text.chars().count() < 32 {
        return Err(KeyError::TooShort);
    }
    Ok(Sha256::digest(text.as_bytes()).into())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_secret_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = ServerKeys::load_or_create(None, dir.path()).unwrap();
        let again = ServerKeys::load_or_create(None, dir.path()).unwrap();
        assert_eq!(first.jwt_signing_key(), again.jwt_signing_key());
        assert_ne!(first.jwt_signing_key(), first.conversation_token_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{first:?}").contains(&hex::encode(first.jwt_signing_key())));
    }

    #[test]
    fn configured_secrets_must_be_long_enough() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            ServerKeys::load_or_create(Some(&Secret::new("short")), dir.path()),
            Err(KeyError::TooShort)
        ));
        let a =
            ServerKeys::load_or_create(Some(&Secret::new("a passphrase that is long enough!!")), dir.path())
                .unwrap();
        let b =
            ServerKeys::load_or_create(Some(&Secret::new("another passphrase, long enough too")), dir.path())
                .unwrap();
        assert_ne!(a.conversation_token_key(), b.conversation_token_key());
        assert!(!dir.path().join("secret.key").exists());
    }
}
