# SPDX-License-Identifier: MIT
# cmake -DLIBS=a,b,... -P config_links.cmake (registered by tests/config.cmake with the libraries
# zp_config links, directly or through another). Fails when one of them is a device library or
# a room that holds one: the [section] parameter tables live in libraries that open no device,
# so the config loader needs no libv4l2, libgpiod, SQLite, libseccomp, libsystemd or OpenCV.
string(REPLACE "," ";" _libs "${LIBS}")
if(NOT _libs)
  message(FATAL_ERROR "no libraries given (expected the link closure of zp_config)")
endif()
set(_device "^(zp_capture|zp_capture_cv|zp_capture_plainfile|zp_capture_v4l2_obj|zp_gpio|zp_gpio_driver_obj|zp_privacy|zp_cvwrap|PkgConfig::(LIBV4L2|GPIOD|SQLITE3|LIBSECCOMP|SYSTEMD|OPENCV4))$|v4l2|gpiod|sqlite|seccomp|systemd|opencv")
foreach(l ${_libs})
  if(l MATCHES "${_device}")
    message(FATAL_ERROR "zp_config links ${l}: a device library (the config loader must link only the parameter libraries)")
  endif()
endforeach()
message(STATUS "zp_config links only: ${_libs}")
