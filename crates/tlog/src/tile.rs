//! Tiles and entry bundles of c2sp.org/tlog-tiles.
//!
//! Tiles have height 8: the level-`L` tile `N` holds the hashes of the complete
//! subtrees of height `8 * L` with indexes `256 * N ..= 256 * N + 255`, that is
//! the stored hashes `(8 * L, 256 * N + i)` of [`crate::stored`]. The rightmost
//! tiles of a tree are partial (width 1 to 255). Entry bundles hold the entries
//! hashed by the level-0 tile with the same index and width.
//!
//! Written from the c2sp.org/tlog-tiles specification. The tile concept comes
//! from Go's `golang.org/x/mod/sumdb/tlog` `tile.go` (Copyright 2019 The Go
//! Authors, BSD-3-Clause), whose tiles are likewise views of the stored
//! hashes; this module is specialised to height 8 and the tlog-tiles paths.

use std::fmt;

use crate::merkle::{HASH_SIZE, Hash};
use crate::stored::{HashReader, MAX_TREE_SIZE, TreeError, stored_hash_index};

/// Height of a tile: each tile spans 8 levels of the tree.
pub const TILE_HEIGHT: u32 = 8;

/// Number of hashes in a full tile (and entries in a full entry bundle).
pub const TILE_WIDTH: u16 = 256;

/// Largest tile level allowed in a tile path.
pub const MAX_TILE_LEVEL: u8 = 63;

/// An error about tile coordinates, tile paths, tile data or entry bundles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// The level is above [`MAX_TILE_LEVEL`].
    #[error("tile level {0} is above 63")]
    LevelTooLarge(u8),
    /// The width is not in `1..=256`.
    #[error("tile width {0} is not between 1 and 256")]
    InvalidWidth(u16),
    /// The path is not a canonical tlog-tiles tile or entry bundle path.
    #[error("malformed tile path: {0}")]
    MalformedPath(&'static str),
    /// Tile data is not a whole number of hashes between 1 and 256.
    #[error("tile data has {0} bytes, not a multiple of 32 between 32 and 8192")]
    InvalidTileData(usize),
    /// An entry is longer than 65535 bytes.
    #[error("entry {index} has {len} bytes, more than 65535")]
    EntryTooLarge {
        /// Position of the entry in the bundle.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// A bundle must hold between 1 and 256 entries.
    #[error("entry bundle has {0} entries, not between 1 and 256")]
    InvalidEntryCount(usize),
    /// The bundle data ends in the middle of an entry or length prefix.
    #[error("entry bundle is truncated")]
    TruncatedBundle,
}

/// The coordinates of a (possibly partial) hash tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    level: u8,
    index: u64,
    width: u16,
}

impl Tile {
    /// Creates a tile; `level` must be at most 63 and `width` in `1..=256`
    /// (256 is a full tile).
    pub fn new(level: u8, index: u64, width: u16) -> Result<Self, TileError> {
        if level > MAX_TILE_LEVEL {
            return Err(TileError::LevelTooLarge(level));
        }
        if width == 0 || width > TILE_WIDTH {
            return Err(TileError::InvalidWidth(width));
        }
        Ok(Tile {
            level,
            index,
            width,
        })
    }

    /// The tile at `level` and `index` as it exists in a tree of `tree_size`
    /// leaves: full, partial, or `None` if it has no hashes yet.
    pub fn in_tree(level: u8, index: u64, tree_size: u64) -> Option<Self> {
        let count = hashes_at_level(level, tree_size)?;
        let start = index.checked_mul(u64::from(TILE_WIDTH))?;
        let width = count.checked_sub(start)?.min(u64::from(TILE_WIDTH));
        let width = u16::try_from(width).ok()?;
        Tile::new(level, index, width).ok()
    }

    /// The tile level `L` (tree level `8 * L`).
    pub fn level(&self) -> u8 {
        self.level
    }

    /// The tile index `N` within its level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The number of hashes in the tile, `1..=256`.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether the tile is full (256 hashes).
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// The path `tile/<L>/<N>[.p/<W>]` of this tile.
    pub fn path(&self) -> String {
        format!("tile/{}/{}", self.level, index_path(self.index, self.width))
    }

    /// The path `tile/entries/<N>[.p/<W>]` of the entry bundle matching this
    /// tile, or `None` unless the tile is at level 0.
    pub fn entries_path(&self) -> Option<String> {
        (self.level == 0).then(|| entry_bundle_path(self.index, self.width))
    }

