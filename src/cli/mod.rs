//! The binary's own pieces that are not the command table: what to open.

pub mod source;
