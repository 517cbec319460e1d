/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sp-endpoint.h"
#include "sp-errno.h"
#include "sp-recording.h"
#include "sp-socket-options.h"
#include "sp-step.h"

/* Room left in an id for the "_2" that tells two sockets apart. */
#define ID_STEM_MAX 56

typedef struct
{
  SpCall   call;
  gboolean ok;
  int      error_code;
  char    *socket_id;
  char    *new_id;
  char    *family;
  char    *type;
  char    *args;
  char    *local;
  char    *remote;
  gsize    bytes;
  GBytes  *data;
  /* Where the call goes in the replay's one-at-a-time order. */
  gint64   order_us;
  guint    seq;
} Call;

struct _SpRecording
{
  GObject    parent_instance;

  GPtrArray *calls;
  guint64    data_cap;
  guint64    data_bytes;
};

G_DEFINE_FINAL_TYPE (SpRecording, sp_recording, G_TYPE_OBJECT)

static void
call_free (gpointer data)
{
  Call *call = data;

  g_free (call->socket_id);
  g_free (call->new_id);
  g_free (call->family);
  g_free (call->type);
  g_free (call->args);
  g_free (call->local);
  g_free (call->remote);
  g_clear_pointer (&call->data, g_bytes_unref);
  g_free (call);
}

static void
sp_recording_finalize (GObject *object)
{
  SpRecording *self = SP_RECORDING (object);

  g_ptr_array_unref (self->calls);

  G_OBJECT_CLASS (sp_recording_parent_class)->finalize (object);
}

static void
sp_recording_class_init (SpRecordingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sp_recording_finalize;
}

static void
sp_recording_init (SpRecording *self)
{
  self->calls = g_ptr_array_new_with_free_func (call_free);
  self->data_cap = G_MAXUINT64;
}

SpRecording *
sp_recording_new (void)
{
  return g_object_new (SP_TYPE_RECORDING, NULL);
}

/* Calls that wait for another process to do something. */
static gboolean
waits_for_peer (SpCall call)
{
  return call == SP_CALL_ACCEPT || sp_call_receives (call);
}

void
sp_recording_add (SpRecording       *self,
                  const SpEventInfo *info,
                  const char        *family,
                  const char        *type,
                  const char        *new_id,
                  gint64             start_us,
                  gint64             end_us)
{
  Call *call;

  g_return_if_fail (SP_IS_RECORDING (self));
  g_return_if_fail (info != NULL);

  call = g_new0 (Call, 1);
  call->call = info->call;
  call->ok = info->ok;
  call->error_code = info->error_code;
  call->socket_id = g_strdup (info->socket_id);
  call->new_id = g_strdup (new_id);
  call->family = g_strdup (family);
  call->type = g_strdup (type);
  call->args = g_strdup (info->args);
  call->local = g_strdup (info->local);
  call->remote = g_strdup (info->remote);
  call->bytes = info->bytes;
  /* Only what is sent is sent again. */
  if (info->payload != NULL && info->kind == SP_EVENT_SENT &&
      info->payload_len <= self->data_cap - self->data_bytes)
    {
      call->data = g_bytes_new (info->payload, info->payload_len);
      self->data_bytes += info->payload_len;
    }
  /* A replay makes one call at a time, each after the one before has
   * returned. A call that waits for another process (accept, a receive)
   * goes where it returned; any other where it began: a send wakes its
   * receiver before it returns itself, and its report may come later. */
  if (start_us > 0 && !waits_for_peer (info->call))
    call->order_us = start_us;
  else
    call->order_us = end_us;
  call->seq = self->calls->len;
  g_ptr_array_add (self->calls, call);
}

void
sp_recording_set_data_cap (SpRecording *self,
                           guint64      cap_bytes)
{
  g_return_if_fail (SP_IS_RECORDING (self));

  self->data_cap = MAX (cap_bytes, self->data_bytes);
}

