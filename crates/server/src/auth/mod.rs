//! Organiser authentication and authorisation: sessions, CSRF and roles (password hashing
//! is a service: `crate::services::passwords`).

pub mod csrf;
pub mod session;

pub use session::Organiser;
