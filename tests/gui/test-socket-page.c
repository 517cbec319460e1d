/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "sp-gui-test-util.h"
#include "sp-socket-page.h"

typedef struct
{
  SpSession    *session;
  SpTrafficLog *log;
  SpPlayer     *player;
  GtkWidget    *window;
  SpSocketPage *page;
  guint         n_finished;
  guint         n_failed;
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture, gconstpointer data);

static gboolean
fail_on_timeout (gpointer user_data)
{
  g_error ("timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until `done`, failing the test after 10 s. */
static void
wait_until (Fixture       *fixture,
            Condition      done,
            gconstpointer  data,
            const char    *what)
{
  guint timeout_id = g_timeout_add_seconds (10, fail_on_timeout, (gpointer) what);

  while (!done (fixture, data))
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (timeout_id);
}

/* Lets pending sources run (the page's idle refresh, the log's batch). */
static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static SpSocket *
live_socket (Fixture    *fixture,
             const char *id)
{
  return sp_player_lookup_socket (fixture->player, id);
}

static gboolean
socket_in_state (Fixture       *fixture,
                 gconstpointer  data)
{
  const struct { const char *id; SpState state; } *want = data;
  SpSocket *socket = live_socket (fixture, want->id);

  return socket != NULL && sp_socket_get_state (socket) == want->state;
}

static void
wait_for_state (Fixture    *fixture,
                const char *id,
                SpState     state)
{
  struct { const char *id; SpState state; } want = { id, state };

  wait_until (fixture, socket_in_state, &want, sp_state_to_string (state));
}

/* Widgets, found as a user finds them: by what they say. */

static GtkWidget *
find_widget (GtkWidget *widget,
             gboolean (*match) (GtkWidget *widget, gconstpointer data),
             gconstpointer data)
{
  return sp_gui_find_matching (widget, (SpGuiMatch) match, (gpointer) data);
}

static gboolean
is_entry_row_titled (GtkWidget     *widget,
                     gconstpointer  data)
{
  return ADW_IS_ENTRY_ROW (widget) &&
         g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data);
}

static gboolean
is_combo_row_titled (GtkWidget     *widget,
                     gconstpointer  data)
{
  return ADW_IS_COMBO_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static gboolean
is_action_row_titled (GtkWidget     *widget,
                      gconstpointer  data)
{
  return ADW_IS_ACTION_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static gboolean
is_label_saying (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), data) != NULL;
}

static gboolean
is_label_exactly (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

/* An error message shown beneath a field: an error row of the form, or an
 * error label of the calls' arguments. */
static gboolean
is_shown_error (GtkWidget     *widget,
                gconstpointer  data)
{
  const char *text;

  if (!gtk_widget_has_css_class (widget, "error") || !gtk_widget_get_visible (widget))
    return FALSE;
  if (ADW_IS_ACTION_ROW (widget))
    text = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
  else if (GTK_IS_LABEL (widget))
    text = gtk_label_get_text (GTK_LABEL (widget));
  else
    return FALSE;
  return g_str_has_prefix (text, data);
}

/* The button of `call`, as its accessible name says. */
static GtkWidget *
button (Fixture    *fixture,
        const char *call)
{
  g_autofree char *action = g_strconcat ("call.", call, NULL);
  GtkWidget *found = sp_gui_find_actionable (GTK_WIDGET (fixture->page), action, NULL);

  g_assert_nonnull (found);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (found), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       call);
  return found;
}

/* A field of the calls' arguments, by its accessible name. */
static GtkWidget *
field (Fixture    *fixture,
       GType       type,
       const char *label)
{
  GtkWidget *found = sp_gui_find_by_label (GTK_WIDGET (fixture->page), type, label);

  if (found == NULL)
    g_error ("no %s labelled “%s”", g_type_name (type), label);
  return found;
}

static GtkEditable *
entry (Fixture    *fixture,
       const char *label)
{
  return GTK_EDITABLE (field (fixture, GTK_TYPE_ENTRY, label));
}

static GtkDropDown *
dropdown (Fixture    *fixture,
          const char *label)
{
  return GTK_DROP_DOWN (field (fixture, GTK_TYPE_DROP_DOWN, label));
}

static void
select_string (GtkDropDown *dropdown,
               const char  *text)
{
  GListModel *model = gtk_drop_down_get_model (dropdown);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_str_equal (gtk_string_object_get_string (item), text))
        {
          gtk_drop_down_set_selected (dropdown, i);
          return;
        }
    }
  g_error ("no “%s” to choose", text);
}

static const char *
dropdown_text (GtkDropDown *dropdown)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (dropdown);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

static GtkEditable *
entry_row (Fixture    *fixture,
           const char *title)
{
  GtkWidget *found = find_widget (GTK_WIDGET (fixture->page), is_entry_row_titled, title);

  g_assert_nonnull (found);
  return GTK_EDITABLE (found);
}

static AdwComboRow *
combo_row (Fixture    *fixture,
           const char *title)
{
  GtkWidget *found = find_widget (GTK_WIDGET (fixture->page), is_combo_row_titled, title);

  g_assert_nonnull (found);
  return ADW_COMBO_ROW (found);
}

static GtkSwitch *
switch_of_row (Fixture    *fixture,
               const char *title)
{
  GtkWidget *row = find_widget (GTK_WIDGET (fixture->page), is_action_row_titled, title);

  g_assert_nonnull (row);
  return GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)));
}

