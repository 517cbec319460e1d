/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sp-endpoint.h"
#include "sp-presets.h"
#include "sp-test-util.h"

/* g_test_init() with --keep-going put first: a test that fails on a
 * known bug must not hide the results of the tests after it. Returns the
 * arguments g_test_init() was given, to be freed after g_test_run(). */
char **
sp_test_init_keep_going (int    argc,
                         char **argv)
{
  char **args = g_new0 (char *, argc + 2);
  char **argp = args;
  int n_args = 0;

  args[n_args++] = argv[0];
  args[n_args++] = (char *) "--keep-going";
  for (int i = 1; i < argc; i++)
    args[n_args++] = argv[i];

  g_test_init (&n_args, &argp, NULL);
  return args;
}

void
sp_test_fixture_set_up (SpTestFixture *fixture,
                        gconstpointer  data)
{
  fixture->context = g_main_context_new ();
  g_main_context_push_thread_default (fixture->context);
  fixture->log = sp_traffic_log_new ();
}

void
sp_test_fixture_tear_down (SpTestFixture *fixture,
                           gconstpointer  data)
{
  /* Let idle returns of finished tasks drop their references. */
  while (g_main_context_iteration (fixture->context, FALSE))
    ;
  /* Every socket holds the log: a leaked socket keeps it alive. */
  g_assert_finalize_object (fixture->log);
  g_main_context_pop_thread_default (fixture->context);
  g_main_context_unref (fixture->context);
}

/* Waiting */

