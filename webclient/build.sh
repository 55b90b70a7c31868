#!/bin/sh
# Copy the three browser files the dashboard needs from node_modules into vendor/, so that
# radar-api can serve the webclient directory as plain static files (no bundler, and
# node_modules itself never has to be exposed). Run by `npm ci` / `npm install` (postinstall).
set -eu
cd "$(dirname "$0")"
mkdir -p vendor
cp node_modules/angular/angular.min.js \
   node_modules/angular-route/angular-route.min.js \
   node_modules/chart.js/dist/chart.umd.js \
   vendor/
