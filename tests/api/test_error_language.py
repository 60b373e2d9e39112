#!/usr/bin/env python3
"""Error messages in the caller's language.

A representative set of refusals (validation naming a field, not found,
forbidden, not logged in, a stale version, the login throttle, a laboratory
rule, a request head too large for the HTTP layer, a wrong Content-Type whose
text names the field) is triggered with Accept-Language fr, en, and
"de;q=0.9, fr;q=0.8" (the German catalogue holds the patient-facing pages
only: the public form's refusal in German, the others in French), and, for the errors after
login, by users whose own setting is French, with no header and with
Accept-Language en (the setting wins). Each answer keeps its status, code and
field, names its language in Content-Language, and its message is the text of
"error.<code>" of that language's catalogue (src/web/i18n), {field} filled:
French with its accents and none of the English sentence's words; English
with the failure's own sentence as detail, and no detail in French.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOGUES = {}
for lang in ("en", "fr", "de"):
    with open(os.path.join(ROOT, "src", "web", "i18n", lang + ".json"), encoding="utf-8") as f:
        CATALOGUES[lang] = json.load(f)

PATIENT = {"family_name": "Langue", "given_names": "Éloïse", "birth_date": "1970-01-02",
           "sex": "female", "language": "fr"}
CONSULTATION = {"name": "Lucie Martin", "email": "lucie-at-example.org", "phone": "+33 6 11 22 33 44",
                "condition": "Spinal cord injury C6", "message": "Bonjour", "language": "fr",
                "birth_date": "1990-04-05"}
ROLES = ("coordinator", "analyst", "lab")
ACCENTS = re.compile("[àâäçéèêëîïôöùûüÿœæ’«»]", re.I)
WORD = re.compile(r"[A-Za-z]{5,}")


def expected_text(lang, code, field):
    return CATALOGUES[lang]["error." + code].replace("{field}", field)


def cases(srv, pid):
    """(name, status, code, field, after_login, send(headers, who)).
    who: None for the case's own credentials, or {role: ("session", cookie, csrf)}."""

    def auth(role, who):
        return who[role] if who else role

    def bad_date(h, who):
        return srv.request("POST", "/api/v1/patients", dict(PATIENT, birth_date="1970-13-40"),
                           role=auth("coordinator", who), headers=h)

    def missing(h, who):
        return srv.request("GET", "/api/v1/patients/999999", role=auth("coordinator", who), headers=h)

    def forbidden(h, who):
        return srv.request("POST", "/api/v1/patients", PATIENT, role=auth("analyst", who), headers=h)

    def stale(h, who):
        return srv.request("PATCH", "/api/v1/patients/%d" % pid,
                           {"reason": "correction", "phone": "+33 9 99 99 99 99"},
                           role=auth("coordinator", who), headers=dict(h, **{"If-Match": '"1"'}))

    def lab_rule(h, who):
        return srv.request("POST", "/api/v1/donors",
                           {"kind": "allogeneic", "patient_id": pid, "consent_date": "2026-01-05"},
                           role=auth("lab", who), headers=h)

    def media_type(h, who):
        a = srv.auth_headers(auth("coordinator", who))
        return srv.raw("POST", "/api/v1/patients", json.dumps(PATIENT),
                       dict(a, **h, **{"Content-Type": "text/plain"}))

    def not_logged_in(h, who):
        return srv.request("GET", "/api/v1/patients", headers=h)

    def throttled(h, who):
        return srv.request("POST", "/api/v1/session", {"username": "ghost", "password": "wrong-one"},
                           headers=h, source="127.0.0.2")

    def public_form(h, who):
        return srv.request("POST", "/api/v1/consultation-requests", CONSULTATION, headers=h,
                           source="127.0.0.3")

    def questionnaire(h, who):
        return srv.request("GET", "/api/v1/questionnaire/" + "A" * 43, headers=h)

    def no_endpoint(h, who):
        return srv.request("GET", "/api/v1/no-such-thing", headers=h)

    def head_too_large(h, who):
        return srv.request("GET", "/api/v1/patients", headers=dict(h, **{"X-Padding": "p" * 20000}))

    return [
        ("validation", 400, "invalid_date", "birth_date", True, bad_date),
        ("not found", 404, "not_found", "id", True, missing),
        ("forbidden", 403, "forbidden", "", True, forbidden),
        ("conflict", 409, "version_conflict", "version", True, stale),
        ("laboratory rule", 400, "unexpected", "patient_id", True, lab_rule),
        ("field in the text", 415, "unsupported_media_type", "Content-Type", True, media_type),
        ("not logged in", 401, "not_logged_in", "", False, not_logged_in),
        ("login throttle", 429, "too_many_attempts", "username", False, throttled),
        ("public form", 400, "invalid_email", "email", False, public_form),
        ("questionnaire link", 404, "unknown_link", "token", False, questionnaire),
        ("no such endpoint", 404, "not_found", "", False, no_endpoint),
        ("request head", 431, "headers_too_large", "", False, head_too_large),
    ]


