#!/usr/bin/env bash
# Fails when a layer reaches upward or core touches I/O libraries, or when a
# banned string function appears anywhere in src/.
set -u
root="$1"
status=0
# core may use snprintf/vsnprintf from stdio.h (formatting into caller buffers,
# no I/O); any file-handling call is refused below.
bad=$(grep -rnE '#include *[<"](sqlite3|microhttpd|jansson|libpq-fe|sodium|cairo|zint)[^>"]*[>"]|#include *"(\.\./)?(store|api|cli|web)/' "$root/src/core")
if [ -n "$bad" ]; then echo "core includes a storage/HTTP/I/O header:"; echo "$bad"; status=1; fi
io=$(grep -rnE '\b(fopen|fread|fwrite|printf|fprintf|puts|getenv|time|clock_gettime|rand|srand)\s*\(' "$root/src/core" | grep -vE '^\S+:\s*[0-9]+:\s*(/\*|\*)')
if [ -n "$io" ]; then echo "core performs I/O or reads the clock/environment:"; echo "$io"; status=1; fi
up=$(grep -rnE '#include *"(\.\./)?(api|cli)/' "$root/src/store")
if [ -n "$up" ]; then echo "store includes api or cli:"; echo "$up"; status=1; fi
up=$(grep -rnE '#include *"(\.\./)?(api|cli)/' "$root/src/app")
if [ -n "$up" ]; then echo "app includes api or cli:"; echo "$up"; status=1; fi
# the command line calls app; only cmd_serve.c, which starts the server, includes api
up=$(grep -rnE '#include *"(\.\./)?api/' "$root/src/cli" | grep -v '^[^:]*/cmd_serve\.c:')
if [ -n "$up" ]; then echo "cli includes api outside cmd_serve.c:"; echo "$up"; status=1; fi
up=$(grep -rnE '#include *"(\.\./)?cli/' "$root/src/api")
if [ -n "$up" ]; then echo "api includes cli:"; echo "$up"; status=1; fi
banned=$(grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|gmtime|localtime)\s*\(' "$root/src")
if [ -n "$banned" ]; then echo "banned function:"; echo "$banned"; status=1; fi
[ $status -eq 0 ] && echo "layering: ok"
exit $status
