#!/usr/bin/env bash
# Run the NSIS installer under Wine, silently: install per user, upgrade in place, uninstall
# (keeping the user's data), all users, a chosen folder. Not part of CI (Wine is large); run it by
# hand after changing huitoukan.nsi:  bash installer/wine_check.sh   (needs: nsis, wine64)
# The payload is a stand-in folder shaped like the bundle: what is checked is the installer.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WINE=$(command -v wine64 || echo /usr/lib/wine/wine64)
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver)
[ -x "$WINE" ] || { echo "wine64 not found (apt-get install wine64)"; exit 2; }

WORK=$(mktemp -d /tmp/huitoukan-wine-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export WINEPREFIX=$WORK/prefix WINEDEBUG=-all
"$WINE" wineboot -i >/dev/null 2>&1 || true

payload() { # version, library file name
  rm -rf "$WORK/payload" && mkdir -p "$WORK/payload/_internal"
  echo "$1" >"$WORK/payload/huitoukan.exe"
  echo "$1" >"$WORK/payload/huitoukan-cli.exe"
  echo "$1" >"$WORK/payload/_internal/$2"
}
setup() { # version → $WORK/setup-<version>.exe (64-bit stub: this Wine runs 64-bit programs only)
  makensis -V1 -INPUTCHARSET UTF8 "-XTarget amd64-unicode" -DVERSION="$1" \
    -DPAYLOAD_DIR="$WORK/payload" -DOUTFILE="$WORK/setup-$1.exe" -DSIZE_KB=1 -DCHECK_ONLY \
    "$ROOT/installer/huitoukan.nsi"
}
run() { "$WINE" "$@" || true; "$WINESERVER" -w; } # the uninstaller re-launches itself: wait
# reg prints in the code page of the Windows locale (GBK under zh_CN): grep -a reads it as text.
reg() { "$WINE" reg query "$@" 2>/dev/null | tr -d '\r' | grep -av '^reg: ' || true; }
fail() { echo "FAIL: $*"; exit 1; }

C=$WINEPREFIX/drive_c
USERDIR=$(find "$C/users" -mindepth 1 -maxdepth 1 -type d ! -name Public | head -1)
LOCAL=$USERDIR/AppData/Local
APP="$LOCAL/Programs/回头看工作台"
KEY='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\huitoukan'

echo "1. per-user silent install"
payload 0.1.0 old.txt && setup 0.1.0 && run "$WORK/setup-0.1.0.exe" /S
[ -f "$APP/huitoukan.exe" ] && [ -f "$APP/uninstall.exe" ] || fail "not installed in $APP"
[ -f "$USERDIR/Desktop/回头看工作台.lnk" ] || fail "no desktop shortcut"
find "$USERDIR" -path '*Start Menu/Programs/回头看工作台.lnk' | grep -aq . || fail "no Start menu shortcut"
reg "$KEY" | grep -aq 'DisplayVersion.*0\.1\.0' || fail "no uninstall key"
for value in DisplayName Publisher InstallLocation EstimatedSize QuietUninstallString; do
  reg "$KEY" | grep -aq "$value" || fail "uninstall key lacks $value"
done

echo "2. the user's data (written by the app)"
mkdir -p "$LOCAL/huitoukan/backups" && echo data >"$LOCAL/huitoukan/huitoukan.sqlite3"

echo "3. upgrade in place to 0.2.0"
payload 0.2.0 new.txt && setup 0.2.0 && run "$WORK/setup-0.2.0.exe" /S
[ "$(cat "$APP/huitoukan.exe")" = 0.2.0 ] || fail "program not replaced"
[ -f "$APP/_internal/new.txt" ] && [ ! -f "$APP/_internal/old.txt" ] || fail "old files left"
reg "$KEY" | grep -aq 'DisplayVersion.*0\.2\.0' || fail "version not updated"
[ -f "$LOCAL/huitoukan/huitoukan.sqlite3" ] || fail "upgrade removed the user's data"

echo "4. silent uninstall keeps the data"
run "$APP/uninstall.exe" /CURRENTUSER /S
[ ! -e "$APP/huitoukan.exe" ] && [ ! -e "$APP/_internal" ] || fail "program files left"
[ ! -e "$USERDIR/Desktop/回头看工作台.lnk" ] || fail "desktop shortcut left"
[ -z "$(reg "$KEY")" ] || fail "uninstall key left"
[ -f "$LOCAL/huitoukan/huitoukan.sqlite3" ] || fail "uninstall removed the user's data"

echo "5. all users (Wine's user is an administrator)"
run "$WORK/setup-0.2.0.exe" /S /ALLUSERS
ALL="$C/Program Files/回头看工作台"
[ -f "$ALL/huitoukan.exe" ] || fail "not installed in Program Files"
reg 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\huitoukan' | grep -aq '/ALLUSERS' \
  || fail "no HKLM uninstall key"
run "$ALL/uninstall.exe" /S # opened by hand, without /ALLUSERS: the HKLM key tells the mode
[ ! -e "$ALL/huitoukan.exe" ] || fail "all-users uninstall left files"
[ -z "$(reg 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\huitoukan')" ] \
  || fail "HKLM uninstall key left"

echo "6. a chosen folder (/D=)"
run "$WORK/setup-0.2.0.exe" /S '/D=C:\Tools\HTK'
[ -f "$C/Tools/HTK/huitoukan.exe" ] || fail "/D= ignored"
run "$C/Tools/HTK/uninstall.exe" /S
[ ! -e "$C/Tools/HTK" ] || fail "chosen folder not removed"

echo "installer under Wine: all checks passed"
