/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sp-codegen.h"
#include "sp-test-util.h"

/* Helpers */

#define assert_contains(text, needle) \
  G_STMT_START { \
    const char *__text = (text), *__needle = (needle); \
    if (strstr (__text, __needle) == NULL) \
      g_error ("%s:%d: expected “%s” in:\n%s", __FILE__, __LINE__, __needle, __text); \
  } G_STMT_END

#define assert_not_contains(text, needle) \
  G_STMT_START { \
    const char *__text = (text), *__needle = (needle); \
    if (strstr (__text, __needle) != NULL) \
      g_error ("%s:%d: did not expect “%s” in:\n%s", __FILE__, __LINE__, __needle, __text); \
  } G_STMT_END

static SpSession *
load_fixture (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "codegen", name, NULL);
  SpSession *session = sp_session_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);

  return session;
}

static SpSession *
load_preset_file (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "presets", name, NULL);
  SpSession *session = sp_session_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);

  return session;
}

static SpSocketConfig *
add_socket (SpSession    *session,
            const char   *id,
            SpFamily      family,
            SpSocketType  type,
            const char   *address,
            gint          port)
{
  g_autoptr(SpSocketConfig) config = sp_socket_config_new (id, family, type);

  config->address = g_strdup (address);
  config->port = port;
  sp_session_add_socket (session, config);

  return config;
}

static SpStep *
add_step (SpSession  *session,
          const char *socket,
          SpCall      call)
{
  g_autoptr(SpStep) step = sp_step_new (socket, call);

  sp_session_append_step (session, step);

  return step;
}

static SpStepData *
text_data (const char *text,
           const char *encoding)
{
  g_autoptr(GError) error = NULL;
  SpStepData *data = sp_step_data_new_text (text, encoding, &error);

  g_assert_no_error (error);

  return data;
}

static SpStepData *
hex_data (const char *hex)
{
  g_autoptr(GError) error = NULL;
  SpStepData *data = sp_step_data_new_hex (hex, &error);

  g_assert_no_error (error);

  return data;
}

static void
expect_data (SpStep     *step,
             const char *text)
{
  step->has_expect = TRUE;
  step->expect.data = text_data (text, NULL);
}

/* The TCP echo of the notes, with the server on `port`. */
static SpSession *
tcp_echo_session (const char *title,
                  SpFamily    family,
                  const char *address,
                  gint        port)
{
  SpSession *session = sp_session_new ();
  SpSocketConfig *server;
  SpStep *step;

  sp_session_set_title (session, title);
  sp_session_set_description (session, "The echo server and client of the notes.");

  server = add_socket (session, "server", family, SP_SOCKET_TYPE_STREAM, address, port);
  if (family != SP_FAMILY_UNIX)
    sp_socket_config_set_option (server, "SO_REUSEADDR", 1, TRUE);
  add_socket (session, "client", family, SP_SOCKET_TYPE_STREAM, NULL, -1);

  add_step (session, "server", SP_CALL_BIND);
  step = add_step (session, "server", SP_CALL_LISTEN);
  step->backlog = 1;
  step = add_step (session, "client", SP_CALL_CONNECT);
  step->to = g_strdup ("server");
  step = add_step (session, "server", SP_CALL_ACCEPT);
  step->as = g_strdup ("conn");
  step = add_step (session, "client", SP_CALL_SENDALL);
  step->data = text_data ("Hello World", NULL);
  step = add_step (session, "conn", SP_CALL_RECV);
  step->bufsize = 1024;
  expect_data (step, "Hello World");
  step = add_step (session, "conn", SP_CALL_SENDALL);
  step->data = text_data ("Hello World", NULL);
  step = add_step (session, "client", SP_CALL_RECV);
  expect_data (step, "Hello World");
  add_step (session, "client", SP_CALL_CLOSE);
  step = add_step (session, "conn", SP_CALL_RECV);
  step->until_eof = TRUE;
  add_step (session, "conn", SP_CALL_CLOSE);
  add_step (session, "server", SP_CALL_CLOSE);

  return session;
}

static char *
step_python (SpSession *session,
             guint      index)
{
  return sp_codegen_step_python (session, sp_session_get_step (session, index));
}

static GPtrArray *
scripts_of (SpSession *session)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *scripts = sp_codegen_python_scripts (session, &error);

  g_assert_no_error (error);
  g_assert_nonnull (scripts);

  return scripts;
}

static const char *
script_content (GPtrArray  *scripts,
                const char *filename)
{
  for (guint i = 0; i < scripts->len; i++)
    {
      SpScript *script = g_ptr_array_index (scripts, i);

      if (g_str_equal (script->filename, filename))
        return script->content;
    }

  return NULL;
}

/* The number after "PORT = " in a script. */
static gint
script_port (const char *content)
{
  const char *line = strstr (content, "\nPORT = ");

  g_assert_nonnull (line);

  return atoi (line + strlen ("\nPORT = "));
}

static void
remove_tree (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        remove_tree (path);
      else
        g_unlink (path);
    }

  g_rmdir (directory);
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *directory = g_dir_make_tmp ("sp-codegen-XXXXXX", &error);

  g_assert_no_error (error);

  return directory;
}

static gboolean
have_python (void)
{
  g_autofree char *python = sp_test_find_python ();

  return python != NULL;
}

/* Runs a command; returns its exit status, its output in `output`. */
static int
run_command (const char * const *argv,
             char              **output)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &wait_status, &error);
  g_assert_no_error (error);

  if (output != NULL)
    *output = g_strconcat (out, err, NULL);

  if (!WIFEXITED (wait_status))
    return -1;

  return WEXITSTATUS (wait_status);
}

static void
assert_scripts_compile (SpSession *session)
{
  g_autofree char *python = sp_test_find_python ();
  g_autofree char *directory = NULL;
  g_autoptr(GPtrArray) scripts = NULL;
  g_autoptr(GError) error = NULL;

  if (python == NULL)
    return;

  directory = make_temp_dir ();
  scripts = scripts_of (session);
  sp_codegen_export_python (session, directory, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < scripts->len; i++)
    {
      SpScript *script = g_ptr_array_index (scripts, i);
      g_autofree char *path = g_build_filename (directory, script->filename, NULL);
      const char *argv[] = { python, "-m", "py_compile", path, NULL };
      g_autofree char *output = NULL;

      if (run_command (argv, &output) != 0)
        g_error ("%s does not compile:\n%s\n%s", script->filename, output, script->content);
    }

  remove_tree (directory);
}

