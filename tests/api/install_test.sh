#!/usr/bin/env bash
# The installed package, used from outside the build tree (issue 12, acceptance 1):
#   1. `cmake --install` into a temporary prefix, then move the tree elsewhere (the
#      package must be relocatable);
#   2. build every wasm-c-api example, the C region example and the docs' C and C++
#      programs with only find_package(Aperture) (consumer/CMakeLists.txt);
#   3. build the wasm-c-api examples, the region example and the docs' C program again
#      with only pkg-config;
#   4. run everything in every engine and compare the output with the expected output;
#   5. the installed aperture.h compiles as C89 (nothing of its own is beyond C89; wasm.h
#      is wasm-c-api's and needs C99) and as C++ (issue 24, acceptance 4).
# usage: install_test.sh BUILD_DIR SOURCE_DIR WASM_C_API_DIR MODULES_DIR C_REGION_GUEST ENGINES
#        [C_PROXY_DIR]
# (ENGINES: the engines' names, separated by ';'; C_PROXY_DIR: where the C proxy example's
# guest was built, to build and run examples/c_proxy too)
set -euo pipefail
build=$1 source=$2 capi=$3 modules=$4 guest=$5 engines=${6//;/ } proxy_dir=${7:-}
here=$(cd "$(dirname "$0")" && pwd)
examples="hello callback global memory multi reflect start table trap finalize hostref serialize threads"
work=$(mktemp -d /tmp/aperture-install-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'echo "install_test.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR
step() { echo "== $*"; }
# Runs a command with its output in a log file, shown if the command fails.
logged() {
  local log=$1; shift
  "$@" > "$log" 2>&1 || { local status=$?; echo "failed ($status): $*"; cat "$log"; exit 1; }
}

step "install into a temporary prefix, then move it"
logged "$work/install.log" cmake --install "$build" --prefix "$work/staging"
mv "$work/staging" "$work/prefix"
prefix=$work/prefix
pc=$(find "$prefix" -name aperture.pc)
libdir=$(dirname "$(dirname "$pc")")
for f in "$prefix/include/wasm.h" "$prefix/include/aperture/aperture.h" \
         "$prefix/include/aperture/runtime.h" "$libdir/libaperture.a" "$libdir/libaperture.so" \
         "$libdir/cmake/Aperture/ApertureConfig.cmake" "$prefix/bin/aperture"; do
  [ -e "$f" ] || { echo "missing from the installed tree: $f"; exit 1; }
done
cmp "$capi/include/wasm.h" "$prefix/include/wasm.h"  # installed as it is
codegen=$libdir/aperture/libaperture-codegen.so  # the compiled engine's code generator
if [[ " $engines " == *" compiled "* ]] && [ ! -e "$codegen" ]; then
  echo "missing from the installed tree: $codegen"; exit 1
fi
soname=$(readelf -d "$libdir/libaperture.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ -e "$libdir/$soname" ] || { echo "no file for SONAME $soname"; exit 1; }
echo "installed: $(cd "$prefix" && find . -type f | wc -l) files; SONAME $soname"
if grep -rqs "$build\|$work/staging" "$libdir/cmake" "$pc"; then
  echo "the installed package names the build tree or the staging prefix:"; grep -rn "$build\|$work/staging" "$libdir/cmake" "$pc"; exit 1
fi

step "the installed aperture.h as C89 and as C++"
echo '#include <aperture/aperture.h>' > "$work/header.c"
c89=$(cc -std=c89 -pedantic -Wall -Wextra -fsyntax-only -I "$prefix/include" "$work/header.c" 2>&1 || true)
if grep -E "aperture/aperture.h:[0-9]+:[0-9]+: (warning|error)" <<< "$c89"; then
  echo "the installed aperture.h is not C89-compatible (above)"; exit 1
fi
grep -q "aperture/aperture.h" <<< "$(cc -std=c89 -H -fsyntax-only -I "$prefix/include" "$work/header.c" 2>&1 || true)" ||
  { echo "the C89 check did not read aperture.h"; exit 1; }
c++ -std=c++11 -Wall -Wextra -pedantic -Werror -fsyntax-only -x c++ -I "$prefix/include" "$work/header.c"
echo "aperture.h: C89-compatible, compiles as C++11"

step "extract the programs of docs/embedding.md"
docs=$work/docs
mkdir -p "$docs"
python3 "$here/extract_doc_examples.py" "$source/docs/embedding.md" "$docs"

step "build with find_package(Aperture)"
logged "$work/cmake-configure.log" \
  cmake -S "$here/consumer" -B "$work/cmake" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
  -DWASM_C_API_EXAMPLES="$capi/example" -DEXAMPLES="${examples// /;}" \
  -DAPERTURE_EXAMPLES="$source/examples" -DDOCS_EXAMPLES="$docs"
logged "$work/cmake-build.log" cmake --build "$work/cmake" -j2
# (grep reads here-strings: `ldd | grep -q` fails under pipefail when grep exits early.)
libs=$(ldd "$work/cmake/hello")
grep -q "$libdir/libaperture.so" <<< "$libs" ||
  { echo "hello does not use the installed libaperture.so:"; echo "$libs"; exit 1; }
if grep -q libaperture <<< "$(ldd "$work/cmake/hello_static")"; then
  echo "hello_static links libaperture dynamically"; exit 1
fi

step "build with pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --variable=prefix aperture)" -ef "$prefix" ] ||
  { echo "pkg-config prefix $(pkg-config --variable=prefix aperture) is not $prefix"; exit 1; }
mkdir -p "$work/pkg"
rpath=-Wl,-rpath,$(pkg-config --variable=libdir aperture)
# shellcheck disable=SC2046
for name in $examples; do
  cc -w -o "$work/pkg/$name" "$capi/example/$name.c" $(pkg-config --cflags --libs aperture) "$rpath" -pthread
done
cc -Wall -o "$work/pkg/c_region_host" "$source/examples/c_region/region_host.c" $(pkg-config --cflags --libs aperture) "$rpath"
cc -Wall -o "$work/pkg/docs_embed_c" "$docs/embed.c" $(pkg-config --cflags --libs aperture) "$rpath"
if [ -n "$proxy_dir" ]; then
  cc -std=c11 -Wall -Wextra -Werror -o "$work/pkg/c_proxy_host" "$source/examples/c_proxy/proxy_host.c" \
    $(pkg-config --cflags --libs aperture) "$rpath"
fi
c++ -std=c++20 -Wall -o "$work/pkg/docs_embed_cpp" "$docs/embed.cpp" $(pkg-config --cflags --libs aperture) "$rpath"

step "run"
if [ -e "$codegen" ]; then  # the installed code generator, not the build tree's
  loaded=$(cd "$modules" && APERTURE_ENGINE=compiled LD_DEBUG=files "$work/cmake/hello" 2>&1 >/dev/null |
           sed -n 's/.*file=\([^ ]*libaperture-codegen.so\) .*generating link map.*/\1/p')
  [ "$loaded" -ef "$codegen" ] ||
    { echo "hello loaded the code generator from '$loaded', not the installed $codegen"; exit 1; }
  echo "the compiled engine loads the installed $codegen"
fi
for engine in $engines; do
  export APERTURE_ENGINE=$engine
  for dir in cmake pkg; do
    for name in $examples; do
      mode=
      [ "$name" = threads ] && mode=--sorted
      "$here/run_example.sh" "$work/$dir/$name" "$modules" "$here/expected/$name.out" $mode
    done
    "$here/run_example.sh" "$work/$dir/docs_embed_c" "$docs" "$docs/embed.c.out"
    "$here/run_example.sh" "$work/$dir/docs_embed_cpp" "$docs" "$docs/embed.cpp.out"
    out=$("$work/$dir/c_region_host" "$guest")
    grep -q "0 mismatches" <<< "$out" && grep -q "trapped in function" <<< "$out" ||
      { echo "c_region_host ($dir, $engine):"; echo "$out"; exit 1; }
    echo "c_region_host ($dir, $engine): results verified, read-only write trapped"
    if [ -n "$proxy_dir" ]; then
      "$here/run_example.sh" "$work/$dir/c_proxy_host" "$proxy_dir" "$here/expected/c_proxy.out"
    fi
  done
done
unset APERTURE_ENGINE  # the default engine
"$here/run_example.sh" "$work/cmake/hello_static" "$modules" "$here/expected/hello.out"
"$here/run_example.sh" "$work/cmake/docs_embed_cpp_static" "$docs" "$docs/embed.cpp.out"
echo "install test passed"
