# A Debian root built with debootstrap, and commands run in it with the repository mounted at
# /repo: what scripts/current-ha and scripts/pi-root share. Sourced, not run.
#
# The script that sources it sets:
#   name      its own name, for messages          self   its own path (it re-enters through it)
#   repo      the repository                      root   the root's directory
#   suite     the Debian release                  packages  what debootstrap adds (comma-separated)
# and may set:
#   arch              another architecture than the machine's (debootstrap --arch)
#   debootstrap_script  the release script, for a release the machine's debootstrap does not know
#   root_env          NAME=VALUE pairs the commands get besides PATH, HOME and LANG (an array)
#   root_path         the commands' PATH
# and may define extra_mounts: more mounts in the namespace, before the root is entered.
# It gives the script build_root (debootstrap, once per release and packages), run CMD... and
# enter CMD... (what run does inside the namespace: the script calls it for "$self _enter").
#
# Every mount is made in a mount namespace of the command's own, so the kernel takes them all
# away when the command ends, however it ends: nothing is left mounted on the machine.

# Downloads kept across builds and clones, as pip keeps the machine's own.
cache=${XDG_CACHE_HOME:-$HOME/.cache}
# The machine's network setup, read-only inside: name resolution and the CA bundle pip trusts.
host_files=(/etc/resolv.conf /etc/hosts /etc/ssl/certs/ca-certificates.crt)

# Debian's archive through the mirror the machine's own apt sources name.
debian_mirror() {
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -oE '^(deb|URIs:)[[:space:]]+[^[:space:]]+/debian/?([[:space:]]|$)' |
        awk '{print $2; exit}'
}

# Inside the namespace: mount what the root needs, then run "$@" in it, in /repo.
enter() {
    # The root a mount of its own: Docker's layer unpacking remounts "/" and needs one there.
    mount --bind "$root" "$root"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --rbind /sys "$root/sys"
    mount --bind /tmp "$root/tmp"  # the tests' engines (/tmp/pewd-*) and pytest's tmp_path
    mkdir -p "$root/repo"
    mount --bind "$repo" "$root/repo"
    mkdir -p "$cache/pip" "$root/root/.cache/pip"
    mount --bind "$cache/pip" "$root/root/.cache/pip"
    if declare -F extra_mounts >/dev/null; then
        extra_mounts
    fi
    for file in "${host_files[@]}"; do
        [[ -e $file ]] || continue
        # A bind needs a file to cover, not a link (resolv.conf may be one).
        [[ -f $root$file && ! -L $root$file ]] || { rm -f "$root$file" && touch "$root$file"; }
        mount --bind -o ro "$file" "$root$file"
    done
    local env=("PATH=${root_path:-/usr/sbin:/usr/bin:/sbin:/bin}" HOME=/root LANG=C.UTF-8
        "${root_env[@]}")
    local var
    for var in TERM CI PYTHONUNBUFFERED PYTHONDONTWRITEBYTECODE PIP_DEFAULT_TIMEOUT PIP_INDEX_URL \
        http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
        [[ -n ${!var:-} ]] && env+=("$var=${!var}")
    done
    exec chroot "$root" /usr/bin/env -i "${env[@]}" /bin/sh -c 'cd /repo && exec "$@"' sh "$@"
}

# Run "$@" in the root: "$self _enter" (which calls enter) in a mount namespace of its own.
run() {
    if [[ ! -f $root/.stamp ]]; then
        echo "$name: no environment in $root: run ./scripts/setup" >&2
        exit 2
    fi
    exec unshare --mount --propagation private "$self" _enter "$@"
}

# Build the root with debootstrap, unless the one there was built from the same release and
# packages.
build_root() {
    local stamp="$suite $packages${arch:+ $arch}"
    if [[ -f $root/.stamp && $(cat "$root/.stamp") == "$stamp" ]]; then
        return
    fi
    if ! command -v debootstrap >/dev/null; then
        echo "$name: debootstrap is not installed (./scripts/setup installs it)" >&2
        exit 2
    fi
    local mirror
    mirror=$(debian_mirror)
    if [[ -z $mirror ]]; then
        echo "$name: no Debian mirror in /etc/apt/sources.list*" >&2
        exit 2
    fi
    echo "$name: building a Debian $suite${arch:+ $arch} root in $root (a few minutes)"
    rm -rf "$root.new"
    # debootstrap mounts /proc and /sys in the root while it works: in a namespace of its own.
    # One cache for every release and architecture: a package's file name holds both.
    mkdir -p "$cache/debootstrap"
    local log=${root%/*}/debootstrap.log
    if ! unshare --mount --propagation private debootstrap --variant=minbase \
        ${arch:+--arch="$arch"} --cache-dir="$cache/debootstrap" --include="$packages" \
        "$suite" "$root.new" "$mirror" ${debootstrap_script:+"$debootstrap_script"} \
        >"$log" 2>&1; then
        tail -20 "$log" >&2
        exit 1
    fi
    chroot "$root.new" apt-get clean
    rm -rf "$root"
    mv "$root.new" "$root"
    echo "$stamp" >"$root/.stamp"
}
