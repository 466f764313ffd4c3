//! Merkle log benchmark: append throughput into the stored hashes, proof
//! generation and verification at 10 million entries, and memory.
//!
//! Not a test: CI never runs it. Run it with
//!
//! ```text
//! cargo bench -p undersigned-tlog --bench log [-- SIZE [SAMPLES]]
//! ```
//!
//! (or `bash bench/log.sh`). `SIZE` is the number of entries (default
//! 10,000,000), `SAMPLES` the number of random proofs timed per kind (default
//! 10,000). Run without `--bench`, as `cargo test --all-targets` does, it
//! only checks itself at 5,000 entries. It uses only `std::time::Instant`
//! and a xorshift generator with a fixed seed, so every run times the same
//! operations.
//!
//! Two stores are measured:
//!
//! * `memory`: [`MemoryHashStore`], a `Vec` of hashes indexed by stored hash
//!   index, appended with [`MemoryHashStore::append`].
//! * `keyed`: shaped like the store's `log_hashes` table (`PRIMARY KEY
//!   (letter_id, hash_index)`, `WITHOUT ROWID`: a B-tree clustered on that
//!   key): a `BTreeMap` keyed by `(letter id, stored hash index)`, one row per
//!   hash, read with one lookup per index. An append is what the server's write
//!   transaction does: read the frontier ([`append_frontier_indexes`]),
//!   compute the new hashes with the pure
//!   [`stored_hashes_for_append_with_frontier`], insert a row for each. It
//!   models the data structure, not SQL or the disk: no statement overhead,
//!   no fsync.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::error::Error;
use std::time::{Duration, Instant};

use undersigned_tlog::{
    Checkpoint, Hash, HashReader, MemoryHashStore, MissingHash, NoteSigner, Tile,
    append_frontier_indexes, consistency_proof, inclusion_proof, leaf_hash, read_tile,
    stored_hash_count, stored_hashes_for_append_with_frontier, tree_hash, verify_consistency,
    verify_inclusion,
};

type BoxError = Box<dyn Error>;

const BATCH_SIZES: [usize; 4] = [1, 16, 256, 4096];

/// xorshift64* (Vigna), fixed seed: reproducible and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..=hi` (the modulo bias is negligible here).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// What the benchmark needs from a store.
trait Store: HashReader<Error = MissingHash> {
    const NAME: &'static str;
    fn empty() -> Self;
    fn append_leaves(&mut self, leaves: &[Hash]) -> Result<(), BoxError>;
    fn hashes_read(&self) -> u64;
    fn hashes_stored(&self) -> u64;
}

impl Store for MemoryHashStore {
    const NAME: &'static str = "memory";

    fn empty() -> Self {
        MemoryHashStore::new()
    }

    fn append_leaves(&mut self, leaves: &[Hash]) -> Result<(), BoxError> {
        self.append(leaves)?;
        Ok(())
    }

    fn hashes_read(&self) -> u64 {
        MemoryHashStore::hashes_read(self)
    }

    fn hashes_stored(&self) -> u64 {
        self.stored_hashes().len() as u64
    }
}

/// A store shaped like the `log_hashes` table, keyed by `(letter id, stored
/// hash index)`; see the module docs.
struct KeyedStore {
    letter: u64,
    size: u64,
    rows: BTreeMap<(u64, u64), Hash>,
    reads: Cell<u64>,
}

impl HashReader for KeyedStore {
    type Error = MissingHash;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
        self.reads.set(self.reads.get() + indexes.len() as u64);
        indexes
            .iter()
            .map(|&i| {
                self.rows
                    .get(&(self.letter, i))
                    .copied()
                    .ok_or(MissingHash(i))
            })
            .collect()
    }
}

impl Store for KeyedStore {
    const NAME: &'static str = "keyed";

    fn empty() -> Self {
        KeyedStore {
            letter: 7,
            size: 0,
            rows: BTreeMap::new(),
            reads: Cell::new(0),
        }
    }

