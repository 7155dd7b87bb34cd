#!/usr/bin/env python3
"""Runs the command lines that README.md and docs/{cli,wasi,limits,regions}.md show, so the
documentation cannot drift from the binary, and checks that docs/cli.md describes every
option `aperture help run` lists.

An example is an indented code line that starts with `aperture`, `build/aperture`,
`$ aperture` or `clang-19` (continued with a trailing backslash). Each document's examples
run in order in a directory of their own that holds the files they name (fixtures
below). `$ ` examples are followed by the output they print (stdout and stderr), which
must match exactly; the exit status must be 134 when that output is a trap, else 0.
Every other example must exit 0. Examples that run a precompiled artifact (`.cwasm`)
run in the compiled engine whatever $APERTURE_ENGINE says: only that engine runs
artifacts (the interpreter's refusal is tested in tests/compile/cache_test.cpp).
An example the test cannot run must be listed in
NOT_RUN with the test that covers it; an unknown example fails the test, so a new one
gets a fixture. (docs/regions.md's fenced ```sh blocks marked `<!-- tested: NAME -->` run
in tests/region/docs_examples_test.cpp, which has the guests they need.)

usage: doc_examples.py SOURCE_DIR APERTURE WAT2WASM THREADS_SYSROOT
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

DOCS = ["README.md", "docs/cli.md", "docs/wasi.md", "docs/limits.md", "docs/regions.md"]

# Examples run elsewhere: the line's text -> the test that runs the same thing.
NOT_RUN = {
    "aperture run --listen 127.0.0.1:8080 echo_server.wasm 2":
        "tests/cli/listen_test.cpp (a fixed port may be taken; it listens on a free one)",
    "aperture run --region io=shm:/line3 --map io@0x10000000,exclusive,wait=5s plc.wasm":
        "tests/region/attach_process_test.cpp, AttachProcessTest.CommandLineBindingsAttachToo "
        "(it needs a writer holding /line3 and a guest that writes)",
}

# A synopsis line (`aperture run [OPTIONS] MODULE ...`) is not an example.
SYNOPSIS = re.compile(r"\bMODULE\b|\[OPTIONS\]|\bCOMMAND\b|\w\|\w| \| ")

# Placeholders in command lines -> what the test passes instead.
PLACEHOLDERS = {"ARGS...": "first second"}


def examples(text):
    """(line number, command, expected output or None) for each example in `text`."""
    lines = text.split("\n")
    found = []
    i = 0
    while i < len(lines):
        line = lines[i]
        start = i
        m = re.match(r"^    (\$ )?((build/)?aperture\s.*|clang-19\s.*)$", line)
        if not m:
            i += 1
            continue
        command = m.group(2)
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command[:-1].rstrip() + " " + lines[i].strip()
        command = re.sub(r"\s+#.*$", "", command)  # a trailing comment
        expected = None
        if m.group(1):  # `$ `: the output follows, up to a blank line or the next `$ `
            out = []
            while i + 1 < len(lines) and lines[i + 1].startswith("    ") and \
                    not lines[i + 1].startswith("    $ "):
                i += 1
                out.append(lines[i][4:])
            expected = "\n".join(out)
        found.append((start + 1, command.strip(), expected))
        i += 1
    return found


def assemble(wat2wasm, wat, wasm):
    subprocess.run([wat2wasm, "--debug-names", wat, "-o", wasm], check=True)


def fixtures(doc, source, wat2wasm, work):
    """Creates the files `doc`'s examples name in directory `work`."""
    docs_dir = os.path.join(source, "tests", "docs")
    cli_wat = os.path.join(source, "tests", "cli", "wat")
    for name in ["module", "prog", "filter"]:
        assemble(wat2wasm, os.path.join(docs_dir, "module.wat"), os.path.join(work, name + ".wasm"))
    assemble(wat2wasm, os.path.join(cli_wat, "cli_demo.wat"), os.path.join(work, "add.wasm"))
    assemble(wat2wasm, os.path.join(cli_wat, "cli_demo.wat"), os.path.join(work, "demo.wasm"))
    assemble(wat2wasm, os.path.join(cli_wat, "limits_demo.wat"), os.path.join(work, "limits_demo.wasm"))
    assemble(wat2wasm, os.path.join(source, "tests", "interp", "wat", "basics.wat"),
             os.path.join(work, "fib.wasm"))
    shutil.copy(os.path.join(docs_dir, "hello.c"), work)
    os.makedirs(os.path.join(work, "data"))
    with open(os.path.join(work, "data", "input.txt"), "w") as f:
        f.write("a line of input\n")
    if doc == "docs/wasi.md":  # its prog.c is a pthreads program (clang line in the doc)
        os.remove(os.path.join(work, "prog.wasm"))
        shutil.copy(os.path.join(source, "tests", "guests", "threads_pthreads.c"),
                    os.path.join(work, "prog.c"))


