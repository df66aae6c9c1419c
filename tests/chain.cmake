# SPDX-License-Identifier: MIT
# pipeline/chain.c: a synthetic scene frame by frame through detector -> controller -> sampler (pure).
if(TARGET zp_chain)
  zp_check_test(test_chain SOURCES test_chain.c LIBS zp_chain zp_config zp_common LABELS pipeline daemon)
endif()
