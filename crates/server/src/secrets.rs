//! Random tokens, their hashes, and the instance's secret key.

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use undersigned_core::dedup::DuplicateKeySecret;
use undersigned_store::files;

/// 32 random bytes from the operating system.
pub fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    // The OS random source failing is not something a request can cause or recover from.
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("the OS random source failed: {e}"));
    bytes
}

/// A random token for links and cookies: 32 bytes, URL-safe base64 (43 characters).
///
/// A confirmation link, of which a surge creates thousands a second, is [`Token::ordered`]
/// instead: 44 characters that begin with the time it was made, so that the keys the
/// database stores for them arrive in order and each new one lands at the end of the
/// index, not on a random page of it (a quarter of a sign-up's rows' cost on SQLite).
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

/// The length of a [`Token::generate`]d token, and of a [`Token::ordered`] one.
const RANDOM_LEN: usize = 43;
const ORDERED_LEN: usize = 44;
/// An ordered token's bytes: the milliseconds since 1970 (6 bytes, big-endian, good until
/// the year 10889), then 27 random bytes.
const ISSUED_BYTES: usize = 6;
const ORDERED_BYTES: usize = 33;

impl Token {
    pub fn generate() -> Self {
        Self(URL_SAFE_NO_PAD.encode(random_bytes()))
    }

