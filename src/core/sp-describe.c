/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-describe.h"

char *
sp_describe_text (const char *text)
{
  GString *out;
  guint n_chars = 0;

  if (text == NULL)
    return g_strdup ("");

  out = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; n_chars++)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (n_chars == SP_DESCRIBE_MAX_CHARS)
        {
          g_string_append (out, "…");
          break;
        }

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_unichar (out, 0xfffd);
          p++;
          continue;
        }

      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_unichar (out, c);
      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}
