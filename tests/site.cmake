# SPDX-License-Identifier: MIT
# Site: ground-plane homography, the detector's ground-size filter, and
# the calibrate / tune commands end to end (the real binary).
if(TARGET zp_cvwrap AND TARGET zebrapad-tools)
  zp_check_test(test_site SOURCES test_site.c LIBS zp_calibration zp_detector zp_config zp_cvwrap zp_common
    PkgConfig::CJSON m
    TIMEOUT 300 ENV "ASAN_OPTIONS=detect_leaks=0")
  add_dependencies(test_site zebrapad zebrapad-tools)
endif()

# `calibrate --source /dev/video0` against the fake camera: the tools' main.c and cmd_calibrate.c
# objects, with capture linked against the fake libv4l2.
if(TARGET test_site AND NOT ZP_STATIC_TESTS)
  add_executable(zebrapad_calcam $<TARGET_OBJECTS:zp_capture_v4l2_obj>
    ${CMAKE_CURRENT_SOURCE_DIR}/fakes/fake_v4l2.c ${CMAKE_CURRENT_SOURCE_DIR}/fakes/fake_v4l2_autoreset.c)
  target_include_directories(zebrapad_calcam PRIVATE ${CMAKE_SOURCE_DIR}/capture ${CMAKE_CURRENT_SOURCE_DIR}/fakes)
  target_link_libraries(zebrapad_calcam PRIVATE zp_app_tools_main_obj zp_app_calibrate_obj zp_app_common zp_config zp_capture_cv zp_calibration zp_detector zp_gpio_core
    zp_cvwrap zp_common)
  set_property(TEST test_site APPEND PROPERTY ENVIRONMENT "ZP_CALCAM=$<TARGET_FILE:zebrapad_calcam>")
  add_dependencies(test_site zebrapad_calcam)
endif()
