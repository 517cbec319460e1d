/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sp-add-step-popover.h"
#include "sp-code-view.h"
#include "sp-gui-test-util.h"
#include "sp-log-view.h"
#include "sp-presets.h"
#include "sp-steps-panel.h"

/* Every wait ends after this long, so a hang fails the test. */
#define GUARD_SECONDS 10

typedef struct
{
  SpSession    *session;
  SpTrafficLog *log;
  SpPlayer     *player;
  GtkWindow    *window;
  SpStepsPanel *panel;
  SpCodeView   *code_view;
  SpLogView    *log_view;

  guint         n_finished;
  gboolean      last_passed;
  char         *last_message;
  guint         n_activated;
  guint         last_activated;
} Fixture;

static gboolean
fail_on_timeout (gpointer user_data)
{
  g_error ("timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the window lay out and draw: rows exist only once it has. */
static void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_step_finished (SpPlayer   *player,
                  guint       index,
                  gboolean    passed,
                  const char *message,
                  SpStep     *step,
                  Fixture    *fixture)
{
  fixture->n_finished++;
  fixture->last_passed = passed;
  g_free (fixture->last_message);
  fixture->last_message = g_strdup (message);
}

static void
on_step_activated (SpStepsPanel *panel,
                   guint         index,
                   Fixture      *fixture)
{
  fixture->n_activated++;
  fixture->last_activated = index;
}

/* Runs the player's next step and waits until it finished. */
static void
step_and_wait (Fixture *fixture)
{
  guint before = fixture->n_finished;
  guint timeout_id = g_timeout_add_seconds (GUARD_SECONDS, fail_on_timeout,
                                            (gpointer) "step-finished");

  sp_player_step (fixture->player);
  while (fixture->n_finished == before)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (timeout_id);
  /* The log batches its items-changed; the rows follow a frame later. */
  sp_traffic_log_flush (fixture->log);
  iterate_for (50);
}

static void
fixture_set_up (Fixture   *fixture,
                SpSession *session)
{
  GtkWidget *box;
  guint timeout_id;

  fixture->session = session;
  fixture->log = sp_traffic_log_new ();
  fixture->player = sp_player_new (fixture->session, fixture->log);
  g_signal_connect (fixture->player, "step-finished", G_CALLBACK (on_step_finished), fixture);

  fixture->panel = SP_STEPS_PANEL (g_object_ref_sink (sp_steps_panel_new ()));
  fixture->code_view = SP_CODE_VIEW (g_object_ref_sink (sp_code_view_new ()));
  fixture->log_view = SP_LOG_VIEW (g_object_ref_sink (sp_log_view_new ()));
  g_signal_connect (fixture->panel, "step-activated", G_CALLBACK (on_step_activated), fixture);

  gtk_widget_set_size_request (GTK_WIDGET (fixture->panel), 400, 600);
  gtk_widget_set_size_request (GTK_WIDGET (fixture->code_view), 400, 300);
  /* Short, so that the events overflow it and it has to follow them. */
  gtk_widget_set_size_request (GTK_WIDGET (fixture->log_view), 900, 220);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (fixture->panel));
  gtk_box_append (GTK_BOX (box), gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  gtk_box_append (GTK_BOX (gtk_widget_get_last_child (box)), GTK_WIDGET (fixture->code_view));
  gtk_box_append (GTK_BOX (gtk_widget_get_last_child (box)), GTK_WIDGET (fixture->log_view));

  fixture->window = GTK_WINDOW (g_object_ref (gtk_window_new ()));
  gtk_window_set_child (fixture->window, box);

  sp_steps_panel_set_player (fixture->panel, fixture->player);
  sp_code_view_set_player (fixture->code_view, fixture->player);
  sp_log_view_set_player (fixture->log_view, fixture->player);

  gtk_window_present (fixture->window);
  timeout_id = g_timeout_add_seconds (GUARD_SECONDS, fail_on_timeout, (gpointer) "map");
  while (!gtk_widget_get_mapped (GTK_WIDGET (fixture->panel)))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout_id);
  iterate_for (100);
}

static void
fixture_set_up_preset (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SpSession *session = sp_presets_load (data, &error);

  g_assert_no_error (error);
  fixture_set_up (fixture, session);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* Stop whatever still waits, before the widgets go. */
  sp_player_restart (fixture->player);

  gtk_window_destroy (fixture->window);
  g_assert_finalize_object (fixture->window);
  g_assert_finalize_object (fixture->panel);
  g_assert_finalize_object (fixture->code_view);
  g_assert_finalize_object (fixture->log_view);
  g_assert_finalize_object (fixture->player);
  g_assert_finalize_object (fixture->session);
  g_assert_finalize_object (fixture->log);
  g_free (fixture->last_message);
}

/* Looking at the widgets */

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (gtk_widget_has_css_class (widget, "step-row"))
    {
      g_ptr_array_add (rows, widget);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

/* Every visible label of a row, one per line. */
static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (!gtk_widget_get_visible (widget))
    return;

  if (GTK_IS_LABEL (widget))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (out, '\n');
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static char *
row_text (GtkWidget *row)
{
  GString *out = g_string_new (NULL);

  collect_text (row, out);
  return g_string_free (out, FALSE);
}

/* The row of step `index` (counted from 0), which must be on screen. */
static GtkWidget *
find_row (Fixture *fixture,
          guint    index)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *number = g_strdup_printf ("%u", index + 1);

  collect_rows (GTK_WIDGET (fixture->panel), rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      GtkWidget *number_label = gtk_widget_get_first_child (row);

      if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (number_label)), number) == 0)
        return row;
    }

  g_error ("no row for step %u", index);
  return NULL;
}

