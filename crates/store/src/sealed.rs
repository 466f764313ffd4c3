//! Personal data at rest. Every personal field a signer gives (their email address, name,
//! title, affiliation, city, country and comment, as signed and as each confirmation link
//! carries it, and the language they signed in) and every queued email's recipient and
//! parameters are *sealed* before they are written, with XChaCha20-Poly1305 under a key from
//! a [`Keyring`] that lives outside the database (a file in the data folder, mode 0600), and
//! opened when they are read. A stolen database file, WAL or backup holds none of it in
//! clear; duplicates are found through the keyed hash of the address alone.
//!
//! A sealed value is `01 ‖ key id (4 bytes) ‖ nonce (24 bytes) ‖ ciphertext ‖ tag (16 bytes)`;
//! the field it belongs to is bound as associated data, so a value cannot be moved into
//! another field. Values written before sealing existed are text, which never starts with the
//! byte 01 (signer text has no control characters): they open as themselves until the store
//! seals them (see `Store::reseal`).
//!
//! The keyring file holds one key a line, `<key id, 8 hex digits> <key, base64>`, the key that
//! seals new values first. `undersigned keys rotate` puts a new key first and reseals every
//! value under it; the older keys stay to open what another process may still seal with them,
//! until `undersigned keys prune` removes those no value uses. A running server notices a
//! changed file within seconds, and re-reads it at once when it meets a key it does not know.

use std::{
    collections::HashMap,
    fmt, fs,
    io::{self, Write},
    path::{Path, PathBuf},
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant, SystemTime},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};

use undersigned_core::signature::SignerDetails;

use crate::{files, model::SignCommand};

/// The first byte of a sealed value.
const VERSION: u8 = 1;
const KEY_ID_LEN: usize = 4;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;
const TAG_LEN: usize = 16;

/// How often a running process looks at the keyring file for changes.
const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// The personal fields the store seals. Each is bound to its sealed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Email,
    Name,
    Title,
    Affiliation,
    City,
    Country,
    Comment,
    /// The language a signer signed in (a tag such as `es`).
    Lang,
    /// A queued email's recipient.
    Recipient,
    /// A queued email's parameters (which may carry a confirmation link).
    EmailParams,
    /// An organiser's TOTP secret (base32).
    TotpSecret,
}

impl Field {
    fn associated_data(self) -> &'static [u8] {
        match self {
            Field::Email => b"undersigned/v1/sealed/email",
            Field::Name => b"undersigned/v1/sealed/name",
            Field::Title => b"undersigned/v1/sealed/title",
            Field::Affiliation => b"undersigned/v1/sealed/affiliation",
            Field::City => b"undersigned/v1/sealed/city",
            Field::Country => b"undersigned/v1/sealed/country",
            Field::Comment => b"undersigned/v1/sealed/comment",
            Field::Lang => b"undersigned/v1/sealed/lang",
            Field::Recipient => b"undersigned/v1/sealed/recipient",
            Field::EmailParams => b"undersigned/v1/sealed/email-params",
            Field::TotpSecret => b"undersigned/v1/sealed/totp-secret",
        }
    }
}

/// A stored value that cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error(
        "a value is sealed with data key {0:08x}, which is not in the keyring (copy the keyring \
         file of the process that sealed it)"
    )]
    UnknownKey(u32),
    #[error("a sealed value does not open: it is damaged, or was sealed for another field")]
    Damaged,
    #[error("a stored value is neither sealed nor text")]
    NotText,
}

/// What can go wrong with the keyring file.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("could not read or write the keyring {0}")]
    Io(PathBuf, #[source] io::Error),
    #[error("the keyring {path} is not valid at line {line}: {why}")]
    Format {
        path: PathBuf,
        line: usize,
        why: &'static str,
    },
    #[error("the keyring {0} holds no key")]
    Empty(PathBuf),
    #[error("this keyring is not kept in a file")]
    NoFile,
}

/// An identifier of a data key: the first four bytes of a random value, written in hex.
pub type KeyId = u32;

