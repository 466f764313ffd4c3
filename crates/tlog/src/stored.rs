//! Stored subtree hashes and proofs computed from them.
//!
//! This is a Rust port of the design of Go's `golang.org/x/mod/sumdb/tlog`
//! (`tlog.go`: `StoredHashIndex`, `SplitStoredHashIndex`, `StoredHashCount`,
//! `StoredHashes`, `TreeHash`, `ProveRecord`, `ProveTree`), Copyright 2019 The
//! Go Authors, used under its BSD-3-Clause licence. The code here is a
//! re-implementation; the stored-hash layout is identical, so a database
//! written by either is readable by the other.
//!
//! # Storage layout
//!
//! Every complete (perfect) subtree of the log has a hash. Such a hash is named
//! by its tree coordinates `(level, n)`: the `n`-th subtree of height `level`,
//! covering leaves `[n << level, (n + 1) << level)`. [`stored_hash_index`]
//! maps these coordinates onto a dense sequence `0, 1, 2, ...` in the order in
//! which the hashes become known as leaves are appended (the ordering of
//! section 3.3 of Crosby and Wallach, "Efficient Data Structures for
//! Tamper-Evident Logging"). Appending leaf `n` therefore writes a contiguous
//! run of hashes starting at [`stored_hash_count`]`(n)`: its leaf hash followed
//! by the hash of each subtree it completes. A tree of `n` leaves has exactly
//! `stored_hash_count(n) = 2n - popcount(n)` stored hashes.
//!
//! # Indexes first
//!
//! Which stored hashes a tree hash or a proof needs depends only on the tree
//! sizes and the leaf index, not on the hashes themselves. Each computation is
//! therefore split into a pair of pure functions, as in Go's `tlog` and
//! Cloudflare's azul (`tlog_tiles`):
//!
//! * [`tree_hash_indexes`], [`inclusion_proof_indexes`] and
//!   [`consistency_proof_indexes`] list the stored hash indexes needed;
//! * [`tree_hash_from_hashes`], [`inclusion_proof_from_hashes`] and
//!   [`consistency_proof_from_hashes`] compute the result from the hashes at
//!   exactly those indexes, in that order.
//!
//! A caller with asynchronous storage (a database) fetches the listed hashes
//! in one query between the two calls. [`tree_hash`], [`inclusion_proof`] and
//! [`consistency_proof`] are the same pairs joined by one call to a
//! [`HashReader`].
//!
//! ```
//! use std::convert::Infallible;
//! use undersigned_tlog::{
//!     MemoryHashStore, TreeError, inclusion_proof_from_hashes, inclusion_proof_indexes,
//!     leaf_hash, root_from_leaf_hashes, verify_inclusion,
//! };
//!
//! let leaves: Vec<_> = (0..10u8).map(|i| leaf_hash(&[i])).collect();
//! let mut store = MemoryHashStore::new();
//! store.append(&leaves)?;
//!
//! // 1. Which stored hashes does the proof of leaf 3 in the tree of 10 need?
//! let indexes = inclusion_proof_indexes::<Infallible>(3, 10)?;
//! // 2. Fetch them, in that order (here from memory; typically one query).
//! let hashes: Vec<_> = indexes
//!     .iter()
//!     .map(|&i| store.stored_hashes()[i as usize])
//!     .collect();
//! // 3. Compute the proof.
//! let proof = inclusion_proof_from_hashes::<Infallible>(3, 10, &hashes)?;
//! verify_inclusion(&leaves[3], 3, 10, &proof, &root_from_leaf_hashes(&leaves))?;
//!
//! // A slice of the wrong length is an error.
//! assert!(matches!(
//!     inclusion_proof_from_hashes::<Infallible>(3, 10, &hashes[1..]),
//!     Err(TreeError::WrongHashCount { .. })
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Cost
//!
//! [`tree_hash`], [`inclusion_proof`] and [`consistency_proof`] make exactly one
//! call to [`HashReader::read_hashes`] (none when no hash is needed) with
//! O(log n) indexes (at most about `2 * log2(n)`), and never rebuild any part
//! of the tree. The tiles of
//! c2sp.org/tlog-tiles are a view of the same stored hashes (see
//! [`crate::tile`]): the level-`L` tile `N` holds the stored hashes at level
//! `8 * L` with indexes `256 * N ..`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::merkle::{Hash, empty_root, node_hash};

/// The largest tree size the stored-hash functions accept (2^62 leaves), so
/// that every stored hash index fits in a `u64`.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// Read access to the stored hashes of one log.
///
/// Implementations are typically a database table keyed by stored hash index,
/// or an in-memory vector ([`MemoryHashStore`]).
pub trait HashReader {
    /// The error returned by the storage backend.
    type Error;

    /// Returns the hashes with the given stored hash indexes (see
    /// [`stored_hash_index`]), in the same order as `indexes`.
    ///
    /// Must return exactly `indexes.len()` hashes or an error. The callers in
    /// this crate pass indexes in increasing order without duplicates, except
    /// [`crate::tile::read_tile`], whose indexes are increasing as well.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error>;
}

impl<R: HashReader + ?Sized> HashReader for &R {
    type Error = R::Error;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error> {
        (**self).read_hashes(indexes)
    }
}

