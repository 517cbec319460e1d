/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-codegen.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "sp-data.h"
#include "sp-endpoint.h"
#include "sp-errno.h"
#include "sp-files-replace.h"
#include "sp-socket-options.h"

/* Where the export puts a listener that the session bound to port 0: the
 * client script has to know the port before it runs, so both scripts use
 * one fixed port from the dynamic range, derived from the session title so
 * that exporting twice gives the same scripts. The range stays above
 * Linux's ephemeral ports (32768–60999) so that no connection the kernel
 * numbers can be holding it. */
#define EXPORT_PORT_FIRST 61000
#define EXPORT_PORT_LAST  65000

#define DOCSTRING_WIDTH 72

typedef enum
{
  ROLE_CLIENT,
  ROLE_SERVER,
} Role;

typedef struct
{
  SpFamily    family;
  const char *host;   /* for UNIX sockets the path, "@name" when abstract */
  gint        port;   /* -1 for UNIX sockets */
  gboolean    fixed;  /* the session said port 0; this is the export's port */
} Endpoint;

typedef struct
{
  GPtrArray  *sockets;      /* SpSocketConfig, session order */
  GPtrArray  *steps;        /* SpStep, session order */
  GHashTable *accepted;     /* id that accept makes → the listener's id */
  GHashTable *roles;        /* socket id → GINT_TO_POINTER (Role) */
  GHashTable *fixed_ports;  /* socket id → GINT_TO_POINTER (port) */
} Analysis;

typedef struct
{
  guint statements;  /* of the enclosing block, restored on close */
  gint  end;         /* a `with` block: where it ends (see Interval); else -1 */
} Block;

/* A socket's life in one script, for `with` blocks. Positions are doubled
 * so that "before step p" (2p) and "after step p" (2p + 1) both fit: a
 * configured socket is made before its first step, an accepted one after
 * its accept, and a socket is closed after its close step. */
typedef struct
{
  gint start;
  gint end;
} Interval;

typedef struct
{
  Analysis   *analysis;
  gboolean    script;      /* a whole program, not the code view's line */
  Role        role;        /* of the program */
  GString    *out;
  GString    *defs;        /* functions the program defines before its body */
  guint       indent;
  guint       statements;  /* statements written in the innermost block */
  GArray     *blocks;      /* of Block */

  /* The constants at the top of the program, NULL / -1 if it has none. */
  const char *host;
  gint        port;
  gboolean    port_fixed;
  const char *path;

  gboolean    uses_errno;
  gboolean    uses_os;
  gboolean    uses_threading;
  gboolean    uses_impairment;
  gboolean    uses_time;
  gboolean    have_addr;   /* an accept, recvfrom or recvfrom_into has set `addr` */
  const char *destination; /* where the step really went, as Python, or NULL */

  GHashTable *created;     /* socket ids that exist in the program so far */
  GHashTable *intervals;   /* id → Interval when the program uses `with` */
  GHashTable *functions;   /* names of the functions in defs */
} Writer;

/* Names the generated code uses itself, and Python's keywords: a socket id
 * that is one of these gets a suffix so the program still works. */
static const char * const reserved_names[] = {
  "False", "None", "True", "and", "as", "assert", "async", "await", "break",
  "class", "continue", "def", "del", "elif", "else", "except", "finally",
  "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
  "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
  "socket", "errno", "os", "time", "threading", "data", "addr", "err", "e",
  "sent", "received", "buffer", "nbytes", "thread", "threads", "info",
  "print", "range", "len", "repr", "bytes", "bytearray", "HOST", "PORT",
  "SOCKET_PATH", "random", "ImpairedSocket",
};

static void emit (Writer     *w,
                  const char *format,
                  ...) G_GNUC_PRINTF (2, 3);
static void block_open (Writer     *w,
                        gint        end,
                        const char *format,
                        ...) G_GNUC_PRINTF (3, 4);

void
sp_script_free (SpScript *script)
{
  if (script == NULL)
    return;

  g_free (script->filename);
  g_free (script->content);
  g_free (script);
}

static SpScript *
sp_script_new (const char *filename,
               char       *content)
{
  SpScript *script = g_new0 (SpScript, 1);

  script->filename = g_strdup (filename);
  script->content = content;

  return script;
}

/* Python formatting */

static char *
py_name (const char *id)
{
  char *name;

  if (id == NULL)
    return g_strdup ("s");

  name = g_strdup (id);
  g_strdelimit (name, "-", '_');

  for (guint i = 0; i < G_N_ELEMENTS (reserved_names); i++)
    {
      if (g_str_equal (name, reserved_names[i]))
        {
          char *suffixed = g_strconcat (name, "_sock", NULL);

          g_free (name);
          return suffixed;
        }
    }

  return name;
}

static char *
py_string (const char *text)
{
  return sp_data_format_python_string (text != NULL ? text : "");
}

/* An abstract name ("@name") is a str with a leading NUL in Python. */
static char *
py_unix_path (const char *path)
{
  g_autofree char *literal = NULL;
  const char *nul;

  if (path[0] != '@')
    return py_string (path);

  literal = py_string (path + 1);
  /* '\0' followed by an octal digit would read as one longer escape */
  nul = (literal[1] >= '0' && literal[1] <= '7') ? "\\x00" : "\\0";

  return g_strdup_printf ("%c%s%s", literal[0], nul, literal + 1);
}

static gboolean
encoding_is_utf8 (const char *encoding)
{
  return encoding == NULL ||
         g_ascii_strcasecmp (encoding, "utf-8") == 0 ||
         g_ascii_strcasecmp (encoding, "utf8") == 0 ||
         g_ascii_strcasecmp (encoding, "utf_8") == 0;
}

/* Whether `text` (length bytes) encodes to exactly `bytes`. */
static gboolean
text_encodes_to (const char *text,
                 gsize       length,
                 const char *encoding,
                 GBytes     *bytes)
{
  g_autoptr(GBytes) encoded = NULL;

  if (memchr (text, '\0', length) != NULL)
    return FALSE;

  encoded = sp_data_encode (text, length, encoding, "data", NULL);

  return encoded != NULL && g_bytes_equal (encoded, bytes);
}

/* The Python expression for a step's bytes: a bytes literal, or for text in
 * another encoding than UTF-8 the text and its .encode(), as the notes
 * teach it. */
static char *
py_data (const SpStepData *data)
{
  const guint8 *bytes;
  gsize length;

  if (data == NULL || data->bytes == NULL)
    return g_strdup ("b''");

  bytes = g_bytes_get_data (data->bytes, &length);

  if (data->text != NULL && !encoding_is_utf8 (data->encoding))
    {
      g_autofree char *unescaped = NULL;
      gsize unescaped_length = 0;

      /* The text form may hold escapes or not depending on where it came
       * from; use whichever reading gives the step's bytes. */
      if (text_encodes_to (data->text, strlen (data->text), data->encoding, data->bytes))
        {
          g_autofree char *literal = py_string (data->text);
          g_autofree char *encoding = py_string (data->encoding);

          return g_strdup_printf ("%s.encode(%s)", literal, encoding);
        }

      unescaped = sp_data_parse_escapes (data->text, "data", &unescaped_length, NULL);
      if (unescaped != NULL &&
          text_encodes_to (unescaped, unescaped_length, data->encoding, data->bytes))
        {
          g_autofree char *literal = py_string (unescaped);
          g_autofree char *encoding = py_string (data->encoding);

          return g_strdup_printf ("%s.encode(%s)", literal, encoding);
        }
    }

  return sp_data_format_python_bytes (bytes, length, 0);
}

static char *
py_seconds (gint64 ms)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%g", ms / 1000.0));
}

static char *
py_protocol (SpSocketConfig *config)
{
  const char *constant;

  if (config->protocol_name == NULL && config->protocol == 0)
    return NULL;

  /* The name as written wins over the number. */
  if (config->protocol_name != NULL)
    {
      const char *name = NULL;
      int number;

      if (sp_protocol_parse (config->protocol_name, "protocol", &number, &name, NULL) &&
          name != NULL)
        return g_strdup (sp_protocol_get_python (number));
    }
  else if ((constant = sp_protocol_get_python (config->protocol)) != NULL)
    {
      return g_strdup (constant);
    }

  return g_strdup_printf ("%d", config->protocol);
}

/* The level setsockopt needs for an option. */
static const char *
py_option_level (const char *option)
{
  const SpSocketOptionInfo *info = sp_socket_option_lookup (option);

  /* A session names only the table's options; a configuration made in
   * code might not, and Python's generic level is the likeliest. */
  return info != NULL ? info->python_level : "socket.SOL_SOCKET";
}

static char *
py_option_value (gint64   value,
                 gboolean is_bool)
{
  if (is_bool)
    return g_strdup (value ? "1" : "0");

  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static const char *
py_shutdown_how (SpStep *step)
{
  if (!step->has_how)
    return "socket.SHUT_RDWR";

  switch (step->how)
    {
    case SP_SHUTDOWN_READ:
      return "socket.SHUT_RD";
    case SP_SHUTDOWN_WRITE:
      return "socket.SHUT_WR";
    case SP_SHUTDOWN_BOTH:
    default:
      return "socket.SHUT_RDWR";
    }
}

/* errno.NAME only exists for names that look like one; EAI_ names are
 * socket.EAI_NAME. */
static gboolean
is_errno_name (const char *name)
{
  if (name[0] != 'E' || name[1] == '\0' || g_str_has_prefix (name, "EAI_"))
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isupper (*p) && !g_ascii_isdigit (*p) && *p != '_')
        return FALSE;
    }

  return TRUE;
}

/* A client cannot connect to the wildcard address a server bound to; the
 * loopback address of the client's own family reaches the same listener
 * (an IPv4 client of a dual-stack IPv6 listener uses 127.0.0.1). */
static const char *
connectable_host (SpFamily    family,
                  const char *host)
{
  if (host[0] == '\0' || g_str_equal (host, "0.0.0.0") || g_str_equal (host, "::"))
    return sp_endpoint_loopback_text (family);
  return host;
}

