# SPDX-License-Identifier: MIT
# capture/v4l2.c against the fake libv4l2 (tests/fakes/fake_v4l2.c), not the real one:
# the sources are compiled into the test rather than linking zp_capture. capture/file.c
# (through zp_cvwrap) decodes vtest.avi into the frames the fake camera serves.
if(TARGET zp_capture AND TARGET zp_cvwrap)
  zp_check_test(test_capture_v4l2
    SOURCES test_capture_v4l2.c fakes/fake_v4l2.c
            ${CMAKE_SOURCE_DIR}/capture/source.c ${CMAKE_SOURCE_DIR}/capture/v4l2.c
            ${CMAKE_SOURCE_DIR}/capture/camera_params.c ${CMAKE_SOURCE_DIR}/capture/file.c
    LIBS zp_common zp_cvwrap m
    LABELS capture
    TIMEOUT 300)
  target_include_directories(test_capture_v4l2 PRIVATE ${CMAKE_SOURCE_DIR}/capture ${CMAKE_CURRENT_SOURCE_DIR}/fakes)
  # every free() goes through the test's __wrap_free, which checks that watched frame buffers are zeroed first
  target_link_options(test_capture_v4l2 PRIVATE -Wl,--wrap=free)

  # The same suite under valgrind (one process, so leaks anywhere count), where valgrind is
  # installed and the build is not sanitized; the latency measurement, OpenCV decoding and the exhaustive check of
  # the colour reference (pure arithmetic) are left out there.
  find_program(ZP_VALGRIND valgrind)
  if(ZP_VALGRIND AND NOT ZP_SANITIZE)
    add_test(NAME test_capture_v4l2_valgrind
      COMMAND ${ZP_VALGRIND} --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1
              $<TARGET_FILE:test_capture_v4l2>)
    set_tests_properties(test_capture_v4l2_valgrind PROPERTIES TIMEOUT 600 LABELS "capture;valgrind"
      ENVIRONMENT "CK_FORK=no;CK_EXCLUDE_TAGS=timing video exhaustive;ZP_SOURCE_DIR=${CMAKE_SOURCE_DIR};ZP_VTEST=${ZP_VTEST}")
  endif()
endif()
