//! Signed notes (c2sp.org/signed-note) with Ed25519 keys.
//!
//! A signed note is a UTF-8 text ending in a newline, a blank line, and one
//! or more signature lines `— <key name> <base64(key ID || signature)>`. This
//! module follows the design of Go's `golang.org/x/mod/sumdb/note` (Copyright
//! 2019 The Go Authors, BSD-3-Clause), including its key string formats:
//!
//! * verifier key: `<name>+<hex key ID>+<base64(0x01 || 32-byte public key)>`
//! * signer key: `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>`
//!
//! where the key ID is the first four bytes (big-endian) of
//! `SHA-256(name || "\n" || 0x01 || public key)`.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signature type identifier byte of Ed25519 note signatures.
pub const ALG_ED25519: u8 = 0x01;

/// The maximum number of signature lines accepted by [`open_note`].
pub const MAX_SIGNATURES: usize = 100;

const SIG_PREFIX: &str = "\u{2014} ";

/// An error parsing or constructing a signer or verifier key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key name is empty or contains a Unicode space or `+`.
    #[error("invalid key name")]
    InvalidName,
    /// The key string does not have the expected form.
    #[error("malformed key: {0}")]
    Malformed(&'static str),
    /// The key uses a signature type other than Ed25519.
    #[error("unsupported signature type 0x{0:02x}")]
    UnknownAlgorithm(u8),
    /// The key ID in the key string does not match the key.
    #[error("key ID {stated:08x} does not match the key (computed {computed:08x})")]
    KeyIdMismatch {
        /// The key ID written in the key string.
        stated: u32,
        /// The key ID computed from the name and key.
        computed: u32,
    },
    /// The bytes are not a valid Ed25519 public key.
    #[error("invalid Ed25519 public key")]
    InvalidPublicKey,
}

/// An error signing or opening a note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The signed note does not follow the signed-note format.
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    /// The note text cannot be signed.
    #[error("invalid note text: {0}")]
    InvalidText(&'static str),
    /// The note has more than [`MAX_SIGNATURES`] signature lines.
    #[error("note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    /// A signature by a known key does not verify.
    #[error("invalid signature for key {name}+{key_id:08x}")]
    InvalidSignature {
        /// The key name.
        name: String,
        /// The key ID.
        key_id: u32,
    },
    /// Several configured verifiers share this name and key ID.
    #[error("ambiguous key {name}+{key_id:08x}")]
    AmbiguousVerifier {
        /// The key name.
        name: String,
        /// The key ID.
        key_id: u32,
    },
    /// No signature from a known key was found.
    #[error("note has no signature from a known key")]
    NoVerifiedSignatures,
    /// [`sign_note`] was called without signers.
    #[error("no signers given")]
    NoSigners,
}

/// Reports whether `name` is a valid key name: non-empty, without Unicode
/// spaces and without `+`.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// Computes the key ID of a key: the first four bytes, big-endian, of
/// `SHA-256(name || "\n" || typed_key)`, where `typed_key` is the signature
/// type byte followed by the public key.
pub fn key_id(name: &str, typed_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(typed_key);
    let sum = h.finalize();
    u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]])
}

/// Computes the key ID of an Ed25519 public key (signature type `0x01`).
pub fn ed25519_key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut typed = [0u8; 33];
    typed[0] = ALG_ED25519;
    typed[1..].copy_from_slice(public_key);
    key_id(name, &typed)
}

/// Splits `<hex id>+<base64>` and decodes both parts.
fn parse_id_and_key(s: &str) -> Result<(u32, Vec<u8>), KeyError> {
    let (id_hex, key64) = s
        .split_once('+')
        .ok_or(KeyError::Malformed("missing key ID or key"))?;
    if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(KeyError::Malformed("key ID is not 8 hex digits"));
    }
    let id = u32::from_str_radix(id_hex, 16).map_err(|_| KeyError::Malformed("bad key ID"))?;
    let key = BASE64
        .decode(key64)
        .map_err(|_| KeyError::Malformed("key is not valid base64"))?;
    Ok((id, key))
}

/// Checks the signature type byte and length of an encoded key.
fn ed25519_key_bytes(key: &[u8]) -> Result<[u8; 32], KeyError> {
    let (&alg, rest) = key.split_first().ok_or(KeyError::Malformed("empty key"))?;
    if alg != ALG_ED25519 {
        return Err(KeyError::UnknownAlgorithm(alg));
    }
    <[u8; 32]>::try_from(rest).map_err(|_| KeyError::Malformed("Ed25519 key is not 32 bytes"))
}