/* Analysis of a session: which socket is which, and where it listens */

static SpSocketConfig *
analysis_config (Analysis   *a,
                 const char *id)
{
  /* accepted sockets are looked up through their listener; the bound
   * keeps a malformed chain of accepts from looping */
  for (guint depth = 0; id != NULL && depth < 8; depth++)
    {
      for (guint i = 0; i < a->sockets->len; i++)
        {
          SpSocketConfig *config = g_ptr_array_index (a->sockets, i);

          if (g_strcmp0 (config->id, id) == 0)
            return config;
        }

      id = g_hash_table_lookup (a->accepted, id);
    }

  return NULL;
}

static gboolean
analysis_is_configured (Analysis   *a,
                        const char *id)
{
  for (guint i = 0; i < a->sockets->len; i++)
    {
      SpSocketConfig *config = g_ptr_array_index (a->sockets, i);

      if (g_strcmp0 (config->id, id) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
analysis_is_accepted (Analysis   *a,
                      const char *id)
{
  return id != NULL && g_hash_table_contains (a->accepted, id) && !analysis_is_configured (a, id);
}

static gboolean
analysis_has_id (Analysis   *a,
                 const char *id)
{
  return analysis_is_configured (a, id) || g_hash_table_contains (a->accepted, id);
}

static const char *
accept_name (SpStep *step)
{
  return step->as != NULL ? step->as : "conn";
}

static SpStep *
analysis_find_step (Analysis   *a,
                    const char *id,
                    SpCall      call)
{
  for (guint i = 0; i < a->steps->len; i++)
    {
      SpStep *step = g_ptr_array_index (a->steps, i);

      if (step->call == call && g_strcmp0 (step->socket, id) == 0)
        return step;
    }

  return NULL;
}

static gboolean
analysis_has_step_before (Analysis   *a,
                          guint       index,
                          const char *id,
                          SpCall      call)
{
  for (guint i = 0; i < index && i < a->steps->len; i++)
    {
      SpStep *step = g_ptr_array_index (a->steps, i);

      if (step->call == call && g_strcmp0 (step->socket, id) == 0)
        return TRUE;
    }

  return FALSE;
}

static Role
analysis_role (Analysis   *a,
               const char *id)
{
  if (id == NULL || !g_hash_table_contains (a->roles, id))
    return ROLE_CLIENT;

  return GPOINTER_TO_INT (g_hash_table_lookup (a->roles, id));
}

/* A socket that serves, or listens and accepts, is a server; so is a
 * datagram socket that binds and receives before it sends (it waits for a
 * client to talk). A listener that never accepts stays with the client:
 * alone in a program of its own it would have nothing to wait for and
 * close before the clients that need it (to be refused, or to find the
 * address taken) got to it. */
static gboolean
analysis_is_server (Analysis       *a,
                    SpSocketConfig *config)
{
  gboolean binds = FALSE;
  gboolean listens = FALSE;
  gboolean accepts = FALSE;
  gint first_receive = -1;
  gint first_send = -1;

  for (guint i = 0; i < a->steps->len; i++)
    {
      SpStep *step = g_ptr_array_index (a->steps, i);

      if (g_strcmp0 (step->socket, config->id) != 0)
        continue;

      if (step->call == SP_CALL_SERVE)
        return TRUE;
      else if (step->call == SP_CALL_LISTEN)
        listens = TRUE;
      else if (step->call == SP_CALL_ACCEPT)
        accepts = TRUE;
      else if (step->call == SP_CALL_BIND)
        binds = TRUE;
      else if (sp_call_receives (step->call) && first_receive < 0)
        first_receive = i;
      else if ((step->call == SP_CALL_SEND || step->call == SP_CALL_SENDALL ||
                step->call == SP_CALL_SENDTO) && first_send < 0)
        first_send = i;
    }

  if (listens && accepts)
    return TRUE;

  return config->type == SP_SOCKET_TYPE_DGRAM &&
         binds &&
         first_receive >= 0 &&
         (first_send < 0 || first_receive < first_send);
}

/* IPv4 and IPv6: a bind "to" a socket of the other family shares only its
 * port (the IPV6_V6ONLY lesson), as the player binds it. */
static gboolean
is_other_ip_family (SpFamily family,
                    SpFamily other)
{
  return (family == SP_FAMILY_INET && other == SP_FAMILY_INET6) ||
         (family == SP_FAMILY_INET6 && other == SP_FAMILY_INET);
}

/* Where socket `id` is bound: by `bind` (or its first bind step), falling
 * back to the socket's configuration. A bind "to" another socket binds
 * where that one is bound (the EADDRINUSE lesson), or on its port when it
 * is of the other IP family. */
static gboolean
bind_endpoint_at_depth (Analysis   *a,
                        const char *id,
                        SpStep     *bind,
                        gboolean    apply_fixed,
                        guint       depth,
                        Endpoint   *endpoint)
{
  SpSocketConfig *config = analysis_config (a, id);
  const char *host;
  gint port;

  if (config == NULL || depth > 8)
    return FALSE;

  if (bind == NULL)
    bind = analysis_find_step (a, id, SP_CALL_BIND);

  host = bind != NULL && bind->address != NULL ? bind->address : config->address;

  if (bind != NULL && bind->to != NULL && g_strcmp0 (bind->to, id) != 0)
    {
      SpSocketConfig *other = analysis_config (a, bind->to);

      if (!bind_endpoint_at_depth (a, bind->to, NULL, apply_fixed, depth + 1, endpoint))
        return FALSE;
      if (other != NULL && is_other_ip_family (config->family, other->family))
        {
          endpoint->family = config->family;
          endpoint->host = host != NULL ? host : sp_endpoint_loopback_text (config->family);
        }
      return TRUE;
    }

  port = bind != NULL && bind->port >= 0 ? bind->port : config->port;

  if (bind == NULL && host == NULL && port < 0)
    return FALSE;

  endpoint->family = config->family;
  endpoint->fixed = FALSE;

  if (config->family == SP_FAMILY_UNIX)
    {
      endpoint->host = host != NULL ? host : "";
      endpoint->port = -1;
      return TRUE;
    }

  /* the player binds loopback when the session gives no address */
  endpoint->host = host != NULL ? host : sp_endpoint_loopback_text (config->family);
  endpoint->port = MAX (port, 0);

  if (apply_fixed && endpoint->port == 0 && g_hash_table_contains (a->fixed_ports, id))
    {
      endpoint->port = GPOINTER_TO_INT (g_hash_table_lookup (a->fixed_ports, id));
      endpoint->fixed = TRUE;
    }

  return TRUE;
}

static gboolean
analysis_bind_endpoint (Analysis   *a,
                        const char *id,
                        SpStep     *bind,
                        gboolean    apply_fixed,
                        Endpoint   *endpoint)
{
  return bind_endpoint_at_depth (a, id, bind, apply_fixed, 0, endpoint);
}

/* The peer a connect, connect_ex or sendto talks to. FALSE when the session
 * does not say it in advance (a peer that was never bound). */
static gboolean
analysis_target (Analysis *a,
                 SpStep   *step,
                 Endpoint *endpoint)
{
  SpSocketConfig *config = analysis_config (a, step->socket);
  SpFamily family = config != NULL ? config->family : SP_FAMILY_INET;
  const char *host;
  gint port;

  if (step->to != NULL)
    {
      if (!analysis_bind_endpoint (a, step->to, NULL, TRUE, endpoint))
        return FALSE;

      if (endpoint->family == SP_FAMILY_UNIX)
        return endpoint->host[0] != '\0';

      if (endpoint->port == 0)
        return FALSE;

      endpoint->host = connectable_host (family, endpoint->host);
      endpoint->family = family;
      return TRUE;
    }

  /* as the player does: a destination is "to", or the step's own address,
   * or else the socket's own (a client declared with where it talks to) */
  host = step->address;
  port = step->port;
  if (host == NULL && config != NULL)
    host = config->address;
  if (port < 0 && config != NULL)
    port = config->port;

  if (host == NULL)
    return FALSE;

  endpoint->family = family;
  endpoint->fixed = FALSE;

  if (family == SP_FAMILY_UNIX)
    {
      endpoint->host = host != NULL ? host : "";
      endpoint->port = -1;
      return endpoint->host[0] != '\0';
    }

  endpoint->host = connectable_host (family, host);
  endpoint->port = MAX (port, 0);

  return TRUE;
}

static gboolean
endpoints_match (const Endpoint *a,
                 const Endpoint *b)
{
  if (a->family != b->family)
    return FALSE;

  if (a->family == SP_FAMILY_UNIX)
    return g_str_equal (a->host, b->host);

  return a->port == b->port;
}

static Analysis *
analysis_new (SpSession *session)
{
  Analysis *a = g_new0 (Analysis, 1);
  guint n_fixed = 0;
  guint hash;

  a->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  a->steps = g_ptr_array_new_with_free_func (g_object_unref);
  a->accepted = g_hash_table_new (g_str_hash, g_str_equal);
  a->roles = g_hash_table_new (g_str_hash, g_str_equal);
  a->fixed_ports = g_hash_table_new (g_str_hash, g_str_equal);

  if (session == NULL)
    return a;

  {
    GListModel *sockets = sp_session_get_sockets (session);
    GListModel *steps = sp_session_get_steps (session);

    for (guint i = 0; i < g_list_model_get_n_items (sockets); i++)
      g_ptr_array_add (a->sockets, g_list_model_get_item (sockets, i));
    for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
      g_ptr_array_add (a->steps, g_list_model_get_item (steps, i));
  }

  for (guint i = 0; i < a->steps->len; i++)
    {
      SpStep *step = g_ptr_array_index (a->steps, i);
      const char *as = accept_name (step);

      if (step->call == SP_CALL_ACCEPT && step->socket != NULL &&
          !analysis_is_configured (a, as) && !g_hash_table_contains (a->accepted, as))
        g_hash_table_insert (a->accepted, (gpointer) as, step->socket);
    }

  for (guint i = 0; i < a->sockets->len; i++)
    {
      SpSocketConfig *config = g_ptr_array_index (a->sockets, i);
      Role role = analysis_is_server (a, config) ? ROLE_SERVER : ROLE_CLIENT;

      g_hash_table_insert (a->roles, config->id, GINT_TO_POINTER (role));
    }

  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, a->accepted);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        SpSocketConfig *listener = analysis_config (a, key);
        Role role = listener != NULL ? analysis_role (a, listener->id) : ROLE_CLIENT;

        g_hash_table_insert (a->roles, key, GINT_TO_POINTER (role));
      }
  }

  hash = g_str_hash (sp_session_get_title (session) != NULL ? sp_session_get_title (session) : "");

  for (guint i = 0; i < a->sockets->len; i++)
    {
      SpSocketConfig *config = g_ptr_array_index (a->sockets, i);
      Endpoint endpoint;
      guint range = EXPORT_PORT_LAST - EXPORT_PORT_FIRST + 1;

      if (config->family == SP_FAMILY_UNIX ||
          analysis_role (a, config->id) != ROLE_SERVER ||
          !analysis_bind_endpoint (a, config->id, NULL, FALSE, &endpoint) ||
          endpoint.port != 0)
        continue;

      g_hash_table_insert (a->fixed_ports, config->id,
                           GINT_TO_POINTER (EXPORT_PORT_FIRST + (hash + n_fixed) % range));
      n_fixed++;
    }

  return a;
}

