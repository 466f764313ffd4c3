//! Integration tests: the real application over HTTP, with a real SQLite database and a real
//! SMTP server in the test process. One binary for the whole suite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
mod branding;
mod display;
mod duplicates;
mod flow;
mod helpers;
mod log;
mod lost_link;
mod mail_limits;
mod manage;
mod organisations;
mod resilience;
mod retention;
mod security;
mod sensitive;
mod tokens;
mod validation;
