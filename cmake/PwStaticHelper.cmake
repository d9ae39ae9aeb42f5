# packwright-toml: a static binary that needs nothing but the kernel, so one build runs on every
# node OS (glibc from RHEL 8 to Azure Linux 3, or none). Built with musl-gcc when it is there
# (scripts/deps.sh installs musl-tools), else with the C compiler and -static. It is compiled
# in one custom command, apart from the other targets, so that it never picks up the
# sanitizer or fuzzer flags of build-test or build-fuzz; the unit tests link the pwtoml library,
# which those builds do instrument.
find_program(PW_MUSL_GCC musl-gcc)
if(PW_MUSL_GCC)
  set(PW_HELPER_CC ${PW_MUSL_GCC})
else()
  set(PW_HELPER_CC ${CMAKE_C_COMPILER})
endif()

file(GLOB PW_HELPER_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/src/base/*.c ${CMAKE_SOURCE_DIR}/src/toml/*.c
  ${CMAKE_SOURCE_DIR}/src/helper/*.c)
file(GLOB PW_HELPER_HEADERS CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/src/base/*.h ${CMAKE_SOURCE_DIR}/src/toml/*.h
  ${CMAKE_SOURCE_DIR}/src/helper/*.h)

set(PW_HELPER_FLAGS -std=c11 -Os -D_GNU_SOURCE "-DPW_VERSION=\"${PROJECT_VERSION}\""
    ${PW_WARNING_FLAGS} -I${CMAKE_SOURCE_DIR}/src -ffunction-sections -fdata-sections)
if(PW_WERROR)
  list(APPEND PW_HELPER_FLAGS -Werror)
endif()

set(PW_HELPER_OUT ${CMAKE_BINARY_DIR}/packwright-toml)
add_custom_command(OUTPUT ${PW_HELPER_OUT}
  COMMAND ${PW_HELPER_CC} ${PW_HELPER_FLAGS} -o ${PW_HELPER_OUT}.tmp ${PW_HELPER_SOURCES}
          -static -Wl,--gc-sections -s -lm
  COMMAND ${CMAKE_COMMAND} -E rename ${PW_HELPER_OUT}.tmp ${PW_HELPER_OUT}
  DEPENDS ${PW_HELPER_SOURCES} ${PW_HELPER_HEADERS}
  COMMENT "Building the static packwright-toml with ${PW_HELPER_CC}"
  COMMAND_EXPAND_LISTS VERBATIM)
add_custom_target(packwright-toml-static ALL DEPENDS ${PW_HELPER_OUT})
install(PROGRAMS ${PW_HELPER_OUT} DESTINATION ${CMAKE_INSTALL_BINDIR})

# The same helper built like every other target (with ASan and UBSan in build-test), so that
# the CLI tests also run its code instrumented: tests/cli/toml-instrumented.sh.
if(PW_TESTS AND TARGET pwtoml)
  file(GLOB PW_HELPER_MAIN_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/helper/*.c)
  add_executable(packwright-toml-instrumented ${PW_HELPER_MAIN_SOURCES})
  target_include_directories(packwright-toml-instrumented PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(packwright-toml-instrumented PRIVATE pwtoml m)
endif()
