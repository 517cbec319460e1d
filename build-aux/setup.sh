# shellcheck shell=bash
# Sourced by build-aux/run and build-aux/test: installs the Debian packages
# listed in build-aux/debian-packages.txt that are missing, then configures
# and compiles the project in _build (or in $SP_BUILDDIR).

sp_source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sp_build_dir="${SP_BUILDDIR:-$sp_source_dir/_build}"

sp_wanted_packages ()
{
  sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' \
    "$sp_source_dir/build-aux/debian-packages.txt"
}

sp_install_packages ()
{
  local missing=() pkg status

  while IFS= read -r pkg; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done < <(sp_wanted_packages)

  if (( ${#missing[@]} == 0 )); then
    return 0
  fi

  local sudo=()
  if (( EUID != 0 )); then
    sudo=(sudo)
  fi

  echo "Installing missing Debian packages: ${missing[*]}" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# sp_configure BUILD_DIR [MESON_OPTION…]: sets up BUILD_DIR, or reconfigures
# it when it exists.
sp_configure ()
{
  local build_dir="$1"
  shift

  if [[ -f "$build_dir/meson-private/coredata.dat" ]]; then
    meson setup --reconfigure "$build_dir" "$sp_source_dir" "$@"
  else
    meson setup "$build_dir" "$sp_source_dir" "$@"
  fi
}

sp_configure_and_build ()
{
  sp_configure "$sp_build_dir"
  meson compile -C "$sp_build_dir"
}

sp_install_packages
sp_configure_and_build
