//! RFC 6962 / RFC 9162 Merkle tree hashing and proof verification.
//!
//! Hashing follows RFC 9162 §2.1.1: a leaf hash is `SHA-256(0x00 || data)`,
//! an interior node hash is `SHA-256(0x01 || left || right)`, and the hash of
//! the empty tree is `SHA-256("")`.
//!
//! Proof verification follows the algorithms of RFC 9162 §2.1.3.2 (inclusion)
//! and §2.1.4.2 (consistency) step by step.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

/// Size of a [`Hash`](struct@Hash) in bytes.
pub const HASH_SIZE: usize = 32;

/// A SHA-256 hash identifying a leaf, an interior node or a tree root.
///
/// `Display` prints the standard base64 encoding (as used in checkpoints and
/// tlog-tiles); `Debug` prints hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; HASH_SIZE]);

/// The error returned when a hash cannot be parsed or converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    /// The input was not valid, canonical, padded standard base64.
    #[error("hash is not valid standard base64")]
    Base64,
    /// The input did not decode to exactly 32 bytes.
    #[error("hash has {0} bytes, want 32")]
    Length(usize),
}

impl Hash {
    /// Returns the hash bytes.
    pub fn as_bytes(&self) -> &[u8; HASH_SIZE] {
        &self.0
    }

    /// Parses the standard (padded) base64 encoding of a hash.
    pub fn from_base64(s: &str) -> Result<Self, HashParseError> {
        let bytes = BASE64.decode(s).map_err(|_| HashParseError::Base64)?;
        Self::try_from(bytes.as_slice())
    }

    /// Returns the standard (padded) base64 encoding of the hash.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }
}

impl From<[u8; HASH_SIZE]> for Hash {
    fn from(bytes: [u8; HASH_SIZE]) -> Self {
        Hash(bytes)
    }
}

impl TryFrom<&[u8]> for Hash {
    type Error = HashParseError;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        <[u8; HASH_SIZE]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| HashParseError::Length(bytes.len()))
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl FromStr for Hash {
    type Err = HashParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_base64(s)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hash(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// The root hash of the empty tree, `SHA-256("")`.
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// The RFC 6962 leaf hash `SHA-256(0x00 || data)` of a log entry.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    Hash(h.finalize().into())
}

/// The RFC 6962 interior node hash `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 1 + 2 * HASH_SIZE];
    buf[0] = 0x01;
    buf[1..1 + HASH_SIZE].copy_from_slice(&left.0);
    buf[1 + HASH_SIZE..].copy_from_slice(&right.0);
    Hash(Sha256::digest(buf).into())
}

/// Computes the Merkle Tree Hash (RFC 9162 §2.1.1 `MTH`) of a list of leaf
/// hashes directly, in O(n) time and O(log n) memory.
///
/// This is the reference definition; servers holding a stored tree should use
/// [`crate::tree_hash`], which needs only O(log n) stored hashes.
pub fn root_from_leaf_hashes(leaf_hashes: &[Hash]) -> Hash {
    // A stack of (level, hash) of complete subtrees, exactly like appending
    // the leaves one at a time, then folded from the right.
    let mut stack: Vec<(u32, Hash)> = Vec::new();
    for leaf in leaf_hashes {
        let mut h = *leaf;
        let mut level = 0;
        while let Some(&(l, left)) = stack.last() {
            if l != level {
                break;
            }
            stack.pop();
            h = node_hash(&left, &h);
            level += 1;
        }
        stack.push((level, h));
    }
    let mut iter = stack.into_iter().rev();
    match iter.next() {
        None => empty_root(),
        Some((_, first)) => iter.fold(first, |acc, (_, left)| node_hash(&left, &acc)),
    }
}

