#!/usr/bin/env python3
"""Writes the programs of a Markdown page to files so that tests can build and run them.

A fenced code block right after the comment `<!-- file: NAME -->` becomes OUT_DIR/NAME;
one after `<!-- output: NAME -->` becomes OUT_DIR/NAME.out, the program's expected
standard output. Fails when a program has no expected output or a marker no block.

usage: extract_doc_examples.py PAGE.md OUT_DIR
"""
import os
import re
import sys


def main():
    page, out_dir = sys.argv[1:3]
    text = open(page).read()
    pattern = re.compile(r"<!--\s*(file|output):\s*(\S+)\s*-->\s*\n```[^\n]*\n(.*?)\n```", re.S)
    files, outputs = {}, {}
    for kind, name, body in pattern.findall(text):
        (files if kind == "file" else outputs)[name] = body + "\n"
    markers = len(re.findall(r"<!--\s*(?:file|output):", text))
    if markers != len(files) + len(outputs):
        sys.exit(f"{page}: {markers} markers but {len(files) + len(outputs)} blocks follow them")
    for name, body in files.items():
        if name not in outputs:
            sys.exit(f"{page}: program {name} has no <!-- output: {name} --> block")
        with open(os.path.join(out_dir, name), "w") as f:
            f.write(body)
        with open(os.path.join(out_dir, name + ".out"), "w") as f:
            f.write(outputs[name])
        print(f"extracted {name}")
    if not files:
        sys.exit(f"{page}: no programs found")


if __name__ == "__main__":
    main()
