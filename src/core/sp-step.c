/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-step.h"

#include "sp-data.h"
#include "sp-describe.h"
#include "sp-errno.h"
#include "sp-session.h"
#include "sp-step-private.h"

#define SP_STEP_MAX_BUFSIZE    (64 * 1024 * 1024)
#define SP_STEP_MAX_COUNT      1000000
#define SP_STEP_MAX_TIMEOUT_MS 3600000
#define SP_STEP_MAX_SLEEP_MS   3600000

struct _SpStepClass
{
  GObjectClass parent_class;
};

G_DEFINE_FINAL_TYPE (SpStep, sp_step, G_TYPE_OBJECT)

/* JSON helpers shared with sp-session.c */

char *
_sp_step_path_member (const char *path,
                      const char *member)
{
  g_autofree char *shown = sp_describe_text (member);

  if (path == NULL || *path == '\0')
    return g_steal_pointer (&shown);

  return g_strconcat (path, ".", shown, NULL);
}

char *
_sp_step_path_index (const char *path,
                     guint       index)
{
  return g_strdup_printf ("%s[%u]", path, index);
}

/* Edits (insert, delete, change, swap two neighbours) from `a` to `b`,
 * ignoring ASCII case. */
static guint
edit_distance (const char *a,
               const char *b)
{
  enum { MAX_WORD = 64 };
  guint d[MAX_WORD + 1][MAX_WORD + 1];
  gsize la = strlen (a);
  gsize lb = strlen (b);

  if (la > MAX_WORD || lb > MAX_WORD)
    return G_MAXUINT;

  for (gsize i = 0; i <= la; i++)
    d[i][0] = i;
  for (gsize j = 0; j <= lb; j++)
    d[0][j] = j;

  for (gsize i = 1; i <= la; i++)
    {
      for (gsize j = 1; j <= lb; j++)
        {
          char ca = g_ascii_tolower (a[i - 1]);
          char cb = g_ascii_tolower (b[j - 1]);
          guint best = MIN (d[i - 1][j] + 1, d[i][j - 1] + 1);

          best = MIN (best, d[i - 1][j - 1] + (ca == cb ? 0 : 1));
          if (i > 1 && j > 1 &&
              ca == g_ascii_tolower (b[j - 2]) && g_ascii_tolower (a[i - 2]) == cb)
            best = MIN (best, d[i - 2][j - 2] + 1);
          d[i][j] = best;
        }
    }

  return d[la][lb];
}

/* The candidate `word` is most likely a typo of, or NULL when none is close. */
const char *
_sp_step_suggest (const char         *word,
                  const char * const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;

  if (word == NULL || *word == '\0')
    return NULL;

  for (guint i = 0; candidates[i] != NULL; i++)
    {
      guint distance = edit_distance (word, candidates[i]);
      guint allowed = MAX (1, (strlen (candidates[i]) + 1) / 3);

      if (distance <= allowed && distance < best_distance)
        {
          best = candidates[i];
          best_distance = distance;
        }
    }

  return best;
}

char *
_sp_step_join (const char * const *names)
{
  return g_strjoinv (", ", (char **) names);
}

void
_sp_step_set_error (GError     **error,
                    const char  *path,
                    const char  *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (path == NULL || *path == '\0')
    g_set_error_literal (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID, message);
  else
    g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID, "%s: %s", path, message);
}

gboolean
_sp_step_check_members (JsonObject         *object,
                        const char         *path,
                        const char * const *known,
                        GError            **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;
      g_autofree char *member_path = NULL;
      const char *suggestion;
      g_autofree char *list = NULL;

      if (g_strv_contains (known, member))
        continue;

      member_path = _sp_step_path_member (path, member);
      suggestion = _sp_step_suggest (member, known);
      if (suggestion != NULL)
        {
          _sp_step_set_error (error, member_path, _("unknown member (did you mean “%s”?)"),
                              suggestion);
          return FALSE;
        }

      list = _sp_step_join (known);
      _sp_step_set_error (error, member_path, _("unknown member; the members here are %s"), list);
      return FALSE;
    }

  return TRUE;
}

gboolean
_sp_step_get_object (JsonNode    *node,
                     const char  *path,
                     JsonObject **out,
                     GError     **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _sp_step_set_error (error, path, _("must be an object"));
      return FALSE;
    }

  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
_sp_step_get_string (JsonNode    *node,
                     const char  *path,
                     const char **out,
                     GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      _sp_step_set_error (error, path, _("must be a string"));
      return FALSE;
    }

  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
_sp_step_get_int (JsonNode    *node,
                  const char  *path,
                  gint64       min,
                  gint64       max,
                  gint64      *out,
                  GError     **error)
{
  gint64 value;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      value = json_node_get_int (node);
      if (value >= min && value <= max)
        {
          *out = value;
          return TRUE;
        }
    }

  if (max == G_MAXINT64)
    {
      g_autofree char *low = g_strdup_printf ("%" G_GINT64_FORMAT, min);

      _sp_step_set_error (error, path, _("must be a whole number, at least %s"), low);
    }
  else
    {
      g_autofree char *low = g_strdup_printf ("%" G_GINT64_FORMAT, min);
      g_autofree char *high = g_strdup_printf ("%" G_GINT64_FORMAT, max);

      _sp_step_set_error (error, path, _("must be a whole number from %s to %s"), low, high);
    }

  return FALSE;
}

