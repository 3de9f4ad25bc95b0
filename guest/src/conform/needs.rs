//! What cases need of the host, as pure functions of its caps: each returns `None` when the
//! caps offer it, else the reason to skip, naming the cap and the host's value. A case's
//! [`Needs`](super::Needs) combines them with [`all`].

use virgl_proto::caps::{BoolSet1, CapabilityBits, CapsV2};
use virgl_proto::format::Format;
use virgl_proto::pipe::PrimMode;

use crate::transport::Caps;

/// The lowest `glsl_level` at which Gallium's virgl driver sends integer TGSI
/// (`PIPE_SHADER_CAP_INTEGERS`).
pub const INTEGER_GLSL_LEVEL: u32 = 130;

/// A case that needs nothing beyond what every virgl host offers.
pub fn nothing(_: &Caps) -> Option<String> {
    None
}

/// Every reason in `checks`, joined; `None` when there is none.
pub fn all<const N: usize>(checks: [Option<String>; N]) -> Option<String> {
    let reasons: Vec<String> = checks.into_iter().flatten().collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// `what` (the host's value `have`) is at least `want`.
pub fn at_least(what: &str, have: u32, want: u32) -> Option<String> {
    (have < want).then(|| format!("{what} is {have}, {want} needed"))
}

/// A v2 field is at least `want`; `None` without capset 2 when `v1_only_ok`, a skip otherwise.
pub fn v2_at_least(
    caps: &Caps,
    what: &str,
    field: fn(&CapsV2) -> u32,
    want: u32,
    v1_only_ok: bool,
) -> Option<String> {
    match &caps.v2 {
        Some(v2) => at_least(what, field(v2), want),
        None if v1_only_ok => None,
        None => Some(format!(
            "the host offers no capset 2, so no {what} (>= {want} needed)"
        )),
    }
}

/// Integer TGSI: integer opcodes, integer immediates used as integers, integer sampler views
/// and render targets.
pub fn integers(caps: &Caps) -> Option<String> {
    at_least("glsl_level", caps.v1.glsl_level, INTEGER_GLSL_LEVEL)
        .map(|r| format!("{r} for integer TGSI (PIPE_SHADER_CAP_INTEGERS)"))
}

/// `format` in the sampler mask.
pub fn sampler(caps: &Caps, format: Format) -> Option<String> {
    (!caps.v1.sampler.supports(format)).then(|| format!("{format} not in the host's sampler mask"))
}

/// `format` in the render mask.
pub fn render(caps: &Caps, format: Format) -> Option<String> {
    (!caps.v1.render.supports(format)).then(|| format!("{format} not in the host's render mask"))
}

/// Every bit of `want` in `bset`.
pub fn bools(caps: &Caps, want: BoolSet1) -> Option<String> {
    let missing = want.difference(caps.v1.bools());
    (!missing.is_empty()).then(|| format!("the host lacks {} (bset)", names(missing.iter_names())))
}

/// Every bit of `want` in v2's `capability_bits`.
pub fn capability(caps: &Caps, want: CapabilityBits) -> Option<String> {
    let have = caps
        .v2
        .map_or(CapabilityBits::empty(), |v2| v2.capabilities());
    let missing = want.difference(have);
    let what = names(missing.iter_names());
    match (missing.is_empty(), caps.v2.is_some()) {
        (true, _) => None,
        (false, true) => Some(format!("the host lacks {what} (capability_bits)")),
        (false, false) => Some(format!(
            "the host offers no capset 2, so no {what} (capability_bits)"
        )),
    }
}

/// `mode` in `prim_mask`.
pub fn prim(caps: &Caps, mode: PrimMode) -> Option<String> {
    let mask = caps.v1.prim_mask;
    (mask >> mode.to_wire() & 1 == 0).then(|| format!("prim_mask {mask:#x} lacks {}", mode.name()))
}

fn names<'a>(names: impl Iterator<Item = (&'a str, impl Sized)>) -> String {
    names.map(|(n, _)| n).collect::<Vec<_>>().join(" / ")
}
