# SPDX-License-Identifier: MIT
# collect/: the messages and the [collect] file, then zebrapad collect against a real Mosquitto
# broker and a real PostgreSQL cluster started by the test on loopback (tests/fleet.c).
if(TARGET zp_collect)
  find_package(Threads REQUIRED)
  pkg_check_modules(ZP_COLLECT_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
  add_library(zp_fleet STATIC fleet.c)
  target_link_libraries(zp_fleet PUBLIC zp_privacy PkgConfig::MOSQUITTO Threads::Threads)
  zp_check_test(test_collect SOURCES test_collect.c
    LIBS zp_collect zp_fleet PkgConfig::LIBPQ PkgConfig::ZP_COLLECT_SQLITE3 m LABELS collect TIMEOUT 600)
  add_dependencies(test_collect zebrapad zebrapad-collect zebrapad-export)
  # the many-crossings benchmark (scripts/fleet-bench): not a test
  add_executable(zp_fleet_bench fleet_bench.c)
  target_link_libraries(zp_fleet_bench PRIVATE zp_fleet zp_export_core PkgConfig::LIBPQ)
endif()