guint
sp_recording_get_n_calls (SpRecording *self)
{
  g_return_val_if_fail (SP_IS_RECORDING (self), 0);

  return self->calls->len;
}

/* Making the session */

/* A traced socket as the session knows it. */
typedef struct
{
  char         *id;
  SpFamily      family;
  SpSocketType  type;
  char         *bound;      /* where bind put it, as sp_endpoint_format writes */
  gboolean      listening;
  gboolean      accepted;   /* made by an accept's "as", not declared */
} Recorded;

static void
recorded_free (gpointer data)
{
  Recorded *recorded = data;

  g_free (recorded->id);
  g_free (recorded->bound);
  g_free (recorded);
}

typedef struct
{
  SpSession  *session;
  /* Every socket the session has, in the order they appeared. */
  GPtrArray  *sockets;
  /* The traced id ("server.py:3") → its socket now: a descriptor closed
   * and made again is another socket. */
  GHashTable *live;
  GHashTable *ids_taken;
  guint       n_left_out;
} Builder;

/* "notes_echo_server.py[4242]:3" → "notes_echo_server_3": a name Python
 * can take as a variable, as the exported program uses it. */
static char *
id_stem (const char *traced_id)
{
  const char *colon = strrchr (traced_id, ':');
  const char *bracket = strchr (traced_id, '[');
  const char *end = bracket != NULL && (colon == NULL || bracket < colon) ? bracket : colon;
  g_autofree char *program = g_strndup (traced_id, end != NULL ? (gsize) (end - traced_id)
                                                               : strlen (traced_id));
  char *dot = strrchr (program, '.');
  GString *stem = g_string_new (NULL);

  if (dot != NULL && dot != program)
    *dot = '\0';
  for (const char *p = program; *p != '\0' && stem->len < ID_STEM_MAX; p++)
    g_string_append_c (stem, g_ascii_isalnum (*p) ? *p : '_');
  if (stem->len == 0 || !(g_ascii_isalpha (stem->str[0]) || stem->str[0] == '_'))
    g_string_prepend (stem, "s_");
  if (colon != NULL)
    g_string_append_printf (stem, "_%s", colon + 1);
  for (char *p = stem->str; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_'))
      *p = '_';
  return g_string_free (stem, FALSE);
}

static Recorded *
add_socket (Builder    *builder,
            const char *traced_id,
            const char *family,
            const char *type,
            gboolean    accepted)
{
  Recorded *recorded = g_new0 (Recorded, 1);
  g_autofree char *stem = id_stem (traced_id);
  char *id = g_strdup (stem);

  for (guint n = 2; g_hash_table_contains (builder->ids_taken, id); n++)
    {
      g_free (id);
      id = g_strdup_printf ("%s_%u", stem, n);
    }
  g_hash_table_add (builder->ids_taken, g_strdup (id));

  recorded->id = id;
  recorded->family = SP_FAMILY_INET;
  recorded->type = SP_SOCKET_TYPE_STREAM;
  if (family != NULL)
    sp_family_from_string (family, &recorded->family);
  if (type != NULL)
    sp_socket_type_from_string (type, &recorded->type);
  recorded->accepted = accepted;

  g_ptr_array_add (builder->sockets, recorded);
  g_hash_table_insert (builder->live, g_strdup (traced_id), recorded);
  return recorded;
}

/* An address as Python writes it, "('localhost', 5000)" or "('::1', 5000,
 * 0, 0)": the host as the program gave it, which may be a name. */
static gboolean
parse_python_address (const char  *args,
                      char       **host,
                      gint        *port)
{
  const char *end;
  guint64 number;
  char *number_end;

  if (args == NULL || !g_str_has_prefix (args, "('"))
    return FALSE;
  end = strstr (args + 2, "', ");
  if (end == NULL)
    return FALSE;
  number = g_ascii_strtoull (end + 3, &number_end, 10);
  if (number_end == end + 3 || number > 65535 || (*number_end != ')' && *number_end != ','))
    return FALSE;
  *host = g_strndup (args + 2, end - args - 2);
  *port = (gint) number;
  return TRUE;
}

/* Where an inet address or a UNIX name goes in a step. */
static void
set_address (SpStep     *step,
             SpFamily    family,
             const char *args,
             const char *endpoint)
{
  g_autofree char *host = NULL;
  gint port;

  if (family == SP_FAMILY_UNIX)
    {
      step->address = g_strdup (endpoint);
      return;
    }
  if (parse_python_address (args, &host, &port) || sp_endpoint_split_text (endpoint, &host, &port))
    {
      step->address = g_steal_pointer (&host);
      step->port = port;
    }
}

static gboolean
is_wildcard (const char *host)
{
  return *host == '\0' || g_str_equal (host, "0.0.0.0") || g_str_equal (host, "::");
}

/* The socket of the recording that a connect or sendto to `destination`
 * reached: bound there (or to the wildcard on its port), and listening
 * if it is a stream. */
static Recorded *
find_destination (Builder    *builder,
                  Recorded   *from,
                  const char *destination)
{
  g_autofree char *host = NULL;
  gint port = -1;

  if (destination == NULL)
    return NULL;
  if (from->family != SP_FAMILY_UNIX && !sp_endpoint_split_text (destination, &host, &port))
    return NULL;

  for (guint i = builder->sockets->len; i-- > 0;)
    {
      Recorded *candidate = g_ptr_array_index (builder->sockets, i);
      g_autofree char *bound_host = NULL;
      gint bound_port;

      if (candidate == from || candidate->bound == NULL || candidate->type != from->type ||
          (candidate->type == SP_SOCKET_TYPE_STREAM && !candidate->listening))
        continue;
      if (g_str_equal (candidate->bound, destination))
        return candidate;
      if (from->family != SP_FAMILY_UNIX &&
          sp_endpoint_split_text (candidate->bound, &bound_host, &bound_port) &&
          bound_port == port && is_wildcard (bound_host))
        return candidate;
    }
  return NULL;
}

static void
set_destination (Builder    *builder,
                 Recorded   *from,
                 SpStep     *step,
                 const Call *call)
{
  Recorded *target = find_destination (builder, from, call->remote);

  if (target != NULL)
    step->to = g_strdup (target->id);
  else
    set_address (step, from->family, call->args, call->remote);
}

/* The bytes a send sent, as text where they read as text. */
static SpStepData *
make_data (const Call *call,
           char      **note)
{
  gsize size = 0;
  const char *bytes = call->data != NULL ? g_bytes_get_data (call->data, &size) : NULL;
  g_autoptr(GString) hex = g_string_new (NULL);

  if (size < call->bytes)
    *note = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "The program sent %zu byte; the first %zu were recorded.",
                                          "The program sent %zu bytes; the first %zu were recorded.",
                                          call->bytes),
                             (size_t) call->bytes, (size_t) size);

  if (size > 0 && memchr (bytes, '\0', size) == NULL && g_utf8_validate (bytes, size, NULL))
    {
      g_autofree char *text = g_strndup (bytes, size);

      return sp_step_data_new_text (text, NULL, NULL);
    }

  for (gsize i = 0; i < size; i++)
    g_string_append_printf (hex, i == 0 ? "%02x" : " %02x", (guint8) bytes[i]);
  return sp_step_data_new_hex (hex->str, NULL);
}

