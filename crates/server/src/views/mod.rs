//! View models that more than one route renders.

pub mod asks;
pub mod chart;
pub mod letter;