gboolean
_sp_step_get_id (JsonNode    *node,
                 const char  *path,
                 const char **out,
                 GError     **error)
{
  const char *id;

  if (!_sp_step_get_string (node, path, &id, error))
    return FALSE;

  if (!sp_socket_config_id_is_valid (id))
    {
      g_autofree char *shown = sp_describe_text (id);

      _sp_step_set_error (error, path,
                          _("“%s” is not a valid id: it must start with a letter or “_” and "
                            "go on with letters, digits, “_” or “-”, at most %d characters"),
                          shown, SP_ID_MAX_LENGTH);
      return FALSE;
    }

  *out = id;
  return TRUE;
}

gboolean
_sp_step_get_option_value (JsonNode    *node,
                           const char  *path,
                           gint64      *value,
                           gboolean    *is_bool,
                           GError     **error)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_BOOLEAN)
        {
          *value = json_node_get_boolean (node) ? 1 : 0;
          *is_bool = TRUE;
          return TRUE;
        }

      if (type == G_TYPE_INT64)
        {
          gint64 number = json_node_get_int (node);

          if (number >= G_MININT && number <= G_MAXINT)
            {
              *value = number;
              *is_bool = FALSE;
              return TRUE;
            }
        }
    }

  _sp_step_set_error (error, path,
                      _("must be true, false or a whole number from %d to %d"),
                      G_MININT, G_MAXINT);
  return FALSE;
}

gboolean
_sp_step_check_option (const char  *name,
                       const char  *path,
                       GError     **error)
{
  const char * const *names = sp_socket_option_names ();
  g_autofree char *shown = NULL;
  const char *suggestion;
  g_autofree char *list = NULL;

  if (g_strv_contains (names, name))
    return TRUE;

  shown = sp_describe_text (name);
  suggestion = _sp_step_suggest (name, names);
  if (suggestion != NULL)
    {
      _sp_step_set_error (error, path,
                          _("unknown socket option “%s” (did you mean “%s”?)"),
                          shown, suggestion);
      return FALSE;
    }

  list = _sp_step_join (names);
  _sp_step_set_error (error, path, _("unknown socket option “%s”; the options are %s"),
                      shown, list);
  return FALSE;
}

/* SpStepData */

static SpStepData *
step_data_new (char       *text,
               char       *encoding,
               char       *hex,
               GBytes     *bytes)
{
  SpStepData *data = g_new0 (SpStepData, 1);

  data->text = text;
  data->encoding = encoding;
  data->hex = hex;
  data->bytes = bytes;

  return data;
}

/* sp-data errors start with the field they were given; keep that, in the
 * domain of session errors. */
static void
propagate_data_error (GError     **error,
                      GError      *local_error,
                      const char  *field)
{
  const char *message = local_error != NULL ? local_error->message : _("invalid data");

  if (g_str_has_prefix (message, field))
    g_set_error_literal (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID, message);
  else
    _sp_step_set_error (error, field, "%s", message);
}

SpStepData *
sp_step_data_new_text (const char  *text,
                       const char  *encoding,
                       GError     **error)
{
  GBytes *bytes;

  g_return_val_if_fail (text != NULL, NULL);

  bytes = sp_data_encode (text, -1, encoding != NULL ? encoding : "utf-8", "text", error);
  if (bytes == NULL)
    return NULL;

  return step_data_new (g_strdup (text), g_strdup (encoding), NULL, bytes);
}

SpStepData *
sp_step_data_new_hex (const char  *hex,
                      GError     **error)
{
  GBytes *bytes;

  g_return_val_if_fail (hex != NULL, NULL);

  bytes = sp_data_parse_hex (hex, "hex", error);
  if (bytes == NULL)
    return NULL;

  return step_data_new (NULL, NULL, g_strdup (hex), bytes);
}

SpStepData *
sp_step_data_copy (const SpStepData *data)
{
  if (data == NULL)
    return NULL;

  return step_data_new (g_strdup (data->text),
                        g_strdup (data->encoding),
                        g_strdup (data->hex),
                        data->bytes != NULL ? g_bytes_ref (data->bytes) : NULL);
}

void
sp_step_data_free (SpStepData *data)
{
  if (data == NULL)
    return;

  g_free (data->text);
  g_free (data->encoding);
  g_free (data->hex);
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_free (data);
}

static SpStepData *
parse_data (JsonNode   *node,
            const char *path,
            GError    **error)
{
  static const char * const known[] = { "text", "encoding", "hex", NULL };
  JsonObject *object;
  JsonNode *text_node;
  JsonNode *encoding_node;
  JsonNode *hex_node;
  g_autoptr(GError) local_error = NULL;
  GBytes *bytes;

  if (!_sp_step_get_object (node, path, &object, error) ||
      !_sp_step_check_members (object, path, known, error))
    return NULL;

  text_node = json_object_get_member (object, "text");
  encoding_node = json_object_get_member (object, "encoding");
  hex_node = json_object_get_member (object, "hex");

  if (text_node != NULL && hex_node != NULL)
    {
      _sp_step_set_error (error, path, _("give either “text” or “hex”, not both"));
      return NULL;
    }

  if (text_node == NULL && hex_node == NULL)
    {
      _sp_step_set_error (error, path, _("give the bytes as “text” or as “hex”"));
      return NULL;
    }

  if (text_node != NULL)
    {
      g_autofree char *text_path = _sp_step_path_member (path, "text");
      g_autofree char *encoding_path = _sp_step_path_member (path, "encoding");
      const char *text;
      const char *encoding = NULL;

      if (!_sp_step_get_string (text_node, text_path, &text, error))
        return NULL;

      if (encoding_node != NULL)
        {
          if (!_sp_step_get_string (encoding_node, encoding_path, &encoding, error))
            return NULL;

          if (!sp_data_encoding_is_known (encoding))
            {
              g_autofree char *shown = sp_describe_text (encoding);

              _sp_step_set_error (error, encoding_path,
                                  _("unknown encoding “%s” (Python’s names: utf-8, ascii, "
                                    "latin-1, utf-16, cp1252, …)"),
                                  shown);
              return NULL;
            }
        }

      bytes = sp_data_encode (text, -1, encoding != NULL ? encoding : "utf-8",
                              text_path, &local_error);
      if (bytes == NULL)
        {
          propagate_data_error (error, local_error, text_path);
          return NULL;
        }

      return step_data_new (g_strdup (text), g_strdup (encoding), NULL, bytes);
    }
  else
    {
      g_autofree char *hex_path = _sp_step_path_member (path, "hex");
      const char *hex;

      if (encoding_node != NULL)
        {
          g_autofree char *encoding_path = _sp_step_path_member (path, "encoding");

          _sp_step_set_error (error, encoding_path, _("only used with “text”, not with “hex”"));
          return NULL;
        }

      if (!_sp_step_get_string (hex_node, hex_path, &hex, error))
        return NULL;

      bytes = sp_data_parse_hex (hex, hex_path, &local_error);
      if (bytes == NULL)
        {
          propagate_data_error (error, local_error, hex_path);
          return NULL;
        }

      return step_data_new (NULL, NULL, g_strdup (hex), bytes);
    }
}

