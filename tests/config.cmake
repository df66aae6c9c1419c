# SPDX-License-Identifier: MIT
# The config loader with the [section] setters compiled in from their rooms'
# params files, so the test does not depend on the rest of those rooms.
if(TARGET zp_config)
  zp_check_test(test_config
    SOURCES test_config.c ${CMAKE_SOURCE_DIR}/config/config.c ${CMAKE_SOURCE_DIR}/detector/params.c
            ${CMAKE_SOURCE_DIR}/gpio/params.c ${CMAKE_SOURCE_DIR}/capture/camera_params.c
            ${CMAKE_SOURCE_DIR}/privacy/params.c ${CMAKE_SOURCE_DIR}/export/params.c
            ${CMAKE_SOURCE_DIR}/health/params.c
    LIBS zp_calibration zp_common PkgConfig::INIH)
  target_include_directories(test_config PRIVATE ${CMAKE_SOURCE_DIR}/config ${CMAKE_SOURCE_DIR}/detector
    ${CMAKE_SOURCE_DIR}/gpio ${CMAKE_SOURCE_DIR}/capture ${CMAKE_SOURCE_DIR}/privacy
    ${CMAKE_SOURCE_DIR}/export ${CMAKE_SOURCE_DIR}/health)
endif()
