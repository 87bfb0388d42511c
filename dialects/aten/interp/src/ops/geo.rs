//! The interpreter entries of the geometric ops (grid sampling, affine grids, pairwise
//! distances): read the arguments, call [`crate::kernels::geo`].

use super::{Results, one};
use crate::eval::OpArgs;
use crate::kernels::geo::{self, GridSample};
use crate::tensor::{KResult, RuntimeValue};

fn grid_sample(a: &OpArgs) -> KResult<GridSample> {
    GridSample::new(
        a.int("interpolation_mode")?,
        a.int("padding_mode")?,
        a.bool("align_corners")?,
    )
}

pub(crate) fn grid_sampler_2d(a: &OpArgs) -> Results {
    one(geo::grid_sampler_2d(
        a.tensor("input")?,
        a.tensor("grid")?,
        grid_sample(a)?,
    )?)
}

pub(crate) fn grid_sampler_2d_backward(a: &OpArgs) -> Results {
    let mask = match a.value("output_mask")?.as_bools() {
        Some(&[i, g]) => [i, g],
        _ => return crate::tensor::kerr("attribute 'output_mask' must be two booleans"),
    };
    let grads = geo::grid_sampler_2d_backward(
        a.tensor("grad_output")?,
        a.tensor("input")?,
        a.tensor("grid")?,
        grid_sample(a)?,
        mask,
    )?;
    Ok(grads.into_iter().map(RuntimeValue::from).collect())
}

pub(crate) fn affine_grid_generator(a: &OpArgs) -> Results {
    one(geo::affine_grid_generator(
        a.tensor("theta")?,
        &a.ints("size")?,
        a.bool("align_corners")?,
    )?)
}

pub(crate) fn cdist_forward(a: &OpArgs) -> Results {
    one(geo::cdist_forward(
        a.tensor("x1")?,
        a.tensor("x2")?,
        a.float("p")?,
        a.opt_int("compute_mode")?,
    )?)
}

pub(crate) fn cdist_backward(a: &OpArgs) -> Results {
    one(geo::cdist_backward(
        a.tensor("grad_output")?,
        a.tensor("x1")?,
        a.tensor("x2")?,
        a.float("p")?,
        a.tensor("cdist")?,
    )?)
}

pub(crate) fn euclidean_dist(a: &OpArgs) -> Results {
    one(geo::euclidean_dist(a.tensor("x1")?, a.tensor("x2")?)?)
}

pub(crate) fn pdist_forward(a: &OpArgs) -> Results {
    one(geo::pdist_forward(a.tensor("self")?, a.float("p")?)?)
}

pub(crate) fn pdist_backward(a: &OpArgs) -> Results {
    one(geo::pdist_backward(
        a.tensor("grad_output")?,
        a.tensor("self")?,
        a.float("p")?,
        a.tensor("pdist")?,
    )?)
}
