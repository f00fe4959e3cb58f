//! The scalar reference: the definition of a pointwise convolution, written as plainly as
//! possible so the fast engine has something obviously right to be compared with.

use super::error::EngineError;
use super::shape::PointwiseShape;
use super::{Epilogue, check_operands};

/// `out[co·HW + p] = act(bias[co] + Σ_ci w[co·C_in + ci] · in[ci·HW + p] + add[co·HW + p])`, a plain triple
/// loop in f32 summing over `ci` in order (CHW tensors, W row-major by output channel).
pub fn reference(
    shape: PointwiseShape,
    weights: &[f32],
    input: &[f32],
    epilogue: Epilogue<'_>,
    output: &mut [f32],
) -> Result<(), EngineError> {
    let checked = check_operands(shape, weights, input, epilogue, output)?;
    let (c_in, pixels) = (shape.c_in, checked.pixels);
    for (co, out_row) in output.chunks_exact_mut(pixels).enumerate() {
        let w_row = &weights[co * c_in..(co + 1) * c_in];
        for (p, out) in out_row.iter_mut().enumerate() {
            let mut sum = 0.0f32;
            for (ci, &w) in w_row.iter().enumerate() {
                sum += w * input[ci * pixels + p];
            }
            if let Some(bias) = epilogue.bias {
                sum += bias[co];
            }
            if let Some(add) = epilogue.add {
                sum += add[co * pixels + p];
            }
            *out = epilogue.activation.apply(sum);
        }
    }
    Ok(())
}
