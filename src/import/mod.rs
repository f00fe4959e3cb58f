//! Other formats read into the block model. ONNX first; each importer gives a `Block` the rest
//! of convtui treats like any block file, or a one-line reason naming what it could not read.

pub mod onnx;