static void
build_data (JsonBuilder      *builder,
            const SpStepData *data)
{
  json_builder_begin_object (builder);

  if (data->text != NULL)
    {
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, data->text);
      if (data->encoding != NULL)
        {
          json_builder_set_member_name (builder, "encoding");
          json_builder_add_string_value (builder, data->encoding);
        }
    }
  else if (data->hex != NULL)
    {
      json_builder_set_member_name (builder, "hex");
      json_builder_add_string_value (builder, data->hex);
    }
  else
    {
      g_autofree char *hex = NULL;
      gsize length = 0;
      const guint8 *bytes = NULL;

      if (data->bytes != NULL)
        bytes = g_bytes_get_data (data->bytes, &length);
      hex = sp_data_format_hex (bytes, length);

      json_builder_set_member_name (builder, "hex");
      json_builder_add_string_value (builder, hex != NULL ? hex : "");
    }

  json_builder_end_object (builder);
}

/* SpStepReply */

/* Takes both. */
SpStepReply *
sp_step_reply_new (SpStepData *contains,
                   SpStepData *data)
{
  SpStepReply *reply = g_new0 (SpStepReply, 1);

  reply->contains = contains;
  reply->data = data;
  return reply;
}

void
sp_step_reply_free (SpStepReply *reply)
{
  if (reply == NULL)
    return;

  sp_step_data_free (reply->contains);
  sp_step_data_free (reply->data);
  g_free (reply);
}

static GPtrArray *
replies_copy (GPtrArray *replies)
{
  GPtrArray *copy;

  if (replies == NULL)
    return NULL;

  copy = g_ptr_array_new_full (replies->len, (GDestroyNotify) sp_step_reply_free);
  for (guint i = 0; i < replies->len; i++)
    {
      const SpStepReply *reply = g_ptr_array_index (replies, i);

      g_ptr_array_add (copy, sp_step_reply_new (sp_step_data_copy (reply->contains),
                                                sp_step_data_copy (reply->data)));
    }

  return copy;
}

/* "replies": [ { "contains": DATA, "data": DATA }, … ], at least one. */
static GPtrArray *
parse_replies (JsonNode   *node,
               const char *path,
               GError    **error)
{
  static const char * const known[] = { "contains", "data", NULL };
  g_autoptr(GPtrArray) replies = NULL;
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      _sp_step_set_error (error, path,
                          _("must be a list of { “contains”: …, “data”: … } objects"));
      return NULL;
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    {
      _sp_step_set_error (error, path,
                          _("must not be empty: give at least one "
                            "{ “contains”: …, “data”: … }, or leave “replies” out"));
      return NULL;
    }

  replies = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_step_reply_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *entry_path = _sp_step_path_index (path, i);
      g_autofree char *contains_path = _sp_step_path_member (entry_path, "contains");
      g_autofree char *data_path = _sp_step_path_member (entry_path, "data");
      g_autoptr(SpStepData) contains = NULL;
      g_autoptr(SpStepData) data = NULL;
      JsonObject *object;
      JsonNode *member;

      if (!_sp_step_get_object (json_array_get_element (array, i), entry_path, &object, error) ||
          !_sp_step_check_members (object, entry_path, known, error))
        return NULL;

      member = json_object_get_member (object, "contains");
      if (member == NULL)
        {
          _sp_step_set_error (error, entry_path,
                              _("missing member “contains” (what a request must contain to get "
                                "this reply)"));
          return NULL;
        }
      contains = parse_data (member, contains_path, error);
      if (contains == NULL)
        return NULL;
      /* Every request contains the empty string: the entry would hide the
       * ones after it and the default. */
      if (g_bytes_get_size (contains->bytes) == 0)
        {
          _sp_step_set_error (error, contains_path,
                              _("must not be empty (it would match every request; the reply "
                                "for any request is the step’s “data”)"));
          return NULL;
        }

      member = json_object_get_member (object, "data");
      if (member == NULL)
        {
          _sp_step_set_error (error, entry_path,
                              _("missing member “data” (the reply to a request that contains "
                                "“contains”)"));
          return NULL;
        }
      data = parse_data (member, data_path, error);
      if (data == NULL)
        return NULL;

      g_ptr_array_add (replies, sp_step_reply_new (g_steal_pointer (&contains),
                                                   g_steal_pointer (&data)));
    }

  return g_steal_pointer (&replies);
}

