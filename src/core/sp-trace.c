/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sp-lifecycle.h"
#include "sp-reader.h"
#include "sp-recording.h"
#include "sp-report-parser.h"
#include "sp-trace-report.h"
#include "sp-trace.h"

/* After the program exited, how long a child it left running may keep the
 * channel open before the trace ends without it. */
#define ORPHAN_GRACE_MS 1000

typedef struct
{
  SpSocketType type;
  SpState      state;
} Observed;

typedef struct
{
  guint         position;
  int           pid;
  const char   *program;  /* interned */
  /* The socket's kind, where the report said it (socket, accept, …) */
  SpFamily      family;
  SpSocketType  type;
  gboolean      kind_known;
} Origin;

struct _SpTrace
{
  GObject        parent_instance;

  SpTrafficLog  *log;
  gint64         data_limit;
  /* Every call is added to it too, when set. */
  SpRecording   *recording;

  char          *program;
  GSubprocess   *process;
  /* Run in the child before the program: a terminal's setup. */
  GSpawnChildSetupFunc child_setup;
  gpointer       child_setup_data;
  GDestroyNotify child_setup_destroy;
  GCancellable  *cancellable;
  int            pid;
  int            channel;
  SpReader      *reader;
  /* CLOCK_REALTIME minus the monotonic clock: reports carry the first,
   * the log the second. */
  gint64         clock_offset_us;

  /* "<program>:<fd>" → Observed */
  GHashTable    *sockets;
  GArray        *origins;
  /* One for every report, its storage reused. */
  SpReportParser *parser;
  guint          n_malformed;
  int            exit_status;

  /* Where it was started: its sources go there, as the reader's
   * deliveries and the wait for the program do. */
  GMainContext  *context;
  GSource       *kill_source;
  GSource       *orphan_source;

  guint          running : 1;
  guint          exited : 1;
  guint          channel_ended : 1;
  guint          finished : 1;
};

