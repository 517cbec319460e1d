/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sp-endpoint.h"
#include "sp-errno.h"
#include "sp-player.h"
#include "sp-test-util.h"

/* Faults a replay meets, made real on loopback: a peer that resets, a
 * connect nobody answers, names that do not resolve, a resolver that never
 * answers, a disk that is full or read-only, and a step that would leave
 * this machine. Each must end its step with a clear message, never hang the
 * main loop and never crash. */

#define GUARD_MS 15000

#define SESSION_HEAD \
  "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"faults\",\n"

typedef struct
{
  guint     index;
  gboolean  passed;
  char     *message;
} StepResult;

/* What a player announced, and how to answer "confirm-remote". */
typedef struct
{
  GArray         *results;
  guint           n_finished;
  gboolean        all_passed;
  guint           n_asked;
  guint           asked_index;
  GSocketAddress *asked;
  guint           n_lookups_asked;
  char           *asked_host;
  gboolean        take_question;
} Recorder;

static void
step_result_clear (StepResult *result)
{
  g_free (result->message);
}

static void
on_step_finished (SpPlayer   *player,
                  guint       index,
                  gboolean    passed,
                  const char *message,
                  SpStep     *step,
                  Recorder   *recorder)
{
  StepResult result = { index, passed, g_strdup (message) };

  g_test_message ("step %u %s%s%s", index, passed ? "passed" : "failed",
                  message != NULL ? ": " : "", message != NULL ? message : "");
  g_array_append_val (recorder->results, result);
}

static void
on_finished (SpPlayer *player,
             gboolean  all_passed,
             Recorder *recorder)
{
  recorder->n_finished++;
  recorder->all_passed = all_passed;
}

static gboolean
on_confirm_remote (SpPlayer       *player,
                   guint           index,
                   GSocketAddress *address,
                   Recorder       *recorder)
{
  recorder->n_asked++;
  recorder->asked_index = index;
  g_set_object (&recorder->asked, address);
  return recorder->take_question;
}

static gboolean
on_confirm_lookup (SpPlayer   *player,
                   guint       index,
                   const char *host,
                   Recorder   *recorder)
{
  recorder->n_lookups_asked++;
  recorder->asked_index = index;
  g_free (recorder->asked_host);
  recorder->asked_host = g_strdup (host);
  return recorder->take_question;
}

static void
recorder_init (Recorder *recorder,
               SpPlayer *player)
{
  memset (recorder, 0, sizeof *recorder);
  recorder->results = g_array_new (FALSE, FALSE, sizeof (StepResult));
  g_array_set_clear_func (recorder->results, (GDestroyNotify) step_result_clear);
  g_signal_connect (player, "step-finished", G_CALLBACK (on_step_finished), recorder);
  g_signal_connect (player, "finished", G_CALLBACK (on_finished), recorder);
  g_signal_connect (player, "confirm-remote", G_CALLBACK (on_confirm_remote), recorder);
  g_signal_connect (player, "confirm-lookup", G_CALLBACK (on_confirm_lookup), recorder);
}

static void
recorder_clear (Recorder *recorder)
{
  g_clear_pointer (&recorder->results, g_array_unref);
  g_clear_object (&recorder->asked);
  g_clear_pointer (&recorder->asked_host, g_free);
}

static gboolean
results_reached (gpointer data)
{
  SpTestCount *count = data;

  return *count->count >= count->n;
}

static void
wait_results (Recorder *recorder,
              guint     n)
{
  SpTestCount count = { &recorder->results->len, n };

  g_assert_true (sp_test_iterate_until (results_reached, &count, GUARD_MS));
}

static gboolean
has_finished (gpointer data)
{
  return ((Recorder *) data)->n_finished > 0;
}

static StepResult *
result_for (Recorder *recorder,
            guint     index)
{
  for (guint i = 0; i < recorder->results->len; i++)
    {
      StepResult *result = &g_array_index (recorder->results, StepResult, i);

      if (result->index == index)
        return result;
    }

  g_error ("step %u has no result", index);
  return NULL;
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack != NULL ? haystack : "(null)", needle);
}

static SpPlayer *
new_player (const char    *json,
            SpTrafficLog **log)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_data (json, -1, "test.json", &error);

  g_assert_no_error (error);
  *log = sp_traffic_log_new ();
  return sp_player_new (session, *log);
}

