#!/usr/bin/env python3
"""The access log: every read of identified patient data is recorded.

- the route table is classified: every GET route either carries an access
  kind (`cellclinic routes` prints it) or is listed below as showing no
  identified patient data; a new route must be put on one side;
- each route with an access kind, called once, writes one row per patient
  its answer shows (the patients the JSON names, or the patient of the path),
  under its route pattern and the caller's username; a search writes one
  "search" row per returned patient;
- GET /api/v1/access-log?patient=MRN / ?username=NAME for admin and qa only,
  paged, with MRN, names, usernames and no internal ids;
- `cellclinic audit verify` reports an edited or deleted access-log row;
- a questionnaire token appears in neither the server's log nor the access
  log nor the audit trail; a saved draft is audited as "patient via link";
- the de-identified export writes an "export" row per patient it exports
  (those with a research consent);
- a change of demographics without a reason is 400 naming "reason"; the
  reason is in the audit entry.

    python3 tests/api/test_access_log.py --binary build/cellclinic [-v]
"""

import json
import os
import re
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# GET routes whose answers show no identified patient data (names with an MRN).
NOT_IDENTIFIED = {
    "/healthz", "/api/v1/session", "/api/v1/tokens", "/api/v1/consultation-requests",
    "/api/v1/consultation-requests/{id}", "/api/v1/audit", "/api/v1/access-log",
    "/api/v1/instruments", "/api/v1/instruments/{id}", "/api/v1/users", "/api/v1/lab/site", "/api/v1/clinic-site",
    "/api/v1/sites", "/api/v1/users/{id}/sites",
    "/api/v1/donors", "/api/v1/donors/{id}", "/api/v1/collections", "/api/v1/collections/{id}",
    "/api/v1/batches", "/api/v1/batches/{id}", "/api/v1/units", "/api/v1/units/{id}",
    "/api/v1/storage", "/api/v1/planned-administrations",
    "/api/v1/protocols", "/api/v1/protocols/{id}", "/api/v1/screening-tests",
    "/api/v1/screenings/{id}", "/api/v1/plans", "/api/v1/plans/{id}", "/api/v1/capacity",
    "/api/v1/bedside/settings", "/api/v1/adverse-events/terms", "/api/v1/follow-up-settings",
    "/api/v1/questionnaire/{token}", "/api/v1/reports/outcomes",
    "/api/v1/reports/outcomes/chart", "/api/v1/mfa", "/api/v1/mfa/policy",
    "/api/v1/report-settings", "/api/v1/security-events", "/api/v1/sessions",
    "/api/v1/lab/cryo-settings", "/api/v1/lab/donor-panels", "/api/v1/consent-documents", "/api/v1/consent-documents/{id}",
}

LAB_ROUTES = ("/api/v1/lookback/",)


def patients_named(v, out):
    """The patient ids a JSON answer names: objects with family_name and an MRN."""
    if isinstance(v, list):
        for x in v:
            patients_named(x, out)
    elif isinstance(v, dict):
        if "family_name" in v and ("mrn" in v or "patient_mrn" in v):
            pid = v.get("patient_id", v.get("id"))
            if isinstance(pid, int):
                out.add(pid)
        for x in v.values():
            patients_named(x, out)
    return out


def rows_since(srv, seq, route=None, timeout=3.0):
    """Access rows after seq (the writer flushes within 50 ms; wait up to timeout)."""
    deadline = time.time() + timeout
    while True:
        q = "SELECT seq, username, patient_id, what, route FROM access_log WHERE seq > ?"
        args = [seq]
        if route:
            q += " AND route = ?"
            args.append(route)
        rows = access_query(srv, q + " ORDER BY seq", args)
        if rows or time.time() > deadline:
            return rows
        time.sleep(0.05)


def access_db(srv):
    """The access log's own SQLite file (on PostgreSQL its tables are in the clinic's
    database)."""
    return os.path.join(srv.data, "access-log.db")