    /// The first leaf index covered by the tile.
    pub fn start_leaf(&self) -> Option<u64> {
        let shift = TILE_HEIGHT * (u32::from(self.level) + 1);
        self.index.checked_mul(1u64.checked_shl(shift)?)
    }

    /// Whether every hash of this tile exists in a tree of `tree_size` leaves.
    pub fn is_available(&self, tree_size: u64) -> bool {
        match hashes_at_level(self.level, tree_size) {
            Some(count) => self
                .index
                .checked_mul(u64::from(TILE_WIDTH))
                .and_then(|s| s.checked_add(u64::from(self.width)))
                .is_some_and(|end| end <= count),
            None => false,
        }
    }

    /// The stored hash indexes (see [`crate::stored_hash_index`]) of the hashes
    /// in this tile, in order. Empty for a tile that cannot exist in a tree of
    /// at most [`MAX_TREE_SIZE`] leaves.
    pub fn stored_hash_indexes(&self) -> Vec<u64> {
        if !self.is_available(MAX_TREE_SIZE) {
            return Vec::new();
        }
        let level = TILE_HEIGHT * u32::from(self.level);
        let start = self.index * u64::from(TILE_WIDTH);
        (0..u64::from(self.width))
            .map(|i| stored_hash_index(level, start + i))
            .collect()
    }
}

impl fmt::Display for Tile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// Number of complete subtree hashes at tree level `8 * level` in a tree of
/// `tree_size` leaves (`None` if the level is beyond any supported tree).
fn hashes_at_level(level: u8, tree_size: u64) -> Option<u64> {
    if tree_size > MAX_TREE_SIZE {
        return None;
    }
    let shift = TILE_HEIGHT * u32::from(level);
    tree_size.checked_shr(shift).filter(|_| shift < 63)
}

/// Encodes `<N>[.p/<W>]`: N in zero-padded 3-digit path elements, all but
/// the last prefixed with `x`, e.g. 1234067 is `x001/x234/067`.
fn index_path(index: u64, width: u16) -> String {
    let mut s = format!("{:03}", index % 1000);
    let mut n = index / 1000;
    while n > 0 {
        s = format!("x{:03}/{s}", n % 1000);
        n /= 1000;
    }
    if width != TILE_WIDTH {
        s.push_str(&format!(".p/{width}"));
    }
    s
}

/// The path `tile/entries/<N>[.p/<W>]` of entry bundle `index` with `width`
/// entries (256 for a full bundle).
pub fn entry_bundle_path(index: u64, width: u16) -> String {
    format!("tile/entries/{}", index_path(index, width))
}

/// A resource named by a tlog-tiles path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileResource {
    /// A hash tile, `tile/<L>/<N>[.p/<W>]`.
    Hashes(Tile),
    /// An entry bundle, `tile/entries/<N>[.p/<W>]`; the matching level-0 tile
    /// has the same index and width.
    Entries(Tile),
}

/// Parses a tile or entry bundle path (`tile/...`, without the log prefix),
/// accepting only the canonical encoding.
pub fn parse_tile_path(path: &str) -> Result<TileResource, TileError> {
    let rest = path
        .strip_prefix("tile/")
        .ok_or(TileError::MalformedPath("missing tile/ prefix"))?;
    let (kind, rest) = rest
        .split_once('/')
        .ok_or(TileError::MalformedPath("missing tile index"))?;
    let entries = kind == "entries";
    let level = if entries {
        0
    } else {
        let level = parse_decimal(kind).ok_or(TileError::MalformedPath("bad tile level"))?;
        u8::try_from(level)
            .ok()
            .filter(|l| *l <= MAX_TILE_LEVEL)
            .ok_or(TileError::MalformedPath("tile level above 63"))?
    };
    let (index_part, width) = match rest.rsplit_once(".p/") {
        Some((index_part, w)) => {
            let w = parse_decimal(w).ok_or(TileError::MalformedPath("bad partial width"))?;
            let w = u16::try_from(w)
                .ok()
                .filter(|w| (1..TILE_WIDTH).contains(w))
                .ok_or(TileError::MalformedPath(
                    "partial width not between 1 and 255",
                ))?;
            (index_part, w)
        }
        None => (rest, TILE_WIDTH),
    };
    let mut index: u64 = 0;
    let mut elements = index_part.split('/').peekable();
    while let Some(elem) = elements.next() {
        let last = elements.peek().is_none();
        let digits = if last {
            elem
        } else {
            elem.strip_prefix('x')
                .ok_or(TileError::MalformedPath("index element without x prefix"))?
        };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TileError::MalformedPath("index element is not 3 digits"));
        }
        let d = parse_decimal_unchecked(digits);
        index = index
            .checked_mul(1000)
            .and_then(|i| i.checked_add(d))
            .ok_or(TileError::MalformedPath("tile index overflows"))?;
    }
    let tile = Tile::new(level, index, width)?;
    // Reject non-canonical forms such as a leading x000 element.
    let canonical = if entries {
        entry_bundle_path(index, width)
    } else {
        tile.path()
    };
    if canonical != path {
        return Err(TileError::MalformedPath("non-canonical tile path"));
    }
    Ok(if entries {
        TileResource::Entries(tile)
    } else {
        TileResource::Hashes(tile)
    })
}

