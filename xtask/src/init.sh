#!/bin/busybox sh
# Guest init: mount, load modules, run the suites, report on the console, power off.
# Every line meant for the host starts with "@@VIRGL "; see xtask/src/vm.rs for the grammar.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
say() { echo "@@VIRGL $*"; }

say phase modules
# The display offers one mode: drm takes our EDID (virgl.edid, under /lib/firmware) instead of
# QEMU's, which lists modes up to 5120x2160 (see GUEST_MODE in xtask/src/vm.rs).
edid=$(sed -n 's/.*virgl\.edid=\([^ ]*\).*/\1/p' /proc/cmdline)
while read -r m; do
    case "$m" in
    */drm.ko) insmod "/$m" ${edid:+edid_firmware=$edid} ;;
    *) insmod "/$m" ;;
    esac || say error "insmod $m failed"
done < /etc/modules.load
i=0
while [ ! -e /dev/dri/renderD128 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /dev/dri/renderD128 ] || say error "no /dev/dri/renderD128 after loading the modules"

arg() { sed -n "s/.*virgl\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
filter=$(arg filter)
png=$(arg png)

run_suite() {
    suite=$1; shift
    say phase "$suite"
    { "$@" 2>/tmp/$suite.err; echo $? >/tmp/$suite.rc; } | while IFS= read -r line; do
        say result "$suite" "$line"
    done
    while IFS= read -r line; do say stderr "$suite" "$line"; done </tmp/$suite.err
    say done "$suite" "$(cat /tmp/$suite.rc)"
}

suites=$(arg suites)
[ -n "$suites" ] || suites=conform,kernel
want() { case ",$suites," in *",$1,"*) return 0 ;; esac; return 1; }

# The scanout case asks us (the host) for a screendump on the console and waits for a reply.
export VIRGL_SCANOUT_HANDSHAKE=1
if want conform; then
    set -- --device /dev/dri/renderD128 --format json
    [ -n "$filter" ] && set -- "$@" --filter "$filter"
    [ "$png" = 1 ] && set -- "$@" --save-png /tmp/png
    run_suite conform /bin/virgl-conform "$@"
fi

if want kernel; then
    set -- --device /dev/dri/renderD128 --format json
    [ -n "$filter" ] && set -- "$@" --filter "$filter"
    run_suite kernel /bin/virtgpu-kernel-tests "$@"
fi

# Mesa: Debian's programs on Mesa's virgl driver. Each program's output goes to the host line
# by line (`out mesa PROGRAM LINE`), then how it ended (`ran mesa PROGRAM RC MS`); the host
# makes the rows. --filter picks programs by name.
now_ms() {
    read -r up _ </proc/uptime
    c=${up#*.}
    echo $((${up%.*} * 1000 + ${c#0} * 10))
}
# A program runs when there is no filter, or its name holds the filter or begins it.
picked() {
    [ -z "$filter" ] && return 0
    case "$1" in *"$filter"*) return 0 ;; esac
    case "$filter" in "$1"*) return 0 ;; esac
    return 1
}
run_prog() { # NAME SECONDS COMMAND...
    name=$1 limit=$2
    shift 2
    t0=$(now_ms)
    : >"/tmp/$name.out"
    { timeout "$limit" "$@" 2>&1; echo $? >"/tmp/$name.rc"; } | while IFS= read -r line; do
        say out mesa "$name" "$line"
        echo "$line" >>"/tmp/$name.out"
    done
    say ran mesa "$name" "$(cat /tmp/$name.rc)" "$(($(now_ms) - t0))"
}
# kmscube draws while the host watches the display: asked first (`screendiff kmscube`), the host
# compares pictures of QEMU's window until they move and answers on the console, which the
# guest reads once kmscube has drawn its frames. kmscube stops at the first byte on its standard
# input, so it reads an empty FIFO held open.
run_kmscube() {
    t0=$(now_ms)
    [ -p /tmp/kmscube.in ] || mkfifo /tmp/kmscube.in
    exec 3<>/tmp/kmscube.in
    say screendiff kmscube
    timeout 60 kmscube -D /dev/dri/card0 -c "$(arg kmscube)" <&3 >/tmp/kmscube.out 2>&1
    echo $? >/tmp/kmscube.rc
    exec 3<&-
    read -r -t 60 reply
    while IFS= read -r line; do say out mesa kmscube "$line"; done </tmp/kmscube.out
    say ran mesa kmscube "$(cat /tmp/kmscube.rc)" "$(($(now_ms) - t0))"
}
# glmark2-es2-drm 2023.01 validates against pixels for 800x600 but cannot draw at 800x600 (see
# GUEST_MODE in xtask/src/vm.rs), so it draws at 801x600. The scenes that fail are run again on
# Mesa's own llvmpipe in the guest: the same program, Mesa and surface, no virgl. The host
# counts a failure as ours only where llvmpipe validates. GBM_ALWAYS_SOFTWARE makes libgbm load
# kms_swrast, which in Debian is the same megadriver file as virtio_gpu: a link to it is enough.
run_glmark2() {
    run_prog glmark2 120 glmark2-es2-drm --validate --winsys-options drm-device=/dev/dri/card0
    sed -n 's/^\[\([^]]*\)\] \(.*\): Validation: Failure$/\1:\2/p' /tmp/glmark2.out |
        sed 's/:<default>$//' >/tmp/glmark2.failed
    set --
    while IFS= read -r b; do set -- "$@" -b "$b"; done </tmp/glmark2.failed
    if [ $# = 0 ]; then
        say ran mesa glmark2-llvmpipe 0 0
        return
    fi
    mkdir -p /tmp/swrast
    ln -sf /usr/lib/x86_64-linux-gnu/dri/virtio_gpu_dri.so /tmp/swrast/kms_swrast_dri.so
    run_prog glmark2-llvmpipe 120 env GBM_ALWAYS_SOFTWARE=1 LIBGL_DRIVERS_PATH=/tmp/swrast \
        glmark2-es2-drm --validate --winsys-options drm-device=/dev/dri/card0 "$@"
}
if want mesa; then
    say phase mesa
    mkdir -p -m 0700 /tmp/xdg
    export PATH=/bin:/usr/bin HOME=/tmp XDG_RUNTIME_DIR=/tmp/xdg
    # The host renderer's name, as the kernel passes capset 2 through.
    run_prog caps 30 /bin/virtgpu-kernel-tests --device /dev/dri/renderD128 --format json \
        --filter get_caps_v2
    # Each program's limit keeps the whole run inside vm-test's --timeout (240 s by default);
    # under TCG they take 2 s, 10 s and 15 to 26 s, and llvmpipe's run of glmark2's ten
    # failed scenes 19 s.
    # virgl-gbm-interop comes first: eglinfo 8.5.0 prints no GL strings, and its row takes
    # GL_RENDERER from the GLES context virgl-gbm-interop makes on the same GBM platform.
    if picked gbm-interop || picked eglinfo; then
        run_prog gbm-interop 60 virgl-gbm-interop --device /dev/dri/renderD128
    fi
    picked eglinfo && run_prog eglinfo 30 eglinfo
    picked kmscube && run_kmscube
    picked glmark2 && run_glmark2
    say done mesa 0
fi

if [ "$png" = 1 ]; then
    for f in /tmp/png/*.png; do
        [ -e "$f" ] && say png "$(basename "$f" .png)" "$(base64 -w 0 "$f")"
    done
fi
say end
poweroff -f