static const char *
shown_error (Fixture    *fixture,
             const char *prefix)
{
  GtkWidget *widget = find_widget (GTK_WIDGET (fixture->page), is_shown_error, prefix);

  if (widget == NULL)
    return NULL;
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
}

static gboolean
label_shown (Fixture       *fixture,
             gconstpointer  text)
{
  return find_widget (GTK_WIDGET (fixture->page), is_label_saying, text) != NULL;
}

static gboolean
state_shown (Fixture       *fixture,
             gconstpointer  text)
{
  return find_widget (GTK_WIDGET (fixture->page), is_label_exactly, text) != NULL;
}

/* Whether the call's button can be clicked: for a split button, its main
 * part (its arrow opens the arguments, always). */
static gboolean
enabled (Fixture    *fixture,
         const char *call)
{
  GtkWidget *widget = button (fixture, call);

  if (ADW_IS_SPLIT_BUTTON (widget))
    widget = sp_gui_find_descendant (widget, GTK_TYPE_BUTTON);
  return gtk_widget_is_sensitive (widget);
}

static GtkSwitch *
let_fail_switch (Fixture *fixture)
{
  return GTK_SWITCH (field (fixture, GTK_TYPE_SWITCH, "Let it fail"));
}

static gboolean
socket_exists (Fixture       *fixture,
               gconstpointer  id)
{
  return live_socket (fixture, id) != NULL;
}

static void
wait_for_label (Fixture    *fixture,
                const char *text)
{
  wait_until (fixture, label_shown, text, text);
}

/* What a click on the call's button does. */
static void
call (Fixture    *fixture,
      const char *name)
{
  g_autofree char *action = g_strconcat ("call.", name, NULL);

  gtk_widget_activate_action (button (fixture, name), action, NULL);
}

static SpStep *
last_step (Fixture *fixture)
{
  return sp_session_get_step (fixture->session, sp_session_get_n_steps (fixture->session) - 1);
}

static gboolean
is_check_labelled (GtkWidget     *widget,
                   gconstpointer  data)
{
  return GTK_IS_CHECK_BUTTON (widget) &&
         g_str_has_prefix (gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)), data);
}

static void
count_change (guint *n_changes)
{
  (*n_changes)++;
}

/* Set up */

static void
on_step_finished (SpPlayer   *player,
                  guint       index,
                  gboolean    passed,
                  const char *message,
                  SpStep     *step,
                  Fixture    *fixture)
{
  fixture->n_finished++;
  if (!passed)
    fixture->n_failed++;
}

static gboolean
all_steps_finished (Fixture       *fixture,
                    gconstpointer  data)
{
  return fixture->n_finished == sp_session_get_n_steps (fixture->session);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(SpSocketConfig) server = sp_socket_config_new ("server", SP_FAMILY_INET,
                                                           SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocketConfig) client = sp_socket_config_new ("client", SP_FAMILY_INET,
                                                           SP_SOCKET_TYPE_STREAM);

  server->address = g_strdup ("127.0.0.1");
  server->port = 0;

  fixture->session = sp_session_new ();
  sp_session_add_socket (fixture->session, server);
  sp_session_add_socket (fixture->session, client);
  fixture->log = sp_traffic_log_new ();
  fixture->player = sp_player_new (fixture->session, fixture->log);
  g_signal_connect (fixture->player, "step-finished", G_CALLBACK (on_step_finished), fixture);

  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 800, 900);
  fixture->page = SP_SOCKET_PAGE (sp_socket_page_new ());
  gtk_window_set_child (GTK_WINDOW (fixture->window), GTK_WIDGET (fixture->page));
  sp_socket_page_set_player (fixture->page, fixture->player);
  sp_socket_page_set_socket_id (fixture->page, "server");
  gtk_window_present (GTK_WINDOW (fixture->window));

  while (!gtk_widget_get_mapped (GTK_WIDGET (fixture->page)))
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* A step that finished is answered from the main loop. */
  wait_until (fixture, all_steps_finished, NULL, "the steps to finish");

  g_object_ref (fixture->page);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  sp_socket_page_set_player (fixture->page, NULL);
  g_assert_finalize_object (fixture->page);

  g_assert_finalize_object (fixture->player);
  /* Calls that the player's close failed return from the main loop,
   * holding their socket (and so the log) until then. */
  iterate_for (50);
  g_assert_finalize_object (fixture->log);
  g_assert_finalize_object (fixture->session);
}

/* Tests */

static gboolean
step_count_is (Fixture       *fixture,
               gconstpointer  data)
{
  return sp_session_get_n_steps (fixture->session) == GPOINTER_TO_UINT (data);
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  sp_socket_page_set_socket_id (fixture->page, NULL);
  g_assert_null (sp_socket_page_get_socket_id (fixture->page));
  g_assert_true (label_shown (fixture, "No Socket Selected"));
  g_assert_false (gtk_widget_get_sensitive (button (fixture, "socket")));

  /* An id nothing knows shows nothing either. */
  sp_socket_page_set_socket_id (fixture->page, "nobody");
  g_assert_true (label_shown (fixture, "No Socket Selected"));

  sp_socket_page_set_socket_id (fixture->page, "server");
  g_assert_cmpstr (sp_socket_page_get_socket_id (fixture->page), ==, "server");
  g_assert_true (state_shown (fixture, "not created yet"));
  g_assert_true (label_shown (fixture, "IPv4 · stream"));
}