/// Parses a decimal number without sign or leading zeros.
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

fn parse_decimal_unchecked(s: &str) -> u64 {
    s.bytes().fold(0, |acc, b| acc * 10 + u64::from(b - b'0'))
}

/// Lists the tiles (at every level) that are new or grew when the tree grows
/// from `old_size` to `new_size` leaves: exactly the tile resources a log
/// must (re)publish for the new size. The level-0 tiles in the list also name
/// the entry bundles to publish ([`Tile::entries_path`]).
pub fn new_tiles(old_size: u64, new_size: u64) -> Vec<Tile> {
    let mut tiles = Vec::new();
    if new_size <= old_size {
        return tiles;
    }
    for level in 0..=MAX_TILE_LEVEL {
        let Some(new_count) = hashes_at_level(level, new_size) else {
            break;
        };
        if new_count == 0 {
            break;
        }
        let old_count = hashes_at_level(level, old_size).unwrap_or(0);
        if new_count == old_count {
            continue;
        }
        let width = u64::from(TILE_WIDTH);
        for n in old_count / width..=(new_count - 1) / width {
            if let Some(tile) = Tile::in_tree(level, n, new_size) {
                tiles.push(tile);
            }
        }
    }
    tiles
}

/// Reads the contents of `tile` (its hashes concatenated, `32 * width` bytes)
/// from stored hashes, with one read call. The tile must be available in a
/// tree of `tree_size` leaves.
pub fn read_tile<R: HashReader + ?Sized>(
    tile: &Tile,
    tree_size: u64,
    reader: &R,
) -> Result<Vec<u8>, TreeError<R::Error>> {
    if !tile.is_available(tree_size) {
        return Err(TreeError::TileNotAvailable {
            tile: tile.path(),
            size: tree_size,
        });
    }
    let indexes = tile.stored_hash_indexes();
    let hashes = reader.read_hashes(&indexes).map_err(TreeError::Storage)?;
    if hashes.len() != indexes.len() {
        return Err(TreeError::WrongHashCount {
            want: indexes.len(),
            got: hashes.len(),
        });
    }
    Ok(hashes.iter().flat_map(|h| h.0).collect())
}

/// Splits tile data into its hashes. The data must hold 1 to 256 hashes.
pub fn tile_hashes(data: &[u8]) -> Result<Vec<Hash>, TileError> {
    let n = data.len() / HASH_SIZE;
    if !data.len().is_multiple_of(HASH_SIZE) || n == 0 || n > usize::from(TILE_WIDTH) {
        return Err(TileError::InvalidTileData(data.len()));
    }
    Ok(data
        .chunks_exact(HASH_SIZE)
        .map(|c| {
            let mut h = [0u8; HASH_SIZE];
            h.copy_from_slice(c);
            Hash(h)
        })
        .collect())
}