static void
analysis_free (Analysis *a)
{
  g_ptr_array_unref (a->sockets);
  g_ptr_array_unref (a->steps);
  g_hash_table_unref (a->accepted);
  g_hash_table_unref (a->roles);
  g_hash_table_unref (a->fixed_ports);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Analysis, analysis_free)

/* How many connections a serve step without "connections" will get: the
 * connects aimed at the listener while it listens, less those that an
 * accept step takes. The exported server serves exactly that many, so
 * that it ends like the session does, when the clients are done. */
static gint
analysis_count_connections (Analysis *a,
                            guint     serve_index)
{
  SpStep *serve = g_ptr_array_index (a->steps, serve_index);
  Endpoint listener;
  guint start = 0;
  guint end = a->steps->len;
  gint n = 0;

  if (!analysis_bind_endpoint (a, serve->socket, NULL, TRUE, &listener))
    return 0;

  for (guint i = 0; i < serve_index; i++)
    {
      SpStep *step = g_ptr_array_index (a->steps, i);

      if (step->call == SP_CALL_LISTEN && g_strcmp0 (step->socket, serve->socket) == 0)
        start = i;
    }

  for (guint i = serve_index + 1; i < a->steps->len; i++)
    {
      SpStep *step = g_ptr_array_index (a->steps, i);

      if (step->call == SP_CALL_CLOSE && g_strcmp0 (step->socket, serve->socket) == 0)
        {
          end = i;
          break;
        }
    }

  for (guint i = start; i < end; i++)
    {
      SpStep *step = g_ptr_array_index (a->steps, i);
      Endpoint target;

      if (i == serve_index)
        continue;

      if ((step->call == SP_CALL_CONNECT || step->call == SP_CALL_CONNECT_EX) &&
          !(step->has_expect && (step->expect.error != NULL || step->expect.any)))
        {
          if (g_strcmp0 (step->to, serve->socket) == 0 ||
              (step->to == NULL && analysis_target (a, step, &target) &&
               endpoints_match (&target, &listener)))
            n++;
        }
      else if (step->call == SP_CALL_ACCEPT && g_strcmp0 (step->socket, serve->socket) == 0)
        {
          n--;
        }
    }

  return MAX (n, 0);
}

static Role
step_role (Analysis *a,
           guint     index)
{
  SpStep *step = g_ptr_array_index (a->steps, index);

  if (step->socket != NULL && analysis_has_id (a, step->socket))
    return analysis_role (a, step->socket);

  /* a lecture note introduces what follows it */
  if (step->call == SP_CALL_NOTE)
    {
      for (guint i = index + 1; i < a->steps->len; i++)
        {
          SpStep *next = g_ptr_array_index (a->steps, i);

          if (next->socket != NULL && analysis_has_id (a, next->socket))
            return analysis_role (a, next->socket);
        }

      for (guint i = index; i > 0; i--)
        {
          SpStep *previous = g_ptr_array_index (a->steps, i - 1);

          if (previous->socket != NULL && analysis_has_id (a, previous->socket))
            return analysis_role (a, previous->socket);
        }
    }

  return ROLE_CLIENT;
}


/* Two sends on a stream with nothing in between in the sender's program
 * may reach the peer as one read, where in the session the peer read the
 * first before the second was sent. A short pause keeps them apart. */
static gboolean
analysis_send_needs_pause (Analysis *a,
                           guint     index,
                           Role      role)
{
  SpStep *step = g_ptr_array_index (a->steps, index);
  SpSocketConfig *config = analysis_config (a, step->socket);
  gboolean peer_read = FALSE;

  if (config == NULL || config->type != SP_SOCKET_TYPE_STREAM ||
      (step->call != SP_CALL_SEND && step->call != SP_CALL_SENDALL))
    return FALSE;

  for (guint i = index; i > 0; i--)
    {
      SpStep *before = g_ptr_array_index (a->steps, i - 1);
      gboolean mine = step_role (a, i - 1) == role;

      if (!mine)
        {
          if (sp_call_receives (before->call))
            peer_read = TRUE;
          continue;
        }

      if (g_strcmp0 (before->socket, step->socket) == 0 &&
          (before->call == SP_CALL_SEND || before->call == SP_CALL_SENDALL))
        return peer_read;

      /* waiting for the peer keeps the two programs in step already */
      if (sp_call_receives (before->call) || before->call == SP_CALL_ACCEPT ||
          before->call == SP_CALL_SLEEP)
        return FALSE;
    }

  return FALSE;
}

/* The server-role socket a client step talks to, or NULL. */
static const char *
analysis_server_target (Analysis *a,
                        SpStep   *step)
{
  Endpoint target;

  if (step->call != SP_CALL_CONNECT && step->call != SP_CALL_CONNECT_EX &&
      step->call != SP_CALL_SENDTO)
    return NULL;

  if (step->to != NULL)
    return analysis_role (a, step->to) == ROLE_SERVER ? step->to : NULL;

  if (!analysis_target (a, step, &target))
    return NULL;

  for (guint i = 0; i < a->sockets->len; i++)
    {
      SpSocketConfig *config = g_ptr_array_index (a->sockets, i);
      Endpoint bound;

      if (analysis_role (a, config->id) == ROLE_SERVER &&
          analysis_bind_endpoint (a, config->id, NULL, TRUE, &bound) &&
          endpoints_match (&target, &bound))
        return config->id;
    }

  return NULL;
}

/* The exported client starts once the server waits for it (see
 * tests/peers/run-exported.py); a listener the server opens only after it
 * first waited may not exist yet when the client gets to it. */
static gboolean
analysis_connect_needs_pause (Analysis *a,
                              guint     index)
{
  SpStep *step = g_ptr_array_index (a->steps, index);
  const char *server = analysis_server_target (a, step);
  SpSocketConfig *config;
  gint ready = -1;
  gint first_wait = -1;

  if (server == NULL || step_role (a, index) != ROLE_CLIENT)
    return FALSE;

  config = analysis_config (a, server);

  for (guint i = 0; i < index; i++)
    {
      SpStep *before = g_ptr_array_index (a->steps, i);

      if (first_wait < 0 && step_role (a, i) == ROLE_SERVER &&
          (sp_call_receives (before->call) || before->call == SP_CALL_ACCEPT ||
           before->call == SP_CALL_SERVE))
        first_wait = i;

      if (g_strcmp0 (before->socket, server) == 0 &&
          before->call == (config->type == SP_SOCKET_TYPE_DGRAM ? SP_CALL_BIND : SP_CALL_LISTEN))
        ready = i;
    }

  if (ready < 0 || first_wait < 0 || ready < first_wait)
    return FALSE;

  /* once per time the listener opens */
  for (guint i = ready + 1; i < index; i++)
    {
      SpStep *before = g_ptr_array_index (a->steps, i);

      if (step_role (a, i) == ROLE_CLIENT &&
          g_strcmp0 (analysis_server_target (a, before), server) == 0)
        return FALSE;
    }

  return TRUE;
}

/* Writing code */

static void
emit (Writer     *w,
      const char *format,
      ...)
{
  va_list args;

  for (guint i = 0; i < w->indent; i++)
    g_string_append (w->out, "    ");

  va_start (args, format);
  g_string_append_vprintf (w->out, format, args);
  va_end (args);

  g_string_append_c (w->out, '\n');

  /* a block that holds only comments is a syntax error: count the rest */
  if (format[0] != '#')
    w->statements++;
}

static void
block_open (Writer     *w,
            gint        end,
            const char *format,
            ...)
{
  g_autofree char *header = NULL;
  Block block;
  va_list args;

  va_start (args, format);
  header = g_strdup_vprintf (format, args);
  va_end (args);

  emit (w, "%s", header);

  block.statements = w->statements;
  block.end = end;
  g_array_append_val (w->blocks, block);

  w->statements = 0;
  w->indent++;
}

static void
block_close (Writer *w)
{
  Block *block;

  g_return_if_fail (w->blocks->len > 0);

  if (w->statements == 0)
    emit (w, "pass");

  block = &g_array_index (w->blocks, Block, w->blocks->len - 1);
  w->statements = block->statements;
  w->indent--;
  g_array_set_size (w->blocks, w->blocks->len - 1);
}

static void
write_comment (Writer     *w,
               const char *text)
{
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    return;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        emit (w, "#");
      else
        emit (w, "# %s", lines[i]);
    }
}