/* recv(1024), recv_into(buffer, 10): the size the call asked for. */
static void
set_bufsize (SpStep     *step,
             const char *args)
{
  const char *p = args;

  if (p == NULL)
    return;
  while (*p != '\0' && !g_ascii_isdigit (*p))
    p++;
  if (*p != '\0')
    {
      guint64 size = g_ascii_strtoull (p, NULL, 10);

      if (size > 0 && size <= G_MAXINT32)
        step->bufsize = (gint64) size;
    }
}

/* "socket.SOL_SOCKET, socket.SO_REUSEADDR, 1": the option the session
 * format names, and its number. */
static gboolean
set_option (SpStep     *step,
            const char *args)
{
  g_auto(GStrv) parts = args != NULL ? g_strsplit (args, ", ", 3) : NULL;
  const char *name;
  gint64 value;
  char *end;

  if (parts == NULL || g_strv_length (parts) != 3)
    return FALSE;
  name = g_str_has_prefix (parts[1], "socket.") ? parts[1] + strlen ("socket.") : parts[1];
  value = g_ascii_strtoll (parts[2], &end, 10);
  if (sp_socket_option_lookup (name) == NULL || end == parts[2] || *end != '\0')
    return FALSE;

  step->option = g_strdup (name);
  step->value = value;
  return TRUE;
}

