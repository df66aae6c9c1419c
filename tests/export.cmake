# SPDX-License-Identifier: MIT
# export/ and health/: the unit cases, and the real zebrapad-export against a real Mosquitto broker
# started by the test on 127.0.0.1 (Debian mosquitto, openssl: scripts/packages.txt).
if(TARGET zp_export AND TARGET zebrapad-export)
  zp_check_test(test_export SOURCES test_export.c
    LIBS zp_export_core zp_config zp_health zp_privacy zp_common PkgConfig::CJSON PkgConfig::MOSQUITTO
         PkgConfig::EXPORT_SQLITE3
    LABELS export TIMEOUT 900)
  add_dependencies(test_export zebrapad-export zebrapad)
endif()
