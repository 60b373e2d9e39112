#!/usr/bin/env python3
"""with_cluster: runs a command with a throwaway PostgreSQL cluster beside it.

    python3 tests/pg/with_cluster.py COMMAND [ARGS...]

Starts a cluster (tests/pg/pgcluster.py), sets CC_TEST_PG_ADMIN to the URI of
its maintenance database "postgres" (the tests create and drop their own
databases through it), runs COMMAND, stops the cluster and exits with
COMMAND's status. For the C tests that run on either engine
(tests/unit/datadir_fixture.h).
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgcluster  # noqa: E402


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    cluster = pgcluster.Cluster()
    try:
        env = dict(os.environ, CC_TEST_PG_ADMIN=cluster.url("postgres"))
        return subprocess.call(argv, env=env)
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