/// The reason an inclusion or consistency proof failed to verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not less than the tree size {size}")]
    IndexOutOfRange {
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        size: u64,
    },
    /// The proof has more hashes than the tree shape allows.
    #[error("proof has too many hashes for these tree sizes")]
    ProofTooLong,
    /// The proof has fewer hashes than the tree shape requires.
    #[error("proof has too few hashes for these tree sizes")]
    ProofTooShort,
    /// The proof is consistent in shape but yields a different root hash.
    #[error("computed root hash does not match the expected root hash")]
    RootMismatch,
    /// A consistency proof yields a different hash for the old tree.
    #[error("computed old root hash does not match the expected old root hash")]
    OldRootMismatch,
    /// A consistency proof yields a different hash for the new tree.
    #[error("computed new root hash does not match the expected new root hash")]
    NewRootMismatch,
    /// The old tree is larger than the new tree.
    #[error("old tree size {old} is larger than new tree size {new}")]
    OldLargerThanNew {
        /// The old tree size.
        old: u64,
        /// The new tree size.
        new: u64,
    },
    /// The old tree is empty: every tree is trivially consistent with it, and
    /// RFC 9162 defines no proof for it.
    #[error("consistency proofs from the empty tree are not defined")]
    EmptyOldTree,
    /// A consistency proof between two different sizes must not be empty.
    #[error("consistency proof is empty")]
    EmptyProof,
    /// The sizes are equal, so the proof must be empty.
    #[error("tree sizes are equal but the consistency proof is not empty")]
    NonEmptyProofForEqualSizes,
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
///
/// `proof` is the inclusion path, ordered from the leaf upwards, as produced
/// by [`crate::inclusion_proof`].
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    let computed = root_from_inclusion_proof(leaf_hash, index, size, proof)?;
    if &computed == root {
        Ok(())
    } else {
        Err(VerifyError::RootMismatch)
    }
}