static char *
format_endpoint (Writer         *w,
                 const Endpoint *endpoint)
{
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;

  if (endpoint->family == SP_FAMILY_UNIX)
    {
      if (w->path != NULL && g_str_equal (w->path, endpoint->host))
        return g_strdup ("SOCKET_PATH");
      return py_unix_path (endpoint->host);
    }

  if (w->host != NULL && g_str_equal (w->host, endpoint->host))
    host = g_strdup ("HOST");
  else
    host = py_string (endpoint->host);

  if (w->port >= 0 && w->port == endpoint->port)
    port = g_strdup ("PORT");
  else
    port = g_strdup_printf ("%d", endpoint->port);

  return g_strdup_printf ("(%s, %s)", host, port);
}

/* The address a connect, connect_ex or sendto goes to. A peer whose port
 * the session does not know in advance (bound to port 0, or not bound by a
 * step) is asked for it when it lives in the same program, and otherwise
 * is the one that last talked to us: `addr`. */
static char *
format_target (Writer *w,
               SpStep *step)
{
  Endpoint endpoint;

  if (w->destination != NULL)
    return g_strdup (w->destination);

  if (analysis_target (w->analysis, step, &endpoint))
    return format_endpoint (w, &endpoint);

  if (step->to != NULL && analysis_has_id (w->analysis, step->to) &&
      (!w->script || analysis_role (w->analysis, step->to) == w->role))
    {
      g_autofree char *peer = py_name (step->to);

      return g_strdup_printf ("%s.getsockname()", peer);
    }

  if (w->have_addr || !w->script)
    return g_strdup ("addr");

  /* nothing better is known: the socket's own family, its loopback */
  {
    SpSocketConfig *config = analysis_config (w->analysis, step->socket);

    endpoint.family = config != NULL ? config->family : SP_FAMILY_INET;
    endpoint.host = sp_endpoint_loopback_text (endpoint.family);
    endpoint.port = MAX (step->port, 0);
    endpoint.fixed = FALSE;
    if (endpoint.family == SP_FAMILY_UNIX)
      endpoint.host = "";
  }

  return format_endpoint (w, &endpoint);
}

/* The class a program's impaired sockets are made with: it decides each
 * datagram's fate as SpImpairment does (sp-impairment.h), with the same
 * generator, draws and rule, so the same seed gives the same fates. */
static const char impaired_socket_head[] =
  "class ImpairedSocket:\n"
  "    \"\"\"A datagram socket on a bad network, as Socket Playground simulated it\n"
  "    (loopback itself never loses or reorders a datagram). Each datagram sent\n"
  "    draws three numbers from random.Random(seed), in the playground's order,\n"
  "    so the same seed gives every datagram the same fate: dropped, sent twice,\n"
  "    or held back to leave after the next one; and each waits delay_ms before\n"
  "    it leaves. Everything else is the socket's own.\"\"\"\n"
  "\n";

/* Then HOLD_SECONDS, then this. */
static const char impaired_socket_body[] =
  "\n"
  "    def __init__(self, sock, drop=0, duplicate=0, reorder=0, delay_ms=0, seed=0):\n"
  "        self._sock = sock\n"
  "        self._percents = (drop, duplicate, reorder)\n"
  "        self._delay = delay_ms / 1000\n"
  "        self._random = random.Random(seed)\n"
  "        self._lock = threading.RLock()\n"
  "        self._delayed = []  # waiting out their delay, in the order they leave\n"
  "        self._held = None\n"
  "        self._hold_timer = None\n"
  "\n"
  "    def __getattr__(self, name):\n"
  "        return getattr(self._sock, name)\n"
  "\n"
  "    def __enter__(self):\n"
  "        return self\n"
  "\n"
  "    def __exit__(self, *exc_info):\n"
  "        self.close()\n"
  "\n"
  "    def _connected(self):\n"
  "        try:\n"
  "            self._sock.getpeername()\n"
  "        except OSError:\n"
  "            return False\n"
  "        return True\n"
  "\n"
  "    def send(self, data):\n"
  "        if not self._connected():\n"
  "            return self._sock.send(data)  # fails as it would on a good network\n"
  "        return self._impair(bytes(data), None)\n"
  "\n"
  "    def sendall(self, data):\n"
  "        if not self._connected():\n"
  "            return self._sock.sendall(data)\n"
  "        self._impair(bytes(data), None)\n"
  "\n"
  "    def sendto(self, data, address):\n"
  "        return self._impair(bytes(data), address)\n"
  "\n"
  "    def _chance(self, percent):\n"
  "        return (self._random.getrandbits(32) * 100) >> 32 < percent\n"
  "\n"
  "    def _impair(self, data, address):\n"
  "        dropped, duplicated, held = [self._chance(p) for p in self._percents]\n"
  "        datagram = (data, address, duplicated and not dropped, held and not dropped)\n"
  "        with self._lock:\n"
  "            if not dropped and self._delay == 0 and not (held and self._held is None):\n"
  "                self._transmit(datagram)\n"
  "                self._release()\n"
  "                return len(data)\n"
  "            if address is not None and self._sock.getsockname()[1] == 0:\n"
  "                self._sock.bind(('', 0))  # as sendto would have bound it\n"
  "            if dropped:\n"
  "                pass\n"
  "            elif self._delay > 0:\n"
  "                self._delayed.append(datagram)\n"
  "                threading.Timer(self._delay, self._delay_over).start()\n"
  "            else:\n"
  "                self._leave(datagram)\n"
  "        return len(data)\n"
  "\n"
  "    def _leave(self, datagram):\n"
  "        # the moment it would go on the wire: a held-back one waits for the next\n"
  "        if datagram[3] and self._held is None:\n"
  "            self._held = datagram\n"
  "            self._hold_timer = threading.Timer(self.HOLD_SECONDS, self._hold_over, (datagram,))\n"
  "            self._hold_timer.daemon = True\n"
  "            self._hold_timer.start()\n"
  "            return\n"
  "        self._transmit(datagram)\n"
  "        self._release()\n"
  "\n"
  "    def _release(self):\n"
  "        if self._held is not None:\n"
  "            held, self._held = self._held, None\n"
  "            self._hold_timer.cancel()\n"
  "            self._transmit(held)\n"
  "\n"
  "    def _transmit(self, datagram):\n"
  "        data, address, duplicated, _ = datagram\n"
  "        for _ in range(2 if duplicated else 1):\n"
  "            if address is None:\n"
  "                self._sock.send(data)\n"
  "            else:\n"
  "                self._sock.sendto(data, address)\n"
  "\n"
  "    def _delay_over(self):\n"
  "        with self._lock:\n"
  "            if self._delayed:\n"
  "                self._leave(self._delayed.pop(0))\n"
  "\n"
  "    def _hold_over(self, datagram):\n"
  "        with self._lock:\n"
  "            if self._held is datagram:\n"
  "                self._held = None\n"
  "                self._transmit(datagram)\n"
  "\n"
  "    def close(self):\n"
  "        # what the network still holds leaves before the socket goes\n"
  "        with self._lock:\n"
  "            while self._delayed:\n"
  "                self._leave(self._delayed.pop(0))\n"
  "            if self._held is not None:\n"
  "                self._hold_timer.cancel()\n"
  "                held, self._held = self._held, None\n"
  "                self._transmit(held)\n"
  "        self._sock.close()\n";

static char *
socket_constructor (Writer     *w,
                    const char *id)
{
  SpSocketConfig *config = analysis_config (w->analysis, id);
  g_autofree char *protocol = NULL;
  g_autofree char *constructor = NULL;
  const SpImpairmentSettings *impair;

  if (config == NULL)
    return g_strdup ("socket.socket(socket.AF_INET, socket.SOCK_STREAM)");

  protocol = py_protocol (config);
  if (protocol != NULL)
    constructor = g_strdup_printf ("socket.socket(%s, %s, %s)",
                                   sp_family_to_python (config->family),
                                   sp_socket_type_to_python (config->type), protocol);
  else
    constructor = g_strdup_printf ("socket.socket(%s, %s)",
                                   sp_family_to_python (config->family),
                                   sp_socket_type_to_python (config->type));

  /* The code view shows the plain socket; a program behaves as the
   * playground did, bad network and all. */
  if (!w->script || !config->has_impair || !sp_socket_config_can_impair (config) ||
      !sp_impairment_settings_is_active (&config->impair))
    return g_steal_pointer (&constructor);

  impair = &config->impair;
  w->uses_impairment = TRUE;
  return g_strdup_printf ("ImpairedSocket(%s, drop=%u, duplicate=%u, reorder=%u, "
                          "delay_ms=%u, seed=%u)",
                          constructor, impair->drop, impair->duplicate, impair->reorder,
                          impair->delay_ms, impair->seed);
}

static void
write_options (Writer     *w,
               const char *id)
{
  SpSocketConfig *config = analysis_config (w->analysis, id);
  const SpSocketOptionInfo *reuseaddr = sp_socket_option_lookup ("SO_REUSEADDR");
  g_autofree char *name = py_name (id);
  gboolean reuses = FALSE;

  if (config == NULL || analysis_is_accepted (w->analysis, id))
    return;

  for (guint i = 0; config->options != NULL && i < config->options->len; i++)
    {
      SpSocketOption *option = &g_array_index (config->options, SpSocketOption, i);
      g_autofree char *value = py_option_value (option->value, option->is_bool);

      if (g_str_equal (option->name, reuseaddr->name))
        reuses = TRUE;

      emit (w, "%s.setsockopt(%s, socket.%s, %s)",
            name, py_option_level (option->name), option->name, value);
    }

  /* An ephemeral port is new every run; the export's fixed port is not,
   * and a second run within a minute would find it in TIME_WAIT. */
  if (w->script && !reuses && config->type == SP_SOCKET_TYPE_STREAM &&
      g_hash_table_contains (w->analysis->fixed_ports, id))
    emit (w, "%s.setsockopt(%s, socket.%s, 1)  "
          "# the fixed port may still be in TIME_WAIT from an earlier run",
          name, reuseaddr->python_level, reuseaddr->name);
}

static void
write_creation (Writer     *w,
                const char *id)
{
  g_autofree char *name = py_name (id);
  g_autofree char *constructor = socket_constructor (w, id);

  emit (w, "%s = %s", name, constructor);
  write_options (w, id);

  if (w->created != NULL)
    g_hash_table_add (w->created, (gpointer) id);
}