static void
build_replies (JsonBuilder *builder,
               GPtrArray   *replies)
{
  json_builder_begin_array (builder);
  for (guint i = 0; i < replies->len; i++)
    {
      const SpStepReply *reply = g_ptr_array_index (replies, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "contains");
      build_data (builder, reply->contains);
      json_builder_set_member_name (builder, "data");
      build_data (builder, reply->data);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* SpExpect */

static void
expect_clear (SpExpect *expect)
{
  g_clear_pointer (&expect->error, g_free);
  g_clear_pointer (&expect->data, sp_step_data_free);
  g_clear_pointer (&expect->contains, sp_step_data_free);
  expect->bytes = -1;
  expect->ok = FALSE;
  expect->any = FALSE;
}

static void
expect_copy (const SpExpect *from,
             SpExpect       *to)
{
  to->error = g_strdup (from->error);
  to->data = sp_step_data_copy (from->data);
  to->contains = sp_step_data_copy (from->contains);
  to->bytes = from->bytes;
  to->ok = from->ok;
  to->any = from->any;
}

static const char *
closest_errno_name (const char *name)
{
  const char *names[256];
  guint n = 0;

  /* Linux errno values stay well below 256; getaddrinfo's are small and
   * negative. */
  for (int code = -32; code < 256 && n < G_N_ELEMENTS (names) - 1; code++)
    {
      const char *known = sp_errno_name (code);

      if (known != NULL)
        names[n++] = known;
    }
  names[n] = NULL;

  return _sp_step_suggest (name, names);
}

static gboolean
parse_true (JsonNode   *node,
            const char *path,
            const char *hint,
            GError    **error)
{
  if (JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
      json_node_get_boolean (node))
    return TRUE;

  if (hint != NULL)
    _sp_step_set_error (error, path, _("must be true (%s)"), hint);
  else
    _sp_step_set_error (error, path, _("must be true"));
  return FALSE;
}

static gboolean
parse_expect (JsonNode   *node,
              const char *path,
              SpExpect   *expect,
              GError    **error)
{
  static const char * const known[] = { "error", "data", "contains", "bytes", "ok", "any", NULL };
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (!_sp_step_get_object (node, path, &object, error) ||
      !_sp_step_check_members (object, path, known, error))
    return FALSE;

  if (json_object_get_size (object) == 0)
    {
      _sp_step_set_error (error, path,
                          _("give at least one of “error”, “data”, “contains”, “bytes”, "
                            "“ok” or “any”"));
      return FALSE;
    }

  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;
      JsonNode *value = json_object_get_member (object, member);
      g_autofree char *member_path = _sp_step_path_member (path, member);

      if (g_str_equal (member, "error"))
        {
          const char *name;

          if (!_sp_step_get_string (value, member_path, &name, error))
            return FALSE;

          if (sp_errno_from_name (name) == 0)
            {
              g_autofree char *shown = sp_describe_text (name);
              const char *suggestion = closest_errno_name (name);

              if (suggestion != NULL)
                _sp_step_set_error (error, member_path,
                                    _("unknown errno name “%s” (did you mean “%s”?)"),
                                    shown, suggestion);
              else
                _sp_step_set_error (error, member_path,
                                    _("unknown errno name “%s”; give a name such as "
                                      "ECONNREFUSED or EADDRINUSE"),
                                    shown);
              return FALSE;
            }

          g_free (expect->error);
          expect->error = g_strdup (name);
        }
      else if (g_str_equal (member, "data") || g_str_equal (member, "contains"))
        {
          SpStepData *data = parse_data (value, member_path, error);

          if (data == NULL)
            return FALSE;

          if (g_str_equal (member, "data"))
            {
              sp_step_data_free (expect->data);
              expect->data = data;
            }
          else
            {
              sp_step_data_free (expect->contains);
              expect->contains = data;
            }
        }
      else if (g_str_equal (member, "bytes"))
        {
          if (!_sp_step_get_int (value, member_path, 0, G_MAXINT64, &expect->bytes, error))
            return FALSE;
        }
      else if (g_str_equal (member, "ok"))
        {
          if (!parse_true (value, member_path, _("to expect a failure, give “error”"), error))
            return FALSE;
          expect->ok = TRUE;
        }
      else if (g_str_equal (member, "any"))
        {
          if (!parse_true (value, member_path, NULL, error))
            return FALSE;
          expect->any = TRUE;
        }
    }

  if (expect->error != NULL && expect->ok)
    {
      _sp_step_set_error (error, path, _("“error” and “ok” contradict each other"));
      return FALSE;
    }

  return TRUE;
}

static void
build_expect (JsonBuilder    *builder,
              const SpExpect *expect)
{
  json_builder_begin_object (builder);

  if (expect->error != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, expect->error);
    }
  if (expect->data != NULL)
    {
      json_builder_set_member_name (builder, "data");
      build_data (builder, expect->data);
    }
  if (expect->contains != NULL)
    {
      json_builder_set_member_name (builder, "contains");
      build_data (builder, expect->contains);
    }
  if (expect->bytes >= 0)
    {
      json_builder_set_member_name (builder, "bytes");
      json_builder_add_int_value (builder, expect->bytes);
    }
  if (expect->ok)
    {
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, TRUE);
    }
  if (expect->any)
    {
      json_builder_set_member_name (builder, "any");
      json_builder_add_boolean_value (builder, TRUE);
    }

  json_builder_end_object (builder);
}

/* The members of a step and the calls that take each of them. */