/// An error from a computation over stored hashes.
#[derive(Debug, thiserror::Error)]
pub enum TreeError<E> {
    /// The hash storage failed.
    #[error("reading stored hashes: {0}")]
    Storage(E),
    /// The hash storage returned, or the caller of a `*_from_hashes` function
    /// (such as [`inclusion_proof_from_hashes`]) passed, a number of hashes
    /// other than the number of stored hash indexes needed.
    #[error("got {got} hashes for {want} stored hash indexes")]
    WrongHashCount {
        /// Number of stored hash indexes needed.
        want: usize,
        /// Number of hashes returned or passed.
        got: usize,
    },
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not less than tree size {size}")]
    IndexOutOfRange {
        /// The requested leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// Invalid tree sizes for a consistency proof.
    #[error("no consistency proof from tree size {old} to tree size {new}")]
    InvalidSizes {
        /// The old tree size.
        old: u64,
        /// The new tree size.
        new: u64,
    },
    /// The tree size exceeds [`MAX_TREE_SIZE`].
    #[error("tree size {0} exceeds the maximum of 2^62")]
    TreeTooLarge(u64),
    /// The frontier passed to [`stored_hashes_for_append_with_frontier`] does
    /// not have the length given by [`append_frontier_indexes`].
    #[error("frontier has {got} hashes, want {want}")]
    WrongFrontierLength {
        /// Expected number of hashes.
        want: usize,
        /// Number of hashes passed.
        got: usize,
    },
    /// The tile does not exist (entirely) in a tree of the given size.
    #[error("tile {tile} is not available in a tree of size {size}")]
    TileNotAvailable {
        /// The tile path.
        tile: String,
        /// The tree size.
        size: u64,
    },
}

/// Maps the tree coordinates `(level, n)` of a complete subtree to its dense
/// stored hash index.
///
/// Port of Go's `tlog.StoredHashIndex`.
///
/// # Panics
///
/// The subtree must lie within the first [`MAX_TREE_SIZE`] leaves, that is
/// `(n + 1) << level <= 2^62`; otherwise the arithmetic overflows, which
/// panics in debug builds. The functions of this crate check tree sizes
/// before calling it.
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    // Level L's n'th hash is written right after level 0's hash of the last
    // leaf of that subtree, x = ((n + 1) << L) - 1, which itself is stored at
    // x + x/2 + x/4 + ... = 2x - popcount(x).
    let x = ((n + 1) << level) - 1;
    2 * x - u64::from(x.count_ones()) + u64::from(level)
}

/// The inverse of [`stored_hash_index`]: returns `(level, n)`, or `None` for
/// an index beyond the stored hashes of a tree of [`MAX_TREE_SIZE`] leaves.
///
/// Port of Go's `tlog.SplitStoredHashIndex`.
pub fn split_stored_hash_index(index: u64) -> Option<(u32, u64)> {
    if index >= stored_hash_count(MAX_TREE_SIZE) {
        return None;
    }
    // Find the leaf n whose run of hashes contains index. stored_hash_index(0,
    // n) <= 2n, so n is in [index/2, index/2 + log2(index)].
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    loop {
        // Leaf n contributes 1 + trailing_ones(n) hashes.
        let next = index_n + 1 + u64::from(n.trailing_ones());
        if next > index {
            break;
        }
        n += 1;
        index_n = next;
    }
    // The hash is number (index - index_n) in leaf n's run: (0, n), (1, n/2), ...
    let level = u32::try_from(index - index_n).ok()?;
    Some((level, n.checked_shr(level)?))
}

/// The number of stored hashes of a tree with `size` leaves, which is also the
/// stored hash index at which the hashes for the next leaf are written.
///
/// Equals `2 * size - popcount(size)` (Go's `tlog.StoredHashCount`).
pub fn stored_hash_count(size: u64) -> u64 {
    2 * size - u64::from(size.count_ones())
}

fn check_size<E>(size: u64) -> Result<(), TreeError<E>> {
    if size > MAX_TREE_SIZE {
        Err(TreeError::TreeTooLarge(size))
    } else {
        Ok(())
    }
}

/// Checks that there is one hash per stored hash index.
fn check_hash_count<E>(indexes: &[u64], hashes: &[Hash]) -> Result<(), TreeError<E>> {
    if hashes.len() == indexes.len() {
        Ok(())
    } else {
        Err(TreeError::WrongHashCount {
            want: indexes.len(),
            got: hashes.len(),
        })
    }
}

/// Reads `indexes` with one call (none if `indexes` is empty) and checks the
/// number of returned hashes.
fn read_checked<R: HashReader + ?Sized>(
    reader: &R,
    indexes: &[u64],
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = reader.read_hashes(indexes).map_err(TreeError::Storage)?;
    check_hash_count(indexes, &hashes)?;
    Ok(hashes)
}

/// The hashes of newly appended leaves and of the subtrees they complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHashes {
    /// Stored hash index of `hashes[0]`; equals `stored_hash_count(old_size)`.
    pub start_index: u64,
    /// The hashes to persist, at consecutive stored hash indexes.
    pub hashes: Vec<Hash>,
    /// The tree size after the append.
    pub new_size: u64,
}

impl NewHashes {
    /// Iterates over `(stored hash index, hash)` pairs to persist.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &Hash)> + '_ {
        (self.start_index..).zip(self.hashes.iter())
    }
}

/// The stored hash indexes of the "frontier" of a tree of `size` leaves: the
/// roots of its maximal complete subtrees, left to right. These are the only
/// existing hashes needed to append more leaves.
pub fn append_frontier_indexes(size: u64) -> Vec<u64> {
    (0..u64::BITS)
        .rev()
        .filter(|level| size >> level & 1 == 1)
        .map(|level| stored_hash_index(level, (size >> level) - 1))
        .collect()
}

/// Computes the stored hashes to write when appending `leaf_hashes` to a tree
/// of `old_size` leaves, given the frontier hashes read at
/// [`append_frontier_indexes`]`(old_size)` (in that order).
///
/// This is a pure function: the caller reads the frontier, calls it, and writes
/// the result (in one transaction, together with the entries) at
/// [`NewHashes::iter`].
pub fn stored_hashes_for_append_with_frontier<E>(
    old_size: u64,
    frontier: &[Hash],
    leaf_hashes: &[Hash],
) -> Result<NewHashes, TreeError<E>> {
    check_size(old_size)?;
    let new_size = old_size
        .checked_add(leaf_hashes.len() as u64)
        .ok_or(TreeError::TreeTooLarge(u64::MAX))?;
    check_size(new_size)?;
    let want = old_size.count_ones() as usize;
    if frontier.len() != want {
        return Err(TreeError::WrongFrontierLength {
            want,
            got: frontier.len(),
        });
    }
    // Stack of (level, hash) of complete subtrees; levels strictly decrease
    // from bottom to top, matching the set bits of the current size.
    let mut stack: Vec<(u32, Hash)> = (0..u64::BITS)
        .rev()
        .filter(|level| old_size >> level & 1 == 1)
        .zip(frontier.iter().copied())
        .collect();
    let mut hashes = Vec::with_capacity(
        usize::try_from(stored_hash_count(new_size) - stored_hash_count(old_size)).unwrap_or(0),
    );
    for leaf in leaf_hashes {
        let mut h = *leaf;
        hashes.push(h);
        let mut level = 0;
        while let Some(&(l, left)) = stack.last() {
            if l != level {
                break;
            }
            stack.pop();
            h = node_hash(&left, &h);
            hashes.push(h);
            level += 1;
        }
        stack.push((level, h));
    }
    Ok(NewHashes {
        start_index: stored_hash_count(old_size),
        hashes,
        new_size,
    })
}

