#!/bin/sh
# Makes sure a Chromium is installed for test/browser (the HTML report opened in a real headless browser).
# Idempotent and instant when one is present; as root with apt-get it installs Debian's `chromium`;
# otherwise it says how to install one. MODELGUARD_CHROMIUM names a browser binary to use instead;
# MODELGUARD_SKIP_BROWSER=1 skips the browser test (and this check).
set -eu

found() {
  for c in "${MODELGUARD_CHROMIUM:-}" /usr/lib/chromium/chromium /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$c" ] && [ -x "$c" ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

if found >/dev/null; then exit 0; fi
if [ "${MODELGUARD_SKIP_BROWSER:-}" = "1" ]; then exit 0; fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium for the browser test ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
  if found >/dev/null; then exit 0; fi
  echo "ensure-chromium: apt-get installed chromium but no binary was found" >&2
  exit 1
fi

cat >&2 <<'MSG'
ensure-chromium: no Chromium found; the browser test (test/browser/) needs one.
  Debian/Ubuntu:  sudo apt-get install chromium     (then re-run the tests)
  elsewhere:      MODELGUARD_CHROMIUM=/path/to/chrome npm test
  to skip it:     MODELGUARD_SKIP_BROWSER=1 npm test
MSG
exit 1
