# `cmake --install`: headers, libaperture.a and libaperture.so (and the compiled engine's
# libaperture-codegen.so in <libdir>/aperture/), the CMake package
# (find_package(Aperture) -> Aperture::aperture, Aperture::aperture_static), a pkg-config
# file and the `aperture` command. Every path in the package is relative to the install
# prefix, so an installed tree can be moved (docs/embedding.md).
include(CMakePackageConfigHelpers)

set(APERTURE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Aperture)

install(TARGETS aperture_static aperture_shared EXPORT ApertureTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(APERTURE_C_API)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/aperture DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(FILES ${APERTURE_WASM_C_API_DIR}/include/wasm.h ${APERTURE_WASM_C_API_DIR}/include/wasm.hh
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(FILES ${APERTURE_WASM_C_API_DIR}/LICENSE
    DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/aperture RENAME LICENSE.wasm-c-api)
else()
  # aperture.h extends wasm.h's objects: without wasm.h only the C++ API is installed.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/aperture DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    PATTERN aperture.h EXCLUDE)
endif()
if(TARGET aperture_cli)
  install(TARGETS aperture_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
# The compiled engine's code generator, loaded on the first compilation
# (src/compile/codegen_library.cpp looks for it beside libaperture.so).
if(TARGET aperture_codegen)
  install(TARGETS aperture_codegen LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/aperture)
endif()

install(EXPORT ApertureTargets NAMESPACE Aperture:: DESTINATION ${APERTURE_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ApertureConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ApertureConfig.cmake INSTALL_DESTINATION ${APERTURE_CMAKE_DIR})
# 0.x: only the same minor version is compatible (the ABI may change with each).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ApertureConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ApertureConfig.cmake
  ${PROJECT_BINARY_DIR}/ApertureConfigVersion.cmake DESTINATION ${APERTURE_CMAKE_DIR})

# pkg-config: the prefix is found relative to the .pc file, so the install is relocatable.
file(RELATIVE_PATH APERTURE_PC_TO_PREFIX
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
set(APERTURE_PC_LIBS_PRIVATE "-lstdc++ -lm ${CMAKE_THREAD_LIBS_INIT}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/aperture.pc.in ${PROJECT_BINARY_DIR}/aperture.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/aperture.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
