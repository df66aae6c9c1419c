# SPDX-License-Identifier: MIT
# pipeline/sampler.c: steps into samples into interval rows (pure).
if(TARGET zp_sampler)
  zp_check_test(test_sampler SOURCES test_sampler.c LIBS zp_sampler zp_common LABELS pipeline)
endif()
