#!/usr/bin/env python3
"""Finds modules of src/ that depend on each other, and files of cli that
reach into api outside cmd_serve.c (the one command that starts the server),
and dependencies that point up a layer.

A module is a source file and its header (src/app/report_json.[ch]). Module A
depends on module B when a file of A includes B's header, or when A's source
calls (names) a function that B's source defines without `static`. Two
modules that depend on each other fail the check, with the include or call
of each side, and so does every longer loop (a strongly connected group);
-v prints a loop's edges.

Usage: check-cycles.py [-v] ROOT   (exit 1 on a loop, an upward dependency or cli -> api)
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# A function definition at column 0: type words, name, '(' ... and no ';'
# before the body. Good enough for this code base's style (clang-format).
DEFINITION = re.compile(r'^(?!static\b)(?:[A-Za-z_][\w \t\*]*?[\s\*])([A-Za-z_]\w*)\s*\([^;{]*\)\s*\{',
                        re.M)
IDENT = re.compile(r'\b[A-Za-z_]\w*\b')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
# The layers a layer must never depend on (DESIGN.md section 4).
UPWARD = {
    'core': ('store', 'app', 'api', 'cli', 'render', 'label', 'web'),
    'store': ('app', 'api', 'cli', 'render', 'label'),
    'render': ('store', 'app', 'api', 'cli'),
    'label': ('app', 'api', 'cli'),
    'app': ('api', 'cli'),
    'api': ('cli',),
}
STRING = re.compile(r'"(?:\\.|[^"\\\n])*"')


def modules(src):
    found = {}
    for dirpath, _, files in os.walk(src):
        for f in files:
            if f.endswith(('.c', '.h')):
                path = os.path.join(dirpath, f)
                found.setdefault(os.path.splitext(os.path.relpath(path, src))[0], []).append(path)
    return found


def main(root, verbose):
    src = os.path.join(root, 'src')
    mods = modules(src)
    text = {}
    for m, paths in mods.items():
        for p in paths:
            with open(p, encoding='utf-8', errors='replace') as fh:
                text[p] = fh.read()
    defined = {}  # function name -> module
    for m, paths in mods.items():
        for p in paths:
            if p.endswith('.c'):
                body = COMMENT.sub(' ', text[p])
                for name in DEFINITION.findall(body):
                    if name not in ('if', 'for', 'while', 'switch', 'return', 'main'):
                        defined.setdefault(name, m)
    edges = {m: {} for m in mods}  # m -> {dep: reason}
    for m, paths in mods.items():
        for p in paths:
            here = os.path.dirname(os.path.relpath(p, src))
            for inc in INCLUDE.findall(text[p]):
                target = os.path.splitext(inc)[0]
                for cand in (target, os.path.normpath(os.path.join(here, target))):
                    if cand in mods and cand != m:
                        edges[m].setdefault(cand, f'{os.path.relpath(p, root)} includes {inc}')
                        break
            if p.endswith('.c'):
                body = STRING.sub('""', COMMENT.sub(' ', text[p]))
                for name in set(IDENT.findall(body)):
                    dep = defined.get(name)
                    if dep and dep != m:
                        edges[m].setdefault(dep, f'{os.path.relpath(p, root)} calls {name}')
    # Tarjan's strongly connected components
    index, low, stack, on, groups = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(mods):
        if v not in index:
            visit(v)
    status = 0
    for a in sorted(mods):
        for b, why in sorted(edges[a].items()):
            if a < b and a in edges[b]:
                status = 1
                print(f'mutual: {a} <-> {b}')
                print(f'  {why}')
                print(f'  {edges[b][a]}')
    for g in groups:
        status = 1
        print(f'loop through {len(g)} modules: ' + ' '.join(g))
        if verbose:
            for a in g:
                for b, why in sorted(edges[a].items()):
                    if b in g:
                        print(f'  {a} -> {b}: {why}')
    for m in sorted(mods):
        above = UPWARD.get(m.split('/')[0], ())
        for dep, why in sorted(edges[m].items()):
            if dep.split('/')[0] in above:
                status = 1
                print(f'points up: {m} -> {dep}: {why}')
    for m, paths in sorted(mods.items()):
        if not m.startswith('cli/') or m == 'cli/cmd_serve':
            continue
        for dep, why in sorted(edges[m].items()):
            if dep.startswith('api/'):
                status = 1
                print(f'cli reaches into api: {m} -> {dep}: {why}')
    if status == 0:
        print(f'mutual dependencies: none among {len(mods)} modules')
    return status


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '-v']
    sys.exit(main(args[0] if args else '.', '-v' in sys.argv[1:]))
