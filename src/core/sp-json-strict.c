/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-json-strict.h"

#include <string.h>

#include "sp-describe.h"
#include "sp-session.h"

/* Checking the text before json-glib reads it.
 *
 * json-glib 1.6 recurses once per nesting level, wraps integers that do not
 * fit in 64 bits, cuts strings at "\u0000", accepts more than one value in a
 * file, skips comments, keeps the last of two members with the same name and
 * passes a lone UTF-16 surrogate through as invalid UTF-8. None of that may
 * pass silently, so one pass over the text finds it first, with the line and
 * column (in characters) to report. The pass keeps one small record per
 * open bracket, never recurses, and touches each byte a bounded number of
 * times. */

typedef struct
{
  guint line;
  guint column;
} TextPos;

typedef struct
{
  char        closer;
  /* In an object, whether the next string is a member name. */
  gboolean    expect_name;
  /* The object's member names so far (decoded), each with where it was
   * first written; made at the first name. */
  GHashTable *names;
} Level;

typedef struct
{
  const char *name;
  Level       levels[SP_JSON_STRICT_MAX_NESTING];
  guint       depth;
  GString    *member;
} Scan;

static void
set_syntax_error (GError     **error,
                  const char  *name,
                  TextPos      pos,
                  const char  *message)
{
  g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_SYNTAX, "%s:%u:%u: %s",
               name, pos.line, pos.column, message);
}

static TextPos
position_of (const char *data,
             const char *at)
{
  TextPos pos = { 1, 1 };

  for (const char *p = data; p < at; p++)
    {
      if (*p == '\n')
        {
          pos.line++;
          pos.column = 1;
        }
      else if ((*p & 0xc0) != 0x80)
        pos.column++;
    }

  return pos;
}

/* Whether the digits of an integer (no sign, no leading zeros) exceed
 * what gint64 holds. */
static gboolean
integer_too_large (const char *digits,
                   gsize       n_digits,
                   gboolean    negative)
{
  const char *limit = negative ? "9223372036854775808" : "9223372036854775807";

  if (n_digits != 19)
    return n_digits > 19;

  return strncmp (digits, limit, 19) > 0;
}

/* `p` is just past a backslash. */
static gboolean
valid_escape (const char *p,
              const char *end)
{
  if (strchr ("\"\\/bfnrt", *p) != NULL && *p != '\0')
    return TRUE;

  if (*p != 'u' || end - p < 5)
    return FALSE;

  for (guint i = 1; i <= 4; i++)
    if (!g_ascii_isxdigit (p[i]))
      return FALSE;

  return TRUE;
}

/* The code unit of "uXXXX" at `p`, already checked to be four hex digits. */
static gunichar
escape_unit (const char *p)
{
  gunichar unit = 0;

  for (guint i = 1; i <= 4; i++)
    unit = unit * 16 + g_ascii_xdigit_value (p[i]);

  return unit;
}

static char
unescape (char c)
{
  switch (c)
    {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default:  return c;
    }
}

static gboolean
is_high_surrogate (gunichar unit)
{
  return unit >= 0xd800 && unit <= 0xdbff;
}

static gboolean
is_low_surrogate (gunichar unit)
{
  return unit >= 0xdc00 && unit <= 0xdfff;
}

typedef enum
{
  MEMBER_NEW,
  MEMBER_TWICE,
  MEMBER_TOO_MANY,
} MemberCheck;

/* Records a member name of the innermost object, unless the object already
 * has one by that name (then `first` is where) or has all it may have. */
static MemberCheck
add_member_name (Scan    *scan,
                 TextPos  pos,
                 TextPos *first)
{
  Level *level = &scan->levels[scan->depth - 1];
  TextPos *seen;

  if (level->names == NULL)
    level->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  seen = g_hash_table_lookup (level->names, scan->member->str);
  if (seen != NULL)
    {
      *first = *seen;
      return MEMBER_TWICE;
    }

  if (g_hash_table_size (level->names) == SP_JSON_STRICT_MAX_MEMBERS)
    return MEMBER_TOO_MANY;

  g_hash_table_insert (level->names, g_strdup (scan->member->str), g_memdup2 (&pos, sizeof pos));
  return MEMBER_NEW;
}

