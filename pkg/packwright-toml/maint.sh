# packwright-toml's library for maintainer scripts (POSIX sh), sourced as
#   . /usr/share/packwright-toml/maint.sh
# by the scripts of the packages that change containerd's setup (containerd-gvisor,
# containerd-config, containerd-nofile-limit). Set PW_PACKAGE to the package's name first: it
# prefixes every message and is the owner of its config.toml edits. Scripts keep `set -e`;
# nothing here exits.

PW_CONTAINERD_CONFIG=/etc/containerd/config.toml
PW_SYSTEMD_RUNDIR=/run/systemd/system

pw_note() { echo "${PW_PACKAGE:-packwright}: $*"; }
pw_warn() { echo "${PW_PACKAGE:-packwright}: warning: $*" >&2; }

# True, yes, on, 1 (any case) are true; everything else is false.
pw_truthy() {
    case "$(printf '%s' "${1:-}" | tr 'A-Z' 'a-z')" in
    true | yes | on | 1) return 0 ;;
    esac
    return 1
}

# The ID of /etc/os-release (else /usr/lib/os-release), unquoted; empty when unknown.
pw_os_id() {
    for f in /etc/os-release /usr/lib/os-release; do
        if [ -r "$f" ]; then
            sed -n 's/^ID=//p' "$f" | head -n 1 | tr -d "\"'"
            return 0
        fi
    done
}

# pw_setting FILE KEY: the last KEY=value of a shell-style settings file (/etc/default/...),
# unquoted, read without running the file. Empty when absent.
pw_setting() {
    [ -r "$1" ] || return 0
    sed -n "s/^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}$2=//p" "$1" | tail -n 1 |
        sed "s/^[\"']//; s/[\"'][[:space:]]*\$//; s/[[:space:]]*\$//"
}

# A fingerprint of a file ("absent" when it does not exist): tells whether an edit changed it.
pw_fingerprint() {
    if [ -e "$1" ]; then cksum <"$1"; else echo absent; fi
}

pw_same_file() { [ "$(pw_fingerprint "$1")" = "$(pw_fingerprint "$2")" ]; }

pw_systemd_running() { [ -d "$PW_SYSTEMD_RUNDIR" ]; }

# In a chroot (an image build, dpkg --root) the root is not PID 1's; without /proc nobody can
# tell, and that counts as a chroot too.
pw_in_chroot() {
    root=$(stat -L -c %d:%i / 2>/dev/null) || return 0
    init=$(stat -L -c %d:%i /proc/1/root/. 2>/dev/null) || return 0
    [ "$root" != "$init" ]
}

# Services may be touched only on a running system: systemd is PID 1 and this is its root.
pw_live_system() { pw_systemd_running && ! pw_in_chroot; }

# pw_restart_containerd WHAT: restarts containerd when it runs on a live system, else says in
# one line that a restart is needed for WHAT.
pw_restart_containerd() {
    if pw_live_system && systemctl is-active --quiet containerd.service 2>/dev/null; then
        if systemctl restart containerd.service; then
            pw_note "restarted containerd for $1"
        else
            pw_warn "restarting containerd for $1 failed; see 'systemctl status containerd'"
        fi
    else
        pw_note "restart containerd to apply $1 (not restarted: containerd is not running here)"
    fi
}

# pw_reload_units WHAT: after a unit drop-in changed, daemon-reload and try-restart containerd
# on a live system; elsewhere one line says what is needed.
pw_reload_units() {
    if pw_live_system; then
        systemctl daemon-reload || pw_warn "systemctl daemon-reload failed"
        systemctl try-restart containerd.service ||
            pw_warn "restarting containerd for $1 failed; see 'systemctl status containerd'"
    else
        pw_note "run 'systemctl daemon-reload' and restart containerd to apply $1"
    fi
}

# pw_toml ARGS...: packwright-toml ARGS on containerd's config, as $PW_PACKAGE's change
# (undone by `pw_toml undo`).
pw_toml() {
    packwright-toml --owner "$PW_PACKAGE" --config "$PW_CONTAINERD_CONFIG" "$@"
}

# pw_containerd_edit WHAT ARGS...: pw_toml ARGS, then pw_restart_containerd WHAT only if the
# file changed.
pw_containerd_edit() {
    pw_what=$1
    shift
    pw_before=$(pw_fingerprint "$PW_CONTAINERD_CONFIG")
    pw_toml "$@"
    if [ "$(pw_fingerprint "$PW_CONTAINERD_CONFIG")" != "$pw_before" ]; then
        pw_restart_containerd "$pw_what"
    fi
}
