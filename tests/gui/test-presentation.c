/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sp-caption.h"
#include "sp-gui-test-util.h"
#include "sp-lifecycle-view.h"
#include "sp-log-view.h"
#include "sp-socket-page.h"
#include "sp-window.h"

/* Four steps, each with a note the caption must show. */
static const char session_json[] =
  "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"lecture\",\n"
  "  \"sockets\": [ { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\",\n"
  "                   \"address\": \"127.0.0.1\", \"port\": 0 },\n"
  "                 { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" } ],\n"
  "  \"steps\": [\n"
  "    { \"socket\": \"server\", \"call\": \"bind\",\n"
  "      \"note\": \"First the server claims a port.\" },\n"
  "    { \"socket\": \"server\", \"call\": \"listen\", \"backlog\": 1,\n"
  "      \"note\": \"Now the kernel queues calls for it.\" },\n"
  "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\",\n"
  "      \"note\": \"The client calls.\" },\n"
  "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\",\n"
  "      \"note\": \"accept answers with a new socket.\" } ] }\n";

/* One application for every test: GApplication registers once a process. */
static GtkApplication *shared_application;

typedef struct
{
  SpWindow *window;
  char     *dir;
  char     *path;
} Fixture;

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

typedef struct
{
  SpWindow *window;
  SpPlayer *old_player;
} Reopen;

static gboolean
has_new_player (gpointer data)
{
  Reopen *reopen = data;

  return sp_window_get_player (reopen->window) != reopen->old_player;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;

  if (shared_application == NULL)
    {
      shared_application = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (shared_application), NULL, &error));
      g_assert_no_error (error);
    }

  fixture->dir = g_dir_make_tmp ("sp-presentation-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "lecture.sockplay", NULL);
  g_assert_true (g_file_set_contents (fixture->path, session_json, -1, NULL));

  fixture->window = g_object_ref (sp_window_new (shared_application));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (fixture->window));
  sp_gui_wait_for ("the window", is_mapped, fixture->window);

  file = g_file_new_for_path (fixture->path);
  sp_window_open (fixture->window, file);
  sp_gui_wait_for ("the session", has_new_player,
                   &(Reopen) { fixture->window, sp_window_get_player (fixture->window) });
  sp_gui_iterate_for (100);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_finalize_object (fixture->window);
  g_unlink (fixture->path);
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static GtkWidget *
find (Fixture *fixture,
      GType    type)
{
  GtkWidget *widget = sp_gui_find_descendant (GTK_WIDGET (fixture->window), type);

  g_assert_nonnull (widget);
  return widget;
}

static gboolean
presentation_state (Fixture *fixture)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (fixture->window),
                                                               "presentation");

  return g_variant_get_boolean (state);
}

static char *
caption_text (Fixture *fixture)
{
  return sp_caption_describe (SP_CAPTION (find (fixture, SP_TYPE_CAPTION)));
}

static void
assert_caption_has (Fixture    *fixture,
                    const char *text)
{
  g_autofree char *caption = caption_text (fixture);

  if (strstr (caption, text) == NULL)
    g_error ("the caption “%s” does not say “%s”", caption, text);
}

/* The presentation keys: the window's shortcut controller that binds Left. */
static GtkShortcutController *
find_presentation_keys (Fixture *fixture)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (fixture->window));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (
                                       gtk_shortcut_get_trigger (shortcut));

          if (strstr (trigger, "Left") != NULL)
            return GTK_SHORTCUT_CONTROLLER (controller);
        }
    }

  g_error ("the window has no presentation keys");
  return NULL;
}

/* Does what pressing `keyval` does: runs the presentation shortcut it
 * triggers. FALSE if none takes it. */
static gboolean
press (Fixture *fixture,
       guint    keyval)
{
  GtkShortcutController *keys = find_presentation_keys (fixture);
  const char *name = gdk_keyval_name (keyval);

  /* A controller that does not run sees no key at all. */
  if (gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (keys)) == GTK_PHASE_NONE)
    return FALSE;

  for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (keys)); j++)
    {
      g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (keys), j);
      g_autofree char *trigger = gtk_shortcut_trigger_to_string (
                                   gtk_shortcut_get_trigger (shortcut));
      g_auto(GStrv) alternatives = g_strsplit (trigger, "|", -1);

      if (!g_strv_contains ((const char * const *) alternatives, name))
        continue;

      return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0,
                                           GTK_WIDGET (fixture->window),
                                           gtk_shortcut_get_arguments (shortcut));
    }

  return FALSE;
}

