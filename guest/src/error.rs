//! The guest crate's error type: which call failed, and why.

pub use nix::errno::Errno;

/// The errno behind an I/O error (EIO where it carries none).
pub fn errno_of(e: &std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(Errno::EIO as i32))
}

/// Errors from transports and the context.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A system call or ioctl failed; shown with the errno's name (`EINVAL`).
    #[error("{call}: {errno:?}")]
    Os { call: &'static str, errno: Errno },

    /// A socket or file operation failed with more context than an errno.
    #[error("{call}: {source}")]
    Io {
        call: &'static str,
        #[source]
        source: std::io::Error,
    },

    /// The vtest server closed the connection.
    #[error("{call}: server closed the connection")]
    Disconnected { call: &'static str },

    /// The peer answered something the protocol does not allow.
    #[error("{call}: {detail}")]
    Protocol { call: &'static str, detail: String },

    /// Wire-format encoding or decoding failed.
    #[error(transparent)]
    Wire(#[from] virgl_proto::Error),

    /// No usable device or server.
    #[error("{0}")]
    NoDevice(String),

    /// A request this transport or context cannot do.
    #[error("{call}: unsupported: {detail}")]
    Unsupported { call: &'static str, detail: String },

    /// A caller mistake: a bad argument, named with its value.
    #[error("{call}: {detail}")]
    InvalidArgument { call: &'static str, detail: String },
}

impl Error {
    /// Wraps an I/O error from `call`; a closed peer becomes [`Error::Disconnected`] and a
    /// timeout a [`Error::Protocol`] error.
    pub fn io(call: &'static str, source: std::io::Error) -> Error {
        match source.kind() {
            std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::BrokenPipe
            | std::io::ErrorKind::ConnectionReset => Error::Disconnected { call },
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => Error::Protocol {
                call,
                detail: "no reply before the timeout".into(),
            },
            _ => Error::Io { call, source },
        }
    }

    /// The errno, where the failure was a system call.
    ///
    /// Timeouts are reported as [`Error::Protocol`] and carry none.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Error::Os { errno, .. } => Some(*errno),
            Error::Io { source, .. } => source.raw_os_error().map(Errno::from_raw),
            _ => None,
        }
    }
}

/// Shorthand for this crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
