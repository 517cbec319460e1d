/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A g_return_if_fail() or a warning hit by some input is a bug the
   * fuzzer must report, not a line on stderr it scrolls past. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

guint8
sp_fuzz_input_byte (SpFuzzInput *input)
{
  if (input->pos >= input->size)
    return 0;
  return input->data[input->pos++];
}

char *
sp_fuzz_input_string (SpFuzzInput *input,
                      gsize        max,
                      gsize       *length)
{
  gsize n = MIN (max, input->size - MIN (input->pos, input->size));
  char *text = g_malloc (n + 1);

  if (n > 0)
    memcpy (text, input->data + input->pos, n);
  text[n] = '\0';
  input->pos += n;
  if (length != NULL)
    *length = n;
  return text;
}