typedef struct
{
  SpPlayer *player;
  guint     position;
} At;

static gboolean
player_at (gpointer data)
{
  At *at = data;

  return sp_player_get_state (at->player) != SP_PLAYER_RUNNING &&
         sp_player_get_position (at->player) == at->position;
}

static void
wait_at (Fixture *fixture,
         guint    position)
{
  SpPlayer *player = sp_window_get_player (fixture->window);

  sp_gui_wait_for ("the step", player_at, &(At) { player, position });
  /* A replay ends on the idle after its last step. */
  sp_gui_iterate_for (50);
  g_assert_cmpuint (sp_player_get_position (player), ==, position);
}

static SpState
socket_state (Fixture    *fixture,
              const char *id)
{
  SpSocket *socket = sp_player_lookup_socket (sp_window_get_player (fixture->window), id);

  return socket != NULL ? sp_socket_get_state (socket) : SP_STATE_UNCREATED;
}

/* Presentation mode hides what a lecture does not need, captions the step
 * with its note, steps with the keys and back again, and leaves with Escape. */
static void
test_presentation (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *sidebar = sp_gui_find_by_label (GTK_WIDGET (fixture->window), GTK_TYPE_LIST_BOX,
                                             "Sockets");
  GtkWidget *log_view = find (fixture, SP_TYPE_LOG_VIEW);
  GtkWidget *socket_page = find (fixture, SP_TYPE_SOCKET_PAGE);
  GtkWidget *caption = find (fixture, SP_TYPE_CAPTION);
  SpLifecycleView *diagram = SP_LIFECYCLE_VIEW (find (fixture, SP_TYPE_LIFECYCLE_VIEW));
  GtkWidget *button;

  g_assert_true (gtk_widget_is_visible (sidebar));
  g_assert_true (gtk_widget_is_visible (log_view));
  g_assert_false (gtk_widget_is_visible (caption));
  g_assert_false (presentation_state (fixture));
  /* Outside presentation mode Space and the arrows belong to the widgets. */
  g_assert_false (press (fixture, GDK_KEY_space));
  g_assert_false (press (fixture, GDK_KEY_Left));
  g_assert_cmpuint (sp_player_get_position (sp_window_get_player (fixture->window)), ==, 0);

  /* The header bar's toggle, as a click does it. */
  button = sp_gui_find_actionable (GTK_WIDGET (fixture->window), "win.presentation", NULL);
  g_assert_true (GTK_IS_TOGGLE_BUTTON (button));
  g_signal_emit_by_name (button, "clicked");
  sp_gui_iterate_for (100);

  g_assert_true (presentation_state (fixture));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fixture->window), "presentation"));
  g_assert_false (gtk_widget_is_visible (sidebar));
  g_assert_false (gtk_widget_is_visible (log_view));
  g_assert_false (gtk_widget_is_visible (socket_page));
  g_assert_true (gtk_widget_get_mapped (caption));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (diagram)));
  assert_caption_has (fixture, "Next: step 1 of 4");
  assert_caption_has (fixture, "First the server claims a port.");

  /* Space runs a step: the caption shows it and its note. */
  g_assert_true (press (fixture, GDK_KEY_space));
  wait_at (fixture, 1);
  assert_caption_has (fixture, "Step 1 of 4");
  assert_caption_has (fixture, "server · bind");
  assert_caption_has (fixture, "First the server claims a port.");

  g_assert_true (press (fixture, GDK_KEY_Right));
  wait_at (fixture, 2);
  assert_caption_has (fixture, "Step 2 of 4");
  assert_caption_has (fixture, "Now the kernel queues calls for it.");
  g_assert_cmpint (socket_state (fixture, "server"), ==, SP_STATE_LISTENING);

  g_assert_true (press (fixture, GDK_KEY_space));
  wait_at (fixture, 3);
  assert_caption_has (fixture, "The client calls.");
  /* The diagram follows the socket the step acts on. */
  g_assert_cmpstr (sp_lifecycle_view_get_socket_id (diagram), ==, "client");
  g_assert_cmpint (socket_state (fixture, "client"), ==, SP_STATE_CONNECTED);

  /* Left goes back: the session is replayed up to the step before. */
  g_assert_true (press (fixture, GDK_KEY_Left));
  wait_at (fixture, 2);
  assert_caption_has (fixture, "Step 2 of 4");
  assert_caption_has (fixture, "Now the kernel queues calls for it.");
  g_assert_cmpint (socket_state (fixture, "server"), ==, SP_STATE_LISTENING);
  g_assert_cmpint (socket_state (fixture, "client"), !=, SP_STATE_CONNECTED);

  /* And the action, twice more, to before the first step. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "step-back", NULL);
  wait_at (fixture, 1);
  assert_caption_has (fixture, "Step 1 of 4");
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "step-back", NULL);
  wait_at (fixture, 0);
  assert_caption_has (fixture, "Next: step 1 of 4");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                     "step-back"));

  /* Escape leaves, and everything is back. */
  g_assert_true (press (fixture, GDK_KEY_Escape));
  sp_gui_iterate_for (100);
  g_assert_false (presentation_state (fixture));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (fixture->window), "presentation"));
  g_assert_true (gtk_widget_is_visible (sidebar));
  g_assert_true (gtk_widget_is_visible (log_view));
  g_assert_true (gtk_widget_is_visible (socket_page));
  g_assert_false (gtk_widget_is_visible (caption));
  g_assert_false (press (fixture, GDK_KEY_space));
  g_assert_cmpuint (sp_player_get_position (sp_window_get_player (fixture->window)), ==, 0);
}

