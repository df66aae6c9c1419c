# SPDX-License-Identifier: MIT
# End-to-end: the real zebrapad binary on real and synthetic recordings.
if(TARGET zebrapad-tools AND TARGET zp_cvwrap)
  zp_check_test(test_app SOURCES test_app.c LIBS zp_cvwrap zp_common TIMEOUT 900 LABELS e2e
    ENV "ASAN_OPTIONS=detect_leaks=0")
  add_dependencies(test_app zebrapad zebrapad-tools)
  # help_of_every_command also asks export and collect (zebrapad execs their binaries)
  add_dependencies(test_app zebrapad-export zebrapad-collect)
endif()