/* The status icon: the row's last child. */
static gboolean
row_has_status (GtkWidget  *row,
                const char *css_class)
{
  GtkWidget *icon = gtk_widget_get_last_child (row);

  return gtk_widget_get_visible (icon) && gtk_widget_has_css_class (icon, css_class);
}

/* A running step shows a still mark that says so: no spinner, which would
 * redraw the window at every frame for as long as the step waits. */
static gboolean
row_is_running (GtkWidget *row)
{
  GtkWidget *mark = gtk_widget_get_prev_sibling (gtk_widget_get_last_child (row));
  g_autofree char *problem = NULL;

  g_assert_false (GTK_IS_SPINNER (mark));
  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (mark),
                                                GTK_ACCESSIBLE_PROPERTY_LABEL, "Running");
  return gtk_widget_get_visible (mark) && problem == NULL;
}

static guint
count_current_rows (Fixture *fixture)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  guint n = 0;

  collect_rows (GTK_WIDGET (fixture->panel), rows);
  for (guint i = 0; i < rows->len; i++)
    n += gtk_widget_has_css_class (g_ptr_array_index (rows, i), "current");
  return n;
}

static GtkSingleSelection *
panel_selection (Fixture *fixture)
{
  GtkWidget *list_view = sp_gui_find_descendant (GTK_WIDGET (fixture->panel), GTK_TYPE_LIST_VIEW);

  return GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (list_view)));
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *action_name)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
focus_is_in (Fixture   *fixture,
             GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static GtkSelectionModel *
event_selection (Fixture *fixture)
{
  GtkWidget *column_view = sp_gui_find_descendant (GTK_WIDGET (fixture->log_view), GTK_TYPE_COLUMN_VIEW);

  return gtk_column_view_get_model (GTK_COLUMN_VIEW (column_view));
}

/* Tests */

static void
test_replay (Fixture       *fixture,
             gconstpointer  data)
{
  guint n_steps = sp_session_get_n_steps (fixture->session);
  g_autofree char *code = NULL;
  g_autofree char *first = NULL;
  GtkWidget *stack = sp_gui_find_descendant (GTK_WIDGET (fixture->panel), GTK_TYPE_STACK);

  g_assert_cmpuint (n_steps, ==, 12);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "steps");

  /* Before anything ran, the first step is the current one. */
  g_assert_true (gtk_widget_has_css_class (find_row (fixture, 0), "current"));
  g_assert_cmpuint (count_current_rows (fixture), ==, 1);
  first = row_text (find_row (fixture, 0));
  g_assert_nonnull (strstr (first, "server · bind"));
  g_assert_false (row_has_status (find_row (fixture, 0), "success"));

  code = sp_code_view_get_text (fixture->code_view);
  g_assert_cmpstr (code, ==, "");
  g_clear_pointer (&code, g_free);

  step_and_wait (fixture);
  g_assert_true (row_has_status (find_row (fixture, 0), "success"));
  g_assert_false (gtk_widget_has_css_class (find_row (fixture, 0), "current"));
  g_assert_true (gtk_widget_has_css_class (find_row (fixture, 1), "current"));
  g_assert_cmpuint (count_current_rows (fixture), ==, 1);
  g_assert_false (row_has_status (find_row (fixture, 1), "success"));

  code = sp_code_view_get_text (fixture->code_view);
  g_assert_nonnull (strstr (code, "bind(("));
  g_assert_null (strstr (code, "listen("));
  g_clear_pointer (&code, g_free);

  for (guint i = 1; i < n_steps; i++)
    step_and_wait (fixture);

  for (guint i = 0; i < n_steps; i++)
    {
      g_autofree char *text = row_text (find_row (fixture, i));

      if (!row_has_status (find_row (fixture, i), "success"))
        g_error ("step %u did not pass: %s", i, text);
    }
  /* Every step ran: none is current. */
  g_assert_cmpuint (count_current_rows (fixture), ==, 0);

  code = sp_code_view_get_text (fixture->code_view);
  g_assert_nonnull (strstr (code, "listen(1)"));
  g_assert_nonnull (strstr (code, "sendall(b'Hello World')"));
  g_assert_nonnull (strstr (code, "server.close()"));
  /* In the order the steps ran. */
  g_assert_true (strstr (code, "bind((") < strstr (code, "listen(1)"));
  g_assert_null (strstr (code, "Error"));

  /* Copy puts all of it on the clipboard. */
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->code_view));
    g_auto(GValue) value = G_VALUE_INIT;
    g_autoptr(GError) error = NULL;

    gtk_widget_activate_action (GTK_WIDGET (fixture->code_view), "code.copy", NULL);
    g_value_init (&value, G_TYPE_STRING);
    g_assert_true (gdk_content_provider_get_value (gdk_clipboard_get_content (clipboard),
                                                   &value, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (g_value_get_string (&value), ==, code);
  }
  g_clear_pointer (&code, g_free);

  /* A restart forgets what ran. */
  sp_player_restart (fixture->player);
  iterate_for (50);
  code = sp_code_view_get_text (fixture->code_view);
  g_assert_cmpstr (code, ==, "");
  g_assert_false (row_has_status (find_row (fixture, 0), "success"));
  g_assert_true (gtk_widget_has_css_class (find_row (fixture, 0), "current"));
  g_clear_pointer (&code, g_free);

  /* Another player starts the code afresh. */
  step_and_wait (fixture);
  code = sp_code_view_get_text (fixture->code_view);
  g_assert_nonnull (strstr (code, "bind(("));
  g_clear_pointer (&code, g_free);
  {
    g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
    g_autoptr(SpPlayer) player = sp_player_new (fixture->session, log);

    sp_code_view_set_player (fixture->code_view, player);
    code = sp_code_view_get_text (fixture->code_view);
    g_assert_cmpstr (code, ==, "");
    sp_code_view_set_player (fixture->code_view, NULL);
  }
}