static GSettings *
app_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    g_error ("the test needs the compiled schema (GSETTINGS_SCHEMA_DIR)");
  return g_settings_new (APP_ID);
}

static double
font_size (GtkWidget *widget)
{
  const PangoFontDescription *font =
    pango_context_get_font_description (gtk_widget_get_pango_context (widget));

  return pango_font_description_get_size (font) / (double) PANGO_SCALE;
}

/* Numbers are grouped as the locale groups them. */
static void
assert_caption_has_either (Fixture    *fixture,
                           const char *text,
                           const char *other)
{
  g_autofree char *caption = caption_text (fixture);

  if (strstr (caption, text) == NULL && strstr (caption, other) == NULL)
    g_error ("the caption “%s” says neither “%s” nor “%s”", caption, text, other);
}

static gboolean
is_label_starting_with (GtkWidget *widget,
                        gpointer   data)
{
  return GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), data);
}

/* The caption's label that shows `text` first; it must be on screen. */
static GtkWidget *
find_caption_label (Fixture    *fixture,
                    const char *text)
{
  GtkWidget *label = sp_gui_find_matching (find (fixture, SP_TYPE_CAPTION),
                                           is_label_starting_with, (gpointer) text);

  if (label == NULL)
    g_error ("the caption has no label that starts with “%s”", text);
  g_assert_true (gtk_widget_get_mapped (label));
  return label;
}

static void
step_in_presentation (Fixture *fixture,
                      guint    position)
{
  g_assert_true (press (fixture, GDK_KEY_space));
  wait_at (fixture, position);
  sp_gui_wait_for_frame (find (fixture, SP_TYPE_CAPTION));
}

static void
open_session (Fixture    *fixture,
              const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  sp_window_open (fixture->window, file);
  sp_gui_wait_for ("the session", has_new_player,
                   &(Reopen) { fixture->window, sp_window_get_player (fixture->window) });
  sp_gui_iterate_for (100);
}

/* A step that sent or received shows its bytes, hex and text, as large as
 * its Python; a long payload shows its start and how much more there is. */
