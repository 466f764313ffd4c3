//! Exhaustive and property-based tests of proofs, stored hashes, tiles,
//! notes and checkpoints.

use std::sync::OnceLock;

use proptest::prelude::*;

use crate::checkpoint::Checkpoint;
use crate::merkle::{Hash, leaf_hash, root_from_leaf_hashes, verify_consistency, verify_inclusion};
use crate::note::{NoteSigner, open_note};
use crate::stored::{
    MemoryHashStore, consistency_proof, inclusion_proof, stored_hash_count, tree_hash,
};
use crate::tile::{Tile, TileResource, decode_entry_bundle, encode_entry_bundle, parse_tile_path};

const MAX: u64 = 300;

struct Fixture {
    store: MemoryHashStore,
    leaves: Vec<Hash>,
    /// roots[n] is the root of the tree of the first n leaves.
    roots: Vec<Hash>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let leaves: Vec<Hash> = (0..MAX)
            .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
            .collect();
        let mut store = MemoryHashStore::new();
        store.append(&leaves).unwrap();
        let roots = (0..=MAX as usize)
            .map(|n| root_from_leaf_hashes(&leaves[..n]))
            .collect();
        Fixture {
            store,
            leaves,
            roots,
        }
    })
}

fn proof_len_bound(size: u64) -> usize {
    // ceil(log2(size)) for inclusion, +1 for consistency.
    (u64::BITS - size.saturating_sub(1).leading_zeros()) as usize + 1
}

#[test]
fn every_inclusion_proof_verifies() {
    let f = fixture();
    for size in 1..=MAX {
        assert_eq!(tree_hash(size, &f.store).unwrap(), f.roots[size as usize]);
        for index in 0..size {
            let proof = inclusion_proof(index, size, &f.store).unwrap();
            assert!(proof.len() < proof_len_bound(size));
            verify_inclusion(
                &f.leaves[index as usize],
                index,
                size,
                &proof,
                &f.roots[size as usize],
            )
            .unwrap_or_else(|e| panic!("inclusion {index} in {size}: {e}"));
        }
    }
}

#[test]
fn every_consistency_proof_verifies() {
    let f = fixture();
    for new in 1..=MAX {
        for old in 1..=new {
            let proof = consistency_proof(old, new, &f.store).unwrap();
            assert!(proof.len() <= proof_len_bound(new));
            verify_consistency(
                old,
                new,
                &proof,
                &f.roots[old as usize],
                &f.roots[new as usize],
            )
            .unwrap_or_else(|e| panic!("consistency {old} -> {new}: {e}"));
        }
        assert!(consistency_proof(0, new, &f.store).is_err());
    }
}

/// A proof verifies for a claim (leaf, index, size, root) only if it is the
/// correct proof of that claim.
#[test]
fn inclusion_proofs_do_not_verify_other_claims() {
    let f = fixture();
    const N: u64 = 40;
    for size in 1..=N {
        for index in 0..size {
            let proof = inclusion_proof(index, size, &f.store).unwrap();
            for other_size in 1..=N {
                let root = &f.roots[other_size as usize];
                for other_index in 0..other_size {
                    if (other_index, other_size) == (index, size) {
                        continue;
                    }
                    let leaf = &f.leaves[other_index as usize];
                    assert!(
                        verify_inclusion(leaf, other_index, other_size, &proof, root).is_err(),
                        "proof of {index} in {size} accepted for {other_index} in {other_size}"
                    );
                }
                // The right position with the wrong leaf.
                if index < other_size {
                    let wrong_leaf = &f.leaves[((index + 1) % other_size) as usize];
                    if other_size > 1 {
                        assert!(
                            verify_inclusion(wrong_leaf, index, other_size, &proof, root).is_err()
                        );
                    }
                }
            }
            // Out-of-range indexes are rejected before any hashing.
            assert!(
                verify_inclusion(&f.leaves[0], size, size, &proof, &f.roots[size as usize])
                    .is_err()
            );
        }
    }
}

#[test]
fn consistency_proofs_do_not_verify_other_claims() {
    let f = fixture();
    const N: u64 = 24;
    for new in 1..=N {
        for old in 1..=new {
            let proof = consistency_proof(old, new, &f.store).unwrap();
            for other_new in 1..=N {
                for other_old in 0..=other_new + 1 {
                    if (other_old, other_new) == (old, new) {
                        continue;
                    }
                    // Equal sizes with an empty proof are a true claim.
                    if proof.is_empty() && other_old == other_new {
                        continue;
                    }
                    let old_root = &f.roots[other_old.min(MAX) as usize];
                    let new_root = &f.roots[other_new as usize];
                    assert!(
                        verify_consistency(other_old, other_new, &proof, old_root, new_root)
                            .is_err(),
                        "proof {old}->{new} accepted for {other_old}->{other_new}"
                    );
                }
            }
            if old < new {
                // Swapped roots and roots of the wrong sizes.
                assert!(
                    verify_consistency(
                        old,
                        new,
                        &proof,
                        &f.roots[new as usize],
                        &f.roots[old as usize]
                    )
                    .is_err()
                );
                assert!(
                    verify_consistency(
                        old,
                        new,
                        &proof,
                        &f.roots[old as usize - 1],
                        &f.roots[new as usize]
                    )
                    .is_err()
                );
            }
        }
    }
}

