//! Parsing the words that name an enum's values (`open`, `initials`, …), as stored and as
//! posted.

/// A word that names none of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownValue {
    /// What the word should have named: "letter state", "display level", …
    pub kind: &'static str,
    pub value: String,
}

/// The value among `all` whose name is `word`, or an [`UnknownValue`] of `kind`.
pub fn parse_name<T: Copy>(
    all: &[T],
    name: impl Fn(T) -> &'static str,
    kind: &'static str,
    word: &str,
) -> Result<T, UnknownValue> {
    all.iter()
        .copied()
        .find(|value| name(*value) == word)
        .ok_or_else(|| UnknownValue {
            kind,
            value: word.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use crate::{DisplayLevel, FieldRequirement, LetterState, SignatureState};

    #[test]
    fn each_enum_names_itself_in_its_parse_error() {
        let message = |e: super::UnknownValue| e.to_string();
        assert_eq!(
            message("sent".parse::<LetterState>().unwrap_err()),
            "unknown letter state \"sent\""
        );
        assert_eq!(
            message("maybe".parse::<FieldRequirement>().unwrap_err()),
            "unknown field requirement \"maybe\""
        );
        assert_eq!(
            message("secret".parse::<DisplayLevel>().unwrap_err()),
            "unknown display level \"secret\""
        );
        assert_eq!(
            message("lost".parse::<SignatureState>().unwrap_err()),
            "unknown signature state \"lost\""
        );
        assert_eq!("open".parse::<LetterState>(), Ok(LetterState::Open));
    }
}