/// Runs RFC 9162 §2.1.3.2 steps 1–4 and returns the root hash `r` implied by
/// an inclusion proof, after checking step 5's `sn == 0` condition.
pub fn root_from_inclusion_proof(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, VerifyError> {
    // 1. leaf_index must be less than tree_size.
    if index >= size {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    // 2. fn = leaf_index, sn = tree_size - 1.
    let mut fnn = index;
    let mut sn = size - 1;
    // 3. r = hash.
    let mut r = *leaf_hash;
    // 4. Walk the path.
    for p in proof {
        if sn == 0 {
            return Err(VerifyError::ProofTooLong);
        }
        if fnn & 1 == 1 || fnn == sn {
            r = node_hash(p, &r);
            if fnn & 1 == 0 {
                while fnn & 1 == 0 && fnn != 0 {
                    fnn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnn >>= 1;
        sn >>= 1;
    }
    // 5. sn must be 0 (and r must equal the root, checked by the caller).
    if sn != 0 {
        return Err(VerifyError::ProofTooShort);
    }
    Ok(r)
}

/// Verifies a consistency proof between an old and a new tree head
/// (RFC 9162 §2.1.4.2).
///
/// The RFC defines the algorithm for `0 < old_size < new_size`. In addition,
/// like common implementations, equal sizes are accepted with an empty proof
/// when the two roots are equal; an empty old tree is rejected with
/// [`VerifyError::EmptyOldTree`].
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), VerifyError> {
    if old_size > new_size {
        return Err(VerifyError::OldLargerThanNew {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(VerifyError::NonEmptyProofForEqualSizes);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(VerifyError::RootMismatch)
        };
    }
    if old_size == 0 {
        return Err(VerifyError::EmptyOldTree);
    }
    // 1. The consistency path must not be empty.
    if proof.is_empty() {
        return Err(VerifyError::EmptyProof);
    }
    // 2. If first is an exact power of 2, prepend first_hash to the path.
    let (seed, rest) = if old_size.is_power_of_two() {
        (*old_root, proof)
    } else {
        (proof[0], &proof[1..])
    };
    // 3. fn = first - 1, sn = second - 1.
    let mut fnn = old_size - 1;
    let mut sn = new_size - 1;
    // 4. If LSB(fn) is set, right-shift fn and sn until LSB(fn) is not set.
    while fnn & 1 == 1 {
        fnn >>= 1;
        sn >>= 1;
    }
    // 5. fr = sr = the first value of the path.
    let mut fr = seed;
    let mut sr = seed;
    // 6. For each subsequent value c in the path.
    for c in rest {
        if sn == 0 {
            return Err(VerifyError::ProofTooLong);
        }
        if fnn & 1 == 1 || fnn == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnn & 1 == 0 {
                while fnn & 1 == 0 && fnn != 0 {
                    fnn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnn >>= 1;
        sn >>= 1;
    }
    // 7. Check sn == 0, fr == first_hash and sr == second_hash.
    if sn != 0 {
        return Err(VerifyError::ProofTooShort);
    }
    if &fr != old_root {
        return Err(VerifyError::OldRootMismatch);
    }
    if &sr != new_root {
        return Err(VerifyError::NewRootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(hex_str: &str) -> Hash {
        Hash::try_from(hex::decode(hex_str).unwrap().as_slice()).unwrap()
    }

    #[test]
    fn known_answers() {
        // Known answers from transparency-dev/merkle rfc6962/rfc6962_test.go.
        assert_eq!(
            empty_root(),
            h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(
            leaf_hash(b""),
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        );
        assert_eq!(
            leaf_hash(b"L123456"),
            h("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
        );
        assert_ne!(
            node_hash(&Hash([1; 32]), &Hash([2; 32])),
            node_hash(&Hash([2; 32]), &Hash([1; 32]))
        );
        assert_eq!(root_from_leaf_hashes(&[]), empty_root());
    }

    #[test]
    fn hash_base64_round_trip_and_strictness() {
        let x = leaf_hash(b"hello");
        assert_eq!(Hash::from_base64(&x.to_base64()), Ok(x));
        assert_eq!(x.to_string().parse::<Hash>(), Ok(x));
        let s = x.to_base64();
        // Missing padding is rejected.
        assert_eq!(
            Hash::from_base64(s.trim_end_matches('=')),
            Err(HashParseError::Base64)
        );
        // Non-canonical trailing bits are rejected: 32 zero bytes encode as
        // 42 'A's, then 'A=', and 'B=' sets one of the two unused low bits.
        let zero = format!("{}A=", "A".repeat(42));
        assert_eq!(Hash::from_base64(&zero), Ok(Hash([0; 32])));
        let non_canonical = format!("{}B=", "A".repeat(42));
        assert_eq!(
            Hash::from_base64(&non_canonical),
            Err(HashParseError::Base64)
        );
        assert_eq!(Hash::from_base64("AAAA"), Err(HashParseError::Length(3)));
        assert!(format!("{x:?}").starts_with("Hash("));
    }

    #[test]
    fn verify_inclusion_single_leaf() {
        let leaf = leaf_hash(b"data");
        assert_eq!(verify_inclusion(&leaf, 0, 1, &[], &leaf), Ok(()));
        assert_eq!(
            verify_inclusion(&leaf, 1, 1, &[], &leaf),
            Err(VerifyError::IndexOutOfRange { index: 1, size: 1 })
        );
        assert_eq!(
            verify_inclusion(&leaf, 0, 1, &[leaf], &leaf),
            Err(VerifyError::ProofTooLong)
        );
        assert_eq!(
            verify_inclusion(&leaf, 0, 2, &[], &leaf),
            Err(VerifyError::ProofTooShort)
        );
    }

    #[test]
    fn verify_consistency_edge_cases() {
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        assert_eq!(verify_consistency(1, 1, &[], &a, &a), Ok(()));
        assert_eq!(
            verify_consistency(1, 1, &[], &a, &b),
            Err(VerifyError::RootMismatch)
        );
        assert_eq!(
            verify_consistency(1, 1, &[a], &a, &a),
            Err(VerifyError::NonEmptyProofForEqualSizes)
        );
        assert_eq!(
            verify_consistency(2, 1, &[], &a, &b),
            Err(VerifyError::OldLargerThanNew { old: 2, new: 1 })
        );
        assert_eq!(
            verify_consistency(0, 1, &[], &a, &b),
            Err(VerifyError::EmptyOldTree)
        );
        assert_eq!(
            verify_consistency(1, 2, &[], &a, &b),
            Err(VerifyError::EmptyProof)
        );
        let root = node_hash(&a, &b);
        assert_eq!(verify_consistency(1, 2, &[b], &a, &root), Ok(()));
        assert_eq!(
            verify_consistency(1, 2, &[b, b], &a, &root),
            Err(VerifyError::ProofTooLong)
        );
    }
}
