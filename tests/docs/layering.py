#!/usr/bin/env python3
"""The layering docs/architecture.md states is the one the sources have: reads the
"Layers, bottom to top" line of docs/architecture.md and checks every #include under
src/ (a layer includes only itself and layers below it) and include/aperture/ (public
headers include no layer at all). Usage: layering.py PROJECT_ROOT"""
import os
import re
import sys

root = sys.argv[1]
doc = open(os.path.join(root, "docs", "architecture.md"), encoding="utf-8").read()
m = re.search(r"\*\*Layers\*\*, bottom to top:(.*?)\.", doc, re.S)
if not m:
    sys.exit("docs/architecture.md has no '**Layers**, bottom to top: ...' line")
rank = {}
for level, group in enumerate(m.group(1).split("<")):
    for name in re.findall(r"`([a-z0-9_]+)`", group):
        rank[name] = level
src = os.path.join(root, "src")
folders = {d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d))}
problems = []
if folders != set(rank):
    problems.append(f"layers in docs {sorted(rank)} differ from the folders of src/ {sorted(folders)}")
include = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/', re.M)
checked = 0
for top, base in ((src, None), (os.path.join(root, "include", "aperture"), "public")):
    for dirpath, _, files in os.walk(top):
        for f in files:
            if not f.endswith((".h", ".cpp", ".def", ".inc")):
                continue
            path = os.path.join(dirpath, f)
            layer = base or os.path.relpath(path, src).split(os.sep)[0]
            for target in include.findall(open(path, encoding="utf-8").read()):
                if target not in rank:
                    continue  # "aperture/..." public headers and generated ones
                checked += 1
                rel = os.path.relpath(path, root)
                if layer == "public":
                    problems.append(f"{rel}: a public header includes the internal layer {target}/")
                elif target != layer and rank[target] >= rank.get(layer, -1):
                    problems.append(f"{rel}: layer {layer} includes {target}/, which is not below it")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"layering: {checked} includes of {len(rank)} layers follow docs/architecture.md")