/* Exports `session` and runs it with tests/peers/run-exported.py: the
 * exit status, and what the scripts printed in `output`. */
static int
run_exported (SpSession  *session,
              char      **output)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *runner = NULL;
  g_autofree char *directory = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (python);

  runner = g_test_build_filename (G_TEST_DIST, "peers", "run-exported.py", NULL);
  directory = make_temp_dir ();

  sp_codegen_export_python (session, directory, &error);
  g_assert_no_error (error);

  {
    const char *argv[] = { python, runner, directory, NULL };

    status = run_command (argv, output);
  }

  g_test_message ("%s", *output);
  remove_tree (directory);

  return status;
}

static void
assert_runs (SpSession *session)
{
  g_autofree char *output = NULL;
  int status;

  if (!have_python ())
    return;

  status = run_exported (session, &output);
  if (status != 0)
    g_error ("the exported scripts failed (%d):\n%s", status, output);

  assert_not_contains (output, "Traceback");
}

static gboolean
have_ipv6_loopback (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

  return socket != NULL && g_socket_bind (socket, address, FALSE, NULL);
}

/* The code view: one step's Python */

static void
test_step_tcp (void)
{
  g_autoptr(SpSession) session = tcp_echo_session ("step", SP_FAMILY_INET, "127.0.0.1", 65432);
  g_autofree char *bind = step_python (session, 0);
  g_autofree char *listen = step_python (session, 1);
  g_autofree char *connect = step_python (session, 2);
  g_autofree char *accept = step_python (session, 3);
  g_autofree char *sendall = step_python (session, 4);
  g_autofree char *recv = step_python (session, 5);
  g_autofree char *close = step_python (session, 8);
  g_autofree char *until_eof = step_python (session, 9);

  g_assert_cmpstr (bind, ==, "server.bind(('127.0.0.1', 65432))");
  g_assert_cmpstr (listen, ==, "server.listen(1)");
  g_assert_cmpstr (connect, ==, "client.connect(('127.0.0.1', 65432))");
  g_assert_cmpstr (accept, ==, "conn, addr = server.accept()");
  g_assert_cmpstr (sendall, ==, "client.sendall(b'Hello World')");
  g_assert_cmpstr (recv, ==, "data = conn.recv(1024)");
  g_assert_cmpstr (close, ==, "client.close()");
  g_assert_cmpstr (until_eof, ==,
                   "while True:\n"
                   "    data = conn.recv(1024)\n"
                   "    if not data:\n"
                   "        break");
}