enum {
  SIGNAL_STARTED,
  SIGNAL_EXITED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpTrace, sp_trace, G_TYPE_OBJECT)

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static GSource *
add_timeout (SpTrace     *self,
             guint        ms,
             GSourceFunc  func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
sp_trace_dispose (GObject *object)
{
  SpTrace *self = SP_TRACE (object);

  clear_source (&self->kill_source);
  clear_source (&self->orphan_source);
  g_clear_pointer (&self->reader, sp_reader_free);
  if (self->channel >= 0)
    {
      close (self->channel);
      self->channel = -1;
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->process);
  g_clear_object (&self->log);
  g_clear_object (&self->recording);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (sp_trace_parent_class)->dispose (object);
}

static void
sp_trace_finalize (GObject *object)
{
  SpTrace *self = SP_TRACE (object);

  if (self->child_setup_destroy != NULL)
    self->child_setup_destroy (self->child_setup_data);
  g_free (self->program);
  g_hash_table_unref (self->sockets);
  g_array_unref (self->origins);
  sp_report_parser_free (self->parser);

  G_OBJECT_CLASS (sp_trace_parent_class)->finalize (object);
}

static void
sp_trace_class_init (SpTraceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_trace_dispose;
  object_class->finalize = sp_trace_finalize;

  signals[SIGNAL_STARTED] = g_signal_new ("started", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
  signals[SIGNAL_EXITED] = g_signal_new ("exited", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
sp_trace_init (SpTrace *self)
{
  self->data_limit = 4096;
  self->channel = -1;
  self->sockets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->origins = g_array_new (FALSE, FALSE, sizeof (Origin));
  self->parser = sp_report_parser_new ();
}

SpTrace *
sp_trace_new (SpTrafficLog *log)
{
  SpTrace *self;

  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (log), NULL);

  self = g_object_new (SP_TYPE_TRACE, NULL);
  self->log = g_object_ref (log);
  return self;
}

void
sp_trace_set_log (SpTrace      *self,
                  SpTrafficLog *log)
{
  g_return_if_fail (SP_IS_TRACE (self));
  g_return_if_fail (SP_IS_TRAFFIC_LOG (log));

  /* The origins are positions in the old log. */
  if (g_set_object (&self->log, log))
    g_array_set_size (self->origins, 0);
}

void
sp_trace_set_recording (SpTrace     *self,
                        SpRecording *recording)
{
  g_return_if_fail (SP_IS_TRACE (self));
  g_return_if_fail (recording == NULL || SP_IS_RECORDING (recording));

  g_set_object (&self->recording, recording);
}

void
sp_trace_set_data_limit (SpTrace *self,
                         gint64   data_limit)
{
  g_return_if_fail (SP_IS_TRACE (self));

  self->data_limit = data_limit;
}

static char *
socket_id_for (SpTrace    *self,
               const char *program,
               gint64      pid,
               gint64      fd)
{
  if (pid == self->pid)
    return g_strdup_printf ("%s:%" G_GINT64_FORMAT, program, fd);
  return g_strdup_printf ("%s[%" G_GINT64_FORMAT "]:%" G_GINT64_FORMAT, program, pid, fd);
}

static gboolean
is_sending (SpCall call)
{
  return call == SP_CALL_SEND || call == SP_CALL_SENDALL || call == SP_CALL_SENDTO;
}

/* A socket first seen in the middle of its life (inherited, or made
 * before the tracer could see it) is assumed to be where its call says. */
static Observed *
observe (SpTrace        *self,
         const char     *socket_id,
         SpCall          call,
         const SpReport *report)
{
  Observed *observed = g_hash_table_lookup (self->sockets, socket_id);
  const char *type = report->strings[SP_REPORT_TYPE];

  if (observed == NULL)
    {
      observed = g_new0 (Observed, 1);
      observed->type = SP_SOCKET_TYPE_STREAM;
      if (is_sending (call) || sp_call_receives (call) || call == SP_CALL_SHUTDOWN ||
          call == SP_CALL_GETPEERNAME)
        observed->state = SP_STATE_CONNECTED;
      else if (call == SP_CALL_ACCEPT)
        observed->state = SP_STATE_LISTENING;
      else if (call == SP_CALL_SOCKET)
        observed->state = SP_STATE_UNCREATED;
      else
        observed->state = SP_STATE_CREATED;
      g_hash_table_insert (self->sockets, g_strdup (socket_id), observed);
    }

  if (type != NULL)
    sp_socket_type_from_string (type, &observed->type);

  return observed;
}

static SpState
state_after (Observed       *observed,
             SpCall          call,
             const SpReport *report)
{
  const char *args = report->strings[SP_REPORT_ARGS];

  switch (call)
    {
    case SP_CALL_SOCKET:
      return SP_STATE_CREATED;

    case SP_CALL_CLOSE:
      return SP_STATE_CLOSED;

    case SP_CALL_SHUTDOWN:
      if (args != NULL && g_str_has_suffix (args, "SHUT_RD"))
        return sp_lifecycle_after_shutdown (observed->state, SP_SHUTDOWN_READ);
      if (args != NULL && g_str_has_suffix (args, "SHUT_WR"))
        return sp_lifecycle_after_shutdown (observed->state, SP_SHUTDOWN_WRITE);
      return sp_lifecycle_after_shutdown (observed->state, SP_SHUTDOWN_BOTH);

    case SP_CALL_SETSOCKOPT:
    case SP_CALL_BIND:
    case SP_CALL_LISTEN:
    case SP_CALL_ACCEPT:
    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
    case SP_CALL_SENDTO:
    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
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
      return sp_lifecycle_next_state (observed->type, observed->state, call);
    }
}

/* "(<socket fd 5>, ('127.0.0.1', 40000))" names the new socket as the
 * playground's own accept does: "(server.py:5, ('127.0.0.1', 40000))". */
static char *
accept_detail (const char *result,
               const char *new_id)
{
  const char *end;

  if (result != NULL && g_str_has_prefix (result, "(<") && (end = strchr (result, '>')) != NULL)
    return g_strdup_printf ("(%s%s", new_id, end + 1);
  return g_strdup_printf ("(%s, None)", new_id);
}

static void
add_origin (SpTrace        *self,
            guint           position,
            gint64          pid,
            const char     *program,
            const SpReport *report)
{
  Origin origin = { position, (int) pid, g_intern_string (program) };
  const char *family = report->strings[SP_REPORT_FAMILY];
  const char *type = report->strings[SP_REPORT_TYPE];

  origin.kind_known = family != NULL && type != NULL &&
                      sp_family_from_string (family, &origin.family) &&
                      sp_socket_type_from_string (type, &origin.type);

  /* A log cleared (a restart) numbers its events from 0 again: the
   * events the origins were for are gone, and the positions stay sorted. */
  if (self->origins->len > 0 &&
      position <= g_array_index (self->origins, Origin, self->origins->len - 1).position)
    g_array_set_size (self->origins, 0);
  g_array_append_val (self->origins, origin);
}

static gboolean
take_report (SpTrace      *self,
             const guint8 *data,
             gsize         size)
{
  g_autofree char *socket_id = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *detail_owned = NULL;
  g_autofree guint8 *payload = NULL;
  SpReport parsed;
  const SpReport *report = &parsed;
  SpEventInfo info = { 0 };
  Observed *observed = NULL;
  const char *call_name;
  const char *program;
  const char *encoded;
  gint64 pid, fd, error_code = 0, bytes = 0, time_us, start_us = 0, new_fd = -1;
  gsize payload_len = 0;
  gboolean ok;

  /* The tracer is the program's guest: a program can write anything on a
   * descriptor it was given. */
  if (size == 0 || !g_utf8_validate ((const char *) data, size, NULL) ||
      !sp_report_parser_parse (self->parser, (const char *) data, size, &parsed))
    return FALSE;

  call_name = report->strings[SP_REPORT_CALL];
  if (call_name == NULL || !sp_call_from_string (call_name, &info.call) ||
      !sp_report_get_int (report, SP_REPORT_PID, &pid) ||
      !sp_report_get_int (report, SP_REPORT_FD, &fd) ||
      !report->has_ok || pid <= 0 || pid > G_MAXINT || fd < -1 || fd > G_MAXINT)
    return FALSE;
  ok = report->ok;
  sp_report_get_int (report, SP_REPORT_ERRNO, &error_code);
  sp_report_get_int (report, SP_REPORT_BYTES, &bytes);
  sp_report_get_int (report, SP_REPORT_NEW_FD, &new_fd);
  if (bytes < 0 || error_code < G_MININT || error_code > G_MAXINT)
    return FALSE;

  if (self->pid == 0)
    self->pid = (int) pid;

  program = report->strings[SP_REPORT_PROGRAM];
  if (program == NULL || *program == '\0')
    program = self->program;

  encoded = report->strings[SP_REPORT_DATA];
  if (encoded != NULL)
    payload = g_base64_decode (encoded, &payload_len);

  info.ok = ok;
  info.error_code = ok ? 0 : (int) error_code;
  info.step = -1;
  info.kind = SP_EVENT_CALL;
  info.local = report->strings[SP_REPORT_LOCAL];
  info.remote = report->strings[SP_REPORT_REMOTE];
  info.args = report->strings[SP_REPORT_ARGS];
  info.detail = report->strings[SP_REPORT_RESULT];
  info.bytes = bytes;

  /* connect_ex succeeds and returns the errno; the playground's own shows
   * that as a failed call with its errno, and so does a traced one. */
  if (info.call == SP_CALL_CONNECT_EX && ok && bytes != 0)
    {
      info.ok = FALSE;
      info.error_code = (int) bytes;
      info.bytes = 0;
    }

  if (info.ok && is_sending (info.call))
    {
      info.kind = SP_EVENT_SENT;
      info.detail = NULL;
    }
  else if (info.ok && sp_call_receives (info.call))
    {
      info.kind = SP_EVENT_RECEIVED;
      if (!sp_call_gives_sender (info.call))
        info.detail = NULL;
    }
  if (info.kind != SP_EVENT_CALL)
    {
      info.payload = payload;
      info.payload_len = payload_len;
    }

  if (fd >= 0)
    {
      socket_id = socket_id_for (self, program, pid, fd);
      info.socket_id = socket_id;
      observed = observe (self, socket_id, info.call, report);
      if (info.ok)
        observed->state = state_after (observed, info.call, report);
      info.state = observed->state;

      if (info.kind == SP_EVENT_RECEIVED && bytes == 0 &&
          observed->type == SP_SOCKET_TYPE_STREAM)
        info.detail = _(SP_EVENT_DETAIL_END_OF_FILE);
    }

  if (info.call == SP_CALL_SOCKET && info.ok && fd >= 0)
    info.detail = detail_owned = g_strdup_printf ("fd %" G_GINT64_FORMAT, fd);

  if (info.call == SP_CALL_ACCEPT && info.ok && new_fd >= 0 && new_fd <= G_MAXINT)
    {
      Observed *accepted;

      new_id = socket_id_for (self, program, pid, new_fd);
      g_hash_table_remove (self->sockets, new_id);
      accepted = observe (self, new_id, SP_CALL_SEND, report);
      accepted->state = SP_STATE_CONNECTED;
      info.detail = detail_owned = accept_detail (info.detail, new_id);
    }

  if (!sp_report_get_int (report, SP_REPORT_TIME_US, &time_us))
    time_us = g_get_real_time ();
  if (time_us > self->clock_offset_us)
    info.monotonic_us = time_us - self->clock_offset_us;

  /* The recording takes what the log does not keep: the report's family
   * and type, and the socket an accept returned. */
  if (self->recording != NULL)
    {
      sp_report_get_int (report, SP_REPORT_START_US, &start_us);
      sp_recording_add (self->recording, &info, report->strings[SP_REPORT_FAMILY],
                        report->strings[SP_REPORT_TYPE], new_id, start_us, time_us);
    }

  /* The origin is known before the event is appended: handlers of
   * "appended" ask for it. Nothing else is appended in between. */
  add_origin (self, sp_traffic_log_get_n_appended (self->log), pid, program, report);
  sp_traffic_log_append (self->log, &info);

  /* A descriptor closed may come back as another socket. */
  if (observed != NULL && observed->state == SP_STATE_CLOSED)
    g_hash_table_remove (self->sockets, socket_id);

  return TRUE;
}

static void finish (SpTrace *self);

static void
end_channel (SpTrace *self)
{
  if (self->channel_ended)
    return;

  self->channel_ended = TRUE;
  clear_source (&self->orphan_source);
  if (self->exited)
    finish (self);
}

static void
on_batch (const SpReadingBatch *batch,
          gpointer              user_data)
{
  SpTrace *self = user_data;

  for (guint i = 0; i < batch->readings->len; i++)
    {
      const SpReading *reading = &g_array_index (batch->readings, SpReading, i);

      if (reading->size <= 0)
        continue;
      if (!take_report (self, batch->payload->data + reading->offset, reading->size))
        self->n_malformed++;
    }

  /* A 0-byte read: every process that held the channel has closed it. */
  if (batch->finished)
    end_channel (self);
}

static void
finish (SpTrace *self)
{
  if (self->finished)
    return;

  self->finished = TRUE;
  self->running = FALSE;
  clear_source (&self->kill_source);
  clear_source (&self->orphan_source);
  /* What was read before the end is delivered now, then no more calls. */
  if (self->reader != NULL)
    sp_reader_halt (self->reader);
  g_clear_pointer (&self->reader, sp_reader_free);
  g_signal_emit (self, signals[SIGNAL_EXITED], 0, self->exit_status);
}

static gboolean
on_orphan_grace (gpointer user_data)
{
  SpTrace *self = user_data;

  /* Reports read and not yet taken are the program's last calls, not a
   * child's that holds the channel: they are taken at the pace of the
   * deliveries (a frame at a time), not all at once, which would hold
   * the window for as long as a flood of them takes. */
  if (self->reader != NULL && sp_reader_has_undelivered (self->reader))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->orphan_source, g_source_unref);
  finish (self);
  return G_SOURCE_REMOVE;
}

static void
on_wait (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SpTrace) self = user_data;
  GSubprocess *process = G_SUBPROCESS (source);

  if (!g_subprocess_wait_finish (process, result, NULL))
    return;

  if (g_subprocess_get_if_signaled (process))
    self->exit_status = 128 + g_subprocess_get_term_sig (process);
  else
    self->exit_status = g_subprocess_get_exit_status (process);
  self->exited = TRUE;
  clear_source (&self->kill_source);

  if (self->channel_ended)
    finish (self);
  else
    self->orphan_source = add_timeout (self, ORPHAN_GRACE_MS, on_orphan_grace);
}

/* A file the tracing needs: where $`env_name` says, else in a build tree
 * (`in_build`, relative to the build directory, whose executables are in
 * <build>/src and <build>/tests), else `installed`. `probe` is what must
 * exist in the build tree's copy, relative to it. */
static char *
find_trace_file (const char *env_name,
                 const char *in_build,
                 const char *probe,
                 const char *installed)
{
  const char *env = g_getenv (env_name);
  g_autofree char *exe = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      g_autofree char *built = g_build_filename (dir, "..", in_build, NULL);
      g_autofree char *probed = g_build_filename (built, probe, NULL);

      if (g_file_test (probed, G_FILE_TEST_IS_REGULAR))
        return g_canonicalize_filename (built, NULL);
    }

  return g_strdup (installed);
}

