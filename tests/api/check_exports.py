#!/usr/bin/env python3
"""Checks the dynamic symbols of libaperture.so (src/api/exports.map):

 1. every function declared in wasm.h and aperture/aperture.h is exported;
 2. every exported symbol is public API: a C function of those headers, or a C++ symbol
    whose class or function name is declared in include/aperture/*.h (no std::
    instantiations, no engine internals);
 3. every C++ function of the static library that belongs to the public C++ API (a
    member of a class defined in include/aperture/*.h, or a free function declared
    there) is exported, so that new public API cannot be forgotten in exports.map;
 4. the library has a SONAME.

usage: check_exports.py SHARED_LIBRARY STATIC_LIBRARY CC INCLUDE_DIR WASM_H_DIR
"""
import glob
import os
import re
import subprocess
import sys


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def declared_c_functions(cc, include_dir, wasm_h_dir):
    """Functions the C headers declare (static inline helpers excluded)."""
    text = run(cc, "-E", "-P", "-I", include_dir, "-I", wasm_h_dir,
               os.path.join(include_dir, "aperture", "aperture.h"))
    names = set(re.findall(r"\b((?:wasm|aperture)_\w+)\s*\(", text))
    inline = set(re.findall(r"static\s+inline\s+[\w\s\*]*?\b((?:wasm|aperture)_\w+)\s*\(", text))
    return names - inline


def public_headers_text(include_dir):
    text = ""
    for header in sorted(glob.glob(os.path.join(include_dir, "aperture", "*.h"))):
        with open(header) as f:
            text += f.read()
    return text


def public_cpp_functions(static_library, text):
    """Qualified names of the static library's global functions that are public C++ API."""
    classes = set(re.findall(r"\b(?:class|struct)\s+(\w+)\s*(?:final\s*)?(?::[^{;]*)?\{", text))
    functions = set(re.findall(r"\b(\w+)\s*\(", text))
    out = run("nm", "--defined-only", "-g", static_library)
    mangled = [l.split()[2] for l in out.splitlines()
               if len(l.split()) == 3 and l.split()[1] == "T" and l.split()[2].startswith("_Z")]
    names = set()
    for symbol in (run("c++filt", *mangled).splitlines() if mangled else []):
        parts = cpp_name(symbol).split("::")
        if parts[0] != "aperture":
            continue
        parts = parts[1:]
        if parts and parts[0] == "wasi":
            parts = parts[1:]
        if len(parts) == 1 and parts[0] in functions:
            names.add(cpp_name(symbol))
        elif len(parts) == 2 and parts[0] in classes:
            member = parts[1].lstrip("~")
            if member == parts[0] or member in functions or member.startswith("operator"):
                names.add(cpp_name(symbol))
    return names


def exported(library):
    out = run("nm", "-D", "--defined-only", library)
    names = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] != "A":
            names.append(parts[2].split("@")[0])
    return names


def cpp_name(demangled):
    """The qualified entity name of a demangled symbol (before its parameter list)."""
    for prefix in ("typeinfo name for ", "typeinfo for ", "vtable for "):
        if demangled.startswith(prefix):
            return demangled[len(prefix):]
    depth = 0
    for i, ch in enumerate(demangled):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "(" and depth == 0:
            return demangled[:i]
    return demangled


def main():
    library, static_library, cc, include_dir, wasm_h_dir = sys.argv[1:6]
    problems = []
    symbols = exported(library)
    c_symbols = {s for s in symbols if not s.startswith("_Z")}
    wanted = declared_c_functions(cc, include_dir, wasm_h_dir)
    for name in sorted(wanted - c_symbols):
        problems.append(f"declared but not exported: {name}")
    for name in sorted(c_symbols - wanted):
        problems.append(f"exported C symbol not declared in wasm.h or aperture.h: {name}")

    text = public_headers_text(include_dir)
    words = set(re.findall(r"\w+", text))
    cpp = [s for s in symbols if s.startswith("_Z")]
    demangled = run("c++filt", *cpp).splitlines() if cpp else []
    exported_names = {cpp_name(d) for d in demangled}
    for name in sorted(public_cpp_functions(static_library, text) - exported_names):
        problems.append(f"public C++ API not exported (add it to src/api/exports.map): {name}")
    for symbol in demangled:
        name = cpp_name(symbol)
        parts = name.split("::")
        if parts[0] != "aperture" or "capi" in parts:
            problems.append(f"exported C++ symbol outside the public API: {symbol}")
            continue
        # Members of public classes, or public free functions: each component is declared
        # in a public header (destructors as ~Class).
        for part in parts[1:]:
            if part.startswith("operator"):  # operators of a public class
                continue
            word = re.sub(r"\[abi:\w+\]|<.*", "", part).lstrip("~")
            if word not in words:
                problems.append(f"exported C++ symbol not declared in include/aperture: {symbol}")
                break

    dynamic = run("readelf", "-d", library)
    soname = re.search(r"\(SONAME\)\s+Library soname: \[(.*)\]", dynamic)
    if not soname:
        problems.append("no SONAME")

    for p in problems:
        print(p)
    print(f"{len(symbols)} exported symbols: {len(c_symbols)} C ({len(wanted)} declared), "
          f"{len(cpp)} C++; SONAME {soname.group(1) if soname else '-'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
