//! Integration tests: the real application over HTTP, with a real SQLite database and a real
//! SMTP server in the test process. One binary for the whole suite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accessibility;
mod admin_languages;
mod app;
mod asks;
mod branding;
mod cached;
mod charts;
mod delivery;
mod display;
mod duplicates;
mod email_languages;
mod embed;
mod exports;
mod flow;
mod helpers;
mod languages;
mod log;
mod lost_link;
mod mail_limits;
mod manage;
mod moderation;
mod organisations;
mod resilience;
mod retarget;
mod retention;
mod roles;
mod security;
mod sensitive;
mod smtp_tls;
mod team;
mod tokens;
mod updates;
mod validation;
mod versions;
