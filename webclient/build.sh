#!/bin/sh
# Build the dashboard that radar-api serves into ../radar_api/webclient/ (package data of the
# wheel; generated, never committed): one minified, content-hashed script and stylesheet with
# gzip copies (build.mjs, esbuild). Run with `npm run build` after `npm ci`; setup.py and
# scripts/lib.sh do both.
set -eu
cd "$(dirname "$0")"
exec node build.mjs
