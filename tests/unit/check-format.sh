#!/usr/bin/env bash
# Fails when a C file differs from what clang-format makes of it with the root .clang-format.
# Pinned to clang-format 14 (Debian bookworm's, installed by scripts/install-deps.sh):
# other major versions format some constructs differently, so their verdict is not used.
set -u
root="$1"
want=14
if ! command -v clang-format >/dev/null 2>&1; then
    echo "format: clang-format not found (scripts/install-deps.sh installs it)"
    exit 1
fi
version=$(clang-format --version | sed -nE 's/.*version ([0-9]+)\..*/\1/p')
if [ "$version" != "$want" ]; then
    echo "format: clang-format major version $version, this check is pinned to $want"
    exit 1
fi
cd "$root" || exit 1
failing=0
total=0
for f in src/*/*.c src/*/*.h tests/unit/*.c; do
    total=$((total + 1))
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f"
        failing=$((failing + 1))
    fi
done
if [ $failing -ne 0 ]; then
    echo "format: $failing of $total files differ from clang-format $want (run: make format)"
    exit 1
fi
echo "format: $total files ok"