static void
test_activate (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *list_view = sp_gui_find_descendant (GTK_WIDGET (fixture->panel), GTK_TYPE_LIST_VIEW);

  g_signal_emit_by_name (list_view, "activate", 3);
  g_assert_cmpuint (fixture->n_activated, ==, 1);
  g_assert_cmpuint (fixture->last_activated, ==, 3);
}

/* A port where nothing listens: one the kernel just gave and took back. */
static guint16
closed_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any_port, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
fixture_set_up_refused (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  SpSession *session;

  json = g_strdup_printf ("{ \"format\": \"socket-playground-session\", \"version\": 1,"
                          "  \"sockets\": [ { \"id\": \"client\", \"family\": \"inet\","
                          "                   \"type\": \"stream\" } ],"
                          "  \"steps\": ["
                          "    { \"socket\": \"client\", \"call\": \"connect\","
                          "      \"address\": \"127.0.0.1\", \"port\": %u,"
                          "      \"note\": \"Nothing listens there.\" },"
                          "    { \"socket\": \"client\", \"call\": \"close\" } ] }",
                          closed_port ());
  session = sp_session_new_from_data (json, -1, "refused.json", &error);
  g_assert_no_error (error);
  fixture_set_up (fixture, session);
}

static void
test_failure (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autofree char *code = NULL;
  GtkWidget *row;

  /* The current step's note is read out in full. */
  text = row_text (find_row (fixture, 0));
  g_assert_nonnull (strstr (text, "Nothing listens there."));
  g_clear_pointer (&text, g_free);

  step_and_wait (fixture);

  row = find_row (fixture, 0);
  g_assert_true (row_has_status (row, "error"));
  g_assert_true (gtk_widget_has_css_class (row, "failed"));
  text = row_text (row);
  g_assert_nonnull (strstr (text, "ECONNREFUSED"));
  g_assert_nonnull (strstr (text, "refused"));

  code = sp_code_view_get_text (fixture->code_view);
  g_assert_nonnull (strstr (code, "client.connect(("));
  g_assert_nonnull (strstr (code, "except ConnectionRefusedError as e:\n"
                                  "    print(e)  # [Errno 111] Connection refused"));
}

static void
fixture_set_up_lookup (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *json =
    "{ \"format\": \"socket-playground-session\", \"version\": 1,"
    "  \"sockets\": [ { \"id\": \"client\" } ],"
    "  \"steps\": ["
    "    { \"socket\": \"client\", \"call\": \"connect\","
    "      \"address\": \"no-such-host.invalid\", \"port\": 80 } ] }";
  SpSession *session = sp_session_new_from_data (json, -1, "lookup.json", &error);

  g_assert_no_error (error);
  fixture_set_up (fixture, session);
  /* Only a DNS server says that nobody knows the name. */
  sp_player_set_allow_remote (fixture->player, TRUE);
}

#define N_DESCRIPTOR_SOCKETS 40
/* Descriptors left to the window when the replay of that session starts. */
#define N_DESCRIPTORS_LEFT   16

static void
fixture_set_up_descriptors (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = g_string_new ("{ \"format\": \"socket-playground-session\", "
                                          "\"version\": 1, \"sockets\": [");
  SpSession *session;

  for (guint i = 0; i < N_DESCRIPTOR_SOCKETS; i++)
    g_string_append_printf (json, "%s{ \"id\": \"u%u\", \"type\": \"dgram\", "
                            "\"address\": \"127.0.0.1\" }", i > 0 ? ", " : "", i);
  g_string_append (json, "], \"steps\": [");
  for (guint i = 0; i < N_DESCRIPTOR_SOCKETS; i++)
    g_string_append_printf (json, "{ \"socket\": \"u%u\", \"call\": \"socket\", "
                            "\"expect\": { \"any\": true } }, ", i);
  g_string_append (json,
                   "{ \"socket\": \"u0\", \"call\": \"bind\" },"
                   "{ \"socket\": \"u1\", \"call\": \"sendto\", \"to\": \"u0\","
                   "  \"data\": { \"text\": \"ping\" } },"
                   "{ \"socket\": \"u0\", \"call\": \"recvfrom\", \"bufsize\": 64,"
                   "  \"expect\": { \"data\": { \"text\": \"ping\" } } },"
                   "{ \"call\": \"getaddrinfo\", \"host\": \"localhost\" } ] }");
  session = sp_session_new_from_data (json->str, json->len, "descriptors.json", &error);
  g_assert_no_error (error);
  fixture_set_up (fixture, session);
}

