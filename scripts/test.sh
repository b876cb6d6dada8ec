#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian/Ubuntu machine, then run them.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  fonts-arphic-uming fonts-arphic-ukai   # free CJK TrueType fonts the PDFs embed on Linux
  fonts-hanazono                         # TrueType CJK Ext-A/B fallback (𠮷) for printed forms
  poppler-utils                          # pdftoppm/pdffonts: look at and check the PDFs
  xvfb                                   # a virtual screen for screenshots
  libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libxcb-cursor0  # Qt at run time
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1
  libxkbcommon-x11-0 libxcb-randr0   # Qt's xcb plugin: real windows on Xvfb for screenshots
  nsis                                   # makensis checks the Windows installer script
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

python3 -m pip install -q -e ".[test]"
export QT_QPA_PLATFORM=offscreen
python3 -m ruff check .
python3 -m ruff format --check .
python3 -m pytest -q "$@"
