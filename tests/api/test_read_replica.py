#!/usr/bin/env python3
"""serve --read-database: the outcome report runs on a PostgreSQL replica and says how far
its data lag (issue 16, "Reports and analyst exports can run on a replica").

A primary and a synchronous streaming standby (tests/pg/pgcluster.py); the server writes to
the primary and reads the report from the standby. Checked: the report says it comes from a
replica with a lag in seconds, for every role that reads it; a write right after goes to the
primary and is on the synchronous replica when acknowledged; with the primary stopped, pages
and the report answer 503 (the caller's credentials are checked on the primary); once it is
back, the report answers from the replica again. A --read-database that is not a URI, or without
--database, is refused naming the option.

Always on PostgreSQL, whatever CC_TEST_STORE says.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
os.environ["CC_TEST_STORE"] = "sqlite"  # the harness's own store is not used for the data
import harness  # noqa: E402
import pgcluster  # noqa: E402


def main():
    args = harness.parse_args()
    t = harness.Tally("read replica", args.verbose)
    base = pgcluster.make_base(keep=args.keep)
    primary = pgcluster.Cluster(base=base, name="primary")
    try:
        primary.create_database("cellclinic")
        replica = primary.make_standby("replica")
        # synchronous from now on: a commit returns once the replica has it
        primary.psql("postgres", "ALTER SYSTEM SET synchronous_standby_names = 'replica'")
        primary.reload()
        primary.wait_streaming("replica", sync="sync")
        srv = harness.Server(args.binary, verbose=args.verbose, keep=args.keep)
        url = primary.url("cellclinic")
        harness._pg_locations[srv.data] = (url, "cellclinic")
        os.makedirs(srv.data, exist_ok=True)
        key = os.path.join(srv.data, "audit-signing.key")
        bad = harness.run_cli(args.binary, ["serve", "--data", srv.tmp, "--read-database",
                                            replica.url("cellclinic")])
        t.check(bad.returncode == 2 and "--read-database" in bad.stderr,
                "--read-database without --database is refused, naming the option", bad.stderr)
        bad = harness.run_cli(args.binary, ["serve", "--database", url, "--read-database",
                                            "/tmp/replica"])
        t.check(bad.returncode == 2 and "--read-database" in bad.stderr,
                "a --read-database that is no URI is refused", bad.stderr)
        srv.serve_args = ["--audit-key", key, "--read-database", replica.url("cellclinic")]
        with srv:
            r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="analyst")
            source = (r.json or {}).get("source") if r.status == 200 else None
            t.check(isinstance(source, dict) and source.get("replica") is True
                    and isinstance(source.get("lag_seconds"), (int, float))
                    and source["lag_seconds"] >= 0,
                    "the report says it comes from a replica, with its lag in seconds", r)
            p = srv.request("POST", "/api/v1/patients",
                            {"family_name": "Réplique", "given_names": "Inès",
                             "birth_date": "1985-04-03", "sex": "female", "language": "fr"},
                            role="coordinator")
            t.check(p.status == 201, "a write right after goes to the primary", p)
            on_replica = replica.psql("cellclinic",
                                      "SELECT count(*) FROM patients WHERE family_name ="
                                      " 'Réplique'")
            t.check(on_replica == [("1",)], "the synchronous replica has the new patient",
                    on_replica)
            direct = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="physician")
            t.check(direct.status == 200 and "source" in direct.json,
                    "every caller's report reads the replica", direct)
            session = srv.token("analyst")
            primary.stop()
            gone = srv.request("GET", "/api/v1/patients?page_size=1", role="coordinator")
            t.check(gone.status == 503, "with the primary down, a page of the primary answers "
                    "503 (storage unavailable)", gone)
            r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci",
                            role=("token", session))
            t.check(r.status == 503, "the report needs the primary for the caller's "
                    "credentials, and says the storage is unavailable", r)
            primary.start()
            primary.wait_ready()
            r = srv.request("GET", "/api/v1/reports/outcomes?protocol=sci", role="analyst")
            t.check(r.status == 200 and r.json.get("source", {}).get("replica") is True,
                    "once the primary is back, the report answers from the replica again", r)
    finally:
        pgcluster.remove_base(base)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
