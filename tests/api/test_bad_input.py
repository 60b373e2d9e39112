#!/usr/bin/env python3
"""Bad input for every mutating endpoint, table-driven.

For each endpoint the table gives a valid body, the fields with their type,
whether they are required and their maximum length. From it the test derives
malformed JSON, non-object bodies, wrong types, missing required fields,
unknown fields, oversize values and bodies, invalid dates, out-of-range
numbers, bad enum values and bad path ids. Every one must answer 4xx with
{"error":{"code","message","field"}} (field naming the offending field where
there is one), and the database checksum must not move.

    python3 tests/api/test_bad_input.py --binary build/cellclinic [-v] [--only TEXT]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

BODY_LIMIT = 64 * 1024
PUBLIC_LIMIT = 16 * 1024

# Values that are not dates in YYYY-MM-DD (or are not calendar dates).
BAD_DATES = ["2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
             "2026-1-1", "26-01-01", "20260101", "2026-01-01T00:00:00Z", "2026/01/01",
             "", " 2026-01-01", "2026-01-01 ", "yesterday", "2026-02-29"]


class F:
    """A field: kind is str, date, enum, num, bool, obj or int."""

    def __init__(self, kind, required=False, max=None, bad=(), choices=None, text=None):
        self.kind = kind
        # text: "line" (a single line: no control characters at all), "lines" (line breaks
        # allowed, other control characters refused) or None (not checked: passwords...)
        self.text = text
        self.required = required
        self.max = max
        self.bad = list(bad)        # extra invalid values of the right type
        self.choices = choices


def wrong_types(f):
    if f.kind in ("str", "date", "enum"):
        return [12, True, [], {}, ["x"]]
    if f.kind == "num":
        return ["61.5", "abc", "NaN", "nan", "Infinity", "-1", "1e9", "", True, [], {}]
    if f.kind == "int":
        return ["1", 1.5, True, [], {}]
    if f.kind == "bool":
        return ["true", 1, [], {}]
    if f.kind == "obj":
        return ["x", 1, [], True]
    raise ValueError(f.kind)


class Endpoint:
    def __init__(self, method, path, role, valid, fields, limit=BODY_LIMIT, unknown=True,
                 if_match=False, id_kind=None):
        self.method = method
        self.path = path          # may contain {id}
        self.role = role
        self.valid = valid        # function(n) -> a valid body, unique per n
        self.fields = fields
        self.limit = limit
        self.unknown = unknown
        self.if_match = if_match
        self.id_kind = id_kind    # which fixture id fills {id}

    @property
    def name(self):
        return "%s %s" % (self.method, self.path)


def patient_body(n):
    return {"family_name": "Bad%sInput" % harness_uniq(n), "given_names": "Ana",
            "birth_date": "1970-01-02", "sex": "female", "language": "fr"}


def harness_uniq(n):
    s = ""
    for _ in range(5):
        s = chr(ord("a") + n % 26) + s
        n //= 26
    return s


NAME = dict(kind="str", max=100)
ICD_BAD = ["S1", "S14.12345", "1234", "", "Z99.", "AA1", "S14 1", "S14.1;DROP"]
KG_BAD = [0, -1, 1e9, 0.49, 400.01, -0.0001, 1e308]
FROZEN_AT = "2026-01-01T10:00:00Z"
FREEZING_BODY = lambda n: {"cryoprotectant": "DMSO", "cryoprotectant_percent": 10,  # noqa: E731
                           "rate_c_per_min": 1, "frozen_at": FROZEN_AT}
FREEZING_FIELDS = {
    "cryoprotectant": F("str", True, max=40, bad=["", "   "], text="line"),
    "cryoprotectant_percent": F("num", True, bad=[-1, 0, 0.04, 100.1, 1e9]),
    "rate_c_per_min": F("num", True, bad=[-1, 0, 100.1]),
    "frozen_at": F("str", True, max=24, bad=["2026-01-01", "", "2999-01-01T00:00:00Z",
                                             "2026-02-30T10:00:00Z", "yesterday"])}

# The consent document of the consent rows (made by Run.fixtures).
CONSENT_FIX = {}

# Answers to a wrong password: the one refusal that writes (the failure count
# and its security event; harness.SECURITY_BOOKKEEPING).
CREDENTIAL_REFUSALS = ("wrong_password", "bad_credentials", "signature_failed", "bad_signature")

ENDPOINTS = [
    Endpoint("POST", "/api/v1/session", None,
             lambda n: {"username": "nurse1", "password": harness.PASSWORD},
             {"username": F("str", True), "password": F("str", True),
              "totp": F("str", False, max=16), "recovery_code": F("str", False, max=32)}),
    Endpoint("POST", "/api/v1/tokens", None,
             lambda n: {"username": "nurse1", "password": harness.PASSWORD, "label": "t%d" % n},
             {"username": F("str", True), "password": F("str", True),
              "label": F("str", False),
              "expires_in_days": F("int", bad=[0, -1, 91, 100000]),
              "scope": F("enum", bad=["admin", "READ", "", "write"]),
              "totp": F("str", False, max=16), "recovery_code": F("str", False, max=32)}),
    Endpoint("POST", "/api/v1/session/password", "nurse",
             lambda n: {"current_password": harness.PASSWORD,
                        "new_password": harness.PASSWORD + "-changed"},
             {"current_password": F("str", True, bad=["not-the-nurse-password"]),
              "new_password": F("str", True, bad=["", "short", harness.PASSWORD])}),
    Endpoint("POST", "/api/v1/mfa/enrol", "nurse", lambda n: {"password": harness.PASSWORD},
             {"password": F("str", True, max=256)}),
    Endpoint("POST", "/api/v1/mfa/confirm", "nurse", lambda n: {"code": "123456"},
             {"code": F("str", True, max=16, bad=["12345", "1234567", "12a456", "", " 123456"])}),
    Endpoint("PUT", "/api/v1/mfa/policy", "admin", lambda n: {"role": "nurse", "required": False},
             {"role": F("enum", True, bad=["root", "", "Nurse"]), "required": F("bool", True)}),
    Endpoint("PATCH", "/api/v1/session/preferences", "nurse",
             lambda n: {"language": "en"},
             {"language": F("enum", True, bad=["de", "EN", "english", ""])}),
    Endpoint("POST", "/api/v1/patients", "coordinator", patient_body,
             {"family_name": F("str", True, max=100, bad=[""], text="line"),
              "given_names": F("str", True, max=100, bad=[""], text="line"),
              "birth_date": F("date", True, bad=["2999-01-01", "1899-12-31"]),
              "sex": F("enum", True, bad=["f", "FEMALE", "", "x"]),
              "language": F("enum", True, bad=["es", ""]),
              "email": F("str", max=254, text="line"), "phone": F("str", max=40, text="line"),
              "address": F("str", max=400, text="line"),
              "weight_kg": F("num", bad=KG_BAD),
              "confirm_duplicate": F("bool")}),
    Endpoint("PATCH", "/api/v1/patients/{id}", "coordinator",
             lambda n: {"phone": "+33 1 00 00 %02d %02d" % (n // 100 % 100, n % 100),
                        "reason": "new number"},
             {"family_name": F("str", max=100, bad=[""], text="line"),
              "given_names": F("str", max=100, bad=[""], text="line"),
              "birth_date": F("date", bad=["2999-01-01"]),
              "sex": F("enum", bad=["f", ""]), "language": F("enum", bad=["es"]),
              "email": F("str", max=254, text="line"), "phone": F("str", max=40, text="line"),
              "address": F("str", max=400, text="line"),
              "mrn": F("str", bad=["00000018"]), "id": F("int", bad=[1]),
              "created_at": F("str", bad=["2020-01-01T00:00:00Z"]),
              "version": F("int"), "reason": F("str", True, max=1000, bad=[""], text="lines")},
             if_match=True, id_kind="patient"),
    Endpoint("POST", "/api/v1/patients/{id}/weights", "nurse",
             lambda n: {"date": "2020-01-%02d" % (n % 28 + 1), "kg": 60 + (n % 100) / 10},
             {"date": F("date", True, bad=["2999-01-01", "1969-12-31"]),
              "kg": F("num", True, bad=KG_BAD)},
             id_kind="patient"),
    Endpoint("POST", "/api/v1/patients/{id}/conditions", "physician",
             lambda n: {"icd10": "G35", "label": "Multiple sclerosis %d" % n,
                        "onset_date": "2020-01-01", "details": {}},
             {"icd10": F("str", True, bad=ICD_BAD), "label": F("str", True, max=200, bad=[""], text="line"),
              "onset_date": F("date"),
              # G35 (multiple sclerosis): course and EDSS at diagnosis only (core/condition.h)
              "details": F("obj", bad=[{"edss_at_diagnosis": 10.5}, {"edss_at_diagnosis": 3.3},
                                       {"edss_at_diagnosis": "3"}, {"course": "benign"},
                                       {"level": "C5"}, {"ais": "A"}, {"colour": "red"},
                                       {"course": ["relapsing_remitting"]}, {"note": "a\nb"}])},
             id_kind="patient"),
    Endpoint("POST", "/api/v1/patients/{id}/conditions", "physician",
             lambda n: {"icd10": "S14.1", "label": "Cervical cord injury %d" % n,
                        "onset_date": "2020-01-01", "details": {"level": "C5", "ais": "B"}},
             # spinal cord injury: a level C1..C8, T1..T12, L1..L5, S1..S5 and an AIS grade A..E
             {"details": F("obj", bad=[{"level": "C9"}, {"level": "T13"}, {"level": "L0"}, {"level": "S6"},
                                       {"level": "c5"}, {"level": "C05"}, {"ais": "F"}, {"ais": "a"},
                                       {"type": "occulta"}, {"edss_at_diagnosis": 2}])},
             id_kind="patient"),
    Endpoint("POST", "/api/v1/patients/{id}/medications", "nurse",
             lambda n: {"name": "Apixaban %d" % n, "class": "anticoagulant",
                        "dose": "5 mg twice daily", "start_date": "2020-01-01"},
             {"name": F("str", True, max=200, bad=[""], text="line"),
              "class": F("enum", True, bad=["Anticoagulant", "warfarin", ""]),
              "dose": F("str", max=200, text="line"),
              "start_date": F("date", True, bad=["2999-01-01"])},
             id_kind="patient"),
    Endpoint("POST", "/api/v1/patients/{id}/medications/{medication}/stop", "physician",
             lambda n: {"stop_date": "2020-02-01"},
             {"stop_date": F("date", True, bad=["2999-01-01"])},
             id_kind="patient"),
    Endpoint("POST", "/api/v1/patients/{id}/allergies", "nurse",
             lambda n: {"substance": "Penicillin %d" % n, "reaction": "rash",
                        "severity": "moderate"},
             {"substance": F("str", True, max=200, bad=[""], text="line"),
              "reaction": F("str", max=400, text="line"),
              "severity": F("enum", True, bad=["fatal", "Severe", ""])},
             id_kind="patient"),
    Endpoint("POST", "/api/v1/consent-documents", "coordinator",
             lambda n: {"protocol": "sci", "kind": "research", "language": "en",
                        "title": "Research %d" % n, "text": "I agree.\nSigned."},
             {"protocol": F("str", True, max=64),
              "kind": F("enum", True, bad=["", "Treatment", "consent", "follow-up"]),
              "language": F("enum", True, bad=["de", "", "FR"]),
              "title": F("str", True, max=200, bad=["", "  "], text="line"),
              "text": F("str", True, max=60000, bad=[""], text="lines")}),
    Endpoint("POST", "/api/v1/patients/{id}/consents", "coordinator",
             lambda n: {"document_id": CONSENT_FIX["document"], "signer": "patient",
                        "signer_name": "Ana Bad", "mode": "paper", "paper_date": "2020-01-02",
                        "paper_reference": "classeur %d" % n},
             {"document_id": F("int", True, bad=[0, -1]),
              "signer": F("enum", True, bad=["", "Patient", "doctor"]),
              "signer_name": F("str", True, max=200, bad=["", " "], text="line"),
              "signer_relation": F("str", max=200, bad=["mother"], text="line"),
              "mode": F("enum", True, bad=["", "email", "Paper"]),
              "password": F("str", max=256, bad=[harness.PASSWORD]),
              "paper_date": F("date", True, bad=["2999-01-01"]),
              "paper_reference": F("str", True, max=200, bad=[""], text="line")},
             id_kind="patient"),
    Endpoint("POST", "/api/v1/patients/{id}/consents/{consent}/withdraw", "coordinator",
             lambda n: {"reason": "changed their mind %d" % n},
             {"reason": F("str", True, max=1000, bad=["", "  "], text="line")},
             id_kind="patient"),
    Endpoint("POST", "/api/v1/consultation-requests", None,
             lambda n: {"name": "Bad Input %d" % n, "email": "x%d@example.org" % n,
                        "condition": "Stroke", "language": "en", "consent": True},
             {"name": F("str", True, max=200, bad=[""], text="line"),
              "email": F("str", max=254, text="line"),
              "phone": F("str", max=40, text="line"),
              "condition": F("str", True, max=200, bad=[""], text="line"),
              "message": F("str", max=4000, text="lines"),
              "language": F("enum", bad=["es", "DE"]),
              "birth_date": F("date"),
              "country": F("enum", bad=["ZZ", "fr", "FRA", ""]),
              "diagnosis": F("enum", bad=["SCI", "cancer", ""]),
              "injury_level": F("enum", bad=["C5"]),
              "injury_date": F("date", bad=["2020-01-01"]),
              "consent": F("bool", True, bad=[False])},
             limit=PUBLIC_LIMIT),
    # the structured description of a spinal cord injury (the public page)
    Endpoint("POST", "/api/v1/consultation-requests", None,
             lambda n: {"name": "Bad Injury %d" % n, "email": "y%d@example.org" % n,
                        "diagnosis": "sci", "injury_level": "C5", "injury_date": "2020-01-01",
                        "birth_date": "1970-01-02", "country": "FR", "language": "de",
                        "consent": True},
             {"condition": F("str", max=200, text="line"),
              "diagnosis": F("enum", bad=["Sci", ""]),
              "injury_level": F("enum", bad=["C9", "T13", "c5", "S6", "C", ""]),
              "injury_date": F("date", bad=["2999-01-01", "1960-01-01"]),
              "country": F("enum", bad=["XX"]),
              "consent": F("bool", True, bad=[False])},
             limit=PUBLIC_LIMIT),
    Endpoint("POST", "/api/v1/consultation-requests/{id}/convert", "coordinator",
             lambda n: {"family_name": "Conv%s" % harness_uniq(n), "given_names": "Ana",
                        "sex": "female", "birth_date": "1970-01-02"},
             {"family_name": F("str", max=100, bad=[""], text="line"),
              "given_names": F("str", max=100, bad=[""], text="line"),
              "birth_date": F("date", bad=["2999-01-01"]),
              "sex": F("enum", bad=["f"]), "language": F("enum", bad=["es"]),
              "confirm_duplicate": F("bool")},
             id_kind="cr_convert"),
    Endpoint("POST", "/api/v1/consultation-requests/{id}/decline", "coordinator",
             lambda n: {"reason": "Not eligible %d" % n},
             {"reason": F("str", True, max=1000, bad=[""], text="lines")},
             id_kind="cr_decline"),
    Endpoint("POST", "/api/v1/users", "admin",
             lambda n: {"username": "bad%s" % harness_uniq(n), "role": "nurse",
                        "password": harness.PASSWORD},
             {"username": F("str", True, bad=[""]),
              "role": F("enum", True, bad=["root", "Admin", "patient", "public", "any", ""]),
              "password": F("str", True, bad=[""])}),
    Endpoint("PATCH", "/api/v1/report-settings", "admin",
             lambda n: {"min_group": 5},
             {"min_group": F("int", True, bad=[0, -1, 101, 1000])}),
    Endpoint("POST", "/api/v1/users/{id}/disable", "admin", lambda n: {}, {}, id_kind="user"),
    Endpoint("POST", "/api/v1/users/{id}/enable", "admin", lambda n: {}, {}, id_kind="user"),
    Endpoint("POST", "/api/v1/users/{id}/role", "admin", lambda n: {"role": "lab"},
             {"role": F("enum", True, bad=["root", "Admin", "patient", ""])}, id_kind="user"),
    Endpoint("POST", "/api/v1/users/{id}/password", "admin",
             lambda n: {"password": harness.PASSWORD + "-reset"},
             {"password": F("str", True, bad=["", "short"])}, id_kind="user"),
    # cryopreservation and thaw (H14): a unit never frozen, and one frozen on
    # FROZEN_AT and not thawed, so that each refusal is the field's own
    Endpoint("POST", "/api/v1/units/{id}/freezing", "lab", FREEZING_BODY, FREEZING_FIELDS,
             id_kind="unit_fresh"),
    Endpoint("POST", "/api/v1/batches/{id}/freezing", "lab", FREEZING_BODY, FREEZING_FIELDS,
             id_kind="batch_fresh"),
    Endpoint("POST", "/api/v1/units/{id}/thaw", "nurse",
             lambda n: {"thawed_at": "2026-01-02T10:00:00Z", "viable_cells": 90000000,
                        "viability_percent": 91.5},
             {"thawed_at": F("str", True, max=24, bad=["2026-01-02", "", "2999-01-01T00:00:00Z",
                                                       "2025-12-31T10:00:00Z"]),
              "viable_cells": F("int", True, bad=[-1, 10 ** 14]),
              "viability_percent": F("num", True, bad=[-0.1, 100.1, 1e9])},
             id_kind="unit_frozen"),
    Endpoint("PUT", "/api/v1/lab/cryo-settings", "admin",
             lambda n: {"product_type": "uc-msc", "post_thaw_hours": 2, "min_viability_percent": 70},
             {"product_type": F("enum", True, bad=["UC-MSC", "", "plasma"]),
              "post_thaw_hours": F("int", True, bad=[0, -1, 169, 10 ** 12]),
              "min_viability_percent": F("num", True, bad=[-1, 100.1])}),
    # donor testing (H13): a result of one marker of the panel, never in the future
    Endpoint("POST", "/api/v1/donors/{id}/tests", "lab",
             lambda n: {"test": "hbsag", "result": "negative", "sampled_on": "2026-01-02"},
             {"test": F("enum", True, bad=["hiv", "hbv", "HBsAg", "anti-hiv", "nat", ""]),
              "result": F("enum", True, bad=["neg", "Negative", "reactive", ""]),
              "sampled_on": F("date", True, bad=["2999-01-01"]),
              "reason": F("str", False, max=1000, text="lines")},
             id_kind="donor_open"),
    Endpoint("PUT", "/api/v1/lab/donor-panels", "admin",
             lambda n: {"kind": "allogeneic", "days_before": 0, "days_after": 7},
             {"kind": F("enum", True, bad=["other", "Allogeneic", ""]),
              "days_before": F("int", True, bad=[-1, 31, 10 ** 12]),
              "days_after": F("int", True, bad=[-1, 8]),
              "markers": F("obj", False, bad=[{"hiv": "negative"}, {"hbsag": "maybe"}, {"hbsag": 1},
                                              {"HBSAG": "none"}])}),
    # moving a stay: a postponed dose, the rest of the stay later (physician, reason required)
    Endpoint("POST", "/api/v1/plans/{id}/items/{item}/move", "physician",
             lambda n: {"date": "2026-03-02", "reason": "postponed %d" % n},
             {"date": F("date", True),
              "reason": F("str", True, max=1000, bad=["", "   "], text="line")}),
    Endpoint("POST", "/api/v1/plans/{id}/shift", "physician",
             lambda n: {"days": 2, "from_item": 3, "reason": "arrives late %d" % n},
             {"days": F("int", True, bad=[0, -1, 91, 10 ** 12]),
              "from_item": F("int", False, bad=[0, -1, 17, 10 ** 12]),
              "reason": F("str", True, max=1000, bad=["", "   "], text="line")}),
    # the clinic's name and the public base URL of patient links
    Endpoint("PUT", "/api/v1/clinic-site", "admin",
             lambda n: {"name": "Clinique %d" % n, "public_base_url": "https://clinique.example.org/soins/"},
             {"name": F("str", False, max=120, text="line"),
              "public_base_url": F("str", False, max=200, text="line",
                                   bad=["javascript:alert(1)", "https://", "https://x.org/?a=1",
                                        "https://x.org/#/q", "ftp://x.org/", "https://x.org/a b"])}),
    # sites of a clinic group, memberships and the session's site
    Endpoint("POST", "/api/v1/sites", "admin",
             lambda n: {"code": "L%d" % (n % 1000), "name": "Clinique %d" % n,
                        "time_zone": "Europe/Paris", "language": "fr", "kind": "clinic"},
             {"code": F("str", True, max=8, bad=["lyo", "L", "L-1", ""]),
              "name": F("str", True, max=120, bad=["", "   "], text="line"),
              "address": F("str", False, max=240, text="line"),
              "time_zone": F("str", False, bad=["Mars/Olympus", "../etc/passwd", "", "Europe/",
                                                "europe/paris"]),
              "language": F("enum", False, bad=["de", "FR", ""]),
              "fin": F("str", False, bad=["O1234", "W123", "w1234", "W12345"]),
              "public_base_url": F("str", False, max=200, text="line",
                                   bad=["javascript:alert(1)", "https://", "ftp://x.org/"]),
              "kind": F("enum", False, bad=["shop", "Clinic", ""])}),
    Endpoint("PATCH", "/api/v1/sites/{id}", "admin",
             lambda n: {"name": "Clinique %d" % n, "version": 1},
             {"code": F("str", False, max=8, bad=["lyo", "L", "L-1", ""]),
              "name": F("str", False, max=120, bad=["", "   "], text="line"),
              "time_zone": F("str", False, bad=["Mars/Olympus", "../etc/passwd", ""]),
              "language": F("enum", False, bad=["de", ""]),
              "kind": F("enum", False, bad=["shop", ""]),
              "version": F("int")},
             id_kind="site"),
    Endpoint("POST", "/api/v1/session/site", "physician", lambda n: {"site": "MAIN"},
             {"site": F("str", True, max=8, bad=["", "NOPE", "main", "LYO1"])}),
    Endpoint("PUT", "/api/v1/users/{id}/sites", "admin", lambda n: {"sites": ["MAIN"]},
             {"sites": F("obj", True, bad=[["NOPE"], [1], [], ["main"]]),
              "all_sites": F("bool", False, bad=[True])},
             id_kind="user"),
    # shipping between sites: no unit is shipped to or received at a site that does not exist
    Endpoint("POST", "/api/v1/units/{id}/ship", "lab", lambda n: {"to_site": "MAIN", "note": "c"},
             {"to_site": F("str", True, max=32, bad=["", "NOPE", "main"]),
              "note": F("str", False, max=1000, text="lines")},
             id_kind="unit_fresh"),
    Endpoint("POST", "/api/v1/units/{id}/receive", "nurse",
             lambda n: {"temperature_c": 5, "note": "c"},
             {"temperature_c": F("num", True, bad=[-273.5, 100.5, 1e6]),
              "note": F("str", False, max=1000, text="lines")},
             id_kind="unit_fresh"),
]

BAD_IDS = ["abc", "0", "-1", "99999999999999999999", "1e3", "12abc", "%00", "1%20", "0x10"]


class Run:
    def __init__(self, srv, tally, verbose):
        self.srv = srv
        self.t = tally
        self.verbose = verbose
        self.n = 0
        self.fix = {}

    def fixtures(self):
        s = self.srv
        r = s.request("POST", "/api/v1/patients", patient_body(999999), role="coordinator")
        if r.status != 201:
            raise harness.CommandError("fixture patient: %r" % r)
        self.fix["patient"] = r.json["id"]
        # consent: a research document, and the first consent (id 1, the one the
        # withdrawal row's path names) of the fixture patient
        CONSENT_FIX["document"] = s.consent_document("sci", kind="research", language="en")
        if s.record_consent(self.fix["patient"], "sci") != 1:
            raise harness.CommandError("fixture consent is not the first")
        for k in ("cr_convert", "cr_decline"):
            self.new_request(k)
        # a token of the nurse to try to delete with bad ids
        s.token("nurse")
        # an account for the administrator's actions
        r = s.request("POST", "/api/v1/users", {"username": "badinput.target", "role": "nurse",
                                                "password": harness.PASSWORD}, role="admin")
        if r.status != 201:
            raise harness.CommandError("fixture user: %r" % r)
        self.fix["user"] = r.json["id"]
        r = s.request("GET", "/api/v1/instruments", role="nurse")
        items = (r.json or {}).get("items") if r.status == 200 else None
        if items:
            self.fix["instrument"] = items[0].get("id")
        import test_laboratory as labt
        lab = labt.Lab(s, self.t)
        labt.configure(lab)
        self.fix["donor_open"] = lab.donor(sign=False)
        did = lab.donor()
        for k in ("unit_fresh", "unit_frozen"):
            _, batch = lab.batch(did)
            self.fix[k] = lab.unit(batch)["id"]
        # the frozen unit's batch: its values are checked before its units are looked at
        self.fix["batch_fresh"] = batch
        lab.req("POST", "/api/v1/units/%d/freezing" % self.fix["unit_frozen"], FREEZING_BODY(0),
                want=201, what="fixture unit frozen")

    def new_request(self, k):
        s = self.srv
        body = {"name": "Fixture " + k, "email": "f@example.org", "condition": "Stroke",
                "language": "en", "birth_date": "1970-01-02", "consent": True}
        r = s.request("POST", "/api/v1/consultation-requests", body, source=self.public_source)
        if r.status == 429:
            # the public form's limit is per address (kept in the database): the next
            # fixtures come from another local address
            self.sources += 1
            r = s.request("POST", "/api/v1/consultation-requests", body,
                          source=self.public_source)
        if r.status != 201:
            raise harness.CommandError("fixture consultation request: %r" % r)
        self.fix[k] = r.json["id"]

    sources = 1

    @property
    def public_source(self):
        return "127.0.0.%d" % (1 + self.sources % 250) if self.sources > 1 else None

    def fresh_request(self, k):
        """A request wrongly accepted (converted or declined) must not make the next
        checks answer 409: start again from a new one."""
        r = self.srv.request("GET", "/api/v1/consultation-requests/%s" % self.fix[k],
                             role="admin")
        if r.status != 200 or (r.json or {}).get("status") != "new":
            self.new_request(k)

    def path_of(self, ep, id_value=None):
        import re as _re
        if "{id}" not in ep.path:
            return _re.sub(r"\{[^}]+\}", "1", ep.path)
        if id_value is None and ep.id_kind in ("cr_convert", "cr_decline"):
            self.fresh_request(ep.id_kind)
        v = id_value if id_value is not None else self.fix.get(ep.id_kind, 1)
        return _re.sub(r"\{[^}]+\}", "1", ep.path.replace("{id}", str(v)))

    def headers_for(self, ep, path):
        h = {}
        if ep.if_match:
            r = self.srv.request("GET", path, role=ep.role)
            etag = r.header("ETag")
            if etag:
                h["If-Match"] = etag
        return h

    def send(self, ep, body, path=None, headers=None, content_type="application/json"):
        """body: bytes/str sent as is."""
        s = self.srv
        path = path or self.path_of(ep)
        h = self.headers_for(ep, path)
        if content_type:
            h["Content-Type"] = content_type
        if headers:
            h.update(headers)
        h.update(s.auth_headers(ep.role))
        before = s.db_tables()
        last_entry = s.db_query("SELECT COALESCE(MAX(seq), 0) FROM audit_log")[0][0]
        try:
            r = s.raw(ep.method, path, body, h)
        except OSError as e:
            r = harness.Response(0, [], ("connection error: %s" % e).encode())
        if r.status == 429 and ep.role is None:
            # public rate limit: restart (limits are per process) and retry once
            s.restart()
            h.update(s.auth_headers(ep.role))
            before = s.db_tables()
            last_entry = s.db_query("SELECT COALESCE(MAX(seq), 0) FROM audit_log")[0][0]
            r = s.raw(ep.method, path, body, h)
        after = s.db_tables()
        changed = harness.db_diff(before, after)
        if harness.is_error_shape(r) and r.error().get("code") in CREDENTIAL_REFUSALS:
            # a wrong password is counted and recorded, by design, and the failure
            # that locks the account writes the lock's audit entry
            changed = [t for t in changed if t not in harness.SECURITY_BOOKKEEPING]
            written = s.db_query("SELECT entity, action FROM audit_log WHERE seq > ?",
                                 (last_entry,))
            if "audit_log" in changed and written and all(
                    row == ("user", "lock") for row in written):
                changed.remove("audit_log")
        return r, changed

    def expect(self, ep, what, body, statuses=(400,), field=None, path=None, headers=None,
               content_type="application/json", any_field=False):
        import json as _json
        if not isinstance(body, (bytes, str)):
            body = _json.dumps(body, ensure_ascii=False).encode("utf-8")
        r, changed = self.send(ep, body, path=path, headers=headers, content_type=content_type)
        label = "%s: %s" % (ep.name, what)
        problems = []
        if r.status not in statuses:
            problems.append("status %s, wanted %s" % (r.status, "|".join(map(str, statuses))))
        if not harness.is_error_shape(r):
            problems.append('body is not {"error":{"code","message","field"}} (all strings)')
        elif field is not None and r.error().get("field") not in (
                field if isinstance(field, tuple) else (field,)):
            problems.append("error.field is %r, wanted %r" % (r.error().get("field"), field))
        if changed:
            problems.append("database changed (tables: %s)" % ", ".join(changed))
        if self.srv.proc is None or self.srv.proc.poll() is not None:
            problems.append("server died")
        detail = None
        if problems:
            shown = body if isinstance(body, str) else body.decode("utf-8", "replace")
            if len(shown) > 200:
                shown = shown[:200] + "...(%d chars)" % len(shown)
            detail = "; ".join(problems) + "\nsent: %s\nanswer: %r" % (shown, r)
        self.t.check(not problems, label, detail)
        if self.srv.proc is None or self.srv.proc.poll() is not None:
            raise harness.CommandError("server died; log:\n" + self.srv.log_text())

    def body(self, ep, **change):
        self.n += 1
        b = dict(ep.valid(self.n))
        for k, v in change.items():
            if v is _DROP:
                b.pop(k, None)
            else:
                b[k] = v
        return b

    def endpoint(self, ep):
        import json as _json
        # --- malformed JSON and bodies that are not objects
        for raw in ['{', '{"a":', '{"a" 1}', "{'a': 1}", '{"a":1,}', '{}x', '{} {}',
                    '[1, 2]', 'null', '"text"', '42', 'true', '', '\x00',
                    '{"a":1' + '}' * 3]:
            self.expect(ep, "malformed or non-object body %r" % raw[:20], raw,
                        statuses=(400,))
        self.expect(ep, "invalid UTF-8 in a string", b'{"x": "\xff\xfe"}', statuses=(400,))
        deep = "[" * 1900 + "]" * 1900
        self.expect(ep, "JSON nested 1900 deep (under 4 KiB)", '{"x": %s}' % deep,
                    statuses=(400,))
        # a body well under the documented 64 KiB (16 KiB public) limit is not "too large":
        # it is refused for its unknown field
        mid = self.body(ep, zz_padding="p" * min(8 * 1024, ep.limit - 1024))
        self.expect(ep, "a %d-byte body (under the documented limit) with an unknown field" % (
            len(_json.dumps(mid))), mid, statuses=(400,), field="zz_padding")
        # --- not JSON
        self.expect(ep, "Content-Type text/plain", _json.dumps(self.body(ep)),
                    statuses=(415,), content_type="text/plain")
        self.expect(ep, "no Content-Type", _json.dumps(self.body(ep)),
                    statuses=(415,), content_type=None)
        # --- oversize body
        big = dict(self.body(ep))
        big["padding_field"] = "x" * (ep.limit + 1024)
        self.expect(ep, "body over %d bytes" % ep.limit, big, statuses=(413,))
        # --- unknown fields
        if ep.unknown:
            self.expect(ep, "unknown field", self.body(ep, unknown_field_xyz=1),
                        field="unknown_field_xyz")
            self.expect(ep, "unknown field (object)", self.body(ep, zz_extra={"a": 1}),
                        field="zz_extra")
            # a long non-ASCII name must not break the error object (any field text)
            self.expect(ep, "unknown field named with 16 emoji (64 bytes)",
                        self.body(ep, **{"\U0001f600" * 16: 1}))
        # --- per field
        for name, f in ep.fields.items():
            if f.required:
                self.expect(ep, "missing required %s" % name, self.body(ep, **{name: _DROP}),
                            field=name)
                self.expect(ep, "%s: null" % name, self.body(ep, **{name: None}), field=name)
            for v in wrong_types(f):
                self.expect(ep, "%s: wrong type %r" % (name, v), self.body(ep, **{name: v}),
                            field=name)
            if f.kind == "date":
                for v in BAD_DATES:
                    self.expect(ep, "%s: bad date %r" % (name, v), self.body(ep, **{name: v}),
                                field=name)
            for v in f.bad:
                self.expect(ep, "%s: invalid value %r" % (name, v), self.body(ep, **{name: v}),
                            field=name)
            if f.kind == "num":
                for lit in ("NaN", "Infinity", "-Infinity", "1e999", "0x10", "+1", ".5",
                            "01"):
                    b = self.body(ep, **{name: 424242})
                    raw = _json.dumps(b).replace("424242", lit)
                    self.expect(ep, "%s: literal %s" % (name, lit), raw, field=None)
            if f.text == "line":
                for v in ("a\nb", "a\rb", "a\tb", "a\u0007b", "a\u001bb", "a\u007fb",
                          "a\u0085b", "a\u202eb", "a\u2066b", "a\u200bb"):
                    self.expect(ep, "%s: single line, control character %r" % (name, v),
                                self.body(ep, **{name: v}), field=name)
            if f.text == "lines":
                for v in ("a\u0007b", "a\u001b[31mb", "a\u007fb", "a\u0085b", "a\u202eb"):
                    self.expect(ep, "%s: control character %r" % (name, v),
                                self.body(ep, **{name: v}), field=name)
            if f.kind == "str":
                # refused either by the JSON parser (field "") or by the field check
                self.expect(ep, "%s: NUL inside" % name, self.body(ep, **{name: "ab\u0000cd"}),
                            field=(name, ""))
            if f.max:
                over = f.max + 1
                if len(_json.dumps(self.body(ep))) + over < ep.limit:
                    self.expect(ep, "%s: %d characters (max %d)" % (name, over, f.max),
                                self.body(ep, **{name: "a" * over}), field=name)
                    if 2 * over < ep.limit - 200:
                        self.expect(ep, "%s: %d two-byte characters (max %d)" % (
                            name, over, f.max), self.body(ep, **{name: "é" * over}),
                            field=name)
        # --- bad path ids
        if "{id}" in ep.path:
            for bad in BAD_IDS:
                self.expect(ep, "bad id %r" % bad, self.body(ep), statuses=(400, 404),
                            path=self.path_of(ep, bad))


_DROP = object()


def delete_token_ids(run):
    ep = Endpoint("DELETE", "/api/v1/tokens/{id}", "nurse", lambda n: {}, {},
                  id_kind="token")
    for bad in BAD_IDS + ["999999"]:
        run.expect(ep, "bad id %r" % bad, b"", statuses=(400, 404),
                   path="/api/v1/tokens/" + bad, content_type=None)


def generic_endpoints(run):
    """Mutating routes of docs/api.md that ENDPOINTS does not describe field by field:
    the structural checks only (malformed JSON, non-objects, 415, 413, unknown field,
    bad ids), so that no mutating endpoint goes untested."""
    import test_routes
    known = {(ep.method, ep.path) for ep in ENDPOINTS}
    out = []
    for method, path, roles in test_routes.parse_api_md():
        if method not in ("POST", "PATCH", "PUT") or (method, path) in known:
            continue
        if "public" in roles:
            role = None
        elif "any" in roles or "admin" in roles:
            role = "admin"
        else:
            role = roles[0]
        kind = "patient" if path.startswith("/api/v1/patients/{id}") else \
            "instrument" if path.startswith("/api/v1/instruments/{id}") else None
        out.append(Endpoint(method, path, role, lambda n: {}, {}, id_kind=kind,
                            if_match=(method == "PATCH")))
    return out


# Routes with a body limit of their own. docs/api.md says 64 KiB for all bodies
# but also that classify takes up to 10,000 exams; the 4 MiB comes from
# src/api/routes.c (not yet written in docs/api.md).
ROUTE_LIMITS = {"/api/v1/isncsci/classify": 4 << 20}


def generic(run, ep):
    import json as _json
    # ids the test cannot resolve (batches, deviations...) may be refused first (404)
    unresolved = "{" in ep.path and ep.id_kind is None
    body_statuses = (400, 404) if unresolved else (400,)
    for raw in ['{', '{"a":', '[1, 2]', 'null', '"text"', '42', '', '{}x']:
        run.expect(ep, "malformed or non-object body %r" % raw, raw, statuses=(400,))
    run.expect(ep, "invalid UTF-8 in a string", b'{"x": "\xff\xfe"}', statuses=(400,))
    run.expect(ep, "Content-Type text/plain", "{}", statuses=(415,), content_type="text/plain")
    limit = ROUTE_LIMITS.get(ep.path, BODY_LIMIT)
    run.expect(ep, "body over %d bytes" % limit,
               _json.dumps({"padding": "x" * (limit + 1024)}), statuses=(413,))
    run.expect(ep, "unknown field only", {"unknown_field_xyz": 1}, statuses=body_statuses)
    run.expect(ep, "unknown field named with 16 emoji (64 bytes)",
               _json.dumps({"\U0001f600" * 16: 1}, ensure_ascii=False).encode("utf-8"),
               statuses=body_statuses)
    if "{id}" in ep.path:
        for bad in BAD_IDS:
            run.expect(ep, "bad id %r" % bad, "{}", statuses=(400, 404),
                       path=run.path_of(ep, bad))


def main():
    args = harness.parse_args(lambda p: p.add_argument("--only", default=None))
    t = harness.Tally("bad_input", verbose=args.verbose)
    try:
        with harness.Server(args.binary, verbose=False, keep=args.keep) as srv:
            run = Run(srv, t, args.verbose)
            run.fixtures()
            for ep in ENDPOINTS:
                if args.only and args.only not in ep.name:
                    continue
                try:
                    run.endpoint(ep)
                except harness.CommandError as e:
                    t.fail("%s: aborted" % ep.name, e)
                    if srv.proc is None or srv.proc.poll() is not None:
                        srv.proc = None
                        srv.start()
            if not args.only or "tokens" in args.only:
                delete_token_ids(run)
            for ep in generic_endpoints(run):
                if args.only and args.only not in ep.name:
                    continue
                try:
                    generic(run, ep)
                except harness.CommandError as e:
                    t.fail("%s: aborted" % ep.name, e)
                    if srv.proc is None or srv.proc.poll() is not None:
                        srv.proc = None
                        srv.start()
    except harness.CommandError as e:
        t.fail("harness", e)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
