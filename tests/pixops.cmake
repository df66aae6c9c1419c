# SPDX-License-Identifier: MIT
# The per-pixel kernels added for the detector's speed (stats, background to luma) and the camera's
# conversions (YUYV -> luma, YCbCr -> BGR): every SIMD path against scalar.
zp_check_test(test_pixops SOURCES test_pixops.c LIBS zp_models TIMEOUT 300 LABELS kernels)