/// Computes the stored hashes to write when appending `leaf_hashes` to a tree
/// of `old_size` leaves, reading the O(log n) frontier hashes from `reader`
/// with one call. See [`stored_hashes_for_append_with_frontier`].
pub fn stored_hashes_for_append<R: HashReader + ?Sized>(
    old_size: u64,
    leaf_hashes: &[Hash],
    reader: &R,
) -> Result<NewHashes, TreeError<R::Error>> {
    check_size(old_size)?;
    let frontier = read_checked(reader, &append_frontier_indexes(old_size))?;
    stored_hashes_for_append_with_frontier(old_size, &frontier, leaf_hashes)
}

/// Largest power of two strictly less than `n` (for `n >= 2`).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (u64::BITS - 1 - (n - 1).leading_zeros())
}

/// Appends the stored hash indexes of the maximal complete subtrees covering
/// `[lo, hi)`, left to right (Go's `subTreeIndex`). `lo` must be a multiple
/// of the first subtree's width, which holds for all callers (the ranges are
/// right parts of RFC 6962 splits).
fn subtree_indexes(mut lo: u64, hi: u64, need: &mut Vec<u64>) {
    while lo < hi {
        let level = (hi - lo).ilog2();
        need.push(stored_hash_index(level, lo >> level));
        lo += 1 << level;
    }
}

/// Cursor over the hashes at the indexes listed by one of the `*_indexes`
/// functions, consumed in the same order.
struct Hashes<'a> {
    hashes: std::slice::Iter<'a, Hash>,
}

impl<'a> Hashes<'a> {
    fn new(hashes: &'a [Hash]) -> Self {
        Self {
            hashes: hashes.iter(),
        }
    }

    /// Whether every hash has been consumed.
    fn is_done(&self) -> bool {
        self.hashes.len() == 0
    }

    /// Consumes the hashes of the subtrees covering `[lo, hi)` (as listed by
    /// `subtree_indexes`) and folds them into the MTH of that range.
    ///
    /// The callers check the number of hashes first, so the cursor never runs
    /// out; if it did, the missing hashes would read as zeros (no panic).
    fn subtree_hash(&mut self, mut lo: u64, hi: u64) -> Hash {
        let mut parts = Vec::new();
        while lo < hi {
            let level = (hi - lo).ilog2();
            parts.push(self.hashes.next().copied().unwrap_or_default());
            lo += 1 << level;
        }
        let mut iter = parts.into_iter().rev();
        let last = iter.next().unwrap_or_default();
        iter.fold(last, |acc, left| node_hash(&left, &acc))
    }
}

/// Returns the stored hash indexes that [`tree_hash_from_hashes`] needs to
/// compute the root hash of the tree of `size` leaves: the roots of its
/// maximal complete subtrees, left to right (one per set bit of `size`, none
/// for the empty tree).
///
/// The indexes are strictly increasing and all less than
/// [`stored_hash_count`]`(size)`. They depend on `size` alone.
///
/// The function does no I/O; the error type parameter `E` is free (for
/// example [`std::convert::Infallible`], or the storage error type so that the
/// error composes with [`tree_hash`]).
///
/// # Errors
///
/// [`TreeError::TreeTooLarge`] if `size` exceeds [`MAX_TREE_SIZE`].
pub fn tree_hash_indexes<E>(size: u64) -> Result<Vec<u64>, TreeError<E>> {
    check_size(size)?;
    let mut indexes = Vec::new();
    subtree_indexes(0, size, &mut indexes);
    Ok(indexes)
}

/// Computes the root hash of the tree of `size` leaves (RFC 9162 `MTH`) from
/// `hashes`, the stored hashes at the indexes [`tree_hash_indexes`]`(size)`
/// returns, in that order. The empty tree has hash `SHA-256("")`.
///
/// Port of the computation of Go's `tlog.TreeHash`.
///
/// # Errors
///
/// [`TreeError::TreeTooLarge`] if `size` exceeds [`MAX_TREE_SIZE`], and
/// [`TreeError::WrongHashCount`] if `hashes` does not have one hash per index.
pub fn tree_hash_from_hashes<E>(size: u64, hashes: &[Hash]) -> Result<Hash, TreeError<E>> {
    let indexes = tree_hash_indexes(size)?;
    check_hash_count(&indexes, hashes)?;
    if size == 0 {
        return Ok(empty_root());
    }
    let mut cursor = Hashes::new(hashes);
    let root = cursor.subtree_hash(0, size);
    debug_assert!(cursor.is_done());
    Ok(root)
}

/// Computes the root hash of the tree of `size` leaves (RFC 9162 `MTH`) from
/// at most `log2(size) + 1` stored hashes, read with one call (none for the
/// empty tree, whose hash is `SHA-256("")`).
///
/// Equivalent to [`tree_hash_indexes`], one read, then
/// [`tree_hash_from_hashes`]. Port of Go's `tlog.TreeHash`.
pub fn tree_hash<R: HashReader + ?Sized>(
    size: u64,
    reader: &R,
) -> Result<Hash, TreeError<R::Error>> {
    let indexes = tree_hash_indexes(size)?;
    let hashes = read_checked(reader, &indexes)?;
    tree_hash_from_hashes(size, &hashes)
}

/// Indexes needed for the inclusion proof of leaf `index` in `[lo, hi)`
/// (RFC 9162 §2.1.3.1 `PATH`), in the order the proof consumes them.
fn inclusion_indexes(lo: u64, hi: u64, index: u64, need: &mut Vec<u64>) {
    if hi - lo <= 1 {
        return;
    }
    let k = split_point(hi - lo);
    if index < lo + k {
        inclusion_indexes(lo, lo + k, index, need);
        subtree_indexes(lo + k, hi, need);
    } else {
        subtree_indexes(lo, lo + k, need);
        inclusion_indexes(lo + k, hi, index, need);
    }
}

