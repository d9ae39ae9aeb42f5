# Install rules (GNUInstallDirs) for what packwright ships: the CLI, the static helper and
# their man pages. debian/rules and specs/packwright.spec install through these rules, so
# `cmake --install`, the .deb, the .rpm and pkg/ manifests all agree on one layout.
install(FILES ${CMAKE_SOURCE_DIR}/doc/packwright.1 ${CMAKE_SOURCE_DIR}/doc/packwright-toml.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# packwright-toml is built and installed by cmake/PwStaticHelper.cmake (musl, static) as
# ${CMAKE_BINARY_DIR}/packwright-toml. A tree without that target still installs the file
# when it is there.
if(NOT TARGET packwright-toml)
  install(PROGRAMS ${CMAKE_BINARY_DIR}/packwright-toml DESTINATION ${CMAKE_INSTALL_BINDIR} OPTIONAL)
endif()

# Gzip'd man pages in BUILD/man/, as distributions ship them: pkg/packwright and
# pkg/packwright-toml package these with the binaries (${build_dir}/man/NAME.1.gz).
find_program(PW_GZIP gzip)
if(PW_GZIP)
  set(pw_man_gz "")
  foreach(page packwright.1 packwright-toml.1)
    set(out ${CMAKE_BINARY_DIR}/man/${page}.gz)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND sh -c "\"$0\" -9n -c \"$1\" > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
              ${PW_GZIP} ${CMAKE_SOURCE_DIR}/doc/${page} ${out}
      DEPENDS ${CMAKE_SOURCE_DIR}/doc/${page}
      COMMENT "Compressing ${page}"
      VERBATIM)
    list(APPEND pw_man_gz ${out})
  endforeach()
  add_custom_target(man-pages ALL DEPENDS ${pw_man_gz})
endif()