/* Every call's button says its call, and every argument field its name. */
static void
test_accessible_names (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char *calls[] = {
    "socket", "setsockopt", "bind", "listen", "accept", "connect", "connect_ex", "send",
    "sendall", "sendto", "recv", "recvfrom", "recv_into", "recvfrom_into", "shutdown", "close",
    "getsockname", "getpeername",
  };
  static const struct { GType (*type) (void); const char *label; } fields[] = {
    { gtk_drop_down_get_type, "Destination" },
    { gtk_entry_get_type, "Data to send" },
    { gtk_drop_down_get_type, "Written as" },
    { gtk_drop_down_get_type, "Encoding" },
    { gtk_entry_get_type, "Backlog for listen" },
    { gtk_spin_button_get_type, "Buffer size in bytes" },
    { gtk_spin_button_get_type, "Times to send" },
    { gtk_drop_down_get_type, "Option setsockopt sets" },
    { gtk_switch_get_type, "Let it fail" },
  };

  sp_socket_page_set_socket_id (fixture->page, "client");
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    button (fixture, calls[i]);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    field (fixture, fields[i].type (), fields[i].label);
}

/* The buttons follow the lifecycle table, step by step, through a whole
 * server: socket, bind, listen, a Python client, accept, recv, close. */
static void
test_server (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *script = NULL;
  g_autofree char *spoken = NULL;
  SpStep *step;
  SpSocket *server;
  SpSocket *conn;
  guint16 port;

  /* Before the socket exists, what socket() allows is allowed too: the
   * first call creates it, as in a session. */
  g_assert_true (enabled (fixture, "socket"));
  g_assert_true (enabled (fixture, "bind"));
  g_assert_false (enabled (fixture, "listen"));
  g_assert_false (enabled (fixture, "recv"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (combo_row (fixture, "Family"))));

  call (fixture, "socket");
  wait_for_state (fixture, "server", SP_STATE_CREATED);
  g_assert_false (enabled (fixture, "socket"));
  g_assert_true (enabled (fixture, "bind"));
  g_assert_false (enabled (fixture, "listen"));
  g_assert_true (state_shown (fixture, "created"));

  /* The kernel fixed family and type; they lock and say why, in words on
   * the page and to the pointer. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (combo_row (fixture, "Family"))));
  g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (combo_row (fixture, "Family"))));
  g_assert_true (label_shown (fixture, "socket() has made the socket"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (entry_row (fixture, "Port"))));

  call (fixture, "bind");
  wait_for_state (fixture, "server", SP_STATE_BOUND);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (entry_row (fixture, "Port"))));
  g_assert_true (label_shown (fixture, "the socket is bound"));
  g_assert_true (enabled (fixture, "listen"));
  g_assert_false (enabled (fixture, "bind"));

  server = live_socket (fixture, "server");
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (
                                           sp_socket_get_local_address (server)));
  port_text = g_strdup_printf ("127.0.0.1:%u", port);
  wait_for_label (fixture, port_text);
  g_assert_true (label_shown (fixture, "An ephemeral port chosen by the kernel"));
  wait_for_label (fixture, "0x7F000001 · ::ffff:127.0.0.1");

  gtk_editable_set_text (entry (fixture, "Backlog for listen"), "2");
  call (fixture, "listen");
  wait_for_state (fixture, "server", SP_STATE_LISTENING);
  step = last_step (fixture);
  g_assert_cmpint (step->call, ==, SP_CALL_LISTEN);
  g_assert_cmpint (step->backlog, ==, 2);
  g_assert_true (state_shown (fixture, "listening"));
  spoken = g_strdup_printf ("Socket server, IPv4 · stream, listening, %s", port_text);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (field (fixture, GTK_TYPE_BOX, spoken)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, spoken);
  wait_for_label (fixture, "0 connections waiting");
  wait_for_label (fixture, "LISTEN");
  g_assert_true (enabled (fixture, "accept"));
  g_assert_false (enabled (fixture, "recv"));
  /* A listener connects nowhere and sends nothing. */
  g_assert_false (gtk_widget_is_visible (field (fixture, GTK_TYPE_DROP_DOWN, "Destination")));
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (entry (fixture, "Data to send"))));

  if (python == NULL)
    {
      g_test_skip ("python3 is needed for the client");
      return;
    }

  /* A real client that connects, sends 17 bytes and waits to be closed. */
  script = g_strdup_printf ("import socket, time\n"
                            "s = socket.create_connection(('127.0.0.1', %u))\n"
                            "s.sendall(b'seventeen bytes!!')\n"
                            "s.recv(1)\n",
                            port);
  client = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, python, "-c", script, NULL);
  g_assert_no_error (error);

  wait_for_label (fixture, "1 connection waiting");

  call (fixture, "accept");
  wait_until (fixture, socket_exists, "conn", "accept");
  step = last_step (fixture);
  g_assert_cmpint (step->call, ==, SP_CALL_ACCEPT);
  g_assert_cmpstr (step->as, ==, "conn");
  g_assert_cmpint (step->timeout_ms, ==, 30000);
  wait_for_label (fixture, "0 connections waiting");

  /* The accepted socket: no form, facts; the bytes wait in the kernel. */
  sp_socket_page_set_socket_id (fixture->page, "conn");
  g_assert_true (label_shown (fixture, "accepted by server"));
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (combo_row (fixture, "Family"))));
  g_assert_true (state_shown (fixture, "connected"));
  wait_for_label (fixture, "ESTABLISHED");
  g_assert_false (enabled (fixture, "accept"));
  g_assert_true (enabled (fixture, "recv"));
  wait_for_label (fixture, "17 bytes waiting");

  call (fixture, "recv");
  conn = live_socket (fixture, "conn");
  wait_for_label (fixture, "nothing waiting");
  g_assert_cmpuint (sp_socket_get_bytes_received (conn), ==, 17);

  sp_socket_page_set_socket_id (fixture->page, "server");
  g_assert_false (label_shown (fixture, "accepted by"));

  sp_socket_page_set_socket_id (fixture->page, "conn");
  call (fixture, "close");
  wait_for_state (fixture, "conn", SP_STATE_CLOSED);
  g_assert_false (enabled (fixture, "recv"));
  g_assert_false (enabled (fixture, "close"));

  g_subprocess_wait (client, NULL, &error);
  g_assert_no_error (error);
}

