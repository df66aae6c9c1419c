# SPDX-License-Identifier: MIT
# `zebrapad bench` smoke test: every row, the memory lines and the targets are
# printed (text and JSON) on a few frames of vtest.avi; no timing is asserted.
# Skips (passes with a message) when vtest.avi is not installed.
if(TARGET zebrapad-tools AND TARGET zp_bench)
  zp_check_test(test_bench SOURCES test_bench.c LIBS zp_bench zp_models zp_common PkgConfig::CJSON TIMEOUT 600 LABELS e2e
    ENV "ASAN_OPTIONS=detect_leaks=0")
  add_dependencies(test_bench zebrapad zebrapad-tools)
endif()
