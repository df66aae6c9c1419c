# SPDX-License-Identifier: MIT
# Core detector suite: synthetic scenes only, no capture/ dependency.
if(TARGET zp_detector)
  zp_check_test(test_detector SOURCES test_detector.c LIBS zp_detector TIMEOUT 600)
endif()
# No allocation per frame: counts malloc through glibc's replacement hook, so
# not with ASan or a static libc (they bring their own malloc).
if(TARGET zp_detector AND NOT ZP_SANITIZE AND NOT ZP_STATIC_TESTS)
  zp_check_test(test_detector_noalloc SOURCES test_detector_noalloc.c LIBS zp_detector)
endif()
# On real video (opencv-doc's vtest.avi) through capture/; skips when absent.
if(TARGET zp_capture_cv)
  zp_check_test(test_detector_real SOURCES test_detector_real.c LIBS zp_detector zp_capture_cv LABELS real TIMEOUT 600)
endif()
