# Every program that links the `aperture` library loads libaperture-codegen.so at run time
# (dlopen), which no link step names. `aperture` is an OBJECT library, and an OBJECT
# library's add_dependencies does not reach the targets that use it, so building one
# program alone (`cmake --build build --target test_interp`) would leave a stale code
# generator. This gives every such program the dependency itself.
function(aperture_add_codegen_dependency dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE" OR type STREQUAL "SHARED_LIBRARY" OR type STREQUAL "STATIC_LIBRARY")
      get_target_property(libs ${t} LINK_LIBRARIES)
      if(libs AND "aperture" IN_LIST libs)
        add_dependencies(${t} aperture_codegen)
      endif()
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    aperture_add_codegen_dependency(${sub})
  endforeach()
endfunction()
if(TARGET aperture_codegen)
  aperture_add_codegen_dependency(${PROJECT_SOURCE_DIR})
endif()
