#!/usr/bin/env bash
# Installs what the local services need from Debian's packages when the machine lacks it:
# Java 17+ (DynamoDB Local, the Kafka broker), Maven (fetches the broker's jars from Maven Central) and
# Chromium (the ops dashboard's browser test drives /usr/bin/chromium with playwright-core).
set -euo pipefail
need=()
java_major="$(java -version 2>&1 | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -1 || true)"
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then need+=(openjdk-17-jre-headless); fi
command -v mvn >/dev/null 2>&1 || need+=(maven)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]} from Debian's packages"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "java $(java -version 2>&1 | head -1), $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g'), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
