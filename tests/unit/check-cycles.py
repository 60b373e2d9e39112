#!/usr/bin/env python3
"""Fails when files of src/ depend on each other, directly or around a longer cycle.

A module is a header and its source file (src/api/report_json.h and .c). Module A depends
on module B when A.c or A.h includes B.h ("B.h" found next to the including file first,
then under src/, as the compiler looks). Every strongly connected group of more than one
module is a cycle: it is printed with the include lines that close it, and the exit status
is 1. Generated and system headers (<...>) are not part of the graph.

Usage: check-cycles.py SRC_DIR
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def modules(src):
    """Maps module name (path under src without extension) to its files."""
    found = {}
    for dirpath, _, files in os.walk(src):
        for name in files:
            if name.endswith((".c", ".h")):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, src)
                found.setdefault(os.path.splitext(rel)[0], []).append(path)
    return found


def resolve(src, including, target):
    for base in (os.path.dirname(including), src):
        candidate = os.path.normpath(os.path.join(base, target))
        if os.path.isfile(candidate):
            return os.path.splitext(os.path.relpath(candidate, src))[0]
    return None


def graph(src):
    edges = {}  # module -> {module: [evidence lines]}
    for module, paths in modules(src).items():
        out = edges.setdefault(module, {})
        for path in sorted(paths):
            with open(path, encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    dep = resolve(src, path, m.group(1))
                    if dep is None or dep == module:
                        continue
                    where = f"{os.path.relpath(path, src)}:{lineno}: {line.strip()}"
                    out.setdefault(dep, []).append(where)
    return edges


def strongly_connected(edges):
    """Tarjan's algorithm, iterative, over a dict of dicts."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src = os.path.abspath(sys.argv[1])
    edges = graph(src)
    groups = strongly_connected(edges)
    for group in groups:
        print("dependency cycle between " + ", ".join(group) + ":")
        members = set(group)
        for module in group:
            for dep, lines in sorted(edges[module].items()):
                if dep in members:
                    for line in lines:
                        print("  " + line)
    if groups:
        return 1
    print(f"cycles: none among {len(edges)} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