static gboolean
on_guard (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the thread-default context until `done` holds or `timeout_ms`
 * pass. With a `tick_ms` other than 0 a timer wakes the loop that often,
 * so that kernel facts, which no source reports, are polled too. */
static gboolean
iterate_until_ticking (SpTestCondition done,
                       gpointer        data,
                       guint           timeout_ms,
                       guint           tick_ms)
{
  GMainContext *context = g_main_context_get_thread_default ();
  g_autoptr(GSource) guard = g_timeout_source_new (timeout_ms);
  g_autoptr(GSource) tick = NULL;
  gboolean expired = FALSE;

  g_source_set_callback (guard, on_guard, &expired, NULL);
  g_source_attach (guard, context);
  if (tick_ms > 0)
    {
      tick = g_timeout_source_new (tick_ms);
      g_source_set_callback (tick, on_tick, NULL, NULL);
      g_source_attach (tick, context);
    }

  while (!done (data) && !expired)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (guard);
  if (tick != NULL)
    g_source_destroy (tick);
  return done (data);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Iterates the thread-default context until `done` holds or `timeout_ms`
 * pass; returns whether `done` holds. */
gboolean
sp_test_iterate_until (SpTestCondition done,
                       gpointer        data,
                       guint           timeout_ms)
{
  return iterate_until_ticking (done, data, timeout_ms, 0);
}

/* As sp_test_iterate_until(), with a 5 ms tick that wakes the loop so
 * that kernel facts, which no source reports, are polled too. */
gboolean
sp_test_poll_until (SpTestCondition done,
                    gpointer        data,
                    guint           timeout_ms)
{
  return iterate_until_ticking (done, data, timeout_ms, 5);
}

/* Runs the context for `ms` milliseconds. */
void
sp_test_iterate_for (guint ms)
{
  sp_test_iterate_until (never, NULL, ms);
}

/* Runs the context for `ms` milliseconds, with the 5 ms tick. */
void
sp_test_poll_for (guint ms)
{
  sp_test_poll_until (never, NULL, ms);
}

gboolean
sp_test_pointer_is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* A condition on an SpTestCount. */
gboolean
sp_test_count_reached (gpointer data)
{
  SpTestCount *count = data;

  return *count->count >= count->n;
}

/* A GAsyncReadyCallback: keeps the result in the GAsyncResult * slot
 * that is `user_data`, which must still be empty. */
void
sp_test_on_result (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

/* Polls until sp_test_on_result() filled `slot`; takes the result. */
GAsyncResult *
sp_test_wait_result (GAsyncResult **slot)
{
  g_assert_true (sp_test_poll_until (sp_test_pointer_is_set, slot, SP_TEST_GUARD_MS));
  return g_steal_pointer (slot);
}

/* The calls, made asynchronously and waited for. */

SpSocket *
sp_test_accept_and_wait (SpSocket    *listener,
                         const char  *id,
                         guint        timeout_ms,
                         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  sp_socket_accept_async (listener, id, timeout_ms, NULL, sp_test_on_result, &slot);
  result = sp_test_wait_result (&slot);
  return sp_socket_accept_finish (listener, result, error);
}

gboolean
sp_test_connect_and_wait (SpSocket        *self,
                          GSocketAddress  *address,
                          gboolean         ex,
                          GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  sp_socket_connect_async (self, address, ex, 5000, NULL, sp_test_on_result, &slot);
  result = sp_test_wait_result (&slot);
  return sp_socket_connect_finish (self, result, error);
}

gssize
sp_test_send_and_wait (SpSocket        *self,
                       SpCall           call,
                       const char      *text,
                       GSocketAddress  *to,
                       GError         **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  sp_socket_send_async (self, call, bytes, to, 5000, NULL, sp_test_on_result, &slot);
  result = sp_test_wait_result (&slot);
  return sp_socket_send_finish (self, result, error);
}

GBytes *
sp_test_receive_and_wait (SpSocket        *self,
                          SpCall           call,
                          gsize            bufsize,
                          guint            timeout_ms,
                          GSocketAddress **from,
                          GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  sp_socket_receive_async (self, call, bufsize, timeout_ms, NULL, sp_test_on_result, &slot);
  result = sp_test_wait_result (&slot);
  return sp_socket_receive_finish (self, result, from, error);
}

void
sp_test_assert_bytes_equal (GBytes     *bytes,
                            const char *text)
{
  gsize size;
  const char *data;

  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &size);
  g_assert_cmpmem (data, size, text, strlen (text));
}

/* Sockets */

static char *
unique_abstract_name (void)
{
  static guint counter;

  return g_strdup_printf ("@sp-test-socket-%d-%u", (int) getpid (), ++counter);
}

/* 127.0.0.1 or ::1 with `port`, or a fresh abstract name for UNIX. */
GSocketAddress *
sp_test_loopback_address (SpFamily family,
                          guint16  port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  GSocketAddress *address;

  switch (family)
    {
    case SP_FAMILY_INET:
      address = sp_endpoint_parse (family, "127.0.0.1", port, &error);
      break;
    case SP_FAMILY_INET6:
      address = sp_endpoint_parse (family, "::1", port, &error);
      break;
    case SP_FAMILY_UNIX:
    default:
      name = unique_abstract_name ();
      address = sp_endpoint_parse (family, name, 0, &error);
      break;
    }

  g_assert_no_error (error);
  return address;
}

SpSocket *
sp_test_created_socket (SpTestFixture *fixture,
                        const char    *id,
                        SpFamily       family,
                        SpSocketType   type)
{
  g_autoptr(GError) error = NULL;
  SpSocket *self = sp_socket_new (id, family, type, 0, fixture->log);

  g_assert_true (sp_socket_create (self, &error));
  g_assert_no_error (error);
  return self;
}

/* A stream socket "server" listening on a loopback address. */
SpSocket *
sp_test_make_listener (SpTestFixture *fixture,
                       SpFamily       family,
                       int            backlog)
{
  g_autoptr(GSocketAddress) address = sp_test_loopback_address (family, 0);
  g_autoptr(GError) error = NULL;
  SpSocket *listener = sp_test_created_socket (fixture, "server", family,
                                               SP_SOCKET_TYPE_STREAM);

  g_assert_true (sp_socket_bind (listener, address, &error));
  g_assert_no_error (error);
  g_assert_true (sp_socket_listen (listener, backlog, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sp_socket_get_state (listener), ==, SP_STATE_LISTENING);
  return listener;
}

guint16
sp_test_listener_port (SpSocket *listener)
{
  GSocketAddress *address = sp_socket_get_local_address (listener);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

/* A port on loopback (AF_INET or AF_INET6) that nothing listens on:
 * bound, read and closed. */
guint16
sp_test_closed_port (int domain)
{
  struct sockaddr_storage storage = { 0 };
  socklen_t length = sizeof storage;
  guint16 port;
  int fd;

  fd = socket (domain, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  if (domain == AF_INET6)
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &storage;

      sin6->sin6_family = AF_INET6;
      sin6->sin6_addr = in6addr_loopback;
      length = sizeof *sin6;
    }
  else
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &storage;

      sin->sin_family = AF_INET;
      sin->sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      length = sizeof *sin;
    }
  g_assert_cmpint (bind (fd, (struct sockaddr *) &storage, length), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &storage, &length), ==, 0);
  port = domain == AF_INET6 ? ntohs (((struct sockaddr_in6 *) &storage)->sin6_port)
                            : ntohs (((struct sockaddr_in *) &storage)->sin_port);
  close (fd);
  return port;
}

/* The log */

/* The last event of `socket_id` (NULL: no socket) with this kind and
 * call, or NULL. */
static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_preset_finished (SpPlayer *player,
                    gboolean  all_passed,
                    gboolean *done)
{
  g_assert_true (all_passed);
  *done = TRUE;
}

SpPlayer *
sp_test_run_preset (SpTestFixture *fixture,
                    const char    *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_presets_load (id, &error);
  SpPlayer *player;
  gboolean done = FALSE;

  g_assert_no_error (error);
  player = sp_player_new (session, fixture->log);
  g_signal_connect (player, "finished", G_CALLBACK (on_preset_finished), &done);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (flag_is_set, &done, SP_TEST_GUARD_MS));
  g_signal_handlers_disconnect_by_data (player, &done);

  return player;
}

SpEvent *
sp_test_find_event (SpTrafficLog *log,
                    const char   *socket_id,
                    SpEventKind   kind,
                    SpCall        call)
{
  for (guint i = sp_traffic_log_get_n_appended (log); i > 0; i--)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i - 1);

      if (g_strcmp0 (sp_event_get_socket_id (event), socket_id) == 0 &&
          sp_event_get_kind (event) == kind &&
          sp_event_get_call (event) == call)
        return g_steal_pointer (&event);
    }

  return NULL;
}