/// A public key that verifies note signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Creates a verifier from a key name and an Ed25519 public key.
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, KeyError> {
        if !is_valid_key_name(name) {
            return Err(KeyError::InvalidName);
        }
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| KeyError::InvalidPublicKey)?;
        Ok(NoteVerifier {
            name: name.to_owned(),
            key_id: ed25519_key_id(name, public_key),
            key,
        })
    }

    /// Parses a verifier key `<name>+<hex key ID>+<base64(0x01 || key)>`.
    pub fn from_verifier_key(vkey: &str) -> Result<Self, KeyError> {
        let (name, rest) = vkey
            .split_once('+')
            .ok_or(KeyError::Malformed("missing key name"))?;
        if !is_valid_key_name(name) {
            return Err(KeyError::InvalidName);
        }
        let (stated, key) = parse_id_and_key(rest)?;
        let public_key = ed25519_key_bytes(&key)?;
        let verifier = Self::new(name, &public_key)?;
        if verifier.key_id != stated {
            return Err(KeyError::KeyIdMismatch {
                stated,
                computed: verifier.key_id,
            });
        }
        Ok(verifier)
    }

    /// The verifier key string `<name>+<hex key ID>+<base64(0x01 || key)>`.
    pub fn verifier_key(&self) -> String {
        let mut typed = vec![ALG_ED25519];
        typed.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, BASE64.encode(typed))
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Reports whether `signature` (without the key ID prefix) is a valid
    /// Ed25519 signature of `message` by this key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match Signature::from_slice(signature) {
            Ok(sig) => self.key.verify_strict(message, &sig).is_ok(),
            Err(_) => false,
        }
    }
}

impl fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.verifier_key())
    }
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteVerifier({})", self.verifier_key())
    }
}

impl FromStr for NoteVerifier {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_verifier_key(s)
    }
}

/// A private key that signs notes. Its `Debug` output does not show the key.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl NoteSigner {
    /// Creates a signer from a key name and a 32-byte Ed25519 seed (the
    /// RFC 8032 private key). Generate the seed with a CSPRNG.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        if !is_valid_key_name(name) {
            return Err(KeyError::InvalidName);
        }
        let key = SigningKey::from_bytes(seed);
        let key_id = ed25519_key_id(name, key.verifying_key().as_bytes());
        Ok(NoteSigner {
            name: name.to_owned(),
            key_id,
            key,
        })
    }

    /// Parses a signer key `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`.
    pub fn from_signer_key(skey: &str) -> Result<Self, KeyError> {
        let rest = skey
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(KeyError::Malformed("missing PRIVATE+KEY+ prefix"))?;
        let (name, rest) = rest
            .split_once('+')
            .ok_or(KeyError::Malformed("missing key name"))?;
        if !is_valid_key_name(name) {
            return Err(KeyError::InvalidName);
        }
        let (stated, key) = parse_id_and_key(rest)?;
        let seed = ed25519_key_bytes(&key)?;
        let signer = Self::from_seed(name, &seed)?;
        if signer.key_id != stated {
            return Err(KeyError::KeyIdMismatch {
                stated,
                computed: signer.key_id,
            });
        }
        Ok(signer)
    }

    /// The signer key string `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ||
    /// seed)>`. This is secret.
    pub fn signer_key(&self) -> String {
        let mut typed = vec![ALG_ED25519];
        typed.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id,
            BASE64.encode(typed)
        )
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The verifier for this signer's public key.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs `message` (for a note, its text) and returns the raw 64-byte
    /// Ed25519 signature.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteSigner({}+{:08x})", self.name, self.key_id)
    }
}

/// One signature of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key ID (the first four bytes of the encoded signature).
    pub key_id: u32,
    /// The signature bytes, after the key ID.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The signature line, `— <name> <base64(key ID || signature)>\n`.
    pub fn to_line(&self) -> String {
        let mut raw = self.key_id.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.signature);
        format!("{SIG_PREFIX}{} {}\n", self.name, BASE64.encode(raw))
    }
}

