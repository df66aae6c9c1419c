# SPDX-License-Identifier: MIT
# The tools' progress reporter (app/app_progress.c): bar and plain lines, driven with made-up times.
zp_check_test(test_progress SOURCES test_progress.c ${CMAKE_SOURCE_DIR}/app/app_progress.c LIBS m LABELS app)
target_include_directories(test_progress PRIVATE ${CMAKE_SOURCE_DIR}/app)
