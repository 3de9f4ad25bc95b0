//! `virgl-host-vtest`: a drop-in for virglrenderer's `virgl_test_server`. See `--help`.

use std::process::ExitCode;

use virgl_host::gl::{Api, GlBackend};
use virgl_host::vtest::{self, Options, Parsed};
use virgl_host::{Renderer, Result};

/// The one place the server's renderer is made, in each client's process: a desktop GL core
/// context of at least 3.3, or with `--use-gles` the highest OpenGL ES the host gives, on
/// Mesa's surfaceless EGL platform, with its caps probed.
fn make_renderer(opts: &Options) -> Result<Renderer<GlBackend>> {
    let mut backend = if opts.gles {
        GlBackend::new_gles()?
    } else {
        GlBackend::new(Api::GlCore { major: 3, minor: 3 })?
    };
    backend.set_max_draw_vertices(opts.max_draw_vertices);
    let limits = backend.gl().resource_limits()?;
    Ok(Renderer::new(backend, limits))
}

fn main() -> ExitCode {
    vtest::scrub_environment();
    let parsed = Options::parse(std::env::args_os().skip(1), |var| {
        std::env::var_os(var).is_some()
    });
    let (options, notes) = match parsed {
        Ok(Parsed::Serve { options, notes }) => (options, notes),
        Ok(Parsed::Help(text)) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("virgl-host-vtest: {e}");
            return ExitCode::FAILURE;
        }
    };
    for note in notes {
        eprintln!("virgl-host-vtest: {note}");
    }
    match vtest::serve(&options, || make_renderer(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("virgl-host-vtest: {e}");
            ExitCode::FAILURE
        }
    }
}
