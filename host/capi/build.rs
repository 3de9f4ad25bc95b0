//! Gives the shared library virglrenderer's soname, so programs linked against
//! `libvirglrenderer.so.1` (QEMU's GL device module, `virgl_test_server`) load it.

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libvirglrenderer.so.1");
}