static void
test_step_calls (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  SpSocketConfig *config;
  SpStep *step;
  struct { SpStep *step; const char *python; } cases[40];
  guint n = 0;

  sp_session_set_title (session, "calls");
  config = add_socket (session, "udp-server", SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM, "", 5000);
  add_socket (session, "s6", SP_FAMILY_INET6, SP_SOCKET_TYPE_STREAM, "::1", 6000);
  config = add_socket (session, "tcp", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, NULL, -1);
  config->protocol = 6;
  config->protocol_name = g_strdup ("tcp");
  add_socket (session, "raw", SP_FAMILY_INET, SP_SOCKET_TYPE_RAW, NULL, -1)->protocol_name =
    g_strdup ("icmp");
  add_socket (session, "unix", SP_FAMILY_UNIX, SP_SOCKET_TYPE_SEQPACKET, "/tmp/sp.sock", -1);
  add_socket (session, "abstract", SP_FAMILY_UNIX, SP_SOCKET_TYPE_DGRAM, "@name", -1);
  add_socket (session, "data", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, NULL, -1);

#define CASE(s, python_text) G_STMT_START { cases[n].step = (s); cases[n].python = (python_text); n++; } G_STMT_END

  step = add_step (session, "udp-server", SP_CALL_SOCKET);
  CASE (step, "udp_server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)");
  step = add_step (session, "tcp", SP_CALL_SOCKET);
  CASE (step, "tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)");
  step = add_step (session, "s6", SP_CALL_SOCKET);
  CASE (step, "s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)");
  step = add_step (session, "raw", SP_CALL_SOCKET);
  CASE (step, "raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)");
  step = add_step (session, "unix", SP_CALL_SOCKET);
  CASE (step, "unix = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)");

  step = add_step (session, "udp-server", SP_CALL_SETSOCKOPT);
  step->option = g_strdup ("SO_REUSEADDR");
  step->value = 1;
  step->value_is_bool = TRUE;
  CASE (step, "udp_server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)");
  step = add_step (session, "tcp", SP_CALL_SETSOCKOPT);
  step->option = g_strdup ("TCP_NODELAY");
  step->value = 1;
  step->value_is_bool = TRUE;
  CASE (step, "tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)");
  step = add_step (session, "s6", SP_CALL_SETSOCKOPT);
  step->option = g_strdup ("IPV6_V6ONLY");
  step->value = 0;
  step->value_is_bool = TRUE;
  CASE (step, "s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)");
  step = add_step (session, "tcp", SP_CALL_SETSOCKOPT);
  step->option = g_strdup ("SO_RCVBUF");
  step->value = 65536;
  CASE (step, "tcp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)");

  step = add_step (session, "udp-server", SP_CALL_BIND);
  CASE (step, "udp_server.bind(('', 5000))");
  step = add_step (session, "s6", SP_CALL_BIND);
  CASE (step, "s6.bind(('::1', 6000))");
  step = add_step (session, "unix", SP_CALL_BIND);
  CASE (step, "unix.bind('/tmp/sp.sock')");
  step = add_step (session, "abstract", SP_CALL_BIND);
  CASE (step, "abstract.bind('\\0name')");
  step = add_step (session, "s6", SP_CALL_LISTEN);
  CASE (step, "s6.listen()");

  step = add_step (session, "udp-server", SP_CALL_RECVFROM);
  CASE (step, "data, addr = udp_server.recvfrom(1024)");
  step = add_step (session, "udp-server", SP_CALL_SENDTO);
  step->address = g_strdup ("127.0.0.1");
  step->port = 5001;
  step->data = text_data ("café", "latin-1");
  CASE (step, "udp_server.sendto('café'.encode('latin-1'), ('127.0.0.1', 5001))");
  step = add_step (session, "tcp", SP_CALL_SENDTO);
  step->to = g_strdup ("udp-server");
  step->data = hex_data ("00 ff 27");
  CASE (step, "tcp.sendto(b\"\\x00\\xff'\", ('127.0.0.1', 5000))");

  step = add_step (session, "tcp", SP_CALL_CONNECT_EX);
  step->address = g_strdup ("127.0.0.1");
  step->port = 9;
  CASE (step, "err = tcp.connect_ex(('127.0.0.1', 9))");
  step = add_step (session, "tcp", SP_CALL_CONNECT);
  step->to = g_strdup ("s6");
  CASE (step, "tcp.connect(('::1', 6000))");
  step = add_step (session, "unix", SP_CALL_CONNECT);
  step->to = g_strdup ("unix");
  CASE (step, "unix.connect('/tmp/sp.sock')");
  step = add_step (session, "tcp", SP_CALL_SEND);
  step->data = text_data ("Hi\r\n", NULL);
  CASE (step, "tcp.send(b'Hi\\r\\n')");
  step = add_step (session, "tcp", SP_CALL_RECV_INTO);
  step->bufsize = 10;
  CASE (step, "buffer = bytearray(10)\nnbytes = tcp.recv_into(buffer)\ndata = bytes(buffer[:nbytes])");
  step = add_step (session, "udp-server", SP_CALL_RECVFROM_INTO);
  step->bufsize = 16;
  CASE (step, "buffer = bytearray(16)\nnbytes, addr = udp_server.recvfrom_into(buffer)\n"
              "data = bytes(buffer[:nbytes])");
  step = add_step (session, "tcp", SP_CALL_SHUTDOWN);
  step->how = SP_SHUTDOWN_WRITE;
  step->has_how = TRUE;
  CASE (step, "tcp.shutdown(socket.SHUT_WR)");
  step = add_step (session, "tcp", SP_CALL_GETSOCKNAME);
  CASE (step, "print(tcp.getsockname())");
  step = add_step (session, "data", SP_CALL_CLOSE);
  CASE (step, "data_sock.close()");

  step = add_step (session, NULL, SP_CALL_GETHOSTNAME);
  CASE (step, "socket.gethostname()");
  step = add_step (session, NULL, SP_CALL_GETHOSTBYNAME);
  step->host = g_strdup ("localhost");
  CASE (step, "socket.gethostbyname('localhost')");
  step = add_step (session, NULL, SP_CALL_GETADDRINFO);
  step->host = g_strdup ("localhost");
  step->port = 80;
  CASE (step, "socket.getaddrinfo('localhost', 80)");
  step = add_step (session, NULL, SP_CALL_SLEEP);
  step->ms = 500;
  CASE (step, "time.sleep(0.5)");
  step = add_step (session, NULL, SP_CALL_NOTE);
  step->text = g_strdup ("The kernel picks the port.\nLook at getsockname.");
  CASE (step, "# The kernel picks the port.\n# Look at getsockname.");
  step = add_step (session, "s6", SP_CALL_SERVE);
  step->mode = SP_SERVE_ECHO;
  step->has_mode = TRUE;
  step->connections = 2;
  CASE (step, "for _ in range(2):\n"
              "    conn, addr = s6.accept()\n"
              "    threading.Thread(target=echo, args=(conn, addr)).start()");
  step = add_step (session, "data", SP_CALL_SEND);
  step->data = sp_step_data_new_text ("tick", NULL, NULL);
  step->count = 3;
  step->interval_ms = 250;
  CASE (step, "for i in range(3):\n"
              "    if i > 0:\n"
              "        time.sleep(0.25)\n"
              "    data_sock.send(b'tick')");

#undef CASE

  g_assert_cmpuint (n, <=, G_N_ELEMENTS (cases));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *python = sp_codegen_step_python (session, cases[i].step);

      g_assert_cmpstr (python, ==, cases[i].python);
    }
}

/* A listener bound to port 0 gets a fixed port in the export: the code
 * view's connect uses it, and both scripts agree on it. */
static void
test_port_zero (void)
{
  g_autoptr(SpSession) session = load_preset_file ("tcp-echo.json");
  g_autoptr(SpSession) again = load_preset_file ("tcp-echo.json");
  g_autoptr(GPtrArray) scripts = scripts_of (session);
  g_autoptr(GPtrArray) scripts_again = scripts_of (again);
  const char *server = script_content (scripts, "server.py");
  const char *client = script_content (scripts, "client.py");
  g_autofree char *bind = step_python (session, 0);
  g_autofree char *connect = step_python (session, 2);
  g_autofree char *expected_connect = NULL;
  gint port;

  g_assert_nonnull (server);
  g_assert_nonnull (client);

  port = script_port (server);
  g_assert_cmpint (port, >=, 61000);
  g_assert_cmpint (port, <=, 65000);
  g_assert_cmpint (script_port (client), ==, port);
  assert_contains (server, "  # the session used port 0 (ephemeral); a fixed port is used here "
                           "so the client can find the server\n");
  assert_contains (client, "  # the session used port 0 (ephemeral); a fixed port is used here "
                           "so the client can find the server\n");

  /* deterministic: the same session exports the same scripts */
  g_assert_cmpstr (script_content (scripts_again, "server.py"), ==, server);
  g_assert_cmpstr (script_content (scripts_again, "client.py"), ==, client);

  /* the code view shows the bind as it is made, the connect where the
   * export's server will be */
  g_assert_cmpstr (bind, ==, "server.bind(('127.0.0.1', 0))");
  expected_connect = g_strdup_printf ("client.connect(('127.0.0.1', %d))", port);
  g_assert_cmpstr (connect, ==, expected_connect);
}

/* Roles and whole programs */

