#!/usr/bin/env python3
"""Patient informed consent (hazard H15) against a real server.

- consent documents are versioned per programme, kind and language; a new
  text is the next version and the earlier one stays as it was;
- a consent is signed on the tablet (the logged-in staff member witnesses
  with their own password, through the one signature control) or recorded
  from a signed paper copy (date, reference), by the patient or a guardian
  (with the relation); only the newest version can be signed; one current
  consent per programme and kind;
- a plan cannot be approved without a current treatment consent for its
  programme (409 consent_missing, or consent_withdrawn after a withdrawal),
  in English and in French, and the refusal changes nothing;
- withdrawal keeps the record, stamps who, when and why, and is audited.

    python3 tests/api/test_consent.py --binary build/cellclinic [-v]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_followup import eligible_patient  # noqa: E402
from test_programmes import day  # noqa: E402

EXCLUDE = ("sessions", "api_tokens") + harness.SECURITY_BOOKKEEPING


def catalogue(lang):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "web", "i18n",
                        "%s.json" % lang)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    args = harness.parse_args()
    t = harness.Tally("consent", verbose=args.verbose)
    fr, en = catalogue("fr"), catalogue("en")
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        pw = lambda role: srv.passwords[harness.user_of(role)]  # noqa: E731

        # --- documents: versioned, never changed
        doc = {"protocol": "sci", "kind": "treatment", "language": "fr",
               "title": "Consentement au traitement", "text": "Je consens au traitement.\nVersion 1."}
        r = srv.request("POST", "/api/v1/consent-documents", doc, role="coordinator")
        t.check(r.status == 201 and r.json["version"] == 1 and r.json["text"] == doc["text"],
                "a first document is version 1", r)
        v1 = r.json["id"]
        r = srv.request("POST", "/api/v1/consent-documents", dict(doc, text="Version 2."), role="admin")
        t.check(r.status == 201 and r.json["version"] == 2, "the next text is version 2", r)
        v2 = r.json["id"]
        r = srv.request("GET", "/api/v1/consent-documents/%d" % v1, role="nurse")
        t.check(r.status == 200 and r.json["text"] == doc["text"] and r.json["version"] == 1,
                "version 1 is kept unchanged", r)
        r = srv.request("GET", "/api/v1/consent-documents?protocol=sci&kind=treatment&language=fr&latest=1",
                        role="physician")
        t.check(r.status == 200 and [x["id"] for x in r.json["items"]] == [v2] and "text" not in r.json["items"][0],
                "latest=1 lists the newest version only, without its text", r)
        r = srv.request("POST", "/api/v1/consent-documents", dict(doc, protocol="nope"), role="admin")
        t.check(r.status == 404 and r.error()["field"] == "protocol", "an unknown programme: 404 protocol", r)
        r = srv.request("POST", "/api/v1/consent-documents", doc, role="nurse")
        t.check(r.status == 403, "a nurse cannot store a document", r)
        audit = srv.db_query("SELECT COUNT(*) FROM audit_log WHERE entity = 'consent_document'")[0][0]
        t.check(audit == 2, "each document version has its audit entry", audit)

        # --- a patient with a signed eligibility decision and a draft plan
        pid = eligible_patient(srv, "Consent")

        def draft():
            r = srv.request("POST", "/api/v1/plans", {"patient_id": pid, "protocol": "sci", "start": day(7)},
                            role="coordinator")
            return r.json["id"]

        def language(lang):
            # the physician's own setting decides the language of the answers
            srv.request("PATCH", "/api/v1/session/preferences", {"language": lang}, role="physician")

        def approve(plan):
            return srv.request("POST", "/api/v1/plans/%d/approve" % plan, {"password": pw("physician")},
                               role="physician")

        # --- H15: no approval without a treatment consent
        plan = draft()
        language("fr")
        before = srv.db_checksum(EXCLUDE)
        r = approve(plan)
        t.check(r.status == 409 and r.error()["code"] == "consent_missing" and r.error()["field"] == "consent"
                and r.error()["message"] == fr["error.consent_missing"],
                "H15 approval without a treatment consent: 409 consent_missing, in French", r)
        t.check(srv.db_checksum(EXCLUDE) == before, "H15 the refused approval changes nothing")
        language("en")
        r = approve(plan)
        t.check(r.status == 409 and r.error()["message"] == en["error.consent_missing"],
                "H15 the same refusal in English", r)
        language("fr")

        # --- recording: only the newest version; tablet with the witness's password
        body = {"document_id": v1, "signer": "patient", "signer_name": "Test Consent", "mode": "tablet",
                "password": pw("coordinator")}
        r = srv.request("POST", "/api/v1/patients/%d/consents" % pid, body, role="coordinator")
        t.check(r.status == 409 and r.error()["code"] == "document_superseded",
                "an old version cannot be signed: 409 document_superseded", r)
        before = srv.db_checksum(EXCLUDE)
        r = srv.request("POST", "/api/v1/patients/%d/consents" % pid,
                        dict(body, document_id=v2, password="not-my-password"), role="coordinator")
        t.check(r.status == 400 and r.error()["code"] == "signature_failed" and r.error()["field"] == "password",
                "tablet: a wrong witness password is refused (signature_failed)", r)
        t.check(srv.db_checksum(EXCLUDE) == before, "the refused signature records nothing")
        r = srv.request("POST", "/api/v1/patients/%d/consents" % pid,
                        {k: v for k, v in dict(body, document_id=v2).items() if k != "password"},
                        role="coordinator")
        t.check(r.status == 400 and r.error()["field"] == "password",
                "tablet: the witness's password is required", r)
        r = srv.request("POST", "/api/v1/patients/%d/consents" % pid, dict(body, document_id=v2),
                        role="coordinator")
        t.check(r.status == 201 and r.json["witness"] == "coordinator1" and r.json["mode"] == "tablet"
                and r.json["signed_on"] == day(0) and r.json["status"] == "current" and r.json["version"] == 2
                and r.json["language"] == "fr" and r.json["kind"] == "treatment",
                "tablet: recorded with the logged-in staff member as witness, signed today", r)
        consent = r.json["id"]
        r = srv.request("POST", "/api/v1/patients/%d/consents" % pid, dict(body, document_id=v2),
                        role="coordinator")
        t.check(r.status == 409 and r.error()["code"] == "consent_exists",
                "a second current treatment consent: 409 consent_exists", r)
        r = approve(plan)
        t.check(r.status == 200 and r.json["status"] == "approved",
                "H15 with a current treatment consent the plan is approved", r)

        # --- withdrawal: kept, stamped, audited; a later approval is refused
        r = srv.request("POST", "/api/v1/patients/%d/consents/%d/withdraw" % (pid, consent), {"reason": ""},
                        role="nurse")
        t.check(r.status == 400 and r.error()["field"] == "reason", "a withdrawal needs a reason", r)
        r = srv.request("POST", "/api/v1/patients/%d/consents/%d/withdraw" % (pid + 1000, consent),
                        {"reason": "x"}, role="nurse")
        t.check(r.status == 404, "a consent is withdrawn under its own patient only", r)
        r = srv.request("POST", "/api/v1/patients/%d/consents/%d/withdraw" % (pid, consent),
                        {"reason": "ne souhaite plus participer"}, role="nurse")
        t.check(r.status == 200 and r.json["status"] == "withdrawn" and r.json["withdrawn_by"] == "nurse1"
                and r.json["withdrawal_reason"] == "ne souhaite plus participer" and r.json["withdrawn_at"],
                "withdrawn: who, when and why", r)
        rows = srv.db_query("SELECT COUNT(*) FROM patient_consents WHERE id = ?", (consent,))[0][0]
        audit = srv.db_query("SELECT reason FROM audit_log WHERE entity = 'patient_consent' AND entity_id = ?"
                             " AND action = 'withdraw'", (str(consent),))
        t.check(rows == 1 and audit == [("ne souhaite plus participer",)],
                "the withdrawal keeps the record and writes its audit entry with the reason", (rows, audit))
        r = srv.request("POST", "/api/v1/patients/%d/consents/%d/withdraw" % (pid, consent), {"reason": "again"},
                        role="nurse")
        t.check(r.status == 409 and r.error()["code"] == "already_withdrawn", "withdrawn twice: 409", r)
        plan2 = draft()
        before = srv.db_checksum(EXCLUDE)
        r = approve(plan2)
        t.check(r.status == 409 and r.error()["code"] == "consent_withdrawn"
                and r.error()["message"] == fr["error.consent_withdrawn"],
                "H15 approval after the withdrawal: 409 consent_withdrawn, in French", r)
        t.check(srv.db_checksum(EXCLUDE) == before, "H15 the refusal after a withdrawal changes nothing")

        # --- paper, signed by a guardian; a consent for another programme does not count
        g = {"document_id": v2, "signer": "guardian", "signer_name": "Marie Consent", "mode": "paper",
             "paper_date": day(-2), "paper_reference": "classeur 4, page 12"}
        r = srv.request("POST", "/api/v1/patients/%d/consents" % pid, g, role="physician")
        t.check(r.status == 400 and r.error()["field"] == "signer_relation", "a guardian gives the relation", r)
        r = srv.request("POST", "/api/v1/patients/%d/consents" % pid, dict(g, paper_date=day(2),
                                                                           signer_relation="mère"),
                        role="physician")
        t.check(r.status == 400 and r.error()["field"] == "paper_date", "a paper dated after today is refused", r)
        r = srv.request("POST", "/api/v1/patients/%d/consents" % pid, dict(g, signer_relation="mère"),
                        role="physician")
        t.check(r.status == 201 and r.json["mode"] == "paper" and r.json["witness"] == ""
                and r.json["signed_on"] == day(-2) and r.json["signer_relation"] == "mère"
                and r.json["paper_reference"] == "classeur 4, page 12",
                "paper: the paper's date and reference, the guardian and relation", r)
        other = srv.consent_document("als")
        srv.request("POST", "/api/v1/patients/%d/consents" % pid,
                    dict(g, document_id=other, signer_relation="mère"), role="physician")
        r = srv.request("GET", "/api/v1/patients/%d/consents" % pid, role="nurse")
        t.check(r.status == 200 and [x["status"] for x in r.json["items"]] == ["current", "current", "withdrawn"]
                and [x["protocol_id"] for x in r.json["items"]] == ["als", "sci", "sci"],
                "the patient's consents, newest first, with their status", r)
        r = approve(plan2)
        t.check(r.status == 200, "H15 a new treatment consent allows the approval again", r)
        r = srv.request("GET", "/api/v1/patients/999999/consents", role="nurse")
        t.check(r.status == 404, "consents of an unknown patient: 404", r)
        r = srv.cli("audit", "verify", "--data", srv.data)
        t.check(r.returncode == 0, "the audit chain is intact", r.stdout + r.stderr)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
