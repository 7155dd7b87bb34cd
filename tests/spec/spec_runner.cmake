# The spec test runner (also built without the test suite: APERTURE_BUILD_TEST_TOOLS).
find_package(nlohmann_json REQUIRED)
add_executable(spec_runner ${PROJECT_SOURCE_DIR}/tests/spec/spec_runner.cpp)
target_link_libraries(spec_runner PRIVATE aperture nlohmann_json::nlohmann_json)
target_include_directories(spec_runner PRIVATE ${PROJECT_SOURCE_DIR}/tests)
