# SPDX-License-Identifier: MIT
if(TARGET zp_cvwrap)
  zp_check_test(test_cvwrap SOURCES test_cvwrap.c LIBS zp_cvwrap TIMEOUT 300)
endif()
