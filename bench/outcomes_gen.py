# Synthetic cohort for timing the outcome report: N patients over the five
# programmes (sci 40 %, als 20 %, msc 20 %, spina-bifida 10 %, secretome 10 %), each with
# a condition, a screening (10 % ineligible, no plan), an approved plan, 1-4
# administrations, 4 follow-up visits with attrition, 20 observations (baseline,
# visit windows, pain diary) and adverse events for about 8 % of patients. Written
# straight into a fresh data directory (no audit entries: timing only, never a real
# clinic); the measure series are left to `cellclinic` to build from the stored
# observations (derived_data.built = 0), as for any older data directory. Rows are
# written every CHUNK patients, so memory stays flat at 1,000,000 patients.
#   cellclinic init --data D --admin-password-file PW; python3 bench/outcomes_gen.py D/cellclinic.db N
#   cellclinic report outcomes --data D --protocol sci --out /dev/null   (first run builds the series)
import datetime, random, sqlite3, sys

db, n = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db)
con.execute("PRAGMA synchronous = OFF")  # a throwaway benchmark file: no fsync per chunk
cur = con.cursor()
CHUNK = 20000
random.seed(1)
today = datetime.date.today()
uid = cur.execute("SELECT MIN(id) FROM users").fetchone()[0]
base = cur.execute("SELECT COALESCE(MAX(id),0) FROM patients").fetchone()[0]
PROGRAMMES = [("sci", 40, "S14.1", "isncsci"), ("als", 20, "G12.2", "alsfrs-r"),
              ("msc", 20, "G35", "nrs-pain"), ("spina-bifida", 10, "Q05.9", "nrs-pain"),
              ("secretome", 10, "M17.0", "nrs-pain")]
WHEEL = [p for p in PROGRAMMES for _ in range(p[1])]
PRODUCTS = {"secretome": ["secretome"]}
TERMS = [("10019211", "Headache"), ("10016558", "Fever"), ("10028813", "Nausea"),
         ("10003239", "Back pain")]
AIS = "ABCD"


def pain():
    return '{"instrument":"nrs-pain","scores":{"average":%d,"current":%d,"worst":%d},"version":"1"}' % (
        random.randrange(11), random.randrange(11), random.randrange(11))


def isncsci(grade):
    return ('{"classification":{"ASIAImpairmentScale":"%s"},"totals":{"lightTouch":"%d",'
            '"lowerExtremity":"%d","pinPrick":"%d","upperExtremity":"%d"}}') % (
        grade, random.randrange(20, 112), random.randrange(0, 50), random.randrange(20, 112),
        random.randrange(10, 50))


def alsfrs():
    return '{"instrument":"alsfrs-r","scores":{"total":%d},"version":"1"}' % random.randrange(10, 48)


pats, conds, scr, plans, adm, vis, obs, aes = [], [], [], [], [], [], [], []
plan_id = adm_id = 0
totals = [0, 0, 0]  # observations, administrations, adverse events


def flush():
    cur.executemany("INSERT INTO patients (id, mrn, family_name, given_names, birth_date, sex, language, search_key, identity_key, synthetic, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", pats)
    cur.executemany("INSERT INTO patient_conditions (patient_id, icd10, label, recorded_at) VALUES (?,?,?,?)", conds)
    cur.executemany("INSERT INTO screenings (id, patient_id, protocol_id, protocol_version, body, verdict, reasons, oldest_date, evaluated_on, decision, created_at, created_by, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", scr)
    cur.executemany("INSERT INTO plans (id, patient_id, protocol_id, protocol_version, status, start_date, end_date, request, body, screening_id, created_at, created_by, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", plans)
    cur.executemany("INSERT INTO administrations (id, patient_id, plan_id, plan_ref, planned_date, route, product_type, dose_unit, prescribed_amount, actual_amount, weight_grams, weight_date, status, started_at, operator_id, operator, created_at, updated_at, version, plan_item) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)", adm)
    cur.executemany("INSERT INTO followup_visits (plan_id, patient_id, protocol_id, seq, label, months, target_date, window_start, window_end, instruments, status, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", vis)
    cur.executemany("INSERT INTO observations (patient_id, instrument, instrument_version, observed_on, source, answers, scores, recorded_at) VALUES (?,?,?,?,?,?,?,?)", obs)
    cur.executemany("INSERT INTO adverse_events (patient_id, term_source, term_code, term_text, grade, onset_at, aware_at, serious, related_product, related_procedure, expectedness, reported_by, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", aes)
    totals[0] += len(obs)
    totals[1] += len(adm)
    totals[2] += len(aes)
    con.commit()  # checkpoints keep the log small
    for rows in (pats, conds, scr, plans, adm, vis, obs, aes):
        rows.clear()