/* Peers */

/* Starts `program`, found in PATH, with the arguments after it up to a
 * NULL; a program that is not installed is a G_IO_ERROR_NOT_FOUND. */
GSubprocess *
sp_test_spawn (GSubprocessFlags   flags,
               GError           **error,
               const char        *program,
               ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = g_find_program_in_path (program);
  const char *arg;
  va_list args;

  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s is not installed", program);
      return NULL;
    }

  g_ptr_array_add (argv, g_steal_pointer (&path));
  va_start (args, program);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  return g_subprocess_newv ((const char * const *) argv->pdata, flags, error);
}

/* The path of a script in tests/peers. */
char *
sp_test_peer_script (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "peers", name, NULL);
}

static void
on_communicated (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SpTestConversation *conversation = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (conversation->process, result,
                                        &conversation->output, NULL, &error);
  g_assert_no_error (error);
  conversation->done = TRUE;
}

/* Sends `input` (NULL: nothing) to the stdin of `process` and collects
 * its stdout in `conversation`, which must stay alive until done. */
void
sp_test_conversation_start (SpTestConversation *conversation,
                            GSubprocess        *process,
                            const char         *input)
{
  conversation->process = process;
  g_subprocess_communicate_utf8_async (process, input, NULL, on_communicated, conversation);
}

gboolean
sp_test_conversation_done (gpointer data)
{
  return ((SpTestConversation *) data)->done;
}

/* python3 */

/* The python3 to run; NULL (and the test is skipped) when there is none. */
char *
sp_test_find_python (void)
{
  char *python = g_find_program_in_path ("python3");

  if (python == NULL)
    g_test_skip ("python3 is not installed");

  return python;
}

/* Runs `python3 -c script args…` (`args` may be NULL) with UTF-8 output
 * and returns what it printed; NULL (and the test is skipped) when there
 * is no python3. The test fails if python3 does. */
char *
sp_test_run_python (const char *script,
                    GPtrArray  *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "PYTHONIOENCODING", "utf-8", TRUE);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *python = sp_test_find_python ();
  int status = 0;

  if (python == NULL)
    return NULL;

  g_ptr_array_add (argv, python);
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) script);
  for (guint i = 0; args != NULL && i < args->len; i++)
    g_ptr_array_add (argv, args->pdata[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT,
                NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("python3 failed: %s\n%s", error->message, err);

  return g_steal_pointer (&out);
}

void
sp_test_assert_message (const char *message,
                        const char *expected)
{
  if (g_str_has_suffix (expected, "…"))
    {
      gsize prefix = strlen (expected) - strlen ("…");

      if (strncmp (message, expected, prefix) != 0)
        g_error ("message “%s” does not start with “%.*s”", message, (int) prefix, expected);
    }
  else
    g_assert_cmpstr (message, ==, expected);
}
