/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

/* The libFuzzer entry points. Every target defines the first; fuzz-common.c
 * defines the second for all of them. fuzz-main.c calls both when a target
 * is built without libFuzzer, to replay a corpus. */
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);
int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);

/* A byte reader over the fuzzer's input: past the end every read is 0, so
 * a target never has to check what is left. */
typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         pos;
} SpFuzzInput;

guint8  sp_fuzz_input_byte   (SpFuzzInput *input);
/* At most `max` bytes (fewer if the input ends), as a NUL-terminated string
 * that may hold NULs before its end; `length` is the number of bytes taken. */
char   *sp_fuzz_input_string (SpFuzzInput *input,
                              gsize        max,
                              gsize       *length);

G_END_DECLS
