//! GLSL value types and the conversions between them.

/// The scalar type a value has in GLSL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    Float,
    Int,
    Uint,
}

impl Ty {
    /// The GLSL type of `n` components (1 to 4).
    pub(super) fn vec(self, n: usize) -> &'static str {
        const F: [&str; 4] = ["float", "vec2", "vec3", "vec4"];
        const I: [&str; 4] = ["int", "ivec2", "ivec3", "ivec4"];
        const U: [&str; 4] = ["uint", "uvec2", "uvec3", "uvec4"];
        let table = match self {
            Ty::Float => &F,
            Ty::Int => &I,
            Ty::Uint => &U,
        };
        table[n.clamp(1, 4) - 1]
    }

    /// The literal zero.
    pub(super) fn zero(self) -> &'static str {
        match self {
            Ty::Float => "0.0",
            Ty::Int => "0",
            Ty::Uint => "0u",
        }
    }
}

/// `expr`, of `n` components of type `from`, reinterpreted (bit for bit) as `to`.
pub(super) fn bitcast(expr: String, from: Ty, to: Ty, n: usize) -> String {
    match (from, to) {
        (a, b) if a == b => expr,
        (Ty::Float, Ty::Uint) => format!("floatBitsToUint({expr})"),
        (Ty::Float, Ty::Int) => format!("floatBitsToInt({expr})"),
        (Ty::Uint, Ty::Float) => format!("uintBitsToFloat({expr})"),
        (Ty::Int, Ty::Float) => format!("intBitsToFloat({expr})"),
        (_, to) => format!("{}({expr})", to.vec(n)),
    }
}

/// `expr`, of `n` components of type `from`, as `to` in GLSL ES 1.00, where registers hold
/// values: converted numerically, `uint` spelled `int`.
pub(super) fn convert(expr: String, from: Ty, to: Ty, n: usize) -> String {
    let plain = |t: Ty| if t == Ty::Uint { Ty::Int } else { t };
    let (from, to) = (plain(from), plain(to));
    if from == to {
        expr
    } else {
        format!("{}({expr})", to.vec(n))
    }
}

/// A float literal GLSL reads back as the same value, or `None` for infinities and NaNs.
pub(super) fn float_literal(v: f32) -> Option<String> {
    if !v.is_finite() {
        return None;
    }
    let s = format!("{v:?}");
    Some(if s.contains(['.', 'e']) { s } else { s + ".0" })
}
