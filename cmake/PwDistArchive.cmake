# Script mode (cmake -P), run by the `dist` target: PW_SRC, PW_BIN, PW_NAME, PW_OUT.
cmake_minimum_required(VERSION 3.18)

# The file list: git's view of the tree when there is one, else every file except build
# output (a tree unpacked from a dist tarball has no .git).
function(pw_dist_files out)
  find_program(GIT git)
  if(GIT AND EXISTS ${PW_SRC}/.git)
    execute_process(COMMAND ${GIT} -C ${PW_SRC} -c core.quotePath=false
                            ls-files --cached --others --exclude-standard
                    OUTPUT_VARIABLE raw RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "dist: git ls-files failed in '${PW_SRC}'")
    endif()
    string(FIND "${raw}" ";" semicolon)
    string(FIND "${raw}" "[" bracket)
    if(semicolon GREATER -1 OR bracket GREATER -1)
      message(FATAL_ERROR "dist: a file name holds ';' or '[', which a CMake list cannot hold")
    endif()
    string(REPLACE "\n" ";" names "${raw}")
  else()
    file(GLOB_RECURSE names RELATIVE ${PW_SRC} LIST_DIRECTORIES false ${PW_SRC}/*)
    list(FILTER names EXCLUDE REGEX "^(build[^/]*|dist|repo|obj-[^/]*|\\.git|\\.cache)/")
    list(FILTER names EXCLUDE REGEX "^debian/(\\.debhelper|tmp|packwright[^/]*)/|^debian/(files|[^/]*\\.substvars|debhelper-build-stamp|[^/]*\\.debhelper\\.log)$")
  endif()
  set(kept "")
  foreach(n IN LISTS names)
    # A tracked file deleted in the working tree is not part of the source any more.
    if(NOT n STREQUAL "" AND (EXISTS ${PW_SRC}/${n} OR IS_SYMLINK ${PW_SRC}/${n}))
      list(APPEND kept "${n}")
    endif()
  endforeach()
  list(SORT kept)
  set(${out} "${kept}" PARENT_SCOPE)
endfunction()

function(pw_dist_mtime out)
  if(DEFINED ENV{SOURCE_DATE_EPOCH} AND NOT "$ENV{SOURCE_DATE_EPOCH}" STREQUAL "")
    set(${out} "$ENV{SOURCE_DATE_EPOCH}" PARENT_SCOPE)
    return()
  endif()
  find_program(GIT git)
  if(GIT AND EXISTS ${PW_SRC}/.git)
    execute_process(COMMAND ${GIT} -C ${PW_SRC} log -1 --format=%ct
                    OUTPUT_VARIABLE t OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
    if(rc EQUAL 0 AND t)
      set(${out} "${t}" PARENT_SCOPE)
      return()
    endif()
  endif()
  # No git (a tree unpacked from a dist tarball): its files all carry the tarball's mtime.
  set(newest 0)
  foreach(f IN LISTS ARGN)
    file(TIMESTAMP ${PW_SRC}/${f} t "%s" UTC)
    if(t GREATER newest)
      set(newest ${t})
    endif()
  endforeach()
  set(${out} ${newest} PARENT_SCOPE)
endfunction()

pw_dist_files(files)
if(NOT files)
  message(FATAL_ERROR "dist: no files found under '${PW_SRC}'")
endif()
pw_dist_mtime(mtime ${files})
list(JOIN files "\n" listing)
file(WRITE ${PW_BIN}/${PW_NAME}.files "${listing}\n")
find_program(TAR NAMES gtar tar REQUIRED)
find_program(GZIP gzip REQUIRED)
set(tmp ${PW_OUT}.tmp)
execute_process(
  COMMAND ${TAR} -C ${PW_SRC} --format=gnu --sort=name --owner=0 --group=0 --numeric-owner
          --mtime=@${mtime} --mode=u+rw,go-w,go+rX --no-recursion
          --transform=s,^,${PW_NAME}/, --verbatim-files-from -T ${PW_BIN}/${PW_NAME}.files -cf -
  COMMAND ${GZIP} -9n
  OUTPUT_FILE ${tmp}
  RESULTS_VARIABLE rcs)
foreach(rc IN LISTS rcs)
  if(NOT rc EQUAL 0)
    file(REMOVE ${tmp})
    message(FATAL_ERROR "dist: tar failed (${rcs})")
  endif()
endforeach()
file(RENAME ${tmp} ${PW_OUT})
file(REMOVE ${PW_BIN}/${PW_NAME}.files)
