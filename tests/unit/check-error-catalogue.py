#!/usr/bin/env python3
"""Every error code the program can answer has a text in every catalogue.

The API answers an error with its stable code and, as message, the text of
"error.<code>" from the caller's catalogue (src/web/i18n/<lang>.json). This
check finds the codes in src/ and fails when one lacks a text in a catalogue,
so that a new code cannot reach a client as a bare English sentence:

- every string literal given as the code of cc_fail (a conditional gives
  each of its literals);
- when the code is a parameter of the calling function (a helper that fails
  with its caller's code), the literals its callers pass there, followed
  through any number of such helpers; the same for a code copied into an
  error with snprintf(err->code, ...);
- the status names cc_fail uses when the code is NULL (cc_status_name);
- the codes of error bodies written as JSON text by hand.

A code that is neither a literal nor a parameter fails the check: the
scanner cannot know it. The check also requires that every catalogue has
the same keys and that each key's text has the same {placeholders} in
every catalogue. A partial catalogue (one with a "catalogue.scope" entry:
German holds the patient-facing pages only) holds a subset of the English
keys, with the same placeholders; the server answers it only the codes it
has.

Usage: check-error-catalogue.py ROOT   (exit 1 with the reasons)
"""
import json
import os
import re
import sys

COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
STRING = re.compile(r'"((?:\\.|[^"\\\n])*)"')
# A function definition at column 0 (the code base's clang-format style).
DEFINITION = re.compile(r'^(?:[A-Za-z_][\w \t\*]*?[\s\*])([A-Za-z_]\w*)\s*\(([^;{]*?)\)\s*\{', re.M)
CODE_COPY = re.compile(r'snprintf\s*\(\s*\w+\s*->\s*code\s*,[^,]*,\s*"%s"\s*,\s*([^)]*)\)')
STATUS_NAME = re.compile(r'case\s+CC_\w+:\s*return\s+"(\w+)"')
HAND_WRITTEN = re.compile(r'"error"\s*,\s*"code"\s*,\s*"(\w+)"|\\"code\\":\\"(\w+)\\"')
PLACEHOLDER = re.compile(r'\{(\w+)\}')


def strip_comments(text):
    # keep line numbers: a comment becomes as many newlines as it held
    return COMMENT.sub(lambda m: '\n' * m.group(0).count('\n'), text)


def call_args(text, name):
    """(offset, [argument text]) of each call of name(...) in text."""
    for m in re.finditer(r'(?<![\w.>])' + re.escape(name) + r'\s*\(', text):
        i, depth, cur, args = m.end(), 1, [], []
        while i < len(text):
            c = text[i]
            if c in '"\'':
                j = i + 1
                while j < len(text) and text[j] != c:
                    j += 2 if text[j] == '\\' else 1
                cur.append(text[i:j + 1])
                i = j + 1
                continue
            if c in '([{':
                depth += 1
            elif c in ')]}':
                depth -= 1
                if depth == 0:
                    break
            if c == ',' and depth == 1:
                args.append(''.join(cur).strip())
                cur = []
            else:
                cur.append(c)
            i += 1
        args.append(''.join(cur).strip())
        yield m.start(), args


def enclosing_function(text, offset):
    """(name, [parameter names]) of the definition that holds offset, or None."""
    found = None
    for m in DEFINITION.finditer(text):
        if m.start() > offset:
            break
        found = m
    if not found:
        return None
    params = []
    for p in found.group(2).split(','):
        words = re.findall(r'[A-Za-z_]\w*', p.split('[')[0])
        params.append(words[-1] if words else '')
    return found.group(1), params


def sources(root):
    for dirpath, _, files in os.walk(os.path.join(root, 'src')):
        for f in sorted(files):
            if f.endswith(('.c', '.h')):
                path = os.path.join(dirpath, f)
                with open(path, encoding='utf-8') as fh:
                    yield os.path.relpath(path, root), strip_comments(fh.read())


