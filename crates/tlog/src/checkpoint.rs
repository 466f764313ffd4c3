//! Checkpoints (c2sp.org/tlog-checkpoint): signed tree heads as signed notes.
//!
//! The note text is
//!
//! ```text
//! <origin>
//! <tree size, decimal, no leading zeros>
//! <root hash, standard base64>
//! [<extension line>...]
//! ```

use std::fmt;
use std::str::FromStr;

use crate::merkle::Hash;
use crate::note::{NoteError, NoteSigner, NoteVerifier, SignedNote, open_note, sign_note};

/// An error formatting, parsing or opening a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The checkpoint text is not well formed.
    #[error("malformed checkpoint: {0}")]
    Malformed(&'static str),
    /// The signed note around the checkpoint is invalid.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The checkpoint is for another log.
    #[error("checkpoint origin {found:?} is not the expected {expected:?}")]
    UnexpectedOrigin {
        /// The origin the caller expected.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
}

/// A transparency log checkpoint: the log's origin, a tree size and the root
/// hash of the tree of that size, plus optional opaque extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log identity, e.g. `example.com/log42`. Non-empty, one line.
    pub origin: String,
    /// The number of leaves in the tree.
    pub size: u64,
    /// The RFC 6962 root hash of the tree of `size` leaves.
    pub root_hash: Hash,
    /// Extension lines (non-empty, without newlines); usually empty.
    pub extensions: Vec<String>,
}

fn is_valid_line(line: &str) -> bool {
    !line.is_empty() && !line.chars().any(|c| c < ' ')
}

/// Parses a tree size: ASCII decimal digits without leading zeros.
fn parse_size(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

impl Checkpoint {
    /// Creates a checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root_hash: Hash) -> Self {
        Checkpoint {
            origin: origin.into(),
            size,
            root_hash,
            extensions: Vec::new(),
        }
    }

    /// Formats the checkpoint as note text (ending in a newline).
    ///
    /// Fails if the origin or an extension line is empty or contains a newline
    /// or another ASCII control character.
    pub fn to_text(&self) -> Result<String, CheckpointError> {
        if !is_valid_line(&self.origin) {
            return Err(CheckpointError::Malformed(
                "origin is empty or not a single line",
            ));
        }
        if !self.extensions.iter().all(|e| is_valid_line(e)) {
            return Err(CheckpointError::Malformed(
                "extension line is empty or not a single line",
            ));
        }
        let mut text = format!("{}\n{}\n{}\n", self.origin, self.size, self.root_hash);
        for ext in &self.extensions {
            text.push_str(ext);
            text.push('\n');
        }
        Ok(text)
    }

    /// Parses checkpoint note text strictly: at least three non-empty lines,
    /// each ending in a newline; a decimal size without leading zeros; a root
    /// hash in canonical padded base64 of exactly 32 bytes; non-empty
    /// extension lines.
    pub fn from_text(text: &str) -> Result<Self, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::Malformed(
            "text does not end with a newline",
        ))?;
        if body.chars().any(|c| c < ' ' && c != '\n') {
            return Err(CheckpointError::Malformed(
                "text contains a control character",
            ));
        }
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or(CheckpointError::Malformed("missing origin line"))?;
        let size = lines
            .next()
            .ok_or(CheckpointError::Malformed("missing tree size line"))?;
        let size = parse_size(size).ok_or(CheckpointError::Malformed("invalid tree size"))?;
        let root = lines
            .next()
            .ok_or(CheckpointError::Malformed("missing root hash line"))?;
        let root_hash =
            Hash::from_base64(root).map_err(|_| CheckpointError::Malformed("invalid root hash"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(CheckpointError::Malformed("empty extension line"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root_hash,
            extensions,
        })
    }

    /// Formats and signs the checkpoint, returning the signed note.
    pub fn sign<'a, I>(&self, signers: I) -> Result<String, CheckpointError>
    where
        I: IntoIterator<Item = &'a NoteSigner>,
    {
        Ok(sign_note(&self.to_text()?, signers)?)
    }

    /// Opens a signed checkpoint: verifies the note against `verifiers` (see
    /// [`open_note`]), parses the checkpoint and checks that its origin is
    /// `origin`.
    pub fn open(
        msg: impl AsRef<[u8]>,
        origin: &str,
        verifiers: &[NoteVerifier],
    ) -> Result<(Checkpoint, SignedNote), CheckpointError> {
        let note = open_note(msg, verifiers)?;
        let checkpoint = Checkpoint::from_text(&note.text)?;
        if checkpoint.origin != origin {
            return Err(CheckpointError::UnexpectedOrigin {
                expected: origin.to_owned(),
                found: checkpoint.origin,
            });
        }
        Ok((checkpoint, note))
    }
}

