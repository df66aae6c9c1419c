# SPDX-License-Identifier: MIT
# Cross build for 64-bit ARM (Raspberry Pi 3/4/5 with a 64-bit OS) with
# Debian's gcc-aarch64-linux-gnu; tests run under qemu-aarch64 (user mode).
# Link the tests statically (-DZP_STATIC_TESTS=ON): qemu then needs no
# sysroot (-L), and Check's fork() works. scripts/cross-test-aarch64 does it all.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian multiarch: arm64 libraries (check:arm64) live in /usr/lib/aarch64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
find_program(ZP_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(ZP_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${ZP_QEMU_AARCH64})
endif()
# pkg-config must only see arm64 .pc files.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
