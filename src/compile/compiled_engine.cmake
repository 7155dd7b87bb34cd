# The compiled engine. Two parts:
#  - src/compile/*.cpp (in libaperture): loads objects, binds instances, runs code, helpers;
#    no LLVM, so running cached or precompiled code never loads LLVM;
#  - src/compile/codegen/*.cpp: libaperture-codegen.so, all use of LLVM, loaded with dlopen
#    on the first compilation (compile/codegen_library.cpp); built with APERTURE_COMPILER
#    only. Without it compile/codegen_absent.cpp says how to get code instead.
# Included from src/CMakeLists.txt (paths are relative to src/).
set(CODEGEN_DIR ${CMAKE_CURRENT_SOURCE_DIR}/compile/codegen)
file(GLOB codegen_sources CONFIGURE_DEPENDS ${CODEGEN_DIR}/*.cpp)
file(GLOB codegen_headers CONFIGURE_DEPENDS ${CODEGEN_DIR}/*.h)

# Identity of the generated code (cmake/codegen_id.cmake): the same in a build without
# LLVM, which must accept the artifacts a build with it makes. It hashes every project
# file the code generator library compiles (its sources and the headers they include:
# tests/compile/codegen_identity_test.cmake checks the list against the compiler's
# dependency records) and names the build's sanitizer flavour, so an ASan build and a
# release build never share cached code.
set(GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)
set(CODEGEN_ID_HEADER ${GENERATED_DIR}/compile/codegen_id.h)
file(GLOB codegen_binary_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/binary/*)
set(CODEGEN_ID_SOURCES ${codegen_sources} ${codegen_headers} ${codegen_binary_files}
    ${CMAKE_CURRENT_SOURCE_DIR}/compile/abi.h ${CMAKE_CURRENT_SOURCE_DIR}/compile/codegen_api.h
    ${PROJECT_SOURCE_DIR}/include/aperture/types.h)
set(CODEGEN_FLAVOUR release)
if(APERTURE_SANITIZE)
  set(CODEGEN_FLAVOUR asan-ubsan)
elseif(APERTURE_TSAN)
  set(CODEGEN_FLAVOUR tsan)
elseif(APERTURE_FUZZ)
  set(CODEGEN_FLAVOUR fuzz)
endif()
# The list, for the test that keeps it complete.
file(GENERATE OUTPUT ${GENERATED_DIR}/compile/codegen_id_sources.txt
     CONTENT "${CODEGEN_ID_SOURCES}")
add_custom_command(OUTPUT ${CODEGEN_ID_HEADER}
  COMMAND ${CMAKE_COMMAND} -DOUT=${CODEGEN_ID_HEADER}
          "-DVERSION=${PROJECT_VERSION}-llvm${APERTURE_CODEGEN_LLVM_VERSION}-${CODEGEN_FLAVOUR}"
          "-DSOURCES=${CODEGEN_ID_SOURCES}" -P ${PROJECT_SOURCE_DIR}/cmake/codegen_id.cmake
  DEPENDS ${CODEGEN_ID_SOURCES} ${PROJECT_SOURCE_DIR}/cmake/codegen_id.cmake VERBATIM)
add_custom_target(codegen_id DEPENDS ${CODEGEN_ID_HEADER})

target_include_directories(aperture PRIVATE ${GENERATED_DIR})
target_compile_definitions(aperture PRIVATE APERTURE_COMPILED_ENGINE=1)
add_dependencies(aperture codegen_id)
# Helpers record their caller's frame pointer when they raise a trap (compile/helpers.cpp).
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/compile/helpers.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/compile/invocation.cpp
  PROPERTIES COMPILE_OPTIONS "-fno-omit-frame-pointer")

if(APERTURE_COMPILER)
  include(${CODEGEN_DIR}/CMakeLists.txt)
else()
  # Every artifact is checked against this build's code generator identity all the same.
  target_compile_definitions(aperture PRIVATE APERTURE_NO_COMPILER=1)
endif()
