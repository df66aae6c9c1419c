# SPDX-License-Identifier: MIT
if(TARGET zp_capture_cv)
  zp_check_test(test_capture_file SOURCES test_capture_file.c LIBS zp_capture_cv zp_capture zp_cvwrap TIMEOUT 600)
endif()