/* In a program, a socket comes to life before its first call, as in the
 * session ("a socket is created by its first step"). */
static void
ensure_created (Writer *w,
                SpStep *step)
{
  g_autofree char *name = NULL;
  g_autofree char *constructor = NULL;
  Interval *interval;

  if (!w->script || step->socket == NULL || sp_call_is_global (step->call) ||
      g_hash_table_contains (w->created, step->socket) ||
      analysis_is_accepted (w->analysis, step->socket))
    return;

  if (w->intervals == NULL)
    {
      /* a socket step writes its own creation */
      if (step->call != SP_CALL_SOCKET)
        write_creation (w, step->socket);
      return;
    }

  interval = g_hash_table_lookup (w->intervals, step->socket);
  name = py_name (step->socket);
  constructor = socket_constructor (w, step->socket);

  g_hash_table_add (w->created, (gpointer) step->socket);
  block_open (w, interval->end, "with %s as %s:", constructor, name);
  write_options (w, step->socket);
}

static const char *
write_recv (Writer     *w,
            SpStep     *step,
            const char *sock)
{
  gsize bufsize = sp_step_get_bufsize (step);
  guint count = sp_step_get_count (step);
  gboolean repeated = step->until_eof || count > 1;
  gboolean checked = w->script && step->has_expect &&
                     (step->expect.data != NULL || step->expect.contains != NULL ||
                      step->expect.bytes >= 0);
  /* the expectation holds against every byte the step received */
  gboolean collect = checked && repeated;

  if (collect)
    emit (w, "received = b''");

  if (step->until_eof)
    block_open (w, -1, "while True:");
  else if (count > 1)
    block_open (w, -1, "for _ in range(%u):", count);

  switch (step->call)
    {
    case SP_CALL_RECVFROM:
      emit (w, "data, addr = %s.recvfrom(%" G_GSIZE_FORMAT ")", sock, bufsize);
      w->have_addr = TRUE;
      break;

    case SP_CALL_RECV_INTO:
      emit (w, "buffer = bytearray(%" G_GSIZE_FORMAT ")", bufsize);
      emit (w, "nbytes = %s.recv_into(buffer)", sock);
      emit (w, "data = bytes(buffer[:nbytes])");
      break;

    case SP_CALL_RECVFROM_INTO:
      emit (w, "buffer = bytearray(%" G_GSIZE_FORMAT ")", bufsize);
      emit (w, "nbytes, addr = %s.recvfrom_into(buffer)", sock);
      emit (w, "data = bytes(buffer[:nbytes])");
      w->have_addr = TRUE;
      break;

    case SP_CALL_RECV:
    case SP_CALL_SOCKET:
    case SP_CALL_SETSOCKOPT:
    case SP_CALL_BIND:
    case SP_CALL_LISTEN:
    case SP_CALL_ACCEPT:
    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
    case SP_CALL_SENDTO:
    case SP_CALL_SHUTDOWN:
    case SP_CALL_CLOSE:
    case SP_CALL_GETSOCKNAME:
    case SP_CALL_GETPEERNAME:
    case SP_CALL_GETHOSTNAME:
    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
    case SP_CALL_SERVE:
    case SP_CALL_SLEEP:
    case SP_CALL_NOTE:
    case SP_N_CALLS:
    default:
      emit (w, "data = %s.recv(%" G_GSIZE_FORMAT ")", sock, bufsize);
      break;
    }

  if (step->until_eof)
    {
      block_open (w, -1, "if not data:");
      emit (w, "break");
      block_close (w);
    }

  if (w->script)
    {
      if (sp_call_gives_sender (step->call))
        emit (w, "print('%s received', repr(data), 'from', addr)", sock);
      else
        emit (w, "print('%s received', repr(data))", sock);
    }

  if (collect)
    emit (w, "received += data");

  if (repeated)
    block_close (w);

  return collect ? "received" : "data";
}

static const char *
write_send (Writer     *w,
            SpStep     *step,
            const char *sock)
{
  g_autofree char *data = py_data (step->data);
  guint count = sp_step_get_count (step);
  gboolean want_sent = w->script && step->call == SP_CALL_SEND &&
                       step->has_expect && step->expect.bytes >= 0;

  if (count > 1 && step->interval_ms > 0)
    {
      g_autofree char *seconds = py_seconds (step->interval_ms);

      block_open (w, -1, "for i in range(%u):", count);
      block_open (w, -1, "if i > 0:");
      emit (w, "time.sleep(%s)", seconds);
      block_close (w);
      w->uses_time = TRUE;
    }
  else if (count > 1)
    {
      block_open (w, -1, "for _ in range(%u):", count);
    }

  if (step->call == SP_CALL_SENDTO)
    {
      g_autofree char *target = format_target (w, step);

      emit (w, "%s.sendto(%s, %s)", sock, data, target);
    }
  else if (step->call == SP_CALL_SENDALL)
    {
      emit (w, "%s.sendall(%s)", sock, data);
    }
  else if (want_sent)
    {
      emit (w, "sent = %s.send(%s)", sock, data);
    }
  else
    {
      emit (w, "%s.send(%s)", sock, data);
    }

  if (count > 1)
    block_close (w);

  return want_sent ? "sent" : NULL;
}

static void
write_handler (Writer     *w,
               SpStep     *step,
               const char *function)
{
  Writer d = *w;
  SpServeMode mode = step->has_mode ? step->mode : SP_SERVE_ECHO;
  gsize bufsize = sp_step_get_bufsize (step);

  /* the function goes to the definitions, at the left margin */
  d.out = w->defs;
  d.indent = 0;
  d.statements = 0;
  d.blocks = g_array_new (FALSE, FALSE, sizeof (Block));

  if (d.out->len > 0)
    g_string_append (d.out, "\n\n");

  block_open (&d, -1, "def %s(conn, addr):", function);

  switch (mode)
    {
    case SP_SERVE_DISCARD:
      emit (&d, "\"\"\"Reads everything the client sends until it closes, "
                "and keeps none of it.\"\"\"");
      break;
    case SP_SERVE_REPLY:
      emit (&d, "\"\"\"Reads the client's request once and answers it.\"\"\"");
      break;
    case SP_SERVE_ECHO:
    default:
      emit (&d, "\"\"\"Sends back everything the client sends, until it closes.\"\"\"");
      break;
    }

  block_open (&d, -1, "with conn:");
  emit (&d, "print('Connected by', addr)");

  if (mode == SP_SERVE_REPLY)
    {
      g_autofree char *reply = py_data (step->data);

      emit (&d, "data = conn.recv(%" G_GSIZE_FORMAT ")", bufsize);
      emit (&d, "print('Received', repr(data))");
      /* the replies table: the first entry the request contains wins, as
       * in the session; the step's data answers any other request */
      for (guint i = 0; step->replies != NULL && i < step->replies->len; i++)
        {
          const SpStepReply *entry = g_ptr_array_index (step->replies, i);
          g_autofree char *contains = py_data (entry->contains);
          g_autofree char *answer = py_data (entry->data);

          block_open (&d, -1, "%s %s in data:", i == 0 ? "if" : "elif", contains);
          emit (&d, "conn.sendall(%s)", answer);
          block_close (&d);
        }
      if (step->replies != NULL && step->replies->len > 0)
        {
          block_open (&d, -1, "else:");
          emit (&d, "conn.sendall(%s)", reply);
          block_close (&d);
        }
      else
        emit (&d, "conn.sendall(%s)", reply);
    }
  else
    {
      block_open (&d, -1, "while True:");
      emit (&d, "data = conn.recv(%" G_GSIZE_FORMAT ")", bufsize);
      block_open (&d, -1, "if not data:");
      emit (&d, "break");
      block_close (&d);
      if (mode == SP_SERVE_ECHO)
        emit (&d, "conn.sendall(data)");
      else
        emit (&d, "print('Discarded', len(data), 'bytes')");
      block_close (&d);
    }

  block_close (&d);
  block_close (&d);

  g_array_unref (d.blocks);
}

static char *
unique_function_name (Writer     *w,
                      const char *base)
{
  char *name = g_strdup (base);

  for (guint i = 2; g_hash_table_contains (w->functions, name); i++)
    {
      g_free (name);
      name = g_strdup_printf ("%s_%u", base, i);
    }

  g_hash_table_add (w->functions, name);

  return name;
}

/* serve: the notes' multi-threaded echo server, one thread per connection. */
static void
write_serve (Writer     *w,
             SpStep     *step,
             guint       index,
             const char *sock)
{
  SpServeMode mode = step->has_mode ? step->mode : SP_SERVE_ECHO;
  const char *conn = analysis_has_id (w->analysis, "conn") ? "client_conn" : "conn";
  g_autofree char *base = NULL;
  const char *handler;
  /* as the player reads it: no positive count serves until closed */
  gint connections = step->connections > 0 ? step->connections : -1;

  if (!w->script)
    {
      if (connections > 0)
        block_open (w, -1, "for _ in range(%d):", connections);
      else
        block_open (w, -1, "while True:");
      emit (w, "%s, addr = %s.accept()", conn, sock);
      emit (w, "threading.Thread(target=%s, args=(%s, addr)).start()",
            sp_serve_mode_to_string (mode), conn);
      block_close (w);
      return;
    }

  w->uses_threading = TRUE;
  base = g_strdup_printf ("handle_%s", sock);
  handler = unique_function_name (w, base);
  write_handler (w, step, handler);

  if (connections < 0)
    {
      connections = analysis_count_connections (w->analysis, index);
      if (connections > 0)
        emit (w, "# the session serves until %s is closed; its clients connect %d time%s",
              sock, connections, connections == 1 ? "" : "s");
    }

  if (connections == 0)
    {
      g_autofree char *serve_base = g_strdup_printf ("serve_%s", sock);
      const char *serve = unique_function_name (w, serve_base);
      Writer d = *w;

      /* nobody in the session connects: serve in the background for as
       * long as the program runs */
      d.out = w->defs;
      d.indent = 0;
      d.blocks = g_array_new (FALSE, FALSE, sizeof (Block));
      g_string_append (d.out, "\n\n");
      block_open (&d, -1, "def %s():", serve);
      block_open (&d, -1, "while True:");
      emit (&d, "%s, addr = %s.accept()", conn, sock);
      emit (&d, "threading.Thread(target=%s, args=(%s, addr), daemon=True).start()",
            handler, conn);
      block_close (&d);
      block_close (&d);
      g_array_unref (d.blocks);

      emit (w, "# the session serves until %s is closed: serve in the background", sock);
      emit (w, "threading.Thread(target=%s, daemon=True).start()", serve);
      return;
    }

  emit (w, "threads = []");
  block_open (w, -1, "for _ in range(%d):", connections);
  emit (w, "%s, addr = %s.accept()", conn, sock);
  emit (w, "thread = threading.Thread(target=%s, args=(%s, addr))", handler, conn);
  emit (w, "thread.start()");
  emit (w, "threads.append(thread)");
  block_close (w);
  block_open (w, -1, "for thread in threads:");
  emit (w, "thread.join()");
  block_close (w);
}