/* A client made from the page connects to the listener the destination
 * offers first, and sends what the composer says. */
static void
test_client (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SpStep) bind = sp_step_new ("server", SP_CALL_BIND);
  g_autoptr(SpStep) listen = sp_step_new ("server", SP_CALL_LISTEN);
  g_autoptr(SpStep) accept = sp_step_new ("server", SP_CALL_ACCEPT);
  SpStep *step;

  sp_socket_page_set_socket_id (fixture->page, "client");
  /* Nothing listens yet: an address and port is all there is. */
  g_assert_cmpstr (dropdown_text (dropdown (fixture, "Destination")), ==,
                   "An address and port…");
  g_assert_false (enabled (fixture, "connect"));

  sp_player_perform (fixture->player, bind);
  sp_player_perform (fixture->player, listen);
  wait_for_state (fixture, "server", SP_STATE_LISTENING);
  iterate_for (20);
  g_assert_true (g_str_has_prefix (dropdown_text (dropdown (fixture, "Destination")),
                                   "server · listening on 127.0.0.1:"));

  call (fixture, "socket");
  wait_for_state (fixture, "client", SP_STATE_CREATED);
  call (fixture, "connect");
  wait_for_state (fixture, "client", SP_STATE_CONNECTED);
  step = last_step (fixture);
  g_assert_cmpint (step->call, ==, SP_CALL_CONNECT);
  g_assert_cmpstr (step->to, ==, "server");
  g_assert_cmpint (step->timeout_ms, ==, 30000);

  /* connect without bind: the kernel chose the port. */
  wait_for_label (fixture, "An ephemeral port chosen by the kernel");
  g_assert_true (enabled (fixture, "send"));
  g_assert_false (enabled (fixture, "connect"));

  gtk_editable_set_text (entry (fixture, "Data to send"), "Hello\\r\\n");
  g_assert_true (label_shown (fixture, "7 bytes: 48 65 6c 6c 6f 0d 0a"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field (fixture, GTK_TYPE_SPIN_BUTTON,
                                                     "Times to send")), 3);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field (fixture, GTK_TYPE_SPIN_BUTTON,
                                                     "Pause between sends in milliseconds")),
                             10);
  call (fixture, "sendall");
  wait_until (fixture, step_count_is, GUINT_TO_POINTER (5), "sendall step");
  step = sp_session_get_step (fixture->session, 4);
  g_assert_cmpint (step->call, ==, SP_CALL_SENDALL);
  g_assert_cmpstr (step->data->text, ==, "Hello\r\n");
  g_assert_cmpint (step->count, ==, 3);
  g_assert_cmpint (step->interval_ms, ==, 10);

  /* Nobody accepted yet: the bytes wait in the server's accept queue. */
  sp_socket_page_set_socket_id (fixture->page, "server");
  wait_for_label (fixture, "1 connection waiting");

  /* Auto-receive on the accepted socket takes what is waiting. */
  accept->as = g_strdup ("conn");
  sp_player_perform (fixture->player, accept);
  wait_until (fixture, socket_exists, "conn", "accept");
  sp_socket_page_set_socket_id (fixture->page, "conn");
  wait_for_label (fixture, "21 bytes waiting");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (
                                 sp_gui_find_matching (GTK_WIDGET (fixture->page),
                                                       (SpGuiMatch) is_check_labelled,
                                                       (gpointer) "_Auto-receive")),
                               TRUE);
  wait_for_label (fixture, "nothing waiting");
  g_assert_cmpuint (sp_socket_get_bytes_received (live_socket (fixture, "conn")), ==, 21);
}

/* A client declared with the address and port it talks to is offered that
 * destination by default, as a replay's connect without one goes there. */
static void
test_own_destination (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SpSocketConfig) web = sp_socket_config_new ("web", SP_FAMILY_INET,
                                                        SP_SOCKET_TYPE_STREAM);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) peer = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *port_text = NULL;
  guint16 port;
  SpStep *step;

  /* A real listener for it to reach. */
  peer = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (peer, any, TRUE, &error));
  g_assert_true (g_socket_listen (peer, &error));
  bound = g_socket_get_local_address (peer, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  port_text = g_strdup_printf ("%u", port);

  web->address = g_strdup ("127.0.0.1");
  web->port = port;
  sp_session_add_socket (fixture->session, web);

  sp_socket_page_set_socket_id (fixture->page, "web");
  g_assert_cmpstr (dropdown_text (dropdown (fixture, "Destination")), ==,
                   "An address and port…");
  g_assert_cmpstr (gtk_editable_get_text (entry (fixture, "Destination address")), ==,
                   "127.0.0.1");
  g_assert_cmpstr (gtk_editable_get_text (entry (fixture, "Destination port")), ==, port_text);

  call (fixture, "socket");
  wait_for_state (fixture, "web", SP_STATE_CREATED);
  g_assert_true (enabled (fixture, "connect"));
  call (fixture, "connect");
  wait_for_state (fixture, "web", SP_STATE_CONNECTED);
  step = last_step (fixture);
  g_assert_cmpint (step->call, ==, SP_CALL_CONNECT);
  g_assert_cmpstr (step->address, ==, "127.0.0.1");
  g_assert_cmpint (step->port, ==, port);

  /* A client with no address of its own still starts from loopback. */
  sp_socket_page_set_socket_id (fixture->page, "client");
  g_assert_cmpstr (gtk_editable_get_text (entry (fixture, "Destination address")), ==,
                   "127.0.0.1");
  g_assert_cmpstr (gtk_editable_get_text (entry (fixture, "Destination port")), ==, "");
}

