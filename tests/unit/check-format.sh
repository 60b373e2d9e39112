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
files=(src/*/*.c src/*/*.h tests/unit/*.c)
# One clang-format run over every file; it names each file that differs.
report=$(clang-format --dry-run -Werror "${files[@]}" 2>&1)
failing=$(printf '%s\n' "$report" | sed -nE 's/^([^:]+):[0-9]+:[0-9]+: error: .*/\1/p' | sort -u)
if [ -n "$failing" ]; then
    printf 'not formatted: %s\n' $failing
    echo "format: $(printf '%s\n' $failing | wc -l) of ${#files[@]} files differ from clang-format $want (run: make format)"
    exit 1
fi
if [ -n "$report" ]; then
    printf '%s\n' "$report"
    exit 1
fi
echo "format: ${#files[@]} files ok"
