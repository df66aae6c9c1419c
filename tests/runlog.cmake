# SPDX-License-Identifier: MIT
# The log hand-off of every command (cli/runlog.c): library lines tagged and rate-limited, own lines untouched.
if(TARGET zp_cli)
  zp_check_test(test_runlog SOURCES test_runlog.c LIBS zp_cli LABELS app)
endif()
