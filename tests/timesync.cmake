# SPDX-License-Identifier: MIT
if(TARGET zp_timesync)
  zp_check_test(test_timesync SOURCES test_timesync.c LIBS zp_timesync LABELS daemon)
endif()
