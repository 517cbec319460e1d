/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-report-parser.h"

/* Objects and arrays inside a member the format does not name, at most:
 * deeper is refused rather than followed. */
#define MAX_DEPTH 32

#define NO_STRING G_MAXSIZE

struct _SpReportParser
{
  GString *storage;
  GString *key;
  gsize    offsets[SP_REPORT_N_STRINGS];
};

typedef struct
{
  const char *p;
  const char *end;
} Cursor;

typedef enum
{
  MEMBER_OTHER,
  MEMBER_INT,
  MEMBER_STRING,
  MEMBER_OK,
} MemberKind;

static const struct
{
  const char *name;
  MemberKind  kind;
  guint       which;
} members[] = {
  { "pid", MEMBER_INT, SP_REPORT_PID },
  { "fd", MEMBER_INT, SP_REPORT_FD },
  { "errno", MEMBER_INT, SP_REPORT_ERRNO },
  { "bytes", MEMBER_INT, SP_REPORT_BYTES },
  { "new_fd", MEMBER_INT, SP_REPORT_NEW_FD },
  { "time_us", MEMBER_INT, SP_REPORT_TIME_US },
  { "start_us", MEMBER_INT, SP_REPORT_START_US },
  { "call", MEMBER_STRING, SP_REPORT_CALL },
  { "program", MEMBER_STRING, SP_REPORT_PROGRAM },
  { "family", MEMBER_STRING, SP_REPORT_FAMILY },
  { "type", MEMBER_STRING, SP_REPORT_TYPE },
  { "args", MEMBER_STRING, SP_REPORT_ARGS },
  { "result", MEMBER_STRING, SP_REPORT_RESULT },
  { "local", MEMBER_STRING, SP_REPORT_LOCAL },
  { "remote", MEMBER_STRING, SP_REPORT_REMOTE },
  { "data", MEMBER_STRING, SP_REPORT_DATA },
  { "ok", MEMBER_OK, 0 },
};

SpReportParser *
sp_report_parser_new (void)
{
  SpReportParser *self = g_new0 (SpReportParser, 1);

  self->storage = g_string_sized_new (512);
  self->key = g_string_sized_new (16);
  return self;
}

void
sp_report_parser_free (SpReportParser *self)
{
  if (self == NULL)
    return;
  g_string_free (self->storage, TRUE);
  g_string_free (self->key, TRUE);
  g_free (self);
}

static void
skip_space (Cursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

static gboolean
take (Cursor *c,
      char    expected)
{
  skip_space (c);
  if (c->p >= c->end || *c->p != expected)
    return FALSE;
  c->p++;
  return TRUE;
}

static gboolean
read_hex4 (Cursor   *c,
           gunichar *value)
{
  *value = 0;
  if (c->end - c->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (*c->p++);

      if (digit < 0)
        return FALSE;
      *value = *value * 16 + (gunichar) digit;
    }
  return TRUE;
}

/* \uXXXX, after the "\u": a surrogate pair is one character, a lone
 * surrogate U+FFFD. */
static gboolean
read_escaped_unichar (Cursor   *c,
                      gunichar *value)
{
  gunichar low;
  const char *before_low;

  if (!read_hex4 (c, value))
    return FALSE;
  if (*value >= 0xDC00 && *value <= 0xDFFF)
    *value = 0xFFFD;
  if (*value < 0xD800 || *value > 0xDBFF)
    return TRUE;

  before_low = c->p;
  if (c->end - c->p >= 6 && c->p[0] == '\\' && c->p[1] == 'u')
    {
      c->p += 2;
      if (!read_hex4 (c, &low))
        return FALSE;
      if (low >= 0xDC00 && low <= 0xDFFF)
        {
          *value = 0x10000 + ((*value - 0xD800) << 10) + (low - 0xDC00);
          return TRUE;
        }
    }
  c->p = before_low;
  *value = 0xFFFD;
  return TRUE;
}

/* A string, decoded into `out` unless it is NULL; `has_nul` says whether
 * it held a \u0000. */
static gboolean
read_string (Cursor   *c,
             GString  *out,
             gboolean *has_nul)
{
  if (c->p >= c->end || *c->p != '"')
    return FALSE;
  c->p++;

  while (c->p < c->end)
    {
      guchar ch = (guchar) *c->p;
      gunichar escaped;

      if (ch == '"')
        {
          c->p++;
          return TRUE;
        }
      if (ch < 0x20)
        return FALSE;
      if (ch != '\\')
        {
          const char *run = c->p;

          while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (guchar) *c->p >= 0x20)
            c->p++;
          if (out != NULL)
            g_string_append_len (out, run, c->p - run);
          continue;
        }

      c->p++;
      if (c->p >= c->end)
        return FALSE;
      switch (*c->p++)
        {
        case '"': escaped = '"'; break;
        case '\\': escaped = '\\'; break;
        case '/': escaped = '/'; break;
        case 'b': escaped = '\b'; break;
        case 'f': escaped = '\f'; break;
        case 'n': escaped = '\n'; break;
        case 'r': escaped = '\r'; break;
        case 't': escaped = '\t'; break;
        case 'u':
          if (!read_escaped_unichar (c, &escaped))
            return FALSE;
          break;
        default:
          return FALSE;
        }
      if (escaped == 0)
        *has_nul = TRUE;
      if (out != NULL)
        g_string_append_unichar (out, escaped);
    }
  return FALSE;
}