typedef enum
{
  KEY_SOCKET,
  KEY_CALL,
  KEY_HOST,
  KEY_ADDRESS,
  KEY_PORT,
  KEY_TO,
  KEY_AS,
  KEY_BACKLOG,
  KEY_BUFSIZE,
  KEY_UNTIL,
  KEY_COUNT,
  KEY_INTERVAL_MS,
  KEY_DATA,
  KEY_REPLIES,
  KEY_HOW,
  KEY_TIMEOUT_MS,
  KEY_MODE,
  KEY_CONNECTIONS,
  KEY_IDLE_TIMEOUT_MS,
  KEY_MS,
  KEY_TEXT,
  KEY_OPTION,
  KEY_VALUE,
  KEY_NOTE,
  KEY_EXPECT,
} StepKey;

#define CALL(c) (1u << SP_CALL_##c)
#define ALL_CALLS ((1u << SP_N_CALLS) - 1)
#define GLOBAL_CALLS \
  (CALL (GETHOSTNAME) | CALL (GETHOSTBYNAME) | CALL (GETADDRINFO) | CALL (SLEEP) | CALL (NOTE))
#define RECV_CALLS (CALL (RECV) | CALL (RECVFROM) | CALL (RECV_INTO) | CALL (RECVFROM_INTO))
#define SEND_CALLS (CALL (SEND) | CALL (SENDALL) | CALL (SENDTO))
#define CONNECT_CALLS (CALL (CONNECT) | CALL (CONNECT_EX))

G_STATIC_ASSERT (SP_N_CALLS <= 32);

/* In the order sp_step_to_json writes them. */
static const char * const step_key_names[] = {
  "socket", "call", "host", "address", "port", "to", "as", "backlog", "bufsize", "until", "count",
  "interval-ms", "data", "replies", "how", "timeout-ms", "mode", "connections",
  "idle-timeout-ms", "ms", "text",
  "option", "value", "note", "expect", NULL,
};

static const guint32 step_key_calls[] = {
  [KEY_SOCKET] = ALL_CALLS & ~GLOBAL_CALLS,
  [KEY_CALL] = ALL_CALLS,
  [KEY_ADDRESS] = CALL (BIND) | CONNECT_CALLS | CALL (SENDTO) | CALL (SERVE),
  [KEY_PORT] = CALL (BIND) | CONNECT_CALLS | CALL (SENDTO) | CALL (SERVE) | CALL (GETADDRINFO),
  [KEY_TO] = CALL (BIND) | CONNECT_CALLS | CALL (SENDTO),
  [KEY_AS] = CALL (ACCEPT),
  [KEY_BACKLOG] = CALL (LISTEN) | CALL (SERVE),
  [KEY_BUFSIZE] = RECV_CALLS | CALL (SERVE),
  [KEY_UNTIL] = RECV_CALLS,
  [KEY_COUNT] = RECV_CALLS | SEND_CALLS,
  [KEY_INTERVAL_MS] = SEND_CALLS,
  [KEY_DATA] = SEND_CALLS | CALL (SERVE),
  [KEY_REPLIES] = CALL (SERVE),
  [KEY_HOW] = CALL (SHUTDOWN),
  [KEY_TIMEOUT_MS] = CALL (ACCEPT) | CONNECT_CALLS | SEND_CALLS | RECV_CALLS | CALL (SERVE) |
                     CALL (GETHOSTBYNAME) | CALL (GETADDRINFO),
  [KEY_MODE] = CALL (SERVE),
  [KEY_CONNECTIONS] = CALL (SERVE),
  [KEY_IDLE_TIMEOUT_MS] = CALL (SERVE),
  [KEY_MS] = CALL (SLEEP),
  [KEY_TEXT] = CALL (NOTE),
  [KEY_OPTION] = CALL (SETSOCKOPT),
  [KEY_VALUE] = CALL (SETSOCKOPT),
  [KEY_HOST] = CALL (GETHOSTBYNAME) | CALL (GETADDRINFO),
  [KEY_NOTE] = ALL_CALLS,
  [KEY_EXPECT] = ALL_CALLS,
};

G_STATIC_ASSERT (G_N_ELEMENTS (step_key_names) == KEY_EXPECT + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (step_key_calls) == KEY_EXPECT + 1);

static void
get_call_names (const char *names[SP_N_CALLS + 1])
{
  for (guint i = 0; i < SP_N_CALLS; i++)
    names[i] = sp_call_to_string ((SpCall) i);
  names[SP_N_CALLS] = NULL;
}

static char *
describe_calls (guint32 calls)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; i < SP_N_CALLS; i++)
    {
      if (calls & (1u << i))
        g_ptr_array_add (names, (gpointer) sp_call_to_string ((SpCall) i));
    }
  g_ptr_array_add (names, NULL);

  return _sp_step_join ((const char * const *) names->pdata);
}

