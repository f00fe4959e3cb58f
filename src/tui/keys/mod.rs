//! Keys: one table per mode ([`tables`]) of [`Binding`]s, and the dispatch that reads them
//! for actions, status-bar hints and help.

mod binding;
mod dispatch;
pub mod tables;

pub use binding::{Binding, Key};
pub use dispatch::{action_for, action_for_app, help_line_count, hints, keys_label, table};
pub use tables::SECTIONS;
