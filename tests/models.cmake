# SPDX-License-Identifier: MIT
# Every SIMD path against the scalar reference, the dispatcher, the model's behaviour.
zp_check_test(test_models SOURCES test_models.c LIBS zp_models TIMEOUT 300 LABELS kernels)