/* Before the socket exists, the form and options are its configuration. */
static void
test_form (Fixture       *fixture,
           gconstpointer  data)
{
  SpSocketConfig *config = sp_session_find_socket (fixture->session, "server");
  guint n_steps = sp_session_get_n_steps (fixture->session);
  guint n_changes = 0;

  g_signal_connect_swapped (fixture->session, "socket-changed", G_CALLBACK (count_change),
                            &n_changes);

  gtk_editable_set_text (entry_row (fixture, "Port"), "5555");
  gtk_editable_set_text (entry_row (fixture, "Address"), "0x7F000001");
  gtk_editable_set_text (entry_row (fixture, "Protocol"), "tcp");
  gtk_switch_set_active (switch_of_row (fixture, "SO_REUSEADDR"), TRUE);

  /* The form edits the session's own config: nothing is replaced. */
  g_assert_true (sp_session_find_socket (fixture->session, "server") == config);
  g_assert_cmpint (config->port, ==, 5555);
  g_assert_cmpstr (config->address, ==, "0x7F000001");
  g_assert_cmpint (config->protocol, ==, 6);
  g_assert_cmpstr (config->protocol_name, ==, "tcp");
  g_assert_cmpuint (config->options->len, ==, 1);
  g_assert_cmpstr (g_array_index (config->options, SpSocketOption, 0).name, ==, "SO_REUSEADDR");
  g_assert_cmpuint (n_changes, >=, 4);

  /* An empty port lets the kernel choose. */
  gtk_editable_set_text (entry_row (fixture, "Port"), "");
  g_assert_cmpint (config->port, ==, -1);

  gtk_switch_set_active (switch_of_row (fixture, "SO_REUSEADDR"), FALSE);
  g_assert_cmpuint (config->options->len, ==, 0);

  /* A change made elsewhere shows in the form. */
  sp_socket_config_set_port (config, 6000);
  g_assert_cmpstr (gtk_editable_get_text (entry_row (fixture, "Port")), ==, "6000");

  /* A family change brings its own loopback address. */
  adw_combo_row_set_selected (combo_row (fixture, "Family"), SP_FAMILY_INET6);
  g_assert_cmpint (config->family, ==, SP_FAMILY_INET6);
  g_assert_cmpstr (gtk_editable_get_text (entry_row (fixture, "Address")), ==, "0x7F000001");
  gtk_editable_set_text (entry_row (fixture, "Address"), "127.0.0.1");
  adw_combo_row_set_selected (combo_row (fixture, "Family"), SP_FAMILY_INET);
  adw_combo_row_set_selected (combo_row (fixture, "Family"), SP_FAMILY_INET6);
  g_assert_cmpstr (gtk_editable_get_text (entry_row (fixture, "Address")), ==, "::1");
  g_assert_true (label_shown (fixture, "IPv6 · stream"));
  g_assert_true (gtk_widget_get_sensitive (
                   gtk_widget_get_ancestor (GTK_WIDGET (switch_of_row (fixture, "IPV6_V6ONLY")),
                                            ADW_TYPE_ACTION_ROW)));

  adw_combo_row_set_selected (combo_row (fixture, "Type"), SP_SOCKET_TYPE_DGRAM);
  g_assert_cmpint (config->type, ==, SP_SOCKET_TYPE_DGRAM);
  g_assert_true (label_shown (fixture, "IPv6 · datagram"));
  /* TCP_NODELAY is for TCP: locked, with the table's reason. */
  g_assert_false (gtk_widget_get_sensitive (
                    gtk_widget_get_ancestor (GTK_WIDGET (switch_of_row (fixture, "TCP_NODELAY")),
                                             ADW_TYPE_ACTION_ROW)));

  /* tcp is no protocol for datagrams. */
  gtk_editable_set_text (entry_row (fixture, "Protocol"), "");

  /* None of that was a call. */
  g_assert_cmpuint (sp_session_get_n_steps (fixture->session), ==, n_steps);

  /* Once created, an option is a setsockopt step. */
  call (fixture, "socket");
  wait_for_state (fixture, "server", SP_STATE_CREATED);
  gtk_switch_set_active (switch_of_row (fixture, "SO_BROADCAST"), TRUE);
  wait_until (fixture, step_count_is, GUINT_TO_POINTER (n_steps + 2), "setsockopt");
  {
    SpStep *step = sp_session_get_step (fixture->session, n_steps + 1);

    g_assert_cmpint (step->call, ==, SP_CALL_SETSOCKOPT);
    g_assert_cmpstr (step->option, ==, "SO_BROADCAST");
    g_assert_cmpint (step->value, ==, 1);
    g_assert_true (step->value_is_bool);
  }

  /* And so is the setsockopt button, with its popover's option and value. */
  select_string (dropdown (fixture, "Option setsockopt sets"), "SO_RCVBUF");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field (fixture, GTK_TYPE_SPIN_BUTTON,
                                                     "Value setsockopt sets")), 8192);
  call (fixture, "setsockopt");
  wait_until (fixture, step_count_is, GUINT_TO_POINTER (n_steps + 3), "setsockopt");
  g_assert_cmpstr (last_step (fixture)->option, ==, "SO_RCVBUF");
  g_assert_cmpint (last_step (fixture)->value, ==, 8192);
  g_assert_false (last_step (fixture)->value_is_bool);

  g_signal_handlers_disconnect_by_func (fixture->session, count_change, &n_changes);
}

