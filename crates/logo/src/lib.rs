//! Uploaded logos (an organisation's, a workspace's). An upload is untrusted bytes: it is
//! accepted only as PNG, JPEG or WebP of at most [`MAX_UPLOAD_BYTES`], its declared size is
//! checked before any pixel is decoded (a few kilobytes can declare a 100,000 × 100,000
//! image: a decompression bomb), it is decoded with allocation limits, turned upright, scaled
//! to fit [`OUTPUT_SIDE`] and re-encoded as PNG from its pixels alone, so no metadata (EXIF,
//! GPS positions, comments, colour profiles) survives. SVG is refused: it can carry scripts.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use undersigned_core::logo::LogoRef;

/// The largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;
/// The largest width or height an upload may declare.
pub const MAX_SIDE: u32 = 4000;
/// What a decoder may allocate for one upload (a 4000 × 4000 RGBA image).
pub const MAX_ALLOC: u64 = 4000 * 4000 * 4;
/// Stored logos fit in a square of this side.
pub const OUTPUT_SIDE: u32 = 512;

/// A logo ready to store: PNG bytes of at most [`OUTPUT_SIDE`] pixels a side, and the hash
/// that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    png: Vec<u8>,
    width: u32,
    height: u32,
    reference: LogoRef,
}

impl Logo {
    pub fn png(&self) -> &[u8] {
        &self.png
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// The SHA-256 of [`Logo::png`]: the logo's name and address.
    pub fn reference(&self) -> LogoRef {
        self.reference
    }
}

/// Why an upload is not a logo. The messages are for the person who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoError {
    #[error("The logo file is empty. Choose a PNG, JPEG or WebP image.")]
    Empty,
    #[error("The logo is {} MB; upload one of at most 2 MB.", megabytes(*.0))]
    TooLarge(usize),
    #[error("SVG logos are not accepted (an SVG can carry scripts). Upload a PNG, JPEG or WebP.")]
    Svg,
    #[error("That file is a {0} image. Upload a PNG, JPEG or WebP.")]
    Unsupported(String),
    #[error("That file is not an image. Upload a PNG, JPEG or WebP.")]
    NotAnImage,
    #[error(
        "The image is {width} × {height} pixels; upload one of at most {MAX_SIDE} × {MAX_SIDE}."
    )]
    TooManyPixels { width: u32, height: u32 },
    #[error(
        "The image needs more memory to open than a logo may use. Upload a smaller one (at most {MAX_SIDE} × {MAX_SIDE} pixels)."
    )]
    TooMuchMemory,
    #[error(
        "The image could not be read: it may be truncated or damaged. Save it again and upload the new file."
    )]
    Damaged,
}