static SpShutdownHow
shutdown_how (const char *args)
{
  if (args != NULL && (strstr (args, "SHUT_RDWR") != NULL || g_str_equal (args, "2")))
    return SP_SHUTDOWN_BOTH;
  if (args != NULL && (strstr (args, "SHUT_RD") != NULL || g_str_equal (args, "0")))
    return SP_SHUTDOWN_READ;
  return SP_SHUTDOWN_WRITE;
}

/* The first string in the arguments: the host of gethostbyname('localhost'). */
static char *
first_string (const char *args)
{
  const char *start = args != NULL ? strchr (args, '\'') : NULL;
  const char *end = start != NULL ? strchr (start + 1, '\'') : NULL;

  return end != NULL ? g_strndup (start + 1, end - start - 1) : NULL;
}

/* A call that failed because its socket did not block, or that a signal
 * interrupted: the program went on and called again, and a replay's calls
 * block. */
static gboolean
failed_without_blocking (const Call *call)
{
  return call->error_code == EAGAIN || call->error_code == EWOULDBLOCK ||
         call->error_code == EALREADY || call->error_code == EINTR ||
         (call->error_code == EINPROGRESS && call->call != SP_CALL_CONNECT &&
          call->call != SP_CALL_CONNECT_EX);
}

static gboolean
expect_failure (SpStep     *step,
                const Call *call)
{
  const char *name;

  /* A non-blocking connect under way became the connection the program
   * went on to use. */
  if (call->error_code == EINPROGRESS)
    return TRUE;
  name = sp_errno_name (call->error_code);
  if (name == NULL)
    return FALSE;
  step->has_expect = TRUE;
  step->expect.error = g_strdup (name);
  return TRUE;
}

