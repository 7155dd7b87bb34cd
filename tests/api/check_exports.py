#!/usr/bin/env python3
"""Checks the dynamic symbols of libaperture.so (src/api/exports.map):

 1. every function declared in wasm.h and aperture/aperture.h is exported;
 2. every exported symbol is public API: a C function of those headers, or a C++ symbol
    whose class or function name is declared in include/aperture/*.h (no std::
    instantiations, no engine internals);
 3. the library has a SONAME.

usage: check_exports.py LIBRARY CC INCLUDE_DIR WASM_H_DIR
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


def public_header_words(include_dir):
    words = set()
    for header in glob.glob(os.path.join(include_dir, "aperture", "*.h")):
        with open(header) as f:
            words.update(re.findall(r"\w+", f.read()))
    return words


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
    library, cc, include_dir, wasm_h_dir = sys.argv[1:5]
    problems = []
    symbols = exported(library)
    c_symbols = {s for s in symbols if not s.startswith("_Z")}
    wanted = declared_c_functions(cc, include_dir, wasm_h_dir)
    for name in sorted(wanted - c_symbols):
        problems.append(f"declared but not exported: {name}")
    for name in sorted(c_symbols - wanted):
        problems.append(f"exported C symbol not declared in wasm.h or aperture.h: {name}")

    words = public_header_words(include_dir)
    cpp = [s for s in symbols if s.startswith("_Z")]
    demangled = run("c++filt", *cpp).splitlines() if cpp else []
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