    fn append_leaves(&mut self, leaves: &[Hash]) -> Result<(), BoxError> {
        // The server's write transaction: read the frontier, compute, insert.
        let frontier = self.read_hashes(&append_frontier_indexes(self.size))?;
        let new =
            stored_hashes_for_append_with_frontier::<MissingHash>(self.size, &frontier, leaves)?;
        for (index, hash) in new.iter() {
            self.rows.insert((self.letter, index), *hash);
        }
        self.size = new.new_size;
        Ok(())
    }

    fn hashes_read(&self) -> u64 {
        self.reads.get()
    }

    fn hashes_stored(&self) -> u64 {
        self.rows.len() as u64
    }
}

/// Median, 99th percentile and mean of a set of durations.
struct Stats {
    median: Duration,
    p99: Duration,
    mean: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort_unstable();
    let n = samples.len().max(1);
    let at = |q: f64| samples.get(((n - 1) as f64 * q).round() as usize).copied();
    Stats {
        median: at(0.5).unwrap_or_default(),
        p99: at(0.99).unwrap_or_default(),
        mean: samples.iter().sum::<Duration>() / n as u32,
    }
}

/// Median and maximum of counts.
fn count_stats(mut counts: Vec<u64>) -> (u64, u64) {
    counts.sort_unstable();
    let median = counts.get(counts.len() / 2).copied().unwrap_or(0);
    (median, counts.last().copied().unwrap_or(0))
}

