# SPDX-License-Identifier: MIT
# The tools' progress reporter (cli/progress.c): bar and plain lines, driven with made-up times.
if(TARGET zp_cli)
  zp_check_test(test_progress SOURCES test_progress.c LIBS zp_cli LABELS app)
endif()