fn inclusion_path(lo: u64, hi: u64, index: u64, hashes: &mut Hashes<'_>, proof: &mut Vec<Hash>) {
    if hi - lo <= 1 {
        return;
    }
    let k = split_point(hi - lo);
    if index < lo + k {
        inclusion_path(lo, lo + k, index, hashes, proof);
        proof.push(hashes.subtree_hash(lo + k, hi));
    } else {
        let left = hashes.subtree_hash(lo, lo + k);
        inclusion_path(lo + k, hi, index, hashes, proof);
        proof.push(left);
    }
}

fn check_inclusion_args<E>(index: u64, size: u64) -> Result<(), TreeError<E>> {
    check_size(size)?;
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    Ok(())
}

/// Returns the stored hash indexes that [`inclusion_proof_from_hashes`] needs
/// for the inclusion proof of leaf `index` in the tree of `size` leaves.
///
/// The indexes are strictly increasing and all less than
/// [`stored_hash_count`]`(size)`; there are O(log size) of them (none for a
/// tree of one leaf). They depend on `index` and `size` alone. The error type
/// parameter `E` is free, as for [`tree_hash_indexes`].
///
/// # Errors
///
/// [`TreeError::TreeTooLarge`] if `size` exceeds [`MAX_TREE_SIZE`], otherwise
/// [`TreeError::IndexOutOfRange`] if `index >= size`.
pub fn inclusion_proof_indexes<E>(index: u64, size: u64) -> Result<Vec<u64>, TreeError<E>> {
    check_inclusion_args(index, size)?;
    let mut indexes = Vec::new();
    inclusion_indexes(0, size, index, &mut indexes);
    Ok(indexes)
}

/// Returns the inclusion proof (RFC 9162 §2.1.3.1 `PATH(m, D[n])`) of leaf
/// `index` in the tree of `size` leaves, ordered from the leaf upwards,
/// computed from `hashes`, the stored hashes at the indexes
/// [`inclusion_proof_indexes`]`(index, size)` returns, in that order.
///
/// Port of the computation of Go's `tlog.ProveRecord`.
///
/// # Errors
///
/// Those of [`inclusion_proof_indexes`], and [`TreeError::WrongHashCount`] if
/// `hashes` does not have one hash per index.
pub fn inclusion_proof_from_hashes<E>(
    index: u64,
    size: u64,
    hashes: &[Hash],
) -> Result<Vec<Hash>, TreeError<E>> {
    let indexes = inclusion_proof_indexes(index, size)?;
    check_hash_count(&indexes, hashes)?;
    let mut cursor = Hashes::new(hashes);
    let mut proof = Vec::new();
    inclusion_path(0, size, index, &mut cursor, &mut proof);
    debug_assert!(cursor.is_done());
    Ok(proof)
}

/// Returns the inclusion proof (RFC 9162 §2.1.3.1 `PATH(m, D[n])`) of leaf
/// `index` in the tree of `size` leaves, ordered from the leaf upwards, reading
/// O(log n) stored hashes with one call (none for a tree of one leaf).
///
/// Equivalent to [`inclusion_proof_indexes`], one read, then
/// [`inclusion_proof_from_hashes`]. Port of Go's `tlog.ProveRecord`.
pub fn inclusion_proof<R: HashReader + ?Sized>(
    index: u64,
    size: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    let indexes = inclusion_proof_indexes(index, size)?;
    let hashes = read_checked(reader, &indexes)?;
    inclusion_proof_from_hashes(index, size, &hashes)
}

/// Indexes needed for RFC 9162 §2.1.4.1 `SUBPROOF(m, D[lo:hi], b)` where `b`
/// is `lo == 0` (the subtree is a prefix of the old tree's path).
fn consistency_indexes(lo: u64, hi: u64, m: u64, need: &mut Vec<u64>) {
    if m == hi {
        if lo != 0 {
            subtree_indexes(lo, hi, need);
        }
        return;
    }
    let k = split_point(hi - lo);
    if m <= lo + k {
        consistency_indexes(lo, lo + k, m, need);
        subtree_indexes(lo + k, hi, need);
    } else {
        subtree_indexes(lo, lo + k, need);
        consistency_indexes(lo + k, hi, m, need);
    }
}

fn consistency_path(lo: u64, hi: u64, m: u64, hashes: &mut Hashes<'_>, proof: &mut Vec<Hash>) {
    if m == hi {
        // SUBPROOF(m, D[m], true) is empty: the verifier knows the old root.
        if lo != 0 {
            proof.push(hashes.subtree_hash(lo, hi));
        }
        return;
    }
    let k = split_point(hi - lo);
    if m <= lo + k {
        consistency_path(lo, lo + k, m, hashes, proof);
        proof.push(hashes.subtree_hash(lo + k, hi));
    } else {
        let left = hashes.subtree_hash(lo, lo + k);
        consistency_path(lo + k, hi, m, hashes, proof);
        proof.push(left);
    }
}

fn check_consistency_args<E>(old_size: u64, new_size: u64) -> Result<(), TreeError<E>> {
    check_size(new_size)?;
    if old_size == 0 || old_size > new_size {
        return Err(TreeError::InvalidSizes {
            old: old_size,
            new: new_size,
        });
    }
    Ok(())
}

/// Returns the stored hash indexes that [`consistency_proof_from_hashes`]
/// needs for the consistency proof between the trees of `old_size` and
/// `new_size` leaves.
///
/// The indexes are strictly increasing and all less than
/// [`stored_hash_count`]`(new_size)`; there are O(log new_size) of them (none
/// when the sizes are equal). They depend on the sizes alone. The error type
/// parameter `E` is free, as for [`tree_hash_indexes`].
///
/// # Errors
///
/// [`TreeError::TreeTooLarge`] if `new_size` exceeds [`MAX_TREE_SIZE`],
/// otherwise [`TreeError::InvalidSizes`] unless `0 < old_size <= new_size`.
pub fn consistency_proof_indexes<E>(
    old_size: u64,
    new_size: u64,
) -> Result<Vec<u64>, TreeError<E>> {
    check_consistency_args(old_size, new_size)?;
    let mut indexes = Vec::new();
    consistency_indexes(0, new_size, old_size, &mut indexes);
    Ok(indexes)
}