static gboolean
read_digits (Cursor *c)
{
  const char *start = c->p;

  while (c->p < c->end && g_ascii_isdigit (*c->p))
    c->p++;
  return c->p > start;
}

/* A number as JSON writes it; `is_int` says whether it is a whole number
 * that fits in 64 bits, then in `value`. */
static gboolean
read_number (Cursor   *c,
             gint64   *value,
             gboolean *is_int)
{
  const char *start = c->p;
  gboolean negative = FALSE;
  guint64 magnitude = 0;
  gboolean fits = TRUE;

  if (c->p < c->end && *c->p == '-')
    {
      negative = TRUE;
      c->p++;
    }
  if (c->p < c->end && *c->p == '0')
    c->p++;
  else if (!read_digits (c))
    return FALSE;

  for (const char *d = start + (negative ? 1 : 0); d < c->p; d++)
    {
      guint digit = (guint) (*d - '0');

      if (magnitude > (G_MAXUINT64 - digit) / 10)
        fits = FALSE;
      else
        magnitude = magnitude * 10 + digit;
    }

  *is_int = TRUE;
  if (c->p < c->end && *c->p == '.')
    {
      c->p++;
      if (!read_digits (c))
        return FALSE;
      *is_int = FALSE;
    }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E'))
    {
      c->p++;
      if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
        c->p++;
      if (!read_digits (c))
        return FALSE;
      *is_int = FALSE;
    }

  if (!fits || magnitude > (guint64) G_MAXINT64 + (negative ? 1 : 0))
    *is_int = FALSE;
  if (*is_int)
    *value = negative ? (gint64) (0 - magnitude) : (gint64) magnitude;
  return TRUE;
}

static gboolean
read_literal (Cursor     *c,
              const char *word)
{
  gsize length = strlen (word);

  if ((gsize) (c->end - c->p) < length || memcmp (c->p, word, length) != 0)
    return FALSE;
  c->p += length;
  return TRUE;
}

static gboolean skip_value (Cursor *c, guint depth);

/* The members of an object or the values of an array, after its opening
 * bracket. */
static gboolean
skip_container (Cursor *c,
                char    close,
                guint   depth)
{
  gboolean has_nul = FALSE;

  skip_space (c);
  if (c->p < c->end && *c->p == close)
    {
      c->p++;
      return TRUE;
    }
  for (;;)
    {
      if (close == '}')
        {
          skip_space (c);
          if (!read_string (c, NULL, &has_nul) || !take (c, ':'))
            return FALSE;
        }
      if (!skip_value (c, depth))
        return FALSE;
      skip_space (c);
      if (c->p >= c->end)
        return FALSE;
      if (*c->p == close)
        {
          c->p++;
          return TRUE;
        }
      if (*c->p++ != ',')
        return FALSE;
    }
}

