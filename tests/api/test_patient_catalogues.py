#!/usr/bin/env python3
"""The patient-facing catalogues cover the questionnaires they claim.

For each partial ("catalogue.scope": "patient") catalogue of src/web/i18n, the
instruments a patient can answer by link (GET /api/v1/instruments, not
staff_only) are either complete in that language or absent from it: every
item and every answer option has its text, found the way the questionnaire
page finds it (src/web/views/followup.js: the item's key
instr.<id>.<item>, an option's instr.<id>.<item>.opt.<code> then
instr.<id>.opt.<code>, or a text English and French write alike, such as a
number). A half translated instrument would show a mixed page; an item added
to a definition without its text fails here. The German catalogue must hold
the project's own questionnaire (satisfaction) and the NRS, and none of the
validated instruments whose German words only a licensed translation may give.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
I18N = os.path.join(ROOT, "src", "web", "i18n")
GERMAN = {"satisfaction", "nrs-pain"}


def catalogues():
    out = {}
    for name in sorted(os.listdir(I18N)):
        if name.endswith(".json"):
            with open(os.path.join(I18N, name), encoding="utf-8") as f:
                out[name[:-5]] = json.load(f)
    return out


def missing_texts(cat, lang, d):
    """The keys of definition d with no text in catalogue cat of language lang."""

    def has(obj, keys):
        return bool(obj.get(lang)) or any(k in cat for k in keys) or (
            obj.get("en") is not None and obj.get("en") == obj.get("fr"))

    out = []
    if not has(d, ["instr.%s" % d["id"]]):
        out.append("instr.%s" % d["id"])
    for item in d.get("items", []):
        key = "instr.%s.%s" % (d["id"], item["id"])
        if not has(item, [key]):
            out.append(key)
        for o in item.get("options", []):
            keys = [key + ".opt." + o["code"], "instr.%s.opt.%s" % (d["id"], o["code"])]
            if not has(o, keys):
                out.append(keys[0])
    return out


def main():
    args = harness.parse_args()
    t = harness.Tally("patient catalogues", args.verbose)
    cats = catalogues()
    partial = {lang: cat for lang, cat in cats.items() if cat.get("catalogue.scope") == "patient"}
    t.check("de" in partial, "German is a patient-page catalogue", sorted(partial))
    with harness.Server(args.binary, verbose=args.verbose, keep=args.keep) as srv:
        r = srv.request("GET", "/api/v1/instruments", role="physician")
        if not t.check(r.status == 200, "the instruments", r):
            return t.finish()
        defs = [d for d in r.json["items"] if not d.get("staff_only") and d["id"] != "isncsci"]
        t.check(any(d["id"] == "satisfaction" for d in defs), "satisfaction is answered by link",
                [d["id"] for d in defs])
        for lang, cat in sorted(partial.items()):
            for d in defs:
                r = srv.request("GET", "/api/v1/instruments/" + d["id"], role="physician")
                full = r.json if r.status == 200 else d
                lacking = missing_texts(cat, lang, full)
                prefix = "instr.%s" % d["id"]
                offered = any(k == prefix or k.startswith(prefix + ".") for k in cat)
                if lang == "de":
                    t.check(offered == (d["id"] in GERMAN),
                            "%s: %s in German" % (d["id"], "offered" if d["id"] in GERMAN else "not offered"),
                            lacking)
                t.check(not offered or not lacking,
                        "%s.json: %s has every text or none" % (lang, d["id"]), lacking)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
