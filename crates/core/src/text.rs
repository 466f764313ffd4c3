//! Bounded, cleaned user text.
//!
//! All free text that a user types goes through [`clean`]: surrounding white space is trimmed,
//! runs of white space inside a single-line value become one space, control characters are
//! refused, and the length is bounded in characters (not bytes).
//!
//! What a signer types (their name and every detail) goes through [`signer_text`] as well,
//! because it is published next to other people's text: it is NFC-normalised (so that the
//! same name is stored the same way, whatever keyboard typed it), direction controls that
//! reorder text (U+202E and the like) are refused, and so are invisible characters, except
//! the zero-width joiners that some scripts need between two letters. A name must also hold at
//! least one letter ([`PersonName`]).

use std::fmt;

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
use unicode_script::{Script, UnicodeScript};

/// Why a piece of text was refused. The messages are shown next to the form field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("This field is required.")]
    Empty,
    #[error("Use at most {max} characters.")]
    TooLong { max: usize },
    #[error("Remove the control characters from this field.")]
    ControlCharacters,
    #[error(
        "Remove the direction controls from this field: invisible characters (such as U+202E) that make text read in another order than it was written."
    )]
    DirectionControls,
    #[error(
        "Remove the invisible characters (zero-width spaces, joiners or fillers) from this field."
    )]
    InvisibleCharacters,
    #[error("Write your name with at least one letter.")]
    NoLetter,
}

/// Whether line breaks are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

/// Cleans `input` and checks its length. An empty result is an error; callers that accept an
/// empty optional value check for emptiness first (see [`clean_optional`]).
pub fn clean(input: &str, max_chars: usize, lines: Lines) -> Result<String, TextError> {
    let cleaned = match lines {
        Lines::Single => {
            if input.chars().any(|c| c.is_control() && !c.is_whitespace()) {
                return Err(TextError::ControlCharacters);
            }
            input.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        Lines::Multi => {
            if input
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                return Err(TextError::ControlCharacters);
            }
            input
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .trim()
                .to_owned()
        }
    };
    if cleaned.is_empty() {
        return Err(TextError::Empty);
    }
    if cleaned.chars().count() > max_chars {
        return Err(TextError::TooLong { max: max_chars });
    }
    Ok(cleaned)
}

/// `None` when `input` is only white space, else what `check` makes of it.
fn optional(
    input: &str,
    check: impl FnOnce(&str) -> Result<String, TextError>,
) -> Result<Option<String>, TextError> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    check(input).map(Some)
}

/// Like [`clean`], but white space only means "not given".
pub fn clean_optional(
    input: &str,
    max_chars: usize,
    lines: Lines,
) -> Result<Option<String>, TextError> {
    optional(input, |s| clean(s, max_chars, lines))
}

/// Characters that change the direction in which the text around them is shown (embeddings,
/// overrides, isolates and the directional marks): with them, a published name can read as
/// another name, or spill over the text next to it.
fn is_direction_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Zero-width joiner and non-joiner: invisible, but some scripts (Persian, Hindi, …) need them
/// between two letters to be spelt right.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

/// Characters that show nothing and have no use in a name or a short text: zero-width space,
/// word joiner, byte-order mark, invisible operators, deprecated format characters, the
/// Mongolian vowel separator and the Hangul fillers (which count as letters, and so can make a
/// name that looks empty).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{180E}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{FFA0}'
    )
}

/// What a piece of signer text is: a name, where a joiner may only join letters, or other
/// text (a title, a city, a comment), where it may also join emoji and other visible signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerTextKind {
    Name,
    Other,
}

/// Whether a zero-width joiner or non-joiner between `before` and `after` is one a script
/// needs. In a name both sides must be letters (a virama or other mark may come before it,
/// as in Devanagari conjuncts); in other text both sides must be visible.
fn joiner_allowed(before: Option<char>, after: Option<char>, kind: SignerTextKind) -> bool {
    let (Some(before), Some(after)) = (before, after) else {
        return false;
    };
    match kind {
        SignerTextKind::Name => {
            (before.is_alphabetic() || is_combining_mark(before)) && after.is_alphabetic()
        }
        SignerTextKind::Other => [before, after]
            .iter()
            .all(|c| !c.is_whitespace() && !is_invisible(*c) && !is_joiner(*c)),
    }
}