static void
finalize_player (SpPlayer     *player,
                 SpTrafficLog *log)
{
  SpSession *session = g_object_ref (sp_player_get_session (player));

  g_assert_finalize_object (player);
  g_assert_finalize_object (session);
  g_assert_finalize_object (log);
}

/* The calls (and data events) of one kind on one socket, in order: not
 * the notes a failed step leaves. */
static GPtrArray *
find_events (SpTrafficLog *log,
             const char   *socket_id,
             SpCall        call)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = sp_traffic_log_get_n_appended (log);

  /* Every event appended, whether or not the model has announced it yet. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (g_strcmp0 (sp_event_get_socket_id (event), socket_id) == 0 &&
          sp_event_get_call (event) == call && sp_event_get_kind (event) != SP_EVENT_NOTE)
        g_ptr_array_add (found, g_steal_pointer (&event));
    }

  return found;
}

/* Reads one line of a peer's stdout without blocking the context. */
static char *
read_line (GDataInputStream *stream)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  char *line;

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, sp_test_on_result,
                                       &slot);
  result = sp_test_wait_result (&slot);
  line = g_data_input_stream_read_line_finish_utf8 (stream, result, NULL, &error);
  g_assert_no_error (error);
  return line;
}

static void
wait_exit_ok (GSubprocess *process)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  g_subprocess_wait_check_async (process, NULL, sp_test_on_result, &slot);
  result = sp_test_wait_result (&slot);
  g_subprocess_wait_check_finish (process, result, &error);
  g_assert_no_error (error);
}

/* A peer that resets mid-transfer */

/* Python, as a student would write it: accept, read the request, send 1000
 * bytes, then close with SO_LINGER (on, 0 s), which sends RST, not FIN. */
static const char reset_peer[] =
  "import signal, socket, struct\n"
  "signal.alarm(30)\n"
  "with socket.socket() as server:\n"
  "    server.bind(('127.0.0.1', 0))\n"
  "    server.listen(1)\n"
  "    print(server.getsockname()[1], flush=True)\n"
  "    conn, _ = server.accept()\n"
  "    conn.recv(16)\n"
  "    conn.sendall(b'x' * 1000)\n"
  "    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))\n"
  "    conn.close()\n";

static void
test_peer_resets (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GPtrArray) receives = NULL;
  g_autofree char *line = NULL;
  g_autofree char *json = NULL;
  SpTrafficLog *log = NULL;
  SpPlayer *player;
  Recorder recorder;
  StepResult *result;
  SpEvent *last;
  guint64 received = 0;
  guint64 port;

  process = sp_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "python3", "-c", reset_peer,
                           NULL);
  if (process == NULL)
    {
      g_test_skip (error->message);
      return;
    }

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = read_line (output);
  g_assert_true (g_ascii_string_to_unsigned (line, 10, 1, G_MAXUINT16, &port, NULL));

  json = g_strdup_printf (
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"client\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"address\": \"127.0.0.1\",\n"
    "      \"port\": %u },\n"
    "    { \"socket\": \"client\", \"call\": \"sendall\", \"data\": { \"text\": \"go\" } },\n"
    "    { \"socket\": \"client\", \"call\": \"recv\", \"bufsize\": 256, \"until\": \"eof\" },\n"
    "    { \"call\": \"note\", \"text\": \"the replay goes on\" },\n"
    "    { \"socket\": \"client\", \"call\": \"close\" }\n"
    "  ] }\n", (guint) port);
  player = new_player (json, &log);
  recorder_init (&recorder, player);

  /* A failed step stops the run, as a raised exception stops a script. */
  sp_player_run (player);
  wait_results (&recorder, 3);
  result = result_for (&recorder, 2);
  g_assert_false (result->passed);
  assert_contains (result->message, "step 3 (client recv)");
  assert_contains (result->message, "ConnectionResetError: [Errno 104] ");
  assert_contains (result->message, "(ECONNRESET)");

  /* What was sent before the reset arrived first; then the reset, as its
   * own event with its errno. */
  receives = find_events (log, "client", SP_CALL_RECV);
  g_assert_cmpuint (receives->len, >=, 2);
  for (guint i = 0; i + 1 < receives->len; i++)
    {
      g_assert_true (sp_event_get_ok (receives->pdata[i]));
      received += sp_event_get_bytes (receives->pdata[i]);
    }
  g_assert_cmpuint (received, ==, 1000);
  last = receives->pdata[receives->len - 1];
  g_assert_false (sp_event_get_ok (last));
  g_assert_cmpint (sp_event_get_error_code (last), ==, ECONNRESET);

  /* Nothing else broke: the rest of the session runs. */
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));
  g_assert_true (result_for (&recorder, 3)->passed);
  g_assert_true (result_for (&recorder, 4)->passed);
  g_assert_false (recorder.all_passed);
  wait_exit_ok (process);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* A connect that never completes */