fn megabytes(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// Checks, decodes and re-encodes an upload.
pub fn normalise(upload: &[u8]) -> Result<Logo, LogoError> {
    if upload.is_empty() {
        return Err(LogoError::Empty);
    }
    if upload.len() > MAX_UPLOAD_BYTES {
        return Err(LogoError::TooLarge(upload.len()));
    }
    let format = format_of(upload)?;
    // The header alone first, to say what size the upload claims to be.
    let (width, height) = ImageReader::with_format(Cursor::new(upload), format)
        .into_dimensions()
        .map_err(refusal)?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(LogoError::TooManyPixels { width, height });
    }
    if width == 0 || height == 0 {
        return Err(LogoError::Damaged);
    }
    // Then the pixels, within limits (whatever the header said).
    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let orientation = decoder.orientation().map_err(refusal)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    image.apply_orientation(orientation);
    let image = if image.width() > OUTPUT_SIDE || image.height() > OUTPUT_SIDE {
        image.thumbnail(OUTPUT_SIDE, OUTPUT_SIDE)
    } else {
        image
    };
    // Pixels only: 8 bits per channel, alpha kept when the upload had it.
    let image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.to_rgb8())
    };
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| LogoError::Damaged)?;
    let reference = LogoRef::from_bytes(Sha256::digest(&png).into());
    Ok(Logo {
        width: image.width(),
        height: image.height(),
        png,
        reference,
    })
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// The upload's format, from its first bytes (never from its name or declared type).
fn format_of(upload: &[u8]) -> Result<ImageFormat, LogoError> {
    if looks_like_svg(upload) {
        return Err(LogoError::Svg);
    }
    match image::guess_format(upload) {
        Ok(f @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => Ok(f),
        Ok(other) => Err(LogoError::Unsupported(
            other
                .extensions_str()
                .first()
                .map(|e| e.to_uppercase())
                .unwrap_or_else(|| format!("{other:?}")),
        )),
        Err(_) => Err(LogoError::NotAnImage),
    }
}

/// SVG is XML text: look for an `<svg` element near the start, whatever comes before it
/// (a byte-order mark, white space, an XML declaration, comments, a doctype).
fn looks_like_svg(upload: &[u8]) -> bool {
    let head = &upload[..upload.len().min(4096)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('<') && text.contains("<svg")
}

fn refusal(e: ImageError) -> LogoError {
    match e {
        ImageError::Limits(_) => LogoError::TooMuchMemory,
        ImageError::Unsupported(_) => LogoError::NotAnImage,
        _ => LogoError::Damaged,
    }
}

#[cfg(test)]
mod tests {
    use image::{ImageBuffer, Rgb, Rgba};

    use super::*;

    fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), format)
            .expect("encode a test image");
        out
    }

    fn picture(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(ImageBuffer::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }))
    }

    #[test]
    fn png_jpeg_and_webp_are_accepted_and_come_out_as_png() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let logo = normalise(&encoded(picture(120, 60), format)).expect("a logo");
            assert_eq!((logo.width(), logo.height()), (120, 60), "{format:?}");
            assert_eq!(image::guess_format(logo.png()).ok(), Some(ImageFormat::Png));
        }
    }

    #[test]
    fn big_images_are_scaled_to_fit_keeping_their_shape() {
        let logo = normalise(&encoded(picture(2000, 1000), ImageFormat::Png)).expect("a logo");
        assert_eq!(
            (logo.width(), logo.height()),
            (OUTPUT_SIDE, OUTPUT_SIDE / 2)
        );
    }

    #[test]
    fn transparency_is_kept() {
        let image = DynamicImage::ImageRgba8(ImageBuffer::from_pixel(10, 10, Rgba([0, 0, 0, 0])));
        let logo = normalise(&encoded(image, ImageFormat::Png)).expect("a logo");
        let back = image::load_from_memory(logo.png()).expect("decode");
        assert!(back.color().has_alpha());
    }

    #[test]
    fn the_same_picture_gets_the_same_name_and_metadata_does_not_survive() {
        let plain = encoded(picture(40, 40), ImageFormat::Png);
        // The same pixels with a text chunk (a comment, as metadata would be) before IEND.
        let mut tagged = plain.clone();
        let iend = tagged.len() - 12;
        tagged.splice(
            iend..iend,
            chunk(b"tEXt", b"Author\0A. Person, 12 Example Road"),
        );
        let a = normalise(&plain).expect("a logo");
        let b = normalise(&tagged).expect("a logo");
        assert_eq!(a.reference(), b.reference());
        assert!(
            !b.png().windows(6).any(|w| w == b"Author"),
            "the re-encoded logo holds no text chunk"
        );
    }

    #[test]
    fn svg_is_refused_however_it_starts() {
        for svg in [
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"[..],
            b"\xef\xbb\xbf  <?xml version=\"1.0\"?>\n<!-- logo -->\n<SVG></SVG>",
        ] {
            assert_eq!(normalise(svg), Err(LogoError::Svg));
        }
    }

    #[test]
    fn text_renamed_as_an_image_is_not_an_image() {
        assert_eq!(
            normalise(b"This is a letter, not a picture.\n"),
            Err(LogoError::NotAnImage)
        );
        assert_eq!(normalise(b""), Err(LogoError::Empty));
    }

    #[test]
    fn other_image_formats_are_named() {
        let err = normalise(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").expect_err("refused");
        assert_eq!(err, LogoError::Unsupported("GIF".into()));
        assert!(err.to_string().contains("GIF image"), "{err}");
    }

    #[test]
    fn oversized_uploads_are_refused_before_decoding() {
        let upload = vec![0u8; 20 * 1024 * 1024];
        let err = normalise(&upload).expect_err("refused");
        assert_eq!(err, LogoError::TooLarge(upload.len()));
        assert!(err.to_string().contains("20.0 MB"), "{err}");
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        // A real PNG whose header declares 100,000 × 100,000 pixels (40 GB decoded).
        let mut bomb = encoded(picture(1, 1), ImageFormat::Png);
        let ihdr = 8 + 8; // signature, then the chunk's length and type
        bomb[ihdr..ihdr + 4].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[ihdr + 4..ihdr + 8].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..ihdr + 13]);
        bomb[ihdr + 13..ihdr + 17].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            normalise(&bomb),
            Err(LogoError::TooManyPixels { .. })
        ));
    }

    #[test]
    fn a_truncated_png_is_damaged() {
        let whole = encoded(picture(300, 300), ImageFormat::Png);
        let half = &whole[..whole.len() / 2];
        assert_eq!(normalise(half), Err(LogoError::Damaged));
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[4..]);
        out.extend_from_slice(&crc.to_be_bytes());
        out
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
}
