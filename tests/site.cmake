# SPDX-License-Identifier: MIT
# Issue 7: ground-plane homography, the detector's ground-size filter, and
# the calibrate / tune commands end to end (the real binary).
if(TARGET zp_calibration_fit AND TARGET zp_detector AND TARGET zp_config)
  zp_check_test(test_site SOURCES test_site.c LIBS zp_calibration_fit zp_detector zp_config zp_cvwrap zp_common m
    TIMEOUT 300 ENV "ASAN_OPTIONS=detect_leaks=0")
  if(TARGET zebrapad)
    add_dependencies(test_site zebrapad)
  endif()
endif()
