//! The host crate's one error type.

/// What went wrong, and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `libEGL.so.1` could not be loaded, or lacks EGL 1.5.
    #[error("cannot load libEGL.so.1: {0}")]
    EglLoad(String),

    /// An EGL call failed; `call` names it, `error` is EGL's error name.
    #[error("{call}: {error}")]
    Egl { call: &'static str, error: String },

    /// The EGL display lacks something the renderer needs.
    #[error("EGL display: {0}")]
    EglMissing(String),

    /// A guest's RESOURCE_CREATE that the host refuses, with the rule it breaks.
    #[error("resource {id}: {detail}")]
    InvalidResource { id: u32, detail: String },

    /// A GL object could not be made, or GL reported an error.
    #[error("GL {call}: {detail}")]
    Gl { call: &'static str, detail: String },

    /// The renderer cannot do this on this host yet.
    #[error("unsupported: {0}")]
    Unsupported(String),

    /// A TGSI shader uses something the GLSL translator does not handle: `what` names the
    /// opcode, declaration or property, `instruction` the TGSI instruction number if any.
    #[error("TGSI to GLSL: unsupported {what}{}", at_instruction(*.instruction))]
    UnsupportedTgsi {
        what: String,
        instruction: Option<usize>,
    },
}

fn at_instruction(instruction: Option<usize>) -> String {
    match instruction {
        Some(i) => format!(" at instruction {i}"),
        None => String::new(),
    }
}

/// Shorthand for this crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
