# Installation layout and the Debian package (issue 7; deploy/README.md).
#
#   cmake --build build --target package   →  build/udi-ledger_<version>_<arch>.deb
#
# The package installs ledger-node, ledgerctl and ledger-scan in /usr/bin, the
# systemd units ledger-node.service and ledger-scan@.service, man pages, and a
# default /etc/udi-ledger/node.json (a conffile); its postinst creates the
# system user udi-ledger and /var/lib/udi-ledger (mode 0700).
include(GNUInstallDirs)

set(UDI_DEPLOY ${CMAKE_SOURCE_DIR}/deploy)

foreach(program ledger-node ledgerctl ledger-scan)
  if(TARGET ${program})
    install(TARGETS ${program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
install(FILES ${UDI_DEPLOY}/systemd/ledger-node.service
              ${UDI_DEPLOY}/systemd/ledger-scan@.service
        DESTINATION lib/systemd/system)
install(FILES ${UDI_DEPLOY}/debian/node.json DESTINATION /etc/udi-ledger
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)

# Man pages, gzipped as Debian policy wants (hand-written in deploy/man/).
find_program(GZIP_PROGRAM gzip REQUIRED)
set(UDI_MAN_PAGES)
foreach(page ledger-node.1 ledgerctl.1 ledger-scan.1)
  set(gz ${CMAKE_BINARY_DIR}/man/${page}.gz)
  add_custom_command(
    OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${GZIP_PROGRAM} -9 -n -c ${UDI_DEPLOY}/man/${page} > ${gz}
    DEPENDS ${UDI_DEPLOY}/man/${page}
    COMMENT "gzip man page ${page}")
  list(APPEND UDI_MAN_PAGES ${gz})
endforeach()
add_custom_target(udi_man_pages ALL DEPENDS ${UDI_MAN_PAGES})
install(FILES ${UDI_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${UDI_DEPLOY}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME udi-ledger)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "udi-ledger project")
set(CPACK_PACKAGE_CONTACT "udi-ledger maintainers <maintainers@udi-ledger.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "verifiable, federated traceability ledger for medical devices (GS1 EPCIS 2.0)")
set(CPACK_PACKAGE_DESCRIPTION
    "A node (ledger-node) keeping an append-only RFC 6962 Merkle log of Ed25519-signed
EPCIS 2.0 events on LevelDB, with a command-line tool (ledgerctl: keys, signing,
submission, proofs, backup, restore) and the scanning-station daemon (ledger-scan).")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies (LevelDB, libsodium, zstd, Boost, libstdc++) from the
# binaries, via dpkg-shlibdeps; adduser for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${UDI_DEPLOY}/debian/postinst ${UDI_DEPLOY}/debian/prerm
    ${UDI_DEPLOY}/debian/postrm ${UDI_DEPLOY}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
