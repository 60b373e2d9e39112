#!/usr/bin/env python3
"""docs/hazard-log.md names tests that exist.

For every hazard row H1..H17 (and any later id):
- the row has a test cell; unless its status is "planned", that cell names at
  least one test file (a backticked path under tests/);
- every backticked path under tests/ exists;
- every backticked identifier following a path (`test_something`) is defined
  in that file (a C function, a Python def, or a JS test name);
- every double-quoted check name following a path appears in that file (the
  text of a check, with %-formatting allowed to split it: its longest literal
  part must appear).
Also: ids H1..H17 of DESIGN.md section 6 are all present.

    python3 tests/api/test_hazard_log.py [--binary IGNORED]
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    log = open(os.path.join(ROOT, "docs", "hazard-log.md"), encoding="utf-8").read()
    rows = [l for l in log.splitlines() if re.match(r"^\| H\d+ \|", l)]
    failures, checked = [], 0
    ids = {r.split(" | ")[0][2:] for r in rows}
    for n in range(1, 18):
        if "H%d" % n not in ids:
            failures.append("H%d is missing from the hazard log" % n)
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        hid, test, status = cells[0], cells[4], cells[5].strip(" |")
        # walk tokens in order: a path sets the current file
        current = None
        named_files = 0
        for m in re.finditer(r"`([^`]+)`|\"([^\"]+)\"", test):
            tok, quoted = m.group(1), m.group(2)
            if tok and tok.startswith("tests/"):
                path = os.path.join(ROOT, tok)
                checked += 1
                if os.path.isdir(path) and os.listdir(path):
                    named_files += 1  # a directory of data-driven cases
                    current = None
                    continue
                if not os.path.isfile(path):
                    failures.append("%s: %s does not exist" % (hid, tok))
                    current = None
                    continue
                current = open(path, encoding="utf-8", errors="replace").read()
                named_files += 1
            elif tok and re.match(r"^[a-z_][a-z0-9_]*$", tok) and current is not None:
                checked += 1
                if not re.search(r"(\bdef %s\b|\b%s\s*\(|['\"]%s['\"])" % (tok, tok, tok), current):
                    failures.append("%s: test %s is not defined in its file" % (hid, tok))
            elif quoted and current is not None:
                checked += 1
                parts = sorted(re.split(r"%[sd]", quoted), key=len, reverse=True)
                if parts[0] and parts[0] not in current:
                    failures.append("%s: no check named \"%s\" in its file" % (hid, quoted))
        if named_files == 0 and not status.startswith("planned"):
            failures.append("%s: status %r but no test file named" % (hid, status))
        if status.startswith("planned"):
            print("note: %s is planned, no test yet" % hid)
    for f in failures:
        print("FAIL " + f)
    print("%d references checked, %d failed" % (checked, len(failures)))
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