/// A parsed note whose signatures were checked by [`open_note`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The note text, including its final newline.
    pub text: String,
    /// Signatures by known keys, all verified (at least one).
    pub verified: Vec<NoteSignature>,
    /// Signatures by unknown keys, not verified; duplicates removed.
    pub unverified: Vec<NoteSignature>,
}

/// Checks the character rules shared by note texts and whole signed notes:
/// no ASCII control characters other than newline.
fn has_forbidden_control(s: &str) -> bool {
    s.chars().any(|c| c < ' ' && c != '\n')
}

/// Signs a note text with one or more signers and returns the signed note.
///
/// The text must be non-empty, end with a newline and contain no ASCII control
/// characters other than newlines.
pub fn sign_note<'a, I>(text: &str, signers: I) -> Result<String, NoteError>
where
    I: IntoIterator<Item = &'a NoteSigner>,
{
    if !text.ends_with('\n') {
        return Err(NoteError::InvalidText("text does not end with a newline"));
    }
    if has_forbidden_control(text) {
        return Err(NoteError::InvalidText("text contains a control character"));
    }
    let mut out = String::with_capacity(text.len() + 128);
    out.push_str(text);
    out.push('\n');
    let mut count = 0;
    for signer in signers {
        let sig = NoteSignature {
            name: signer.name.clone(),
            key_id: signer.key_id,
            signature: signer.sign(text.as_bytes()).to_vec(),
        };
        out.push_str(&sig.to_line());
        count += 1;
    }
    if count == 0 {
        return Err(NoteError::NoSigners);
    }
    Ok(out)
}

