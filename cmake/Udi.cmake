# Helpers that every module uses to declare libraries, tests and programs the same way.
#
# Layout convention: a module directory holds foo.cc, foo_internal.h, foo_test.cc. Public headers
# live in <module>/include/<module>/. Test vectors live in <dir>/testdata/.

set(UDI_WARNINGS -Wall -Wextra)
if(UDI_WERROR)
  list(APPEND UDI_WARNINGS -Werror)
endif()

# udi_library(NAME DIR <dir> [INCLUDE <public include dir>] [DEPS ...])
# A static library from every .cc in DIR except *_test.cc, *_main.cc and *_fuzz.cc.
function(udi_library name)
  cmake_parse_arguments(A "" "DIR;INCLUDE" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${A_DIR}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "(_test|_main|_fuzz)\\.cc$")
  if(srcs)
    add_library(${name} STATIC ${srcs})
    target_compile_options(${name} PRIVATE ${UDI_WARNINGS})
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
    if(A_INCLUDE)
      target_include_directories(${name} PUBLIC ${A_INCLUDE})
    endif()
    target_link_libraries(${name} PUBLIC ${A_DEPS})
  else()
    add_library(${name} INTERFACE)
    if(A_INCLUDE)
      target_include_directories(${name} INTERFACE ${A_INCLUDE})
    endif()
    target_link_libraries(${name} INTERFACE ${A_DEPS})
  endif()
endfunction()

# udi_tests(NAME DIR <dir> [DEPS ...])
# One GoogleTest binary from every *_test.cc in DIR; each test case becomes a ctest test.
# UDI_TESTDATA is defined to DIR/testdata and UDI_BIN_DIR to the directory of built programs.
function(udi_tests name)
  if(NOT UDI_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(A "" "DIR" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${A_DIR}/*_test.cc)
  if(NOT srcs)
    return()
  endif()
  add_executable(${name} ${srcs})
  target_compile_options(${name} PRIVATE ${UDI_WARNINGS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE
    UDI_TESTDATA="${A_DIR}/testdata" UDI_BIN_DIR="${CMAKE_BINARY_DIR}/bin"
    UDI_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE ${A_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
endfunction()

# udi_program(NAME SOURCES ... [DEPS ...]) — a binary in build/bin.
function(udi_program name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_compile_options(${name} PRIVATE ${UDI_WARNINGS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${A_DEPS})
endfunction()