static void
test_connect_never_completes (void)
{
  /* With backlog 0 Linux queues one connection and then drops SYNs: the
   * second connect gets no answer at all, not a refusal. */
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "                 { \"id\": \"first\" }, { \"id\": \"late\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"server\", \"call\": \"listen\", \"backlog\": 0 },\n"
    "    { \"socket\": \"first\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "    { \"socket\": \"late\", \"call\": \"connect\", \"to\": \"server\",\n"
    "      \"timeout-ms\": 300 },\n"
    "    { \"call\": \"note\", \"text\": \"after the timeout\" }\n"
    "  ] }\n";
  g_autoptr(GPtrArray) connects = NULL;
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  Recorder recorder;
  StepResult *result;
  SpEvent *event;

  recorder_init (&recorder, player);
  for (guint i = 0; i < 3; i++)
    {
      sp_player_step (player);
      wait_results (&recorder, i + 1);
      g_assert_true (result_for (&recorder, i)->passed);
    }

  /* The wait is a source on the main loop: the call returns at once. */
  sp_player_step (player);
  g_assert_cmpuint (recorder.results->len, ==, 3);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_RUNNING);

  wait_results (&recorder, 4);
  result = result_for (&recorder, 3);
  g_assert_false (result->passed);
  assert_contains (result->message, "step 4 (late connect)");
  assert_contains (result->message, "TimeoutError: [Errno 110] ");
  assert_contains (result->message, "(ETIMEDOUT)");

  connects = find_events (log, "late", SP_CALL_CONNECT);
  g_assert_cmpuint (connects->len, ==, 1);
  event = connects->pdata[0];
  g_assert_cmpint (sp_event_get_error_code (event), ==, ETIMEDOUT);
  g_assert_cmpstr (sp_event_get_detail (event), ==, "no answer within 300 ms");

  sp_player_step (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));
  g_assert_true (result_for (&recorder, 4)->passed);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* Names that do not resolve */

/* What Python's gethostbyname and getaddrinfo raise for `host` here, as
 * errno names: EAI_NONAME where DNS answers, EAI_AGAIN where none does. */
static gboolean
python_lookup_errors (const char  *host,
                      char       **by_name,
                      char       **by_info)
{
  const char *script =
    "import socket, sys\n"
    "names = {getattr(socket, n): n for n in dir(socket) if n.startswith('EAI_')}\n"
    "for f in (lambda: socket.gethostbyname(sys.argv[1]),\n"
    "          lambda: socket.getaddrinfo(sys.argv[1], 80)):\n"
    "  try:\n"
    "    f(); print('none')\n"
    "  except socket.gaierror as e:\n"
    "    print(names[e.errno])\n";
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  g_ptr_array_add (args, (gpointer) host);
  out = sp_test_run_python (script, args);
  if (out == NULL)
    return FALSE;

  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  *by_name = g_strdup (lines[0]);
  *by_info = g_strdup (lines[1]);
  return TRUE;
}

