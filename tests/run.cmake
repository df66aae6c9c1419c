# SPDX-License-Identifier: MIT
# `zebrapad run`: the daemon loop (app/app_run.c, app/cmd_run.c) with the real capture code
# (capture/v4l2.c, file.c) and the real GPIO driver compiled into the test and linked against
# the fake libv4l2 and the fake libgpiod instead of the real libraries. The config loader is
# compiled in too (zp_config would drag in zp_capture, and with it the real libv4l2).
if(TARGET zebrapad AND TARGET zp_privacy AND TARGET zp_detector AND TARGET zp_gpio_core AND TARGET zp_cvwrap
   AND TARGET zp_calibration_fit AND TARGET PkgConfig::SYSTEMD AND TARGET PkgConfig::INIH)
  set(_zp_run_fakes ${CMAKE_CURRENT_LIST_DIR}/fakes)
  # the libgpiod driver the zebrapad binary uses, against its fake (v2 has its own fake header)
  if(ZP_GPIOD_DRIVER STREQUAL "gpiod1")
    set(_zp_run_gpiod ${CMAKE_SOURCE_DIR}/gpio/line_gpiod1.c ${_zp_run_fakes}/fake_gpiod1.c)
    set(_zp_run_gpiod_inc "")
  else()
    set(_zp_run_gpiod ${CMAKE_SOURCE_DIR}/gpio/line_gpiod2.c ${_zp_run_fakes}/fake_gpiod2.c)
    set(_zp_run_gpiod_inc ${_zp_run_fakes}/gpiod2)
  endif()
  pkg_check_modules(ZP_RUN_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
  zp_check_test(test_run
    SOURCES test_run.c ${_zp_run_fakes}/slow_vfs.c
            ${CMAKE_SOURCE_DIR}/app/app_run.c ${CMAKE_SOURCE_DIR}/app/app_runlog.c ${CMAKE_SOURCE_DIR}/app/cmd_run.c
            ${CMAKE_SOURCE_DIR}/app/app_ground.c
            ${CMAKE_SOURCE_DIR}/config/config.c ${CMAKE_SOURCE_DIR}/capture/camera_params.c
            ${CMAKE_SOURCE_DIR}/capture/source.c ${CMAKE_SOURCE_DIR}/capture/v4l2.c
            ${CMAKE_SOURCE_DIR}/capture/file.c
            ${_zp_run_gpiod} ${_zp_run_fakes}/fake_gpio_kernel.c ${_zp_run_fakes}/fake_v4l2.c
    LIBS zp_detector zp_gpio_core zp_privacy zp_calibration_fit zp_cvwrap zp_calibration zp_common
         PkgConfig::INIH PkgConfig::SYSTEMD PkgConfig::ZP_RUN_SQLITE3
    LABELS app run
    TIMEOUT 900)
  if(_zp_run_gpiod_inc)
    target_include_directories(test_run BEFORE PRIVATE ${_zp_run_gpiod_inc})
  endif()
  target_include_directories(test_run PRIVATE ${CMAKE_SOURCE_DIR}/app ${CMAKE_SOURCE_DIR}/config
    ${CMAKE_SOURCE_DIR}/capture ${CMAKE_SOURCE_DIR}/gpio ${CMAKE_SOURCE_DIR}/privacy ${_zp_run_fakes})
  if(ZP_SANITIZE)
    # the latency run is 3000 frames in the normal build; a shorter one is enough to check it under ASan
    set_property(TEST test_run APPEND PROPERTY ENVIRONMENT "ZP_RUN_BENCH_FRAMES=400")
    # ... and the fault cases compare p99 latencies that ASan makes 10-30x larger and load-dependent
    # (test_run.c, assert_follows): 2x of at least 25 ms, still 4x below the tests' stall_ms
    set_property(TEST test_run APPEND PROPERTY ENVIRONMENT "ZP_RUN_P99_FLOOR_US=25000")
  endif()

  # Under valgrind, in one process (leaks anywhere count): the cases whose timing does not
  # depend on speed; the fault cases assert fail-safe within stall_ms, which valgrind's
  # slowness would break.
  find_program(ZP_VALGRIND valgrind)
  if(ZP_VALGRIND AND NOT ZP_SANITIZE)
    add_test(NAME test_run_valgrind
      COMMAND ${ZP_VALGRIND} --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1
              $<TARGET_FILE:test_run>)
    set_tests_properties(test_run_valgrind PROPERTIES TIMEOUT 900 LABELS "app;run;valgrind"
      ENVIRONMENT "CK_FORK=no;CK_RUN_CASE=gpio;ZP_SOURCE_DIR=${CMAKE_SOURCE_DIR};ZP_VTEST=${ZP_VTEST}")
  endif()

  # The real binary: a dry run on vtest.avi with the sandbox on (counts written beneath the
  # data directory only), and SIGTERM while paced; `deploy/install-pi --dry-run` touches nothing.
  add_test(NAME run_binary
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_binary.sh $<TARGET_FILE:zebrapad> ${ZP_VTEST} ${CMAKE_SOURCE_DIR})
  # LeakSanitizer cannot work in a process that made itself non-dumpable and denies ptrace
  set_tests_properties(run_binary PROPERTIES TIMEOUT 300 LABELS "app;run" SKIP_RETURN_CODE 77
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
  add_test(NAME run_install_dry_run
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_install_dry.sh ${CMAKE_SOURCE_DIR})
  set_tests_properties(run_install_dry_run PROPERTIES TIMEOUT 120 LABELS "deploy;run")
endif()

# The run path references no image or video writer: the objects of app_run.c and cmd_run.c in
# the zebrapad binary call nothing from the OpenCV wrapper (docs/run.md, "Privacy on the run path").
find_program(ZP_NM nm)
if(TARGET zebrapad AND ZP_NM)
  add_test(NAME run_no_image_writers
    COMMAND ${CMAKE_COMMAND} -DNM=${ZP_NM} "-DOBJS=$<TARGET_OBJECTS:zebrapad>"
            -P ${CMAKE_CURRENT_LIST_DIR}/run_checks/no_image_writers.cmake)
  set_tests_properties(run_no_image_writers PROPERTIES LABELS "app;run;privacy")
endif()
