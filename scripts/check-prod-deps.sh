#!/usr/bin/env bash
# Proves, without Docker or network, that the image's dependency set runs the bot: copy what the
# Dockerfile copies into a temporary folder, cut node_modules down to production dependencies from the
# lock file (as `npm ci --omit=dev` would, minus the npm-shipped ffmpeg the image also drops), then run
# the demo with Debian's ffmpeg and check that a video comes out. About 20-40 s; not part of `npm test`.
#
# `npm prune --omit=dev --offline` on a copy of the installed tree is used instead of a fresh
# `npm ci --omit=dev`: the latter needs the registry (or a complete npm cache) and recompiles sqlite3
# (~1.5 min), which says nothing more about which packages the bot imports at run time.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/prod-deps-XXXXXX)"
trap 'rm -rf "$work"' EXIT
started=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - started) / 1000000 )) ms"; }

[ -d "$root/node_modules" ] || { echo "run npm ci first" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "ffmpeg not on PATH (the image installs Debian's)" >&2; exit 1; }

# The same files as the Dockerfile's COPY lines.
cp "$root/package.json" "$root/package-lock.json" "$root/tsconfig.json" "$work/"
cp -r "$root/src" "$root/adapters" "$root/commands" "$root/samples" "$work/"
cp -a "$root/node_modules" "$work/node_modules"
(cd "$work" && npm prune --omit=dev --offline --ignore-scripts --no-audit --no-fund --loglevel=error)
rm -rf "$work/node_modules/@ffmpeg-installer" "$work/node_modules/@ffprobe-installer"
echo "production tree ready ($(ls "$work/node_modules" | wc -l) top-level entries) after $(elapsed)"

# Dev-only packages must really be gone, or the check below would prove nothing.
for dev in vitest typescript @biomejs/biome yaml dockerfile-utils; do
  if (cd "$work" && node -e "require.resolve('$dev')" 2>/dev/null); then
    echo "dev dependency $dev is still resolvable from the production tree" >&2
    exit 1
  fi
done

# The demo: terminal adapter, built-in emulator, real MP4. Only loopback; stdin is closed, so the
# bot exits by itself once the job is done; `timeout` is the backstop.
log="$work/bot.log"
if ! (cd "$work" && env -i PATH="$PATH" HOME="$work" NODE_ENV=production HOST=127.0.0.1 PORT=0 \
  DATA_DIR="$work/data" OUT_DIR="$work/out" LOG_FORMAT=json LOG_LEVEL=warn \
  EMULATOR_SUBMITTED_MS=100 EMULATOR_PROCESSING_MS=500 POLL_FIRST_MS=200 POLL_MAX_MS=500 \
  timeout 90 node --import tsx adapters/main.ts --demo </dev/null >"$log" 2>&1); then
  echo "the bot failed from the production tree:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
video="$(grep -o 'video: .*\.mp4' "$log" | head -n 1 | cut -d' ' -f2)"
[ -n "$video" ] && [ -s "$work/$video" ] || { echo "no video was written" >&2; tail -n 30 "$log" >&2; exit 1; }
ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/$video" >/dev/null
echo "ok: the production dependency set rendered $(basename "$video") in $(elapsed)"
