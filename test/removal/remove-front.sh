#!/usr/bin/env bash
# Removes one front from a copy of this checkout — its folder and its line in src/fronts/index.ts,
# nothing else — then type-checks, builds and tests the copy there. The checkout is not touched.
#
#   test/removal/remove-front.sh jucai            type check, build, and the platform's own tests
#   test/removal/remove-front.sh jucai --full     type check, build, and the whole remaining suite
#
# `npm test` runs the first form for one front (test/removal/removal.test.ts); the second is the
# whole proof and takes as long as the suite.
set -euo pipefail
front=${1:?usage: remove-front.sh <front> [--full]}
mode=${2:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
copy=$(mktemp -d "${TMPDIR:-/tmp}/kaifang-without-$front-XXXXXX")
trap 'rm -rf "$copy"' EXIT

cd "$root"
[ -d "src/fronts/$front" ] || { echo "no front named $front in src/fronts" >&2; exit 2; }
# The files of the checkout as they are now (tracked and new, not ignored), and its installed packages.
git ls-files -co --exclude-standard -z | tar --null --ignore-failed-read -cf - -T - 2>/dev/null | tar -xf - -C "$copy"
ln -s "$root/node_modules" "$copy/node_modules"

cd "$copy"
rm -rf "src/fronts/$front"
lines=$(grep -c "from './$front/index.ts'" src/fronts/index.ts || true)
[ "$lines" = 1 ] || { echo "src/fronts/index.ts has $lines lines for $front, expected 1" >&2; exit 2; }
sed -i "\#from './$front/index.ts'#d" src/fronts/index.ts
node bin/client-index.js # the client entry is written from the fronts' folders (the build does it too)
node bin/console-build.js --entry-only # and the debugger's list of the fronts' debugger modules
if grep -rn --include='*.ts' "fronts/$front/" src test bench >&2; then
  echo "the files above still name the $front front" >&2
  exit 1
fi

# Run from a test file (removal.test.ts), this shell inherits the runner's NODE_TEST_CONTEXT, with
# which a nested `node --test` skips its files ("run() is being called recursively"): drop it.
unset NODE_TEST_CONTEXT

echo "== without $front: type check"
npm run typecheck --silent
echo "== without $front: build"
npm run build --silent
if [ "$mode" = --full ]; then
  echo "== without $front: the whole suite"
  node --import tsx --test --test-concurrency=2 $(find test src -name '*.test.ts' -not -path 'test/removal/*' | sort)
else
  echo "== without $front: the platform's tests"
  node --import tsx --test --test-concurrency=2 test/layers.test.ts test/admin/openapi.test.ts test/upgrade/upgrade.test.ts test/core/storeCopy.test.ts test/cli/operator.test.ts test/client/package.test.ts
fi