def access_query(srv, sql, params=()):
    if srv.on_pg:
        return srv.db_query(sql, params)
    con = harness.db_connect_ro(access_db(srv))
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def access_exec(srv, sql, params=()):
    if srv.on_pg:
        return srv.db_exec(sql, params)
    con = sqlite3.connect(access_db(srv), timeout=30)
    try:
        con.execute(sql, params)
        con.commit()
    finally:
        con.close()


def last_seq(srv):
    """The log's last seq once the writer has flushed what earlier requests
    queued: the same value read twice, several flush intervals (50 ms) apart.
    Without the wait, a row queued by the previous request and flushed just
    after the read counts as a row of the next one."""
    def read():
        return access_query(srv, "SELECT COALESCE(MAX(seq), 0) FROM access_log")[0][0]
    seq = read()
    while True:
        time.sleep(0.2)
        now = read()
        if now == seq:
            return seq
        seq = now


def one(srv, sql):
    v = srv.db_query(sql)
    return v[0][0] if v else None


def check_pages(t, srv, query, where):
    """Every page of the API's listing, three rows each, is the log's matching
    rows newest first (read through the view), with the same total; the rows
    span several batches, so pages cross batch boundaries."""
    expected = access_query(srv, "SELECT at, username, what, route, patient_id FROM access_log"
                            " WHERE " + where + " ORDER BY seq DESC")
    batches = access_query(srv, "SELECT COUNT(DISTINCT b.seq) FROM access_batches b,"
                           " access_log l WHERE l.seq BETWEEN b.first_row AND"
                           " b.first_row + b.n - 1 AND "
                           + where.replace("patient_id", "l.patient_id")
                           .replace("username", "l.username"))[0][0]
    mrns = dict(srv.db_query("SELECT id, mrn FROM patients"))
    expected = [(at, u, what, route, mrns[p]) for at, u, what, route, p in expected]
    got, totals, page = [], set(), 1
    while page < 200:
        resp = srv.request("GET", "/api/v1/access-log?%s&per_page=3&page=%d" % (query, page),
                           role="qa")
        if resp.status != 200 or not resp.json["items"]:
            break
        totals.add(resp.json["total"])
        got += [(i["at"], i["username"], i["what"], i["route"], i["mrn"])
                for i in resp.json["items"]]
        page += 1
    t.check(len(expected) > 3 and batches > 1 and got == expected and
            totals == {len(expected)},
            "access-log pages for %s are the matching rows newest first" % query,
            (len(expected), batches, got[:4], expected[:4], totals))


