#!/usr/bin/env python3
"""Keys the web interface builds at run time exist in every catalogue.

The pages build many keys from a value: t(`lab.state.${u.state}`). Such a
key is missing only when a value is: a state added on the server, a product
added to a list. This check finds every key template t(`PREFIX${...}SUFFIX`)
in src/web, and for each one enumerates the values it can take from the
code's own lists:

- the suffixes the catalogues already give the prefix tell which list is
  meant: any list in the source that holds at least two of them is taken as
  the template's values, whole, when three quarters of its words are such
  suffixes -- a C string table or initializer in src/
  ({"quarantine", "released", ...}), a JavaScript array in src/web
  (['uc-msc', 'ucb-sc', ...]), a SQL CHECK (x IN ('a', 'b')) of the schema;
- the list found by MANUAL below when the values come from elsewhere.

Each value gives a key that must be in every catalogue (en.json, fr.json,
and any other; a partial catalogue, one with "catalogue.scope", only for the
prefixes it translates). The plain parity of the catalogues (the same keys, the same
{placeholders}) is checked by check-error-catalogue.py; error.<code> keys
are its business too.

Usage: check-runtime-keys.py ROOT   (exit 1 with the reasons)
"""
import json
import os
import re
import sys

TEMPLATE = re.compile(r'\bt\(`([a-z_.]*)\$\{([^}]*)\}([a-z_.]*)`')
STRING = re.compile(r'"([a-z][a-z0-9_-]*)"|\'([a-z][a-z0-9_-]*)\'')
# A C initializer or JS array literal, a SQL IN (...) list: a bracketed run
# of quoted words separated by commas (nested braces allowed in C).
LISTS = [
    re.compile(r"\[((?:\s*'[a-z][a-z0-9_-]*'\s*,?)+)\]"),                  # JS ['a', 'b']
    re.compile(r"IN\s*\(((?:\s*'[a-z][a-z0-9_-]*'\s*,?)+)\)"),              # SQL IN ('a', 'b')
    re.compile(r'\{((?:\s*(?:\[[A-Z_0-9]+\]\s*=\s*)?"[a-z][a-z0-9_-]*"\s*,?)+)\s*\}'),  # C {"a", [X] = "b"}
]
# C tables of structs whose first member is the name: {"release", ...}, ...
C_TABLE = re.compile(r'(?:(?:\[[A-Z_0-9]+\]\s*=\s*)?\{\s*"[a-z][a-z0-9_-]*"[^{}]*\}\s*,\s*){2,}')
C_FIRST = re.compile(r'\{\s*"([a-z][a-z0-9_-]*)"')
# Templates whose values are not a list in the code, or that another check owns.
SKIP_PREFIXES = {'error.', 'error.status.'}
# prefix -> the values when no list in the source says them.
MANUAL = {
    # custody events written by the store besides the unit's state changes
    'lab.custody.': ['create', 'move', 'thaw', 'transfer', 'inspect'],
}
# (prefix, word): a word of a matching list that the template never takes.
NOT_VALUES = {
    # the unit page offers only the events a person starts there (release,
    # restock); the bedside administers, the clock expires
    ('lab.unit.', 'administer'), ('lab.unit.', 'expire'),
    # the patient form's request fields share names with its edited fields
    ('patient.', 'confirm_duplicate'),
}


def read(root, sub, exts):
    out = {}
    for dirpath, _, files in os.walk(os.path.join(root, sub)):
        for f in sorted(files):
            if f.endswith(exts):
                p = os.path.join(dirpath, f)
                with open(p, encoding='utf-8') as fh:
                    out[os.path.relpath(p, root)] = fh.read()
    return out


def word_lists(sources):
    """[(place, [words])] of every list of quoted words in the sources."""
    found = []
    for path, text in sources.items():
        for pattern in LISTS:
            for m in pattern.finditer(text):
                words = [a or b for a, b in STRING.findall(m.group(1))]
                if len(words) >= 2:
                    line = text.count('\n', 0, m.start()) + 1
                    found.append((f'{path}:{line}', words))
        if path.endswith(('.c', '.h')):
            for m in C_TABLE.finditer(text):
                line = text.count('\n', 0, m.start()) + 1
                found.append((f'{path}:{line}', C_FIRST.findall(m.group(0))))
    return found


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    folder = os.path.join(root, 'src', 'web', 'i18n')
    cats = {}
    for f in sorted(os.listdir(folder)):
        if f.endswith('.json'):
            with open(os.path.join(folder, f), encoding='utf-8') as fh:
                cats[f[:-5]] = json.load(fh)
    web = read(root, os.path.join('src', 'web'), ('.js',))
    # src/api's lists are the fields of requests and answers, not values
    code = {p: t for p, t in read(root, 'src', ('.c', '.h')).items()
            if not p.startswith(os.path.join('src', 'api', ''))}
    lists = word_lists({**web, **code})
    problems, templates, checked = [], {}, 0
    for path, text in web.items():
        for m in TEMPLATE.finditer(text):
            prefix, suffix = m.group(1), m.group(3)
            if not prefix or prefix in SKIP_PREFIXES:
                continue
            line = text.count('\n', 0, m.start()) + 1
            templates.setdefault((prefix, suffix), f'{path}:{line}')
    for (prefix, suffix), place in sorted(templates.items()):
        known = {k[len(prefix):len(k) - len(suffix) if suffix else None]
                 for k in cats['en'] if k.startswith(prefix) and k.endswith(suffix)}
        known = {k for k in known if re.fullmatch(r'[a-z0-9_-]+', k)}
        values = set(MANUAL.get(prefix, []))
        sources = []
        for where, words in lists:
            # a list of this template's values: mostly words the catalogues
            # already give it (a list of field names shares a few by chance)
            shared = len(known.intersection(words))
            if shared >= 2 and shared * 4 >= 3 * len(set(words)):
                values.update(words)
                sources.append(where)
        if not values and not known:
            problems.append(f'{place}: t(`{prefix}${{…}}{suffix}`): no catalogue key and no list of values')
            continue
        for v in sorted((values | known) - {w for p, w in NOT_VALUES if p == prefix}):
            key = f'{prefix}{v}{suffix}'
            checked += 1
            for lang, cat in cats.items():
                # a partial catalogue (German: the patient-facing pages) owes
                # only the templates whose prefix it translates at all
                partial = 'catalogue.scope' in cat
                if partial and not any(k.startswith(prefix) for k in cat):
                    continue
                if key not in cat:
                    src = ', '.join(sources[:3]) or 'MANUAL'
                    problems.append(f'{place}: "{key}" is missing from {lang}.json (value "{v}" from {src})')
    for p in problems:
        print(p)
    print(f'{len(templates)} key templates, {checked} keys, {len(lists)} lists, {len(problems)} problems')
    if len(templates) < 40:  # the scanner broke: the pages build dozens
        print('too few key templates found: the scanner no longer reads the pages')
        return 1
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