impl FromStr for Checkpoint {
    type Err = CheckpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_text(s)
    }
}

/// Displays the note text, or `<invalid checkpoint>` if it cannot be formatted.
impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_text() {
            Ok(text) => f.write_str(&text),
            Err(_) => f.write_str("<invalid checkpoint>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::leaf_hash;

    #[test]
    fn go_sumdb_tree_note_parses_as_checkpoint() {
        // From Go's golang.org/x/mod/sumdb/tlog note_test.go (TestFormatTree):
        // the go.sum database tree note is a checkpoint with that origin.
        let text =
            "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
        let c = Checkpoint::from_text(text).unwrap();
        assert_eq!(
            c,
            Checkpoint::new(
                "go.sum database tree",
                123456789012,
                leaf_hash(b"hello world")
            )
        );
        assert_eq!(c.to_text().unwrap(), text);
        // Go rejects "not-" + text because the origin differs; here the
        // origin is checked by `Checkpoint::open`, not by the parser.
        let other = Checkpoint::from_text(&format!("not-{text}")).unwrap();
        assert_eq!(other.origin, "not-go.sum database tree");
        for bad in [
            "go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n".to_owned(),
            "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n".to_owned(),
            format!("{text}JOE"),
        ] {
            assert!(Checkpoint::from_text(&bad).is_err(), "{bad:?}");
        }
        // Unlike Go's ParseTree, trailing lines are extension lines.
        let ext = Checkpoint::from_text(&format!("{text}JOE\n")).unwrap();
        assert_eq!(ext.extensions, vec!["JOE".to_owned()]);
    }

    #[test]
    fn strict_parsing() {
        let root = leaf_hash(b"x");
        let good = format!("example.com/log\n0\n{root}\n");
        assert_eq!(Checkpoint::from_text(&good).unwrap().size, 0);
        for bad in [
            String::new(),
            "\n".to_owned(),
            format!("example.com/log\n0\n{root}"),
            format!("\n0\n{root}\n"),
            format!("example.com/log\n00\n{root}\n"),
            format!("example.com/log\n01\n{root}\n"),
            format!("example.com/log\n+1\n{root}\n"),
            format!("example.com/log\n-1\n{root}\n"),
            format!("example.com/log\n 1\n{root}\n"),
            format!("example.com/log\n18446744073709551616\n{root}\n"),
            format!(
                "example.com/log\n1\n{}\n",
                root.to_base64().trim_end_matches('=')
            ),
            format!("example.com/log\n1\n{root}x\n"),
            format!("example.com/log\n1\n{root}\n\n"),
            format!("example.com/log\n1\n{root}\next\n\n"),
            format!("example.com/log\n1\n{root}\r\n"),
            "example.com/log\n1\n".to_owned(),
            format!(
                "example.com/log\n1\n{}\n",
                crate::merkle::Hash::default()
                    .to_base64()
                    .replace("AA=", "AB=")
            ),
        ] {
            assert!(Checkpoint::from_text(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Checkpoint::from_text(&format!(
                "example.com/log\n18446744073709551615\n{root}\na\nb c\n"
            ))
            .unwrap(),
            Checkpoint {
                origin: "example.com/log".into(),
                size: u64::MAX,
                root_hash: root,
                extensions: vec!["a".into(), "b c".into()]
            }
        );
    }

    #[test]
    fn formatting_rejects_bad_fields() {
        let mut c = Checkpoint::new("", 1, Hash::default());
        assert!(c.to_text().is_err());
        assert_eq!(c.to_string(), "<invalid checkpoint>");
        c.origin = "a\nb".into();
        assert!(c.to_text().is_err());
        c.origin = "ok".into();
        c.extensions = vec![String::new()];
        assert!(c.to_text().is_err());
        c.extensions = vec!["x\ny".into()];
        assert!(c.to_text().is_err());
        c.extensions = vec!["x y".into()];
        assert_eq!(c.to_string(), format!("ok\n1\n{}\nx y\n", Hash::default()));
    }

    #[test]
    fn wrong_origin_rejected() {
        let s = NoteSigner::from_seed("example.com/log", &[3; 32]).unwrap();
        let msg = Checkpoint::new("example.com/log", 5, leaf_hash(b"r"))
            .sign([&s])
            .unwrap();
        assert!(Checkpoint::open(&msg, "example.com/log", &[s.verifier()]).is_ok());
        assert_eq!(
            Checkpoint::open(&msg, "example.com/other", &[s.verifier()]).err(),
            Some(CheckpointError::UnexpectedOrigin {
                expected: "example.com/other".into(),
                found: "example.com/log".into()
            })
        );
    }
}
