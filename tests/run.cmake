# SPDX-License-Identifier: MIT
# `zebrapad run`: the daemon loop (zp_app_run_obj: app/cmd_run.c, app/cmd_run_loop.c; zp_app_audit_obj: the
# live audit) with the real capture code (zp_capture_v4l2_obj) and the real GPIO driver (lights.cmake,
# ZP_TEST_GPIOD_OBJS) linked against the fake libv4l2 and the fake libgpiod instead of the real libraries. Two
# binaries from test_run.c:
#   test_run        links what the daemon links, no OpenCV: recordings are .y4m files the test
#                   writes; also under valgrind, and under qemu-aarch64 in cross builds
#   test_run_video  adds vtest.avi (capture/file.c through OpenCV): recordings and the fake
#                   camera serving real frames, the 640x480 latency figure
if(TARGET zp_privacy AND TARGET zp_config AND TARGET PkgConfig::SYSTEMD)
  set(_zp_run_fakes ${CMAKE_CURRENT_LIST_DIR}/fakes)
  # the libgpiod driver the zebrapad binary uses, against its fake (v2 has its own fake header)
  set(_zp_run_gpiod_inc ${ZP_TEST_GPIOD_INC})
  pkg_check_modules(ZP_RUN_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
  set(_zp_run_src test_run.c ${_zp_run_fakes}/slow_vfs.c
      $<TARGET_OBJECTS:zp_capture_v4l2_obj>
      ${ZP_TEST_GPIOD_OBJS} ${_zp_run_fakes}/fake_gpio_kernel.c ${_zp_run_fakes}/fake_v4l2.c)
  set(_zp_run_libs zp_app_run_obj zp_app_audit_obj zp_app_common zp_config zp_detector zp_gpio_core zp_privacy zp_timesync
      zp_calibration zp_common)
  if(ZP_STATIC_TESTS)
    # no libsystemd.a in Debian: sd_notify() as libsystemd does it, over $NOTIFY_SOCKET
    list(APPEND _zp_run_src ${_zp_run_fakes}/fake_sd_notify.c)
  else()
    list(APPEND _zp_run_libs PkgConfig::SYSTEMD PkgConfig::ZP_RUN_SQLITE3)
  endif()
  zp_check_test(test_run SOURCES ${_zp_run_src}
    LIBS zp_capture_plainfile zp_capture_core ${_zp_run_libs}
    LABELS app run daemon
    TIMEOUT 900)
  if(CMAKE_CROSSCOMPILING)
    # under qemu-user: the cases whose timing does not depend on speed (as under valgrind); four
    # assertions of the normal and fault cases (occupied time, watchdog pings, the no-frame log, open
    # attempts) count what happens per second of wall time, which emulation stretches
    set_property(TEST test_run APPEND PROPERTY ENVIRONMENT "CK_RUN_CASE=gpio")
  endif()
  set(_zp_run_tests test_run)
  if(TARGET zp_capture_cv)
    zp_check_test(test_run_video SOURCES ${_zp_run_src}
      LIBS zp_capture_cv zp_capture_core zp_cvwrap ${_zp_run_libs}
      LABELS app run
      TIMEOUT 900
      ENV "CK_RUN_CASE=video")
    target_compile_definitions(test_run_video PRIVATE ZP_TEST_VIDEO=1)
    list(APPEND _zp_run_tests test_run_video)
    if(ZP_SANITIZE)
      # the latency run is 3000 frames in the normal build; a shorter one is enough to check it under ASan
      set_property(TEST test_run_video APPEND PROPERTY ENVIRONMENT "ZP_RUN_BENCH_FRAMES=400")
    endif()
  endif()
  if(ZP_SANITIZE)
    # the fault cases compare p99 latencies that ASan makes 10-30x larger and load-dependent
    # (test_run.c, assert_follows): 2x of at least 25 ms, still 4x below the tests' stall_ms
    set_property(TEST test_run APPEND PROPERTY ENVIRONMENT "ZP_RUN_P99_FLOOR_US=25000")
  endif()
  foreach(t ${_zp_run_tests})
    if(_zp_run_gpiod_inc)
      target_include_directories(${t} BEFORE PRIVATE ${_zp_run_gpiod_inc})
    endif()
    target_include_directories(${t} PRIVATE ${CMAKE_SOURCE_DIR}/app ${CMAKE_SOURCE_DIR}/capture ${_zp_run_fakes})
  endforeach()

  # Under valgrind, in one process (leaks anywhere count): the cases whose timing does not
  # depend on speed; the fault cases assert fail-safe within stall_ms, which valgrind's
  # slowness would break.
  zp_valgrind_test(test_run TIMEOUT 900 LABELS app run valgrind daemon ENV CK_RUN_CASE=gpio)

  if(NOT CMAKE_CROSSCOMPILING)
    # The real binary: a dry run on vtest.avi (made a .y4m by y4m_from: the daemon reads no
    # video) with the sandbox on (counts written beneath the data directory only), and SIGTERM
    # while paced; `deploy/install-pi --dry-run` touches nothing.
    if(TARGET zp_capture_cv)
      add_executable(y4m_from y4m_from.c)
      target_link_libraries(y4m_from PRIVATE zp_capture_cv zp_capture_core zp_common m)
      set(_zp_y4m_from $<TARGET_FILE:y4m_from>)
    else()
      set(_zp_y4m_from none)
    endif()
    add_test(NAME run_binary
      COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_binary.sh $<TARGET_FILE:zebrapad> ${ZP_VTEST} ${CMAKE_SOURCE_DIR}
              ${_zp_y4m_from})
    # LeakSanitizer cannot work in a process that made itself non-dumpable and denies ptrace
    set_tests_properties(run_binary PROPERTIES TIMEOUT 300 LABELS "app;run" SKIP_RETURN_CODE 77
      ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
    add_test(NAME run_install_dry_run
      COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_install_dry.sh ${CMAKE_SOURCE_DIR})
    set_tests_properties(run_install_dry_run PROPERTIES TIMEOUT 120 LABELS "deploy;run")
  endif()
endif()

# The run path references no image or video writer: the objects of cmd_run.c and cmd_run_loop.c that
# the zebrapad binary links (zp_app_run_obj), and the chain they drive (zp_chain), call nothing from
# the OpenCV wrapper (docs/run.md, "Privacy on the run path").
find_program(ZP_NM nm)
if(TARGET zebrapad AND ZP_NM)
  add_test(NAME run_no_image_writers
    COMMAND ${CMAKE_COMMAND} -DNM=${ZP_NM} "-DOBJS=$<TARGET_OBJECTS:zp_app_run_obj>"
            -DCHAIN=$<TARGET_FILE:zp_chain> -P ${CMAKE_CURRENT_LIST_DIR}/run_checks/no_image_writers.cmake)
  set_tests_properties(run_no_image_writers PROPERTIES LABELS "app;run;privacy")
endif()

# The daemon binary links no OpenCV (nor anything OpenCV pulls in: FFmpeg, libhwy, GDAL): its
# ELF NEEDED entries, read by readelf, are checked against the libraries it may use.
find_program(ZP_READELF NAMES ${CMAKE_C_LIBRARY_ARCHITECTURE}-readelf readelf)
if(TARGET zebrapad AND ZP_READELF AND NOT ZP_STATIC_TESTS)
  add_test(NAME daemon_links_no_opencv
    COMMAND ${CMAKE_COMMAND} -DREADELF=${ZP_READELF} -DBIN=$<TARGET_FILE:zebrapad>
            -P ${CMAKE_CURRENT_LIST_DIR}/run_checks/daemon_needed.cmake)
  set_tests_properties(daemon_links_no_opencv PROPERTIES LABELS "app;run;daemon")
endif()
# zebrapad-export: the MQTT library, JSON, SQLite, libinih, libseccomp - no OpenCV, no camera or GPIO library.
if(TARGET zebrapad-export AND ZP_READELF AND NOT ZP_STATIC_TESTS)
  add_test(NAME export_links_no_opencv
    COMMAND ${CMAKE_COMMAND} -DREADELF=${ZP_READELF} -DBIN=$<TARGET_FILE:zebrapad-export>
            "-DALLOWED=^(libmosquitto|libcjson|libsqlite3|libinih|libseccomp|libc|libm|libpthread|libdl|librt|ld-linux.*|libasan|libubsan)\\.so"
            -P ${CMAKE_CURRENT_LIST_DIR}/run_checks/daemon_needed.cmake)
  set_tests_properties(export_links_no_opencv PROPERTIES LABELS "export")
endif()