static SpStep *
make_step (Builder    *builder,
           const Call *call)
{
  Recorded *socket = NULL;
  g_autoptr(SpStep) step = NULL;
  char *note = NULL;

  if (!call->ok && (call->error_code == 0 || failed_without_blocking (call)))
    return NULL;

  if (call->socket_id != NULL)
    {
      socket = g_hash_table_lookup (builder->live, call->socket_id);
      if (socket == NULL)
        socket = add_socket (builder, call->socket_id, call->family, call->type, FALSE);
    }
  /* A socket that could not be made is no socket of the session. */
  if (call->call == SP_CALL_SOCKET && !call->ok)
    return NULL;

  step = sp_step_new (socket != NULL ? socket->id : NULL, call->call);
  switch (call->call)
    {
    case SP_CALL_SETSOCKOPT:
      if (!set_option (step, call->args))
        return NULL;
      break;

    case SP_CALL_BIND:
      set_address (step, socket->family, call->args, call->ok ? call->local : call->remote);
      if (call->ok)
        {
          g_free (socket->bound);
          socket->bound = g_strdup (call->local);
        }
      break;

    case SP_CALL_LISTEN:
      if (call->args != NULL && *call->args != '\0')
        step->backlog = (gint) CLAMP (g_ascii_strtoll (call->args, NULL, 10), 0, G_MAXINT);
      if (call->ok)
        socket->listening = TRUE;
      break;

    case SP_CALL_ACCEPT:
      if (call->ok && call->new_id != NULL)
        {
          Recorded *accepted = add_socket (builder, call->new_id,
                                           call->family, call->type, TRUE);

          accepted->family = socket->family;
          accepted->type = socket->type;
          step->as = g_strdup (accepted->id);
        }
      break;

    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      set_destination (builder, socket, step, call);
      break;

    case SP_CALL_SENDTO:
      set_destination (builder, socket, step, call);
      G_GNUC_FALLTHROUGH;
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
      step->data = make_data (call, &note);
      step->note = note;
      break;

    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
      set_bufsize (step, call->args);
      break;

    case SP_CALL_SHUTDOWN:
      step->how = shutdown_how (call->args);
      step->has_how = TRUE;
      break;

    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
      step->host = first_string (call->args);
      if (step->host == NULL)
        return NULL;
      break;

    case SP_CALL_SOCKET:
    case SP_CALL_CLOSE:
    case SP_CALL_GETSOCKNAME:
    case SP_CALL_GETPEERNAME:
    case SP_CALL_GETHOSTNAME:
      break;

    case SP_CALL_SERVE:
    case SP_CALL_SLEEP:
    case SP_CALL_NOTE:
    case SP_N_CALLS:
    default:
      return NULL;
    }

  if (!call->ok && !expect_failure (step, call))
    return NULL;

  /* A descriptor closed may come back as another socket. */
  if (call->call == SP_CALL_CLOSE && call->ok)
    g_hash_table_remove (builder->live, call->socket_id);

  return g_steal_pointer (&step);
}

static int
compare_calls (gconstpointer a,
               gconstpointer b)
{
  const Call *first = *(const Call * const *) a;
  const Call *second = *(const Call * const *) b;

  if (first->order_us != second->order_us)
    return first->order_us < second->order_us ? -1 : 1;
  return first->seq < second->seq ? -1 : first->seq > second->seq;
}

SpSession *
sp_recording_to_session (SpRecording *self,
                         const char  *title,
                         guint       *n_left_out)
{
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (g_object_unref);
  Builder builder = { 0 };

  g_return_val_if_fail (SP_IS_RECORDING (self), NULL);

  builder.session = sp_session_new ();
  builder.sockets = g_ptr_array_new_with_free_func (recorded_free);
  builder.live = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  builder.ids_taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* Reports from two processes arrive in the order they were sent, not
   * the order of the calls: a listen may be read after the connect it let
   * through. */
  /* A copy would free the calls with it. */
  calls = g_ptr_array_sized_new (self->calls->len);
  g_ptr_array_extend (calls, self->calls, NULL, NULL);
  g_ptr_array_sort (calls, compare_calls);

  for (guint i = 0; i < calls->len; i++)
    {
      SpStep *step = make_step (&builder, g_ptr_array_index (calls, i));

      if (step != NULL)
        g_ptr_array_add (steps, step);
      else
        builder.n_left_out++;
    }

  sp_session_set_title (builder.session, title);
  for (guint i = 0; i < builder.sockets->len; i++)
    {
      Recorded *recorded = g_ptr_array_index (builder.sockets, i);
      g_autoptr(SpSocketConfig) config = NULL;

      if (recorded->accepted)
        continue;
      config = sp_socket_config_new (recorded->id, recorded->family, recorded->type);
      sp_session_add_socket (builder.session, config);
    }
  for (guint i = 0; i < steps->len; i++)
    sp_session_append_step (builder.session, g_ptr_array_index (steps, i));

  if (n_left_out != NULL)
    *n_left_out = builder.n_left_out;
  g_ptr_array_unref (builder.sockets);
  g_hash_table_unref (builder.live);
  g_hash_table_unref (builder.ids_taken);
  return builder.session;
}
