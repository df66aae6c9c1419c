# SPDX-License-Identifier: MIT
# privacy/: the counts store, the audit, the sandbox.
if(TARGET zp_privacy)
  pkg_check_modules(ZP_TEST_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
  zp_check_test(test_privacy SOURCES test_privacy.c fakes/powercut_vfs.c
    LIBS zp_privacy PkgConfig::ZP_TEST_SQLITE3 TIMEOUT 600)
endif()