def scan(root):
    """(codes {code: first place}, problems)"""
    files = dict(sources(root))
    codes, problems = {}, []
    # (function, argument index) whose argument is an error code
    pending = [('cc_fail', 3)]
    seen = set()

    def note_expression(path, text, offset, expr, origin):
        line = text.count('\n', 0, offset) + 1
        literals = STRING.findall(expr)
        if literals:
            for lit in literals:
                codes.setdefault(lit, f'{path}:{line}')
            return
        if expr == 'NULL':
            return  # the status name, counted below
        fn = enclosing_function(text, offset)
        if re.fullmatch(r'[A-Za-z_]\w*', expr) and fn and expr in fn[1]:
            key = (fn[0], fn[1].index(expr))
            if key not in seen:
                pending.append(key)
            return
        problems.append(f'{path}:{line}: {origin} with a code the scanner cannot follow: {expr}')

    while pending:
        key = pending.pop()
        if key in seen:
            continue
        seen.add(key)
        name, index = key
        for path, text in files.items():
            for offset, args in call_args(text, name):
                if len(args) <= index:
                    continue
                # the definition and declarations name types, not values
                before = text[max(0, text.rfind('\n', 0, offset)):offset]
                if re.search(r'[A-Za-z_]\w*[\s\*]+$', before) and 'return' not in before:
                    continue
                note_expression(path, text, offset, args[index], name)
    for path, text in files.items():
        for m in CODE_COPY.finditer(text):
            note_expression(path, text, m.start(), m.group(1).strip(), 'a code copied into an error')
        for m in HAND_WRITTEN.finditer(text):
            codes.setdefault(m.group(1) or m.group(2), path)
        if path.endswith('core/status.c'):
            for m in STATUS_NAME.finditer(text):
                if m.group(1) != 'ok':
                    codes.setdefault(m.group(1), f'{path} (cc_status_name)')
    return codes, problems


def catalogues(root):
    folder = os.path.join(root, 'src', 'web', 'i18n')
    out = {}
    for f in sorted(os.listdir(folder)):
        if f.endswith('.json'):
            with open(os.path.join(folder, f), encoding='utf-8') as fh:
                out[f[:-5]] = json.load(fh)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    codes, problems = scan(root)
    cats = catalogues(root)
    if 'en' not in cats or len(cats) < 2:
        problems.append('expected src/web/i18n/en.json and at least one other catalogue')
    partial = {lang for lang, cat in cats.items() if 'catalogue.scope' in cat}
    for code, place in sorted(codes.items()):
        if not re.fullmatch(r'[a-z0-9_]+', code):
            problems.append(f'{place}: the code "{code}" is not lowercase letters, digits and _')
        for lang, cat in cats.items():
            if f'error.{code}' not in cat and lang not in partial:
                problems.append(f'{place}: "error.{code}" is missing from {lang}.json')
    every_key = set().union(*(set(c) for c in cats.values())) if cats else set()
    for lang in sorted(partial):
        for key in sorted(set(cats[lang]) - set(cats.get('en', {})) - {'catalogue.scope'}):
            problems.append(f'"{key}" of the partial {lang}.json is not in en.json')
    for key in sorted(every_key - {'catalogue.scope'}):
        holders = {lang: cat[key] for lang, cat in cats.items() if key in cat}
        for lang in cats:
            if lang not in holders and lang not in partial:
                problems.append(f'"{key}" is missing from {lang}.json')
        names = {lang: sorted(set(PLACEHOLDER.findall(text))) for lang, text in holders.items()}
        if len({tuple(v) for v in names.values()}) > 1:
            problems.append(f'"{key}" has different placeholders: {names}')
    if len(codes) < 100:  # the scanner itself broke: the source has hundreds
        problems.append(f'only {len(codes)} codes found: the scanner no longer reads the source')
    for p in problems:
        print(p)
    print(f'{len(codes)} error codes, {len(cats)} catalogues, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
