#!/usr/bin/env bash
# Sets up the peer scanners (picklescan, modelscan, fickling) for `npm run bench`, the way §D of
# shared/threats/model-files.md ran them: sources exported from the local git mirrors, Debian bookworm
# packages only, Debian's /usr/bin/python3, and a small `typing_extensions` shim for fickling.
#
#   bench/peers.sh [PEERS_DIR]        default: $MODELGUARD_PEERS or bench/.work/peers
#
# Layout it writes (all under bench/.work/, which is git-ignored):
#   PEERS_DIR/picklescan   export of mmaitre314/picklescan   (PYTHONPATH=PEERS_DIR/picklescan/src)
#   PEERS_DIR/modelscan    export of protectai/modelscan     (PYTHONPATH=PEERS_DIR/modelscan)
#   PEERS_DIR/fickling     export of trailofbits/fickling    (PYTHONPATH=SHIM:PEERS_DIR/fickling)
#   PEERS_DIR/../shim      typing_extensions shim (adds typing_extensions.Buffer; bookworm has 4.4.0)
#
# Idempotent: a peer already exported is left alone (delete its folder to re-export). Missing Debian
# packages are installed with apt-get when running as root, otherwise the command is printed. Never fails
# hard: a peer that cannot be set up is reported and the bench prints "not available" for it.
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
PEERS="${1:-${MODELGUARD_PEERS:-$ROOT/bench/.work/peers}}"
case "$PEERS" in /*) ;; *) PEERS="$ROOT/$PEERS" ;; esac
SHIM="$(dirname "$PEERS")/shim"
MIRRORS="${MODELGUARD_MIRRORS:-/work/.mirror}"
PY=/usr/bin/python3

mkdir -p "$PEERS" "$SHIM" "$ROOT/bench/.work"
# bench/** is in biome's includes (npm run lint) and biome formats the peers' .md/.yml files; this nested
# config keeps the generated bench/.work/ out of lint and format.
[ -f "$ROOT/bench/.work/biome.json" ] ||
  echo '{ "root": false, "extends": "//", "files": { "includes": ["!**"] } }' >"$ROOT/bench/.work/biome.json"

# export NAME MIRROR: `git archive HEAD | tar -x`; when that fails (fickling's snapshot lacks an LFS blob),
# copy each readable blob with `git cat-file blob` and skip the missing ones.
export_peer() {
  local name="$1" gitdir="$2" dest="$PEERS/$1"
  if [ -f "$dest/.exported" ]; then echo "peers: $name already exported ($dest)"; return 0; fi
  if [ ! -d "$gitdir" ]; then echo "peers: $name: no mirror at $gitdir — skipped"; return 1; fi
  rm -rf "$dest" && mkdir -p "$dest"
  if git --git-dir="$gitdir" archive HEAD 2>/dev/null | tar -x -C "$dest" 2>/dev/null \
    && [ "${PIPESTATUS[0]}" -eq 0 ]; then
    echo "peers: $name exported with git archive"
  else
    rm -rf "$dest" && mkdir -p "$dest"
    local missing=0 mode type sha path
    while IFS=$'\t' read -r meta path; do
      read -r mode type sha <<<"$meta"
      [ "$type" = blob ] || continue
      mkdir -p "$dest/$(dirname "$path")"
      if ! git --git-dir="$gitdir" cat-file blob "$sha" >"$dest/$path" 2>/dev/null; then
        rm -f "$dest/$path"
        missing=$((missing + 1))
      fi
    done < <(git --git-dir="$gitdir" ls-tree -r HEAD)
    echo "peers: $name exported per file with git cat-file ($missing missing blob(s) skipped)"
  fi
  git --git-dir="$gitdir" rev-parse HEAD >"$dest/.exported"
}

export_peer picklescan "$MIRRORS/mmaitre314+picklescan/repo"
export_peer modelscan "$MIRRORS/protectai+modelscan/repo"
export_peer fickling "$MIRRORS/trailofbits+fickling/repo"

# fickling imports typing_extensions.Buffer (>= 4.6); bookworm ships 4.4.0. The shim loads Debian's module
# under its own name, re-exports it, and adds Buffer as an ABC that bytes-like types register with.
cat >"$SHIM/typing_extensions.py" <<'EOF'
"""Shim for the modelguard bench: Debian bookworm's typing_extensions (4.4.0) lacks Buffer (>= 4.6)."""
import abc, importlib.util, sys
_spec = importlib.util.spec_from_file_location("_debian_typing_extensions", "/usr/lib/python3/dist-packages/typing_extensions.py")
_te = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(_te)
globals().update({k: v for k, v in vars(_te).items() if not k.startswith("__")})
if not hasattr(_te, "Buffer"):
    class Buffer(abc.ABC):
        """Bytes-like objects (PEP 688 stand-in)."""
    for _t in (bytes, bytearray, memoryview):
        Buffer.register(_t)
EOF

# Debian packages the peers import (python3-torch is only needed to make the bench models).
need=()
for pair in numpy:python3-numpy click:python3-click rich:python3-rich tomlkit:python3-tomlkit \
  py7zr:python3-py7zr typing_extensions:python3-typing-extensions; do
  mod="${pair%%:*}" pkg="${pair#*:}"
  "$PY" -c "import $mod" 2>/dev/null || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "peers: installing ${need[*]} with apt-get"
    apt-get install -y "${need[@]}" >/dev/null 2>&1 \
      || { apt-get update >/dev/null 2>&1 && apt-get install -y "${need[@]}" >/dev/null 2>&1; } \
      || echo "peers: apt-get install ${need[*]} failed"
  else
    echo "peers: missing Debian packages; run as root: apt-get install -y ${need[*]}"
  fi
fi

# Smoke test: the import each bench command needs.
check() {
  local name="$1" pp="$2" mod="$3"
  if out="$(PYTHONPATH="$pp" "$PY" -c "import $mod" 2>&1)"; then
    echo "peers: $name OK"
  else
    echo "peers: $name NOT available: $(printf '%s' "$out" | tail -1)"
  fi
}
check picklescan "$PEERS/picklescan/src" picklescan.cli
check modelscan "$PEERS/modelscan" modelscan.cli
check fickling "$SHIM:$PEERS/fickling" fickling.cli
exit 0
