//! Pure transparency-log primitives for Undersigned: every letter has a
//! public, tamper-evident, append-only log of its signatures.
//!
//! This crate does no I/O and has no async code. It provides:
//!
//! * **Merkle tree hashing** as in RFC 6962 / RFC 9162 ([`leaf_hash`],
//!   [`node_hash`], [`empty_root`], [`root_from_leaf_hashes`]), and
//!   verification of inclusion and consistency proofs exactly as RFC 9162
//!   §2.1.3.2 and §2.1.4.2 describe it ([`verify_inclusion`],
//!   [`verify_consistency`], errors in [`VerifyError`]).
//! * **Stored hashes**: the hash of every complete subtree, addressed by a
//!   dense *stored hash index* ([`stored_hash_index`]), the layout of Go's
//!   `golang.org/x/mod/sumdb/tlog`. Storage is abstracted by the
//!   [`HashReader`] trait. Appending a batch of leaves yields the exact new
//!   hashes to persist ([`stored_hashes_for_append`], or the pure
//!   [`stored_hashes_for_append_with_frontier`]); [`tree_hash`],
//!   [`inclusion_proof`] and [`consistency_proof`] each make one read of
//!   O(log n) stored hashes and never rebuild the tree. Each is also split
//!   into a pure pair for callers that fetch hashes themselves (for example
//!   asynchronously): [`inclusion_proof_indexes`] lists the stored hashes
//!   needed and [`inclusion_proof_from_hashes`] computes the proof from them
//!   (likewise [`tree_hash_indexes`] / [`tree_hash_from_hashes`] and
//!   [`consistency_proof_indexes`] / [`consistency_proof_from_hashes`]).
//!   [`MemoryHashStore`] is an in-memory store.
//! * **Tiles** of c2sp.org/tlog-tiles (height 8): [`Tile`] coordinates and
//!   paths (`tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`),
//!   [`parse_tile_path`], [`new_tiles`] (what to publish after an append),
//!   [`read_tile`] (tile contents from stored hashes) and entry bundles
//!   ([`encode_entry_bundle`], [`decode_entry_bundle`]).
//! * **Signed notes** of c2sp.org/signed-note with Ed25519 ([`NoteSigner`],
//!   [`NoteVerifier`], [`sign_note`], [`open_note`]) and **checkpoints** of
//!   c2sp.org/tlog-checkpoint ([`Checkpoint`]).
//!
//! The stored-hash and proof code is a port of the design of Go's
//! `golang.org/x/mod/sumdb/tlog` and the note code follows
//! `golang.org/x/mod/sumdb/note`, both Copyright 2019 The Go Authors and
//! licensed under the BSD-3-Clause licence.
//!
//! # Example
//!
//! ```
//! use undersigned_tlog::{
//!     Checkpoint, MemoryHashStore, NoteSigner, consistency_proof, inclusion_proof, leaf_hash,
//!     tree_hash, verify_consistency, verify_inclusion,
//! };
//!
//! // Append entries; a database layer would persist `new.iter()` instead.
//! let entries: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i]).collect();
//! let leaves: Vec<_> = entries.iter().map(|e| leaf_hash(e)).collect();
//! let mut store = MemoryHashStore::new();
//! let new = store.append(&leaves[..6])?;
//! assert_eq!(new.start_index, 0);
//! store.append(&leaves[6..])?;
//!
//! // Tree heads, and proofs from O(log n) stored hashes.
//! let old_root = tree_hash(6, &store)?;
//! let root = tree_hash(10, &store)?;
//! let proof = inclusion_proof(3, 10, &store)?;
//! verify_inclusion(&leaves[3], 3, 10, &proof, &root)?;
//! let proof = consistency_proof(6, 10, &store)?;
//! verify_consistency(6, 10, &proof, &old_root, &root)?;
//!
//! // A signed checkpoint.
//! let signer = NoteSigner::from_seed("example.com/letter/1", &[7; 32])?;
//! let signed = Checkpoint::new("example.com/letter/1", 10, root).sign([&signer])?;
//! let (checkpoint, _note) =
//!     Checkpoint::open(&signed, "example.com/letter/1", &[signer.verifier()])?;
//! assert_eq!(checkpoint.size, 10);
//! assert_eq!(checkpoint.root_hash, root);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod checkpoint;
pub mod merkle;
pub mod note;
pub mod stored;
pub mod tile;

#[cfg(test)]
mod proptests;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use merkle::{
    HASH_SIZE, Hash, HashParseError, VerifyError, empty_root, leaf_hash, node_hash,
    root_from_inclusion_proof, root_from_leaf_hashes, verify_consistency, verify_inclusion,
};
pub use note::{
    KeyError, NoteError, NoteSignature, NoteSigner, NoteVerifier, SignedNote, ed25519_key_id,
    open_note, sign_note,
};
pub use stored::{
    HashReader, MAX_TREE_SIZE, MemoryHashStore, MissingHash, NewHashes, TreeError,
    append_frontier_indexes, consistency_proof, consistency_proof_from_hashes,
    consistency_proof_indexes, inclusion_proof, inclusion_proof_from_hashes,
    inclusion_proof_indexes, split_stored_hash_index, stored_hash_count, stored_hash_index,
    stored_hashes_for_append, stored_hashes_for_append_with_frontier, tree_hash,
    tree_hash_from_hashes, tree_hash_indexes,
};
pub use tile::{
    Tile, TileError, TileResource, decode_entry_bundle, encode_entry_bundle, entry_bundle_path,
    new_tiles, parse_tile_path, read_tile, tile_hashes,
};