for i in range(1, n + 1):
    if i % CHUNK == 0:
        flush()
    pid = base + i
    proto, _, icd, main = random.choice(WHEEL)
    start = today - datetime.timedelta(days=30 + random.randrange(420))
    pats.append((pid, "S%07d" % pid, "Scale", "P", "1980-01-01", "male", "fr", "k%d" % pid, "i%d" % pid, 1, 1, "t", "t"))
    conds.append((pid, icd, icd, "t"))
    eligible = random.random() >= 0.1
    decision = "eligible" if eligible else "ineligible"
    scr.append((pid, pid, proto, 1, "{}", decision, "[]", str(start), str(start - datetime.timedelta(days=20)), decision, "t", "scale", 1))
    grade = random.choice(AIS)

    def observe(day, instrument=None):
        inst = instrument or main
        scores = pain() if inst == "nrs-pain" else isncsci(grade) if inst == "isncsci" else alsfrs()
        obs.append((pid, inst, "1", str(day), "clinician", "{}", scores, "t"))

    if not eligible:
        for k in range(20):  # screening-time records still count as observations
            observe(start - datetime.timedelta(days=30 + k), "nrs-pain")
        continue
    plan_id += 1
    plans.append((plan_id, pid, proto, 1, "approved", str(start), str(start), "{}", "{}", pid, "t", "scale", "t", 2))
    for k in range(1 + random.randrange(4)):
        adm_id += 1
        product = random.choice(PRODUCTS.get(proto, ["uc-msc", "ucb-sc"]))
        route = "intravenous" if k % 2 == 0 else "intrathecal"
        day = start + datetime.timedelta(days=3 * k)
        adm.append((adm_id, pid, plan_id, "p%d" % adm_id, str(day), route, product, "cells", 1, 1, 70000, str(day), "completed", str(day), uid, "x", "t", "t", 1))
    for k in range(4):  # baseline
        observe(start - datetime.timedelta(days=2 + k), main if k < 2 else "nrs-pain")
    count = 4
    for k, m in enumerate((1, 3, 6, 12)):
        t = start + datetime.timedelta(days=30 * m + 12)
        status = random.choice(["done", "done", "done", "missed", "scheduled", "lost"])
        vis.append((plan_id, pid, proto, k + 1, "month-%d" % m, m, str(t), str(t - datetime.timedelta(days=14)), str(t + datetime.timedelta(days=14)), "[]", status, "t", "t", 1))
        if status == "done" and t <= today:
            for j in range(4):
                observe(t + datetime.timedelta(days=j - 1), main if j < 2 else "nrs-pain")
                count += 1
    while count < 20:  # pain diary during the stay
        observe(start + datetime.timedelta(days=count % 15), "nrs-pain")
        count += 1
    if random.random() < 0.08:
        code, text = random.choice(TERMS)
        serious = 1 if random.random() < 0.1 else 0
        onset = "%sT10:00:00Z" % (start + datetime.timedelta(days=1))
        aes.append((pid, "meddra", code, text, 3 if serious else random.choice((1, 2)), onset, onset, serious, "possible", "unlikely", "expected", "x", "t", "t", 1))

flush()
cur.execute("UPDATE derived_data SET built = 0 WHERE name = 'measure_series'")
con.commit()
print(n, "patients", totals[0], "observations", totals[1], "administrations", totals[2], "adverse events")