static gboolean
scan_text (Scan             *scan,
           const char       *data,
           gsize             length,
           SpJsonStrictEnd  *result,
           GError          **error)
{
  const char *name = scan->name;
  gboolean seen_value = FALSE;
  const char *end = data + length;
  const char *p = data;
  const char *invalid;
  TextPos pos = { 1, 1 };

  if (!g_utf8_validate_len (data, length, &invalid))
    {
      /* g_utf8_validate() stops at a NUL too, which is not a decoding
       * problem: say what is there. */
      if (*invalid == '\0')
        set_syntax_error (error, name, position_of (data, invalid),
                          _("a NUL byte; a session file is UTF-8 JSON text, which has none"));
      else
        set_syntax_error (error, name, position_of (data, invalid),
                          _("not UTF-8 text (a session file is UTF-8 JSON)"));
      return FALSE;
    }

  /* A byte order mark is allowed; json-glib skips it. */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    p += 3;

#define ADVANCE()                                       \
  G_STMT_START {                                        \
    if (*p == '\n')                                     \
      {                                                 \
        pos.line++;                                     \
        pos.column = 1;                                 \
      }                                                 \
    else if ((*p & 0xc0) != 0x80)                       \
      pos.column++;                                     \
    p++;                                                \
  } G_STMT_END

  while (p < end)
    {
      char c = *p;

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          ADVANCE ();
          continue;
        }

      /* json-glib skips these as if they were spaces (or, for the last
       * two, fails with a message about the character after them). */
      if (c == '#' || (c == '/' && p + 1 < end && (p[1] == '*' || p[1] == '/')))
        {
          set_syntax_error (error, name, pos, _("comments are not JSON"));
          return FALSE;
        }

      if (scan->depth == 0 && seen_value)
        {
          set_syntax_error (error, name, pos,
                            _("unexpected text after the end of the session object"));
          return FALSE;
        }

      if (c == '"')
        {
          Level *level = scan->depth > 0 ? &scan->levels[scan->depth - 1] : NULL;
          gboolean is_member = level != NULL && level->closer == '}' && level->expect_name;
          TextPos string_pos = pos;

          g_string_truncate (scan->member, 0);

          ADVANCE ();
          while (p < end && *p != '"')
            {
              TextPos escape = pos;
              gunichar unit;

              if ((guchar) *p < 0x20)
                {
                  set_syntax_error (error, name, pos,
                                    _("a control character in a string; write it as an "
                                      "escape such as “\\n” or “\\t”"));
                  return FALSE;
                }

              if (*p != '\\')
                {
                  if (is_member)
                    g_string_append_c (scan->member, *p);
                  ADVANCE ();
                  continue;
                }

              ADVANCE ();
              if (p + 5 <= end && strncmp (p, "u0000", 5) == 0)
                {
                  set_syntax_error (error, name, escape,
                                    _("“\\u0000” cannot be read in a string; give bytes "
                                      "with NUL in them as “hex”"));
                  return FALSE;
                }
              if (p == end)
                break;
              if (!valid_escape (p, end))
                {
                  set_syntax_error (error, name, escape,
                                    _("not a JSON escape; use \\\" \\\\ \\/ \\b \\f "
                                      "\\n \\r \\t or \\u and four hex digits"));
                  return FALSE;
                }

              if (*p != 'u')
                {
                  if (is_member)
                    g_string_append_c (scan->member, unescape (*p));
                  ADVANCE ();
                  continue;
                }

              /* A character beyond U+FFFF is written as two escapes, a
               * high and a low surrogate; either alone is no character,
               * and json-glib would let it through as invalid UTF-8. */
              unit = escape_unit (p);
              if (is_high_surrogate (unit) && end - p >= 11 && p[5] == '\\' &&
                  valid_escape (p + 6, end) && p[6] == 'u' &&
                  is_low_surrogate (escape_unit (p + 6)))
                {
                  unit = 0x10000 + ((unit - 0xd800) << 10) + (escape_unit (p + 6) - 0xdc00);
                  p += 11;
                  pos.column += 11;
                }
              else if (is_high_surrogate (unit) || is_low_surrogate (unit))
                {
                  g_autofree char *message =
                    g_strdup_printf (_("a lone surrogate “\\%.5s” is not a character; write "
                                       "the character itself, or both halves of a pair "
                                       "such as “\\ud83d\\ude00”"), p);

                  set_syntax_error (error, name, escape, message);
                  return FALSE;
                }
              else
                {
                  p += 5;
                  pos.column += 5;
                }

              if (is_member)
                g_string_append_unichar (scan->member, unit);
            }

          if (p == end)
            {
              result->truncated = TRUE;
              result->in_string = TRUE;
              result->line = pos.line;
              result->column = pos.column;
              return TRUE;
            }

          ADVANCE ();
          if (scan->depth == 0)
            seen_value = TRUE;

          if (is_member)
            {
              MemberCheck check;
              TextPos first;

              level->expect_name = FALSE;
              check = add_member_name (scan, string_pos, &first);
              if (check == MEMBER_TWICE)
                {
                  g_autofree char *shown = sp_describe_text (scan->member->str);
                  g_autofree char *message = NULL;

                  /* Translators: the first %s is a member name, the rest
                   * is the line and column of its first appearance. */
                  message = g_strdup_printf (_("“%s” appears twice in one object "
                                               "(the first at %u:%u)"),
                                             shown, first.line, first.column);
                  set_syntax_error (error, name, string_pos, message);
                  return FALSE;
                }
              else if (check == MEMBER_TOO_MANY)
                {
                  g_autofree char *message =
                    g_strdup_printf (_("more than %d members in one object; no object in a "
                                       "session has that many"), SP_JSON_STRICT_MAX_MEMBERS);

                  set_syntax_error (error, name, string_pos, message);
                  return FALSE;
                }
            }
        }
      else if (c == '{' || c == '[')
        {
          Level *level;

          if (scan->depth == SP_JSON_STRICT_MAX_NESTING)
            {
              g_autofree char *message =
                g_strdup_printf (_("nested too deeply (more than %d levels)"),
                                 SP_JSON_STRICT_MAX_NESTING);

              set_syntax_error (error, name, pos, message);
              return FALSE;
            }

          level = &scan->levels[scan->depth++];
          level->closer = c == '{' ? '}' : ']';
          level->expect_name = c == '{';
          level->names = NULL;
          ADVANCE ();
        }
      else if (c == '}' || c == ']')
        {
          /* A mismatched bracket is json-glib's to report. */
          if (scan->depth > 0 && scan->levels[scan->depth - 1].closer == c)
            {
              g_clear_pointer (&scan->levels[--scan->depth].names, g_hash_table_unref);
              if (scan->depth == 0)
                seen_value = TRUE;
            }
          ADVANCE ();
        }
      else if (c == '-' || g_ascii_isdigit (c))
        {
          const char *start = p;
          TextPos number_pos = pos;
          gboolean negative = c == '-';
          gboolean integer = TRUE;
          const char *digits;
          gsize n_digits;

          while (p < end && (g_ascii_isdigit (*p) || *p == '+' || *p == '-' ||
                             *p == '.' || *p == 'e' || *p == 'E'))
            {
              if (*p == '.' || *p == 'e' || *p == 'E')
                integer = FALSE;
              ADVANCE ();
            }

          digits = start + (negative ? 1 : 0);
          if (digits + 1 < p && digits[0] == '0' && g_ascii_isdigit (digits[1]))
            {
              set_syntax_error (error, name, number_pos,
                                _("a number cannot start with 0 (JSON has no octal numbers)"));
              return FALSE;
            }
          n_digits = p - digits;

          if (integer && integer_too_large (digits, n_digits, negative))
            {
              g_autofree char *shown = g_strndup (start, MIN ((gsize) (p - start), 40));
              g_autofree char *message =
                g_strdup_printf (_("the number %s%s is too large to read"),
                                 shown, (gsize) (p - start) > 40 ? "…" : "");

              set_syntax_error (error, name, number_pos, message);
              return FALSE;
            }

          if (scan->depth == 0)
            seen_value = TRUE;
        }
      else
        {
          /* Keywords and stray characters: words end at anything that is
           * not a letter, so "true" and "null" count as one value. */
          if (c == '\'')
            {
              set_syntax_error (error, name, pos,
                                _("JSON strings are written in double quotes (\"), "
                                  "not single ones"));
              return FALSE;
            }

          /* json-glib names the first byte of such a character in octal
           * ("unexpected character `\303'"), often at the wrong place. */
          if ((guchar) c >= 0x80)
            {
              g_autofree char *character = g_strndup (p, g_utf8_next_char (p) - p);
              g_autofree char *message =
                g_strdup_printf (_("“%s” outside a string; text in JSON is written in "
                                   "double quotes"), character);

              set_syntax_error (error, name, pos, message);
              return FALSE;
            }

          if (c == ',' && scan->depth > 0 && scan->levels[scan->depth - 1].closer == '}')
            scan->levels[scan->depth - 1].expect_name = TRUE;

          if (g_ascii_isalpha (c))
            {
              while (p < end && g_ascii_isalnum (*p))
                ADVANCE ();
            }
          else
            ADVANCE ();

          if (scan->depth == 0)
            seen_value = TRUE;
        }
    }

#undef ADVANCE

  if (scan->depth > 0)
    {
      result->truncated = TRUE;
      result->closer = scan->levels[scan->depth - 1].closer;
      result->line = pos.line;
      result->column = pos.column;
    }

  return TRUE;
}

gboolean
sp_json_strict_check (const char       *data,
                      gsize             length,
                      const char       *name,
                      SpJsonStrictEnd  *end,
                      GError          **error)
{
  Scan scan = { .name = name };
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (end != NULL, FALSE);

  memset (end, 0, sizeof *end);
  scan.member = g_string_new (NULL);

  ok = scan_text (&scan, data != NULL ? data : "", length, end, error);

  for (guint i = 0; i < scan.depth; i++)
    g_clear_pointer (&scan.levels[i].names, g_hash_table_unref);
  g_string_free (scan.member, TRUE);

  return ok;
}