struct Keys {
    /// The key that seals new values, then the others, as in the file.
    order: Vec<KeyId>,
    ciphers: HashMap<KeyId, XChaCha20Poly1305>,
    /// The file's modification time when it was read.
    modified: Option<SystemTime>,
}

impl Keys {
    fn current(&self) -> KeyId {
        self.order[0]
    }
}

/// The data keys of an instance. See the module documentation.
pub struct Keyring {
    file: Option<PathBuf>,
    keys: RwLock<Arc<Keys>>,
    checked: Mutex<Instant>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("file", &self.file)
            .field("keys", &self.key_ids())
            .finish_non_exhaustive()
    }
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    // The operating system's randomness is a precondition of any key at all.
    getrandom::fill(&mut key).unwrap_or_else(|e| panic!("no randomness: {e}"));
    key
}

fn random_key_id(taken: &[KeyId]) -> KeyId {
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("no randomness: {e}"));
        let id = u32::from_be_bytes(bytes);
        if id != 0 && !taken.contains(&id) {
            return id;
        }
    }
}

fn parse(path: &Path, text: &str) -> Result<Vec<(KeyId, [u8; 32])>, KeyringError> {
    let bad = |line: usize, why: &'static str| KeyringError::Format {
        path: path.to_owned(),
        line,
        why,
    };
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (id, key) = line
            .split_once(' ')
            .ok_or_else(|| bad(n + 1, "expected a key id and a key"))?;
        let id = u32::from_str_radix(id, 16)
            .ok()
            .filter(|_| id.len() == 8)
            .ok_or_else(|| bad(n + 1, "the key id is not 8 hex digits"))?;
        let key: [u8; 32] = STANDARD
            .decode(key.trim())
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| bad(n + 1, "the key is not 32 bytes in base64"))?;
        if keys.iter().any(|(k, _)| *k == id) {
            return Err(bad(n + 1, "the key id appears twice"));
        }
        keys.push((id, key));
    }
    if keys.is_empty() {
        return Err(KeyringError::Empty(path.to_owned()));
    }
    Ok(keys)
}

fn render(keys: &[(KeyId, [u8; 32])]) -> String {
    let mut text = String::from(
        "# Undersigned data keys. The first seals new personal data; the others open older\n\
         # data. Keep this file private and back it up with the database: without it, the\n\
         # signers' personal data cannot be read.\n",
    );
    for (id, key) in keys {
        text.push_str(&format!("{id:08x} {}\n", STANDARD.encode(key)));
    }
    text
}