/// Cleans what a signer typed ([`clean`]), NFC-normalised, with direction controls and
/// invisible characters refused (joiners only where a script needs them).
pub fn signer_text(
    input: &str,
    max_chars: usize,
    lines: Lines,
    kind: SignerTextKind,
) -> Result<String, TextError> {
    if input.chars().any(is_direction_control) {
        return Err(TextError::DirectionControls);
    }
    let normalised: String = input.nfc().collect();
    let cleaned = clean(&normalised, max_chars, lines)?;
    let chars: Vec<char> = cleaned.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let refused = is_invisible(c)
            || (is_joiner(c)
                && !joiner_allowed(
                    i.checked_sub(1).map(|j| chars[j]),
                    chars.get(i + 1).copied(),
                    kind,
                ));
        if refused {
            return Err(TextError::InvisibleCharacters);
        }
    }
    Ok(cleaned)
}

/// Like [`signer_text`], but white space only means "not given".
pub fn signer_text_optional(
    input: &str,
    max_chars: usize,
    lines: Lines,
) -> Result<Option<String>, TextError> {
    optional(input, |s| {
        signer_text(s, max_chars, lines, SignerTextKind::Other)
    })
}

/// Scripts in which one character is a whole syllable or word, so that a name is only two
/// or three characters long and one character a word would give most of it away.
fn is_syllabic(c: char) -> bool {
    matches!(
        c.script(),
        Script::Han
            | Script::Hangul
            | Script::Hiragana
            | Script::Katakana
            | Script::Bopomofo
            | Script::Yi
            | Script::Tangut
            | Script::Nushu
            | Script::Khitan_Small_Script
            | Script::Ethiopic
            | Script::Cherokee
            | Script::Canadian_Aboriginal
            | Script::Vai
            | Script::Bamum
            | Script::Linear_B
            | Script::Cypriot
            | Script::Mende_Kikakui
    )
}

