# SPDX-License-Identifier: MIT
# eval/: metric arithmetic, gt.txt / temporalROI.txt parsers, and `zebrapad eval` end to end
# (synthetic recordings written by the test; the shared recordings when ../shared/data is there).
if(TARGET zp_eval AND TARGET zp_cvwrap)
  zp_check_test(test_eval SOURCES test_eval.c LIBS zp_eval zp_cvwrap zp_calibration zp_common PkgConfig::CJSON m
    TIMEOUT 900)
  if(TARGET zebrapad)
    add_dependencies(test_eval zebrapad)
  endif()
  if(TARGET zebrapad-tools)
    add_dependencies(test_eval zebrapad-tools)
  endif()
endif()