static void
test_roles_tcp (void)
{
  g_autoptr(SpSession) session = tcp_echo_session ("TCP echo", SP_FAMILY_INET, "127.0.0.1", 65432);
  g_autoptr(GPtrArray) scripts = scripts_of (session);
  const char *server, *client;

  g_assert_cmpuint (scripts->len, ==, 2);
  g_assert_cmpstr (((SpScript *) scripts->pdata[0])->filename, ==, "server.py");
  g_assert_cmpstr (((SpScript *) scripts->pdata[1])->filename, ==, "client.py");
  server = script_content (scripts, "server.py");
  client = script_content (scripts, "client.py");

  g_assert_true (g_str_has_prefix (server, "#!/usr/bin/env python3\n\"\"\"TCP echo\n"));
  g_assert_true (g_str_has_prefix (client, "#!/usr/bin/env python3\n\"\"\"TCP echo\n"));
  assert_contains (server, "The echo server and client of the notes.");

  assert_contains (server, "\nimport socket\n");
  assert_not_contains (server, "import threading");
  assert_not_contains (server, "import time");
  assert_contains (server, "\nHOST = '127.0.0.1'  #");
  assert_contains (server, "\nPORT = 65432  #");
  assert_contains (server, "\nwith socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:\n");
  assert_contains (server, "    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n");
  assert_contains (server, "    server.bind((HOST, PORT))\n");
  assert_contains (server, "    server.listen(1)\n");
  assert_contains (server, "    conn, addr = server.accept()\n");
  assert_contains (server, "    with conn:\n");
  assert_contains (server, "        data = conn.recv(1024)\n");
  assert_contains (server, "        assert data == b'Hello World', data\n");
  assert_contains (server, "        conn.sendall(b'Hello World')\n");
  assert_contains (server, "        while True:\n");
  assert_not_contains (server, "as client");
  assert_not_contains (server, "client.connect");

  assert_contains (client, "\nHOST = '127.0.0.1'  #");
  assert_contains (client, "\nPORT = 65432  #");
  assert_contains (client, "\nwith socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:\n");
  assert_contains (client, "    client.connect((HOST, PORT))\n");
  assert_contains (client, "    client.sendall(b'Hello World')\n");
  assert_contains (client, "    data = client.recv(1024)\n");
  assert_contains (client, "    assert data == b'Hello World', data\n");
  assert_not_contains (client, "listen");
  assert_not_contains (client, "accept");
  assert_not_contains (client, "conn.");
}

static void
test_roles_udp (void)
{
  g_autoptr(SpSession) session = load_fixture ("udp.json");
  g_autoptr(GPtrArray) scripts = scripts_of (session);
  const char *server = script_content (scripts, "server.py");
  const char *client = script_content (scripts, "client.py");

  g_assert_nonnull (server);
  g_assert_nonnull (client);

  assert_contains (server, "socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:\n");
  assert_contains (server, "    server.bind((HOST, PORT))\n");
  assert_contains (server, "    data, addr = server.recvfrom(1024)\n");
  assert_contains (server, "    assert data == b'ping', data\n");
  /* the client never bound: the reply goes where the datagram came from */
  assert_contains (server, "    server.sendto(b'pong', addr)\n");
  assert_not_contains (server, "as client");
  assert_not_contains (server, "client.sendto");

  assert_contains (client, "    client.sendto(b'ping', (HOST, PORT))\n");
  assert_contains (client, "    data, addr = client.recvfrom(1024)\n");
  assert_not_contains (client, "client.bind");
}

/* An impaired socket is made with ImpairedSocket, which decides as the
 * playground does (test-impairment checks the rule against Python's own
 * random); the code view shows the plain socket calls. */
static void
test_roles_impaired (void)
{
  g_autoptr(SpSession) session = load_preset_file ("udp-bad-network.json");
  g_autoptr(SpSession) plain = load_fixture ("udp.json");
  g_autoptr(GPtrArray) scripts = scripts_of (session);
  g_autoptr(GPtrArray) plain_scripts = scripts_of (plain);
  const char *server = script_content (scripts, "server.py");
  const char *client = script_content (scripts, "client.py");
  g_autofree char *line = NULL;

  g_assert_nonnull (server);
  g_assert_nonnull (client);

  assert_contains (client, "import random\nimport socket\nimport threading\n");
  assert_contains (client, "class ImpairedSocket:\n");
  assert_contains (client, "        self._random = random.Random(seed)\n");
  assert_contains (client, "        return (self._random.getrandbits(32) * 100) >> 32 < percent\n");
  assert_contains (client, "    HOLD_SECONDS = 1  #");
  assert_contains (client, "with ImpairedSocket(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), "
                           "drop=20, duplicate=20, reorder=20, delay_ms=200, seed=58) as client:\n");
  assert_contains (client, "    client.sendto(b'datagram 4', (HOST, PORT))\n");
  /* the server's socket is a plain one */
  assert_not_contains (server, "ImpairedSocket");
  assert_not_contains (server, "import random");

  line = sp_codegen_step_python (session, sp_session_get_step (session, 1));
  assert_not_contains (line, "Impaired");
  assert_contains (line, "client.sendto(b'datagram 1', ");

  for (guint i = 0; i < plain_scripts->len; i++)
    {
      SpScript *script = g_ptr_array_index (plain_scripts, i);

      assert_not_contains (script->content, "ImpairedSocket");
      assert_not_contains (script->content, "import random");
    }
}

/* A socket named like the module the class needs does not hide it. */
static void
test_impaired_names (void)
{
  static const char json[] =
    "{ \"format\": \"socket-playground-session\", \"version\": 1,\n"
    "  \"sockets\": [\n"
    "    { \"id\": \"ImpairedSocket\", \"type\": \"dgram\", \"address\": \"127.0.0.1\",\n"
    "      \"port\": 0 },\n"
    "    { \"id\": \"random\", \"type\": \"dgram\", \"impair\": { \"drop\": 50 } } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"ImpairedSocket\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"random\", \"call\": \"sendto\", \"to\": \"ImpairedSocket\",\n"
    "      \"data\": { \"text\": \"x\" } } ] }\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_data (json, -1, "names.json", &error);
  g_autoptr(GPtrArray) scripts = NULL;
  const char *client;

  g_assert_no_error (error);
  scripts = scripts_of (session);
  client = script_content (scripts, "client.py");
  g_assert_nonnull (client);
  assert_contains (client, "ImpairedSocket(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), "
                           "drop=50, duplicate=0, reorder=0, delay_ms=0, seed=0) as random_sock:");
  assert_contains (client, "random_sock.sendto(b'x', ");
  assert_scripts_compile (session);
}