static gboolean
parse_member (SpStep     *self,
              StepKey     key,
              JsonNode   *node,
              const char *path,
              GError    **error)
{
  const char *text = NULL;
  gint64 number = 0;

  switch (key)
    {
    case KEY_CALL:
      /* Read before the others. */
      return TRUE;

    case KEY_SOCKET:
    case KEY_TO:
      {
        char **field = key == KEY_SOCKET ? &self->socket : &self->to;

        if (!_sp_step_get_string (node, path, &text, error))
          return FALSE;
        if (*text == '\0')
          {
            _sp_step_set_error (error, path, _("must name a socket"));
            return FALSE;
          }
        g_free (*field);
        *field = g_strdup (text);
        return TRUE;
      }

    case KEY_AS:
      if (!_sp_step_get_id (node, path, &text, error))
        return FALSE;
      g_free (self->as);
      self->as = g_strdup (text);
      return TRUE;

    case KEY_NOTE:
    case KEY_ADDRESS:
    case KEY_TEXT:
    case KEY_HOST:
      {
        char **field = key == KEY_NOTE ? &self->note :
                       key == KEY_ADDRESS ? &self->address :
                       key == KEY_TEXT ? &self->text : &self->host;

        if (!_sp_step_get_string (node, path, &text, error))
          return FALSE;
        g_free (*field);
        *field = g_strdup (text);
        return TRUE;
      }

    case KEY_PORT:
      if (!_sp_step_get_int (node, path, 0, G_MAXUINT16, &number, error))
        return FALSE;
      self->port = number;
      return TRUE;

    case KEY_BACKLOG:
      if (!_sp_step_get_int (node, path, 0, G_MAXINT, &number, error))
        return FALSE;
      self->backlog = number;
      return TRUE;

    case KEY_BUFSIZE:
      return _sp_step_get_int (node, path, 1, SP_STEP_MAX_BUFSIZE, &self->bufsize, error);

    case KEY_UNTIL:
      if (!JSON_NODE_HOLDS_VALUE (node) ||
          json_node_get_value_type (node) != G_TYPE_STRING ||
          !g_str_equal (json_node_get_string (node), "eof"))
        {
          _sp_step_set_error (error, path, _("must be “eof” (repeat until the peer closes)"));
          return FALSE;
        }
      self->until_eof = TRUE;
      return TRUE;

    case KEY_COUNT:
      if (!_sp_step_get_int (node, path, 1, SP_STEP_MAX_COUNT, &number, error))
        return FALSE;
      self->count = number;
      return TRUE;

    case KEY_INTERVAL_MS:
      if (!_sp_step_get_int (node, path, 0, SP_STEP_MAX_TIMEOUT_MS, &number, error))
        return FALSE;
      self->interval_ms = number;
      return TRUE;

    case KEY_DATA:
      {
        SpStepData *data = parse_data (node, path, error);

        if (data == NULL)
          return FALSE;
        sp_step_data_free (self->data);
        self->data = data;
        return TRUE;
      }

    case KEY_REPLIES:
      {
        GPtrArray *replies = parse_replies (node, path, error);

        if (replies == NULL)
          return FALSE;
        g_clear_pointer (&self->replies, g_ptr_array_unref);
        self->replies = replies;
        return TRUE;
      }

    case KEY_HOW:
      if (!JSON_NODE_HOLDS_VALUE (node) ||
          json_node_get_value_type (node) != G_TYPE_STRING ||
          !sp_shutdown_how_from_string (json_node_get_string (node), &self->how))
        {
          _sp_step_set_error (error, path, _("must be “read”, “write” or “both”"));
          return FALSE;
        }
      self->has_how = TRUE;
      return TRUE;

    case KEY_TIMEOUT_MS:
      if (!_sp_step_get_int (node, path, 1, SP_STEP_MAX_TIMEOUT_MS, &number, error))
        return FALSE;
      self->timeout_ms = number;
      return TRUE;

    case KEY_MODE:
      if (!JSON_NODE_HOLDS_VALUE (node) ||
          json_node_get_value_type (node) != G_TYPE_STRING ||
          !sp_serve_mode_from_string (json_node_get_string (node), &self->mode))
        {
          _sp_step_set_error (error, path, _("must be “echo”, “discard” or “reply”"));
          return FALSE;
        }
      self->has_mode = TRUE;
      return TRUE;

    case KEY_CONNECTIONS:
      if (!_sp_step_get_int (node, path, 1, G_MAXINT, &number, error))
        return FALSE;
      self->connections = number;
      return TRUE;

    case KEY_IDLE_TIMEOUT_MS:
      if (!_sp_step_get_int (node, path, 1, SP_STEP_MAX_TIMEOUT_MS, &number, error))
        return FALSE;
      self->idle_timeout_ms = number;
      return TRUE;

    case KEY_MS:
      if (!_sp_step_get_int (node, path, 0, SP_STEP_MAX_SLEEP_MS, &number, error))
        return FALSE;
      self->ms = number;
      return TRUE;

    case KEY_OPTION:
      if (!_sp_step_get_string (node, path, &text, error) ||
          !_sp_step_check_option (text, path, error))
        return FALSE;
      g_free (self->option);
      self->option = g_strdup (text);
      return TRUE;

    case KEY_VALUE:
      return _sp_step_get_option_value (node, path, &self->value, &self->value_is_bool, error);

    case KEY_EXPECT:
      expect_clear (&self->expect);
      if (!parse_expect (node, path, &self->expect, error))
        return FALSE;
      self->has_expect = TRUE;
      return TRUE;
    }

  return TRUE;
}

static gboolean
parse_call (JsonObject *object,
            const char *path,
            SpCall     *call,
            GError    **error)
{
  g_autofree char *call_path = _sp_step_path_member (path, "call");
  JsonNode *node = json_object_get_member (object, "call");
  const char *names[SP_N_CALLS + 1];
  const char *name;
  g_autofree char *shown = NULL;
  const char *suggestion;
  g_autofree char *list = NULL;

  if (node == NULL)
    {
      _sp_step_set_error (error, path, _("missing member “call”"));
      return FALSE;
    }

  if (!_sp_step_get_string (node, call_path, &name, error))
    return FALSE;

  if (sp_call_from_string (name, call))
    return TRUE;

  get_call_names (names);
  shown = sp_describe_text (name);
  suggestion = _sp_step_suggest (name, names);
  if (suggestion != NULL)
    {
      _sp_step_set_error (error, call_path, _("unknown call “%s” (did you mean “%s”?)"),
                          shown, suggestion);
      return FALSE;
    }

  list = _sp_step_join (names);
  _sp_step_set_error (error, call_path, _("unknown call “%s”; the calls are %s"), shown, list);
  return FALSE;
}

