# Install rules (GNUInstallDirs) for what packwright ships: the CLI, the static helper and
# their man pages. debian/rules and specs/packwright.spec install through these rules, so
# `cmake --install`, the .deb, the .rpm and pkg/ manifests all agree on one layout.
install(FILES ${CMAKE_SOURCE_DIR}/doc/packwright.1 ${CMAKE_SOURCE_DIR}/doc/packwright-toml.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# packwright-toml is built by cmake/PwStaticHelper.cmake as ${CMAKE_BINARY_DIR}/packwright-toml
# (musl, static). When that target exists its file must be installed; before it existed (or
# when a tree builds without it) the file is installed if present.
set(PW_HELPER_FILE ${CMAKE_BINARY_DIR}/packwright-toml)
if(TARGET packwright-toml)
  install(PROGRAMS ${PW_HELPER_FILE} DESTINATION ${CMAKE_INSTALL_BINDIR})
else()
  install(PROGRAMS ${PW_HELPER_FILE} DESTINATION ${CMAKE_INSTALL_BINDIR} OPTIONAL)
endif()
