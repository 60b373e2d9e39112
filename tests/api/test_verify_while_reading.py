#!/usr/bin/env python3
"""`cellclinic audit verify` beside a server that goes on logging reads.

A patient's read is written to the access log a moment after it is answered,
as a new batch of the log's hash chain. An inspector runs `audit verify`
while the clinic works: the verdict must judge the chain as it stood at one
moment. Read batch by batch without one snapshot, a batch appended after the
walk's end read as "rows outside the chain" (or index entries no row holds)
about once in 25 runs on PostgreSQL: a false alarm of tampering.

Four readers read one patient without pause while `audit verify` runs
ROUNDS times; every verdict must hold (exit 0), and the reads must have
gone on throughout (the log grew between the first and the last verdict).
A race: the build before fails it on some runs only. Runs on both stores.

    python3 tests/api/test_verify_while_reading.py --binary build/cellclinic [-v]
"""
import os
import re
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROUNDS = 30
READERS = 4


def logged_rows(stdout):
    m = re.search(r"access log chain intact: (\d+) rows", stdout)
    return int(m.group(1)) if m else -1


def verify_while_reading(srv, t):
    r = srv.request("POST", "/api/v1/patients",
                    {"family_name": "Verdier", "given_names": "Ana", "birth_date": "1970-01-02",
                     "sex": "female", "language": "fr"}, role="coordinator")
    if r.status != 201:
        raise harness.CommandError("cannot create a patient: %r" % r)
    path = "/api/v1/patients/%d" % r.json["id"]
    reading = threading.Event()
    reading.set()
    reads = [0] * READERS

    def reader(k):
        while reading.is_set():
            if srv.request("GET", path, role="nurse").status == 200:
                reads[k] += 1

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(READERS)]
    for th in threads:
        th.start()
    verdicts = []
    try:
        for _ in range(ROUNDS):
            verdicts.append(srv.cli("audit", "verify", *srv.store_args()))
    finally:
        reading.clear()
        for th in threads:
            th.join()
    failed = [v for v in verdicts if v.returncode != 0]
    t.check(not failed, "every verdict of %d holds while reads are logged" % ROUNDS,
            failed[0].stdout + failed[0].stderr if failed else "")
    first, last = logged_rows(verdicts[0].stdout), logged_rows(verdicts[-1].stdout)
    t.check(sum(reads) > 0 and 0 <= first < last,
            "the reads went on throughout: %d reads, the log grew from %d to %d rows"
            % (sum(reads), first, last), verdicts[-1].stdout)


def main():
    args = harness.parse_args()
    t = harness.Tally("verify_while_reading", verbose=args.verbose)
    try:
        with harness.Server(args.binary, verbose=args.verbose, keep=args.keep,
                            roles=["nurse", "coordinator"]) as srv:
            verify_while_reading(srv, t)
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