    /// A token whose stored key sorts by the time it was made (see [`Token::hash`]).
    pub fn ordered() -> Self {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis());
        let mut bytes = [0u8; ORDERED_BYTES];
        bytes[..ISSUED_BYTES].copy_from_slice(&millis.to_be_bytes()[16 - ISSUED_BYTES..]);
        bytes[ISSUED_BYTES..].copy_from_slice(&random_bytes()[..ORDERED_BYTES - ISSUED_BYTES]);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only strings that a generated token could be, so that junk never reaches
    /// the database.
    pub fn parse(input: &str) -> Option<Self> {
        let shape = matches!(input.len(), RANDOM_LEN | ORDERED_LEN)
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        shape.then(|| Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database stores, never the token itself: SHA-256 of the token; for an
    /// ordered token, the time it begins with and then the first 26 bytes of that hash
    /// (208 bits: as unguessable, and as unlikely to collide, as any key needs to be).
    pub fn hash(&self) -> [u8; 32] {
        let digest: [u8; 32] = Sha256::digest(self.0.as_bytes()).into();
        let Some(issued) = self.issued() else {
            return digest;
        };
        let mut key = [0u8; 32];
        key[..ISSUED_BYTES].copy_from_slice(&issued);
        key[ISSUED_BYTES..].copy_from_slice(&digest[..32 - ISSUED_BYTES]);
        key
    }

    /// The time an ordered token begins with.
    fn issued(&self) -> Option<[u8; ISSUED_BYTES]> {
        if self.0.len() != ORDERED_LEN {
            return None;
        }
        // Its first 8 characters are exactly those 6 bytes.
        let bytes = URL_SAFE_NO_PAD.decode(self.0.get(..8)?).ok()?;
        bytes.try_into().ok()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

/// Constant-time comparison of two strings (CSRF tokens).
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not create the key folder {0}")]
    Folder(PathBuf, #[source] io::Error),
    #[error("could not read the key file {0}")]
    Read(PathBuf, #[source] io::Error),
    #[error("could not write the key file {0}")]
    Write(PathBuf, #[source] io::Error),
    #[error("the key file {0} is damaged (expected 32 bytes)")]
    Damaged(PathBuf),
}

/// The instance's secrets, derived from one 32-byte key kept in `DATA/keys/instance.key`
/// (mode 0600), outside the database.
#[derive(Clone)]
pub struct InstanceKeys {
    pub duplicates: DuplicateKeySecret,
    /// Names the key without revealing it, so that the database can tell when two server
    /// processes were given different keys.
    pub fingerprint: String,
    /// The Ed25519 seed that signs the letters' log checkpoints. Derived, so that every
    /// process of a site (which shares the instance key) signs with the same log key.
    pub checkpoint_seed: [u8; 32],
}

impl InstanceKeys {
    /// Loads the key, generating it on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, KeyError> {
        let folder = data_dir.join("keys");
        let path = folder.join("instance.key");
        let key = match fs::read(&path) {
            Ok(bytes) => {
                <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| KeyError::Damaged(path))?
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                create_private_dir(&folder).map_err(|e| KeyError::Folder(folder.clone(), e))?;
                let key = random_bytes();
                write_private(&path, &key).map_err(|e| KeyError::Write(path.clone(), e))?;
                key
            }
            Err(e) => return Err(KeyError::Read(path, e)),
        };
        Ok(Self::from_key(key))
    }

    fn from_key(key: [u8; 32]) -> Self {
        let derive = |label: &str| -> [u8; 32] {
            let mut h = Sha256::new();
            h.update(b"undersigned key derivation\0");
            h.update(label.as_bytes());
            h.update([0]);
            h.update(key);
            h.finalize().into()
        };
        let fingerprint = derive("fingerprint")[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            duplicates: DuplicateKeySecret::from_bytes(derive("duplicates")),
            fingerprint,
            checkpoint_seed: derive("checkpoint signing"),
        }
    }
}

impl std::fmt::Debug for InstanceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceKeys")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

fn create_private_dir(path: &Path) -> io::Result<()> {
    files::private_dir(path)
}

/// Writes a new file readable by its owner only, failing if it exists.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = files::new_private_file(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let t = Token::generate();
        assert_eq!(t.as_str().len(), 43);
        assert_eq!(Token::parse(t.as_str()), Some(t.clone()));
        assert_eq!(Token::parse("short"), None);
        assert_eq!(Token::parse(&"a".repeat(42).add_char('!')), None);
        assert_ne!(t.hash(), Token::generate().hash());
        // A link sent before ordered tokens existed is still found by the same key.
        assert_eq!(
            t.hash(),
            <[u8; 32]>::from(Sha256::digest(t.as_str().as_bytes()))
        );
    }

    #[test]
    fn ordered_tokens_sort_by_time_and_keep_their_secret() {
        let first = Token::ordered();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = Token::ordered();
        assert_eq!(first.as_str().len(), 44);
        assert_eq!(Token::parse(first.as_str()), Some(first.clone()));
        // Their keys sort in the order they were made (the index appends), and begin
        // with the time, which is the token's own first bytes.
        assert!(first.hash() < second.hash());
        let bytes = URL_SAFE_NO_PAD.decode(first.as_str()).unwrap_or_default();
        assert_eq!(first.hash()[..6], bytes[..6]);
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis());
        let issued = u64::from_be_bytes([
            0, 0, bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5],
        ]);
        assert!(u128::from(issued) <= millis && millis - u128::from(issued) < 60_000);
        // The rest of the key is the token's hash, not something readable from the link.
        let digest: [u8; 32] = Sha256::digest(first.as_str().as_bytes()).into();
        assert_eq!(first.hash()[6..], digest[..26]);
        assert_ne!(first.hash()[6..], bytes[6..32]);
        // Two made in the same millisecond differ in their random part.
        let many: std::collections::HashSet<_> =
            (0..1000).map(|_| Token::ordered().hash()).collect();
        assert_eq!(many.len(), 1000);
        // Other lengths and characters are refused.
        assert_eq!(Token::parse(&"a".repeat(45)), None);
        assert_eq!(Token::parse(&"a".repeat(43).add_char('=')), None);
    }

    trait AddChar {
        fn add_char(self, c: char) -> String;
    }
    impl AddChar for String {
        fn add_char(mut self, c: char) -> String {
            self.push(c);
            self
        }
    }

    #[test]
    fn constant_time_compare() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = InstanceKeys::load_or_create(dir.path()).unwrap();
        let b = InstanceKeys::load_or_create(dir.path()).unwrap();
        let email = undersigned_core::EmailAddress::parse("a@example.org").unwrap();
        assert_eq!(a.duplicates.key("x", &email), b.duplicates.key("x", &email));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("keys/instance.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
