//! Public reference codes: short, easy to read aloud, no global RNG.

/// Characters of reference codes: digits and capitals without the easily
/// confused `0`, `O`, `1`, `I` and `L`.
pub const REFERENCE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// How many characters a reference code has (31^6, about 887 million codes).
pub const REFERENCE_LENGTH: usize = 6;

/// A source of reference codes. The engine asks again with a higher
/// `attempt` when a code is taken, so implementations must vary with it.
pub trait ReferenceCodes: Send + Sync {
    /// A code for the booking made under `request_key`.
    fn code(&self, request_key: &str, attempt: u32) -> String;
}

/// Codes derived from the request key and a salt: deterministic (the same
/// key, salt and attempt give the same code), and unguessable from the key
/// when the host passes a secret random salt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DerivedReferenceCodes {
    salt: u64,
}

impl DerivedReferenceCodes {
    /// Codes under `salt`; pass randomness from the host to make them unpredictable.
    pub fn new(salt: u64) -> Self {
        DerivedReferenceCodes { salt }
    }
}

impl ReferenceCodes for DerivedReferenceCodes {
    fn code(&self, request_key: &str, attempt: u32) -> String {
        // FNV-1a over the inputs, then a SplitMix64 finaliser to spread the bits.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let bytes =
            self.salt.to_le_bytes().into_iter().chain(request_key.bytes()).chain(attempt.to_le_bytes());
        for b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^= h >> 31;
        (0..REFERENCE_LENGTH)
            .map(|_| {
                let c = REFERENCE_ALPHABET[(h % 31) as usize];
                h /= 31;
                char::from(c)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_unambiguous_deterministic_and_vary() {
        let codes = DerivedReferenceCodes::new(7);
        let a = codes.code("key-1", 0);
        assert_eq!(a.len(), REFERENCE_LENGTH);
        assert!(a.bytes().all(|b| REFERENCE_ALPHABET.contains(&b)), "{a}");
        assert_eq!(a, codes.code("key-1", 0));
        assert_ne!(a, codes.code("key-1", 1));
        assert_ne!(a, codes.code("key-2", 0));
        assert_ne!(a, DerivedReferenceCodes::new(8).code("key-1", 0));
        let distinct: std::collections::HashSet<_> =
            (0..10_000).map(|i| codes.code(&format!("k{i}"), 0)).collect();
        assert!(distinct.len() > 9_990, "{} distinct", distinct.len());
    }
}
