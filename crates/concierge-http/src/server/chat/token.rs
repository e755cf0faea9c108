//! Conversation tokens: what lets a browser talk to one conversation.
//!
//! A token is HMAC-SHA256, under the server's conversation-token key, of the
//! tenant id and the conversation id, in unpadded base64url. It is stateless
//! (nothing stored, checked without the database, no password hashing on
//! the chat path) and opens exactly one conversation of one tenant: the
//! request's path names the tenant and conversation, and the token must be
//! the MAC of those. Checks run in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::server::keys::ServerKeys;

type HmacSha256 = Hmac<Sha256>;

fn mac(keys: &ServerKeys, tenant: &str, conversation_id: &str) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(keys.conversation_token_key()).expect("HMAC takes keys of any length");
    // Length-prefixed so ("ab", "c") and ("a", "bc") differ.
    mac.update(b"conversation v1\0");
    mac.update(&(tenant.len() as u64).to_be_bytes());
    mac.update(tenant.as_bytes());
    mac.update(conversation_id.as_bytes());
    mac
}

/// The token for a conversation of a tenant.
pub(crate) fn issue(keys: &ServerKeys, tenant: &str, conversation_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(mac(keys, tenant, conversation_id).finalize().into_bytes())
}

/// Whether `token` opens `conversation_id` of `tenant` (constant time).
pub(crate) fn verify(keys: &ServerKeys, tenant: &str, conversation_id: &str, token: &str) -> bool {
    let Ok(presented) = URL_SAFE_NO_PAD.decode(token.trim()) else {
        return false;
    };
    mac(keys, tenant, conversation_id).verify_slice(&presented).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_its_conversation_only() {
        let keys = ServerKeys::from_master(&[7; 32]);
        let token = issue(&keys, "salon", "c1");
        assert!(verify(&keys, "salon", "c1", &token));
        assert!(!verify(&keys, "salon", "c2", &token));
        assert!(!verify(&keys, "other", "c1", &token));
        assert!(!verify(&keys, "salo", "nc1", &token));
        assert!(!verify(&ServerKeys::from_master(&[8; 32]), "salon", "c1", &token));
        assert!(!verify(&keys, "salon", "c1", "not base64 !"));
        assert!(!verify(&keys, "salon", "c1", &token[..10]));
    }
}
