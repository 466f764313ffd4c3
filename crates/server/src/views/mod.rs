//! View models that more than one route renders.

pub mod asks;
pub mod letter;