fn build(keys: &[(KeyId, [u8; 32])], modified: Option<SystemTime>) -> Keys {
    Keys {
        order: keys.iter().map(|(id, _)| *id).collect(),
        ciphers: keys
            .iter()
            .map(|(id, key)| (*id, XChaCha20Poly1305::new(&(*key).into())))
            .collect(),
        modified,
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl Keyring {
    /// The keyring in `path`, created with one fresh key (mode 0600, in a private folder) if
    /// there is none yet.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyringError> {
        if !path.exists() {
            let io = |e| KeyringError::Io(path.to_owned(), e);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                files::private_dir(dir).map_err(io)?;
            }
            let key = (random_key_id(&[]), random_key());
            match files::new_private_file(path) {
                Ok(mut file) => {
                    file.write_all(render(&[key]).as_bytes()).map_err(io)?;
                    file.sync_all().map_err(io)?;
                }
                // Another process created it meanwhile: use theirs.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io(e)),
            }
        }
        Self::load(path)
    }

    /// The keyring in `path`.
    pub fn load(path: &Path) -> Result<Self, KeyringError> {
        let keys = Self::read(path)?;
        Ok(Self {
            file: Some(path.to_owned()),
            keys: RwLock::new(Arc::new(keys)),
            checked: Mutex::new(Instant::now()),
        })
    }

    /// A keyring with one fresh key, kept in memory only (for tests, and for copies whose
    /// values are never read back).
    pub fn ephemeral() -> Self {
        Self {
            file: None,
            keys: RwLock::new(Arc::new(build(&[(random_key_id(&[]), random_key())], None))),
            checked: Mutex::new(Instant::now()),
        }
    }

    fn read(path: &Path) -> Result<Keys, KeyringError> {
        let stamp = modified(path);
        let text = fs::read_to_string(path).map_err(|e| KeyringError::Io(path.to_owned(), e))?;
        Ok(build(&parse(path, &text)?, stamp))
    }

    fn keys(&self) -> Arc<Keys> {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Re-reads the file when it changed (looking at most every few seconds, or at once when
    /// `now` is asked for). A file that became unreadable keeps the keys already known.
    fn refresh(&self, now: bool) {
        let Some(path) = &self.file else { return };
        {
            let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
            if !now && checked.elapsed() < REFRESH_EVERY {
                return;
            }
            *checked = Instant::now();
        }
        if modified(path) == self.keys().modified && !now {
            return;
        }
        match Self::read(path) {
            Ok(keys) => *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(keys),
            Err(e) => tracing::warn!(error = %e, "could not re-read the keyring"),
        }
    }

    /// The key that seals new values.
    pub fn current_key(&self) -> KeyId {
        self.refresh(false);
        self.keys().current()
    }

    /// Every key, the current one first.
    pub fn key_ids(&self) -> Vec<KeyId> {
        self.keys().order.clone()
    }

    /// Seals `text` as a value of `field` under the current key.
    pub fn seal(&self, field: Field, text: &str) -> Vec<u8> {
        self.refresh(false);
        let keys = self.keys();
        let id = keys.current();
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).unwrap_or_else(|e| panic!("no randomness: {e}"));
        let ciphertext = keys.ciphers[&id]
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: text.as_bytes(),
                    aad: field.associated_data(),
                },
            )
            // Encryption fails only for messages beyond 256 GiB.
            .unwrap_or_default();
        let mut sealed = Vec::with_capacity(HEADER_LEN + ciphertext.len());
        sealed.push(VERSION);
        sealed.extend_from_slice(&id.to_be_bytes());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// How many bytes [`Keyring::seal`] makes of `text`.
    pub fn sealed_len(&self, text: &str) -> usize {
        HEADER_LEN + text.len() + TAG_LEN
    }

    /// Seals an optional value.
    pub fn seal_optional(&self, field: Field, text: Option<&str>) -> Option<Vec<u8>> {
        text.map(|t| self.seal(field, t))
    }

    /// Opens a stored value of `field`: a sealed one, or text written before sealing.
    pub fn open(&self, field: Field, stored: &[u8]) -> Result<String, SealError> {
        let Some(id) = sealed_key(stored) else {
            return String::from_utf8(stored.to_vec()).map_err(|_| SealError::NotText);
        };
        if stored.len() < HEADER_LEN + TAG_LEN {
            return Err(SealError::Damaged);
        }
        let mut keys = self.keys();
        if !keys.ciphers.contains_key(&id) {
            self.refresh(true);
            keys = self.keys();
        }
        let cipher = keys.ciphers.get(&id).ok_or(SealError::UnknownKey(id))?;
        let nonce = XNonce::try_from(&stored[1 + KEY_ID_LEN..HEADER_LEN])
            .map_err(|_| SealError::Damaged)?;
        let plain = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &stored[HEADER_LEN..],
                    aad: field.associated_data(),
                },
            )
            .map_err(|_| SealError::Damaged)?;
        String::from_utf8(plain).map_err(|_| SealError::NotText)
    }

    /// Opens an optional stored value.
    pub fn open_optional(
        &self,
        field: Field,
        stored: Option<&[u8]>,
    ) -> Result<Option<String>, SealError> {
        stored.map(|s| self.open(field, s)).transpose()
    }

    /// Whether a stored value is sealed under the current key (text written before sealing,
    /// or a value sealed under an older key, is not).
    pub fn is_current(&self, stored: &[u8]) -> bool {
        sealed_key(stored) == Some(self.current_key())
    }

    /// Puts a new key first in the keyring file: from now on it seals new values. Returns
    /// its id.
    pub fn rotate(&self) -> Result<KeyId, KeyringError> {
        let path = self.file.as_deref().ok_or(KeyringError::NoFile)?;
        let text = fs::read_to_string(path).map_err(|e| KeyringError::Io(path.to_owned(), e))?;
        let mut keys = parse(path, &text)?;
        let taken: Vec<KeyId> = keys.iter().map(|(id, _)| *id).collect();
        let id = random_key_id(&taken);
        keys.insert(0, (id, random_key()));
        self.write(path, &keys)?;
        Ok(id)
    }

    /// Removes from the keyring file every key but the current one and those in `keep`.
    /// Returns the ids removed.
    pub fn prune(&self, keep: &[KeyId]) -> Result<Vec<KeyId>, KeyringError> {
        let path = self.file.as_deref().ok_or(KeyringError::NoFile)?;
        let text = fs::read_to_string(path).map_err(|e| KeyringError::Io(path.to_owned(), e))?;
        let keys = parse(path, &text)?;
        let (kept, removed): (Vec<_>, Vec<_>) = keys
            .into_iter()
            .enumerate()
            .partition(|(n, (id, _))| *n == 0 || keep.contains(id));
        let kept: Vec<(KeyId, [u8; 32])> = kept.into_iter().map(|(_, k)| k).collect();
        self.write(path, &kept)?;
        Ok(removed.into_iter().map(|(_, (id, _))| id).collect())
    }

    /// Replaces the file whole (a private temporary file renamed over it) and reloads it.
    fn write(&self, path: &Path, keys: &[(KeyId, [u8; 32])]) -> Result<(), KeyringError> {
        let io = |e| KeyringError::Io(path.to_owned(), e);
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".new");
        let temporary = PathBuf::from(temporary);
        match fs::remove_file(&temporary) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io(e)),
            _ => {}
        }
        let mut file = files::new_private_file(&temporary).map_err(io)?;
        file.write_all(render(keys).as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        fs::rename(&temporary, path).map_err(io)?;
        self.refresh(true);
        Ok(())
    }
}

