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

# Relocatable: the prefix is found from the .pc file's own place, so an install with
# `cmake --install --prefix P` works wherever P is.
file(RELATIVE_PATH _mv_pc_rel "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" _mv_pc_rel "${_mv_pc_rel}")
set(MV_PC_PREFIX "\${pcfiledir}/${_mv_pc_rel}")
configure_file(cmake/mailverdict.pc.in ${PROJECT_BINARY_DIR}/mailverdict.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mailverdict.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
