#!/usr/bin/env python3
"""cellclinic migrate-store: a clinic's data directory (SQLite) copied into an empty
PostgreSQL database (issue 16, "migrate-store").

A SQLite server gets patients, weights and reads (access log rows) and stops; the
directory is copied into a database of a throwaway cluster (tests/pg/pgcluster.py);
then the same users are served from PostgreSQL with the directory's signing key:
the same patients and answers, new rows numbered after the copied ones, both audit
chains and the checkpoints verify. A second copy into the now non-empty database is
refused and changes nothing; bad options are refused naming the option.

Always runs both stores, whatever CC_TEST_STORE says: the source is SQLite by nature.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ["CC_TEST_STORE"] = "sqlite"  # the source; the target is made below
import harness  # noqa: E402


def new_patient(srv, n):
    return srv.request("POST", "/api/v1/patients",
                       {"family_name": "Migré%d" % n, "given_names": "Zoë",
                        "birth_date": "1990-02-03", "sex": "female", "language": "fr",
                        "confirm_duplicate": True}, role="coordinator")


def main():
    args = harness.parse_args()
    t = harness.Tally("migrate-store", args.verbose)
    srv = harness.Server(args.binary, verbose=args.verbose, keep=args.keep)
    with srv:
        made = [new_patient(srv, n) for n in range(5)]
        t.check(all(r.status == 201 for r in made) and len(made) == 5, "5 patients made", made)
        ids = [r.json["id"] for r in made]
        weight = srv.request("POST", "/api/v1/patients/%d/weights" % ids[0],
                             {"date": "2026-11-30", "kg": 61.5}, role="nurse")
        t.check(weight.status == 201, "a weight recorded", weight)
        before = srv.request("GET", "/api/v1/patients/%d" % ids[2], role="physician")
        t.check(before.status == 200, "a patient read (an access log row)", before)
        listing = srv.request("GET", "/api/v1/patients?page_size=100", role="coordinator")
        srv.stop()

        cluster = harness.pg_cluster(args.keep)
        url = cluster.create_database("cc_migrated")
        bad = harness.run_cli(args.binary, ["migrate-store", "--from", srv.data,
                                            "--to", "/tmp/not-a-database"])
        t.check(bad.returncode == 2 and "--to" in bad.stderr,
                "a --to that is no PostgreSQL URI is refused, naming the option", bad.stderr)
        r = harness.run_cli(args.binary, ["migrate-store", "--from", srv.data, "--to", url],
                            timeout=600)
        t.check(r.returncode == 0 and "audit chain intact on both sides" in r.stdout,
                "migrate-store copies the directory and verifies both chains",
                r.stdout + r.stderr)
        copied = harness.pg_table_hashes(cluster, "cc_migrated")
        again = harness.run_cli(args.binary, ["migrate-store", "--from", srv.data, "--to", url])
        t.check(again.returncode == 1 and "already holds tables" in again.stderr,
                "a second copy into the same database is refused", again.stdout + again.stderr)
        t.check(harness.pg_table_hashes(cluster, "cc_migrated") == copied,
                "the refused copy changed nothing in the target")

        # the same directory's users and key, now served from PostgreSQL
        harness._pg_locations[srv.data] = (url, "cc_migrated")
        srv.serve_args = ["--audit-key", os.path.join(srv.data, "audit-signing.key")]
        srv._tokens = {}
        srv.start()
        after = srv.request("GET", "/api/v1/patients/%d" % ids[2], role="physician")
        t.check(after.status == 200 and after.json == before.json,
                "the patient reads the same from PostgreSQL", (before.json, after.json))
        relisted = srv.request("GET", "/api/v1/patients?page_size=100", role="coordinator")
        t.check(relisted.status == 200 and relisted.json == listing.json,
                "the patient list is the same", relisted)
        more = new_patient(srv, 99)
        t.check(more.status == 201 and more.json["id"] > max(ids),
                "a new patient is numbered after the copied ones", more)
        srv.stop()
        v = harness.run_cli(args.binary, ["audit", "verify", "--database", url,
                                          "--checkpoints", srv.data])
        t.check(v.returncode == 0 and "audit chain intact" in v.stdout
                and "checkpoints: " in v.stdout and "verified" in v.stdout,
                "audit verify on PostgreSQL: chain, access log, checkpoints, rows", v.stdout
                + v.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