/* A client of a server outside the session (a web server) is one script. */
static void
test_roles_outside_peer (void)
{
  g_autoptr(SpSession) session = load_fixture ("http-outside.json");
  g_autoptr(GPtrArray) scripts = scripts_of (session);
  const char *client;

  g_assert_cmpuint (scripts->len, ==, 1);
  client = script_content (scripts, "client.py");
  g_assert_nonnull (client);
  assert_contains (client, "\nHOST = '127.0.0.1'  #");
  assert_contains (client, "\nPORT = 80  #");
  assert_contains (client, "    s.connect((HOST, PORT))\n");
  assert_contains (client, "    s.sendall(b'GET /5062CEM.php\\r\\n')\n");
  /* "any": either outcome, printed */
  assert_contains (client, "    try:\n        data = s.recv(1024)\n");
  assert_contains (client, "    except OSError as e:\n        print('s recv failed:', e)\n");
  /* timeout-ms */
  assert_contains (client, "    s.settimeout(0.5)\n    data = s.recv(10)\n");
}

static void
test_script_expectations (void)
{
  g_autoptr(SpSession) session = load_fixture ("errors.json");
  g_autoptr(GPtrArray) scripts = scripts_of (session);
  const char *client = script_content (scripts, "client.py");
  const char *server = script_content (scripts, "server.py");

  g_assert_nonnull (client);
  g_assert_nonnull (server);

  assert_contains (client, "\nimport errno\n");
  assert_contains (client,
                   "try:\n"
                   "    client.connect((HOST, 9))\n"
                   "except ConnectionRefusedError as e:\n"
                   "    assert e.errno == errno.ECONNREFUSED, e\n");
  assert_contains (client, "else:\n    raise AssertionError('expected ECONNREFUSED')\n");
  assert_contains (client, "err = scanner.connect_ex((HOST, 9))\n"
                           "assert err == errno.ECONNREFUSED, err\n");
  assert_contains (client, "    second.bind((HOST, PORT))\n"
                           "except OSError as e:\n"
                           "    assert e.errno == errno.EADDRINUSE, e\n");
  assert_contains (client, "    print(second.getpeername())\n"
                           "except OSError as e:\n"
                           "    assert e.errno == errno.ENOTCONN, e\n");
  assert_contains (client, "err = scanner.connect_ex((HOST, PORT))\nassert err == 0, err\n");
  /* the client's sockets cross (scanner outlives second's creation and
   * closes first), so they are closed explicitly */
  assert_contains (client, "scanner.close()\n");

  assert_contains (server, "PORT = 65123  #");
  assert_not_contains (server, "errno");
}

/* A name nobody knows: the program expects socket.gaierror with its EAI_
 * code, from connect_ex too (which raises it rather than returning it), and
 * it runs: the session names the code Python gives on this machine
 * (EAI_NONAME, or EAI_AGAIN without DNS). */
static void
test_script_lookup_errors (void)
{
  const char *probe =
    "import socket\n"
    "names = {getattr(socket, n): n for n in dir(socket) if n.startswith('EAI_')}\n"
    "try:\n"
    "  socket.gethostbyname('no-such-host.invalid'); print('none')\n"
    "except socket.gaierror as e:\n"
    "  print(names[e.errno])\n";
  const char *template =
    "{ \"format\": \"socket-playground-session\", \"version\": 1,\n"
    "  \"sockets\": [ { \"id\": \"client\" }, { \"id\": \"scanner\" } ],\n"
    "  \"steps\": [\n"
    "    { \"call\": \"gethostbyname\", \"host\": \"no-such-host.invalid\",\n"
    "      \"expect\": { \"error\": \"@ERROR@\" } },\n"
    "    { \"socket\": \"client\", \"call\": \"connect\",\n"
    "      \"address\": \"no-such-host.invalid\", \"port\": 80,\n"
    "      \"expect\": { \"error\": \"@ERROR@\" } },\n"
    "    { \"socket\": \"scanner\", \"call\": \"connect_ex\",\n"
    "      \"address\": \"no-such-host.invalid\", \"port\": 80,\n"
    "      \"expect\": { \"error\": \"@ERROR@\" } } ] }\n";
  g_autofree char *found = sp_test_run_python (probe, NULL);
  g_autoptr(GString) json = g_string_new (template);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GPtrArray) scripts = NULL;
  g_autofree char *name = NULL;
  g_autofree char *expected = NULL;
  const char *client;

  name = found != NULL ? g_strstrip (g_strdup (found)) : g_strdup ("EAI_NONAME");
  g_assert_true (g_str_has_prefix (name, "EAI_"));
  g_string_replace (json, "@ERROR@", name, 0);
  session = sp_session_new_from_data (json->str, -1, "lookups.json", &error);
  g_assert_no_error (error);
  scripts = scripts_of (session);
  client = script_content (scripts, "client.py");
  g_assert_nonnull (client);

  expected = g_strdup_printf ("        client.connect((HOST, PORT))\n"
                              "    except socket.gaierror as e:\n"
                              "        assert e.errno == socket.%s, e\n", name);
  assert_contains (client, expected);
  g_free (expected);
  expected = g_strdup_printf ("except socket.gaierror as e:\n"
                              "    assert e.errno == socket.%s, e\n"
                              "    print('socket gethostbyname failed as expected:', e)\n", name);
  assert_contains (client, expected);
  assert_contains (client, "err = scanner.connect_ex((HOST, PORT))\n"
                           "        except socket.gaierror as e:\n");
  assert_not_contains (client, "errno.EAI_");

  assert_runs (session);
}

static void
test_script_globals (void)
{
  g_autoptr(SpSession) session = load_fixture ("lookups.json");
  g_autoptr(GPtrArray) scripts = scripts_of (session);
  const char *client = script_content (scripts, "client.py");

  g_assert_cmpuint (scripts->len, ==, 1);
  g_assert_nonnull (client);

  assert_contains (client, "\nimport socket\nimport time\n");
  assert_contains (client, "\n# Who are we?\n# Ask the resolver.\nprint(socket.gethostname())\n");
  assert_contains (client, "\nprint(socket.gethostbyname('localhost'))\n");
  assert_contains (client, "\nfor info in socket.getaddrinfo('localhost', 80):\n    print(info)\n");
  assert_contains (client, "\ntime.sleep(0.05)\n");
  /* a socket id with '-' is a Python name with '_' */
  assert_contains (client, " as my_sock:\n");
  assert_contains (client, "    print(my_sock.getsockname())\n");
  /* text in another encoding, as the notes encode it */
  assert_contains (client, "'café'.encode('latin-1')");
  /* a peer on an ephemeral port in the same program is asked for it */
  assert_contains (client, ", my_sock.getsockname())\n");
  assert_contains (client, "    assert len(data) == 4, len(data)\n");
  assert_contains (client, "    assert data == b\"\\x00\\xff'\\\\\", data\n");
  /* the title's quotes and backslash do not end or break the docstring */
  assert_contains (client, "\"\"\"Names, encodings and \"quotes\"\"\\\" \\\\ in a title\n");
}

