//! On a machine without a virtio-gpu device every case must report skip, with its reason,
//! never pass. (With a device, none may fail.)

use std::process::Command;

#[test]
fn cases_skip_without_a_device_and_never_fail() {
    let has_device = virgl_guest::virtgpu::find_render_node().is_ok();
    let out = Command::new(env!("CARGO_BIN_EXE_virtgpu-kernel-tests"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows.len() >= 40, "{} cases", rows.len());
    for r in &rows {
        if has_device {
            assert_ne!(r["result"], "fail", "{r}");
        } else {
            assert_eq!(r["result"], "skip", "{r}");
            assert!(
                r["detail"]
                    .as_str()
                    .unwrap()
                    .contains("no virtio-gpu device"),
                "{r}"
            );
        }
    }
    assert!(out.status.success());
}

#[test]
fn kernel_log_filter_flags_only_real_problems() {
    let log = "virtio_gpu virtio0: features: +virgl +edid\n\
               [drm] Initialized virtio_gpu 0.1.0\n\
               WARNING: CPU: 0 PID: 1 at drivers/gpu/drm/drm_gem.c:100\n\
               [drm:virtio_gpu_dequeue_ctrl_func [virtio_gpu]] *ERROR* response 0x1203 (command 0x105)\n\
               BUG: kernel NULL pointer dereference\n\
               virtio_gpu: DEBUG: fence 12 signalled\n\
               virtio_gpu: 0 errors_total counter reset\n";
    let bad = virtgpu_kernel_tests::bad_log_lines(log);
    assert_eq!(bad.len(), 3, "{bad:?}");
    assert!(bad[0].starts_with("WARNING"));
    assert!(bad[1].contains("*ERROR*"));
}
