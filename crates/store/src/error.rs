//! The store's error type.

/// What can go wrong in the store. Handlers map `Unavailable` to 503 with Retry-After,
/// `NotFound` to 404, `Conflict` and `WrongState` to a form message, everything else to 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database is busy, locked, full or its pool is exhausted: try again shortly.
    #[error("the database is unavailable while {context}")]
    Unavailable {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A unique value (named) is taken.
    #[error("{0} is already taken")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    /// The record is not in a state that allows the change.
    #[error("the {what} is {actual}")]
    WrongState { what: &'static str, actual: String },
    /// A row that the code cannot read (a bug or a damaged database).
    #[error("unreadable {0}")]
    Corrupt(String),
    #[error("database error while {context}")]
    Database {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("could not run the database migrations")]
    Migrate(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}

/// Parses a stored enum value, or reports the row as corrupt.
pub(crate) fn parse_stored<T: std::str::FromStr>(value: &str, what: &str) -> Result<T, StoreError> {
    value
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("{what} {value:?}")))
}
