//! Integration tests of the library and the `convtui` binary (one test binary, several modules).

mod cli;
mod fixtures;
mod messages;
mod network_cli;
mod onnx;
mod presets;
mod properties;
mod reader_fuzz;
mod support;
mod whole;
