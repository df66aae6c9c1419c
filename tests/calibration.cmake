# SPDX-License-Identifier: MIT
zp_check_test(test_calibration SOURCES test_calibration.c LIBS zp_calibration)
