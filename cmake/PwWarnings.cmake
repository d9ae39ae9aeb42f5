# One warning set for every target; -Werror in CI (PW_WERROR=ON).
set(PW_WARNING_FLAGS -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wno-unused-parameter)
add_compile_options(${PW_WARNING_FLAGS})
if(PW_WERROR)
  add_compile_options(-Werror)
endif()
if(PW_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
