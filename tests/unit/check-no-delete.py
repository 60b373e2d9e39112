#!/usr/bin/env python3
"""Nothing in the program deletes traceability data (docs/security.md, traceability retention).

Identified donor - unit - recipient data is kept at least 30 years (Directive 2004/23/EC
art. 8(4), Commission Directive 2006/86/EC art. 9(2)). This check reads every C file of
src/ and fails when

- a DELETE FROM names a table outside ALLOWED (working rows that are not traceability
  data: sessions, a plan's slots before they are rewritten, unreported deadlines and
  event links that an audited update replaces, MFA secrets, the measure cache ...);
- a DROP TABLE, REPLACE INTO or INSERT OR REPLACE names a traceability table (a replace
  deletes the old row);
- a traceability table has no BEFORE DELETE guard in src/store/schema.c.

Usage: check-no-delete.py ROOT   (exit 1 with the reasons)
"""
import os
import re
import sys

TRACEABILITY = {"patients", "donors", "donor_tests", "collections", "batches",
                "batch_collections", "units", "custody_events", "unit_administrations",
                "unit_freezings", "unit_thaws", "administrations", "administration_units",
                "adverse_events"}
ALLOWED = {"sessions", "plan_slots", "clinic_capacity", "adverse_event_deadlines",
           "adverse_event_links", "measure_series", "mfa_recovery_codes", "mfa_totp",
           "login_failures", "user_sites", "site_capacity",
           # derived from the clinical rows and made anew from them
           "report_digests", "report_digest_stale"}


def main(root):
    failures = []
    src = os.path.join(root, "src")
    for dirpath, _, files in os.walk(src):
        for name in files:
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            text = open(path, encoding="utf-8", errors="replace").read()
            # adjacent C string literals form one SQL statement
            joined = re.sub(r'"\s*\n\s*"', "", text)
            rel = os.path.relpath(path, root)
            for m in re.finditer(r"\bDELETE\s+FROM\s+(\w+)", joined, re.I):
                if m.group(1) not in ALLOWED:
                    failures.append("%s: DELETE FROM %s (not an allowed table)" % (rel, m.group(1)))
            for m in re.finditer(r"\b(?:DROP\s+TABLE(?:\s+IF\s+EXISTS)?|REPLACE\s+INTO|"
                                 r"INSERT\s+OR\s+REPLACE\s+INTO)\s+(\w+)", joined, re.I):
                if m.group(1) in TRACEABILITY:
                    failures.append("%s: %s (a traceability table)" % (rel, m.group(0)))
    schema = re.sub(r'"\s*\n\s*"', "", open(os.path.join(src, "store", "schema.c")).read())
    for table in sorted(TRACEABILITY):
        if not re.search(r"CREATE TRIGGER IF NOT EXISTS %s_kept BEFORE DELETE ON %s BEGIN\s+SELECT RAISE\(ABORT"
                         % (table, table), schema):
            failures.append("src/store/schema.c: no BEFORE DELETE guard on %s" % table)
    for f in failures:
        print("FAIL " + f)
    print("no-delete: %d problem(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
