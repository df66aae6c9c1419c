# SPDX-License-Identifier: MIT
# cmake -DREADELF=readelf -DBIN=zebrapad -P daemon_needed.cmake (registered by tests/run.cmake)
# Fails when the daemon binary needs a shared library outside its allowed set: libv4l2,
# libgpiod, SQLite, libinih, libsystemd, libseccomp, cJSON (the audit prints what an export would
# send) and the C runtime. OpenCV, FFmpeg (libav*), libhwy, GDAL, libstdc++ - and any network
# library (libmosquitto, libssl: the export is zebrapad-export's) - are refused by not being on
# the list. With -DALLOWED=regex another binary's set is checked (zebrapad-export).
execute_process(COMMAND ${READELF} -d ${BIN} OUTPUT_VARIABLE _dyn RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "readelf -d ${BIN} failed")
endif()
string(REGEX MATCHALL "Shared library: \\[[^]]+\\]" _needed "${_dyn}")
if(NOT _needed)
  message(FATAL_ERROR "${BIN}: no NEEDED entries (unexpected readelf output)")
endif()
# The sanitizer runtimes (libasan, libubsan) are the ASan/UBSan build's, not the daemon's choice:
# accepted, so that the check also runs in `make test-asan`.
set(_allowed "^(libv4l2|libgpiod|libsqlite3|libinih|libsystemd|libseccomp|libcjson|libc|libm|libpthread|libdl|librt|ld-linux.*|libasan|libubsan)\\.so")
if(ALLOWED)
  set(_allowed "${ALLOWED}")
endif()
foreach(n ${_needed})
  string(REGEX REPLACE "Shared library: \\[([^]]+)\\]" "\\1" _lib "${n}")
  if(NOT _lib MATCHES "${_allowed}")
    message(FATAL_ERROR "${BIN} needs ${_lib}, not one of its allowed libraries")
  endif()
  list(APPEND _libs ${_lib})
endforeach()
message(STATUS "${BIN} needs only: ${_libs}")