fn us(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Appends all `leaves` to fresh stores, in batches of each size; prints a
/// table row per batch size and returns the last store (the full tree).
fn bench_appends<S: Store>(leaves: &[Hash]) -> Result<S, BoxError> {
    let size = leaves.len() as u64;
    println!();
    println!(
        "### Appends, `{}` store, 0 to {} entries",
        S::NAME,
        thousands(size)
    );
    println!();
    println!(
        "| batch | appends | seconds | entries/s | per append | frontier hashes read per append | vs batch 1 |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut root = None;
    let mut base = None;
    let mut last = None;
    for batch in BATCH_SIZES {
        drop(last.take()); // free the previous tree before building the next
        let mut store = S::empty();
        let appends = leaves.len().div_ceil(batch) as u64;
        let start = Instant::now();
        for chunk in leaves.chunks(batch) {
            store.append_leaves(chunk)?;
        }
        let elapsed = start.elapsed();
        let frontier_reads = store.hashes_read();
        // Every batching builds the same tree.
        let r = tree_hash(size, &store)?;
        if *root.get_or_insert(r) != r {
            return Err(format!("batch {batch}: root differs").into());
        }
        if store.hashes_stored() != stored_hash_count(size) {
            return Err(format!("batch {batch}: wrong number of stored hashes").into());
        }
        let rate = size as f64 / elapsed.as_secs_f64();
        let base_rate = *base.get_or_insert(rate);
        println!(
            "| {batch} | {} | {:.2} | {} | {} | {:.1} | {:.1}× |",
            thousands(appends),
            elapsed.as_secs_f64(),
            thousands(rate as u64),
            us(elapsed / appends as u32),
            frontier_reads as f64 / appends as f64,
            rate / base_rate,
        );
        last = Some(store);
    }
    last.ok_or_else(|| "no batch sizes".into())
}

/// Times `samples` random inclusion proofs, consistency proofs, tree hashes and
/// tile reads at the full size; returns the inclusion and consistency proofs
/// made, for the verification benchmark.
#[allow(clippy::type_complexity)]
fn bench_proofs<S: Store>(
    store: &S,
    size: u64,
    samples: usize,
) -> Result<(Vec<(u64, Vec<Hash>)>, Vec<(u64, u64, Vec<Hash>)>), BoxError> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rows = Vec::new();

    let mut times = Vec::with_capacity(samples);
    let mut reads = Vec::with_capacity(samples);
    let mut inclusions = Vec::with_capacity(samples);
    for _ in 0..samples {
        let index = rng.range(0, size - 1);
        let before = store.hashes_read();
        let start = Instant::now();
        let proof = inclusion_proof(index, size, store)?;
        times.push(start.elapsed());
        reads.push(store.hashes_read() - before);
        inclusions.push((index, proof));
    }
    rows.push((
        "inclusion proof (random index)",
        stats(times),
        count_stats(reads),
    ));

    let mut times = Vec::with_capacity(samples);
    let mut reads = Vec::with_capacity(samples);
    let mut consistencies = Vec::with_capacity(samples);
    for _ in 0..samples {
        let old = rng.range(1, size);
        let new = rng.range(old, size);
        let before = store.hashes_read();
        let start = Instant::now();
        let proof = consistency_proof(old, new, store)?;
        times.push(start.elapsed());
        reads.push(store.hashes_read() - before);
        consistencies.push((old, new, proof));
    }
    rows.push((
        "consistency proof (random sizes)",
        stats(times),
        count_stats(reads),
    ));

    let mut times = Vec::with_capacity(samples);
    let mut reads = Vec::with_capacity(samples);
    for _ in 0..samples {
        let at = rng.range(1, size);
        let before = store.hashes_read();
        let start = Instant::now();
        std::hint::black_box(tree_hash(at, store)?);
        times.push(start.elapsed());
        reads.push(store.hashes_read() - before);
    }
    rows.push(("tree_hash (random size)", stats(times), count_stats(reads)));

    let full_tiles = size / 256;
    if full_tiles > 0 {
        let mut times = Vec::with_capacity(samples);
        let mut reads = Vec::with_capacity(samples);
        for _ in 0..samples {
            let tile = Tile::new(0, rng.range(0, full_tiles - 1), 256)?;
            let before = store.hashes_read();
            let start = Instant::now();
            std::hint::black_box(read_tile(&tile, size, store)?);
            times.push(start.elapsed());
            reads.push(store.hashes_read() - before);
        }
        rows.push((
            "read_tile (random full level-0 tile)",
            stats(times),
            count_stats(reads),
        ));
    }

    println!();
    println!(
        "### Proofs, `{}` store, {} entries, {} random samples each",
        S::NAME,
        thousands(size),
        thousands(samples as u64)
    );
    println!();
    println!("| operation | median | p99 | mean | hashes read (median / max) |");
    println!("|---|---|---|---|---|");
    for (name, s, (median_reads, max_reads)) in rows {
        println!(
            "| {name} | {} | {} | {} | {median_reads} / {max_reads} |",
            us(s.median),
            us(s.p99),
            us(s.mean),
        );
    }
    Ok((inclusions, consistencies))
}

/// Times verification, which needs no store: what an auditor or a receipt
/// checker pays.
fn bench_verification(
    store: &MemoryHashStore,
    leaves: &[Hash],
    size: u64,
    inclusions: &[(u64, Vec<Hash>)],
    consistencies: &[(u64, u64, Vec<Hash>)],
) -> Result<(), BoxError> {
    let root = tree_hash(size, store)?;
    let mut rows = Vec::new();

    let mut times = Vec::with_capacity(inclusions.len());
    let mut lengths = Vec::with_capacity(inclusions.len());
    for (index, proof) in inclusions {
        let leaf = leaves
            .get(usize::try_from(*index)?)
            .ok_or("index out of range")?;
        let start = Instant::now();
        verify_inclusion(leaf, *index, size, proof, &root)?;
        times.push(start.elapsed());
        lengths.push(proof.len() as u64);
    }
    rows.push(("verify_inclusion", stats(times), count_stats(lengths)));

    let mut times = Vec::with_capacity(consistencies.len());
    let mut lengths = Vec::with_capacity(consistencies.len());
    for (old, new, proof) in consistencies {
        let old_root = tree_hash(*old, store)?;
        let new_root = tree_hash(*new, store)?;
        let start = Instant::now();
        verify_consistency(*old, *new, proof, &old_root, &new_root)?;
        times.push(start.elapsed());
        lengths.push(proof.len() as u64);
    }
    rows.push(("verify_consistency", stats(times), count_stats(lengths)));

    // The rest of checking a receipt: hash the entry, open the checkpoint.
    let entry = br#"{"v":1,"kind":"add","time":"2026-11-28T10:38Z","category":"Survivor","signer":"individual","display":"initials","name":"J. D.","details":"Lyon","comment":null,"commitment":"Yb2mAbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABC="}"#;
    let mut times = Vec::with_capacity(inclusions.len());
    for _ in inclusions {
        let start = Instant::now();
        std::hint::black_box(leaf_hash(std::hint::black_box(entry)));
        times.push(start.elapsed());
    }
    rows.push(("leaf_hash of a 230-byte entry", stats(times), (0, 0)));

    let origin = "letters.example.org/l/investigate-the-academy";
    let signer = NoteSigner::from_seed("letters.example.org", &[7; 32])?;
    let signed = Checkpoint::new(origin, size, root).sign([&signer])?;
    let verifiers = [signer.verifier()];
    let mut times = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let start = Instant::now();
        std::hint::black_box(Checkpoint::open(&signed, origin, &verifiers)?);
        times.push(start.elapsed());
    }
    rows.push(("Checkpoint::open (Ed25519)", stats(times), (0, 0)));

    println!();
    println!(
        "### Verification, {} entries (no store needed)",
        thousands(size)
    );
    println!();
    println!("| operation | median | p99 | mean | proof hashes (median / max) |");
    println!("|---|---|---|---|---|");
    for (name, s, (median_len, max_len)) in rows {
        let lengths = if max_len == 0 {
            "".to_owned()
        } else {
            format!("{median_len} / {max_len}")
        };
        println!(
            "| {name} | {} | {} | {} | {lengths} |",
            us(s.median),
            us(s.p99),
            us(s.mean),
        );
    }
    Ok(())
}

