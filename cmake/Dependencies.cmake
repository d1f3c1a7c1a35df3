# Every third-party library comes from Debian 12 packages (see scripts/setup).
# mv_deps carries them as one interface target; cmake/mailverdictConfig.cmake.in
# recreates the same imported targets for consumers of an installed mailverdict.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LDNS REQUIRED IMPORTED_TARGET ldns)
pkg_check_modules(LIBPSL REQUIRED IMPORTED_TARGET libpsl)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc icu-i18n)
find_package(OpenSSL 3 REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS json program_options)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)  # mailbox-intelligence contact graph

# mimetic ships neither a pkg-config file nor a CMake package.
find_path(MIMETIC_INCLUDE_DIR mimetic/mimetic.h REQUIRED)
find_library(MIMETIC_LIBRARY mimetic REQUIRED)
if(NOT TARGET mimetic::mimetic)
  add_library(mimetic::mimetic UNKNOWN IMPORTED)
  set_target_properties(mimetic::mimetic PROPERTIES
    IMPORTED_LOCATION "${MIMETIC_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${MIMETIC_INCLUDE_DIR}")
endif()

add_library(mv_deps INTERFACE)
target_link_libraries(mv_deps INTERFACE
  PkgConfig::LDNS PkgConfig::LIBPSL PkgConfig::ICU mimetic::mimetic
  OpenSSL::Crypto Boost::json yaml-cpp fmt::fmt SQLite::SQLite3 Threads::Threads)
# Boost.Asio is used header-only, for IP addresses and networks.
target_compile_definitions(mv_deps INTERFACE BOOST_ASIO_NO_DEPRECATED)
