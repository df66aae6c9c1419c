# SPDX-License-Identifier: MIT
# gpio/: the light controller (test_lights) and the line drivers against the
# fake libgpiod (test_gpio_lines_v1 / _v2: the same test file, once per API).
set(_zp_gpio_dir ${CMAKE_SOURCE_DIR}/gpio)
set(_zp_fakes ${CMAKE_CURRENT_LIST_DIR}/fakes)

if(TARGET zp_gpio_core)
  zp_check_test(test_lights SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_lights.c LIBS zp_gpio_core)
endif()

# The line drivers as the tests link them, each compiled once, in one place:
#   ZP_TEST_GPIOD2_OBJS  libgpiod 2.x's driver compiled against the fake's header (fakes/gpiod2), so
#                        it builds anywhere; link with fakes/fake_gpiod2.c
#   ZP_TEST_GPIOD1_OBJS  libgpiod 1.x's: zp_gpio's own objects (the system's v1 <gpiod.h>), where
#                        zp_gpio drives lines through libgpiod 1.x; link with fakes/fake_gpiod1.c
# The daemon tests (run.cmake, run_privacy.cmake) take the driver the zebrapad binary uses.
if(TARGET zp_gpio_core)
  add_library(zp_test_gpiod2_obj OBJECT ${_zp_gpio_dir}/line_gpiod.c ${_zp_gpio_dir}/line_gpiod2.c)
  target_include_directories(zp_test_gpiod2_obj BEFORE PRIVATE ${_zp_fakes}/gpiod2)
  target_include_directories(zp_test_gpiod2_obj PRIVATE ${_zp_gpio_dir})
  target_link_libraries(zp_test_gpiod2_obj PRIVATE zp_gpio_core)
  set(ZP_TEST_GPIOD2_OBJS $<TARGET_OBJECTS:zp_test_gpiod2_obj>)
  set(ZP_TEST_GPIOD1_OBJS "")
  if(ZP_GPIOD_DRIVER STREQUAL "gpiod1")
    set(ZP_TEST_GPIOD1_OBJS $<TARGET_OBJECTS:zp_gpio_driver_obj>)
  endif()
  if(ZP_GPIOD_DRIVER STREQUAL "gpiod1")
    set(ZP_TEST_GPIOD_OBJS ${ZP_TEST_GPIOD1_OBJS} ${_zp_fakes}/fake_gpiod1.c)
    set(ZP_TEST_GPIOD_INC "")
  else()
    set(ZP_TEST_GPIOD_OBJS ${ZP_TEST_GPIOD2_OBJS} ${_zp_fakes}/fake_gpiod2.c)
    set(ZP_TEST_GPIOD_INC ${_zp_fakes}/gpiod2)
  endif()

  # libgpiod 2.x driver against the v2 fake and its own header (builds anywhere).
  zp_check_test(test_gpio_lines_v2
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gpio_lines.c ${ZP_TEST_GPIOD2_OBJS}
            ${_zp_fakes}/fake_gpiod2.c ${_zp_fakes}/fake_gpio_kernel.c
    LIBS zp_gpio_core)
  target_include_directories(test_gpio_lines_v2 BEFORE PRIVATE ${_zp_fakes}/gpiod2 ${_zp_fakes} ${_zp_gpio_dir})
  target_compile_definitions(test_gpio_lines_v2 PRIVATE ZP_TEST_GPIOD=2)

  # libgpiod 1.x driver (zp_gpio's objects) against the v1 fake.
  if(ZP_TEST_GPIOD1_OBJS)
    zp_check_test(test_gpio_lines_v1
      SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gpio_lines.c ${ZP_TEST_GPIOD1_OBJS}
              ${_zp_fakes}/fake_gpiod1.c ${_zp_fakes}/fake_gpio_kernel.c
      LIBS zp_gpio_core)
    target_include_directories(test_gpio_lines_v1 PRIVATE ${_zp_fakes} ${_zp_gpio_dir})
    target_compile_definitions(test_gpio_lines_v1 PRIVATE ZP_TEST_GPIOD=1)
  else()
    message(STATUS "test_gpio_lines_v1 not built: zp_gpio does not use libgpiod 1.x here")
  endif()
endif()
