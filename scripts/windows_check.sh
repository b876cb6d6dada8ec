#!/usr/bin/env bash
# The whole Windows check under Wine (scripts/windows_check.py), from a clean Wine prefix for each
# of a Chinese (code page 936) and an English (code page 1252) Windows: the test suite under a
# python.org Windows Python, the PyInstaller bundle, its self-test, the setup .exe, a silent
# install, the installed exe's self-test and start-up probe, a silent uninstall keeping the data.
# Installs the Debian packages it needs first. About 20 minutes on 2 quiet cores (installer/README.md).
#
#   bash scripts/windows_check.sh                  both locales (what .ci/run does)
#   bash scripts/windows_check.sh --locale en      one locale
#   bash scripts/windows_check.sh --screenshots screenshots/windows   also the windowed exe on Xvfb
#   bash scripts/windows_check.sh -- -k selftest   arguments after -- go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  wine64                                       # Wine 8, 64-bit: runs the Windows programs
  gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64  # the stand-in DLLs; objdump reads PE imports
  locales                                      # zh_CN.UTF-8 / en_US.UTF-8: Wine's Windows locale
  nsis                                         # makensis packs the setup .exe on Linux
  xvfb xdotool                                 # --screenshots: a virtual screen, typed keys
  fonts-arphic-uming                           # the CJK font the bundle carries
)
if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
# Wine takes the Windows locale from LANG; without the Linux locale it cannot map Chinese names.
for name in zh_CN en_US; do
  if ! locale -a 2>/dev/null | grep -qix "$name.utf8"; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO localedef -i "$name" -f UTF-8 "$name.UTF-8"
  fi
done
exec python3 scripts/windows_check.py "$@"