static void
test_name_not_resolved (void)
{
  /* .invalid never resolves (RFC 6761). */
  const char *template =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"client\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"client\", \"call\": \"connect\",\n"
    "      \"address\": \"nonexistent.invalid\", \"port\": 80 },\n"
    "    { \"call\": \"gethostbyname\", \"host\": \"nonexistent.invalid\" },\n"
    "    { \"call\": \"getaddrinfo\", \"host\": \"nonexistent.invalid\", \"port\": 80,\n"
    "      \"expect\": { \"error\": \"@ERROR@\" } }\n"
    "  ] }\n";
  g_autoptr(GString) json = g_string_new (template);
  g_autoptr(GPtrArray) connects = NULL;
  g_autoptr(GPtrArray) lookups = NULL;
  g_autofree char *by_name = NULL;
  g_autofree char *by_info = NULL;
  g_autofree char *raised = NULL;
  SpTrafficLog *log = NULL;
  SpPlayer *player;
  Recorder recorder;
  StepResult *result;
  SpEvent *event;

  if (!python_lookup_errors ("nonexistent.invalid", &by_name, &by_info))
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  g_assert_cmpstr (by_name, !=, "none");
  raised = g_strdup_printf ("gaierror: [Errno %d] %s (%s), looking up “nonexistent.invalid”",
                            sp_errno_from_name (by_name),
                            sp_errno_message (sp_errno_from_name (by_name)), by_name);

  g_string_replace (json, "@ERROR@", by_info, 1);
  player = new_player (json->str, &log);
  /* Only a DNS server says that nobody knows the name. */
  sp_player_set_allow_remote (player, TRUE);
  recorder_init (&recorder, player);

  /* Resolving is asynchronous: the step is under way, not done. */
  sp_player_step (player);
  g_assert_cmpuint (recorder.results->len, ==, 0);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_RUNNING);
  wait_results (&recorder, 1);

  /* connect raises gaierror as Python's does, with the code Python has. */
  result = result_for (&recorder, 0);
  g_assert_false (result->passed);
  assert_contains (result->message, "step 1 (client connect): the call failed with ");
  assert_contains (result->message, raised);
  connects = find_events (log, "client", SP_CALL_CONNECT);
  g_assert_cmpuint (connects->len, ==, 1);
  event = connects->pdata[0];
  g_assert_cmpstr (sp_errno_name (sp_event_get_error_code (event)), ==, by_name);
  g_assert_cmpint (sp_event_get_state (event), ==, SP_STATE_CREATED);
  g_assert_cmpstr (sp_event_get_args (event), ==, "('nonexistent.invalid', 80)");

  sp_player_step (player);
  wait_results (&recorder, 2);
  result = result_for (&recorder, 1);
  g_assert_false (result->passed);
  assert_contains (result->message, "step 2 (gethostbyname)");
  assert_contains (result->message, raised);
  lookups = find_events (log, NULL, SP_CALL_GETHOSTBYNAME);
  g_assert_cmpuint (lookups->len, ==, 1);
  g_assert_false (sp_event_get_ok (lookups->pdata[0]));
  g_assert_cmpstr (sp_errno_name (sp_event_get_error_code (lookups->pdata[0])), ==, by_name);

  /* A session may expect the failure, by its EAI_ name. */
  sp_player_step (player);
  wait_results (&recorder, 3);
  g_assert_true (result_for (&recorder, 2)->passed);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* Whether this process may make a mount namespace of its own and mount a
 * tmpfs in it (root, usually), tried in a throwaway child. */
static gboolean
can_mount (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sp-faults-probe-XXXXXX", NULL);
  int status = 0;
  pid_t pid;

  g_assert_nonnull (dir);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      gboolean ok = unshare (CLONE_NEWNS) == 0 &&
                    mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
                    mount ("tmpfs", dir, "tmpfs", 0, "size=64k") == 0;

      _exit (ok ? 0 : 1);
    }

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_rmdir (dir);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* The silent DNS server: a UDP socket on loopback port 53 that nobody
 * reads. -1 when the port cannot be had here. */
static int
silent_dns_server (void)
{
  struct sockaddr_in server = { 0 };
  int fd;

  server.sin_family = AF_INET;
  server.sin_port = g_htons (53);
  server.sin_addr.s_addr = g_htonl (0x7f535353);  /* 127.83.83.83 */
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  if (bind (fd, (struct sockaddr *) &server, sizeof server) != 0)
    {
      close (fd);
      return -1;
    }

  return fd;
}

/* A resolver that never answers: resolv.conf, in a mount namespace of the
 * child's own, names a DNS server on loopback that is a socket nobody
 * reads. Needs root (or a user namespace) for the bind mount. */
static void
use_silent_resolver (const char *conf)
{
  /* It stays open, and unread, until the child exits. */
  g_assert_cmpint (silent_dns_server (), >=, 0);

  g_assert_cmpint (unshare (CLONE_NEWNS), ==, 0);
  g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
  g_assert_true (g_file_set_contents (conf, "nameserver 127.83.83.83\n"
                                            "options timeout:30 attempts:1\n", -1, NULL));
  g_assert_cmpint (mount (conf, "/etc/resolv.conf", NULL, MS_BIND, NULL), ==, 0);
}