static void
test_script_serve (void)
{
  g_autoptr(SpSession) session = load_fixture ("serve-echo.json");
  g_autoptr(GPtrArray) scripts = scripts_of (session);
  const char *server = script_content (scripts, "server.py");
  const char *client = script_content (scripts, "client.py");

  g_assert_nonnull (server);
  g_assert_nonnull (client);

  assert_contains (server, "\nimport socket\nimport threading\n");
  assert_contains (server, "\ndef handle_server(conn, addr):\n");
  assert_contains (server, "            conn.sendall(data)\n");
  /* a lecture note goes with the steps it introduces */
  assert_contains (server, "\n# The server listens and serves every connection on its own.\n");
  /* no "connections": as many as the session's clients make */
  assert_contains (server, "    # the session serves until server is closed; its clients connect 3 times\n");
  assert_contains (server, "    for _ in range(3):\n"
                           "        conn, addr = server.accept()\n"
                           "        thread = threading.Thread(target=handle_server, args=(conn, addr))\n");
  assert_contains (server, "    for thread in threads:\n        thread.join()\n");

  assert_not_contains (client, "threading");
  assert_contains (client, "c1.connect((HOST, PORT))\n");
  assert_contains (client, "c3.connect((HOST, PORT))\n");
  g_assert_cmpint (script_port (client), ==, script_port (server));
}

/* A replies table becomes an if/elif chain on what the handler read, the
 * step's data the else; the exported pair answers as the session did. */
static void
test_script_replies (void)
{
  g_autoptr(SpSession) session = load_fixture ("serve-replies.json");
  g_autoptr(GPtrArray) scripts = scripts_of (session);
  const char *server = script_content (scripts, "server.py");

  assert_contains (server, "        data = conn.recv(1024)\n"
                           "        print('Received', repr(data))\n"
                           "        if b'name=Ada' in data:\n"
                           "            conn.sendall(b'Hello Ada')\n"
                           "        elif b'\\x00\\x01' in data:\n"
                           "            conn.sendall(b'binary')\n"
                           "        else:\n"
                           "            conn.sendall(b'Hello stranger')\n");

  assert_runs (session);
}

static void
test_py_compile (void)
{
  const char *fixtures[] = {
    "udp.json", "ipv6.json", "serve-echo.json", "mismatch.json", "errors.json",
    "lookups.json", "http-outside.json", "serve-replies.json",
  };

  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autoptr(SpSession) session = load_fixture (fixtures[i]);

      g_test_message ("%s", fixtures[i]);
      assert_scripts_compile (session);
    }

  {
    g_autoptr(SpSession) preset = load_preset_file ("tcp-echo.json");
    g_autoptr(SpSession) built = tcp_echo_session ("built", SP_FAMILY_INET, "", 0);
    g_autoptr(SpSession) empty = sp_session_new ();

    assert_scripts_compile (preset);
    assert_scripts_compile (built);
    assert_scripts_compile (empty);
  }
}

static void
test_export (void)
{
  g_autoptr(SpSession) session = load_preset_file ("tcp-echo.json");
  g_autoptr(GPtrArray) scripts = scripts_of (session);
  g_autofree char *directory = make_temp_dir ();
  g_autofree char *nested = g_build_filename (directory, "a", "b", NULL);
  g_autofree char *file = g_build_filename (directory, "file", NULL);
  g_autofree char *under_file = g_build_filename (file, "out", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_codegen_export_python (session, nested, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < scripts->len; i++)
    {
      SpScript *script = g_ptr_array_index (scripts, i);
      g_autofree char *path = g_build_filename (nested, script->filename, NULL);
      g_autofree char *content = NULL;
      GStatBuf buf;

      g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
      g_assert_cmpstr (content, ==, script->content);
      g_assert_cmpint (g_stat (path, &buf), ==, 0);
      g_assert_true ((buf.st_mode & S_IXUSR) != 0);
      g_assert_true ((buf.st_mode & S_IRUSR) != 0);
    }

  /* again over the old files */
  g_assert_true (sp_codegen_export_python (session, nested, &error));
  g_assert_no_error (error);

  /* a directory that cannot be made: the message names the path */
  g_assert_true (g_file_set_contents (file, "", 0, NULL));
  g_assert_false (sp_codegen_export_python (session, under_file, &error));
  g_assert_nonnull (error);
  assert_contains (error->message, under_file);

  remove_tree (directory);
}

static void
test_unknown_socket (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) scripts = NULL;

  add_socket (session, "client", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, NULL, -1);
  add_step (session, "client", SP_CALL_CLOSE);
  add_step (session, "ghost", SP_CALL_CLOSE);

  scripts = sp_codegen_python_scripts (session, &error);
  g_assert_null (scripts);
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID);
  assert_contains (error->message, "steps[1]");
  assert_contains (error->message, "ghost");
}

/* A listener that never accepts has nothing to wait for in a program of
 * its own: it stays in the client's program, in session order. */
static void
test_roles_lonely_listener (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(GPtrArray) scripts = NULL;
  SpStep *step;
  g_autofree char *bind_beside = NULL;
  const char *client;

  sp_session_set_title (session, "lonely listener");
  add_socket (session, "first", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, "127.0.0.1", 0);
  add_socket (session, "second", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, NULL, -1);
  add_socket (session, "probe", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, NULL, -1);
  add_step (session, "first", SP_CALL_BIND);
  add_step (session, "first", SP_CALL_LISTEN);
  step = add_step (session, "second", SP_CALL_BIND);
  step->to = g_strdup ("first");
  step->has_expect = TRUE;
  step->expect.error = g_strdup ("EADDRINUSE");
  step = add_step (session, "probe", SP_CALL_CONNECT_EX);
  step->to = g_strdup ("first");
  step->has_expect = TRUE;
  step->expect.ok = TRUE;
  add_step (session, "probe", SP_CALL_CLOSE);
  add_step (session, "second", SP_CALL_CLOSE);
  add_step (session, "first", SP_CALL_CLOSE);

  scripts = scripts_of (session);
  g_assert_cmpuint (scripts->len, ==, 1);
  client = script_content (scripts, "client.py");
  g_assert_nonnull (client);

  /* the kernel picks first's port in the same program: ask it */
  bind_beside = step_python (session, 2);
  g_assert_cmpstr (bind_beside, ==, "second.bind(first.getsockname())");
  assert_contains (client, "            second.bind(first.getsockname())\n"
                           "        except OSError as e:\n"
                           "            assert e.errno == errno.EADDRINUSE, e\n");
  assert_contains (client, "            err = probe.connect_ex(first.getsockname())\n"
                           "            assert err == 0, err\n");

  assert_runs (session);
}