/// The key a stored value is sealed with, or None for text written before sealing.
pub fn sealed_key(stored: &[u8]) -> Option<KeyId> {
    match stored {
        [VERSION, a, b, c, d, ..] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

/// A signer's name and details, sealed, ready to bind in the order name, title, affiliation,
/// city, country, comment.
#[derive(Clone)]
pub(crate) struct SealedSigner {
    pub name: Vec<u8>,
    pub title: Option<Vec<u8>>,
    pub affiliation: Option<Vec<u8>>,
    pub city: Option<Vec<u8>>,
    pub country: Option<Vec<u8>>,
    pub comment: Option<Vec<u8>>,
}

impl SealedSigner {
    pub fn new(keys: &Keyring, name: &str, details: &SignerDetails) -> Self {
        let seal = |field, value: &Option<String>| keys.seal_optional(field, value.as_deref());
        Self {
            name: keys.seal(Field::Name, name),
            title: seal(Field::Title, &details.title),
            affiliation: seal(Field::Affiliation, &details.affiliation),
            city: seal(Field::City, &details.city),
            country: seal(Field::Country, &details.country),
            comment: seal(Field::Comment, &details.comment),
        }
    }
}

/// Everything an individual's sign-up writes sealed: the signer, the address, the language,
/// and its email's recipient and parameters. Made by [`crate::BatchStore::prepare`] on the
/// handler's thread before the command joins a batch, so that the writer, which commits one
/// batch at a time, does not spend its time sealing; the writer seals what was not prepared.
#[derive(Clone)]
pub struct SealedSignUp {
    pub(crate) signer: SealedSigner,
    pub(crate) email: Vec<u8>,
    pub(crate) lang: Option<Vec<u8>>,
    pub(crate) recipient: Vec<u8>,
    pub(crate) params: Vec<u8>,
}

impl SealedSignUp {
    pub(crate) fn new(keys: &Keyring, command: &SignCommand) -> Self {
        let signature = &command.signature;
        let email = signature.email.to_string();
        Self {
            signer: SealedSigner::new(keys, signature.name.as_str(), &signature.details),
            email: keys.seal(Field::Email, &email),
            lang: keys.seal_optional(Field::Lang, command.lang.as_deref()),
            recipient: keys.seal(Field::Recipient, &email),
            params: keys.seal(Field::EmailParams, &command.email_params),
        }
    }
}

/// Sealed bytes say nothing, but the type is in commands that are logged with `{:?}`.
impl fmt::Debug for SealedSignUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealedSignUp(..)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_as_their_field_and_hide_their_text() {
        let keyring = Keyring::ephemeral();
        let sealed = keyring.seal(Field::Name, "Zephyrine Okonkwo-Marsh");
        assert!(
            !sealed.windows(9).any(|w| w == b"Zephyrine"),
            "the text is not in the sealed value"
        );
        assert_eq!(
            keyring.open(Field::Name, &sealed).unwrap(),
            "Zephyrine Okonkwo-Marsh"
        );
        // Two seals of one text differ (random nonces): equal names cannot be matched.
        assert_ne!(sealed, keyring.seal(Field::Name, "Zephyrine Okonkwo-Marsh"));
        // Moved into another field, it does not open.
        assert!(matches!(
            keyring.open(Field::Email, &sealed),
            Err(SealError::Damaged)
        ));
        // Tampered with, it does not open.
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(matches!(
            keyring.open(Field::Name, &tampered),
            Err(SealError::Damaged)
        ));
        assert!(matches!(
            keyring.open(Field::Name, &sealed[..10]),
            Err(SealError::Damaged)
        ));
        assert!(keyring.is_current(&sealed));
    }

    #[test]
    fn sealed_len_is_the_length_of_what_seal_makes() {
        let keys = Keyring::ephemeral();
        for text in ["", "Ada", "Wenna Trefusis, Port Averly", "王 芳"] {
            assert_eq!(keys.seal(Field::Name, text).len(), keys.sealed_len(text));
        }
    }

    #[test]
    fn text_written_before_sealing_opens_as_itself() {
        let keyring = Keyring::ephemeral();
        assert_eq!(
            keyring
                .open(Field::City, "Harbour City".as_bytes())
                .unwrap(),
            "Harbour City"
        );
        assert!(!keyring.is_current(b"Harbour City"));
        assert!(matches!(
            keyring.open(Field::City, &[0xff, 0xfe]),
            Err(SealError::NotText)
        ));
    }

    #[test]
    fn a_rotated_keyring_seals_with_the_new_key_and_opens_the_old_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/data.keys");
        let keyring = Keyring::load_or_create(&path).unwrap();
        let old = keyring.seal(Field::Email, "someone@example.org");
        let first = keyring.current_key();

        // Another process (the rotate command) rotates the file.
        let other = Keyring::load(&path).unwrap();
        let second = other.rotate().unwrap();
        assert_ne!(first, second);
        assert_eq!(other.key_ids(), vec![second, first]);

        // This process meets a value sealed with the new key: it re-reads the file at once.
        let new = other.seal(Field::Email, "other@example.org");
        assert_eq!(sealed_key(&new), Some(second));
        assert_eq!(
            keyring.open(Field::Email, &new).unwrap(),
            "other@example.org"
        );
        assert_eq!(keyring.current_key(), second);
        assert_eq!(
            keyring.open(Field::Email, &old).unwrap(),
            "someone@example.org"
        );
        assert!(!keyring.is_current(&old));

        // Pruned, the old key no longer opens what it sealed.
        assert_eq!(keyring.prune(&[]).unwrap(), vec![first]);
        assert!(matches!(
            keyring.open(Field::Email, &old),
            Err(SealError::UnknownKey(id)) if id == first
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_keyring_file_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.keys");
        fs::write(&path, "# comment\nzz not-a-key\n").unwrap();
        let e = Keyring::load(&path).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        fs::write(&path, "# nothing\n").unwrap();
        assert!(matches!(Keyring::load(&path), Err(KeyringError::Empty(_))));
    }
}