#define SEEN(key) ((seen & (1u << (key))) != 0)

static gboolean
require_member (SpStep     *self,
                gboolean    present,
                const char *path,
                const char *member,
                GError    **error)
{
  if (present)
    return TRUE;

  _sp_step_set_error (error, path, _("missing member “%s” (“%s” needs it)"),
                      member, sp_call_to_string (self->call));
  return FALSE;
}

/* What a call needs and what its members must agree on. */
static gboolean
check_call (SpStep     *self,
            guint32     seen,
            const char *path,
            GError    **error)
{
  SpCall call = self->call;
  guint32 bit = 1u << call;

  if (!sp_call_is_global (call) && !require_member (self, SEEN (KEY_SOCKET), path, "socket", error))
    return FALSE;

  if ((bit & SEND_CALLS) && !require_member (self, SEEN (KEY_DATA), path, "data", error))
    return FALSE;

  if (call == SP_CALL_SERVE)
    {
      gboolean reply = self->has_mode && self->mode == SP_SERVE_REPLY;

      if (reply && self->data == NULL)
        {
          _sp_step_set_error (error, path, _("missing member “data” (“mode”: “reply” needs it)"));
          return FALSE;
        }

      if (!reply && self->data != NULL)
        {
          g_autofree char *data_path = _sp_step_path_member (path, "data");

          _sp_step_set_error (error, data_path, _("only used with “mode”: “reply”"));
          return FALSE;
        }

      if (!reply && self->replies != NULL)
        {
          g_autofree char *replies_path = _sp_step_path_member (path, "replies");

          _sp_step_set_error (error, replies_path, _("only used with “mode”: “reply”"));
          return FALSE;
        }
    }

  if (call == SP_CALL_SLEEP && !require_member (self, SEEN (KEY_MS), path, "ms", error))
    return FALSE;

  if (call == SP_CALL_NOTE && !require_member (self, SEEN (KEY_TEXT), path, "text", error))
    return FALSE;

  if (call == SP_CALL_SETSOCKOPT &&
      (!require_member (self, SEEN (KEY_OPTION), path, "option", error) ||
       !require_member (self, SEEN (KEY_VALUE), path, "value", error)))
    return FALSE;

  if ((call == SP_CALL_GETHOSTBYNAME || call == SP_CALL_GETADDRINFO) &&
      !require_member (self, SEEN (KEY_HOST), path, "host", error))
    return FALSE;

  if (SEEN (KEY_TO) && (SEEN (KEY_ADDRESS) || SEEN (KEY_PORT)))
    {
      g_autofree char *to_path = _sp_step_path_member (path, "to");

      _sp_step_set_error (error, to_path,
                          _("give either “to” or “address” and “port”, not both"));
      return FALSE;
    }

  if (SEEN (KEY_UNTIL) && SEEN (KEY_COUNT))
    {
      g_autofree char *count_path = _sp_step_path_member (path, "count");

      _sp_step_set_error (error, count_path, _("give either “until” or “count”, not both"));
      return FALSE;
    }

  return TRUE;
}

SpStep *
sp_step_new_from_json (JsonObject  *object,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(SpStep) self = NULL;
  g_autoptr(GList) members = NULL;
  guint32 seen = 0;
  SpCall call;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path == NULL)
    path = "";

  if (!parse_call (object, path, &call, error))
    return NULL;

  self = sp_step_new (NULL, call);

  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;
      JsonNode *node = json_object_get_member (object, member);
      g_autofree char *member_path = _sp_step_path_member (path, member);
      gint key = -1;

      for (guint i = 0; step_key_names[i] != NULL; i++)
        {
          if (g_str_equal (member, step_key_names[i]))
            {
              key = i;
              break;
            }
        }

      if (key < 0)
        {
          const char *suggestion = _sp_step_suggest (member, step_key_names);

          if (suggestion != NULL)
            _sp_step_set_error (error, member_path, _("unknown member (did you mean “%s”?)"),
                                suggestion);
          else
            _sp_step_set_error (error, member_path, _("unknown member of a step"));
          return NULL;
        }

      if ((step_key_calls[key] & (1u << call)) == 0)
        {
          if (key == KEY_SOCKET)
            {
              _sp_step_set_error (error, member_path, _("“%s” acts on no socket"),
                                  sp_call_to_string (call));
            }
          else
            {
              g_autofree char *calls = describe_calls (step_key_calls[key]);

              _sp_step_set_error (error, member_path, _("not used by “%s” (only by %s)"),
                                  sp_call_to_string (call), calls);
            }
          return NULL;
        }

      if (!parse_member (self, key, node, member_path, error))
        return NULL;
      seen |= 1u << key;
    }

  if (!check_call (self, seen, path, error))
    return NULL;

  return g_steal_pointer (&self);
}

JsonNode *
sp_step_to_json (SpStep *self)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (SP_IS_STEP (self), NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);

#define ADD_STRING(name, value)                             \
  G_STMT_START {                                            \
    if ((value) != NULL)                                    \
      {                                                     \
        json_builder_set_member_name (builder, name);       \
        json_builder_add_string_value (builder, value);     \
      }                                                     \
  } G_STMT_END
