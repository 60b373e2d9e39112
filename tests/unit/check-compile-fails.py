#!/usr/bin/env python3
"""Proves that the build refuses code the layering rules forbid, with the real flags.

Takes the compile command CMake recorded for a file of the project (compile_commands.json
in the build directory), swaps in a small probe source, and compiles it:
- core: a file compiled like src/core/date.c that includes "store/db.h" must fail because
  the header is not found (core's only include directory is src/core), while the same
  file without that include compiles (so the failure is the include, not the flags);
- banned: a file compiled like src/api/server.c that calls sprintf (and each other banned
  function in turn) must fail naming the function, while the same file calling snprintf
  compiles.
Exit 0 when every probe behaves, 1 otherwise, with the compiler's output for the probe
that did not.

Usage: check-compile-fails.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

# (name, template source, probe body, expected error pattern or None for "must compile")
CORE_PROBES = [
    ("core may include its own headers", "src/core/date.c",
     '#include "date.h"\nint probe(void);\nint probe(void) { return 0; }\n', None),
    ("core may not include store/db.h", "src/core/date.c",
     '#include "date.h"\n#include "store/db.h"\nint probe(void);\nint probe(void) { return 0; }\n',
     r"store/db\.h"),
    ("core may not include api/server.h", "src/core/date.c",
     '#include "api/server.h"\nint probe(void);\nint probe(void) { return 0; }\n',
     r"api/server\.h"),
]

BANNED_CALLS = [
    ("sprintf", "#include <stdio.h>", "char b[8]; return sprintf(b, \"%d\", 1);"),
    ("vsprintf", "#include <stdio.h>\n#include <stdarg.h>",
     "char b[8]; va_list ap; va_start(ap, n); int r = vsprintf(b, \"%d\", ap); va_end(ap); "
     "return r;"),
    ("strcpy", "#include <string.h>", "char b[8]; strcpy(b, \"x\"); return b[0];"),
    ("strcat", "#include <string.h>", "char b[8] = \"\"; strcat(b, \"x\"); return b[0];"),
    ("strtok", "#include <string.h>", "char b[8] = \"a b\"; return strtok(b, \" \") != 0;"),
    ("gmtime", "#include <time.h>", "time_t t = 0; return gmtime(&t)->tm_year;"),
    ("localtime", "#include <time.h>", "time_t t = 0; return localtime(&t)->tm_year;"),
    ("gets", "#include <stdio.h>\nchar *gets(char *s);", "char b[8]; return gets(b) != 0;"),
]


def banned_probes():
    def body(include, call):
        return (f"{include}\nint probe(int n, ...);\n"
                f"int probe(int n, ...) {{ (void)n; {call} }}\n")

    yield ("snprintf compiles", "src/api/server.c",
           body("#include <stdio.h>", "char b[8]; return snprintf(b, sizeof b, \"%d\", 1);"),
           None)
    for name, include, call in BANNED_CALLS:
        yield (f"{name} is refused", "src/api/server.c", body(include, call),
               rf"\b{name}\b.*(banned function|unavailable|deprecated)")


def compile_command(entries, source_dir, template):
    wanted = os.path.realpath(os.path.join(source_dir, template))
    for e in entries:
        if os.path.realpath(os.path.join(e["directory"], e["file"])) == wanted:
            return e
    sys.exit(f"check-compile-fails: no compile command for {template} in compile_commands.json")


def run_probe(entry, body, tmp, index):
    args = entry.get("arguments") or shlex.split(entry["command"])
    probe = os.path.join(tmp, f"probe{index}.c")
    with open(probe, "w") as f:
        f.write(body)
    out = os.path.join(tmp, f"probe{index}.o")
    cmd, skip = [], False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a == "-o":
            cmd += ["-o", out]
            skip = True
        elif a == "-c":
            cmd += ["-c", probe]
            skip = True
        elif a.startswith("-o") and len(a) > 2:
            cmd.append("-o" + out)
        elif os.path.realpath(os.path.join(entry["directory"], a)) == os.path.realpath(
                os.path.join(entry["directory"], entry["file"])):
            cmd.append(probe)
        else:
            cmd.append(a)
    if probe not in cmd:
        cmd += ["-c", probe]
    r = subprocess.run(cmd, cwd=entry["directory"], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build_dir, source_dir = sys.argv[1], sys.argv[2]
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        entries = json.load(f)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, template, body, expected) in enumerate(
                CORE_PROBES + list(banned_probes())):
            rc, output = run_probe(compile_command(entries, source_dir, template), body, tmp,
                                   index)
            if expected is None:
                ok = rc == 0
            else:
                ok = rc != 0 and re.search(expected, output) is not None
            print(f"{'ok  ' if ok else 'FAIL'} {name}")
            if not ok:
                failures += 1
                print(output)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