char *
sp_trace_find_python_dir (void)
{
  /* data/meson.build copies the tracer into the build tree. */
  return find_trace_file ("SP_TRACE_DIR", "data/trace", "sitecustomize.py",
                          PKGDATADIR "/trace");
}

char *
sp_trace_find_preload (void)
{
  return find_trace_file ("SP_TRACE_PRELOAD", "src/trace/" SP_TRACE_PRELOAD_NAME, "",
                          PKGLIBDIR "/" SP_TRACE_PRELOAD_NAME);
}

/* Python's own calls are seen by the tracer module, at the level of its
 * socket API; the library would see them again at the level of libc. */
static gboolean
runs_python (const char * const *args)
{
  g_autofree char *name = g_path_get_basename (args[0]);

  return g_str_has_prefix (name, "python");
}

static void
prepare_environment (SpTrace             *self,
                     GSubprocessLauncher *launcher,
                     const char * const  *args)
{
  g_autofree char *python_dir = sp_trace_find_python_dir ();
  g_autofree char *limit = g_strdup_printf ("%" G_GINT64_FORMAT, self->data_limit);
  g_autofree char *fd = g_strdup_printf ("%d", SP_TRACE_FD_NUMBER);
  const char *python_path = g_getenv ("PYTHONPATH");
  g_autofree char *path = NULL;

  if (python_path != NULL && *python_path != '\0')
    path = g_strconcat (python_dir, G_SEARCHPATH_SEPARATOR_S, python_path, NULL);
  else
    path = g_strdup (python_dir);

  g_subprocess_launcher_setenv (launcher, "PYTHONPATH", path, TRUE);
  g_subprocess_launcher_setenv (launcher, SP_TRACE_ENV_FD, fd, TRUE);
  g_subprocess_launcher_setenv (launcher, SP_TRACE_ENV_PROGRAM, self->program, TRUE);
  g_subprocess_launcher_setenv (launcher, SP_TRACE_ENV_DATA_LIMIT, limit, TRUE);

  if (!runs_python (args))
    {
      g_autofree char *library = sp_trace_find_preload ();
      const char *preload = g_getenv ("LD_PRELOAD");
      g_autofree char *preloads = NULL;

      if (preload != NULL && *preload != '\0')
        preloads = g_strconcat (library, " ", preload, NULL);
      else
        preloads = g_strdup (library);
      g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", preloads, TRUE);
    }
}