static gboolean
is_expander_row_titled (GtkWidget     *widget,
                        gconstpointer  data)
{
  return ADW_IS_EXPANDER_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static GtkSpinButton *
spin_of_row (Fixture    *fixture,
             const char *title)
{
  GtkWidget *row = find_widget (GTK_WIDGET (fixture->page), is_action_row_titled, title);

  g_assert_nonnull (row);
  return GTK_SPIN_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)));
}

/* A datagram socket's bad network is part of its configuration, shown
 * only where there are datagrams to impair. */
static void
test_impairments (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWidget *row = find_widget (GTK_WIDGET (fixture->page), is_expander_row_titled,
                                "Impair Sent Datagrams");
  guint n_steps = sp_session_get_n_steps (fixture->session);
  SpSocketConfig *config;

  g_assert_nonnull (row);
  g_assert_false (gtk_widget_is_visible (row));

  adw_combo_row_set_selected (combo_row (fixture, "Type"), SP_SOCKET_TYPE_DGRAM);
  g_assert_true (gtk_widget_is_visible (row));
  config = sp_session_find_socket (fixture->session, "server");
  g_assert_false (config->has_impair);

  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (row), TRUE);
  gtk_spin_button_set_value (spin_of_row (fixture, "Drop (%)"), 30);
  gtk_spin_button_set_value (spin_of_row (fixture, "Reorder (%)"), 10);
  gtk_spin_button_set_value (spin_of_row (fixture, "Delay (ms)"), 250);
  gtk_spin_button_set_value (spin_of_row (fixture, "Seed"), 4000000000.0);
  /* Beyond its range a value stops at the end. */
  gtk_spin_button_set_value (spin_of_row (fixture, "Duplicate (%)"), 150);

  config = sp_session_find_socket (fixture->session, "server");
  g_assert_true (config->has_impair);
  g_assert_cmpuint (config->impair.drop, ==, 30);
  g_assert_cmpuint (config->impair.duplicate, ==, 100);
  g_assert_cmpuint (config->impair.reorder, ==, 10);
  g_assert_cmpuint (config->impair.delay_ms, ==, 250);
  g_assert_cmpuint (config->impair.seed, ==, 4000000000u);

  /* The form shows what the session holds, changed elsewhere. */
  {
    g_autoptr(SpSocketConfig) copy = sp_socket_config_copy (config);

    copy->impair.drop = 5;
    sp_session_add_socket (fixture->session, copy);
  }
  iterate_for (50);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin_of_row (fixture, "Drop (%)")), ==, 5);

  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (row), FALSE);
  config = sp_session_find_socket (fixture->session, "server");
  g_assert_false (config->has_impair);
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (row), TRUE);

  /* A stream has no datagrams to impair: the setting goes with the type. */
  adw_combo_row_set_selected (combo_row (fixture, "Type"), SP_SOCKET_TYPE_STREAM);
  config = sp_session_find_socket (fixture->session, "server");
  g_assert_false (config->has_impair);
  g_assert_false (gtk_widget_is_visible (row));

  /* None of that was a call. */
  g_assert_cmpuint (sp_session_get_n_steps (fixture->session), ==, n_steps);
}

typedef struct
{
  const char *field;
  const char *bad;
  const char *error;
  const char *call;     /* a call the bad value disables, or NULL */
  const char *good;
} BadValue;

/* A text field: a row of the form by its title, else an argument's entry
 * by its accessible name. */
static GtkEditable *
text_field (Fixture    *fixture,
            const char *name)
{
  GtkWidget *row = find_widget (GTK_WIDGET (fixture->page), is_entry_row_titled, name);

  return row != NULL ? GTK_EDITABLE (row) : entry (fixture, name);
}

