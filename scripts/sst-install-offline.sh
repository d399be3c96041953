#!/usr/bin/env bash
# Installs SST's platform (.sst/platform: component sources, types, @pulumi/* providers) without the internet
# access `sst install` normally wants: bun comes from npm, Pulumi's CLI download is skipped, providers come from
# npm. Idempotent: does nothing when .sst/platform already holds this sst version and the aws provider.
# Writes only inside the project: XDG_CONFIG_HOME and BUN_INSTALL_CACHE_DIR point into .sst/offline (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION="1.4.5"
sst_version="$(node -p 'require("./node_modules/sst/package.json").version')"
platform=".sst/platform"

if [ -f "$platform/version" ] && [ "$(cat "$platform/version")" = "$sst_version" ] \
  && [ -f "$platform/config.d.ts" ] \
  && [ -d "$platform/node_modules/@pulumi/aws" ] && [ -d "$platform/node_modules/@pulumi/pulumi" ]; then
  echo "sst-install-offline: $platform is already sst $sst_version with @pulumi/aws; nothing to do"
  exit 0
fi

mkdir -p .sst/offline/xdg .sst/offline/bun-cache
export XDG_CONFIG_HOME="$PWD/.sst/offline/xdg"
export BUN_INSTALL_CACHE_DIR="$PWD/.sst/offline/bun-cache"
export SST_SKIP_DEPENDENCY_CHECK=1
export SST_TELEMETRY_DISABLED=1

echo "sst-install-offline: installing sst $sst_version platform with bun $BUN_VERSION from npm"
npm exec --yes --package="bun@$BUN_VERSION" -- sh -c \
  'SST_BUN_PATH="$(readlink -f "$(command -v bun)")" ./node_modules/.bin/sst install --stage "${SST_INSTALL_STAGE:-dev}"'

test -f "$platform/config.d.ts" || { echo "sst-install-offline: $platform/config.d.ts missing after install" >&2; exit 1; }
echo "sst-install-offline: done"