#define ADD_INT(name, value)                                \
  G_STMT_START {                                            \
    if ((value) >= 0)                                       \
      {                                                     \
        json_builder_set_member_name (builder, name);       \
        json_builder_add_int_value (builder, value);        \
      }                                                     \
  } G_STMT_END

  ADD_STRING ("socket", self->socket);
  ADD_STRING ("call", sp_call_to_string (self->call));
  ADD_STRING ("host", self->host);
  ADD_STRING ("address", self->address);
  ADD_INT ("port", self->port);
  ADD_STRING ("to", self->to);
  ADD_STRING ("as", self->as);
  ADD_INT ("backlog", self->backlog);
  ADD_INT ("bufsize", self->bufsize);
  if (self->until_eof)
    ADD_STRING ("until", "eof");
  ADD_INT ("count", self->count);
  ADD_INT ("interval-ms", self->interval_ms);
  if (self->data != NULL)
    {
      json_builder_set_member_name (builder, "data");
      build_data (builder, self->data);
    }
  if (self->replies != NULL)
    {
      json_builder_set_member_name (builder, "replies");
      build_replies (builder, self->replies);
    }
  if (self->has_how)
    ADD_STRING ("how", sp_shutdown_how_to_string (self->how));
  ADD_INT ("timeout-ms", self->timeout_ms);
  if (self->has_mode)
    ADD_STRING ("mode", sp_serve_mode_to_string (self->mode));
  ADD_INT ("connections", self->connections);
  ADD_INT ("idle-timeout-ms", self->idle_timeout_ms);
  ADD_INT ("ms", self->ms);
  ADD_STRING ("text", self->text);
  ADD_STRING ("option", self->option);
  if (self->value_is_bool)
    {
      json_builder_set_member_name (builder, "value");
      json_builder_add_boolean_value (builder, self->value != 0);
    }
  else if (self->option != NULL)
    {
      json_builder_set_member_name (builder, "value");
      json_builder_add_int_value (builder, self->value);
    }
  ADD_STRING ("note", self->note);
  if (self->has_expect)
    {
      json_builder_set_member_name (builder, "expect");
      build_expect (builder, &self->expect);
    }

#undef ADD_STRING
#undef ADD_INT

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* SpStep */

static void
sp_step_finalize (GObject *object)
{
  SpStep *self = SP_STEP (object);

  g_clear_pointer (&self->socket, g_free);
  g_clear_pointer (&self->note, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->to, g_free);
  g_clear_pointer (&self->as, g_free);
  g_clear_pointer (&self->data, sp_step_data_free);
  g_clear_pointer (&self->replies, g_ptr_array_unref);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->option, g_free);
  g_clear_pointer (&self->host, g_free);
  expect_clear (&self->expect);

  G_OBJECT_CLASS (sp_step_parent_class)->finalize (object);
}

static void
sp_step_class_init (SpStepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sp_step_finalize;
}

static void
sp_step_init (SpStep *self)
{
  self->port = -1;
  self->backlog = -1;
  self->bufsize = -1;
  self->count = -1;
  self->interval_ms = -1;
  self->timeout_ms = -1;
  self->connections = -1;
  self->idle_timeout_ms = -1;
  self->ms = -1;
  self->expect.bytes = -1;
}

SpStep *
sp_step_new (const char *socket,
             SpCall      call)
{
  SpStep *self;

  g_return_val_if_fail ((guint) call < SP_N_CALLS, NULL);

  self = g_object_new (SP_TYPE_STEP, NULL);
  self->socket = g_strdup (socket);
  self->call = call;

  return self;
}

SpStep *
sp_step_copy (SpStep *self)
{
  SpStep *copy;

  g_return_val_if_fail (SP_IS_STEP (self), NULL);

  copy = sp_step_new (self->socket, self->call);
  copy->note = g_strdup (self->note);
  copy->address = g_strdup (self->address);
  copy->port = self->port;
  copy->to = g_strdup (self->to);
  copy->as = g_strdup (self->as);
  copy->backlog = self->backlog;
  copy->bufsize = self->bufsize;
  copy->until_eof = self->until_eof;
  copy->count = self->count;
  copy->interval_ms = self->interval_ms;
  copy->data = sp_step_data_copy (self->data);
  copy->replies = replies_copy (self->replies);
  copy->how = self->how;
  copy->has_how = self->has_how;
  copy->timeout_ms = self->timeout_ms;
  copy->mode = self->mode;
  copy->has_mode = self->has_mode;
  copy->connections = self->connections;
  copy->idle_timeout_ms = self->idle_timeout_ms;
  copy->ms = self->ms;
  copy->text = g_strdup (self->text);
  copy->option = g_strdup (self->option);
  copy->value = self->value;
  copy->value_is_bool = self->value_is_bool;
  copy->host = g_strdup (self->host);
  copy->has_expect = self->has_expect;
  expect_copy (&self->expect, &copy->expect);

  return copy;
}

gsize
sp_step_get_bufsize (SpStep *self)
{
  g_return_val_if_fail (SP_IS_STEP (self), SP_STEP_DEFAULT_BUFSIZE);

  return self->bufsize > 0 ? (gsize) self->bufsize : SP_STEP_DEFAULT_BUFSIZE;
}

guint
sp_step_get_count (SpStep *self)
{
  g_return_val_if_fail (SP_IS_STEP (self), 1);

  return self->count > 0 ? (guint) self->count : 1;
}

guint
sp_step_get_timeout_ms (SpStep *self)
{
  g_return_val_if_fail (SP_IS_STEP (self), SP_STEP_DEFAULT_TIMEOUT_MS);

  return self->timeout_ms > 0 ? (guint) self->timeout_ms : SP_STEP_DEFAULT_TIMEOUT_MS;
}
