//! Exhaustive and property-based tests of proofs, stored hashes, tiles,
//! notes and checkpoints.

use std::cell::RefCell;
use std::convert::Infallible;
use std::sync::OnceLock;

use proptest::prelude::*;

use crate::checkpoint::Checkpoint;
use crate::merkle::{Hash, leaf_hash, root_from_leaf_hashes, verify_consistency, verify_inclusion};
use crate::note::{NoteSigner, open_note};
use crate::stored::{
    HashReader, MAX_TREE_SIZE, MemoryHashStore, MissingHash, TreeError, consistency_proof,
    consistency_proof_from_hashes, consistency_proof_indexes, inclusion_proof,
    inclusion_proof_from_hashes, inclusion_proof_indexes, stored_hash_count, tree_hash,
    tree_hash_from_hashes, tree_hash_indexes,
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

/// The stored hashes of `store` at `indexes`, in that order.
fn hashes_at(store: &MemoryHashStore, indexes: &[u64]) -> Vec<Hash> {
    indexes
        .iter()
        .map(|&i| store.stored_hashes()[i as usize])
        .collect()
}

/// Largest power of two strictly less than `n`.
fn split(n: usize) -> usize {
    (n - 1).next_power_of_two() / if (n - 1).is_power_of_two() { 1 } else { 2 }
}

/// RFC 9162 §2.1.3.1 `PATH(m, D[n])`, computed from the leaves.
fn reference_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    if leaves.len() <= 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    let (mut path, sibling) = if m < k {
        (reference_path(m, &leaves[..k]), &leaves[k..])
    } else {
        (reference_path(m - k, &leaves[k..]), &leaves[..k])
    };
    path.push(root_from_leaf_hashes(sibling));
    path
}

/// RFC 9162 §2.1.4.1 `SUBPROOF(m, D[n], b)`, computed from the leaves.
fn reference_subproof(m: usize, leaves: &[Hash], b: bool) -> Vec<Hash> {
    if m == leaves.len() {
        return if b {
            Vec::new()
        } else {
            vec![root_from_leaf_hashes(leaves)]
        };
    }
    let k = split(leaves.len());
    let (mut proof, other) = if m <= k {
        (reference_subproof(m, &leaves[..k], b), &leaves[k..])
    } else {
        (reference_subproof(m - k, &leaves[k..], false), &leaves[..k])
    };
    proof.push(root_from_leaf_hashes(other));
    proof
}

/// A reader that records every call.
struct Recording<'a> {
    store: &'a MemoryHashStore,
    calls: RefCell<Vec<Vec<u64>>>,
}

impl<'a> Recording<'a> {
    fn new(store: &'a MemoryHashStore) -> Self {
        Self {
            store,
            calls: RefCell::new(Vec::new()),
        }
    }

    /// The calls since the last `take`.
    fn take(&self) -> Vec<Vec<u64>> {
        self.calls.take()
    }
}

impl HashReader for Recording<'_> {
    type Error = MissingHash;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
        self.calls.borrow_mut().push(indexes.to_vec());
        self.store.read_hashes(indexes)
    }
}

/// The calls a reader should see for `indexes`: one, or none if empty.
fn one_read(indexes: &[u64]) -> Vec<Vec<u64>> {
    if indexes.is_empty() {
        Vec::new()
    } else {
        vec![indexes.to_vec()]
    }
}

/// Indexes are strictly increasing and exist in a tree of `size` leaves.
fn well_formed(indexes: &[u64], size: u64) -> bool {
    indexes.windows(2).all(|w| w[0] < w[1]) && indexes.iter().all(|&i| i < stored_hash_count(size))
}

/// Whether changing any single input hash changes the output, i.e. no
/// listed index is superfluous.
fn every_hash_matters<T: PartialEq>(hashes: &[Hash], f: impl Fn(&[Hash]) -> T) -> bool {
    let want = f(hashes);
    (0..hashes.len()).all(|i| {
        let mut changed = hashes.to_vec();
        flip(&mut changed[i], 0);
        f(&changed) != want
    })
}