static guint
count_open_descriptors (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The window's process runs out of descriptors in a replay: each socket()
 * that does not fit is EMFILE, the datagram between two that do still
 * goes, the lookup is EMFILE, and the window goes on drawing. In a
 * subprocess, as the limit is lowered for good. */
static void
test_out_of_descriptors (Fixture       *fixture,
                         gconstpointer  data)
{
  struct rlimit limit;
  guint n_emfile = 0;
  guint n_created = 0;
  guint n_steps;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  g_assert_no_errno (getrlimit (RLIMIT_NOFILE, &limit));
  limit.rlim_cur = count_open_descriptors () + N_DESCRIPTORS_LEFT;
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &limit));

  n_steps = sp_session_get_n_steps (fixture->session);
  for (guint i = 0; i < n_steps; i++)
    {
      step_and_wait (fixture);
      if (i + 2 == n_steps)
        g_assert_true (fixture->last_passed);
    }
  g_assert_false (fixture->last_passed);
  g_assert_nonnull (strstr (fixture->last_message, "EMFILE"));

  for (guint i = 0; i < sp_traffic_log_get_n_appended (fixture->log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (fixture->log, i);

      if (sp_event_get_call (event) == SP_CALL_SOCKET)
        {
          if (sp_event_get_error_code (event) == EMFILE)
            n_emfile++;
          else
            n_created++;
        }
    }
  /* How many fit depends on what the window holds at the time. */
  g_assert_cmpuint (n_emfile, >, 0);
  g_assert_cmpuint (n_emfile + n_created, ==, N_DESCRIPTOR_SOCKETS);

  /* The subprocess ends here, without the fixture's teardown: there, this
   * fixture's window logs "g_signal_handler_disconnect: assertion
   * 'handler_id > 0' failed" from inside GTK while it unmaps, with the
   * limit lowered or not, which is a matter for another test. */
  _exit (0);
}

/* A name nobody knows: the step says which lookup error (EAI_NONAME, or
 * EAI_AGAIN where no DNS server answers) and what a lookup is. */
static void
test_lookup_failure (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *text = NULL;
  GtkWidget *row;

  step_and_wait (fixture);

  row = find_row (fixture, 0);
  g_assert_true (row_has_status (row, "error"));
  text = row_text (row);
  g_assert_nonnull (strstr (text, "EAI_"));
  g_assert_nonnull (strstr (text, "/etc/hosts and then a DNS server"));
  g_assert_null (strstr (text, "EHOSTUNREACH"));
}

static void
test_expected_error (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autofree char *code = NULL;
  GtkWidget *row;

  step_and_wait (fixture);

  /* The errors preset expects the refusal: the step passes, and still
   * says what the kernel answered. */
  row = find_row (fixture, 0);
  g_assert_true (row_has_status (row, "success"));
  g_assert_false (gtk_widget_has_css_class (row, "failed"));
  text = row_text (row);
  g_assert_nonnull (strstr (text, "ECONNREFUSED"));

  code = sp_code_view_get_text (fixture->code_view);
  g_assert_nonnull (strstr (code, "except ConnectionRefusedError as e:\n"
                                  "    print(e)  # [Errno 111]"));
}

