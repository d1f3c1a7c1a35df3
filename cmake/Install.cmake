include(CMakePackageConfigHelpers)

install(TARGETS mailverdict mv_deps EXPORT mailverdictTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/mailverdict DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT mailverdictTargets NAMESPACE mailverdict::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mailverdict)
configure_package_config_file(cmake/mailverdictConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mailverdictConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mailverdict)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mailverdictConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mailverdictConfig.cmake
  ${PROJECT_BINARY_DIR}/mailverdictConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mailverdict)

configure_file(cmake/mailverdict.pc.in ${PROJECT_BINARY_DIR}/mailverdict.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mailverdict.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