/// Returns the consistency proof (RFC 9162 §2.1.4.1 `PROOF(m, D[n])`) between
/// the tree of `old_size` leaves and the tree of `new_size` leaves, computed
/// from `hashes`, the stored hashes at the indexes
/// [`consistency_proof_indexes`]`(old_size, new_size)` returns, in that order.
/// The proof for equal sizes is empty.
///
/// Port of the computation of Go's `tlog.ProveTree`.
///
/// # Errors
///
/// Those of [`consistency_proof_indexes`], and [`TreeError::WrongHashCount`]
/// if `hashes` does not have one hash per index.
pub fn consistency_proof_from_hashes<E>(
    old_size: u64,
    new_size: u64,
    hashes: &[Hash],
) -> Result<Vec<Hash>, TreeError<E>> {
    let indexes = consistency_proof_indexes(old_size, new_size)?;
    check_hash_count(&indexes, hashes)?;
    let mut cursor = Hashes::new(hashes);
    let mut proof = Vec::new();
    consistency_path(0, new_size, old_size, &mut cursor, &mut proof);
    debug_assert!(cursor.is_done());
    Ok(proof)
}

/// Returns the consistency proof (RFC 9162 §2.1.4.1 `PROOF(m, D[n])`) between
/// the tree of `old_size` leaves and the tree of `new_size` leaves, reading
/// O(log n) stored hashes with one call (none for equal sizes).
///
/// Requires `0 < old_size <= new_size`; the proof for equal sizes is empty.
///
/// Equivalent to [`consistency_proof_indexes`], one read, then
/// [`consistency_proof_from_hashes`]. Port of Go's `tlog.ProveTree`.
pub fn consistency_proof<R: HashReader + ?Sized>(
    old_size: u64,
    new_size: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    let indexes = consistency_proof_indexes(old_size, new_size)?;
    let hashes = read_checked(reader, &indexes)?;
    consistency_proof_from_hashes(old_size, new_size, &hashes)
}

/// The error of [`MemoryHashStore`]: a requested hash is not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored hash {0} does not exist")]
pub struct MissingHash(pub u64);

/// An in-memory hash store, for tests and small tools.
///
/// It also counts the hashes read, so tests can check the O(log n) bounds.
#[derive(Debug, Default)]
pub struct MemoryHashStore {
    hashes: Vec<Hash>,
    size: u64,
    reads: AtomicU64,
}

impl MemoryHashStore {
    /// Creates an empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// All stored hashes, by stored hash index.
    pub fn stored_hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The total number of hashes read through [`HashReader::read_hashes`].
    pub fn hashes_read(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Appends leaves (given by their leaf hashes) and stores the new hashes.
    pub fn append(&mut self, leaf_hashes: &[Hash]) -> Result<NewHashes, TreeError<MissingHash>> {
        let new = stored_hashes_for_append(self.size, leaf_hashes, &*self)?;
        debug_assert_eq!(new.start_index, self.hashes.len() as u64);
        self.hashes.extend_from_slice(&new.hashes);
        self.size = new.new_size;
        Ok(new)
    }
}

impl HashReader for MemoryHashStore {
    type Error = MissingHash;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
        self.reads
            .fetch_add(indexes.len() as u64, Ordering::Relaxed);
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|u| self.hashes.get(u))
                    .copied()
                    .ok_or(MissingHash(i))
            })
            .collect()
    }
}

/// A hash store in a `HashMap`, keyed by stored hash index; useful to model
/// a sparse or key-value backend in tests.
impl HashReader for HashMap<u64, Hash> {
    type Error = MissingHash;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
        indexes
            .iter()
            .map(|i| self.get(i).copied().ok_or(MissingHash(*i)))
            .collect()
    }
}