/// Parses a signed note and verifies its signatures against `verifiers`.
///
/// Signatures by unknown keys (no verifier with the same name and key ID) are
/// ignored and listed in [`SignedNote::unverified`]. Every signature by a known
/// key must verify, and at least one must be present.
pub fn open_note(
    msg: impl AsRef<[u8]>,
    verifiers: &[NoteVerifier],
) -> Result<SignedNote, NoteError> {
    let msg =
        std::str::from_utf8(msg.as_ref()).map_err(|_| NoteError::Malformed("not valid UTF-8"))?;
    if has_forbidden_control(msg) {
        return Err(NoteError::Malformed("contains a control character"));
    }
    let split = msg
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
    let text = &msg[..split + 1];
    let sigs = &msg[split + 2..];
    if sigs.is_empty() {
        return Err(NoteError::Malformed("no signatures"));
    }
    if !sigs.ends_with('\n') {
        return Err(NoteError::Malformed(
            "signature block does not end with a newline",
        ));
    }

    let mut note = SignedNote {
        text: text.to_owned(),
        verified: Vec::new(),
        unverified: Vec::new(),
    };
    for (count, line) in sigs.split_terminator('\n').enumerate() {
        if count >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        let line = line.strip_prefix(SIG_PREFIX).ok_or(NoteError::Malformed(
            "signature line does not start with an em dash",
        ))?;
        let (name, b64) = line
            .split_once(' ')
            .ok_or(NoteError::Malformed("signature line has no signature"))?;
        if !is_valid_key_name(name) {
            return Err(NoteError::Malformed("invalid key name in signature line"));
        }
        let raw = BASE64
            .decode(b64)
            .map_err(|_| NoteError::Malformed("signature is not valid base64"))?;
        if raw.len() < 5 {
            return Err(NoteError::Malformed("signature is too short"));
        }
        let key_id = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        let sig = NoteSignature {
            name: name.to_owned(),
            key_id,
            signature: raw[4..].to_vec(),
        };
        let mut matching = verifiers
            .iter()
            .filter(|v| v.name == name && v.key_id == key_id);
        match (matching.next(), matching.next()) {
            (None, _) => {
                if !note.unverified.contains(&sig) {
                    note.unverified.push(sig);
                }
            }
            (Some(_), Some(_)) => {
                return Err(NoteError::AmbiguousVerifier {
                    name: name.to_owned(),
                    key_id,
                });
            }
            (Some(v), None) => {
                if !v.verify(text.as_bytes(), &sig.signature) {
                    return Err(NoteError::InvalidSignature {
                        name: name.to_owned(),
                        key_id,
                    });
                }
                if !note
                    .verified
                    .iter()
                    .any(|s| s.name == sig.name && s.key_id == sig.key_id)
                {
                    note.verified.push(sig);
                }
            }
        }
    }
    if note.verified.is_empty() {
        return Err(NoteError::NoVerifiedSignatures);
    }
    Ok(note)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Example keys and note from Go's golang.org/x/mod/sumdb/note tests
    // (note_test.go, BSD-3-Clause); see testdata/README.md.
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

    #[test]
    fn key_round_trips() {
        let v = NoteVerifier::from_verifier_key(PETER_VKEY).unwrap();
        assert_eq!(v.verifier_key(), PETER_VKEY);
        assert_eq!(v.key_id(), 0xc74f20a3);
        assert_eq!(v.name(), "PeterNeumann");
        let s = NoteSigner::from_signer_key(PETER_SKEY).unwrap();
        assert_eq!(s.signer_key(), PETER_SKEY);
        assert_eq!(s.verifier(), v);
        assert_eq!(PETER_VKEY.parse::<NoteVerifier>().unwrap(), v);
        assert_eq!(v.to_string(), PETER_VKEY);
        assert!(!format!("{s:?}").contains("AYEK"));
        assert_eq!(format!("{s:?}"), "NoteSigner(PeterNeumann+c74f20a3)");
    }

    #[test]
    fn key_manglings_rejected() {
        // As in Go's TestNewVerifier / TestNewSigner: every proper substring
        // and every single-byte increment must be rejected.
        for key in [PETER_VKEY, PETER_SKEY] {
            let parse = |k: &str| {
                if key.starts_with("PRIVATE") {
                    NoteSigner::from_signer_key(k).map(|_| ())
                } else {
                    NoteVerifier::from_verifier_key(k).map(|_| ())
                }
            };
            let b = key.as_bytes();
            for i in 0..=b.len() {
                for j in i + 1..=b.len() {
                    if i == 0 && j == b.len() {
                        continue;
                    }
                    if let Ok(s) = std::str::from_utf8(&b[i..j]) {
                        assert!(parse(s).is_err(), "{s}");
                    }
                }
            }
            for i in 0..b.len() {
                let mut m = b.to_vec();
                m[i] = m[i].wrapping_add(1);
                if let Ok(s) = std::str::from_utf8(&m) {
                    assert!(parse(s).is_err(), "{s}");
                }
            }
        }
        // Wrong key length and unknown algorithm, with adjusted key IDs.
        assert!(
            NoteVerifier::from_verifier_key(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            )
            .is_err()
        );
        assert_eq!(
            NoteVerifier::from_verifier_key(
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(KeyError::UnknownAlgorithm(0x65))
        );
        assert_eq!(
            NoteSigner::from_seed("a b", &[0; 32]).err(),
            Some(KeyError::InvalidName)
        );
        assert_eq!(
            NoteSigner::from_seed("a+b", &[0; 32]).err(),
            Some(KeyError::InvalidName)
        );
        assert_eq!(
            NoteSigner::from_seed("", &[0; 32]).err(),
            Some(KeyError::InvalidName)
        );
        assert_eq!(
            NoteSigner::from_seed("a\u{3000}b", &[0; 32]).err(),
            Some(KeyError::InvalidName)
        );
    }

    #[test]
    fn sign_rejects_bad_text() {
        let s = NoteSigner::from_signer_key(PETER_SKEY).unwrap();
        assert_eq!(
            sign_note("abc", [&s]),
            Err(NoteError::InvalidText("text does not end with a newline"))
        );
        assert_eq!(
            sign_note("a\tb\n", [&s]),
            Err(NoteError::InvalidText("text contains a control character"))
        );
        assert_eq!(sign_note("abc\n", []), Err(NoteError::NoSigners));
    }

    #[test]
    fn signature_line_round_trip() {
        let s = NoteSigner::from_seed("example.com/log", &[9; 32]).unwrap();
        let msg = sign_note("hello\n", [&s]).unwrap();
        let note = open_note(&msg, &[s.verifier()]).unwrap();
        assert_eq!(format!("hello\n\n{}", note.verified[0].to_line()), msg);
    }

    #[test]
    fn ambiguous_verifiers() {
        let s = NoteSigner::from_seed("n", &[1; 32]).unwrap();
        let msg = sign_note("x\n", [&s]).unwrap();
        assert_eq!(
            open_note(&msg, &[s.verifier(), s.verifier()]),
            Err(NoteError::AmbiguousVerifier {
                name: "n".into(),
                key_id: s.key_id()
            })
        );
    }
}
