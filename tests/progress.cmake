# SPDX-License-Identifier: MIT
# The tools' progress reporter (app/app_progress.c): bar and plain lines, driven with made-up times.
if(TARGET zp_app_progress_obj)
  zp_check_test(test_progress SOURCES test_progress.c LIBS zp_app_progress_obj LABELS app)
endif()