/* An IPv6 socket bound "to" an IPv4 one takes only its port, keeping its
 * own address: Python cannot bind an AF_INET6 socket to ('0.0.0.0', P). */
static void
test_bind_beside_other_family (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(GPtrArray) scripts = NULL;
  g_autofree char *bind_beside = NULL;
  SpStep *step;

  if (!have_ipv6_loopback ())
    {
      g_test_skip ("no IPv6 loopback");
      return;
    }

  sp_session_set_title (session, "one port, two families");
  add_socket (session, "v4", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, "", 0);
  add_socket (session, "v6", SP_FAMILY_INET6, SP_SOCKET_TYPE_STREAM, "", 0);
  add_step (session, "v4", SP_CALL_BIND);
  add_step (session, "v4", SP_CALL_LISTEN);
  step = add_step (session, "v6", SP_CALL_SETSOCKOPT);
  step->option = g_strdup ("IPV6_V6ONLY");
  step->value = 1;
  step->value_is_bool = TRUE;
  step = add_step (session, "v6", SP_CALL_BIND);
  step->to = g_strdup ("v4");
  add_step (session, "v6", SP_CALL_CLOSE);
  add_step (session, "v4", SP_CALL_CLOSE);

  bind_beside = step_python (session, 3);
  g_assert_cmpstr (bind_beside, ==, "v6.bind(('', v4.getsockname()[1]))");

  scripts = scripts_of (session);
  assert_contains (script_content (scripts, "client.py"),
                   "        v6.bind(('', v4.getsockname()[1]))\n");
  assert_runs (session);
}

/* Two messages sent one after the other, each read on its own in the
 * session: the exported sender pauses between them so that the reader
 * does not get both in one recv. */
static void
test_run_two_messages (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(GPtrArray) scripts = NULL;
  SpSocketConfig *server;
  SpStep *step;
  const char *client;

  sp_session_set_title (session, "two messages");
  server = add_socket (session, "server", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, "127.0.0.1", 0);
  sp_socket_config_set_option (server, "SO_REUSEADDR", 1, TRUE);
  add_socket (session, "client", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, NULL, -1);
  add_step (session, "server", SP_CALL_BIND);
  add_step (session, "server", SP_CALL_LISTEN);
  step = add_step (session, "client", SP_CALL_CONNECT);
  step->to = g_strdup ("server");
  step = add_step (session, "server", SP_CALL_ACCEPT);
  step->as = g_strdup ("conn");
  step = add_step (session, "client", SP_CALL_SENDALL);
  step->data = text_data ("first", NULL);
  step = add_step (session, "conn", SP_CALL_RECV);
  expect_data (step, "first");
  step = add_step (session, "client", SP_CALL_SENDALL);
  step->data = text_data ("second", NULL);
  step = add_step (session, "conn", SP_CALL_RECV);
  expect_data (step, "second");
  add_step (session, "client", SP_CALL_CLOSE);
  add_step (session, "conn", SP_CALL_CLOSE);
  add_step (session, "server", SP_CALL_CLOSE);

  scripts = scripts_of (session);
  client = script_content (scripts, "client.py");
  g_assert_nonnull (client);
  assert_contains (client, "\nimport socket\nimport time\n");
  assert_contains (client, "    client.sendall(b'first')\n"
                           "    time.sleep(0.2)  #");
  assert_contains (client, "    client.sendall(b'second')\n");
  assert_not_contains (script_content (scripts, "server.py"), "time.sleep");

  assert_runs (session);
}

/* A listener that the server opens after it first waited (here after the
 * first conversation) is not there yet when the client starts. */
static void
test_run_late_listener (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(GPtrArray) scripts = NULL;
  const char *ids[] = { "one", "two" };
  SpStep *step;
  const char *client;

  sp_session_set_title (session, "late listener");
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *client_id = g_strdup_printf ("client_%s", ids[i]);
      g_autofree char *conn_id = g_strdup_printf ("conn_%s", ids[i]);
      SpSocketConfig *listener;

      listener = add_socket (session, ids[i], SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, "127.0.0.1", 0);
      sp_socket_config_set_option (listener, "SO_REUSEADDR", 1, TRUE);
      add_socket (session, client_id, SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, NULL, -1);

      add_step (session, ids[i], SP_CALL_BIND);
      add_step (session, ids[i], SP_CALL_LISTEN);
      step = add_step (session, client_id, SP_CALL_CONNECT);
      step->to = g_strdup (ids[i]);
      step = add_step (session, ids[i], SP_CALL_ACCEPT);
      step->as = g_strdup (conn_id);
      step = add_step (session, client_id, SP_CALL_SENDALL);
      step->data = text_data (ids[i], NULL);
      add_step (session, client_id, SP_CALL_CLOSE);
      step = add_step (session, conn_id, SP_CALL_RECV);
      step->until_eof = TRUE;
      expect_data (step, ids[i]);
      add_step (session, conn_id, SP_CALL_CLOSE);
      add_step (session, ids[i], SP_CALL_CLOSE);
    }

  scripts = scripts_of (session);
  client = script_content (scripts, "client.py");
  g_assert_nonnull (client);
  assert_not_contains (client, "time.sleep(0.5)  # server.py opens this only after its earlier steps\n"
                               "    client_one.connect");
  assert_contains (client, "    time.sleep(0.5)  # server.py opens this only after its earlier steps\n"
                           "    client_two.connect(");

  assert_runs (session);
}

/* Every built-in session exports to programs that run (DESIGN.md, "Seed
 * coverage"). */
