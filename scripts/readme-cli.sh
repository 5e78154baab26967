#!/usr/bin/env bash
# Run the README's CLI lines (the first sh block under "## CLI") as they stand, from the
# repository's root, after `npm run build`; remove the files they write. Run: bash scripts/readme-cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."
block=$(awk '/^## CLI/{s=1} s&&/^```sh/{b=1;next} b&&/^```/{exit} b{print}' README.md)
[ -n "$block" ] || { echo "no sh block under ## CLI in README.md"; exit 1; }
trap 'rm -f split.svg demo.html panel.csv' EXIT
printf '%s\n' "$block" | sed 's/^/+ /'
bash -euo pipefail -c "$block" > /dev/null
echo "README CLI lines: ok"