static void
test_edit (Fixture       *fixture,
           gconstpointer  data)
{
  GtkSingleSelection *selection = panel_selection (fixture);
  GtkWidget *list_view = sp_gui_find_descendant (GTK_WIDGET (fixture->panel), GTK_TYPE_LIST_VIEW);
  SpStep *bind = sp_session_get_step (fixture->session, 0);
  SpStep *listen = sp_session_get_step (fixture->session, 1);
  SpStep *replaced;
  GtkWidget *popover;
  GtkWidget *text_view;
  GtkWidget *error_label = NULL;
  GtkTextBuffer *buffer;
  g_autofree char *json = NULL;
  GtkTextIter start, end;

  /* Move down and back up; the selection, and the focus, follow the step. */
  gtk_single_selection_set_selected (selection, 0);
  gtk_widget_grab_focus (list_view);
  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.move-down", NULL);
  g_assert_true (sp_session_get_step (fixture->session, 0) == listen);
  g_assert_true (sp_session_get_step (fixture->session, 1) == bind);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 1);
  iterate_for (20);
  g_assert_true (focus_is_in (fixture, list_view));

  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.move-up", NULL);
  g_assert_true (sp_session_get_step (fixture->session, 0) == bind);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);

  /* The first step cannot move up. */
  iterate_for (20);
  g_assert_false (gtk_widget_get_sensitive (find_button (GTK_WIDGET (fixture->panel),
                                                         "steps.move-up")));
  g_assert_true (gtk_widget_get_sensitive (find_button (GTK_WIDGET (fixture->panel),
                                                        "steps.move-down")));

  /* Delete the last step. */
  gtk_single_selection_set_selected (selection, 11);
  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.delete", NULL);
  g_assert_cmpuint (sp_session_get_n_steps (fixture->session), ==, 11);
  g_assert_cmpint (sp_session_get_step (fixture->session, 10)->call, ==, SP_CALL_CLOSE);
  g_assert_cmpstr (sp_session_get_step (fixture->session, 10)->socket, ==, "conn");

  /* Edit listen: the editor shows it as JSON. */
  gtk_single_selection_set_selected (selection, 1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.edit", NULL);
  iterate_for (50);
  popover = sp_gui_find_descendant (GTK_WIDGET (fixture->panel), GTK_TYPE_POPOVER);
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (popover));
  text_view = sp_gui_find_descendant (popover, GTK_TYPE_TEXT_VIEW);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  json = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_nonnull (strstr (json, "\"backlog\" : 1"));
  /* While it is open, the list stays as it is. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.delete", NULL);
  g_assert_cmpuint (sp_session_get_n_steps (fixture->session), ==, 11);

  for (GtkWidget *child = gtk_widget_get_first_child (gtk_widget_get_first_child (popover));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      for (GtkWidget *inner = gtk_widget_get_first_child (child);
           inner != NULL;
           inner = gtk_widget_get_next_sibling (inner))
        if (GTK_IS_LABEL (inner) && gtk_widget_has_css_class (inner, "error"))
          error_label = inner;
    }
  g_assert_nonnull (error_label);
  g_assert_false (gtk_widget_get_visible (error_label));

  /* A wrong member: the error names it, and nothing changes. */
  gtk_text_buffer_set_text (buffer, "{ \"socket\": \"server\", \"call\": \"listen\", "
                                    "\"backlog\": \"many\" }", -1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.apply-edit", NULL);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "steps[1].backlog"));
  g_assert_true (gtk_widget_get_visible (popover));
  g_assert_true (sp_session_get_step (fixture->session, 1) == listen);
  g_assert_cmpint (listen->backlog, ==, 1);

  /* Not JSON at all. */
  gtk_text_buffer_set_text (buffer, "{ \"socket\": ", -1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.apply-edit", NULL);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (sp_session_get_step (fixture->session, 1) == listen);

  /* What json-glib would let pass: the error says where, nothing changes. */
  gtk_text_buffer_set_text (buffer, "{ \"socket\": \"server\", \"call\": \"listen\", "
                                    "\"backlog\": 5, \"backlog\": 1 }", -1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.apply-edit", NULL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==,
                   "steps[1]:1:55: “backlog” appears twice in one object (the first at 1:41)");
  g_assert_true (sp_session_get_step (fixture->session, 1) == listen);
  gtk_text_buffer_set_text (buffer, "{ \"socket\": \"server\", /* … */ \"call\": \"listen\" }", -1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.apply-edit", NULL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==,
                   "steps[1]:1:23: comments are not JSON");
  g_assert_true (sp_session_get_step (fixture->session, 1) == listen);

  /* A socket the session does not have. */
  gtk_text_buffer_set_text (buffer, "{ \"socket\": \"nobody\", \"call\": \"listen\" }", -1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.apply-edit", NULL);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "steps[1].socket"));
  g_assert_true (sp_session_get_step (fixture->session, 1) == listen);

  /* A good edit replaces the step in place. */
  gtk_text_buffer_set_text (buffer, "{ \"socket\": \"server\", \"call\": \"listen\", "
                                    "\"backlog\": 5, \"note\": \"Five may wait.\" }", -1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->panel), "steps.apply-edit", NULL);
  iterate_for (50);
  replaced = sp_session_get_step (fixture->session, 1);
  g_assert_true (replaced != listen);
  g_assert_cmpint (replaced->call, ==, SP_CALL_LISTEN);
  g_assert_cmpint (replaced->backlog, ==, 5);
  g_assert_cmpstr (replaced->note, ==, "Five may wait.");
  g_assert_cmpuint (sp_session_get_n_steps (fixture->session), ==, 11);
  g_assert_false (gtk_widget_get_visible (popover));
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 1);
  g_assert_true (focus_is_in (fixture, list_view));
}

static void
fixture_set_up_waiting (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *json =
    "{ \"format\": \"socket-playground-session\", \"version\": 1,"
    "  \"sockets\": [ { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\","
    "                   \"address\": \"127.0.0.1\", \"port\": 0 } ],"
    "  \"steps\": ["
    "    { \"socket\": \"server\", \"call\": \"bind\" },"
    "    { \"socket\": \"server\", \"call\": \"listen\" },"
    "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\", \"timeout-ms\": 8000 },"
    "    { \"socket\": \"server\", \"call\": \"close\" } ] }";
  SpSession *session = sp_session_new_from_data (json, -1, "waiting.json", &error);

  g_assert_no_error (error);
  fixture_set_up (fixture, session);
}

static void
test_running (Fixture       *fixture,
              gconstpointer  data)
{
  GtkSingleSelection *selection = panel_selection (fixture);
  GtkWidget *panel = GTK_WIDGET (fixture->panel);

  step_and_wait (fixture);
  step_and_wait (fixture);

  /* accept waits: nobody connects. */
  sp_player_step (fixture->player);
  iterate_for (50);
  g_assert_true (row_is_running (find_row (fixture, 2)));
  g_assert_true (gtk_widget_has_css_class (find_row (fixture, 2), "current"));
  g_assert_cmpuint (count_current_rows (fixture), ==, 1);

  gtk_single_selection_set_selected (selection, 2);
  iterate_for (20);
  g_assert_false (gtk_widget_get_sensitive (find_button (panel, "steps.delete")));
  g_assert_false (gtk_widget_get_sensitive (find_button (panel, "steps.edit")));
  g_assert_false (gtk_widget_get_sensitive (find_button (panel, "steps.move-up")));
  g_assert_false (gtk_widget_get_sensitive (find_button (panel, "steps.move-down")));
  gtk_widget_activate_action (panel, "steps.delete", NULL);
  gtk_widget_activate_action (panel, "steps.move-up", NULL);
  g_assert_cmpuint (sp_session_get_n_steps (fixture->session), ==, 4);
  g_assert_cmpint (sp_session_get_step (fixture->session, 2)->call, ==, SP_CALL_ACCEPT);

  /* Deleting a step before it would move the running one. */
  gtk_single_selection_set_selected (selection, 0);
  iterate_for (20);
  g_assert_false (gtk_widget_get_sensitive (find_button (panel, "steps.delete")));
  g_assert_true (gtk_widget_get_sensitive (find_button (panel, "steps.edit")));

  /* A step after it can go. */
  gtk_single_selection_set_selected (selection, 3);
  iterate_for (20);
  g_assert_true (gtk_widget_get_sensitive (find_button (panel, "steps.delete")));

  sp_player_restart (fixture->player);
  iterate_for (50);
  g_assert_false (row_is_running (find_row (fixture, 2)));
  g_assert_true (gtk_widget_get_sensitive (find_button (panel, "steps.delete")));
}