def check(t, what, r, status, code, field, lang, english_words):
    e = r.error() or {}
    t.check(r.status == status and e.get("code") == code and e.get("field") == field,
            "%s: status %d, code %s, field %r unchanged" % (what, status, code, field), r)
    t.check(r.header("Content-Language") == lang, "%s: Content-Language %s" % (what, lang),
            r.header("Content-Language"))
    want = expected_text(lang, code, field)
    t.check(e.get("message") == want, "%s: the message is the %s catalogue's text" % (what, lang),
            "%r, want %r" % (e.get("message"), want))
    if lang == "de":
        t.check("detail" not in e and e.get("message") != CATALOGUES["en"]["error." + code],
                "%s: German, not English" % what, e)
        return ""
    if lang == "en":
        t.check(isinstance(e.get("detail"), str) and e["detail"],
                "%s: English keeps the failure's sentence as detail" % what, e)
        return e.get("detail") or ""
    t.check("detail" not in e, "%s: no English detail in French" % what, e)
    message = e.get("message") or ""
    if ACCENTS.search(CATALOGUES["fr"]["error." + code]):
        t.check(ACCENTS.search(message), "%s: the French has its accents" % what, message)
    french_words = set(w.lower() for w in WORD.findall(message))
    field_words = set(w.lower() for w in WORD.findall(field))
    english = [w for w in english_words if w.lower() in french_words and w.lower() not in field_words]
    t.check(message and not english, "%s: no English word in the French message" % what,
            "%r shares %r with the English" % (message, english))
    return ""


def english_words_of(code, detail):
    words = set(WORD.findall(CATALOGUES["en"]["error." + code])) | set(WORD.findall(detail))
    # words French spells the same way are not English on a French page
    return sorted(w for w in words if w.lower() not in ("application", "questionnaire"))


def not_logged_in_case(table):
    return [c for c in table if c[2] == "not_logged_in"][0][5]


def main():
    args = harness.parse_args()
    t = harness.Tally("error language", args.verbose)
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        r = srv.request("POST", "/api/v1/patients", PATIENT, role="coordinator")
        if not t.check(r.status == 201, "a patient to refer to", r):
            return t.finish()
        pid = r.json["id"]
        r = srv.request("PATCH", "/api/v1/patients/%d" % pid,
                        {"reason": "correction", "phone": "+33 1 02 03 04 05"},
                        role="coordinator", headers={"If-Match": '"1"'})
        t.check(r.status == 200, "the patient is at version 2", r)
        for _ in range(6):  # the throttle's limit is 5 failures
            srv.request("POST", "/api/v1/session", {"username": "ghost", "password": "wrong-one"},
                        source="127.0.0.2")
        table = cases(srv, pid)
        details = {}
        for name, status, code, field, _, send in table:
            r = send({"Accept-Language": "en"}, None)
            details[code] = check(t, name + " (en)", r, status, code, field, "en", [])
        # Before login the header decides; a logged-in user's own setting
        # (English unless changed) comes first.
        for header in ("fr", "de;q=0.9, fr;q=0.8", "en;q=0.2, fr-CH"):
            for name, status, code, field, after_login, send in table:
                r = send({"Accept-Language": header}, None)
                lang = "en" if after_login else "fr"
                if not after_login and header.startswith("de") and "error." + code in CATALOGUES["de"]:
                    lang = "de"
                check(t, "%s (Accept-Language: %s)" % (name, header), r, status, code, field, lang,
                      english_words_of(code, details[code]) if lang == "fr" else [])
        for header in ("de", "fr;q=0, en;q=0.1", "*"):
            r = not_logged_in_case(table)({"Accept-Language": header}, None)
            check(t, "not logged in (Accept-Language: %s)" % header, r, 401, "not_logged_in", "",
                  "en", [])
        for name, status, code, field, _, send in table:
            r = send({}, None)
            check(t, name + " (no Accept-Language)", r, status, code, field, "en", [])

        # users whose own setting is French
        sessions = {role: srv.session(role) for role in ROLES}
        for role, s in sessions.items():
            r = srv.request("PATCH", "/api/v1/session/preferences", {"language": "fr"}, role=s)
            t.check(r.status == 200, "%s prefers French" % role, r)
        for header in ({}, {"Accept-Language": "en"}):
            for name, status, code, field, after_login, send in table:
                if not after_login:
                    continue  # nobody is logged in yet: the header decides
                r = send(header, sessions)
                check(t, "%s (user prefers French, %s)" % (name, header or "no header"), r, status,
                      code, field, "fr", english_words_of(code, details[code]))
        r = srv.request("PATCH", "/api/v1/session/preferences", {"language": "en"},
                        role=sessions["coordinator"])
        t.check(r.status == 200, "the coordinator goes back to English", r)
        r = table[0][5]({"Accept-Language": "fr"}, sessions)
        check(t, "validation (user prefers English, Accept-Language: fr)", r, 400, "invalid_date",
              "birth_date", "en", [])
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
