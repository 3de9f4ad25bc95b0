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

    /// A call named a context the renderer does not have.
    #[error("context {0} does not exist")]
    UnknownContext(u32),

    /// A context id that is already in use (or 0).
    #[error("context {0} cannot be created: {1}")]
    ContextExists(u32, &'static str),

    /// A call named a resource the renderer does not have, or that the context may not use.
    #[error("resource {id}: {detail}")]
    Resource { id: u32, detail: String },

    /// A transfer that does not fit its resource or its buffer.
    #[error("transfer on resource {id} level {level}: {source}")]
    Transfer {
        id: u32,
        level: u32,
        source: virgl_proto::Error,
    },

    /// A command of a stream failed; the context is in error from now on.
    #[error("context {ctx}: command {index} ({command}) at dword {offset}: {detail}")]
    Command {
        ctx: u32,
        index: usize,
        offset: usize,
        command: String,
        detail: String,
    },

    /// A stream that does not decode; the context is in error from now on.
    #[error("context {ctx}: {source}")]
    Decode {
        ctx: u32,
        source: virgl_proto::Error,
    },

    /// A create that would take its owner over a limit of its [`Quota`](crate::quota::Quota):
    /// what was refused, what the owner would then hold, the limit and what sets it.
    #[error("{what}: {held} {unit} would be over the limit of {max} ({set_by})")]
    OverLimit {
        what: String,
        held: u64,
        unit: &'static str,
        max: u64,
        set_by: &'static str,
    },

    /// A submission to a context that an earlier error ended.
    #[error("context {ctx} is in error since: {first}")]
    ContextLost { ctx: u32, first: String },
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

    /// A vtest client sent something the server refuses: a bad header or payload, or a command
    /// out of place. `command` names the vtest command (or `header`).
    #[error("{command}: {detail}")]
    Vtest {
        command: &'static str,
        detail: String,
    },

    /// The renderer refused a vtest command that has no way to report it to the client.
    #[error("{command}: {source}")]
    VtestRefused {
        command: &'static str,
        source: Box<Error>,
    },

    /// A system call failed; `call` says which and on what.
    #[error("{call}: {source}")]
    Io {
        call: &'static str,
        source: std::io::Error,
    },

    /// A command line the vtest server does not accept.
    #[error("{0}")]
    Usage(String),

    /// Something this build cannot do yet.
    #[error("not available: {0}")]
    Unavailable(&'static str),
}

impl Error {
    /// An [`Error::Io`] from a nix errno.
    pub fn os(call: &'static str, errno: nix::errno::Errno) -> Error {
        Error::Io {
            call,
            source: errno.into(),
        }
    }
}

fn at_instruction(instruction: Option<usize>) -> String {
    match instruction {
        Some(i) => format!(" at instruction {i}"),
        None => String::new(),
    }
}

/// Shorthand for this crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