static void
fixture_set_up_serving (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *json =
    "{ \"format\": \"socket-playground-session\", \"version\": 1,"
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },"
    "                 { \"id\": \"client\" } ],"
    "  \"steps\": ["
    "    { \"socket\": \"server\", \"call\": \"serve\", \"connections\": 1 },"
    "    { \"socket\": \"server\", \"call\": \"close\" },"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },"
    "    { \"socket\": \"client\", \"call\": \"close\" } ] }";
  SpSession *session = sp_session_new_from_data (json, -1, "serving.json", &error);

  g_assert_no_error (error);
  fixture_set_up (fixture, session);
}

/* A close that waits for the serve on its listener shows as running while
 * the steps after it run, and as done once the serve is over. */
static void
test_waiting_for_serve (Fixture       *fixture,
                        gconstpointer  data)
{
  guint timeout_id;

  step_and_wait (fixture);

  /* close waits: the serve has not had its connection. */
  sp_player_step (fixture->player);
  iterate_for (50);
  g_assert_true (row_is_running (find_row (fixture, 1)));
  g_assert_cmpint (sp_player_get_state (fixture->player), !=, SP_PLAYER_RUNNING);
  g_assert_cmpuint (sp_player_get_position (fixture->player), ==, 2);

  /* The client's steps run beside it. */
  step_and_wait (fixture);
  g_assert_true (row_is_running (find_row (fixture, 1)));
  g_assert_false (row_is_running (find_row (fixture, 2)));

  /* The client closes, the serve is over, and so is close. */
  sp_player_step (fixture->player);
  timeout_id = g_timeout_add_seconds (GUARD_SECONDS, fail_on_timeout, (gpointer) "close");
  while (fixture->n_finished < 4)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout_id);
  iterate_for (50);
  g_assert_false (row_is_running (find_row (fixture, 1)));
  g_assert_cmpint (sp_player_get_state (fixture->player), ==, SP_PLAYER_FINISHED);
}

static void
fixture_set_up_lonely_serve (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *json =
    "{ \"format\": \"socket-playground-session\", \"version\": 1,"
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 } ],"
    "  \"steps\": ["
    "    { \"socket\": \"server\", \"call\": \"serve\", \"connections\": 1,"
    "      \"timeout-ms\": 200 } ] }";
  SpSession *session = sp_session_new_from_data (json, -1, "lonely.json", &error);

  g_assert_no_error (error);
  fixture_set_up (fixture, session);
}

static void
on_serve_failed (SpPlayer   *player,
                 guint       index,
                 const char *message,
                 SpStep     *step,
                 gboolean   *failed)
{
  *failed = TRUE;
}

/* A serve nobody connects to: its step, which passed when the serve
 * started, turns failed and says what failed where, with the real error. */
static void
test_serve_failure (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *text = NULL;
  gboolean failed = FALSE;
  guint timeout_id;
  GtkWidget *row;

  g_signal_connect (fixture->player, "serve-failed", G_CALLBACK (on_serve_failed), &failed);
  step_and_wait (fixture);
  g_assert_false (row_has_status (find_row (fixture, 0), "error"));

  timeout_id = g_timeout_add_seconds (GUARD_SECONDS, fail_on_timeout, (gpointer) "serve-failed");
  while (!failed)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout_id);
  iterate_for (50);

  row = find_row (fixture, 0);
  g_assert_true (row_has_status (row, "error"));
  text = row_text (row);
  g_assert_nonnull (strstr (text, "accept() on “server”"));
  g_assert_nonnull (strstr (text, "ETIMEDOUT"));
  g_assert_null (strstr (text, "EIO"));
}

static void
test_empty (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpPlayer) player = sp_player_new (session, log);
  g_autoptr(SpStep) step = sp_step_new ("client", SP_CALL_CLOSE);
  GtkWidget *panel = g_object_ref_sink (sp_steps_panel_new ());
  GtkWidget *stack;
  GtkWidget *status_page;

  sp_steps_panel_set_player (SP_STEPS_PANEL (panel), player);
  stack = sp_gui_find_descendant (panel, GTK_TYPE_STACK);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");
  status_page = sp_gui_find_descendant (panel, ADW_TYPE_STATUS_PAGE);
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (status_page)),
                   ==, "Steps appear here as you make calls");

  sp_session_append_step (session, step);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "steps");

  sp_steps_panel_set_player (SP_STEPS_PANEL (panel), NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");

  g_assert_finalize_object (panel);
}

