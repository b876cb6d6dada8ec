#!/usr/bin/env bash
# Build the one-folder bundle, run `--self-test` on it and compile the NSIS installer script with
# the Linux bundle as payload (installer/README.md). About a minute on 2 cores.
#
#   scripts/check_installer.sh               always run
#   scripts/check_installer.sh --if-changed  (from .ci/run) only when what goes into the bundle
#                                            changed since the previous commit, or when that
#                                            cannot be told (shallow clone, no git)
# HUITOUKAN_INSTALLER_CHECK=always|never overrides --if-changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Paths whose change can break the bundle without breaking the unit tests.
WATCHED='^(installer/|pyproject\.toml$|desktop/selftest\.py$|desktop/models/migrations/|resources/|scripts/check_installer\.sh$|\.ci/run$|\.github/workflows/)'

if [ "${1:-}" = "--if-changed" ]; then
  shift
  mode="${HUITOUKAN_INSTALLER_CHECK:-auto}"
  if [ "$mode" = "never" ]; then
    echo "installer check: skipped (HUITOUKAN_INSTALLER_CHECK=never)"
    exit 0
  fi
  if [ "$mode" = "auto" ]; then
    if ! git rev-parse --git-dir >/dev/null 2>&1; then
      echo "installer check: not a git checkout, running it"
    elif ! git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null 2>&1; then
      # A shallow clone (depth 1) or the first commit: no previous commit to compare with.
      echo "installer check: no previous commit to compare with, running it"
    elif ! git diff --name-only HEAD~1 | grep -Eq "$WATCHED"; then
      echo "installer check: skipped (installer/, pyproject.toml, migrations, resources unchanged)"
      exit 0
    fi
  fi
fi

python3 -m pip install -q -e ".[build]"
export QT_QPA_PLATFORM=offscreen
python3 installer/build.py --check "$@"