static gboolean
skip_value (Cursor *c,
            guint   depth)
{
  gboolean has_nul = FALSE;
  gboolean is_int;
  gint64 value;

  skip_space (c);
  if (c->p >= c->end)
    return FALSE;
  switch (*c->p)
    {
    case '"':
      return read_string (c, NULL, &has_nul);
    case '{':
    case '[':
      if (depth >= MAX_DEPTH)
        return FALSE;
      return skip_container (c, *c->p++ == '{' ? '}' : ']', depth + 1);
    case 't':
      return read_literal (c, "true");
    case 'f':
      return read_literal (c, "false");
    case 'n':
      return read_literal (c, "null");
    default:
      return read_number (c, &value, &is_int);
    }
}

static gboolean
read_member (SpReportParser *self,
             Cursor         *c,
             SpReport       *report)
{
  MemberKind kind = MEMBER_OTHER;
  guint which = 0;
  gboolean has_nul = FALSE;

  g_string_truncate (self->key, 0);
  skip_space (c);
  if (!read_string (c, self->key, &has_nul) || !take (c, ':'))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (members) && !has_nul; i++)
    if (strcmp (self->key->str, members[i].name) == 0)
      {
        kind = members[i].kind;
        which = members[i].which;
        break;
      }

  skip_space (c);
  if (c->p >= c->end)
    return FALSE;

  if (kind == MEMBER_STRING && *c->p == '"')
    {
      gsize offset = self->storage->len;

      has_nul = FALSE;
      if (!read_string (c, self->storage, &has_nul))
        return FALSE;
      g_string_append_c (self->storage, '\0');
      self->offsets[which] = has_nul ? NO_STRING : offset;
      return TRUE;
    }
  if (kind == MEMBER_INT && (*c->p == '-' || g_ascii_isdigit (*c->p)))
    {
      gboolean is_int;
      gint64 value;

      if (!read_number (c, &value, &is_int))
        return FALSE;
      if (is_int)
        {
          report->ints[which] = value;
          report->has_int |= 1u << which;
        }
      else
        report->has_int &= ~(1u << which);
      return TRUE;
    }
  if (kind == MEMBER_OK && (*c->p == 't' || *c->p == 'f'))
    {
      report->ok = *c->p == 't';
      report->has_ok = TRUE;
      return read_literal (c, report->ok ? "true" : "false");
    }

  /* Of another type than the format says: absent, as if not given. */
  if (kind == MEMBER_STRING)
    self->offsets[which] = NO_STRING;
  else if (kind == MEMBER_INT)
    report->has_int &= ~(1u << which);
  else if (kind == MEMBER_OK)
    report->has_ok = FALSE;
  return skip_value (c, 0);
}

gboolean
sp_report_parser_parse (SpReportParser *self,
                        const char     *text,
                        gsize           length,
                        SpReport       *report)
{
  Cursor c = { text, text + length };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (report != NULL, FALSE);

  memset (report, 0, sizeof *report);
  g_string_truncate (self->storage, 0);
  for (guint i = 0; i < SP_REPORT_N_STRINGS; i++)
    self->offsets[i] = NO_STRING;

  if (!take (&c, '{'))
    return FALSE;
  skip_space (&c);
  if (c.p < c.end && *c.p == '}')
    c.p++;
  else
    for (;;)
      {
        if (!read_member (self, &c, report))
          return FALSE;
        skip_space (&c);
        if (c.p >= c.end)
          return FALSE;
        if (*c.p == '}')
          {
            c.p++;
            break;
          }
        if (*c.p++ != ',')
          return FALSE;
      }
  skip_space (&c);
  if (c.p != c.end)
    return FALSE;

  /* Pointers only now: the storage may have moved as it grew. */
  for (guint i = 0; i < SP_REPORT_N_STRINGS; i++)
    report->strings[i] = self->offsets[i] != NO_STRING ? self->storage->str + self->offsets[i]
                                                        : NULL;
  return TRUE;
}
