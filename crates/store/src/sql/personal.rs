//! Signers' personal fields on their way into and out of the database: sealed when written,
//! opened when read (see `crate::sealed`). Every statement that writes or reads them goes
//! through here, so that no personal field reaches the database in clear.

use sqlx::Row;
use undersigned_core::signature::SignerDetails;

use super::{Ctx, DbRow};
pub(super) use crate::sealed::SealedSigner;
use crate::{
    StoreError,
    sealed::{Field, Keyring},
};

fn unreadable(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// Opens the sealed column `column` of `row`.
pub(super) fn open(
    keys: &Keyring,
    row: &DbRow,
    column: &str,
    field: Field,
) -> Result<String, StoreError> {
    let stored: Vec<u8> = row.try_get(column).ctx("reading personal data")?;
    keys.open(field, &stored)
        .map_err(|e| unreadable(&format!("a sealed {column}"), e))
}

/// Opens the sealed column `column` of `row`, which may be empty.
pub(super) fn open_optional(
    keys: &Keyring,
    row: &DbRow,
    column: &str,
    field: Field,
) -> Result<Option<String>, StoreError> {
    let stored: Option<Vec<u8>> = row.try_get(column).ctx("reading personal data")?;
    keys.open_optional(field, stored.as_deref())
        .map_err(|e| unreadable(&format!("a sealed {column}"), e))
}

/// A signer's details from the columns title, affiliation, city, country and comment.
pub(super) fn details(keys: &Keyring, row: &DbRow) -> Result<SignerDetails, StoreError> {
    Ok(SignerDetails {
        title: open_optional(keys, row, "title", Field::Title)?,
        affiliation: open_optional(keys, row, "affiliation", Field::Affiliation)?,
        city: open_optional(keys, row, "city", Field::City)?,
        country: open_optional(keys, row, "country", Field::Country)?,
        comment: open_optional(keys, row, "comment", Field::Comment)?,
        show_city: row
            .try_get::<i64, _>("show_city")
            .ctx("reading a signature")?
            != 0,
    })
}

/// The language in the sealed column `lang` of `row`, to write its signer's emails in. None
/// (English) when there is none, and when it does not open: the language is a courtesy, and
/// one damaged value must not stop the emails to every other signer.
pub(super) fn lang(keys: &Keyring, row: &DbRow) -> Result<Option<String>, StoreError> {
    let stored: Option<Vec<u8>> = row.try_get("lang").ctx("reading a signature")?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    match keys.open(Field::Lang, &stored) {
        Ok(lang) => Ok(Some(lang)),
        Err(e) => {
            tracing::warn!(error = %e, "a signer's language does not open: writing in English");
            Ok(None)
        }
    }
}
