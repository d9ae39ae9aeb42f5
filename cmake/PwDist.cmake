# `cmake --build BUILD --target dist` writes BUILD/packwright-VERSION.tar.gz: the source tree
# (everything git tracks plus new files it does not ignore, as they are in the working tree)
# under packwright-VERSION/. specs/packwright.spec builds from it and debian/ can use it as
# the .orig.tar.gz. The archive is reproducible: sorted names, root owners, one mtime
# (SOURCE_DATE_EPOCH, else the last commit's time), gzip without a timestamp.
set(PW_DIST_NAME packwright-${PROJECT_VERSION})
set(PW_DIST_FILE ${CMAKE_BINARY_DIR}/${PW_DIST_NAME}.tar.gz)
add_custom_target(dist
  COMMAND ${CMAKE_COMMAND} -DPW_SRC=${CMAKE_SOURCE_DIR} -DPW_BIN=${CMAKE_BINARY_DIR}
          -DPW_NAME=${PW_DIST_NAME} -DPW_OUT=${PW_DIST_FILE}
          -P ${CMAKE_SOURCE_DIR}/cmake/PwDistArchive.cmake
  COMMENT "Writing ${PW_DIST_FILE}"
  VERBATIM)
