# SPDX-License-Identifier: MIT
# Core detector suite: synthetic scenes only, no capture/ dependency.
if(TARGET zp_detector)
  zp_check_test(test_detector SOURCES test_detector.c LIBS zp_detector TIMEOUT 600)
endif()
# On real video (opencv-doc's vtest.avi) through capture/; skips when absent.
if(TARGET zp_detector AND TARGET zp_capture AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test_detector_real.c)
  zp_check_test(test_detector_real SOURCES test_detector_real.c LIBS zp_detector zp_capture LABELS real TIMEOUT 600)
endif()
