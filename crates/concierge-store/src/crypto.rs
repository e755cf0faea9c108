//! Sealing integration credentials with AES-256-GCM.
//!
//! A sealed value is `nonce (12 bytes) || ciphertext+tag`, with a random nonce
//! per value. The tenant id and the integration kind are bound in as
//! associated data, so a sealed value copied to another tenant's row does not
//! decrypt.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};

use crate::StoreError;

const NONCE_LEN: usize = 12;

/// The 256-bit key that seals integration credentials. Comes from
/// configuration; never printed (its `Debug` shows nothing of the key).
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

/// Why a configured key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not 64 hexadecimal digits.
    #[error("an encryption key must be 64 hexadecimal digits (32 bytes)")]
    BadFormat,
}

impl EncryptionKey {
    /// Parses a key written as 64 hex digits (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(text.trim()).map_err(|_| KeyError::BadFormat)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::BadFormat)?;
        Ok(EncryptionKey(bytes))
    }

    /// Wraps 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        EncryptionKey(bytes)
    }

    /// A new random key (for set-up tools and tests).
    pub fn generate() -> Self {
        EncryptionKey(Aes256Gcm::generate_key(&mut OsRng).into())
    }

    /// The key as 64 hex digits, to write into configuration once.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0))
    }

    /// Seals `plaintext`, binding `context` as associated data.
    pub(crate) fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>, StoreError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher()
            .encrypt(&nonce, Payload { msg: plaintext, aad: context })
            .map_err(|_| StoreError::Task("encryption failed".into()))?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// Opens a value sealed by [`EncryptionKey::seal`] with the same `context`.
    pub(crate) fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, StoreError> {
        if sealed.len() < NONCE_LEN {
            return Err(StoreError::Decryption);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: context })
            .map_err(|_| StoreError::Decryption)
    }
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptionKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_context() {
        let key = EncryptionKey::generate();
        let sealed = key.seal(b"secret token", b"tenant-a/calendar").unwrap();
        assert!(!sealed.windows(12).any(|w| w == b"secret token"));
        assert_eq!(key.open(&sealed, b"tenant-a/calendar").unwrap(), b"secret token");
        assert!(key.open(&sealed, b"tenant-b/calendar").is_err());
        assert!(EncryptionKey::generate().open(&sealed, b"tenant-a/calendar").is_err());
        let again = key.seal(b"secret token", b"tenant-a/calendar").unwrap();
        assert_ne!(sealed, again, "each value gets its own nonce");
    }

    #[test]
    fn keys_parse_from_hex_and_never_debug_print() {
        let key = EncryptionKey::generate();
        let hex = key.to_hex();
        assert_eq!(EncryptionKey::from_hex(&hex).unwrap().0, key.0);
        assert!(!format!("{key:?}").contains(&hex[..8]));
        assert_eq!(EncryptionKey::from_hex("abc").unwrap_err(), KeyError::BadFormat);
    }
}
