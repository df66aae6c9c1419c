# SPDX-License-Identifier: MIT
# privacy/: the counts store, the audit, the sandbox.
if(TARGET zp_privacy)
  pkg_check_modules(ZP_TEST_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
  if(ZP_STATIC_TESTS)
    set(_zp_test_sqlite ${ZP_SQLITE3_A})
  else()
    set(_zp_test_sqlite PkgConfig::ZP_TEST_SQLITE3)
  endif()
  # the --json report's cases read it with cJSON (zp_json; none in static cross builds)
  set(_zp_test_json)
  if(TARGET zp_json)
    set(_zp_test_json zp_json)
  endif()
  zp_check_test(test_privacy SOURCES test_privacy.c fakes/powercut_vfs.c
    LIBS zp_privacy ${_zp_test_json} ${_zp_test_sqlite} LABELS daemon TIMEOUT 600)
  if(CMAKE_CROSSCOMPILING)
    # qemu-user does not emulate seccomp filters and Landlock for its guest: the store's cases
    # there, the sandbox's natively
    set_property(TEST test_privacy APPEND PROPERTY ENVIRONMENT "CK_RUN_CASE=store")
  endif()
endif()

# The live path against the fake camera, every write-open recorded by an LD_PRELOAD shim.
# zebrapad_fakecam: the daemon's main.c and cmd_audit.c objects with capture linked against the fake libv4l2.
# Linked like the daemon: no OpenCV.
if(TARGET zp_config AND NOT ZP_STATIC_TESTS)
  set(_zp_fakecam_capture $<TARGET_OBJECTS:zp_capture_v4l2_obj> ${CMAKE_CURRENT_SOURCE_DIR}/fakes/fake_v4l2.c)
  add_library(zp_openlog_preload MODULE fakes/openlog_preload.c)
  target_link_libraries(zp_openlog_preload PRIVATE ${CMAKE_DL_LIBS})
  add_executable(zebrapad_fakecam ${_zp_fakecam_capture} fakes/fake_v4l2_autoreset.c)
  target_include_directories(zebrapad_fakecam PRIVATE ${CMAKE_SOURCE_DIR}/capture ${CMAKE_CURRENT_SOURCE_DIR}/fakes)
  target_link_libraries(zebrapad_fakecam PRIVATE zp_app_main_obj zp_app_audit_obj zp_app_common zp_config zp_capture_plainfile zp_capture_core zp_detector
    zp_gpio_core zp_privacy zp_calibration zp_common)
  zp_check_test(test_privacy_live SOURCES test_privacy_live.c ${_zp_fakecam_capture}
    LIBS zp_capture_core zp_detector zp_gpio_core zp_privacy zp_json zp_common LABELS privacy daemon TIMEOUT 300
    ENV "ZP_FAKECAM=$<TARGET_FILE:zebrapad_fakecam>" "ZP_OPENLOG_SO=$<TARGET_FILE:zp_openlog_preload>"
        "ZP_SELF=$<TARGET_FILE:test_privacy_live>")
  target_include_directories(test_privacy_live PRIVATE ${CMAKE_SOURCE_DIR}/capture ${CMAKE_CURRENT_SOURCE_DIR}/fakes)
  add_dependencies(test_privacy_live zebrapad_fakecam zp_openlog_preload)
endif()
