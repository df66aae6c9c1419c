/* SPDX-License-Identifier: MIT */
/*
 * path.h - the small path helpers of the commands that find recordings
 * and their ground truth on disk (eval, tune).
 */
#ifndef ZP_PATH_H
#define ZP_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Paths the helpers handle (longer ones are refused by the commands first). */
#define ZP_PATH_MAX 1024

/* true when path is a folder / a regular file (following links). */
bool zp_path_is_dir(const char *path);
bool zp_path_is_file(const char *path);

/* dst = a/b; false (dst empty) when it does not fit in size. */
bool zp_path_join(char *dst, size_t size, const char *a, const char *b);

#endif
