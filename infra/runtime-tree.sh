#!/bin/sh
# Assembles the image's /app in $1, run at the root of a checkout whose web UI is built: the
# packages the server, the worker and the CLI run (package.json and src only), their production
# dependencies, the built web UI. Under node_modules it drops source maps, type declarations
# (but TypeScript's own, which `liandong check` needs), TypeScript, Markdown and browsers' script-tag builds (*.umd.*, *.iife.*): Node runs no .ts from
# node_modules, no package's exports map selects a script-tag build, and nothing reads the rest.
#   infra/runtime-tree.sh /out
set -eu
out=$1
roots="--filter-prod @liandong/server... --filter-prod @liandong/worker... --filter-prod @liandong/cli..."

if [ ! -f apps/cli/dist/liandong.mjs ]; then
  echo "apps/cli/dist 未构建 / is not built: node apps/cli/build.ts" >&2
  exit 1
fi
if [ ! -f apps/web/dist/index.html ]; then
  echo "apps/web/dist 未构建 / is not built: pnpm --filter @liandong/web build" >&2
  exit 1
fi
mkdir -p "$out/apps/web"
cp package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc "$out/"
# The workspace packages the three programs depend on, as pnpm resolves them (dev dependencies not followed).
# shellcheck disable=SC2086 # $roots is a list of arguments
for dir in $(pnpm $roots list --depth -1 --parseable); do
  rel=${dir#"$PWD"/}
  case $rel in /*) echo "$dir 不在 / is not under $PWD" >&2 && exit 1 ;; esac
  mkdir -p "$out/$rel"
  cp -R "$dir/package.json" "$dir/src" "$out/$rel/"
done
# The packages' test helpers (they import vitest or fast-check, development dependencies).
rm -f "$out"/packages/*/src/Testing.ts
cp -R apps/web/dist "$out/apps/web/dist"
# The command line, the server and the worker each as one bundled file, and their launchers (a CLI
# command starts in a fraction of a second; a server or worker holds about 100 MB less),
# and the SDK `liandong init` places in a campaign project.
mkdir -p "$out/apps/cli/dist"
cp -R apps/cli/bin "$out/apps/cli/bin"
cp apps/cli/dist/liandong.mjs apps/cli/dist/server.mjs apps/cli/dist/worker.mjs "$out/apps/cli/dist/"
cp -R apps/cli/dist/sdk "$out/apps/cli/dist/sdk"

cd "$out"
# shellcheck disable=SC2086
pnpm install --prod --frozen-lockfile --prefer-offline $roots
# TypeScript's own declarations (lib.*.d.ts) stay: `liandong check` type-checks a project with them.
find node_modules/.pnpm apps/web/dist -type f \
  \( -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.md' -o -name '*.umd.*' -o -name '*.iife.*' \) \
  ! -path 'node_modules/.pnpm/typescript@*' ! -path 'node_modules/.pnpm/@typescript+*' \
  -delete
rm -f pnpm-lock.yaml pnpm-workspace.yaml .npmrc