void
sp_trace_set_child_setup (SpTrace              *self,
                          GSpawnChildSetupFunc  child_setup,
                          gpointer              user_data,
                          GDestroyNotify        destroy)
{
  g_return_if_fail (SP_IS_TRACE (self));
  g_return_if_fail (self->process == NULL);

  if (self->child_setup_destroy != NULL)
    self->child_setup_destroy (self->child_setup_data);
  self->child_setup = child_setup;
  self->child_setup_data = user_data;
  self->child_setup_destroy = destroy;
}

gboolean
sp_trace_start (SpTrace             *self,
                const char * const  *argv,
                GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) spawn_error = NULL;
  const char *identifier;
  int pair[2];

  g_return_val_if_fail (SP_IS_TRACE (self), FALSE);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, FALSE);
  g_return_val_if_fail (self->process == NULL, FALSE);

  self->program = g_path_get_basename (argv[0]);

  /* python3 would start, fail and exit 2, which is not the program's
   * status: a script that is not there cannot be started. */
  if (g_str_has_suffix (argv[0], ".py"))
    {
      if (!g_file_test (argv[0], G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("Cannot start “%s”: no such file"), argv[0]);
          return FALSE;
        }
      g_ptr_array_add (args, (gpointer) "python3");
    }
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    {
      int code = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (code),
                   _("Cannot start “%s”: no channel for its reports: %s"),
                   argv[0], g_strerror (code));
      return FALSE;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  prepare_environment (self, launcher, (const char * const *) args->pdata);
  g_subprocess_launcher_take_fd (launcher, pair[1], SP_TRACE_FD_NUMBER);
  if (self->child_setup != NULL)
    g_subprocess_launcher_set_child_setup (launcher, self->child_setup,
                                           self->child_setup_data, NULL);

  self->clock_offset_us = g_get_real_time () - g_get_monotonic_time ();
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata,
                                                &spawn_error);
  /* The child's end is the child's alone: the channel ends when it and
   * its children have closed it. */
  g_clear_object (&launcher);
  if (self->process == NULL)
    {
      close (pair[0]);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot start “%s”: %s"),
                   argv[0], spawn_error->message);
      return FALSE;
    }

  self->context = g_main_context_ref_thread_default ();
  self->channel = pair[0];
  /* GLib reaps the child on a thread of its own and forgets its pid: one
   * that exited at once has none. Its first report then names it. */
  identifier = g_subprocess_get_identifier (self->process);
  self->pid = identifier != NULL ? atoi (identifier) : 0;
  self->running = TRUE;
  self->cancellable = g_cancellable_new ();
  self->reader = sp_reader_start (self->channel, SP_TRACE_REPORT_MAX, G_MAXUINT, TRUE, 0,
                                  on_batch, self);
  g_subprocess_wait_async (self->process, self->cancellable, on_wait, g_object_ref (self));

  g_signal_emit (self, signals[SIGNAL_STARTED], 0);
  return TRUE;
}