def run_example(command, aperture, env, work, shm_prefix):
    for placeholder, value in PLACEHOLDERS.items():
        command = command.replace(placeholder, value)
    # POSIX shm names are global: each run uses names of its own.
    command = re.sub(r"(shm:|region (?:create|info|heap|rm) )/(\w+)",
                     lambda m: m.group(1) + "/" + shm_prefix + m.group(2), command)
    argv = shlex.split(os.path.expandvars(command) if command.startswith("clang-19") else command)
    if argv[0] in ("aperture", "build/aperture"):
        argv[0] = aperture
    if any(a.endswith(".cwasm") for a in argv[1:]) and argv[1] == "run":
        env = dict(env, APERTURE_ENGINE="compiled")
    return subprocess.run(argv, cwd=work, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=120)


def remove_shm(prefix):
    """Removes the POSIX shm objects the examples created and did not remove."""
    for name in os.listdir("/dev/shm"):
        if name.startswith(prefix):
            os.unlink(os.path.join("/dev/shm", name))


def check_options_documented(source, aperture):
    """Every long option of `aperture help run` appears in docs/cli.md's option table."""
    help_text = subprocess.run([aperture, "help", "run"], stdout=subprocess.PIPE, text=True,
                               check=True).stdout
    options = sorted(set(re.findall(r"^\s+(?:-\w,)?(--[\w-]+)", help_text, re.M)) - {"--help"})
    with open(os.path.join(source, "docs", "cli.md")) as f:
        table = [l for l in f.read().split("\n") if l.startswith("| `--")]
    missing = [o for o in options if not any(re.search(re.escape(o) + r"\b", row) for row in table)]
    if not options:
        return ["`aperture help run` lists no options"]
    print(f"{len(options)} options of `aperture help run` are in docs/cli.md's table")
    return [f"docs/cli.md: option {o} of `aperture help run` is not in the option table"
            for o in missing]


def main():
    source, aperture, wat2wasm, sysroot = (os.path.abspath(a) for a in sys.argv[1:5])
    os.environ["S"] = sysroot  # the threads sysroot, `$S` in docs/wasi.md
    env = dict(os.environ)
    shm_prefix = f"aperture-docs-{os.getpid()}-"
    failures = check_options_documented(source, aperture)
    ran = 0
    for doc in DOCS:
        with open(os.path.join(source, doc)) as f:
            found = examples(f.read())
        with tempfile.TemporaryDirectory(prefix="aperture-docs-") as work:
            fixtures(doc, source, wat2wasm, work)
            for line, command, expected in found:
                where = f"{doc}:{line}: {command}"
                if SYNOPSIS.search(command):
                    continue
                if command in NOT_RUN:
                    print(f"not run here ({NOT_RUN[command]}): {where}")
                    continue
                try:
                    r = run_example(command, aperture, env, work, shm_prefix)
                except (OSError, ValueError, subprocess.TimeoutExpired) as e:
                    failures.append(f"{where}\n  could not run: {e}")
                    continue
                ran += 1
                want_status = 134 if expected and expected.startswith("trap:") else 0
                output = r.stdout.rstrip("\n")
                if r.returncode != want_status:
                    failures.append(f"{where}\n  exit status {r.returncode}, expected {want_status}; "
                                    f"output:\n{r.stdout}")
                elif expected is not None and output != expected:
                    failures.append(f"{where}\n  output:\n{output}\n  documented:\n{expected}")
                else:
                    print(f"ok: {where}")
    remove_shm(shm_prefix)
    for failure in failures:
        print("FAIL: " + failure)
    print(f"{ran} examples run, {len(failures)} failures")
    return 1 if failures or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
