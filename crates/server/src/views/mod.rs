//! View models that more than one route renders.

pub mod letter;
