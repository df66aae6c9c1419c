# SPDX-License-Identifier: MIT
# cmake -DNM=nm -DOBJS="a.o;b.o;..." -DCHAIN=libzp_chain.a -P no_image_writers.cmake (registered by tests/run.cmake)
# Fails when the objects of cmd_run.c or cmd_run_loop.c, or the chain they drive (pipeline/chain.c), reference
# any zp_cv_* function.

# The undefined symbols of file: none of the OpenCV wrapper's, and expect among them (the check reads
# real symbol tables: each object calls what it is known to call).
function(check_file file name expect)
  execute_process(COMMAND ${NM} -u ${file} OUTPUT_VARIABLE _syms RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "nm failed on ${file}")
  endif()
  string(REGEX MATCHALL "zp_cv_[A-Za-z0-9_]+" _cv "${_syms}")
  if(_cv)
    message(FATAL_ERROR "${name} references the OpenCV wrapper: ${_cv}")
  endif()
  if(NOT _syms MATCHES "${expect}")
    message(FATAL_ERROR "${name}: unexpected nm output (no ${expect})")
  endif()
endfunction()

set(_found 0)
foreach(o ${OBJS})
  get_filename_component(_name ${o} NAME)
  if(_name MATCHES "^cmd_run_loop\\.c\\.o(bj)?$")
    math(EXPR _found "${_found} + 1")
    check_file(${o} ${_name} zp_chain_frame)
  elseif(_name MATCHES "^cmd_run\\.c\\.o(bj)?$")
    math(EXPR _found "${_found} + 1")
    check_file(${o} ${_name} zp_run_daemon)
  endif()
endforeach()
if(NOT _found EQUAL 2)
  message(FATAL_ERROR "expected the objects of cmd_run.c and cmd_run_loop.c, found ${_found} in: ${OBJS}")
endif()
check_file(${CHAIN} chain.c zp_detector_process)
message(STATUS "cmd_run.c, cmd_run_loop.c, chain.c: no zp_cv_* references")
