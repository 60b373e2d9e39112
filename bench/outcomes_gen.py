# Synthetic cohort for timing the outcome report (issue 7): N treated SCI patients,
# 4 follow-up visits each, about 11 NRS observations per patient, written straight
# into a fresh data directory (no audit entries: timing only, never a real clinic).
#   cellclinic init --data D --admin-password-file PW; python3 bench/outcomes_gen.py D/cellclinic.db N
#   time cellclinic report outcomes --data D --protocol sci --out /dev/null
import sqlite3, sys, random, json, datetime
db, n = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db); cur = con.cursor()
random.seed(1)
today = datetime.date.today()
uid = cur.execute("SELECT MIN(id) FROM users").fetchone()[0]
base = cur.execute("SELECT COALESCE(MAX(id),0) FROM patients").fetchone()[0]
pats, scr, plans, adm, vis, obs = [], [], [], [], [], []
for i in range(1, n + 1):
    pid = base + i
    start = today - datetime.timedelta(days=30 + random.randrange(420))
    pats.append((pid, "S%07d" % pid, "Scale", "P", "1980-01-01", "male", "fr", "k%d" % pid, "i%d" % pid, 1, 1, "t", "t"))
    scr.append((pid, pid, "sci", 1, "{}", "eligible", "[]", str(start), str(start), "eligible", "t", "scale", 1))
    plans.append((pid, pid, "sci", 1, "approved", str(start), str(start), "{}", "{}", pid, "t", "scale", "t", 2))
    adm.append((pid, pid, pid, "p%d" % pid, str(start), "intravenous", "uc-msc", "cells", 1, 1, 70000, str(start), "completed", str(start), uid, "x", "t", "t", 1))
    obs.append((pid, "nrs-pain", "1", str(start - datetime.timedelta(days=2)), "clinician", "{}",
                json.dumps({"instrument": "nrs-pain", "scores": {"current": 3, "average": 4, "worst": random.randrange(11)}, "version": "1"}), "t"))
    for k, m in enumerate((1, 3, 6, 12)):
        t = start + datetime.timedelta(days=30 * m + 12)
        status = random.choice(["done", "done", "done", "missed", "scheduled", "lost"])
        vis.append((pid, pid, "sci", k + 1, "month-%d" % m, m, str(t), str(t - datetime.timedelta(days=14)), str(t + datetime.timedelta(days=14)), "[]", status, "t", "t", 1))
        for j in range(5 if status == "done" else 0):
            obs.append((pid, "nrs-pain", "1", str(t), "clinician", "{}",
                        json.dumps({"instrument": "nrs-pain", "scores": {"current": 3, "average": 4, "worst": random.randrange(11)}, "version": "1"}), "t"))
cur.executemany("INSERT INTO patients (id, mrn, family_name, given_names, birth_date, sex, language, search_key, identity_key, synthetic, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", pats)
cur.executemany("INSERT INTO screenings (id, patient_id, protocol_id, protocol_version, body, verdict, reasons, oldest_date, evaluated_on, decision, created_at, created_by, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", scr)
cur.executemany("INSERT INTO plans (id, patient_id, protocol_id, protocol_version, status, start_date, end_date, request, body, screening_id, created_at, created_by, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", plans)
cur.executemany("INSERT INTO administrations (id, patient_id, plan_id, plan_ref, planned_date, route, product_type, dose_unit, prescribed_amount, actual_amount, weight_grams, weight_date, status, started_at, operator_id, operator, created_at, updated_at, version, plan_item) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)", adm)
cur.executemany("INSERT INTO followup_visits (plan_id, patient_id, protocol_id, seq, label, months, target_date, window_start, window_end, instruments, status, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", vis)
cur.executemany("INSERT INTO observations (patient_id, instrument, instrument_version, observed_on, source, answers, scores, recorded_at) VALUES (?,?,?,?,?,?,?,?)", obs)
con.commit()
print(n, "patients", len(obs), "observations")