/// The initials of `name`: "Jane Q. Doe" becomes "J. Q. D." (the first letter of each word,
/// upper-cased; words that start with no letter are skipped). In a name written in a script
/// where a character is a syllable or a word (Han, Hangul, Kana, Yi, …) only the first
/// character is shown: `王 芳` becomes `王.`, `김 민준` becomes `김.`. A name without letters
/// gets "?", never the name itself.
pub fn initials(name: &str) -> String {
    let firsts: Vec<char> = name
        .split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphabetic()))
        .collect();
    let shown = if name.chars().any(is_syllabic) {
        &firsts[..firsts.len().min(1)]
    } else {
        &firsts[..]
    };
    if shown.is_empty() {
        return "?".to_owned();
    }
    shown
        .iter()
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A person's name as they want it shown: 1 to 100 characters on one line, NFC-normalised,
/// with at least one letter and no direction controls or invisible characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, TextError> {
        let name = signer_text(input, Self::MAX_CHARS, Lines::Single, SignerTextKind::Name)?;
        if !name.chars().any(char::is_alphabetic) {
            return Err(TextError::NoLetter);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name's [`initials`].
    pub fn initials(&self) -> String {
        initials(&self.0)
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_collapses_white_space() {
        assert_eq!(
            clean("  Ada \t  Lovelace\n", 50, Lines::Single).unwrap(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn multi_line_keeps_line_breaks() {
        assert_eq!(clean(" a\r\nb \n", 50, Lines::Multi).unwrap(), "a\nb");
    }

    #[test]
    fn refuses_control_characters_empty_and_long() {
        assert_eq!(
            clean("a\u{0}b", 10, Lines::Single),
            Err(TextError::ControlCharacters)
        );
        assert_eq!(clean("   ", 10, Lines::Single), Err(TextError::Empty));
        assert_eq!(
            clean("ééééé", 4, Lines::Single),
            Err(TextError::TooLong { max: 4 })
        );
        assert_eq!(clean("ééééé", 5, Lines::Single).unwrap(), "ééééé");
    }

    #[test]
    fn optional_blank_is_none() {
        assert_eq!(clean_optional("  ", 5, Lines::Single), Ok(None));
        assert_eq!(
            clean_optional(" x ", 5, Lines::Single),
            Ok(Some("x".into()))
        );
    }

    #[test]
    fn initials() {
        let name = PersonName::parse("jane  q. doe").unwrap();
        assert_eq!(name.initials(), "J. Q. D.");
        assert_eq!(PersonName::parse("Ægir Þór").unwrap().initials(), "Æ. Þ.");
        assert_eq!(super::initials("123 !"), "?");
    }

    #[test]
    fn initials_of_syllabic_scripts_show_one_character() {
        // Fictional names.
        for (name, shown) in [
            ("王 芳", "王."),
            ("王芳", "王."),
            ("김 민준", "김."),
            ("山田 花子", "山."),
            ("やまだ はなこ", "や."),
            ("ヤマダ ハナコ", "ヤ."),
            ("ꆈꌠ ꁱꂷ", "ꆈ."),
            // Alphabetic scripts keep one initial a word.
            ("Лейла Мирова", "Л. М."),
            ("ليلى حداد", "ل. ح."),
            ("דנה לוי", "ד. ל."),
            ("प्रिया शर्मा", "प. श."),
        ] {
            assert_eq!(PersonName::parse(name).unwrap().initials(), shown, "{name}");
        }
    }

    #[test]
    fn names_are_nfc_normalised() {
        let decomposed = "Zoe\u{0301} Ba\u{0308}r";
        let name = PersonName::parse(decomposed).unwrap();
        assert_eq!(name.as_str(), "Zoé Bär");
        assert_eq!(name.as_str().chars().count(), 7);
    }

    #[test]
    fn direction_controls_are_refused() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            let text = format!("Ada{c} Corvane");
            assert_eq!(
                PersonName::parse(&text),
                Err(TextError::DirectionControls),
                "{:04X}",
                c as u32
            );
            assert_eq!(
                signer_text_optional(&text, 80, Lines::Single),
                Err(TextError::DirectionControls)
            );
        }
    }

    #[test]
    fn invisible_names_are_refused() {
        assert_eq!(
            PersonName::parse("\u{200B}\u{200B}"),
            Err(TextError::InvisibleCharacters)
        );
        assert_eq!(
            PersonName::parse("\u{3164}"),
            Err(TextError::InvisibleCharacters)
        );
        assert_eq!(
            PersonName::parse("Ada\u{FEFF}"),
            Err(TextError::InvisibleCharacters)
        );
        assert_eq!(PersonName::parse("— · —"), Err(TextError::NoLetter));
        assert_eq!(PersonName::parse("12345"), Err(TextError::NoLetter));
    }

    #[test]
    fn joiners_only_between_letters_in_names() {
        // Persian: a zero-width non-joiner inside a word (a fictional name).
        assert!(PersonName::parse("مهر\u{200C}آسا نیک\u{200C}پی").is_ok());
        // Devanagari: a joiner after a virama.
        assert!(PersonName::parse("क्\u{200D}ष").is_ok());
        // Not at the edges, not beside spaces, not in emoji sequences.
        for bad in [
            "\u{200D}Ada",
            "Ada\u{200C}",
            "Ada \u{200D} Corvane",
            "Ada \u{1F469}\u{200D}\u{1F4BB}",
        ] {
            assert_eq!(
                PersonName::parse(bad),
                Err(TextError::InvisibleCharacters),
                "{bad:?}"
            );
        }
        // Other signer text may join emoji.
        assert_eq!(
            signer_text_optional("Go \u{1F469}\u{200D}\u{1F4BB}", 80, Lines::Single),
            Ok(Some("Go \u{1F469}\u{200D}\u{1F4BB}".to_owned()))
        );
        assert_eq!(
            signer_text_optional("a\u{200B}b", 80, Lines::Single),
            Err(TextError::InvisibleCharacters)
        );
    }
}