#[test]
fn reference_split_is_largest_power_of_two_below() {
    for n in 2..2000usize {
        let k = split(n);
        assert!(k.is_power_of_two() && k < n && 2 * k >= n, "{n}");
    }
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

    /// For random trees, the indexes-first pairs give the root, inclusion proof
    /// and consistency proof of RFC 9162 (computed from the leaves), the same
    /// as the reader-based functions, and the proofs verify.
    #[test]
    fn indexes_first_matches_reference(
        leaf_count in 1usize..=1100,
        salt: u64,
        size_seed: u64,
        n_seed: u64,
        old_seed: u64,
    ) {
        let leaves: Vec<Hash> = (0..leaf_count)
            .map(|i| leaf_hash(format!("{salt}/{i}").as_bytes()))
            .collect();
        let mut store = MemoryHashStore::new();
        store.append(&leaves).unwrap();
        let size = 1 + size_seed % leaf_count as u64;
        let n = n_seed % size;
        let old = 1 + old_seed % size;
        let root = root_from_leaf_hashes(&leaves[..size as usize]);
        let old_root = root_from_leaf_hashes(&leaves[..old as usize]);

        let idx = tree_hash_indexes::<Infallible>(size).unwrap();
        let got = tree_hash_from_hashes::<Infallible>(size, &hashes_at(&store, &idx)).unwrap();
        prop_assert_eq!(got, root);
        prop_assert_eq!(got, tree_hash(size, &store).unwrap());

        let idx = inclusion_proof_indexes::<Infallible>(n, size).unwrap();
        let proof =
            inclusion_proof_from_hashes::<Infallible>(n, size, &hashes_at(&store, &idx)).unwrap();
        prop_assert_eq!(&proof, &reference_path(n as usize, &leaves[..size as usize]));
        prop_assert_eq!(&proof, &inclusion_proof(n, size, &store).unwrap());
        prop_assert!(verify_inclusion(&leaves[n as usize], n, size, &proof, &root).is_ok());

        let idx = consistency_proof_indexes::<Infallible>(old, size).unwrap();
        let proof =
            consistency_proof_from_hashes::<Infallible>(old, size, &hashes_at(&store, &idx))
                .unwrap();
        prop_assert_eq!(
            &proof,
            &reference_subproof(old as usize, &leaves[..size as usize], true)
        );
        prop_assert_eq!(&proof, &consistency_proof(old, size, &store).unwrap());
        prop_assert!(verify_consistency(old, size, &proof, &old_root, &root).is_ok());
    }

    /// The indexes functions list exactly the stored hashes the computation
    /// needs: the reader-based functions read those and no others, in one
    /// call; they are increasing and exist in the tree; and every one of them
    /// affects the result.
    #[test]
    fn indexes_are_exactly_the_hashes_read(size in 1..=MAX, n_seed: u64, old_seed: u64) {
        let f = fixture();
        let reader = Recording::new(&f.store);
        let n = n_seed % size;
        let old = 1 + old_seed % size;

        let idx = tree_hash_indexes::<Infallible>(size).unwrap();
        prop_assert!(well_formed(&idx, size));
        tree_hash(size, &reader).unwrap();
        prop_assert_eq!(reader.take(), one_read(&idx));
        let hashes = hashes_at(&f.store, &idx);
        let matters = every_hash_matters(&hashes, |h| tree_hash_from_hashes::<Infallible>(size, h).unwrap());
        prop_assert!(matters);

        let idx = inclusion_proof_indexes::<Infallible>(n, size).unwrap();
        prop_assert!(well_formed(&idx, size));
        let proof = inclusion_proof(n, size, &reader).unwrap();
        prop_assert_eq!(reader.take(), one_read(&idx));
        let hashes = hashes_at(&f.store, &idx);
        prop_assert_eq!(
            &proof,
            &inclusion_proof_from_hashes::<Infallible>(n, size, &hashes).unwrap()
        );
        let matters = every_hash_matters(&hashes, |h| inclusion_proof_from_hashes::<Infallible>(n, size, h).unwrap());
        prop_assert!(matters);

        let idx = consistency_proof_indexes::<Infallible>(old, size).unwrap();
        prop_assert!(well_formed(&idx, size));
        let proof = consistency_proof(old, size, &reader).unwrap();
        prop_assert_eq!(reader.take(), one_read(&idx));
        let hashes = hashes_at(&f.store, &idx);
        prop_assert_eq!(
            &proof,
            &consistency_proof_from_hashes::<Infallible>(old, size, &hashes).unwrap()
        );
        let matters = every_hash_matters(&hashes, |h| consistency_proof_from_hashes::<Infallible>(old, size, h).unwrap());
        prop_assert!(matters);
    }

    /// A hash slice of any wrong length is `WrongHashCount`, never a panic.
    #[test]
    fn wrong_hash_count_is_an_error(size in 0..=MAX, n_seed: u64, old_seed: u64, len in 0usize..40) {
        let hashes = vec![leaf_hash(b"x"); len];
        let is_wrong = |r: Result<(), TreeError<Infallible>>, want: usize| {
            if len == want {
                r.is_ok()
            } else {
                matches!(r, Err(TreeError::WrongHashCount { want: w, got }) if w == want && got == len)
            }
        };
        let want = tree_hash_indexes::<Infallible>(size).unwrap().len();
        prop_assert!(is_wrong(tree_hash_from_hashes(size, &hashes).map(drop), want));
        if size > 0 {
            let n = n_seed % size;
            let old = 1 + old_seed % size;
            let want = inclusion_proof_indexes::<Infallible>(n, size).unwrap().len();
            prop_assert!(is_wrong(inclusion_proof_from_hashes(n, size, &hashes).map(drop), want));
            let want = consistency_proof_indexes::<Infallible>(old, size).unwrap().len();
            prop_assert!(is_wrong(
                consistency_proof_from_hashes(old, size, &hashes).map(drop),
                want
            ));
        }
    }

    /// Trees of any size up to `MAX_TREE_SIZE` whose leaves are all equal: the
    /// hash of a complete subtree depends only on its level, so the stored
    /// hashes are known without building the tree, and proofs verify.
    #[test]
    fn indexes_first_in_huge_uniform_trees(size in 1..=MAX_TREE_SIZE, n_seed: u64, old_seed: u64) {
        let leaf = leaf_hash(b"uniform");
        let at = |indexes: &[u64]| crate::stored::uniform_tree_hashes(indexes);
        let root = |size: u64| {
            let idx = tree_hash_indexes::<Infallible>(size).unwrap();
            tree_hash_from_hashes::<Infallible>(size, &at(&idx)).unwrap()
        };
        let n = n_seed % size;
        let old = 1 + old_seed % size;

        let idx = inclusion_proof_indexes::<Infallible>(n, size).unwrap();
        prop_assert!(well_formed(&idx, size));
        let proof = inclusion_proof_from_hashes::<Infallible>(n, size, &at(&idx)).unwrap();
        prop_assert!(verify_inclusion(&leaf, n, size, &proof, &root(size)).is_ok());

        let idx = consistency_proof_indexes::<Infallible>(old, size).unwrap();
        prop_assert!(well_formed(&idx, size));
        let proof = consistency_proof_from_hashes::<Infallible>(old, size, &at(&idx)).unwrap();
        prop_assert!(verify_consistency(old, size, &proof, &root(old), &root(size)).is_ok());
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