fn flip(h: &mut Hash, bit: usize) {
    h.0[bit / 8] ^= 1 << (bit % 8);
}

proptest! {
    #[test]
    fn flipped_bit_in_inclusion_proof_fails(size in 2..=MAX, index_seed: u64, elem_seed: usize, bit in 0usize..256) {
        let f = fixture();
        let index = index_seed % size;
        let mut proof = inclusion_proof(index, size, &f.store).unwrap();
        let root = f.roots[size as usize];
        let leaf = f.leaves[index as usize];
        let elem = elem_seed % proof.len();
        flip(&mut proof[elem], bit);
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &root).is_err());
        flip(&mut proof[elem], bit);
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &root).is_ok());
        let mut bad_root = root;
        flip(&mut bad_root, bit);
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &bad_root).is_err());
        let mut bad_leaf = leaf;
        flip(&mut bad_leaf, bit);
        prop_assert!(verify_inclusion(&bad_leaf, index, size, &proof, &root).is_err());
        // Dropping or adding an element fails too.
        prop_assert!(verify_inclusion(&leaf, index, size, &proof[1..], &root).is_err());
        let mut longer = proof.clone();
        longer.push(root);
        prop_assert!(verify_inclusion(&leaf, index, size, &longer, &root).is_err());
    }

    #[test]
    fn flipped_bit_in_consistency_proof_fails(new in 2..=MAX, old_seed: u64, elem_seed: usize, bit in 0usize..256) {
        let f = fixture();
        let old = 1 + old_seed % (new - 1);
        let mut proof = consistency_proof(old, new, &f.store).unwrap();
        let old_root = f.roots[old as usize];
        let new_root = f.roots[new as usize];
        let elem = elem_seed % proof.len();
        flip(&mut proof[elem], bit);
        prop_assert!(verify_consistency(old, new, &proof, &old_root, &new_root).is_err());
        flip(&mut proof[elem], bit);
        prop_assert!(verify_consistency(old, new, &proof, &old_root, &new_root).is_ok());
        let mut bad = old_root;
        flip(&mut bad, bit);
        prop_assert!(verify_consistency(old, new, &proof, &bad, &new_root).is_err());
        let mut bad = new_root;
        flip(&mut bad, bit);
        prop_assert!(verify_consistency(old, new, &proof, &old_root, &bad).is_err());
        prop_assert!(verify_consistency(old, new, &proof[..proof.len() - 1], &old_root, &new_root).is_err());
    }

    #[test]
    fn batched_appends_match_reference(chunks in proptest::collection::vec(0usize..40, 0..12)) {
        let mut store = MemoryHashStore::new();
        let mut leaves = Vec::new();
        for (c, n) in chunks.iter().enumerate() {
            let batch: Vec<Hash> = (0..*n).map(|i| leaf_hash(format!("{c}/{i}").as_bytes())).collect();
            let new = store.append(&batch).unwrap();
            prop_assert_eq!(new.start_index, stored_hash_count(leaves.len() as u64));
            leaves.extend(batch);
            prop_assert_eq!(store.stored_hashes().len() as u64, stored_hash_count(leaves.len() as u64));
            prop_assert_eq!(tree_hash(leaves.len() as u64, &store).unwrap(), root_from_leaf_hashes(&leaves));
        }
    }

    #[test]
    fn checkpoint_round_trip(
        origin in "[a-z0-9.]{1,20}(/[a-z0-9-]{1,10}){0,3}",
        size: u64,
        root: [u8; 32],
        extensions in proptest::collection::vec("[ -~]{1,30}", 0..3),
        seed: [u8; 32],
    ) {
        let cp = Checkpoint { origin: origin.clone(), size, root_hash: Hash(root), extensions };
        let text = cp.to_text().unwrap();
        prop_assert_eq!(&Checkpoint::from_text(&text).unwrap(), &cp);
        let signer = NoteSigner::from_seed(&origin, &seed).unwrap();
        let signed = cp.sign([&signer]).unwrap();
        let (opened, note) = Checkpoint::open(&signed, &origin, &[signer.verifier()]).unwrap();
        prop_assert_eq!(&opened, &cp);
        prop_assert_eq!(note.text, text);
    }

    #[test]
    fn parsers_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let s = String::from_utf8_lossy(&data);
        let _ = open_note(&data, &[]);
        let _ = Checkpoint::from_text(&s);
        let _ = parse_tile_path(&s);
        let _ = decode_entry_bundle(&data);
    }

    #[test]
    fn tile_paths_round_trip(level in 0u8..=63, index: u64, width in 1u16..=256) {
        let tile = Tile::new(level, index, width).unwrap();
        prop_assert_eq!(parse_tile_path(&tile.path()), Ok(TileResource::Hashes(tile)));
        if let Some(entries) = tile.entries_path() {
            prop_assert_eq!(parse_tile_path(&entries), Ok(TileResource::Entries(tile)));
        }
    }

    #[test]
    fn entry_bundles_round_trip(entries in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..=256)) {
        let data = encode_entry_bundle(&entries).unwrap();
        let decoded = decode_entry_bundle(&data).unwrap();
        prop_assert_eq!(decoded, entries.iter().map(Vec::as_slice).collect::<Vec<_>>());
    }
}
