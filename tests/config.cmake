# SPDX-License-Identifier: MIT
# The config loader as the programs link it (zp_config, which holds the [section] setters through
# the rooms' parameter libraries).
if(TARGET zp_config)
  zp_check_test(test_config SOURCES test_config.c LIBS zp_config zp_common)
  # ... and links no device library: every library zp_config links, directly or through another
  # (the closure of LINK_LIBRARIES / INTERFACE_LINK_LIBRARIES at configure time), is checked
  # against the device ones (tests/run_checks/config_links.cmake).
  function(_zp_link_closure tgt out)
    set(_seen ${${out}})
    foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
      get_target_property(_libs ${tgt} ${prop})
      if(NOT _libs)
        continue()
      endif()
      foreach(l ${_libs})
        string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" l "${l}")
        if(l STREQUAL "" OR l IN_LIST _seen)
          continue()
        endif()
        list(APPEND _seen ${l})
        if(TARGET ${l})
          _zp_link_closure(${l} _seen)
        endif()
      endforeach()
    endforeach()
    set(${out} ${_seen} PARENT_SCOPE)
  endfunction()
  set(_zp_config_closure "")
  _zp_link_closure(zp_config _zp_config_closure)
  string(REPLACE ";" "," _zp_config_closure "${_zp_config_closure}")
  add_test(NAME config_links_no_device
    COMMAND ${CMAKE_COMMAND} "-DLIBS=${_zp_config_closure}" -P ${CMAKE_CURRENT_LIST_DIR}/run_checks/config_links.cmake)
  set_tests_properties(config_links_no_device PROPERTIES LABELS "config;daemon")
endif()
