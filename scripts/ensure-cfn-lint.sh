#!/usr/bin/env bash
# Installs cfn-lint (from PyPI) into the git-ignored .tools/venv, where `npm test` finds it
# (test/cdk/cfn-lint.test.ts). Falls back to `pip install --user` when Python has no venv module.
set -euo pipefail
version="1.58.0"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/venv"
if [ -x "$venv/bin/cfn-lint" ] && "$venv/bin/cfn-lint" --version 2>/dev/null | grep -q "$version"; then
  echo "$("$venv/bin/cfn-lint" --version) at .tools/venv/bin/cfn-lint"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "cfn-lint needs python3 (Debian: apt-get install python3)" >&2; exit 1; }
if python3 -m venv "$venv" >/dev/null 2>&1 && [ -x "$venv/bin/pip" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$version"
  echo "$("$venv/bin/cfn-lint" --version) at .tools/venv/bin/cfn-lint"
else
  rm -rf "$venv"
  echo "python3 has no venv module: installing cfn-lint with pip install --user" >&2
  python3 -m pip install --quiet --disable-pip-version-check --user "cfn-lint==$version" \
    || python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "cfn-lint==$version"
  echo "$(python3 -m cfnlint --version 2>/dev/null || "$HOME/.local/bin/cfn-lint" --version) in the user site"
fi
