# SPDX-License-Identifier: MIT
# gpio/: the light controller (test_lights) and the line drivers against the
# fake libgpiod (test_gpio_lines_v1 / _v2: the same test file, once per API).
set(_zp_gpio_dir ${CMAKE_SOURCE_DIR}/gpio)
set(_zp_fakes ${CMAKE_CURRENT_LIST_DIR}/fakes)

if(TARGET zp_gpio_core)
  zp_check_test(test_lights SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_lights.c LIBS zp_gpio_core)
endif()

if(TARGET zp_gpio_core)
  # libgpiod 2.x driver against the v2 fake and its own header (builds anywhere).
  zp_check_test(test_gpio_lines_v2
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gpio_lines.c ${_zp_gpio_dir}/line_gpiod2.c
            ${_zp_fakes}/fake_gpiod2.c ${_zp_fakes}/fake_gpio_kernel.c
    LIBS zp_gpio_core)
  target_include_directories(test_gpio_lines_v2 BEFORE PRIVATE ${_zp_fakes}/gpiod2 ${_zp_fakes} ${_zp_gpio_dir})
  target_compile_definitions(test_gpio_lines_v2 PRIVATE ZP_TEST_GPIOD=2)

  # libgpiod 1.x driver against the v1 fake, compiled with the system's v1 <gpiod.h>.
  include(CheckCSourceCompiles)
  check_c_source_compiles("#include <gpiod.h>
int main(void) { return GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW + (gpiod_line_request_output_flags != 0); }"
    ZP_HAVE_GPIOD1_HEADER)
  if(ZP_HAVE_GPIOD1_HEADER)
    zp_check_test(test_gpio_lines_v1
      SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gpio_lines.c ${_zp_gpio_dir}/line_gpiod1.c
              ${_zp_fakes}/fake_gpiod1.c ${_zp_fakes}/fake_gpio_kernel.c
      LIBS zp_gpio_core)
    target_include_directories(test_gpio_lines_v1 PRIVATE ${_zp_fakes} ${_zp_gpio_dir})
    target_compile_definitions(test_gpio_lines_v1 PRIVATE ZP_TEST_GPIOD=1)
  else()
    message(STATUS "test_gpio_lines_v1 skipped: no libgpiod 1.x <gpiod.h>")
  endif()
endif()