static gboolean
on_kill (gpointer user_data)
{
  SpTrace *self = user_data;

  g_clear_pointer (&self->kill_source, g_source_unref);
  if (self->process != NULL && !self->exited)
    g_subprocess_force_exit (self->process);
  return G_SOURCE_REMOVE;
}

void
sp_trace_stop (SpTrace *self,
               guint    grace_ms)
{
  g_return_if_fail (SP_IS_TRACE (self));

  if (self->process == NULL || self->exited)
    return;

  g_subprocess_send_signal (self->process, SIGTERM);
  if (self->kill_source == NULL)
    self->kill_source = add_timeout (self, grace_ms, on_kill);
}

const char *
sp_trace_get_program (SpTrace *self)
{
  g_return_val_if_fail (SP_IS_TRACE (self), NULL);

  return self->program;
}

int
sp_trace_get_pid (SpTrace *self)
{
  g_return_val_if_fail (SP_IS_TRACE (self), 0);

  return self->pid;
}

gboolean
sp_trace_get_running (SpTrace *self)
{
  g_return_val_if_fail (SP_IS_TRACE (self), FALSE);

  return self->running;
}

int
sp_trace_get_exit_status (SpTrace *self)
{
  g_return_val_if_fail (SP_IS_TRACE (self), 0);

  return self->exit_status;
}

