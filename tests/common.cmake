# SPDX-License-Identifier: MIT
zp_check_test(test_common SOURCES test_common.c LIBS zp_common)
