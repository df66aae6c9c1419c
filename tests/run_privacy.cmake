# SPDX-License-Identifier: MIT
# `zebrapad run`'s write set: the real daemon loop (zp_run_daemon, sandbox on) linked as in
# run.cmake (real capture against the fake libv4l2, real GPIO driver against the fake libgpiod),
# re-executed as a child under the LD_PRELOAD shim of privacy.cmake (zp_openlog_preload), which
# records every open for writing. Needs the shim: not in static (cross) builds.
# vtest.avi comes through capture/file.c (OpenCV) when the tools are built, else the synthetic scene.
if(TARGET zp_capture_cv AND TARGET PkgConfig::SYSTEMD AND TARGET zp_openlog_preload)
  pkg_check_modules(ZP_RUNPRIV_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
  set(_zp_rp_fakes ${CMAKE_CURRENT_LIST_DIR}/fakes)
  set(_zp_rp_gpiod_inc ${ZP_TEST_GPIOD_INC})
  zp_check_test(test_run_privacy
    SOURCES test_run_privacy.c
            $<TARGET_OBJECTS:zp_capture_v4l2_obj>
            ${ZP_TEST_GPIOD_OBJS} ${_zp_rp_fakes}/fake_gpio_kernel.c ${_zp_rp_fakes}/fake_v4l2.c
    LIBS zp_app_run_obj zp_app_common zp_config zp_capture_cv zp_capture_core zp_cvwrap zp_detector zp_gpio_core zp_privacy zp_timesync zp_calibration
         zp_common PkgConfig::SYSTEMD PkgConfig::ZP_RUNPRIV_SQLITE3
    LABELS app run privacy
    TIMEOUT 300
    ENV "ZP_OPENLOG_SO=$<TARGET_FILE:zp_openlog_preload>" "ZP_SELF=$<TARGET_FILE:test_run_privacy>")
  if(_zp_rp_gpiod_inc)
    target_include_directories(test_run_privacy BEFORE PRIVATE ${_zp_rp_gpiod_inc})
  endif()
  target_include_directories(test_run_privacy PRIVATE ${CMAKE_SOURCE_DIR}/app ${CMAKE_SOURCE_DIR}/capture
    ${_zp_rp_fakes})
  add_dependencies(test_run_privacy zp_openlog_preload)
endif()
