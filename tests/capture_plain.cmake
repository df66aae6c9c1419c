# SPDX-License-Identifier: MIT
# capture/plain.c through file_plain.c: what the daemon reads as a recording, no OpenCV.
if(TARGET zp_capture_plainfile)
  zp_check_test(test_capture_plain SOURCES test_capture_plain.c LIBS zp_capture_plainfile zp_capture_core zp_common m
    LABELS capture daemon)
  target_include_directories(test_capture_plain PRIVATE ${CMAKE_SOURCE_DIR}/capture)
endif()