static const char *
lookup_host (SpStep *step)
{
  if (step->host != NULL)
    return step->host;
  if (step->address != NULL)
    return step->address;
  return "localhost";
}

/* The call itself. Returns the variable that holds its result for the
 * checks that follow, or NULL. */
static const char *
write_action (Writer     *w,
              SpStep     *step,
              guint       index,
              const char *sock)
{
  switch (step->call)
    {
    case SP_CALL_SOCKET:
      /* in a program with `with` blocks, ensure_created wrote it */
      if (!w->script || w->intervals == NULL)
        write_creation (w, step->socket);
      return NULL;

    case SP_CALL_SETSOCKOPT:
      if (step->option != NULL)
        {
          g_autofree char *value = py_option_value (step->value, step->value_is_bool);

          emit (w, "%s.setsockopt(%s, socket.%s, %s)",
                sock, py_option_level (step->option), step->option, value);
        }
      return NULL;

    case SP_CALL_BIND:
      {
        Endpoint endpoint;
        g_autofree char *address = NULL;

        /* beside a socket of this program whose port the kernel picked */
        if (step->to != NULL && analysis_has_id (w->analysis, step->to) &&
            (!w->script || analysis_role (w->analysis, step->to) == w->role) &&
            (!analysis_bind_endpoint (w->analysis, step->to, NULL, TRUE, &endpoint) ||
             (endpoint.family == SP_FAMILY_UNIX ? endpoint.host[0] == '\0' : endpoint.port == 0)))
          {
            g_autofree char *peer = py_name (step->to);
            SpSocketConfig *own = analysis_config (w->analysis, step->socket);
            SpSocketConfig *other = analysis_config (w->analysis, step->to);

            if (own != NULL && other != NULL && is_other_ip_family (own->family, other->family))
              {
                const char *host = step->address != NULL ? step->address : own->address;
                g_autofree char *quoted = py_string (host != NULL
                                                     ? host
                                                     : sp_endpoint_loopback_text (own->family));

                emit (w, "%s.bind((%s, %s.getsockname()[1]))", sock, quoted, peer);
              }
            else
              emit (w, "%s.bind(%s.getsockname())", sock, peer);
            return NULL;
          }

        /* the code view shows the port a bind asks for (0 stays 0), except
         * where it binds beside another socket, whose port is the export's */
        if (!analysis_bind_endpoint (w->analysis, step->socket, step,
                                     w->script || step->to != NULL, &endpoint))
          {
            SpSocketConfig *config = analysis_config (w->analysis, step->socket);

            endpoint.family = config != NULL ? config->family : SP_FAMILY_INET;
            endpoint.host = endpoint.family == SP_FAMILY_UNIX
                            ? "" : sp_endpoint_loopback_text (endpoint.family);
            endpoint.port = 0;
            endpoint.fixed = FALSE;
          }

        address = format_endpoint (w, &endpoint);

        /* a socket file left by an earlier run would make bind fail */
        if (w->script && endpoint.family == SP_FAMILY_UNIX &&
            endpoint.host[0] != '\0' && endpoint.host[0] != '@' &&
            !(step->has_expect && (step->expect.error != NULL || step->expect.any)))
          {
            w->uses_os = TRUE;
            block_open (w, -1, "if os.path.exists(%s):", address);
            emit (w, "os.remove(%s)  # left by an earlier run", address);
            block_close (w);
          }

        emit (w, "%s.bind(%s)", sock, address);
      }
      return NULL;

    case SP_CALL_LISTEN:
      if (step->backlog >= 0)
        emit (w, "%s.listen(%d)", sock, step->backlog);
      else
        emit (w, "%s.listen()", sock);
      return NULL;

    case SP_CALL_ACCEPT:
      {
        g_autofree char *conn = py_name (accept_name (step));

        emit (w, "%s, addr = %s.accept()", conn, sock);
        if (w->script)
          emit (w, "print('Connected by', addr)");
        w->have_addr = TRUE;
        if (w->created != NULL)
          g_hash_table_add (w->created, (gpointer) accept_name (step));
      }
      return NULL;

    case SP_CALL_CONNECT:
      {
        g_autofree char *target = format_target (w, step);

        emit (w, "%s.connect(%s)", sock, target);
      }
      return NULL;

    case SP_CALL_CONNECT_EX:
      {
        g_autofree char *target = format_target (w, step);

        emit (w, "err = %s.connect_ex(%s)", sock, target);
      }
      return "err";

    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
    case SP_CALL_SENDTO:
      return write_send (w, step, sock);

    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
      return write_recv (w, step, sock);

    case SP_CALL_SHUTDOWN:
      emit (w, "%s.shutdown(%s)", sock, py_shutdown_how (step));
      return NULL;

    case SP_CALL_CLOSE:
      /* a `with` block closes the socket where the block ends */
      if (!w->script || w->intervals == NULL)
        emit (w, "%s.close()", sock);
      return NULL;

    case SP_CALL_GETSOCKNAME:
      emit (w, "print(%s.getsockname())", sock);
      return NULL;

    case SP_CALL_GETPEERNAME:
      emit (w, "print(%s.getpeername())", sock);
      return NULL;

    case SP_CALL_GETHOSTNAME:
      if (w->script)
        emit (w, "print(socket.gethostname())");
      else
        emit (w, "socket.gethostname()");
      return NULL;

    case SP_CALL_GETHOSTBYNAME:
      {
        g_autofree char *host = py_string (lookup_host (step));

        if (w->script)
          emit (w, "print(socket.gethostbyname(%s))", host);
        else
          emit (w, "socket.gethostbyname(%s)", host);
      }
      return NULL;

    case SP_CALL_GETADDRINFO:
      {
        g_autofree char *host = py_string (lookup_host (step));
        g_autofree char *port = step->port >= 0 ? g_strdup_printf ("%d", step->port)
                                                : g_strdup ("None");

        if (w->script)
          {
            block_open (w, -1, "for info in socket.getaddrinfo(%s, %s):", host, port);
            emit (w, "print(info)");
            block_close (w);
          }
        else
          {
            emit (w, "socket.getaddrinfo(%s, %s)", host, port);
          }
      }
      return NULL;

    case SP_CALL_SERVE:
      /* The player binds and listens first when the session did not. */
      if (!analysis_has_step_before (w->analysis, index, step->socket, SP_CALL_LISTEN))
        {
          g_autoptr(SpStep) listen_step = sp_step_new (step->socket, SP_CALL_LISTEN);

          if (!analysis_has_step_before (w->analysis, index, step->socket, SP_CALL_BIND))
            {
              g_autoptr(SpStep) bind_step = sp_step_new (step->socket, SP_CALL_BIND);

              bind_step->address = g_strdup (step->address);
              bind_step->port = step->port;
              write_action (w, bind_step, index, sock);
            }
          listen_step->backlog = step->backlog;
          write_action (w, listen_step, index, sock);
        }
      write_serve (w, step, index, sock);
      return NULL;

    case SP_CALL_SLEEP:
      {
        g_autofree char *seconds = py_seconds (MAX (step->ms, 0));

        emit (w, "time.sleep(%s)", seconds);
        w->uses_time = TRUE;
      }
      return NULL;

    case SP_CALL_NOTE:
      write_comment (w, step->text != NULL ? step->text : step->note);
      return NULL;

    case SP_N_CALLS:
    default:
      return NULL;
    }
}

static void
write_checks (Writer     *w,
              SpStep     *step,
              const char *sock,
              const char *result)
{
  const SpExpect *expect = &step->expect;

  if (step->call == SP_CALL_CONNECT_EX)
    {
      if (step->has_expect && expect->error != NULL && is_errno_name (expect->error))
        {
          w->uses_errno = TRUE;
          emit (w, "assert err == errno.%s, err", expect->error);
        }
      else if (step->has_expect && expect->ok)
        {
          emit (w, "assert err == 0, err");
        }
      else
        {
          emit (w, "print('%s connect_ex returned', err)", sock);
        }
      return;
    }

  if (!step->has_expect || result == NULL)
    return;

  if (expect->data != NULL)
    {
      g_autofree char *data = py_data (expect->data);

      emit (w, "assert %s == %s, %s", result, data, result);
    }

  if (expect->contains != NULL)
    {
      g_autofree char *data = py_data (expect->contains);

      emit (w, "assert %s in %s, %s", data, result, result);
    }

  if (expect->bytes >= 0)
    {
      if (g_str_equal (result, "sent"))
        emit (w, "assert sent == %" G_GINT64_FORMAT ", sent", expect->bytes);
      else
        emit (w, "assert len(%s) == %" G_GINT64_FORMAT ", len(%s)",
              result, expect->bytes, result);
    }
}

static gboolean
is_lookup (SpCall call)
{
  return call == SP_CALL_GETHOSTNAME ||
         call == SP_CALL_GETHOSTBYNAME ||
         call == SP_CALL_GETADDRINFO;
}