static void
test_events (Fixture       *fixture,
             gconstpointer  data)
{
  GtkSelectionModel *selection = event_selection (fixture);
  guint n_steps = sp_session_get_n_steps (fixture->session);
  GtkWidget *scrolled_window;
  GtkAdjustment *adjustment;
  g_autoptr(GtkBitset) selected = NULL;
  guint n_all;
  guint n_client;
  guint n_step_events = 0;
  double upper;
  double page;

  for (guint i = 0; i < n_steps; i++)
    step_and_wait (fixture);
  iterate_for (100);

  n_all = g_list_model_get_n_items (G_LIST_MODEL (selection));
  g_assert_cmpuint (n_all, ==, g_list_model_get_n_items (G_LIST_MODEL (fixture->log)));
  g_assert_cmpuint (n_all, >, n_steps);

  /* It followed the events to the end. */
  scrolled_window = gtk_widget_get_ancestor (sp_gui_find_descendant (GTK_WIDGET (fixture->log_view),
                                                              GTK_TYPE_COLUMN_VIEW),
                                             GTK_TYPE_SCROLLED_WINDOW);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled_window));
  upper = gtk_adjustment_get_upper (adjustment);
  page = gtk_adjustment_get_page_size (adjustment);
  g_assert_cmpfloat (upper, >, page);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment) + page, >=, upper - 8);

  sp_log_view_set_socket_id (fixture->log_view, "client");
  n_client = g_list_model_get_n_items (G_LIST_MODEL (selection));
  g_assert_cmpuint (n_client, >, 0);
  g_assert_cmpuint (n_client, <, n_all);
  for (guint i = 0; i < n_client; i++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (G_LIST_MODEL (selection), i);

      g_assert_cmpstr (sp_event_get_socket_id (event), ==, "client");
    }

  sp_log_view_set_socket_id (fixture->log_view, "conn");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), <, n_all);

  sp_log_view_set_socket_id (fixture->log_view, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, n_all);

  /* Step 0 is the server's bind: its first event is selected. */
  sp_log_view_select_step (fixture->log_view, 0);
  selected = gtk_selection_model_get_selection (selection);
  g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 1);
  for (guint i = 0; i < n_all; i++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (sp_event_get_step (event) != 0)
        continue;
      if (n_step_events++ == 0)
        g_assert_true (gtk_bitset_contains (selected, i));
    }
  g_assert_cmpuint (n_step_events, >, 0);
  iterate_for (100);
  /* It scrolled away from the end to show it, and stopped following. */
  upper = gtk_adjustment_get_upper (adjustment);
  page = gtk_adjustment_get_page_size (adjustment);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment) + page, <, upper - 8);
  g_assert_false (gtk_toggle_button_get_active (
                    GTK_TOGGLE_BUTTON (sp_gui_find_by_tooltip (GTK_WIDGET (fixture->log_view),
                                                               "Follow New Events"))));
}

static void
fixture_set_up_sockets (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *json =
    "{ \"format\": \"socket-playground-session\", \"version\": 1,"
    "  \"sockets\": [ { \"id\": \"tx\", \"type\": \"dgram\" },"
    "                 { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },"
    "                 { \"id\": \"web\", \"address\": \"127.0.0.1\", \"port\": 0 } ],"
    "  \"steps\": [] }";
  SpSession *session = sp_session_new_from_data (json, -1, "sockets.json", &error);

  g_assert_no_error (error);
  fixture_set_up (fixture, session);
}

static void
set_field (GtkWidget  *popover,
           const char *label,
           const char *text)
{
  GtkWidget *field = sp_gui_find_by_label (popover, GTK_TYPE_ENTRY, label);

  g_assert_nonnull (field);
  gtk_editable_set_text (GTK_EDITABLE (field), text);
}

/* Makes the step of `call`'s form and checks that it fails with `message`. */
static void
assert_refused (SpAddStepPopover *popover,
                SpCall            call,
                const char       *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpStep) step = sp_add_step_popover_make_step (popover, call, &error);

  g_assert_null (step);
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==, message);
}

static gboolean
n_finished_is_one (gpointer data)
{
  return ((Fixture *) data)->n_finished == 1;
}

/* The Add Step menu makes the steps that have no button on a socket's
 * page from its forms; a field that is not valid is named; the serve's
 * listener is one of the session's stream sockets; a step chosen runs at
 * once, as a call's button's does. */
