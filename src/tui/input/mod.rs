//! Text inputs and forms: the one-line [`TextInput`], the [`EditForm`] Enter opens (its fields
//! filled in `form_fields` and read back in `form_parse`), the menu of layers `a` adds, and
//! Tab's completion of paths.

mod field;
mod form;
mod form_fields;
mod form_parse;
mod new_layer;
mod path_complete;
mod text_input;

pub use field::{Field, FieldId, FieldKind};
pub use form::EditForm;
pub use new_layer::{CHOICES, Choice, default_choice};
pub use path_complete::{Completion, complete, current_dir, shown_dir};
pub use text_input::TextInput;
