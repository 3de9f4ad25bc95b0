//! The guest crate's error type: which call failed, and why.

use std::fmt;

/// An OS error number, shown by its name (`EINVAL`) as the kernel headers spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub i32);

impl Errno {
    /// The calling thread's last error.
    pub fn last() -> Errno {
        Errno(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    }

    /// The symbolic name, or `errno N` for numbers without one here.
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        let n = match self.0 {
            libc::EPERM => "EPERM",
            libc::ENOENT => "ENOENT",
            libc::ESRCH => "ESRCH",
            libc::EINTR => "EINTR",
            libc::EIO => "EIO",
            libc::ENXIO => "ENXIO",
            libc::E2BIG => "E2BIG",
            libc::EBADF => "EBADF",
            libc::EAGAIN => "EAGAIN",
            libc::ENOMEM => "ENOMEM",
            libc::EACCES => "EACCES",
            libc::EFAULT => "EFAULT",
            libc::EBUSY => "EBUSY",
            libc::EEXIST => "EEXIST",
            libc::ENODEV => "ENODEV",
            libc::ENOTDIR => "ENOTDIR",
            libc::EISDIR => "EISDIR",
            libc::EINVAL => "EINVAL",
            libc::ENFILE => "ENFILE",
            libc::EMFILE => "EMFILE",
            libc::ENOTTY => "ENOTTY",
            libc::EFBIG => "EFBIG",
            libc::ENOSPC => "ENOSPC",
            libc::ESPIPE => "ESPIPE",
            libc::EPIPE => "EPIPE",
            libc::ERANGE => "ERANGE",
            libc::ENOSYS => "ENOSYS",
            libc::ETIME => "ETIME",
            libc::EOVERFLOW => "EOVERFLOW",
            libc::EOPNOTSUPP => "EOPNOTSUPP",
            libc::ECONNREFUSED => "ECONNREFUSED",
            libc::ECONNRESET => "ECONNRESET",
            libc::ETIMEDOUT => "ETIMEDOUT",
            libc::ENOTCONN => "ENOTCONN",
            libc::ENOTSOCK => "ENOTSOCK",
            libc::EDEADLK => "EDEADLK",
            _ => return format!("errno {}", self.0).into(),
        };
        n.into()
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl From<&std::io::Error> for Errno {
    fn from(e: &std::io::Error) -> Errno {
        Errno(e.raw_os_error().unwrap_or(libc::EIO))
    }
}

/// Errors from transports and the context.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A system call or ioctl failed.
    #[error("{call}: {errno}")]
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
    pub(crate) fn os(call: &'static str) -> Error {
        Error::Os {
            call,
            errno: Errno::last(),
        }
    }

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
            Error::Io { source, .. } => source.raw_os_error().map(Errno),
            _ => None,
        }
    }
}

/// Shorthand for this crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
