//! Pictures for upload tests: good logos in each accepted format, and each kind of bad one.

use std::io::Cursor;

use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};

/// A `width` × `height` picture encoded as `format`.
pub fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(ImageBuffer::from_fn(width, height, |x, y| {
        Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 90])
    }));
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("encode a test picture");
    out
}

/// A PNG logo.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    picture(width, height, ImageFormat::Png)
}

/// An SVG with a script in it.
pub fn svg() -> Vec<u8> {
    b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(document.cookie)</script></svg>".to_vec()
}

/// A text file, as if renamed `logo.png`.
pub fn text_file() -> Vec<u8> {
    b"Minutes of the coalition meeting, not a picture.\n".to_vec()
}

/// A PNG truncated half way.
pub fn truncated_png() -> Vec<u8> {
    let mut whole = png(300, 300);
    whole.truncate(whole.len() / 2);
    whole
}

/// A PNG whose header declares 100,000 × 100,000 pixels (40 GB once decoded): a
/// decompression bomb, refused from its header.
pub fn bomb() -> Vec<u8> {
    let mut bomb = png(1, 1);
    let ihdr = 16; // the signature, the chunk's length and type
    bomb[ihdr..ihdr + 4].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[ihdr + 4..ihdr + 8].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..ihdr + 13]);
    bomb[ihdr + 13..ihdr + 17].copy_from_slice(&crc.to_be_bytes());
    bomb
}

/// `megabytes` MB of bytes that start like a PNG.
pub fn huge(megabytes: usize) -> Vec<u8> {
    let mut bytes = png(4, 4);
    bytes.resize(megabytes * 1024 * 1024, 0);
    bytes
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