/* Every field says what is wrong beneath it, and no step is made. */
static void
test_validation (Fixture       *fixture,
                 gconstpointer  data)
{
  static const BadValue cases[] = {
    { "Port", "99999", "Port: 99999 is out of range", "bind", "" },
    { "Port", "http", "Port: “http” is not a number", "bind", "8080" },
    { "Address", "not an address!", "Address: ", "bind", "127.0.0.1" },
    { "Protocol", "banana", "Protocol: must be a number from 0 to 255", "socket", "" },
    { "Backlog for listen", "-1", "Backlog: must be a whole number from 0 to 65535", "listen",
      "" },
    { "Destination address", "no such thing!", "Destination address: ", "connect",
      "127.0.0.1" },
    { "Destination port", "seven", "Destination port: ", "connect", "7" },
    { "SO_RCVBUF", "0", "SO_RCVBUF: must be a whole number from 1 to 2147483647", NULL, "4096" },
    { "SO_SNDBUF", "lots", "SO_SNDBUF: must be a whole number", NULL, "4096" },
    { "Data to send", "bad \\q escape", "Data: ", "send", "Hello" },
  };
  SpSocketConfig *config;
  guint n_steps;

  /* Let it fail, so that only the bad value can disable a call. */
  gtk_switch_set_active (let_fail_switch (fixture), TRUE);
  gtk_drop_down_set_selected (dropdown (fixture, "Destination"),
                              g_list_model_get_n_items (
                                gtk_drop_down_get_model (dropdown (fixture, "Destination"))) - 1);
  gtk_editable_set_text (entry (fixture, "Destination port"), "7");
  n_steps = sp_session_get_n_steps (fixture->session);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BadValue *c = &cases[i];
      GtkEditable *text = text_field (fixture, c->field);
      const char *shown;

      g_test_message ("%s = “%s”", c->field, c->bad);
      if (c->call != NULL)
        g_assert_true (enabled (fixture, c->call));
      gtk_editable_set_text (text, c->bad);

      shown = shown_error (fixture, c->error);
      if (shown == NULL)
        g_error ("%s = “%s”: no error starting “%s”", c->field, c->bad, c->error);
      g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (text), "error"));
      if (c->call != NULL)
        {
          g_assert_false (enabled (fixture, c->call));
          call (fixture, c->call);
        }
      else
        g_signal_emit_by_name (text, "apply");
      iterate_for (20);
      g_assert_cmpuint (sp_session_get_n_steps (fixture->session), ==, n_steps);

      gtk_editable_set_text (text, c->good);
      g_assert_null (shown_error (fixture, c->error));
      g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (text), "error"));
      if (c->call != NULL)
        g_assert_true (enabled (fixture, c->call));
    }

  /* A bad value never reached the session; the good one after it did. */
  config = sp_session_find_socket (fixture->session, "server");
  g_assert_cmpint (config->port, ==, 8080);
  g_assert_cmpstr (config->address, ==, "127.0.0.1");

  /* An empty destination is not filled in yet: no error, but no connect. */
  gtk_editable_set_text (entry (fixture, "Destination port"), "");
  g_assert_null (shown_error (fixture, "Destination port: "));
  g_assert_false (enabled (fixture, "connect"));

  /* Hex mode has its own errors, and the preview says what is sent. */
  gtk_drop_down_set_selected (dropdown (fixture, "Written as"), 1);
  gtk_editable_set_text (entry (fixture, "Data to send"), "48 6");
  g_assert_nonnull (shown_error (fixture, "Data: "));
  gtk_editable_set_text (entry (fixture, "Data to send"), "48 69");
  g_assert_null (shown_error (fixture, "Data: "));
  g_assert_true (label_shown (fixture, "2 bytes: 48 69"));

  /* An encoding that cannot hold the text is an error too. */
  gtk_drop_down_set_selected (dropdown (fixture, "Written as"), 0);
  gtk_editable_set_text (entry (fixture, "Data to send"), "naïve");
  g_assert_true (label_shown (fixture, "6 bytes: 6e 61 c3 af 76 65"));
  gtk_drop_down_set_selected (dropdown (fixture, "Encoding"), 1);
  g_assert_nonnull (shown_error (fixture, "Data: "));
  gtk_drop_down_set_selected (dropdown (fixture, "Encoding"), 2);
  g_assert_true (label_shown (fixture, "5 bytes: 6e 61 ef 76 65"));
}

/* "Let it fail" enables what the lifecycle forbids, and the kernel answers. */
static void
test_let_it_fail (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkSwitch *let_fail = let_fail_switch (fixture);

  sp_socket_page_set_socket_id (fixture->page, "client");
  g_assert_false (enabled (fixture, "recv"));
  g_assert_false (enabled (fixture, "accept"));

  gtk_switch_set_active (let_fail, TRUE);
  g_assert_true (enabled (fixture, "recv"));
  g_assert_true (enabled (fixture, "accept"));

  call (fixture, "recv");
  wait_until (fixture, all_steps_finished, NULL, "recv to fail");
  g_assert_cmpuint (fixture->n_failed, ==, 1);
  g_assert_true (state_shown (fixture, "created"));

  gtk_switch_set_active (let_fail, FALSE);
  g_assert_false (enabled (fixture, "recv"));
}

/* A new session: a new player; the old one's sockets are gone. */
static void
test_new_player (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpPlayer) player = sp_player_new (session, log);
  g_autoptr(SpSocketConfig) config = sp_socket_config_new ("server", SP_FAMILY_UNIX,
                                                           SP_SOCKET_TYPE_DGRAM);

  call (fixture, "socket");
  wait_for_state (fixture, "server", SP_STATE_CREATED);

  sp_session_add_socket (session, config);
  sp_socket_page_set_player (fixture->page, player);
  g_assert_true (label_shown (fixture, "UNIX · datagram"));
  g_assert_true (state_shown (fixture, "not created yet"));
  g_assert_true (enabled (fixture, "socket"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (entry_row (fixture, "Port"))));

  sp_socket_page_set_player (fixture->page, NULL);
  g_assert_true (label_shown (fixture, "No Socket Selected"));
  g_assert_false (gtk_widget_get_sensitive (button (fixture, "socket")));
}

static gboolean
every_interface_hint_shown (Fixture *fixture)
{
  GtkWidget *row = find_widget (GTK_WIDGET (fixture->page), is_action_row_titled,
                                "Every interface: reachable from other machines on your network");

  return row != NULL && gtk_widget_get_visible (row);
}

