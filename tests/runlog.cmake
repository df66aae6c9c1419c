# SPDX-License-Identifier: MIT
# The log hand-off of every command (app/app_runlog.c): library lines tagged and rate-limited, own lines untouched.
if(TARGET zp_app_common_obj)
  zp_check_test(test_runlog SOURCES test_runlog.c LIBS zp_app_common_obj LABELS app)
endif()