/// The stored hashes at `indexes` of a tree of any size (up to [`MAX_TREE_SIZE`]) whose
/// leaves are all `leaf_hash(b"uniform")`: the hash of a complete subtree depends only on its
/// level, so they are known without building the tree.
#[cfg(test)]
pub(crate) fn uniform_tree_hashes(indexes: &[u64]) -> Vec<Hash> {
    use crate::merkle::leaf_hash;
    let mut by_level = vec![leaf_hash(b"uniform")];
    for level in 1..=62 {
        let h = by_level[level - 1];
        by_level.push(node_hash(&h, &h));
    }
    indexes
        .iter()
        .map(|&i| {
            split_stored_hash_index(i)
                .map(|(level, _)| by_level[level as usize])
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{leaf_hash, root_from_leaf_hashes, verify_consistency, verify_inclusion};

    #[test]
    fn stored_hash_index_matches_go_definition() {
        // Go's loop definition, transcribed.
        fn go_index(level: u32, mut n: u64) -> u64 {
            for _ in 0..level {
                n = 2 * n + 1;
            }
            let mut i = 0;
            while n > 0 {
                i += n;
                n >>= 1;
            }
            i + u64::from(level)
        }
        for level in 0..10 {
            for n in 0..300 {
                let idx = stored_hash_index(level, n);
                assert_eq!(idx, go_index(level, n));
                assert_eq!(split_stored_hash_index(idx), Some((level, n)));
            }
        }
        // The index space is dense: every index splits and maps back.
        for idx in 0..5000 {
            let (level, n) = split_stored_hash_index(idx).unwrap();
            assert_eq!(stored_hash_index(level, n), idx);
        }
        assert_eq!(stored_hash_count(0), 0);
        assert_eq!(stored_hash_count(1), 1);
        assert_eq!(stored_hash_count(2), 3);
        assert_eq!(stored_hash_count(3), 4);
        assert_eq!(stored_hash_count(4), 7);
        // The last stored hash of the largest tree, and beyond.
        let last = stored_hash_count(MAX_TREE_SIZE) - 1;
        assert_eq!(split_stored_hash_index(last), Some((62, 0)));
        assert_eq!(stored_hash_index(62, 0), last);
        assert_eq!(split_stored_hash_index(last + 1), None);
        assert_eq!(split_stored_hash_index(u64::MAX), None);
    }

    #[test]
    fn batch_append_equals_single_appends() {
        let leaves: Vec<Hash> = (0u32..100).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut one_by_one = MemoryHashStore::new();
        for l in &leaves {
            one_by_one.append(std::slice::from_ref(l)).unwrap();
        }
        let mut batched = MemoryHashStore::new();
        for chunk in [
            &leaves[..7],
            &leaves[7..8],
            &leaves[8..8],
            &leaves[8..64],
            &leaves[64..],
        ] {
            let new = batched.append(chunk).unwrap();
            assert_eq!(new.new_size, batched.size());
        }
        assert_eq!(one_by_one.stored_hashes(), batched.stored_hashes());
        assert_eq!(batched.stored_hashes().len() as u64, stored_hash_count(100));
        // Every stored hash is the MTH of its subtree.
        for (idx, h) in batched.stored_hashes().iter().enumerate() {
            let (level, n) = split_stored_hash_index(idx as u64).unwrap();
            let lo = (n << level) as usize;
            let hi = ((n + 1) << level) as usize;
            assert_eq!(*h, root_from_leaf_hashes(&leaves[lo..hi]), "index {idx}");
        }
    }

    #[test]
    fn proofs_with_hashmap_store() {
        let leaves: Vec<Hash> = (0u32..21).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut mem = MemoryHashStore::new();
        mem.append(&leaves).unwrap();
        let map: HashMap<u64, Hash> = mem
            .stored_hashes()
            .iter()
            .enumerate()
            .map(|(i, h)| (i as u64, *h))
            .collect();
        let root = tree_hash(21, &map).unwrap();
        assert_eq!(root, root_from_leaf_hashes(&leaves));
        let p = inclusion_proof(5, 21, &map).unwrap();
        verify_inclusion(&leaves[5], 5, 21, &p, &root).unwrap();
        let old = tree_hash(13, &map).unwrap();
        let c = consistency_proof(13, 21, &map).unwrap();
        verify_consistency(13, 21, &c, &old, &root).unwrap();
    }

    #[test]
    fn argument_errors() {
        let mut mem = MemoryHashStore::new();
        mem.append(&[leaf_hash(b"a"), leaf_hash(b"b")]).unwrap();
        assert!(matches!(
            inclusion_proof(2, 2, &mem),
            Err(TreeError::IndexOutOfRange { index: 2, size: 2 })
        ));
        assert!(matches!(
            consistency_proof(0, 2, &mem),
            Err(TreeError::InvalidSizes { old: 0, new: 2 })
        ));
        assert!(matches!(
            consistency_proof(3, 2, &mem),
            Err(TreeError::InvalidSizes { old: 3, new: 2 })
        ));
        assert!(matches!(
            tree_hash(3, &mem),
            Err(TreeError::Storage(MissingHash(_)))
        ));
        assert!(matches!(
            tree_hash(MAX_TREE_SIZE + 1, &mem),
            Err(TreeError::TreeTooLarge(_))
        ));
        assert!(matches!(
            stored_hashes_for_append_with_frontier::<MissingHash>(3, &[], &[]),
            Err(TreeError::WrongFrontierLength { want: 2, got: 0 })
        ));
        assert_eq!(consistency_proof(2, 2, &mem).unwrap(), Vec::<Hash>::new());
    }

    type Never = std::convert::Infallible;

    /// The stored hashes of `mem` at `indexes`, in that order.
    fn hashes_at(mem: &MemoryHashStore, indexes: &[u64]) -> Vec<Hash> {
        indexes
            .iter()
            .map(|&i| mem.stored_hashes()[i as usize])
            .collect()
    }

    /// Small cases checked by hand against RFC 9162 §2.1.3.1 and §2.1.4.1.
    /// Stored hash indexes: (0,0)=0 (0,1)=1 (1,0)=2 (0,2)=3 (0,3)=4 (1,1)=5
    /// (2,0)=6 (0,4)=7.
    #[test]
    fn indexes_by_hand() {
        assert_eq!(tree_hash_indexes::<Never>(0).unwrap(), Vec::<u64>::new());
        assert_eq!(tree_hash_indexes::<Never>(1).unwrap(), [0]);
        assert_eq!(tree_hash_indexes::<Never>(3).unwrap(), [2, 3]);
        assert_eq!(tree_hash_indexes::<Never>(4).unwrap(), [6]);
        assert_eq!(tree_hash_indexes::<Never>(5).unwrap(), [6, 7]);
        assert_eq!(
            inclusion_proof_indexes::<Never>(0, 1).unwrap(),
            Vec::<u64>::new()
        );
        // PATH(0, D[3]) = [leaf 1, leaf 2]; PATH(2, D[3]) = [MTH(D[0:2])].
        assert_eq!(inclusion_proof_indexes::<Never>(0, 3).unwrap(), [1, 3]);
        assert_eq!(inclusion_proof_indexes::<Never>(2, 3).unwrap(), [2]);
        // PATH(4, D[5]) = [MTH(D[0:4])].
        assert_eq!(inclusion_proof_indexes::<Never>(4, 5).unwrap(), [6]);
        // PROOF(2, D[3]) = [leaf 2]; PROOF(3, D[4]) = [leaf 2, leaf 3, MTH(D[0:2])].
        assert_eq!(consistency_proof_indexes::<Never>(2, 3).unwrap(), [3]);
        assert_eq!(consistency_proof_indexes::<Never>(3, 4).unwrap(), [2, 3, 4]);
        assert_eq!(
            consistency_proof_indexes::<Never>(4, 4).unwrap(),
            Vec::<u64>::new()
        );
        // The largest tree.
        let top = stored_hash_index(62, 0);
        assert_eq!(tree_hash_indexes::<Never>(MAX_TREE_SIZE).unwrap(), [top]);
        assert_eq!(
            consistency_proof_indexes::<Never>(MAX_TREE_SIZE, MAX_TREE_SIZE).unwrap(),
            Vec::<u64>::new()
        );
        assert_eq!(
            inclusion_proof_indexes::<Never>(MAX_TREE_SIZE - 1, MAX_TREE_SIZE)
                .unwrap()
                .len(),
            62
        );
    }

    /// Sizes 1, powers of two and one past them, the first and last leaf, and
    /// `old` at 1, just below a power of two and at `size`: the indexes-first
    /// pairs agree with the reader-based functions and with the roots and proofs
    /// computed from the leaves.
    #[test]
    fn indexes_first_edge_cases() {
        let leaves: Vec<Hash> = (0u32..1025).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut mem = MemoryHashStore::new();
        mem.append(&leaves).unwrap();
        let root = |size: u64| root_from_leaf_hashes(&leaves[..size as usize]);

        assert_eq!(
            tree_hash_from_hashes::<Never>(0, &[]).unwrap(),
            root_from_leaf_hashes(&[])
        );
        for size in [
            1u64, 2, 3, 4, 5, 8, 9, 16, 17, 255, 256, 257, 512, 513, 1024, 1025,
        ] {
            let idx = tree_hash_indexes::<Never>(size).unwrap();
            let got = tree_hash_from_hashes::<Never>(size, &hashes_at(&mem, &idx)).unwrap();
            assert_eq!(got, root(size), "tree hash {size}");
            assert_eq!(got, tree_hash(size, &mem).unwrap());

            for n in [0, size / 2, size - 1] {
                let idx = inclusion_proof_indexes::<Never>(n, size).unwrap();
                let proof =
                    inclusion_proof_from_hashes::<Never>(n, size, &hashes_at(&mem, &idx)).unwrap();
                assert_eq!(proof, inclusion_proof(n, size, &mem).unwrap());
                verify_inclusion(&leaves[n as usize], n, size, &proof, &root(size))
                    .unwrap_or_else(|e| panic!("inclusion {n} in {size}: {e}"));
            }

            let pow = if size.is_power_of_two() {
                size
            } else {
                size.next_power_of_two() / 2
            };
            for old in [1, pow.saturating_sub(1).max(1), pow, size - 1, size] {
                if old == 0 {
                    continue;
                }
                let idx = consistency_proof_indexes::<Never>(old, size).unwrap();
                let proof =
                    consistency_proof_from_hashes::<Never>(old, size, &hashes_at(&mem, &idx))
                        .unwrap();
                assert_eq!(proof, consistency_proof(old, size, &mem).unwrap());
                verify_consistency(old, size, &proof, &root(old), &root(size))
                    .unwrap_or_else(|e| panic!("consistency {old} -> {size}: {e}"));
                if old == size {
                    assert!(idx.is_empty() && proof.is_empty());
                }
            }
        }
        // Size 1: no hash needed, empty proofs.
        assert!(
            inclusion_proof_from_hashes::<Never>(0, 1, &[])
                .unwrap()
                .is_empty()
        );
        assert!(
            consistency_proof_from_hashes::<Never>(1, 1, &[])
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            tree_hash_from_hashes::<Never>(1, &[leaves[0]]).unwrap(),
            leaves[0]
        );
    }

    /// The argument errors of the indexes-first functions are those of the
    /// reader-based functions, in the same precedence.
    #[test]
    fn indexes_first_argument_errors() {
        let mut mem = MemoryHashStore::new();
        mem.append(&[leaf_hash(b"a"), leaf_hash(b"b")]).unwrap();
        let too_large = MAX_TREE_SIZE + 1;

        for size in [too_large, u64::MAX] {
            assert!(matches!(
                tree_hash_indexes::<Never>(size),
                Err(TreeError::TreeTooLarge(s)) if s == size
            ));
            assert!(matches!(
                tree_hash_from_hashes::<Never>(size, &[]),
                Err(TreeError::TreeTooLarge(s)) if s == size
            ));
            // Too large wins over an out-of-range index, as in inclusion_proof.
            for n in [0, size - 1, size] {
                assert!(matches!(
                    inclusion_proof_indexes::<Never>(n, size),
                    Err(TreeError::TreeTooLarge(s)) if s == size
                ));
                assert!(matches!(
                    inclusion_proof_from_hashes::<Never>(n, size, &[]),
                    Err(TreeError::TreeTooLarge(s)) if s == size
                ));
                assert!(matches!(
                    inclusion_proof(n, size, &mem),
                    Err(TreeError::TreeTooLarge(s)) if s == size
                ));
            }
            for old in [0, 1, size] {
                assert!(matches!(
                    consistency_proof_indexes::<Never>(old, size),
                    Err(TreeError::TreeTooLarge(s)) if s == size
                ));
                assert!(matches!(
                    consistency_proof_from_hashes::<Never>(old, size, &[]),
                    Err(TreeError::TreeTooLarge(s)) if s == size
                ));
                assert!(matches!(
                    consistency_proof(old, size, &mem),
                    Err(TreeError::TreeTooLarge(s)) if s == size
                ));
            }
        }

        fn out_of_range<T, E>(r: &Result<T, TreeError<E>>, n: u64, size: u64) -> bool {
            matches!(r, Err(TreeError::IndexOutOfRange { index, size: s }) if *index == n && *s == size)
        }
        fn invalid<T, E>(r: &Result<T, TreeError<E>>, old: u64, size: u64) -> bool {
            matches!(r, Err(TreeError::InvalidSizes { old: o, new }) if *o == old && *new == size)
        }

        // n >= size, including the empty tree.
        for (n, size) in [
            (0u64, 0u64),
            (1, 1),
            (2, 2),
            (5, 2),
            (MAX_TREE_SIZE, MAX_TREE_SIZE),
        ] {
            assert!(out_of_range(
                &inclusion_proof_indexes::<Never>(n, size),
                n,
                size
            ));
            assert!(out_of_range(
                &inclusion_proof_from_hashes::<Never>(n, size, &[]),
                n,
                size
            ));
            assert!(out_of_range(&inclusion_proof(n, size, &mem), n, size));
        }

        // old == 0 and old > size.
        for (old, size) in [(0u64, 0u64), (0, 2), (3, 2), (1, 0), (MAX_TREE_SIZE, 1)] {
            assert!(invalid(
                &consistency_proof_indexes::<Never>(old, size),
                old,
                size
            ));
            assert!(invalid(
                &consistency_proof_from_hashes::<Never>(old, size, &[]),
                old,
                size
            ));
            assert!(invalid(&consistency_proof(old, size, &mem), old, size));
        }
    }

    /// A hash slice of the wrong length is an error, never a panic, and a
    /// reader returning the wrong number of hashes gives the same error.
    #[test]
    fn from_hashes_rejects_wrong_length() {
        let leaves: Vec<Hash> = (0u32..21).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut mem = MemoryHashStore::new();
        mem.append(&leaves).unwrap();
        let wrong = |r: Result<(), TreeError<Never>>, want: usize, got: usize| {
            assert!(
                matches!(r, Err(TreeError::WrongHashCount { want: w, got: g }) if w == want && g == got),
                "want {want} got {got}"
            );
        };
        for size in [0u64, 1, 2, 13, 16, 21] {
            let idx = tree_hash_indexes::<Never>(size).unwrap();
            let all = hashes_at(&mem, &idx);
            for got in [0, idx.len().saturating_sub(1), idx.len() + 1, idx.len() + 5] {
                if got == idx.len() {
                    continue;
                }
                let hashes = vec![leaves[0]; got];
                wrong(
                    tree_hash_from_hashes(size, &hashes).map(drop),
                    idx.len(),
                    got,
                );
            }
            assert!(tree_hash_from_hashes::<Never>(size, &all).is_ok());
            for n in 0..size {
                let idx = inclusion_proof_indexes::<Never>(n, size).unwrap();
                for got in [0, idx.len().saturating_sub(1), idx.len() + 1] {
                    if got == idx.len() {
                        continue;
                    }
                    let hashes = vec![leaves[0]; got];
                    wrong(
                        inclusion_proof_from_hashes(n, size, &hashes).map(drop),
                        idx.len(),
                        got,
                    );
                }
            }
            for old in 1..=size {
                let idx = consistency_proof_indexes::<Never>(old, size).unwrap();
                for got in [0, idx.len().saturating_sub(1), idx.len() + 1] {
                    if got == idx.len() {
                        continue;
                    }
                    let hashes = vec![leaves[0]; got];
                    wrong(
                        consistency_proof_from_hashes(old, size, &hashes).map(drop),
                        idx.len(),
                        got,
                    );
                }
            }
        }

        /// Returns one hash too few.
        struct Short<'a>(&'a MemoryHashStore);
        impl HashReader for Short<'_> {
            type Error = MissingHash;
            fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
                let mut hashes = self.0.read_hashes(indexes)?;
                hashes.pop();
                Ok(hashes)
            }
        }
        let short = Short(&mem);
        assert!(matches!(
            tree_hash(21, &short),
            Err(TreeError::WrongHashCount { want: 3, got: 2 })
        ));
        assert!(matches!(
            inclusion_proof(3, 21, &short),
            Err(TreeError::WrongHashCount { want: 6, got: 5 })
        ));
        assert!(matches!(
            consistency_proof(13, 21, &short),
            Err(TreeError::WrongHashCount { .. })
        ));
    }

    /// In a tree whose leaves are all equal, the hash of a complete subtree
    /// depends only on its level, so every stored hash of a tree of any size up
    /// to `MAX_TREE_SIZE` is known without building it. Proofs in such trees
    /// near the size limit verify.
    #[test]
    fn indexes_first_in_huge_uniform_trees() {
        let leaf = leaf_hash(b"uniform");
        let at = |indexes: &[u64]| uniform_tree_hashes(indexes);
        let root = |size: u64| {
            let idx = tree_hash_indexes::<Never>(size).unwrap();
            tree_hash_from_hashes::<Never>(size, &at(&idx)).unwrap()
        };
        // Check the root function itself on a small size.
        assert_eq!(root(7), root_from_leaf_hashes(&[leaf; 7]));
        let m = MAX_TREE_SIZE;
        for size in [
            m,
            m - 1,
            m / 2 + 1,
            m / 2,
            m / 2 - 1,
            (1 << 40) + 12345,
            3 << 60,
        ] {
            for n in [0, 1, size / 2, size / 3 * 2, size - 2, size - 1] {
                let idx = inclusion_proof_indexes::<Never>(n, size).unwrap();
                let proof = inclusion_proof_from_hashes::<Never>(n, size, &at(&idx)).unwrap();
                verify_inclusion(&leaf, n, size, &proof, &root(size))
                    .unwrap_or_else(|e| panic!("inclusion {n} in {size}: {e}"));
            }
            for old in [1, 2, 3, size / 2, size / 2 + 1, size - 1, size] {
                let idx = consistency_proof_indexes::<Never>(old, size).unwrap();
                let proof = consistency_proof_from_hashes::<Never>(old, size, &at(&idx)).unwrap();
                verify_consistency(old, size, &proof, &root(old), &root(size))
                    .unwrap_or_else(|e| panic!("consistency {old} -> {size}: {e}"));
            }
        }
    }

    /// A digest of every tree hash, inclusion proof and consistency proof of
    /// the trees of 1 to 64 leaves, and of all proofs in some larger trees
    /// around powers of two. The constant was computed with the reader-based
    /// implementation as it was before the indexes-first functions existed,
    /// so it pins the proofs to that behaviour.
    #[test]
    fn proofs_match_pinned_digest() {
        use sha2::{Digest, Sha256};
        let leaves: Vec<Hash> = (0u32..1025)
            .map(|i| leaf_hash(format!("pinned {i}").as_bytes()))
            .collect();
        let mut mem = MemoryHashStore::new();
        mem.append(&leaves).unwrap();
        let mut digest = Sha256::new();
        let sizes = (1u64..=64).chain([
            127, 128, 129, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025,
        ]);
        for size in sizes {
            digest.update(size.to_be_bytes());
            digest.update(tree_hash(size, &mem).unwrap().0);
            for index in 0..size {
                for h in inclusion_proof(index, size, &mem).unwrap() {
                    digest.update(h.0);
                }
            }
            for old in 1..=size {
                for h in consistency_proof(old, size, &mem).unwrap() {
                    digest.update(h.0);
                }
            }
        }
        let got = hex::encode(digest.finalize());
        assert_eq!(
            got,
            "b005b37727e8b1862f9301b6171d2c058087ebedf81910698d81042c26ecdce2"
        );
    }

    #[test]
    fn reads_are_logarithmic() {
        let leaves: Vec<Hash> = (0u32..3000).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut mem = MemoryHashStore::new();
        mem.append(&leaves).unwrap();
        for &(a, b) in &[
            (0u64, 3000u64),
            (1234, 2999),
            (2047, 2048),
            (1, 3000),
            (2999, 3000),
        ] {
            let before = mem.hashes_read();
            let _ = inclusion_proof(a, b, &mem).unwrap();
            assert!(
                mem.hashes_read() - before <= 2 * 12 + 2,
                "inclusion {a} {b}"
            );
            let before = mem.hashes_read();
            if a > 0 {
                let _ = consistency_proof(a, b, &mem).unwrap();
                assert!(
                    mem.hashes_read() - before <= 2 * 12 + 2,
                    "consistency {a} {b}"
                );
            }
            let before = mem.hashes_read();
            let _ = tree_hash(b, &mem).unwrap();
            assert!(mem.hashes_read() - before <= 12);
        }
    }
}
