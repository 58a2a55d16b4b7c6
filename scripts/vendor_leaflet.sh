#!/bin/sh
# Copy Leaflet's dist files (the version pinned in package.json, installed by `npm ci`) into
# search_app/static/vendor/leaflet/, which the app serves: the site never loads scripts from a CDN.
# Run after changing Leaflet's version in package.json; tests/test_site_map.py checks they agree.
set -eu
cd "$(dirname "$0")/.."
src=node_modules/leaflet/dist
dest=search_app/static/vendor/leaflet
pinned=$(node -p "require('./package.json').dependencies.leaflet")
installed=$(node -p "require('./node_modules/leaflet/package.json').version")
if [ "$pinned" != "$installed" ]; then
    echo "node_modules has leaflet $installed, package.json pins $pinned: run npm ci first" >&2
    exit 1
fi
rm -rf "$dest"
mkdir -p "$dest/images"
cp "$src/leaflet.js" "$src/leaflet.css" "$dest/"
cp "$src/images/marker-icon.png" "$src/images/marker-icon-2x.png" "$src/images/marker-shadow.png" \
   "$src/images/layers.png" "$src/images/layers-2x.png" "$dest/images/"
cp node_modules/leaflet/LICENSE "$dest/LICENSE"
printf '%s\n' "$installed" > "$dest/VERSION"
echo "vendored leaflet $installed into $dest"