static void
resolver_never_answers_child (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"client\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"client\", \"call\": \"connect\",\n"
    "      \"address\": \"silent.example\", \"port\": 80, \"timeout-ms\": 300 },\n"
    "    { \"call\": \"getaddrinfo\", \"host\": \"silent.example\", \"timeout-ms\": 300 },\n"
    "    { \"call\": \"note\", \"text\": \"the main loop still runs\" }\n"
    "  ] }\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sp-faults-XXXXXX", &error);
  g_autofree char *conf = g_build_filename (dir, "resolv.conf", NULL);
  g_autoptr(GMainContext) context = g_main_context_new ();
  SpTrafficLog *log = NULL;
  SpPlayer *player;
  Recorder recorder;
  StepResult *result;

  g_assert_no_error (error);
  use_silent_resolver (conf);

  g_main_context_push_thread_default (context);
  player = new_player (json, &log);
  /* The DNS server is the one that never answers. */
  sp_player_set_allow_remote (player, TRUE);
  recorder_init (&recorder, player);
  sp_player_run (player);
  wait_results (&recorder, 1);
  result = result_for (&recorder, 0);
  g_assert_false (result->passed);
  assert_contains (result->message, "address: resolving “silent.example” took longer than 300 ms");

  sp_player_run (player);
  wait_results (&recorder, 2);
  result = result_for (&recorder, 1);
  g_assert_false (result->passed);
  assert_contains (result->message, "resolving “silent.example” took longer than 300 ms");

  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));
  g_assert_true (result_for (&recorder, 2)->passed);

  recorder_clear (&recorder);
  finalize_player (player, log);
  g_main_context_pop_thread_default (context);

  /* The resolver's threads still wait on the silent server; they end with
   * the process. */
  umount2 ("/etc/resolv.conf", MNT_DETACH);
  g_remove (conf);
  g_rmdir (dir);
  g_print ("DONE\n");
}

static void
test_resolver_never_answers (void)
{
  if (g_test_subprocess ())
    {
      resolver_never_answers_child ();
      return;
    }

  if (!can_mount ())
    {
      g_test_skip ("this process may not make a mount namespace to replace resolv.conf in");
      return;
    }
  {
    int fd = silent_dns_server ();

    if (fd < 0)
      {
        g_test_skip ("127.83.83.83:53 cannot be bound here for a silent DNS server");
        return;
      }
    close (fd);
  }

  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*DONE*");
}

/* Saving where it cannot be saved */

typedef enum
{
  PLACE_FULL,
  PLACE_READ_ONLY,
} Place;

/* A small tmpfs of the child's own at `dir` holding `old` as session.json,
 * then filled up or made read-only. */
static void
make_place (const char *dir,
            Place       place,
            const char *old)
{
  g_autofree char *path = g_build_filename (dir, "session.json", NULL);
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);

  g_assert_cmpint (unshare (CLONE_NEWNS), ==, 0);
  g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
  g_assert_cmpint (mount ("tmpfs", dir, "tmpfs", 0, "size=256k"), ==, 0);

  g_assert_true (g_file_set_contents (path, old, -1, NULL));

  if (place == PLACE_FULL)
    {
      g_autofree char *block = g_malloc0 (4096);
      FILE *file = g_fopen (filler, "w");

      g_assert_nonnull (file);
      while (fwrite (block, 1, 4096, file) == 4096 && fflush (file) == 0)
        ;
      fclose (file);
    }
  else
    {
      g_assert_cmpint (mount (NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL), ==, 0);
    }
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (listing != NULL && g_dir_read_name (listing) != NULL)
    n++;
  return n;
}

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
save_fails_child (Place place)
{
  const char *old = "{ \"old\": true }\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sp-faults-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "session.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  guint n_entries;
  const char *reason = place == PLACE_FULL ? "no space left on the device"
                                           : "the place is read-only";
  g_autofree char *expected = NULL;

  g_assert_no_error (error);
  make_place (dir, place, old);
  n_entries = count_entries (dir);

  /* A session bigger than the space left. */
  sp_session_set_title (session, "saved");
  {
    g_autofree char *long_text = g_strnfill (300 * 1024, 'd');

    sp_session_set_description (session, long_text);
  }

  expected = g_strdup_printf ("%s: could not save the session: %s; the file there is unchanged",
                              path, reason);

  g_assert_false (sp_session_save_to_file (session, path, &error));
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, old);
  g_clear_pointer (&contents, g_free);
  /* No temporary file is left behind to fill the place further. */
  g_assert_cmpuint (count_entries (dir), ==, n_entries);

  /* The window's way: the same on a worker thread. */
  sp_session_save_async (session, path, NULL, on_saved, &slot);
  result = sp_test_wait_result (&slot);
  g_assert_false (sp_session_save_finish (session, result, &error));
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO);
  g_assert_cmpstr (error->message, ==, expected);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, old);
  g_assert_cmpuint (count_entries (dir), ==, n_entries);

  g_assert_cmpint (umount2 (dir, MNT_DETACH), ==, 0);
  g_rmdir (dir);
  g_print ("DONE\n");
}

