#!/bin/sh
# Build the dashboard that radar-api serves: the app's files and the three browser libraries
# from node_modules, copied into ../radar_api/webclient/ (package data of the wheel; generated,
# never committed). Run with `npm run build` after `npm ci`; setup.py does both when it builds.
set -eu
cd "$(dirname "$0")"
out=../radar_api/webclient
rm -rf "$out"
mkdir -p "$out/vendor"
cp -R index.html app css "$out/"
cp node_modules/angular/angular.min.js \
   node_modules/angular-route/angular-route.min.js \
   node_modules/chart.js/dist/chart.umd.js \
   "$out/vendor/"
touch "$out/.built"
