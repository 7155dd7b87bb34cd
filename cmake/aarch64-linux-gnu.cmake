# Cross compilation for 64-bit Arm Linux with Debian's cross toolchain
# (g++-aarch64-linux-gnu; scripts/build-aarch64 uses this file). Programs (clang-19 for
# wasm guests) come from the build machine; libraries and packages from the aarch64
# sysroot and from APERTURE_HOST_PACKAGES, a prefix holding copies of the header-only
# packages the build uses (CLI11, nlohmann_json), so /usr/include of the build machine
# never reaches the cross compiler. Executables run under qemu-aarch64-static with the
# sysroot's libraries.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(APERTURE_AARCH64_SYSROOT /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH ${APERTURE_AARCH64_SYSROOT} ${APERTURE_HOST_PACKAGES})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L ${APERTURE_AARCH64_SYSROOT})