/* A step whose call must fail: the program checks that it does. */
static void
write_expected_error (Writer     *w,
                      SpStep     *step,
                      guint       index,
                      const char *sock)
{
  const char *name = step->expect.error;
  const char *label = step->socket != NULL && !sp_call_is_global (step->call) ? sock : "socket";
  const char *call = sp_call_to_string (step->call);
  g_autofree char *expected = g_strconcat ("expected ", name, NULL);
  g_autofree char *message = py_string (expected);

  block_open (w, -1, "try:");
  write_action (w, step, index, sock);
  block_close (w);

  if (sp_errno_is_lookup (sp_errno_from_name (name)))
    {
      /* a name nobody knows raises socket.gaierror, even from connect_ex */
      block_open (w, -1, "except socket.gaierror as e:");
      emit (w, "assert e.errno == socket.%s, e", name);
    }
  else if (is_lookup (step->call))
    {
      /* resolver failures are socket.gaierror, whose errno is an EAI_ code */
      block_open (w, -1, "except OSError as e:");
    }
  else if (g_str_equal (name, "ETIMEDOUT"))
    {
      /* a socket timeout is TimeoutError with no errno */
      block_open (w, -1, "except TimeoutError as e:");
    }
  else
    {
      block_open (w, -1, "except %s as e:", sp_errno_python_exception (sp_errno_from_name (name)));
      if (is_errno_name (name))
        {
          w->uses_errno = TRUE;
          emit (w, "assert e.errno == errno.%s, e", name);
        }
    }
  emit (w, "print('%s %s failed as expected:', e)", label, call);
  block_close (w);

  block_open (w, -1, "else:");
  emit (w, "raise AssertionError(%s)", message);
  block_close (w);
}

static gboolean
is_waiting_call (SpCall call)
{
  return call == SP_CALL_ACCEPT || call == SP_CALL_CONNECT || call == SP_CALL_CONNECT_EX ||
         call == SP_CALL_SEND || call == SP_CALL_SENDALL || call == SP_CALL_SENDTO ||
         sp_call_receives (call);
}

static void
write_step (Writer *w,
            SpStep *step,
            guint   index)
{
  g_autofree char *sock = py_name (step->socket);
  gboolean expects_error = w->script && step->has_expect && step->expect.error != NULL &&
                           (step->call != SP_CALL_CONNECT_EX ||
                            sp_errno_is_lookup (sp_errno_from_name (step->expect.error)));
  gboolean any = w->script && step->has_expect && step->expect.any && !expects_error;
  gboolean timed = FALSE;
  const char *result;

  if (w->script && step->call != SP_CALL_NOTE)
    write_comment (w, step->note);

  ensure_created (w, step);

  if (w->script && analysis_send_needs_pause (w->analysis, index, w->role))
    {
      emit (w, "time.sleep(0.2)  # the peer read what came before on its own in the session");
      w->uses_time = TRUE;
    }

  if (w->script && analysis_connect_needs_pause (w->analysis, index))
    {
      emit (w, "time.sleep(0.5)  # server.py opens this only after its earlier steps");
      w->uses_time = TRUE;
    }

  /* the player gives up waiting after the step's timeout; a program that
   * expects that must not wait forever */
  if (w->script && step->socket != NULL && is_waiting_call (step->call) &&
      (step->timeout_ms >= 0 ||
       (expects_error && g_str_equal (step->expect.error, "ETIMEDOUT"))))
    {
      g_autofree char *seconds = py_seconds (sp_step_get_timeout_ms (step));

      emit (w, "%s.settimeout(%s)", sock, seconds);
      timed = TRUE;
    }

  if (expects_error)
    {
      write_expected_error (w, step, index, sock);
    }
  else if (any)
    {
      /* "any": either outcome is fine; show which one happened */
      block_open (w, -1, "try:");
      write_action (w, step, index, sock);
      block_close (w);
      block_open (w, -1, "except OSError as e:");
      emit (w, "print('%s %s failed:', e)",
            step->socket != NULL && !sp_call_is_global (step->call) ? sock : "socket",
            sp_call_to_string (step->call));
      block_close (w);
    }
  else
    {
      result = write_action (w, step, index, sock);
      if (w->script)
        write_checks (w, step, sock, result);
    }

  if (timed)
    emit (w, "%s.settimeout(None)", sock);

  if (w->script && w->intervals != NULL && step->call == SP_CALL_ACCEPT)
    {
      const char *id = accept_name (step);
      Interval *interval = g_hash_table_lookup (w->intervals, id);
      g_autofree char *conn = py_name (id);

      if (interval != NULL)
        block_open (w, interval->end, "with %s:", conn);
    }
}

/* Whole programs */

static gboolean
intervals_nest (const Interval *a,
                const Interval *b)
{
  if (a->start > b->start)
    {
      const Interval *swap = a;

      a = b;
      b = swap;
    }

  return b->end <= a->end || a->end < b->start;
}

/* The notes' `with socket.socket(...) as s:` style fits a program whose
 * sockets live in nested spans, each made once and closed last. When that
 * is not so, the program creates and closes its sockets explicitly. */
static GHashTable *
script_intervals (Analysis  *a,
                  GPtrArray *steps)
{
  g_autoptr(GHashTable) intervals = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  gint end_of_script = 2 * (gint) steps->len;
  GHashTableIter iter;
  gpointer key, value;

  for (guint p = 0; p < steps->len; p++)
    {
      SpStep *step = g_ptr_array_index (steps, p);
      gboolean failing = step->has_expect && (step->expect.error != NULL || step->expect.any);

      if (step->socket != NULL && !sp_call_is_global (step->call))
        {
          Interval *interval = g_hash_table_lookup (intervals, step->socket);

          if (interval == NULL)
            {
              if (analysis_is_accepted (a, step->socket))
                return NULL;
              if (step->call == SP_CALL_SOCKET && failing)
                return NULL;

              interval = g_new (Interval, 1);
              interval->start = 2 * p;
              interval->end = -1;
              g_hash_table_insert (intervals, step->socket, interval);
            }
          else if (interval->end >= 0 || step->call == SP_CALL_SOCKET)
            {
              return NULL;
            }

          if (step->call == SP_CALL_CLOSE)
            {
              if (failing)
                return NULL;
              interval->end = 2 * p + 1;
            }
        }

      if (step->call == SP_CALL_ACCEPT)
        {
          Interval *interval;

          if (failing || sp_step_get_count (step) > 1 ||
              g_hash_table_contains (intervals, accept_name (step)))
            return NULL;

          interval = g_new (Interval, 1);
          interval->start = 2 * p + 1;
          interval->end = -1;
          g_hash_table_insert (intervals, (gpointer) accept_name (step), interval);
        }
    }

  g_hash_table_iter_init (&iter, intervals);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Interval *interval = value;

      if (interval->end < 0)
        interval->end = end_of_script;
    }

  g_hash_table_iter_init (&iter, intervals);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GHashTableIter other;
      gpointer other_key, other_value;

      g_hash_table_iter_init (&other, intervals);
      while (g_hash_table_iter_next (&other, &other_key, &other_value))
        {
          if (key != other_key && !intervals_nest (value, other_value))
            return NULL;
        }
    }

  return g_steal_pointer (&intervals);
}

/* HOST and PORT (or SOCKET_PATH) at the top, as in the notes: where the
 * server listens, or where the client connects, preferring the session's
 * own server to other destinations. */
static void
choose_constants (Writer    *w,
                  GPtrArray *steps)
{
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < steps->len; i++)
        {
          SpStep *step = g_ptr_array_index (steps, i);
          Endpoint endpoint;

          if (w->role == ROLE_SERVER)
            {
              if (pass > 0 || step->call != SP_CALL_BIND ||
                  !analysis_bind_endpoint (w->analysis, step->socket, step, TRUE, &endpoint))
                continue;
            }
          else
            {
              if ((step->call != SP_CALL_CONNECT && step->call != SP_CALL_CONNECT_EX &&
                   step->call != SP_CALL_SENDTO) ||
                  (pass == 0 && (step->to == NULL ||
                                 analysis_role (w->analysis, step->to) != ROLE_SERVER)) ||
                  !analysis_target (w->analysis, step, &endpoint))
                continue;
            }

          if (endpoint.family == SP_FAMILY_UNIX)
            {
              if (w->path == NULL && endpoint.host[0] != '\0')
                w->path = endpoint.host;
            }
          else if (w->host == NULL)
            {
              w->host = endpoint.host;
              w->port = endpoint.port;
              w->port_fixed = endpoint.fixed;
            }
        }
    }
}

/* Text for a docstring: backslashes doubled, no closing triple quote,
 * control characters escaped. */
static char *
docstring_escape (const char *text)
{
  GString *escaped = g_string_new (NULL);
  guint quotes = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        {
          quotes++;
          if (quotes == 3)
            {
              g_string_append (escaped, "\\\"");
              quotes = 0;
              continue;
            }
        }
      else
        {
          quotes = 0;
        }

      if (*p == '\\')
        g_string_append (escaped, "\\\\");
      else if ((guchar) *p < 0x20 && *p != '\n')
        g_string_append_printf (escaped, "\\x%02x", (guchar) *p);
      else
        g_string_append_c (escaped, *p);
    }

  return g_string_free (escaped, FALSE);
}

static void
append_wrapped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = docstring_escape (text);
  g_auto(GStrv) paragraphs = g_strsplit (escaped, "\n", -1);

  for (guint i = 0; paragraphs[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (paragraphs[i], " ", -1);
      gsize column = 0;

      for (guint j = 0; words[j] != NULL; j++)
        {
          gsize length = g_utf8_strlen (words[j], -1);

          if (words[j][0] == '\0')
            continue;

          if (column > 0 && column + 1 + length > DOCSTRING_WIDTH)
            {
              g_string_append_c (out, '\n');
              column = 0;
            }
          else if (column > 0)
            {
              g_string_append_c (out, ' ');
              column++;
            }

          g_string_append (out, words[j]);
          column += length;
        }

      g_string_append_c (out, '\n');
    }
}