static void
test_presentation_bytes (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *long_text = g_strnfill (1068, 'A');
  g_autofree char *long_json = g_strdup_printf (
    "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"long\",\n"
    "  \"sockets\": [ { \"id\": \"a\", \"family\": \"inet\", \"type\": \"dgram\",\n"
    "                   \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "                 { \"id\": \"b\", \"family\": \"inet\", \"type\": \"dgram\" } ],\n"
    "  \"steps\": [ { \"socket\": \"a\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"b\", \"call\": \"sendto\", \"to\": \"a\",\n"
    "      \"data\": { \"text\": \"Hi\\r\\n%s\" } } ] }\n", long_text);
  g_autofree char *long_path = g_build_filename (fixture->dir, "long.sockplay", NULL);
  g_autofree char *caption = NULL;
  g_auto(GStrv) lines = NULL;
  GtkWidget *hex;
  GtkWidget *text;
  double normal = font_size (find (fixture, SP_TYPE_LOG_VIEW));
  SpPlayer *old_player = sp_window_get_player (fixture->window);
  g_autoptr(GtkCssProvider) style = gtk_css_provider_new ();
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (fixture->window));

  /* The application's style, which AdwApplication would load. */
  gtk_css_provider_load_from_resource (style, RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (style),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "open-preset",
                                  g_variant_new_string ("tcp-echo"));
  sp_gui_wait_for ("the preset", has_new_player, &(Reopen) { fixture->window, old_player });
  g_action_group_change_action_state (G_ACTION_GROUP (fixture->window), "presentation",
                                      g_variant_new_boolean (TRUE));
  sp_gui_iterate_for (100);

  /* bind moves no bytes: none are shown. */
  step_in_presentation (fixture, 1);
  caption = caption_text (fixture);
  g_assert_null (strstr (caption, "bytes"));
  g_clear_pointer (&caption, g_free);

  step_in_presentation (fixture, 2);
  /* The connect went to the port the kernel gave the server. */
  step_in_presentation (fixture, 3);
  {
    SpSocket *server = sp_player_lookup_socket (sp_window_get_player (fixture->window), "server");
    GSocketAddress *bound = sp_socket_get_local_address (server);
    g_autofree char *line = g_strdup_printf ("client.connect(('127.0.0.1', %u))",
                                             g_inet_socket_address_get_port (
                                               G_INET_SOCKET_ADDRESS (bound)));

    assert_caption_has (fixture, line);
  }

  step_in_presentation (fixture, 4);
  step_in_presentation (fixture, 5);
  assert_caption_has (fixture, "client · sendall");
  assert_caption_has (fixture, "11 bytes sent");
  assert_caption_has (fixture, "48 65 6c 6c 6f 20 57 6f 72 6c 64");
  assert_caption_has (fixture, "Hello World");
  hex = find_caption_label (fixture, "48 65 6c 6c 6f");
  text = find_caption_label (fixture, "Hello");
  /* Larger again than the presentation's text, itself larger than the window's. */
  g_assert_cmpfloat (font_size (hex), >, normal * 2);
  g_assert_cmpfloat (font_size (text), ==, font_size (hex));

  step_in_presentation (fixture, 6);
  assert_caption_has (fixture, "conn · recv");
  assert_caption_has (fixture, "11 bytes received");
  assert_caption_has (fixture, "48 65 6c 6c 6f");

  /* 1,072 bytes: three lines of them, the control characters visible. */
  g_assert_true (g_file_set_contents (long_path, long_json, -1, NULL));
  open_session (fixture, long_path);
  step_in_presentation (fixture, 1);
  step_in_presentation (fixture, 2);
  assert_caption_has_either (fixture, "1,072 bytes sent", "1072 bytes sent");
  assert_caption_has (fixture, "48 69 0d 0a 41 41");
  assert_caption_has (fixture, "Hi␍␊AAA");
  assert_caption_has_either (fixture, "… 1,024 more bytes", "… 1024 more bytes");
  hex = find_caption_label (fixture, "48 69 0d 0a");
  lines = g_strsplit (gtk_label_get_text (GTK_LABEL (hex)), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_unlink (long_path);

  gtk_style_context_remove_provider_for_display (display, GTK_STYLE_PROVIDER (style));
}

/* Zoom sizes the window's text, the diagram's with it, and is kept in the
 * settings; presentation mode is larger again. */
static void
test_zoom (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GSettings) settings = app_settings ();
  GtkWidget *diagram = find (fixture, SP_TYPE_LIFECYCLE_VIEW);
  GtkWidget *socket_page = find (fixture, SP_TYPE_SOCKET_PAGE);
  double normal = font_size (diagram);
  double zoomed;

  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "zoom"), 1.0, 1e-9);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window), "zoom-in"));

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "zoom-in", NULL);
  sp_gui_iterate_for (100);
  g_assert_cmpfloat (g_settings_get_double (settings, "zoom"), >, 1.0);
  zoomed = font_size (diagram);
  g_assert_cmpfloat (zoomed, >, normal);
  g_assert_cmpfloat (font_size (socket_page), >, normal);

  /* Kept: a new window starts as large. */
  {
    SpWindow *other = g_object_ref (sp_window_new (shared_application));

    gtk_window_present (GTK_WINDOW (other));
    sp_gui_wait_for ("the other window", is_mapped, other);
    g_assert_cmpfloat_with_epsilon (font_size (sp_gui_find_descendant (GTK_WIDGET (other),
                                                                      SP_TYPE_LIFECYCLE_VIEW)),
                                    zoomed, 0.01);
    gtk_window_destroy (GTK_WINDOW (other));
    g_assert_finalize_object (other);
  }

  g_action_group_change_action_state (G_ACTION_GROUP (fixture->window), "presentation",
                                      g_variant_new_boolean (TRUE));
  sp_gui_iterate_for (100);
  g_assert_cmpfloat (font_size (diagram), >, zoomed * 1.5);
  g_action_group_change_action_state (G_ACTION_GROUP (fixture->window), "presentation",
                                      g_variant_new_boolean (FALSE));
  sp_gui_iterate_for (100);
  g_assert_cmpfloat_with_epsilon (font_size (diagram), zoomed, 0.01);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "zoom-out", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "zoom-out", NULL);
  sp_gui_iterate_for (100);
  g_assert_cmpfloat (g_settings_get_double (settings, "zoom"), <, 1.0);
  g_assert_cmpfloat (font_size (diagram), <, normal);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "zoom-reset", NULL);
  sp_gui_iterate_for (100);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "zoom"), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (font_size (diagram), normal, 0.01);

  /* At the schema's limit, zooming further is not offered. */
  g_settings_set_double (settings, "zoom", 4.0);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window),
                                                     "zoom-in"));
  g_settings_reset (settings, "zoom");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->window), "zoom-in"));
}

