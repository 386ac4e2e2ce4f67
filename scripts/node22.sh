# Puts Node 22 first on PATH when the machine's node is older (source it: `source scripts/node22.sh`).
# Node 22 comes from the npm registry's `node` package, installed into the git-ignored .tools folder.
tws_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tws_node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$tws_node_major" -lt 22 ]; then
  if [ ! -x "$tws_root/.tools/node_modules/.bin/node" ]; then
    echo "node $(node --version 2>/dev/null || echo none) is older than 22: installing node@22 into .tools" >&2
    npm install --prefix "$tws_root/.tools" --no-save --no-package-lock --no-audit --no-fund node@22 >&2
  fi
  export PATH="$tws_root/.tools/node_modules/.bin:$PATH"
fi
unset tws_node_major