/// Encodes an entry bundle: each entry prefixed with its length as a
/// big-endian `u16`. A bundle holds 1 to 256 entries of at most 65535 bytes.
pub fn encode_entry_bundle<T: AsRef<[u8]>>(entries: &[T]) -> Result<Vec<u8>, TileError> {
    if entries.is_empty() || entries.len() > usize::from(TILE_WIDTH) {
        return Err(TileError::InvalidEntryCount(entries.len()));
    }
    let total: usize = entries.iter().map(|e| 2 + e.as_ref().len()).sum();
    let mut out = Vec::with_capacity(total);
    for (index, entry) in entries.iter().enumerate() {
        let entry = entry.as_ref();
        let len = u16::try_from(entry.len()).map_err(|_| TileError::EntryTooLarge {
            index,
            len: entry.len(),
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Ok(out)
}

/// Decodes an entry bundle into its entries (borrowed from `data`).
pub fn decode_entry_bundle(data: &[u8]) -> Result<Vec<&[u8]>, TileError> {
    let mut entries = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (len, tail) = rest.split_at_checked(2).ok_or(TileError::TruncatedBundle)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        let (entry, tail) = tail
            .split_at_checked(len)
            .ok_or(TileError::TruncatedBundle)?;
        entries.push(entry);
        if entries.len() > usize::from(TILE_WIDTH) {
            return Err(TileError::InvalidEntryCount(entries.len()));
        }
        rest = tail;
    }
    if entries.is_empty() {
        return Err(TileError::InvalidEntryCount(0));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{leaf_hash, root_from_leaf_hashes};
    use crate::stored::MemoryHashStore;

    fn t(level: u8, index: u64, width: u16) -> Tile {
        Tile::new(level, index, width).unwrap()
    }

    #[test]
    fn paths() {
        assert_eq!(t(0, 1234067, 256).path(), "tile/0/x001/x234/067");
        assert_eq!(t(1, 0, 256).path(), "tile/1/000");
        assert_eq!(t(2, 1000, 17).path(), "tile/2/x001/000.p/17");
        assert_eq!(t(0, 5, 1).entries_path().unwrap(), "tile/entries/005.p/1");
        assert_eq!(t(1, 5, 1).entries_path(), None);
        assert_eq!(
            entry_bundle_path(1234067, 256),
            "tile/entries/x001/x234/067"
        );
        assert_eq!(
            t(63, u64::MAX, 255).path(),
            "tile/63/x018/x446/x744/x073/x709/x551/615.p/255"
        );
    }

    #[test]
    fn parse_paths() {
        for tile in [
            t(0, 1234067, 256),
            t(2, 1000, 17),
            t(63, u64::MAX, 255),
            t(0, 0, 1),
        ] {
            assert_eq!(
                parse_tile_path(&tile.path()),
                Ok(TileResource::Hashes(tile))
            );
        }
        assert_eq!(
            parse_tile_path("tile/entries/x001/x234/067.p/8"),
            Ok(TileResource::Entries(t(0, 1234067, 8)))
        );
        for bad in [
            "tile/0/1",
            "tile/0/0001",
            "tile/0/x000/001",
            "tile/00/001",
            "tile/64/001",
            "tile/0/001.p/0",
            "tile/0/001.p/256",
            "tile/0/001.p/08",
            "tile/0/001.p/",
            "tile/0/x001",
            "tile/0/001/002",
            "tile/0/y001/002",
            "tile/0/",
            "tile/0",
            "tiles/0/001",
            "/tile/0/001",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
            "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
            "tile/entries/001.p/1/",
            "tile/0/+01",
        ] {
            assert!(parse_tile_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn spec_example_tree_of_70000() {
        // c2sp.org/tlog-tiles: a tree of size 70,000 has 273 full level-0
        // tiles, a partial level-0 tile of width 112, one full level-1 tile, a
        // partial level-1 tile of width 17 and a partial level-2 tile of width 1.
        let tiles = new_tiles(0, 70_000);
        let level0: Vec<_> = tiles.iter().filter(|t| t.level() == 0).collect();
        assert_eq!(level0.len(), 274);
        assert_eq!(level0.iter().filter(|t| t.is_full()).count(), 273);
        assert_eq!(level0[273].width(), 112);
        let level1: Vec<_> = tiles.iter().filter(|t| t.level() == 1).collect();
        assert_eq!(
            level1.iter().map(|t| t.width()).collect::<Vec<_>>(),
            vec![256, 17]
        );
        let level2: Vec<_> = tiles.iter().filter(|t| t.level() == 2).collect();
        assert_eq!(
            level2.iter().map(|t| t.width()).collect::<Vec<_>>(),
            vec![1]
        );
        assert_eq!(tiles.len(), 277);
        // A tree of 256 has a full level-0 tile and a level-1 tile of width 1.
        assert_eq!(new_tiles(0, 256), vec![t(0, 0, 256), t(1, 0, 1)]);
        assert_eq!(new_tiles(256, 257), vec![t(0, 1, 1)]);
        assert_eq!(new_tiles(255, 256), vec![t(0, 0, 256), t(1, 0, 1)]);
        assert_eq!(new_tiles(10, 10), vec![]);
        assert_eq!(Tile::in_tree(0, 1, 256), None);
        assert_eq!(Tile::in_tree(1, 0, 70_000), Some(t(1, 0, 256)));
    }

    #[test]
    fn new_tiles_incremental_covers_everything() {
        // Growing step by step publishes the same final tiles as one step.
        let mut latest = std::collections::BTreeMap::new();
        let mut size = 0;
        for step in [1u64, 2, 255, 1, 300, 65_000, 1, 70] {
            for tile in new_tiles(size, size + step) {
                latest.insert((tile.level(), tile.index()), tile);
            }
            size += step;
        }
        let direct: Vec<_> = new_tiles(0, size);
        assert_eq!(latest.into_values().collect::<Vec<_>>(), {
            let mut d = direct;
            d.sort();
            d
        });
    }

    #[test]
    fn read_tiles_from_stored_hashes() {
        let leaves: Vec<Hash> = (0u32..700).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut store = MemoryHashStore::new();
        store.append(&leaves).unwrap();
        let tile = t(0, 1, 256);
        let data = read_tile(&tile, 700, &store).unwrap();
        assert_eq!(tile_hashes(&data).unwrap(), leaves[256..512].to_vec());
        let partial = Tile::in_tree(0, 2, 700).unwrap();
        assert_eq!(partial.width(), 188);
        let data = read_tile(&partial, 700, &store).unwrap();
        assert_eq!(tile_hashes(&data).unwrap(), leaves[512..700].to_vec());
        let l1 = Tile::in_tree(1, 0, 700).unwrap();
        assert_eq!(l1.width(), 2);
        let data = read_tile(&l1, 700, &store).unwrap();
        assert_eq!(
            tile_hashes(&data).unwrap(),
            vec![
                root_from_leaf_hashes(&leaves[..256]),
                root_from_leaf_hashes(&leaves[256..512])
            ]
        );
        assert!(matches!(
            read_tile(&t(0, 2, 256), 700, &store),
            Err(TreeError::TileNotAvailable { .. })
        ));
        assert!(!t(8, 0, 1).is_available(MAX_TREE_SIZE));
        assert!(t(7, 0, 64).is_available(MAX_TREE_SIZE));
        assert!(!t(7, 0, 65).is_available(MAX_TREE_SIZE));
        assert_eq!(tile_hashes(&[]), Err(TileError::InvalidTileData(0)));
        assert_eq!(tile_hashes(&[0; 33]), Err(TileError::InvalidTileData(33)));
    }

    #[test]
    fn entry_bundles() {
        let entries: Vec<Vec<u8>> = vec![b"".to_vec(), b"hello".to_vec(), vec![7; 65535]];
        let data = encode_entry_bundle(&entries).unwrap();
        assert_eq!(&data[..9], &[0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o']);
        let decoded = decode_entry_bundle(&data).unwrap();
        assert_eq!(
            decoded,
            entries.iter().map(|e| e.as_slice()).collect::<Vec<_>>()
        );
        assert_eq!(
            encode_entry_bundle(&[vec![0u8; 65536]]),
            Err(TileError::EntryTooLarge {
                index: 0,
                len: 65536
            })
        );
        assert_eq!(
            encode_entry_bundle::<&[u8]>(&[]),
            Err(TileError::InvalidEntryCount(0))
        );
        assert_eq!(
            encode_entry_bundle(&vec![b"x"; 257]),
            Err(TileError::InvalidEntryCount(257))
        );
        assert_eq!(
            decode_entry_bundle(&[]),
            Err(TileError::InvalidEntryCount(0))
        );
        assert_eq!(decode_entry_bundle(&[0]), Err(TileError::TruncatedBundle));
        assert_eq!(
            decode_entry_bundle(&[0, 2, 1]),
            Err(TileError::TruncatedBundle)
        );
        assert_eq!(
            decode_entry_bundle(&[0u8; 2 * 257]),
            Err(TileError::InvalidEntryCount(257))
        );
        assert_eq!(decode_entry_bundle(&[0u8; 2 * 256]).unwrap().len(), 256);
    }
}
