#!/usr/bin/env bash
# Installs moto's server from PyPI into the git-ignored .tools/moto-venv (a Python venv), once per
# version of scripts/moto-requirements.txt. The deploy tests (`npm run test:deploy`) run against it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/moto-venv"
requirements="$root/scripts/moto-requirements.txt"
stamp="$venv/.requirements.sha256"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ -x "$venv/bin/moto_server" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  echo "moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)') in .tools/moto-venv"
  exit 0
fi
if ! python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
  echo "installing python3-venv from Debian's packages"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq python3 python3-venv >/dev/null
fi
rm -rf "$venv"
python3 -m venv "$venv"
# uv fetches the ~60 packages in parallel: a quarter of pip's time on these machines.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input uv==0.9.5
"$venv/bin/uv" pip install --quiet --python "$venv/bin/python" -r "$requirements"
echo "$wanted" >"$stamp"
echo "moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)') installed into .tools/moto-venv"