static gboolean
has_toast (gpointer data)
{
  GtkWidget *overlay = sp_gui_find_descendant (GTK_WIDGET (data), ADW_TYPE_TOAST_OVERLAY);

  /* A shown toast is a widget of the overlay beside its child. */
  return gtk_widget_get_last_child (overlay) != gtk_widget_get_first_child (overlay);
}

/* An opened session is the first of the recent ones; one whose file is
 * gone is dropped, with a word why. */
static void
test_recent (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GSettings) settings = app_settings ();
  g_autoptr(GFile) file = g_file_new_for_path (fixture->path);
  g_autofree char *uri = g_file_get_uri (file);
  g_auto(GStrv) recent = g_settings_get_strv (settings, "recent-sessions");
  g_auto(GStrv) after = NULL;

  g_assert_nonnull (recent[0]);
  g_assert_cmpstr (recent[0], ==, uri);

  g_assert_cmpint (g_unlink (fixture->path), ==, 0);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "open-recent",
                                  g_variant_new_string (uri));
  sp_gui_wait_for ("the toast", has_toast, fixture->window);
  after = g_settings_get_strv (settings, "recent-sessions");
  g_assert_false (g_strv_contains ((const char * const *) after, uri));
}

static const char *
selected_string (GtkDropDown *dropdown)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (dropdown);

  return item != NULL ? gtk_string_object_get_string (item) : NULL;
}

/* The composer follows the preferred encoding. */
static void
test_default_encoding (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GSettings) settings = app_settings ();
  GtkDropDown *row = GTK_DROP_DOWN (sp_gui_find_by_label (find (fixture, SP_TYPE_SOCKET_PAGE),
                                                          GTK_TYPE_DROP_DOWN, "Encoding"));

  g_assert_nonnull (row);
  g_assert_cmpstr (selected_string (row), ==, "utf-8");

  g_settings_set_string (settings, "default-encoding", "latin-1");
  g_assert_cmpstr (selected_string (row), ==, "latin-1");

  g_settings_reset (settings, "default-encoding");
  g_assert_cmpstr (selected_string (row), ==, "utf-8");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/Sp/Presentation/mode", Fixture, NULL,
              fixture_set_up, test_presentation, fixture_tear_down);
  g_test_add ("/Sp/Presentation/bytes", Fixture, NULL,
              fixture_set_up, test_presentation_bytes, fixture_tear_down);
  g_test_add ("/Sp/Presentation/zoom", Fixture, NULL,
              fixture_set_up, test_zoom, fixture_tear_down);
  g_test_add ("/Sp/Window/recent-sessions", Fixture, NULL,
              fixture_set_up, test_recent, fixture_tear_down);
  g_test_add ("/Sp/Window/default-encoding", Fixture, NULL,
              fixture_set_up, test_default_encoding, fixture_tear_down);

  return g_test_run ();
}