static void
test_save_fails (gconstpointer data)
{
  Place place = GPOINTER_TO_INT (data);

  if (g_test_subprocess ())
    {
      save_fails_child (place);
      return;
    }

  /* Root writes through chmod; only a file system that is full or
   * read-only stops it. */
  if (!can_mount ())
    {
      g_test_skip ("this process may not mount a tmpfs (in a mount namespace of its own)");
      return;
    }

  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*DONE*");
}

/* A step that would leave this machine */

/* Connecting to 0.0.0.0 reaches this machine on Linux (the kernel routes
 * it to loopback), but the player, like a firewall rule, counts only
 * loopback addresses as "this machine": it serves to ask without any
 * traffic leaving. */
#define REMOTE_SESSION \
  SESSION_HEAD \
  "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": %u },\n" \
  "                 { \"id\": \"client\" }, { \"id\": \"other\" } ],\n" \
  "  \"steps\": [\n" \
  "    { \"socket\": \"server\", \"call\": \"bind\" },\n" \
  "    { \"socket\": \"server\", \"call\": \"listen\" },\n" \
  "    { \"socket\": \"client\", \"call\": \"connect\", \"address\": \"0.0.0.0\",\n" \
  "      \"port\": %u },\n" \
  "    { \"socket\": \"other\", \"call\": \"connect\", \"address\": \"0.0.0.0\",\n" \
  "      \"port\": %u }\n" \
  "  ] }\n"

static SpPlayer *
new_remote_player (SpTrafficLog **log)
{
  guint16 port = sp_test_closed_port (AF_INET);
  g_autofree char *json = g_strdup_printf (REMOTE_SESSION, port, port, port);

  return new_player (json, log);
}

static void
run_two_steps (SpPlayer *player,
               Recorder *recorder)
{
  for (guint i = 0; i < 2; i++)
    {
      sp_player_step (player);
      wait_results (recorder, i + 1);
      g_assert_true (result_for (recorder, i)->passed);
    }
}

static void
test_remote_refused_unasked (void)
{
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_remote_player (&log);
  g_autoptr(GPtrArray) connects = NULL;
  Recorder recorder;
  StepResult *result;

  /* Nobody takes the question (as headless): the step fails at once. */
  recorder_init (&recorder, player);
  run_two_steps (player, &recorder);
  sp_player_step (player);
  wait_results (&recorder, 3);
  g_assert_cmpuint (recorder.n_asked, ==, 1);
  result = result_for (&recorder, 2);
  g_assert_false (result->passed);
  assert_contains (result->message, "0.0.0.0");
  assert_contains (result->message, "--allow-remote");
  connects = find_events (log, "client", SP_CALL_CONNECT);
  g_assert_cmpuint (connects->len, ==, 0);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_remote_denied (void)
{
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_remote_player (&log);
  g_autoptr(GPtrArray) connects = NULL;
  g_autofree char *asked = NULL;
  Recorder recorder;
  StepResult *result;

  recorder_init (&recorder, player);
  recorder.take_question = TRUE;
  run_two_steps (player, &recorder);

  /* Held while the question is open: the step neither runs nor fails. */
  sp_player_step (player);
  sp_test_iterate_for (50);
  g_assert_cmpuint (recorder.n_asked, ==, 1);
  g_assert_cmpuint (recorder.asked_index, ==, 2);
  asked = sp_endpoint_format (recorder.asked);
  g_assert_true (g_str_has_prefix (asked, "0.0.0.0:"));
  g_assert_cmpuint (recorder.results->len, ==, 2);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_RUNNING);

  sp_player_answer_remote (player, FALSE);
  wait_results (&recorder, 3);
  result = result_for (&recorder, 2);
  g_assert_false (result->passed);
  assert_contains (result->message, "step 3 (client connect): address: 0.0.0.0:");
  assert_contains (result->message, "is beyond this computer, and reaching it was not allowed");
  connects = find_events (log, "client", SP_CALL_CONNECT);
  g_assert_cmpuint (connects->len, ==, 0);

  /* Refusing once is not refusing for good: the next step asks again. */
  sp_player_step (player);
  sp_test_iterate_for (50);
  g_assert_cmpuint (recorder.n_asked, ==, 2);
  g_assert_cmpuint (recorder.asked_index, ==, 3);

  /* An answer after a restart finds nothing held, and changes nothing. */
  sp_player_restart (player);
  sp_player_answer_remote (player, FALSE);
  sp_test_iterate_for (50);
  g_assert_cmpuint (recorder.results->len, ==, 3);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_remote_allowed (void)
{
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_remote_player (&log);
  g_autoptr(GPtrArray) connects = NULL;
  Recorder recorder;

  recorder_init (&recorder, player);
  recorder.take_question = TRUE;
  run_two_steps (player, &recorder);

  sp_player_step (player);
  sp_test_iterate_for (50);
  g_assert_cmpuint (recorder.n_asked, ==, 1);
  g_assert_cmpuint (recorder.results->len, ==, 2);

  /* Allowed: the held step makes its call, and it works. */
  sp_player_answer_remote (player, TRUE);
  wait_results (&recorder, 3);
  g_assert_true (result_for (&recorder, 2)->passed);
  connects = find_events (log, "client", SP_CALL_CONNECT);
  g_assert_cmpuint (connects->len, ==, 1);
  g_assert_true (sp_event_get_ok (connects->pdata[0]));

  /* Allowing holds for the rest of this player: no second question. */
  sp_player_step (player);
  wait_results (&recorder, 4);
  g_assert_true (result_for (&recorder, 3)->passed);
  g_assert_cmpuint (recorder.n_asked, ==, 1);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* Two steps performed at once on two sockets share one question, and a
 * player that goes away while asking leaks nothing. */
static void
test_remote_one_question (void)
{
  guint16 port = sp_test_closed_port (AF_INET);
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"a\" }, { \"id\": \"b\" } ], \"steps\": [] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  Recorder recorder;

  recorder_init (&recorder, player);
  recorder.take_question = TRUE;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SpStep) step = sp_step_new (i == 0 ? "a" : "b", SP_CALL_CONNECT);

      step->address = g_strdup ("0.0.0.0");
      step->port = port;
      sp_player_perform (player, step);
    }

  sp_test_iterate_for (50);
  g_assert_cmpuint (recorder.n_asked, ==, 1);
  g_assert_cmpuint (recorder.results->len, ==, 0);

  /* Held runs, like calls under way, keep their player; a restart (what
   * the window does before it lets a player go) lets them go. */
  sp_player_restart (player);
  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* A name this machine does not answer itself would be asked of a DNS
 * server: localhost is looked up, the other name waits for leave. */
#define LOOKUP_SESSION \
  SESSION_HEAD \
  "  \"sockets\": [ { \"id\": \"client\" } ],\n" \
  "  \"steps\": [\n" \
  "    { \"call\": \"gethostbyname\", \"host\": \"localhost\" },\n" \
  "    { \"call\": \"gethostbyname\", \"host\": \"nonexistent.invalid\",\n" \
  "      \"timeout-ms\": 3000, \"expect\": { \"any\": true } },\n" \
  "    { \"socket\": \"client\", \"call\": \"connect\",\n" \
  "      \"address\": \"nonexistent.invalid\", \"port\": 80,\n" \
  "      \"timeout-ms\": 3000, \"expect\": { \"any\": true } }\n" \
  "  ] }\n"

static void
test_remote_lookup_unasked (void)
{
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (LOOKUP_SESSION, &log);
  g_autoptr(GPtrArray) lookups = NULL;
  Recorder recorder;
  StepResult *result;

  /* Nobody takes the question (as headless): the step fails before any
   * lookup, and says how to allow it. */
  recorder_init (&recorder, player);
  sp_player_step (player);
  wait_results (&recorder, 1);
  g_assert_true (result_for (&recorder, 0)->passed);
  g_assert_cmpuint (recorder.n_lookups_asked, ==, 0);

  sp_player_step (player);
  wait_results (&recorder, 2);
  g_assert_cmpuint (recorder.n_lookups_asked, ==, 1);
  g_assert_cmpstr (recorder.asked_host, ==, "nonexistent.invalid");
  result = result_for (&recorder, 1);
  g_assert_false (result->passed);
  assert_contains (result->message, "step 2 (gethostbyname): host: looking up "
                   "“nonexistent.invalid” would ask a DNS server beyond this machine; without "
                   "--allow-remote");
  lookups = find_events (log, NULL, SP_CALL_GETHOSTBYNAME);
  g_assert_cmpuint (lookups->len, ==, 1);
  g_assert_cmpuint (recorder.n_asked, ==, 0);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_remote_lookup_asked (void)
{
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (LOOKUP_SESSION, &log);
  g_autoptr(GPtrArray) lookups = NULL;
  Recorder recorder;
  StepResult *result;

  recorder_init (&recorder, player);
  recorder.take_question = TRUE;
  sp_player_step (player);
  wait_results (&recorder, 1);

  /* Held while the question is open. */
  sp_player_step (player);
  sp_test_iterate_for (100);
  g_assert_cmpuint (recorder.n_lookups_asked, ==, 1);
  g_assert_cmpuint (recorder.asked_index, ==, 1);
  g_assert_cmpuint (recorder.results->len, ==, 1);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_RUNNING);

  sp_player_answer_remote (player, FALSE);
  wait_results (&recorder, 2);
  result = result_for (&recorder, 1);
  g_assert_false (result->passed);
  assert_contains (result->message, "host: looking up “nonexistent.invalid” would ask a DNS "
                   "server beyond this computer, and that was not allowed");
  lookups = find_events (log, NULL, SP_CALL_GETHOSTBYNAME);
  g_assert_cmpuint (lookups->len, ==, 1);

  /* A restart while a lookup is held drops it. */
  sp_player_step (player);
  sp_test_iterate_for (50);
  g_assert_cmpuint (recorder.n_lookups_asked, ==, 2);
  g_assert_cmpstr (recorder.asked_host, ==, "nonexistent.invalid");
  sp_player_restart (player);
  g_array_set_size (recorder.results, 0);

  /* Allowed: the lookup is made (whatever the DNS server answers), and
   * the connect's lookup after it asks no more. */
  sp_player_step (player);
  wait_results (&recorder, 1);
  sp_player_step (player);
  sp_test_iterate_for (50);
  g_assert_cmpuint (recorder.n_lookups_asked, ==, 3);
  sp_player_answer_remote (player, TRUE);
  wait_results (&recorder, 2);
  g_assert_true (result_for (&recorder, 1)->passed);
  g_clear_pointer (&lookups, g_ptr_array_unref);
  lookups = find_events (log, NULL, SP_CALL_GETHOSTBYNAME);
  g_assert_cmpuint (lookups->len, ==, 2);
  sp_player_step (player);
  wait_results (&recorder, 3);
  g_assert_cmpuint (recorder.n_lookups_asked, ==, 3);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char **args = sp_test_init_keep_going (argc, argv);

  g_test_add_func ("/Sp/Faults/peer-resets", test_peer_resets);
  g_test_add_func ("/Sp/Faults/connect-never-completes", test_connect_never_completes);
  g_test_add_func ("/Sp/Faults/name-not-resolved", test_name_not_resolved);
  g_test_add_func ("/Sp/Faults/resolver-never-answers", test_resolver_never_answers);
  g_test_add_data_func ("/Sp/Faults/save/full", GINT_TO_POINTER (PLACE_FULL), test_save_fails);
  g_test_add_data_func ("/Sp/Faults/save/read-only", GINT_TO_POINTER (PLACE_READ_ONLY),
                        test_save_fails);
  g_test_add_func ("/Sp/Faults/remote/refused-unasked", test_remote_refused_unasked);
  g_test_add_func ("/Sp/Faults/remote/denied", test_remote_denied);
  g_test_add_func ("/Sp/Faults/remote/allowed", test_remote_allowed);
  g_test_add_func ("/Sp/Faults/remote/one-question", test_remote_one_question);
  g_test_add_func ("/Sp/Faults/remote/lookup-unasked", test_remote_lookup_unasked);
  g_test_add_func ("/Sp/Faults/remote/lookup-asked", test_remote_lookup_asked);

  return g_test_run ();
}
