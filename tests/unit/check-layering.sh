#!/usr/bin/env bash
# Fails when a layer reaches upward or core touches I/O libraries, when api speaks SQL or
# store speaks HTTP, or when a banned string function appears anywhere in src/.
# (The compiler enforces core's include path and the banned functions too:
# tests/unit/check-compile-fails.py; include cycles: tests/unit/check-cycles.py.)
set -u
root="$1"
status=0
# core may use snprintf/vsnprintf from stdio.h (formatting into caller buffers,
# no I/O); any file-handling call is refused below.
bad=$(grep -rnE '#include *[<"](sqlite3|microhttpd|jansson|libpq-fe|sodium|cairo|zint)[^>"]*[>"]|#include *"(\.\./)?(store|app|api|cli|web)/' "$root/src/core")
if [ -n "$bad" ]; then echo "core includes a storage/HTTP/I/O header:"; echo "$bad"; status=1; fi
io=$(grep -rnE '\b(fopen|fread|fwrite|printf|fprintf|puts|getenv|time|clock_gettime|rand|srand)\s*\(' "$root/src/core" | grep -vE '^\S+:\s*[0-9]+:\s*(/\*|\*)')
if [ -n "$io" ]; then echo "core performs I/O or reads the clock/environment:"; echo "$io"; status=1; fi
up=$(grep -rnE '#include *"(\.\./)?(app|api|cli)/' "$root/src/store")
if [ -n "$up" ]; then echo "store includes app, api or cli:"; echo "$up"; status=1; fi
up=$(grep -rnE '#include *"(\.\./)?(api|cli)/' "$root/src/app")
if [ -n "$up" ]; then echo "app includes api or cli:"; echo "$up"; status=1; fi
# the command line calls app; only cmd_serve.c, which starts the server, includes api
up=$(grep -rnE '#include *"(\.\./)?api/' "$root/src/cli" | grep -v '^[^:]*/cmd_serve\.c:')
if [ -n "$up" ]; then echo "cli includes api outside cmd_serve.c:"; echo "$up"; status=1; fi
up=$(grep -rnE '#include *"(\.\./)?cli/' "$root/src/api")
if [ -n "$up" ]; then echo "api includes cli:"; echo "$up"; status=1; fi
# api parses, calls app and renders: no SQL text, no SQL calls, no SQL headers.
# SQL text is a string literal holding a statement's shape (an HTTP method name such as
# "DELETE" alone is not SQL).
sql='"[^"]*\b(SELECT\s+\S|INSERT\s+(OR\s+[A-Z]+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b)'
bad=$(grep -rnE "$sql" "$root/src/api")
if [ -n "$bad" ]; then echo "api holds SQL text:"; echo "$bad"; status=1; fi
bad=$(grep -rnE '\b(db_prepare|db_exec|db_step|db_run|db_bind_[a-z]+|db_col_[a-z_]+|sql_[a-z_]+)\s*\(' "$root/src/api")
if [ -n "$bad" ]; then echo "api calls the SQL layer:"; echo "$bad"; status=1; fi
bad=$(grep -rnE '#include *"(\.\./)?store/(db|sql)\.h"' "$root/src/api")
if [ -n "$bad" ]; then echo "api includes the SQL layer:"; echo "$bad"; status=1; fi
# store persists: no HTTP library, no api header, no HTTP status replies.
bad=$(grep -rnE 'microhttpd|\bMHD_[A-Za-z_]+|#include *"(\.\./)?api/|\bapi_reply[a-z_]*\s*\(|"HTTP/1\.[01]|\b(http_)?status(_code)?\s*=\s*[1-5][0-9][0-9]\b' "$root/src/store")
if [ -n "$bad" ]; then echo "store speaks HTTP:"; echo "$bad"; status=1; fi
banned=$(grep -rnE --exclude=banned.h '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|gmtime|localtime)\s*\(' "$root/src")
if [ -n "$banned" ]; then echo "banned function:"; echo "$banned"; status=1; fi
[ $status -eq 0 ] && echo "layering: ok"
exit $status