fn main() -> Result<(), BoxError> {
    // `cargo bench` passes `--bench`. Without it (`cargo test --all-targets`
    // runs bench targets too) this is a smoke run at a tiny size.
    let benching = std::env::args().any(|a| a == "--bench");
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let size: u64 = match args.first() {
        Some(s) => s.replace('_', "").parse()?,
        None if benching => 10_000_000,
        None => 5_000,
    };
    let samples: usize = match args.get(1) {
        Some(s) => s.replace('_', "").parse()?,
        None if benching => 10_000,
        None => 100,
    };
    if size < 2 || samples == 0 {
        return Err("SIZE must be at least 2 and SAMPLES at least 1".into());
    }
    let total = Instant::now();

    let start = Instant::now();
    let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    println!(
        "## Merkle log: {} entries, {} samples ({:.1} s to hash the leaves)",
        thousands(size),
        thousands(samples as u64),
        start.elapsed().as_secs_f64()
    );

    let count = stored_hash_count(size);
    println!();
    println!(
        "Stored hashes at {} entries: 2n - popcount(n) = {} hashes × 32 bytes = {} bytes ({:.1} MiB; {:.1} bytes an entry)",
        thousands(size),
        thousands(count),
        thousands(count * 32),
        (count * 32) as f64 / (1024.0 * 1024.0),
        (count * 32) as f64 / size as f64,
    );

    let memory: MemoryHashStore = bench_appends(&leaves)?;
    let (inclusions, consistencies) = bench_proofs(&memory, size, samples)?;
    bench_verification(&memory, &leaves, size, &inclusions, &consistencies)?;
    drop(memory);

    let keyed: KeyedStore = bench_appends(&leaves)?;
    bench_proofs(&keyed, size, samples)?;
    drop(keyed);

    println!();
    println!("Total {:.0} s.", total.elapsed().as_secs_f64());
    Ok(())
}
