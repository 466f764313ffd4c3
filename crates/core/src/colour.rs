//! A host's colour: `#rrggbb`, dark enough that links, buttons and the focus ring drawn in
//! it stay readable on the page (WCAG 2.2 AA: at least 4.5:1 against white and against the
//! page's background).

use std::fmt;

/// The page's background (`--paper` in style.css).
pub const PAGE_BACKGROUND: Colour = Colour([0xfb, 0xfa, 0xf7]);
/// White: cards, and the text on buttons filled with the colour.
pub const WHITE: Colour = Colour([0xff, 0xff, 0xff]);
/// The contrast a colour needs against both.
pub const MIN_CONTRAST: f64 = 4.5;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ColourError {
    #[error("Write the colour as # and six hexadecimal digits, for example #1f4e79.")]
    Format,
    #[error(
        "This colour is too light to read on the page: its contrast with white is {0:.1}:1 \
         and needs to be at least 4.5:1. Choose a darker shade."
    )]
    TooLight(f64),
}

/// A colour in `#rrggbb` with at least [`MIN_CONTRAST`] against white and the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Colour([u8; 3]);

impl Colour {
    /// Reads `#rrggbb` (or `rrggbb`; either case) and checks its contrast.
    pub fn parse(input: &str) -> Result<Self, ColourError> {
        let colour = Self::parse_hex(input)?;
        let worst = colour.contrast(WHITE).min(colour.contrast(PAGE_BACKGROUND));
        if worst < MIN_CONTRAST {
            return Err(ColourError::TooLight(worst));
        }
        Ok(colour)
    }

    /// Reads `#rrggbb` without checking contrast.
    fn parse_hex(input: &str) -> Result<Self, ColourError> {
        let s = input.trim();
        let hex = s.strip_prefix('#').unwrap_or(s);
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ColourError::Format);
        }
        let byte =
            |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| ColourError::Format);
        Ok(Self([byte(0)?, byte(2)?, byte(4)?]))
    }

    /// The WCAG relative luminance.
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    /// The WCAG contrast ratio between two colours (1 to 21).
    pub fn contrast(self, other: Colour) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }
}

impl fmt::Display for Colour {
    /// `#rrggbb`, lower case: safe in CSS and HTML as it is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_colours_are_accepted_and_written_in_lower_case() {
        assert_eq!(Colour::parse("#1F4E79").unwrap().to_string(), "#1f4e79");
        assert_eq!(Colour::parse(" 000000 ").unwrap().to_string(), "#000000");
    }

    #[test]
    fn malformed_colours_are_refused() {
        for bad in [
            "",
            "#fff",
            "#12345g",
            "red",
            "#1234567",
            "#12 456",
            "#ｆｆｆｆｆｆ",
        ] {
            assert_eq!(Colour::parse(bad), Err(ColourError::Format), "{bad:?}");
        }
    }

    #[test]
    fn light_colours_are_refused_with_their_contrast() {
        let Err(ColourError::TooLight(ratio)) = Colour::parse("#ffcc00") else {
            panic!("yellow is too light");
        };
        assert!(ratio < 2.0, "{ratio}");
        // #767676 is 4.54:1 on white but less on the off-white page.
        assert!(matches!(
            Colour::parse("#767676"),
            Err(ColourError::TooLight(_))
        ));
        assert!(Colour::parse("#6e6e6e").is_ok());
    }

    #[test]
    fn contrast_matches_the_wcag_examples() {
        let black = Colour::parse_hex("#000000").unwrap();
        assert!((black.contrast(WHITE) - 21.0).abs() < 0.01);
        assert!((WHITE.contrast(WHITE) - 1.0).abs() < 0.01);
    }
}
