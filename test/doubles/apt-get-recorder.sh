#!/bin/sh
# Double of apt-get for the setup tests (copied into a fake root's bin/): records each call's
# arguments in apt-get.calls beside it; `install` prints apt-like lines and creates, under the fake
# root (the folder above bin/), the file the package check looks for. APT_DOUBLE_FAIL=<verb> fails it.
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
echo "$*" >> "$here/apt-get.calls"
if [ "${APT_DOUBLE_FAIL:-}" = "$1" ]; then echo "E: Unable to locate package $3" >&2; exit 100; fi
case "$1" in
  update) echo "Reading package lists..." ;;
  install)
    shift; [ "$1" = "-y" ] && shift
    for pkg in "$@"; do
      echo "Setting up $pkg ..."
      case "$pkg" in
        patchelf) printf '#!/bin/sh\n' > "$here/patchelf"; chmod +x "$here/patchelf" ;;
        ccache) printf '#!/bin/sh\n' > "$here/ccache"; chmod +x "$here/ccache" ;;
        zstd) printf '#!/bin/sh\n' > "$here/zstd"; chmod +x "$here/zstd" ;;
      esac
    done ;;
esac
