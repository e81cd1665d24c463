#!/usr/bin/env bash
# Installs what the bot needs on a fresh Debian/Ubuntu machine: ffmpeg (audio/video), redis-server
# (for the Redis tests and STORE_URL=redis://), espeak-ng (sample voice notes, emulator speech), then
# the npm packages from the lock file. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)

if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install ${missing[*]} with your package manager (ffmpeg is required)" >&2
  fi
fi

echo "setup: installing npm packages"
npm ci --no-audit --no-fund --loglevel=error
