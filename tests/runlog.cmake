# SPDX-License-Identifier: MIT
# The log hand-off of every command (app/app_runlog.c): library lines tagged and rate-limited, own lines untouched.
zp_check_test(test_runlog SOURCES test_runlog.c ${CMAKE_SOURCE_DIR}/app/app_runlog.c LIBS zp_common LABELS app)
target_include_directories(test_runlog PRIVATE ${CMAKE_SOURCE_DIR}/app)
