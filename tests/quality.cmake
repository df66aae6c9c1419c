# SPDX-License-Identifier: MIT
# The detector at a real crossing: frames from ../shared/data (CDnet
# pedestrians) and frames derived from them; skips with a message when the
# data is absent (docs/quality.md).
if(TARGET zp_detector AND TARGET zp_cvwrap)
  zp_check_test(test_quality SOURCES test_quality.c LIBS zp_detector zp_cvwrap LABELS real TIMEOUT 900)
endif()
