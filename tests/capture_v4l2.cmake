# SPDX-License-Identifier: MIT
# capture/v4l2.c against the fake libv4l2 (tests/fakes/fake_v4l2.c), not the real one: the
# objects of zp_capture_v4l2_obj linked with the fake. Two binaries from one source:
#   test_capture_v4l2        the daemon's capture, no OpenCV (the recordings reader is plain.c)
#   test_capture_v4l2_video  adds the case that serves vtest.avi (decoded by capture/file.c
#                            through OpenCV) through the fake camera; built with the tools
if(TARGET zp_capture_core)
  zp_check_test(test_capture_v4l2
    SOURCES test_capture_v4l2.c fakes/fake_v4l2.c $<TARGET_OBJECTS:zp_capture_v4l2_obj>
    LIBS zp_capture_plainfile zp_capture_core zp_common m
    LABELS capture daemon
    TIMEOUT 300)
  target_include_directories(test_capture_v4l2 PRIVATE ${CMAKE_SOURCE_DIR}/capture ${CMAKE_CURRENT_SOURCE_DIR}/fakes)
  # every free() goes through the test's __wrap_free, which checks that watched frame buffers are zeroed first
  target_link_options(test_capture_v4l2 PRIVATE -Wl,--wrap=free)

  # Under valgrind the latency measurement and the exhaustive check of the colour reference
  # (pure arithmetic) are left out.
  zp_valgrind_test(test_capture_v4l2 TIMEOUT 600 LABELS capture valgrind daemon
    ENV "CK_EXCLUDE_TAGS=timing exhaustive")
endif()
if(TARGET zp_capture_cv)
  zp_check_test(test_capture_v4l2_video
    SOURCES test_capture_v4l2.c fakes/fake_v4l2.c $<TARGET_OBJECTS:zp_capture_v4l2_obj>
    LIBS zp_capture_cv zp_capture_core zp_cvwrap zp_common m
    LABELS capture
    TIMEOUT 300
    ENV "CK_RUN_CASE=video")
  target_compile_definitions(test_capture_v4l2_video PRIVATE ZP_TEST_VIDEO=1)
  target_include_directories(test_capture_v4l2_video PRIVATE ${CMAKE_SOURCE_DIR}/capture
    ${CMAKE_CURRENT_SOURCE_DIR}/fakes)
  target_link_options(test_capture_v4l2_video PRIVATE -Wl,--wrap=free)
endif()