static void
test_run_presets (void)
{
  g_autofree char *directory = g_test_build_filename (G_TEST_DIST, "..", "data", "presets", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint n = 0;

  if (!have_python ())
    return;

  dir = g_dir_open (directory, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(SpSession) session = NULL;

      if (!g_str_has_suffix (name, ".json"))
        continue;

      g_test_message ("preset %s", name);
      session = load_preset_file (name);
      assert_runs (session);
      n++;
    }

  g_assert_cmpuint (n, >, 0);
}

/* Real processes, real sockets */

static void
test_run_tcp_echo (void)
{
  g_autoptr(SpSession) session = load_preset_file ("tcp-echo.json");

  assert_runs (session);
}

static void
test_run_udp (void)
{
  g_autoptr(SpSession) session = load_fixture ("udp.json");

  assert_runs (session);
}

/* recvfrom_into, on both sides: the server answers the address it
 * returned, as recvfrom's does. */
static void
test_run_udp_recvfrom_into (void)
{
  g_autoptr(SpSession) session = load_fixture ("udp-recvfrom-into.json");
  g_autoptr(GPtrArray) scripts = scripts_of (session);

  assert_contains (script_content (scripts, "server.py"),
                   "    nbytes, addr = server.recvfrom_into(buffer)\n");
  assert_contains (script_content (scripts, "server.py"), "    server.sendto(b'pong', addr)\n");
  assert_contains (script_content (scripts, "client.py"),
                   "    nbytes, addr = client.recvfrom_into(buffer)\n");

  assert_runs (session);
}

static void
test_run_unix (void)
{
  g_autofree char *directory = make_temp_dir ();
  g_autofree char *path = g_build_filename (directory, "echo.sock", NULL);
  g_autoptr(SpSession) session = tcp_echo_session ("UNIX echo", SP_FAMILY_UNIX, path, -1);
  g_autoptr(GPtrArray) scripts = scripts_of (session);

  assert_contains (script_content (scripts, "server.py"), "    server.bind(SOCKET_PATH)\n");
  assert_contains (script_content (scripts, "client.py"), "    client.connect(SOCKET_PATH)\n");

  assert_runs (session);
  remove_tree (directory);
}

static void
test_run_ipv6 (void)
{
  g_autoptr(SpSession) session = NULL;

  if (!have_ipv6_loopback ())
    {
      g_test_skip ("no IPv6 loopback");
      return;
    }

  session = load_fixture ("ipv6.json");
  assert_runs (session);
}

static void
test_run_serve_echo (void)
{
  g_autoptr(SpSession) session = load_fixture ("serve-echo.json");
  g_autofree char *output = NULL;

  if (!have_python ())
    return;

  if (run_exported (session, &output) != 0)
    g_error ("the exported scripts failed:\n%s", output);

  /* three connections, each answered with its own words */
  assert_contains (output, "c1 received b'one'");
  assert_contains (output, "c2 received b'two'");
  assert_contains (output, "c3 received b'three'");
  {
    g_auto(GStrv) parts = g_strsplit (output, "Connected by", -1);

    g_assert_cmpuint (g_strv_length (parts), ==, 4);
  }
}

static void
test_run_errors (void)
{
  g_autoptr(SpSession) session = load_fixture ("errors.json");

  assert_runs (session);
}

static void
test_run_globals (void)
{
  g_autoptr(SpSession) session = load_fixture ("lookups.json");

  assert_runs (session);
}

/* The asserts bite: an expectation the peer does not meet fails the
 * exported client. */
static void
test_run_mismatch (void)
{
  g_autoptr(SpSession) session = load_fixture ("mismatch.json");
  g_autofree char *output = NULL;
  int status;

  if (!have_python ())
    return;

  status = run_exported (session, &output);
  g_assert_cmpint (status, ==, 1);
  assert_contains (output, "AssertionError: b'Hello'");
  assert_contains (output, "client.py: exit status 1");
  assert_contains (output, "server.py: exit status 0");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Codegen/step/tcp", test_step_tcp);
  g_test_add_func ("/Sp/Codegen/step/calls", test_step_calls);
  g_test_add_func ("/Sp/Codegen/port-zero", test_port_zero);
  g_test_add_func ("/Sp/Codegen/roles/tcp", test_roles_tcp);
  g_test_add_func ("/Sp/Codegen/roles/udp", test_roles_udp);
  g_test_add_func ("/Sp/Codegen/roles/impaired", test_roles_impaired);
  g_test_add_func ("/Sp/Codegen/impaired-names", test_impaired_names);
  g_test_add_func ("/Sp/Codegen/roles/outside-peer", test_roles_outside_peer);
  g_test_add_func ("/Sp/Codegen/roles/lonely-listener", test_roles_lonely_listener);
  g_test_add_func ("/Sp/Codegen/roles/bind-beside-other-family", test_bind_beside_other_family);
  g_test_add_func ("/Sp/Codegen/script/expectations", test_script_expectations);
  g_test_add_func ("/Sp/Codegen/script/lookup-errors", test_script_lookup_errors);
  g_test_add_func ("/Sp/Codegen/script/globals", test_script_globals);
  g_test_add_func ("/Sp/Codegen/script/serve", test_script_serve);
  g_test_add_func ("/Sp/Codegen/script/replies", test_script_replies);
  g_test_add_func ("/Sp/Codegen/py-compile", test_py_compile);
  g_test_add_func ("/Sp/Codegen/export", test_export);
  g_test_add_func ("/Sp/Codegen/unknown-socket", test_unknown_socket);
  g_test_add_func ("/Sp/Codegen/run/tcp-echo", test_run_tcp_echo);
  g_test_add_func ("/Sp/Codegen/run/udp", test_run_udp);
  g_test_add_func ("/Sp/Codegen/run/udp-recvfrom-into", test_run_udp_recvfrom_into);
  g_test_add_func ("/Sp/Codegen/run/unix", test_run_unix);
  g_test_add_func ("/Sp/Codegen/run/ipv6", test_run_ipv6);
  g_test_add_func ("/Sp/Codegen/run/serve-echo", test_run_serve_echo);
  g_test_add_func ("/Sp/Codegen/run/errors", test_run_errors);
  g_test_add_func ("/Sp/Codegen/run/globals", test_run_globals);
  g_test_add_func ("/Sp/Codegen/run/mismatch", test_run_mismatch);
  g_test_add_func ("/Sp/Codegen/run/two-messages", test_run_two_messages);
  g_test_add_func ("/Sp/Codegen/run/late-listener", test_run_late_listener);
  g_test_add_func ("/Sp/Codegen/run/presets", test_run_presets);

  return g_test_run ();
}
