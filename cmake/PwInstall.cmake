# Install rules (GNUInstallDirs) for what packwright ships: the CLI, the static helper and
# their man pages. debian/rules and specs/packwright.spec install through these rules, so
# `cmake --install`, the .deb, the .rpm and pkg/ manifests all agree on one layout.
install(FILES ${CMAKE_SOURCE_DIR}/doc/packwright.1 ${CMAKE_SOURCE_DIR}/doc/packwright-toml.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# The shell library the maintainer scripts of pkg/containerd-* source (packwright-toml's).
install(FILES ${CMAKE_SOURCE_DIR}/pkg/packwright-toml/maint.sh
        DESTINATION ${CMAKE_INSTALL_DATADIR}/packwright-toml)

# packwright-toml is built and installed by cmake/PwStaticHelper.cmake (musl, static) as
# ${CMAKE_BINARY_DIR}/packwright-toml. A tree without that target still installs the file
# when it is there.
if(NOT TARGET packwright-toml-static)
  install(PROGRAMS ${CMAKE_BINARY_DIR}/packwright-toml DESTINATION ${CMAKE_INSTALL_BINDIR} OPTIONAL)
endif()

# BUILD/ship/: what pkg/packwright and pkg/packwright-toml package (${build_dir}/ship/...):
# the binaries stripped as distributions ship them (dh_strip, rpm's brp-strip) and the man
# pages gzip'd (dh_compress, brp-compress), so the native packages match debian/ and specs/.
find_program(PW_GZIP gzip)
set(pw_ship ${CMAKE_BINARY_DIR}/ship)
if(PW_GZIP AND CMAKE_STRIP)
  set(pw_ship_files ${pw_ship}/packwright)
  add_custom_command(OUTPUT ${pw_ship}/packwright
    COMMAND ${CMAKE_COMMAND} -E make_directory ${pw_ship}
    COMMAND ${CMAKE_STRIP} --strip-unneeded --remove-section=.comment --remove-section=.note
            -o ${pw_ship}/packwright $<TARGET_FILE:packwright>
    DEPENDS packwright
    COMMENT "Stripping packwright into ship/"
    VERBATIM)
  if(TARGET packwright-toml-static)
    # Already static and stripped (-s) by cmake/PwStaticHelper.cmake.
    add_custom_command(OUTPUT ${pw_ship}/packwright-toml
      COMMAND ${CMAKE_COMMAND} -E make_directory ${pw_ship}
      COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_BINARY_DIR}/packwright-toml ${pw_ship}/packwright-toml
      DEPENDS packwright-toml-static ${CMAKE_BINARY_DIR}/packwright-toml
      VERBATIM)
    list(APPEND pw_ship_files ${pw_ship}/packwright-toml)
  endif()
  foreach(page packwright.1 packwright-toml.1)
    set(out ${pw_ship}/${page}.gz)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${pw_ship}
      COMMAND sh -c "\"$0\" -9n -c \"$1\" > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
              ${PW_GZIP} ${CMAKE_SOURCE_DIR}/doc/${page} ${out}
      DEPENDS ${CMAKE_SOURCE_DIR}/doc/${page}
      COMMENT "Compressing ${page} into ship/"
      VERBATIM)
    list(APPEND pw_ship_files ${out})
  endforeach()
  add_custom_target(ship ALL DEPENDS ${pw_ship_files})
endif()
