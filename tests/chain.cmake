# SPDX-License-Identifier: MIT
# pipeline/chain.c: a synthetic scene frame by frame through detector -> controller -> sampler (pure).
if(TARGET zp_chain)
  zp_check_test(test_chain SOURCES test_chain.c LIBS zp_chain zp_config zp_common LABELS pipeline daemon)
endif()
# ... and eval's and tune's zone scorer on the same frames (pipeline/score.c: OpenCV, not in daemon builds)
if(TARGET zp_chain AND TARGET zp_score)
  # (score.c reads recordings through zp_source_open_file: a reader is linked by its user)
  zp_check_test(test_chain_score SOURCES test_chain.c LIBS zp_score zp_capture_plainfile zp_chain zp_config zp_common
    LABELS pipeline)
  target_compile_definitions(test_chain_score PRIVATE ZP_TEST_SCORE=1)
endif()
