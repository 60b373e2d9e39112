#!/usr/bin/env python3
"""Adding a language is adding its catalogue file.

Runs the build's embedding script (scripts/embed-web.cmake) on a copy of
src/web with one more catalogue, i18n/it.json (a partial one, as German is:
"catalogue.scope": "patient"), and checks that the generated
/i18n/languages.json, from which the web interface takes its languages,
lists every catalogue file present with its scope: en and fr complete, de and
the added it for the patient-facing pages only. Then the same without the
added file: it is gone.

Usage: check-catalogue-languages.py ROOT CMAKE   (exit 1 with the reasons)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def languages(cmake, root, web):
    with tempfile.TemporaryDirectory() as out:
        target = os.path.join(out, "web_assets.c")
        subprocess.run([cmake, "-DOUT=" + target, "-DWEB_DIR=" + web, "-P",
                        os.path.join(root, "scripts", "embed-web.cmake")], check=True)
        text = open(target, encoding="utf-8").read()
    m = re.search(r"asset_languages\[\] = \{([^}]*)\}", text)
    if not m:
        return None
    data = bytes(int(x, 16) for x in m.group(1).split(",") if x.strip() and x.strip() != "0")
    return json.loads(data.decode("utf-8"))


def main():
    root, cmake = sys.argv[1], sys.argv[2]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        web = os.path.join(tmp, "web")
        shutil.copytree(os.path.join(root, "src", "web"), web,
                        ignore=shutil.ignore_patterns("*.js", "*.css", "*.svg", "*.html"))
        shipped = languages(cmake, root, web)
        want = [{"code": "de", "scope": "patient"}, {"code": "en"}, {"code": "fr"}]
        if shipped != want:
            problems.append("shipped catalogues: got %r, want %r" % (shipped, want))
        with open(os.path.join(web, "i18n", "it.json"), "w", encoding="utf-8") as f:
            json.dump({"catalogue.scope": "patient", "pub.title": "Richiesta di consulto"}, f)
        added = languages(cmake, root, web)
        if added != want[:2] + [{"code": "fr"}, {"code": "it", "scope": "patient"}]:
            problems.append("with it.json added: got %r" % (added,))
        os.remove(os.path.join(web, "i18n", "it.json"))
        if languages(cmake, root, web) != want:
            problems.append("it.json removed: still listed")
    for p in problems:
        print(p)
    print("%d problems" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
