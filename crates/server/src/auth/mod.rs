//! Organiser authentication and authorisation: passwords, sessions, CSRF and roles.

pub mod csrf;
pub mod password;
pub mod session;

pub use session::Organiser;