guint
sp_trace_get_n_malformed (SpTrace *self)
{
  g_return_val_if_fail (SP_IS_TRACE (self), 0);

  return self->n_malformed;
}

static int
compare_origin (gconstpointer a,
                gconstpointer b)
{
  guint position = *(const guint *) a;
  const Origin *origin = b;

  return position < origin->position ? -1 : position > origin->position ? 1 : 0;
}

gboolean
sp_trace_get_origin (SpTrace     *self,
                     guint        position,
                     int         *pid,
                     const char **program)
{
  const Origin *origin;

  g_return_val_if_fail (SP_IS_TRACE (self), FALSE);

  /* Appended in order, so the positions are sorted. */
  origin = bsearch (&position, self->origins->data, self->origins->len, sizeof (Origin),
                    compare_origin);
  if (origin == NULL)
    return FALSE;
  if (pid != NULL)
    *pid = origin->pid;
  if (program != NULL)
    *program = origin->program;
  return TRUE;
}

gboolean
sp_trace_get_origin_kind (SpTrace      *self,
                          guint         position,
                          SpFamily     *family,
                          SpSocketType *type)
{
  const Origin *origin;

  g_return_val_if_fail (SP_IS_TRACE (self), FALSE);

  origin = bsearch (&position, self->origins->data, self->origins->len, sizeof (Origin),
                    compare_origin);
  if (origin == NULL || !origin->kind_known)
    return FALSE;
  *family = origin->family;
  *type = origin->type;
  return TRUE;
}