static void
test_add_step (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *button = sp_gui_find_descendant (GTK_WIDGET (fixture->panel), GTK_TYPE_MENU_BUTTON);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpStep) step = NULL;
  g_autofree char *text = NULL;
  SpAddStepPopover *popover;
  GtkWidget *listeners;
  GListModel *ids;

  g_assert_true (gtk_widget_get_sensitive (button));
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  popover = SP_ADD_STEP_POPOVER (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  g_assert_nonnull (popover);
  sp_gui_iterate_for (50);

  set_field (GTK_WIDGET (popover), "Host name to look up", "  ");
  assert_refused (popover, SP_CALL_GETHOSTBYNAME,
                  "Host: enter a name to look up, such as localhost");
  set_field (GTK_WIDGET (popover), "Host name to look up", " localhost ");
  step = sp_add_step_popover_make_step (popover, SP_CALL_GETADDRINFO, &error);
  g_assert_no_error (error);
  g_assert_null (step->socket);
  g_assert_cmpint (step->call, ==, SP_CALL_GETADDRINFO);
  g_assert_cmpstr (step->host, ==, "localhost");
  g_clear_object (&step);

  set_field (GTK_WIDGET (popover), "Milliseconds to sleep", "-5");
  assert_refused (popover, SP_CALL_SLEEP,
                  "Milliseconds: must be a whole number from 0 to 3600000");
  set_field (GTK_WIDGET (popover), "Milliseconds to sleep", "250");
  step = sp_add_step_popover_make_step (popover, SP_CALL_SLEEP, &error);
  g_assert_no_error (error);
  g_assert_cmpint (step->ms, ==, 250);
  g_clear_object (&step);

  assert_refused (popover, SP_CALL_NOTE, "Text: enter what the note says");
  set_field (GTK_WIDGET (popover), "Note text", "Look at the queue");
  step = sp_add_step_popover_make_step (popover, SP_CALL_NOTE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (step->text, ==, "Look at the queue");
  g_clear_object (&step);

  /* The serve form offers the stream sockets only. */
  gtk_widget_activate_action (GTK_WIDGET (popover), "add-step.choose", "s", "serve");
  listeners = sp_gui_find_by_label (GTK_WIDGET (popover), GTK_TYPE_DROP_DOWN, "Listener socket");
  ids = gtk_drop_down_get_model (GTK_DROP_DOWN (listeners));
  g_assert_cmpuint (g_list_model_get_n_items (ids), ==, 2);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (ids), 0), ==, "server");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (ids), 1), ==, "web");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (listeners), 1);

  set_field (GTK_WIDGET (popover), "Connections to serve", "0");
  assert_refused (popover, SP_CALL_SERVE,
                  "Connections: must be a whole number from 1 to 2147483647");
  set_field (GTK_WIDGET (popover), "Connections to serve", "");
  step = sp_add_step_popover_make_step (popover, SP_CALL_SERVE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (step->socket, ==, "web");
  g_assert_true (step->has_mode);
  g_assert_cmpint (step->mode, ==, SP_SERVE_ECHO);
  g_assert_cmpint (step->connections, ==, -1);
  g_clear_object (&step);

  gtk_check_button_set_active (GTK_CHECK_BUTTON (sp_gui_find_by_label (GTK_WIDGET (popover),
                                                                       GTK_TYPE_CHECK_BUTTON,
                                                                       "reply")),
                               TRUE);
  assert_refused (popover, SP_CALL_SERVE, "Reply: enter the text the server answers with");
  set_field (GTK_WIDGET (popover), "Reply text", "HTTP/1.0 200 OK");
  set_field (GTK_WIDGET (popover), "Connections to serve", "3");
  step = sp_add_step_popover_make_step (popover, SP_CALL_SERVE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (step->mode, ==, SP_SERVE_REPLY);
  g_assert_cmpint (step->connections, ==, 3);
  g_assert_cmpstr (step->data->text, ==, "HTTP/1.0 200 OK");
  g_clear_object (&step);

  /* Nothing was added yet: making a step is not running it. */
  g_assert_cmpuint (sp_session_get_n_steps (fixture->session), ==, 0);

  /* gethostname asks nothing: chosen, it runs, and the menu closes. */
  gtk_widget_activate_action (GTK_WIDGET (popover), "add-step.back", NULL);
  gtk_widget_activate_action (GTK_WIDGET (popover), "add-step.choose", "s", "gethostname");
  sp_gui_wait_for ("gethostname to finish", n_finished_is_one, fixture);
  g_assert_true (fixture->last_passed);
  g_assert_cmpuint (sp_session_get_n_steps (fixture->session), ==, 1);
  g_assert_cmpint (sp_session_get_step (fixture->session, 0)->call, ==, SP_CALL_GETHOSTNAME);
  g_assert_null (sp_session_get_step (fixture->session, 0)->socket);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  sp_traffic_log_flush (fixture->log);
  iterate_for (50);
  text = row_text (find_row (fixture, 0));
  g_assert_true (g_str_has_prefix (text, "1\ngethostname\n"));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/Sp/StepsPanel/replay", Fixture, "tcp-echo",
              fixture_set_up_preset, test_replay, fixture_tear_down);
  g_test_add ("/Sp/StepsPanel/activate", Fixture, "tcp-echo",
              fixture_set_up_preset, test_activate, fixture_tear_down);
  g_test_add ("/Sp/StepsPanel/failure", Fixture, NULL,
              fixture_set_up_refused, test_failure, fixture_tear_down);
  g_test_add ("/Sp/StepsPanel/lookup-failure", Fixture, NULL,
              fixture_set_up_lookup, test_lookup_failure, fixture_tear_down);
  g_test_add ("/Sp/StepsPanel/out-of-descriptors", Fixture, NULL,
              fixture_set_up_descriptors, test_out_of_descriptors, fixture_tear_down);
  g_test_add ("/Sp/StepsPanel/expected-error", Fixture, "errors",
              fixture_set_up_preset, test_expected_error, fixture_tear_down);
  g_test_add ("/Sp/StepsPanel/edit", Fixture, "tcp-echo",
              fixture_set_up_preset, test_edit, fixture_tear_down);
  g_test_add ("/Sp/StepsPanel/running", Fixture, NULL,
              fixture_set_up_waiting, test_running, fixture_tear_down);
  g_test_add ("/Sp/StepsPanel/waiting-for-serve", Fixture, NULL,
              fixture_set_up_serving, test_waiting_for_serve, fixture_tear_down);
  g_test_add ("/Sp/StepsPanel/serve-failure", Fixture, NULL,
              fixture_set_up_lonely_serve, test_serve_failure, fixture_tear_down);
  g_test_add ("/Sp/StepsPanel/add-step", Fixture, NULL,
              fixture_set_up_sockets, test_add_step, fixture_tear_down);
  g_test_add_func ("/Sp/StepsPanel/empty", test_empty);
  g_test_add ("/Sp/LogView/filter-and-select", Fixture, "tcp-echo",
              fixture_set_up_preset, test_events, fixture_tear_down);

  return g_test_run ();
}
