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
while read -r m; do
    insmod "/$m" || say error "insmod $m failed"
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

# The scanout case asks us (the host) for a screendump on the console and waits for a reply.
export VIRGL_SCANOUT_HANDSHAKE=1
set -- --device /dev/dri/renderD128 --format json
[ -n "$filter" ] && set -- "$@" --filter "$filter"
[ "$png" = 1 ] && set -- "$@" --save-png /tmp/png
run_suite conform /bin/virgl-conform "$@"

set -- --device /dev/dri/renderD128 --format json
[ -n "$filter" ] && set -- "$@" --filter "$filter"
run_suite kernel /bin/virtgpu-kernel-tests "$@"

if [ "$png" = 1 ]; then
    for f in /tmp/png/*.png; do
        [ -e "$f" ] && say png "$(basename "$f" .png)" "$(base64 -w 0 "$f")"
    done
fi
say end
poweroff -f