static char *
assemble_script (SpSession  *session,
                 Writer     *w,
                 Role        role,
                 gboolean    both)
{
  GString *out = g_string_new ("#!/usr/bin/env python3\n\"\"\"");
  const char *title = sp_session_get_title (session);
  const char *description = sp_session_get_description (session);

  append_wrapped (out, title != NULL && title[0] != '\0' ? title : "Socket Playground session");
  if (description != NULL && description[0] != '\0')
    {
      g_string_append_c (out, '\n');
      append_wrapped (out, description);
    }
  g_string_append_c (out, '\n');
  if (role == ROLE_SERVER)
    append_wrapped (out, "The server side of the session: start it first, then client.py.");
  else if (both)
    append_wrapped (out, "The client side of the session: start server.py first, then this.");
  append_wrapped (out, "Exported from Socket Playground.");
  g_string_append (out, "\"\"\"\n\n");

  if (w->uses_errno)
    g_string_append (out, "import errno\n");
  if (w->uses_os)
    g_string_append (out, "import os\n");
  if (w->uses_impairment)
    g_string_append (out, "import random\n");
  g_string_append (out, "import socket\n");
  if (w->uses_threading || w->uses_impairment)
    g_string_append (out, "import threading\n");
  if (w->uses_time)
    g_string_append (out, "import time\n");

  if (w->host != NULL || w->path != NULL)
    g_string_append_c (out, '\n');

  if (w->host != NULL)
    {
      g_autofree char *host = py_string (w->host);

      if (role == ROLE_SERVER)
        g_string_append_printf (out, "HOST = %s  # %s\n", host,
                                w->host[0] == '\0' ? "'' is every interface (INADDR_ANY)"
                                                   : "The address the server binds");
      else
        g_string_append_printf (out, "HOST = %s  # The server's hostname or IP address\n", host);

      if (w->port_fixed)
        g_string_append_printf (out, "PORT = %d  # the session used port 0 (ephemeral); "
                                "a fixed port is used here so the client can find the server\n",
                                w->port);
      else if (role == ROLE_SERVER)
        g_string_append_printf (out, "PORT = %d  # Port to listen on "
                                "(non-privileged ports are > 1023)\n", w->port);
      else
        g_string_append_printf (out, "PORT = %d  # The port used by the server\n", w->port);
    }

  if (w->path != NULL)
    {
      g_autofree char *path = py_unix_path (w->path);

      g_string_append_printf (out, "SOCKET_PATH = %s  # %s\n", path,
                              w->path[0] == '@' ? "An abstract name (Linux): no file"
                                                : "The UNIX socket's file");
    }

  if (w->uses_impairment)
    {
      g_autofree char *hold = py_seconds (SP_IMPAIRMENT_HOLD_MS);

      g_string_append (out, "\n\n");
      g_string_append (out, impaired_socket_head);
      g_string_append_printf (out, "    HOLD_SECONDS = %s  # a held-back datagram with nothing "
                              "to go after leaves then\n", hold);
      g_string_append (out, impaired_socket_body);
    }

  if (w->defs->len > 0)
    {
      g_string_append (out, "\n\n");
      g_string_append_len (out, w->defs->str, w->defs->len);
      g_string_append (out, "\n");
    }

  g_string_append_c (out, '\n');
  g_string_append_len (out, w->out->str, w->out->len);

  return g_string_free (out, FALSE);
}

static SpScript *
build_script (SpSession *session,
              Analysis  *a,
              Role       role,
              GPtrArray *steps,
              gboolean   both)
{
  Writer w = { 0 };
  char *content;

  w.analysis = a;
  w.script = TRUE;
  w.role = role;
  w.out = g_string_new (NULL);
  w.defs = g_string_new (NULL);
  w.blocks = g_array_new (FALSE, FALSE, sizeof (Block));
  w.port = -1;
  w.created = g_hash_table_new (g_str_hash, g_str_equal);
  w.functions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w.intervals = script_intervals (a, steps);

  choose_constants (&w, steps);

  for (guint p = 0; p < steps->len; p++)
    {
      SpStep *step = g_ptr_array_index (steps, p);
      guint index = 0;

      g_ptr_array_find (a->steps, step, &index);
      write_step (&w, step, index);

      while (w.blocks->len > 0 &&
             g_array_index (w.blocks, Block, w.blocks->len - 1).end == 2 * (gint) p + 1)
        block_close (&w);
    }

  while (w.blocks->len > 0)
    block_close (&w);

  content = assemble_script (session, &w, role, both);

  g_string_free (w.out, TRUE);
  g_string_free (w.defs, TRUE);
  g_array_unref (w.blocks);
  g_hash_table_unref (w.created);
  g_hash_table_unref (w.functions);
  g_clear_pointer (&w.intervals, g_hash_table_unref);

  return sp_script_new (role == ROLE_SERVER ? "server.py" : "client.py", content);
}

char *
sp_codegen_step_python (SpSession *session,
                        SpStep    *step)
{
  return sp_codegen_step_python_to (session, step, NULL);
}

char *
sp_codegen_step_python_to (SpSession  *session,
                           SpStep     *step,
                           const char *destination)
{
  g_autoptr(Analysis) a = NULL;
  Writer w = { 0 };
  guint index = 0;

  g_return_val_if_fail (session == NULL || SP_IS_SESSION (session), NULL);
  g_return_val_if_fail (SP_IS_STEP (step), NULL);

  a = analysis_new (session);

  w.analysis = a;
  w.script = FALSE;
  w.out = g_string_new (NULL);
  w.blocks = g_array_new (FALSE, FALSE, sizeof (Block));
  w.port = -1;
  w.destination = destination;

  g_ptr_array_find (a->steps, step, &index);
  write_step (&w, step, index);

  while (w.blocks->len > 0)
    block_close (&w);
  g_array_unref (w.blocks);

  if (w.out->len > 0 && w.out->str[w.out->len - 1] == '\n')
    g_string_truncate (w.out, w.out->len - 1);

  return g_string_free (w.out, FALSE);
}

GPtrArray *
sp_codegen_python_scripts (SpSession  *session,
                           GError    **error)
{
  g_autoptr(Analysis) a = NULL;
  g_autoptr(GPtrArray) server_steps = NULL;
  g_autoptr(GPtrArray) client_steps = NULL;
  GPtrArray *scripts;
  gboolean has_server = FALSE;
  gboolean has_client = FALSE;

  g_return_val_if_fail (SP_IS_SESSION (session), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  a = analysis_new (session);
  server_steps = g_ptr_array_new ();
  client_steps = g_ptr_array_new ();

  for (guint i = 0; i < a->steps->len; i++)
    {
      SpStep *step = g_ptr_array_index (a->steps, i);

      if (step->socket != NULL && !sp_call_is_global (step->call) &&
          !analysis_has_id (a, step->socket))
        {
          g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID,
                       _("steps[%u].socket: no socket “%s” in this session"),
                       i, step->socket);
          return NULL;
        }

      if (step_role (a, i) == ROLE_SERVER)
        g_ptr_array_add (server_steps, step);
      else
        g_ptr_array_add (client_steps, step);
    }

  for (guint i = 0; i < a->sockets->len; i++)
    {
      SpSocketConfig *config = g_ptr_array_index (a->sockets, i);

      if (analysis_role (a, config->id) == ROLE_SERVER)
        has_server = TRUE;
      else
        has_client = TRUE;
    }
  has_client = has_client || client_steps->len > 0 || !has_server;

  scripts = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_script_free);
  if (has_server)
    g_ptr_array_add (scripts, build_script (session, a, ROLE_SERVER, server_steps, has_client));
  if (has_client)
    g_ptr_array_add (scripts, build_script (session, a, ROLE_CLIENT, client_steps, has_server));

  return scripts;
}

/* The scripts as files for sp_files_replace: executable, as the notes run
 * them ("./server.py"). Points into `scripts`. */
static GArray *
scripts_as_files (GPtrArray *scripts)
{
  GArray *files = g_array_sized_new (FALSE, FALSE, sizeof (SpFileContents), scripts->len);

  for (guint i = 0; i < scripts->len; i++)
    {
      SpScript *script = g_ptr_array_index (scripts, i);
      SpFileContents file = {
        .name = script->filename,
        .contents = script->content,
        .length = strlen (script->content),
        .mode = 0755,
      };

      g_array_append_val (files, file);
    }
  return files;
}

gboolean
sp_codegen_export_python (SpSession   *session,
                          const char  *directory,
                          GError     **error)
{
  g_autoptr(GPtrArray) scripts = NULL;
  g_autoptr(GArray) files = NULL;

  g_return_val_if_fail (SP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  scripts = sp_codegen_python_scripts (session, error);
  if (scripts == NULL)
    return FALSE;

  /* All the scripts or none: a server.py without its client.py is a
   * program that waits for a peer nobody wrote. */
  files = scripts_as_files (scripts);
  return sp_files_replace (directory, (SpFileContents *) (void *) files->data, files->len, error);
}

void
sp_codegen_export_python_async (SpSession           *session,
                                const char          *directory,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GPtrArray) scripts = NULL;
  g_autoptr(GArray) files = NULL;
  GError *error = NULL;

  g_return_if_fail (SP_IS_SESSION (session));
  g_return_if_fail (directory != NULL);

  /* The session belongs to this thread: the scripts are made here, and
   * only the disk is left to a worker. */
  scripts = sp_codegen_python_scripts (session, &error);
  if (scripts == NULL)
    {
      g_task_report_error (session, callback, user_data, sp_codegen_export_python_async, error);
      return;
    }

  files = scripts_as_files (scripts);
  sp_files_replace_async (directory, (SpFileContents *) (void *) files->data, files->len,
                          cancellable, callback, user_data);
}

gboolean
sp_codegen_export_python_finish (GAsyncResult  *result,
                                 GError       **error)
{
  if (g_async_result_is_tagged (result, sp_codegen_export_python_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  return sp_files_replace_finish (result, error);
}