/* Binding every interface says what it means; loopback says nothing. */
static void
test_every_interface (Fixture       *fixture,
                      gconstpointer  data)
{
  static const struct
  {
    SpFamily    family;
    const char *address;
    gboolean    every;
  } cases[] = {
    { SP_FAMILY_INET, "127.0.0.1", FALSE },
    { SP_FAMILY_INET, "0.0.0.0", TRUE },
    { SP_FAMILY_INET, "", TRUE },
    { SP_FAMILY_INET, "0", TRUE },
    { SP_FAMILY_INET, "localhost", FALSE },
    { SP_FAMILY_INET, "300.0.0.0", FALSE },
    { SP_FAMILY_INET6, "::", TRUE },
    { SP_FAMILY_INET6, "", TRUE },
    { SP_FAMILY_INET6, "0.0.0.0", TRUE },
    { SP_FAMILY_INET6, "::1", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      adw_combo_row_set_selected (combo_row (fixture, "Family"), cases[i].family);
      gtk_editable_set_text (entry_row (fixture, "Address"), cases[i].address);
      if (every_interface_hint_shown (fixture) != cases[i].every)
        g_error ("“%s”: the hint is %s", cases[i].address,
                 cases[i].every ? "not shown" : "shown");
    }
}

/* An address a session leaves out binds loopback, whatever the default for
 * new sockets is, and the form says so. */
static void
test_unset_address_is_loopback (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_string (settings, "default-bind-address", "");
  g_assert_null (sp_session_find_socket (fixture->session, "client")->address);
  sp_socket_page_set_socket_id (fixture->page, "client");
  g_assert_cmpstr (gtk_editable_get_text (entry_row (fixture, "Address")), ==, "127.0.0.1");
  g_assert_false (every_interface_hint_shown (fixture));
  g_assert_null (sp_session_find_socket (fixture->session, "client")->address);

  /* A new family gets the default for new sockets: here every interface. */
  adw_combo_row_set_selected (combo_row (fixture, "Family"), SP_FAMILY_INET6);
  g_assert_cmpstr (gtk_editable_get_text (entry_row (fixture, "Address")), ==, "");
  g_assert_true (every_interface_hint_shown (fixture));

  g_settings_reset (settings, "default-bind-address");
}

/* recvfrom_into from the bar, on a datagram socket a real datagram reached:
 * the step is recvfrom_into with the buffer size of the popover. */
static void
test_recvfrom_into (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SpSocketConfig) config = sp_socket_config_new ("udp", SP_FAMILY_INET,
                                                           SP_SOCKET_TYPE_DGRAM);
  g_autoptr(SpStep) bind = sp_step_new ("udp", SP_CALL_BIND);
  struct sockaddr_in to = { .sin_family = AF_INET };
  GSocketAddress *local;
  SpStep *step;
  int fd;

  config->address = g_strdup ("127.0.0.1");
  config->port = 0;
  sp_session_add_socket (fixture->session, config);
  sp_socket_page_set_socket_id (fixture->page, "udp");
  g_assert_false (enabled (fixture, "recvfrom_into"));

  sp_player_perform (fixture->player, bind);
  wait_for_state (fixture, "udp", SP_STATE_BOUND);
  iterate_for (20);
  g_assert_true (enabled (fixture, "recv_into"));
  g_assert_true (enabled (fixture, "recvfrom_into"));

  local = sp_socket_get_local_address (live_socket (fixture, "udp"));
  to.sin_port = htons (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  to.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fd = socket (AF_INET, SOCK_DGRAM, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (sendto (fd, "ping", 4, 0, (struct sockaddr *) &to, sizeof to), ==, 4);
  close (fd);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field (fixture, GTK_TYPE_SPIN_BUTTON,
                                                     "Buffer size in bytes")), 16);
  call (fixture, "recvfrom_into");
  wait_until (fixture, step_count_is, GUINT_TO_POINTER (2), "recvfrom_into step");
  wait_until (fixture, all_steps_finished, NULL, "recvfrom_into to finish");
  g_assert_cmpuint (fixture->n_failed, ==, 0);
  step = last_step (fixture);
  g_assert_cmpint (step->call, ==, SP_CALL_RECVFROM_INTO);
  g_assert_cmpint (step->bufsize, ==, 16);
  g_assert_cmpuint (sp_socket_get_bytes_received (live_socket (fixture, "udp")), ==, 4);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/Sp/SocketPage/empty", test_empty);
  ADD ("/Sp/SocketPage/accessible-names", test_accessible_names);
  ADD ("/Sp/SocketPage/server", test_server);
  ADD ("/Sp/SocketPage/client", test_client);
  ADD ("/Sp/SocketPage/recvfrom-into", test_recvfrom_into);
  ADD ("/Sp/SocketPage/own-destination", test_own_destination);
  ADD ("/Sp/SocketPage/form", test_form);
  ADD ("/Sp/SocketPage/impairments", test_impairments);
  ADD ("/Sp/SocketPage/validation", test_validation);
  ADD ("/Sp/SocketPage/let-it-fail", test_let_it_fail);
  ADD ("/Sp/SocketPage/new-player", test_new_player);
  ADD ("/Sp/SocketPage/every-interface", test_every_interface);
  ADD ("/Sp/SocketPage/unset-address-is-loopback", test_unset_address_is_loopback);

#undef ADD

  return g_test_run ();
}
