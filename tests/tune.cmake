# SPDX-License-Identifier: MIT
# `zebrapad tune`'s safe tuning end to end (the real binary, on a recording the test writes): unsafe runs not
# recommended, child size limits refused, the grid-edge note, --holdout-from, Ctrl-C leaving runs.csv.
if(TARGET zp_cvwrap AND TARGET zebrapad-tools)
  zp_check_test(test_tune SOURCES test_tune.c LIBS zp_cvwrap zp_common PkgConfig::CJSON m TIMEOUT 600
    ENV "ASAN_OPTIONS=detect_leaks=0")
  add_dependencies(test_tune zebrapad zebrapad-tools)
endif()