def check_old_format(t, srv):
    """An access-log file of the earlier row-per-read format is converted when
    opened: the same rows, one batch per old chain link, a chain that verifies."""
    if srv.on_pg:
        print("skip (SQLite only): the earlier format is an access-log.db file of the"
              " row-per-read format; on PostgreSQL the access log's tables were made in the"
              " clinic's database in the batch format and there is no file to convert")
        return
    os.remove(access_db(srv))
    for suffix in ("-wal", "-shm"):
        if os.path.exists(access_db(srv) + suffix):
            os.remove(access_db(srv) + suffix)
    rows = [(i, "2026-11-0%dT10:00:00Z" % (1 + i // 3), 1, "admin", 100 + i % 2, "record",
             "/api/v1/patients/{id}") for i in range(1, 6)]
    con = sqlite3.connect(access_db(srv))
    con.executescript(
        "CREATE TABLE access_log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id INTEGER,"
        " username TEXT NOT NULL, patient_id INTEGER NOT NULL, what TEXT NOT NULL,"
        " route TEXT NOT NULL);"
        "CREATE TABLE access_chain (last_seq INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL,"
        " prev_hash TEXT NOT NULL, hash TEXT NOT NULL);")
    con.executemany("INSERT INTO access_log VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("INSERT INTO access_chain VALUES (2, 1, 'x', 'y'), (5, 3, 'y', 'z')")
    con.commit()
    con.close()
    r = srv.cli("audit", "verify", "--data", srv.data, "--no-rows")
    con = sqlite3.connect(access_db(srv))
    seen = con.execute("SELECT seq, at, user_id, username, patient_id, what, route"
                       " FROM access_log ORDER BY seq").fetchall()
    batches = con.execute("SELECT COUNT(*) FROM access_batches").fetchone()[0]
    per_patient = con.execute("SELECT patient_id, COUNT(*) FROM access_log"
                              " GROUP BY patient_id ORDER BY patient_id").fetchall()
    con.close()
    t.check(r.returncode == 0 and "access log chain intact: 5 rows" in r.stdout and
            seen == rows and batches == 2 and per_patient == [(100, 2), (101, 3)],
            "an access log of the earlier format is converted, rows unchanged",
            (r.stdout + r.stderr, seen, batches, per_patient))


def main():
    args = harness.parse_args()
    t = harness.Tally("access_log", verbose=args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        srv.stop()
        r = srv.cli("demo", "--data", srv.data, "--patients", "40", "--seed", "3")
        t.check(r.returncode == 0, "demo data", r.stderr)
        # the demo gives no unit to a patient: one, so that lookback has a recipient
        unit = one(srv, "SELECT id FROM units ORDER BY id LIMIT 1")
        pid = one(srv, "SELECT id FROM patients ORDER BY id LIMIT 1")
        srv.db_exec("INSERT INTO unit_administrations (unit_id, patient_id, administered_on,"
                    " recorded_by, recorded_at) VALUES (?, ?, '2026-01-02', 'lab1',"
                    " '2026-01-02T10:00:00Z')", (unit, pid))
        # and one autologous unit, whose label names its recipient
        own = one(srv, "SELECT id FROM units ORDER BY id DESC LIMIT 1")
        srv.db_exec("UPDATE units SET owner_patient_id = ? WHERE id = ?", (pid, own))
        # and an open serious event with its reporting deadline (deadlines, dashboard)
        srv.db_exec("UPDATE adverse_events SET serious = 1, resolved_at = NULL, outcome ="
                    " 'not_recovered' WHERE id = (SELECT MIN(id) FROM adverse_events)")
        srv.db_exec("INSERT INTO adverse_event_deadlines (adverse_event_id, kind, due_at)"
                    " SELECT MIN(id), 'initial', '2099-01-01T00:00:00Z' FROM adverse_events")
        # and a plan still running whose last administration is yet to be given (worklist)
        aid, plan, worklist_day = srv.db_query(
            "SELECT id, plan_id, planned_date FROM administrations ORDER BY id DESC"
            " LIMIT 1")[0]
        # traceability rows refuse DELETE (src/store/schema.c): this test's surgery
        # drops those guards first
        for guard, table in (("administration_units_kept", "administration_units"),
                             ("administrations_kept", "administrations")):
            srv.db_drop_trigger(guard, table)
        for table in ("vital_signs", "administration_units", "observation_tasks",
                      "adverse_event_links"):
            srv.db_exec("DELETE FROM %s WHERE administration_id = ?" % table, (aid,))
        srv.db_exec("DELETE FROM administrations WHERE id = ?", (aid,))
        srv.db_exec("UPDATE plans SET status = 'in_progress' WHERE id = ?", (plan,))
        srv.start()

        routes = json.loads(srv.cli("routes").stdout)
        gets = {r["path"]: r for r in routes if r["method"] == "GET"}
        logged = {p: r["access"] for p, r in gets.items() if "access" in r}
        unclassified = set(gets) - set(logged) - NOT_IDENTIFIED
        t.check(not unclassified, "every GET route is classified (access kind or not identified)",
                sorted(unclassified))
        t.check(not (set(logged) & NOT_IDENTIFIED), "no route is on both sides",
                sorted(set(logged) & NOT_IDENTIFIED))

        ids = {
            "/api/v1/patients/{id}": pid,
            "/api/v1/administrations/{id}": one(srv, "SELECT MIN(id) FROM administrations"),
            "/api/v1/adverse-events/{id}": one(srv, "SELECT MIN(id) FROM adverse_events"),
            "/api/v1/follow-up/{id}": one(srv, "SELECT MIN(id) FROM followup_visits"),
            "/api/v1/lookback/donors/{id}": one(
                srv, "SELECT c.donor_id FROM units u JOIN batch_collections bc ON"
                " bc.batch_id = u.batch_id JOIN collections c ON c.id = bc.collection_id"
                " WHERE u.id = %d" % unit),
            "/api/v1/lookback/collections/{id}": one(
                srv, "SELECT bc.collection_id FROM units u JOIN batch_collections bc ON"
                " bc.batch_id = u.batch_id WHERE u.id = %d" % unit),
            "/api/v1/lookback/batches/{id}": one(srv, "SELECT batch_id FROM units WHERE id = %d"
                                                 % unit),
            "/api/v1/lookback/patients/{id}": pid,
            "/api/v1/units/{id}": own,
        }
        for pattern, kind in sorted(logged.items()):
            path = pattern
            for prefix, value in ids.items():
                if pattern.startswith(prefix):
                    path = pattern.replace("{id}", str(value))
            if pattern == "/api/v1/worklist":
                path += "?date=" + worklist_day
            role = "lab" if pattern.startswith(LAB_ROUTES) else "physician"
            user = harness.user_of(role)
            seq = last_seq(srv)
            resp = srv.request("GET", path, role=role)
            if not t.check(resp.status == 200, "GET %s answers 200" % pattern, resp):
                continue
            if pattern.startswith("/api/v1/patients/{id}") or \
                    pattern.startswith("/api/v1/lookback/patients/") or \
                    pattern.startswith("/api/v1/units/{id}/label."):
                expected = {pid}
            else:
                expected = patients_named(resp.json, set())
            rows = rows_since(srv, seq, pattern)
            t.check(expected and {r[2] for r in rows} == expected and len(rows) == len(expected),
                    "GET %s writes one access row per patient shown (%d)" % (pattern,
                                                                            len(expected)),
                    (sorted(expected), rows))
            t.check(all(r[1] == user and r[3] == kind for r in rows),
                    "GET %s rows name %s and kind %s" % (pattern, user, kind), rows)

        # a lookback as CSV is an export of the recipients
        batch = ids["/api/v1/lookback/batches/{id}"]
        seq = last_seq(srv)
        resp = srv.request("GET", "/api/v1/lookback/batches/%d?format=csv" % batch, role="qa")
        rows = rows_since(srv, seq)
        t.check(resp.status == 200 and [(r[1], r[2], r[3]) for r in rows] ==
                [("qa1", pid, "export")], "a lookback CSV writes an export row per recipient",
                (resp, rows))

        # the de-identified export from the command line: an export row per exported
        # patient (those with a research consent: two of them here, and the
        # demonstration's)
        for research in (1, 2):
            srv.record_consent(research, "sci", kind="research")
        seq = last_seq(srv)
        r = srv.cli("export", "deidentified", "--data", srv.data, "--out",
                    os.path.join(srv.tmp, "export"))
        rows = rows_since(srv, seq, route="cellclinic export deidentified")
        consented = {x[0] for x in srv.db_query("SELECT patient_id FROM research_consented")}
        n_patients = len(consented)
        t.check(r.returncode == 0 and len(rows) == n_patients and {1, 2} <= consented and
                n_patients < one(srv, "SELECT COUNT(*) FROM patients") and
                {r_[2] for r_ in rows} == consented and
                all(r_[3] == "export" and r_[4] == "cellclinic export deidentified" and
                    r_[1].startswith("cli:") for r_ in rows),
                "the de-identified export writes an export row per patient",
                (r.stderr, len(rows), n_patients, rows))

        # a search: one row per returned patient
        family = one(srv, "SELECT family_name FROM patients WHERE id = %d" % pid)
        seq = last_seq(srv)
        resp = srv.request("GET", "/api/v1/patients?q=" + family[:3], role="nurse")
        found = {p["id"] for p in resp.json["items"]}
        rows = rows_since(srv, seq)
        t.check(found and {r[2] for r in rows} == found and all(r[3] == "search" for r in rows)
                and len(rows) == len(found), "a search writes a search row per returned patient",
                (found, rows))

        # the log, per patient and per user
        mrn = one(srv, "SELECT mrn FROM patients WHERE id = %d" % pid)
        resp = srv.request("GET", "/api/v1/access-log?patient=" + mrn, role="qa")
        items = resp.json.get("items", []) if resp.status == 200 else []
        t.check(resp.status == 200 and items and all(i["mrn"] == mrn for i in items),
                "qa reads the access log of one patient by MRN", resp)
        t.check(items and all(set(i) == {"at", "username", "what", "route", "mrn", "family_name",
                                         "given_names"} for i in items),
                "rows show MRN, names, username, kind, route, time; no internal id",
                items[:1])
        t.check(items and items[0]["at"].endswith("Z") and "T" in items[0]["at"],
                "times are ISO 8601 instants", items[:1])
        resp = srv.request("GET", "/api/v1/access-log?username=nurse1&per_page=2", role="admin")
        t.check(resp.status == 200 and resp.json["total"] >= len(found) and
                len(resp.json["items"]) == 2 and
                all(i["username"] == "nurse1" for i in resp.json["items"]),
                "admin reads one user's access rows, paged", resp)
        for _ in range(4):  # reads 50 ms apart or more land in batches of their own
            srv.request("GET", "/api/v1/patients/%d" % pid, role="nurse")
            time.sleep(0.15)
        check_pages(t, srv, "username=nurse1", "username = 'nurse1'")
        check_pages(t, srv, "patient=" + mrn, "patient_id = %d" % pid)
        for role in ("physician", "nurse", "coordinator", "lab", "analyst"):
            resp = srv.request("GET", "/api/v1/access-log?patient=" + mrn, role=role)
            t.check(resp.status == 403, "%s may not read the access log" % role, resp)
        resp = srv.request("GET", "/api/v1/access-log", role="qa")
        t.check(resp.status == 400 and resp.error()["field"] == "patient",
                "the access log needs a patient or a username", resp)
        resp = srv.request("GET", "/api/v1/access-log?patient=NOPE-0", role="qa")
        t.check(resp.status == 404 and resp.error()["field"] == "patient",
                "an unknown MRN is 404", resp)

        # questionnaire token: never in logs or tables; the draft is audited
        visit, instrument = next(
            (v, i) for v, instruments in srv.db_query(
                "SELECT id, instruments FROM followup_visits WHERE status = 'scheduled'"
                " ORDER BY id")
            for i in json.loads(instruments) if i not in ("isncsci", "mas"))
        srv.set_clinic_site()
        resp = srv.request("POST", "/api/v1/follow-up/%d/links" % visit,
                           {"instrument": instrument}, role="physician")
        token = resp.json.get("token") if resp.status == 201 else None
        t.check(token, "a questionnaire link is made", resp)
        if token:
            r1 = srv.request("GET", "/api/v1/questionnaire/" + token, role=None)
            r2 = srv.request("PUT", "/api/v1/questionnaire/%s/draft" % token,
                             {"answers": {}}, role=None)
            t.check(r1.status == 200 and r2.status == 200, "the patient reads and saves a draft",
                    (r1, r2))
            entry = one(srv, "SELECT username FROM audit_log WHERE action = 'save_draft'"
                        " ORDER BY seq DESC LIMIT 1")
            t.check(entry == "patient via link",
                    "a saved draft is audited with actor 'patient via link'", entry)
            time.sleep(0.2)
            with open(srv.log_path, "rb") as f:
                log = f.read()
            t.check(token.encode() not in log and b"/api/v1/questionnaire/{token}" in log,
                    "the server log shows the route pattern, never the token")
            dumped = srv.db_dump()
            t.check(dumped and token not in dumped,
                    "the token is nowhere in the databases (access log, audit trail, any table)")

        # a change of demographics needs a reason
        resp = srv.request("PATCH", "/api/v1/patients/%d" % pid,
                           {"phone": "0102030405", "version": one(
                               srv, "SELECT version FROM patients WHERE id = %d" % pid)},
                           role="coordinator")
        t.check(resp.status == 400 and resp.error()["field"] == "reason",
                "a demographics change without a reason is 400 naming reason", resp)
        resp = srv.request("PATCH", "/api/v1/patients/%d" % pid,
                           {"phone": "0102030405", "reason": "patient moved", "version": one(
                               srv, "SELECT version FROM patients WHERE id = %d" % pid)},
                           role="coordinator")
        reason = one(srv, "SELECT reason FROM audit_log WHERE entity = 'patient' AND"
                     " action = 'update' ORDER BY seq DESC LIMIT 1")
        t.check(resp.status == 200 and reason == "patient moved",
                "the reason is stored in the audit entry", (resp, reason))

        # audit verify covers the access log (the set-up above wrote rows with SQL,
        # which the row check would rightly report: it is left out here)
        srv.stop()
        r = srv.cli("audit", "verify", "--data", srv.data, "--no-rows")
        t.check(r.returncode == 0 and "access log chain intact" in r.stdout,
                "audit verify checks the access log chain", r.stdout + r.stderr)
        holding = ("SELECT seq, first_row, rows_json FROM access_batches"
                   " WHERE ? BETWEEN first_row AND first_row + n - 1")
        batch, first, original = access_query(srv, holding, (2,))[0]
        edited = json.loads(original)
        edited[2 - first][3] = "someone"
        access_exec(srv, "UPDATE access_batches SET rows_json = ? WHERE seq = ?",
                    (json.dumps(edited, separators=(",", ":")), batch))
        r = srv.cli("audit", "verify", "--data", srv.data, "--no-rows")
        # rows are chained by batch: the break is named by the batch's first row
        t.check(r.returncode == 1 and re.search(r"access log chain broken at row %d: content"
                                                % first, r.stdout),
                "an edited access row is reported", r.stdout + r.stderr)
        access_exec(srv, "UPDATE access_batches SET rows_json = ? WHERE seq = ?",
                    (original, batch))
        r0 = srv.cli("audit", "verify", "--data", srv.data, "--no-rows")
        batch, first, original = access_query(srv, holding, (3,))[0]
        edited = json.loads(original)
        del edited[3 - first]
        access_exec(srv, "UPDATE access_batches SET rows_json = ? WHERE seq = ?",
                    (json.dumps(edited, separators=(",", ":")), batch))
        r = srv.cli("audit", "verify", "--data", srv.data, "--no-rows")
        t.check(r0.returncode == 0 and r.returncode == 1 and
                "access log chain broken at row 3: a row is missing" in r.stdout,
                "a deleted access row is reported", (r0.stdout, r.stdout + r.stderr))
        access_exec(srv, "UPDATE access_batches SET rows_json = ? WHERE seq = ?",
                    (original, batch))
        # hiding a read from the per-patient query (its patient ids) is found too
        batch = access_query(srv, holding, (1,))[0][0]
        ids = access_query(srv, "SELECT ids FROM access_batch_patients WHERE batch = ?",
                           (batch,))[0][0]
        access_exec(srv, "UPDATE access_batch_patients SET ids = ? WHERE batch = ?",
                    (ids[8:], batch))
        r = srv.cli("audit", "verify", "--data", srv.data, "--no-rows")
        t.check(len(ids) >= 8 and r.returncode == 1 and "index does not match this batch" in
                r.stdout, "a read removed from the per-patient index is reported",
                r.stdout + r.stderr)
        check_old_format(t, srv)
    sys.exit(t.finish())


if __name__ == "__main__":
    main()
