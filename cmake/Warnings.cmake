function(mv_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O3 reports -Wrestrict on std::string concatenation inside libstdc++
    # (GCC bug 105329, fixed in GCC 13): a false positive in the standard library.
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(MAILVERDICT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
