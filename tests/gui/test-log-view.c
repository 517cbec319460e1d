/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sp-gui-test-util.h"
#include "sp-log-detail.h"
#include "sp-log-view.h"
#include "sp-presets.h"
#include "sp-stream-view.h"
#include "sp-window.h"

/* The traffic log view over a real run: its columns, filters, search,
 * the detail pane's hex dump, decoding and copy, follow stream, and the
 * cap's banner. */

typedef struct
{
  SpTrafficLog *log;
  SpPlayer     *player;
  GtkWindow    *window;
  SpLogView    *view;
} Fixture;

/* café\r\n in Latin-1, which UTF-8 cannot decode at the é. */
static const char latin1_session[] =
  "{ \"format\": \"socket-playground-session\", \"version\": 1,"
  "  \"sockets\": ["
  "    { \"id\": \"server\", \"family\": \"inet\", \"type\": \"dgram\","
  "      \"address\": \"127.0.0.1\", \"port\": 0 },"
  "    { \"id\": \"client\", \"family\": \"inet\", \"type\": \"dgram\" } ],"
  "  \"steps\": ["
  "    { \"socket\": \"server\", \"call\": \"bind\" },"
  "    { \"socket\": \"client\", \"call\": \"sendto\", \"to\": \"server\","
  "      \"data\": { \"hex\": \"63 61 66 e9 0d 0a\" } },"
  "    { \"socket\": \"server\", \"call\": \"recvfrom\", \"bufsize\": 64 } ] }";

static gboolean
player_is_finished (gpointer data)
{
  return sp_player_get_state (data) == SP_PLAYER_FINISHED;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *preset = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;

  if (preset != NULL)
    session = sp_presets_load (preset, &error);
  else
    session = sp_session_new_from_data (latin1_session, -1, "latin1.json", &error);
  g_assert_no_error (error);

  fixture->log = sp_traffic_log_new ();
  fixture->player = sp_player_new (session, fixture->log);
  fixture->view = SP_LOG_VIEW (g_object_ref_sink (sp_log_view_new ()));
  gtk_widget_set_size_request (GTK_WIDGET (fixture->view), 1100, 400);
  fixture->window = GTK_WINDOW (g_object_ref (gtk_window_new ()));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  sp_log_view_set_player (fixture->view, fixture->player);
  gtk_window_present (fixture->window);

  sp_player_run (fixture->player);
  sp_gui_wait_for ("the end of the session", player_is_finished, fixture->player);
  g_assert_cmpuint (sp_player_get_n_failed (fixture->player), ==, 0);
  sp_traffic_log_flush (fixture->log);
  sp_gui_iterate_for (50);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->window);
  g_assert_finalize_object (g_steal_pointer (&fixture->view));
  g_assert_finalize_object (g_steal_pointer (&fixture->player));
  g_assert_finalize_object (g_steal_pointer (&fixture->log));
}

static GListModel *
rows (Fixture *fixture)
{
  GtkWidget *column_view = sp_gui_find_descendant (GTK_WIDGET (fixture->view),
                                                   GTK_TYPE_COLUMN_VIEW);

  return G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (column_view)));
}

static GtkDropDown *
drop_down (Fixture    *fixture,
           const char *tooltip)
{
  GtkWidget *widget = sp_gui_find_by_tooltip (GTK_WIDGET (fixture->view), tooltip);

  g_assert_true (GTK_IS_DROP_DOWN (widget));
  return GTK_DROP_DOWN (widget);
}

static guint
position_of (Fixture     *fixture,
             const char  *socket_id,
             SpEventKind  kind)
{
  guint n = sp_traffic_log_get_n_appended (fixture->log);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (fixture->log, i);

      if (g_strcmp0 (sp_event_get_socket_id (event), socket_id) == 0 &&
          sp_event_get_kind (event) == kind && sp_event_get_bytes (event) > 0)
        return i;
    }

  g_assert_not_reached ();
}

static char *
text_of (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static GtkTextView *
detail_text_view (Fixture    *fixture,
                  const char *page)
{
  GtkWidget *switcher = sp_gui_find_descendant (GTK_WIDGET (fixture->view),
                                                GTK_TYPE_STACK_SWITCHER);
  GtkStack *stack = gtk_stack_switcher_get_stack (GTK_STACK_SWITCHER (switcher));

  /* The Text page is made when it is first shown, as by its tab. */
  gtk_stack_set_visible_child_name (stack, page);
  return GTK_TEXT_VIEW (sp_gui_find_descendant (gtk_stack_get_child_by_name (stack, page),
                                                GTK_TYPE_TEXT_VIEW));
}

static void
test_columns_and_filters (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char *titles[] = {
    "#", "Time", "Socket", "Direction", "Call", "Bytes", "Peer", "Preview",
  };
  GtkWidget *column_view = sp_gui_find_descendant (GTK_WIDGET (fixture->view),
                                                   GTK_TYPE_COLUMN_VIEW);
  GListModel *columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (column_view));
  GtkWidget *entry = sp_gui_find_by_tooltip (GTK_WIDGET (fixture->view),
                                             "Search the Bytes and Results: Text, or Hex With "
                                             "the Hex Button");
  guint n_all = g_list_model_get_n_items (G_LIST_MODEL (fixture->log));
  guint n;

  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, G_N_ELEMENTS (titles));
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, titles[i]);
    }

  g_assert_cmpuint (g_list_model_get_n_items (rows (fixture)), ==, n_all);

  /* Kind: data only, then errors only (a clean echo has none). */
  gtk_drop_down_set_selected (drop_down (fixture, "Show One Kind of Event"), 1);
  n = g_list_model_get_n_items (rows (fixture));
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <, n_all);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (rows (fixture), i);

      g_assert_true (sp_event_get_kind (event) == SP_EVENT_SENT ||
                     sp_event_get_kind (event) == SP_EVENT_RECEIVED);
    }
  gtk_drop_down_set_selected (drop_down (fixture, "Show One Kind of Event"), 3);
  g_assert_cmpuint (g_list_model_get_n_items (rows (fixture)), ==, 0);
  gtk_drop_down_set_selected (drop_down (fixture, "Show One Kind of Event"), 0);

  /* Socket: the drop-down offers the ids it is given. */
  {
    const char *ids[] = { "server", "conn", "client", NULL };

    sp_log_view_set_socket_ids (fixture->view, ids);
    gtk_drop_down_set_selected (drop_down (fixture, "Show the Events of One Socket"), 3);
    n = g_list_model_get_n_items (rows (fixture));
    g_assert_cmpuint (n, >, 0);
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(SpEvent) event = g_list_model_get_item (rows (fixture), i);

        g_assert_cmpstr (sp_event_get_socket_id (event), ==, "client");
      }
    gtk_drop_down_set_selected (drop_down (fixture, "Show the Events of One Socket"), 0);
  }

  /* Search: text and hex find the same bytes; the echo sends them twice
   * and receives them twice. */
  sp_log_view_set_search (fixture->view, "Hello", FALSE);
  n = g_list_model_get_n_items (rows (fixture));
  g_assert_cmpuint (n, ==, 4);
  sp_log_view_set_search (fixture->view, "48 65 6c 6c 6f", TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (rows (fixture)), ==, n);
  sp_log_view_set_search (fixture->view, "nothing like it", FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (rows (fixture)), ==, 0);

  /* Hex that does not parse says so, and filters nothing. */
  sp_log_view_set_search (fixture->view, "48 zz", TRUE);
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_cmpuint (g_list_model_get_n_items (rows (fixture)), ==, n_all);
  sp_log_view_set_search (fixture->view, "", FALSE);
  g_assert_false (gtk_widget_has_css_class (entry, "error"));

  /* Time: since the start, then the clock. */
  g_object_set (fixture->view, "time-display", "wall", NULL);
  g_assert_cmpuint (gtk_drop_down_get_selected (drop_down (fixture, "Time Shown")), ==, 1);
}

static void
test_detail (Fixture       *fixture,
             gconstpointer  data)
{
  SpLogDetail *detail = SP_LOG_DETAIL (sp_gui_find_descendant (GTK_WIDGET (fixture->view),
                                                               SP_TYPE_LOG_DETAIL));
  GtkTextView *hex_view = detail_text_view (fixture, "bytes");
  GtkTextView *text_view = detail_text_view (fixture, "text");
  GtkTextBuffer *hex_buffer = gtk_text_view_get_buffer (hex_view);
  GtkTextTag *linked = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (hex_buffer),
                                                  "linked");
  g_autofree char *dump = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) selected = NULL;
  GtkTextIter iter;
  GtkWidget *error_label;

  sp_log_view_select_event (fixture->view, position_of (fixture, "server", SP_EVENT_RECEIVED));
  g_assert_cmpuint (sp_log_view_get_selected (fixture->view), ==,
                    position_of (fixture, "server", SP_EVENT_RECEIVED));

  /* The Wireshark layout: offset, bytes in hex, ASCII with dots; 8 bytes
   * a line in a pane of 1100 - 660 pixels. */
  dump = text_of (hex_view);
  g_assert_cmpstr (dump, ==, "0000  63 61 66 e9 0d 0a        caf...\n");

  /* Bytes 0–2 selected in the hex: their characters in the ASCII are marked. */
  sp_log_detail_select_bytes (detail, 0, 3);
  selected = sp_log_detail_get_bytes (detail);
  g_assert_cmpmem (g_bytes_get_data (selected, NULL), g_bytes_get_size (selected), "caf", 3);
  gtk_text_buffer_get_iter_at_offset (hex_buffer, &iter, strstr (dump, "caf.") - dump);
  g_assert_true (gtk_text_iter_has_tag (&iter, linked));
  gtk_text_iter_forward_chars (&iter, 3);
  g_assert_false (gtk_text_iter_has_tag (&iter, linked));

  /* The divider dragged to give the pane room for 16 bytes a line: it
   * shows them so, the same bytes selected and marked. */
  gtk_paned_set_position (GTK_PANED (sp_gui_find_descendant (GTK_WIDGET (fixture->view),
                                                             GTK_TYPE_PANED)), 400);
  sp_gui_iterate_for (300);
  sp_gui_wait_for_frame (GTK_WIDGET (fixture->view));
  g_clear_pointer (&dump, g_free);
  dump = text_of (hex_view);
  g_assert_cmpstr (dump, ==, "0000  63 61 66 e9 0d 0a                                 caf...\n");
  g_clear_pointer (&selected, g_bytes_unref);
  selected = sp_log_detail_get_bytes (detail);
  g_assert_cmpmem (g_bytes_get_data (selected, NULL), g_bytes_get_size (selected), "caf", 3);
  gtk_text_buffer_get_iter_at_offset (hex_buffer, &iter, strstr (dump, "caf.") - dump);
  g_assert_true (gtk_text_iter_has_tag (&iter, linked));
  gtk_text_iter_forward_chars (&iter, 3);
  g_assert_false (gtk_text_iter_has_tag (&iter, linked));

  /* UTF-8, strict: Python's exception, and where it is. */
  error_label = gtk_widget_get_prev_sibling (gtk_widget_get_parent (gtk_widget_get_parent (
                                               GTK_WIDGET (text_view))));
  g_assert_true (GTK_IS_LABEL (error_label));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==,
                   "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position 3: "
                   "invalid continuation byte");
  text = text_of (text_view);
  g_assert_cmpstr (text, ==, "caf\\xe9 … 2 more bytes not decoded");
  g_clear_pointer (&text, g_free);

  /* Latin-1 decodes it, with \r and \n made visible. */
  sp_log_detail_set_encoding (detail, SP_ENCODING_LATIN1);
  text = text_of (text_view);
  g_assert_cmpstr (text, ==, "café␍␊\n");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_clear_pointer (&text, g_free);

  sp_log_detail_set_encoding (detail, SP_ENCODING_UTF8);
  sp_log_detail_set_errors (detail, SP_DECODE_REPLACE);
  text = text_of (text_view);
  g_assert_cmpstr (text, ==, "caf\xef\xbf\xbd␍␊\n");
  g_clear_pointer (&text, g_free);
  sp_log_detail_set_errors (detail, SP_DECODE_IGNORE);
  text = text_of (text_view);
  g_assert_cmpstr (text, ==, "caf␍␊\n");
}

static gboolean
clipboard_has (gpointer data)
{
  const char **texts = data;

  return texts[1] != NULL;
}

static void
on_clipboard_text (GObject      *clipboard,
                   GAsyncResult *result,
                   gpointer      data)
{
  const char **texts = data;

  texts[1] = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (clipboard), result, NULL);
  if (texts[1] == NULL)
    texts[1] = g_strdup ("");
}

static void
test_copy_as (Fixture       *fixture,
              gconstpointer  data)
{
  static const struct { const char *format; const char *expected; } cases[] = {
    { "hex", "63 61 66 e9 0d 0a" },
    { "python", "b'caf\\xe9\\r\\n'" },
    { "c", "const unsigned char data[] = { 0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a };" },
  };
  GtkWidget *detail = sp_gui_find_descendant (GTK_WIDGET (fixture->view), SP_TYPE_LOG_DETAIL);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (detail);

  sp_log_view_select_event (fixture->view, position_of (fixture, "client", SP_EVENT_SENT));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *texts[2] = { NULL, NULL };

      gtk_widget_activate_action (detail, "detail.copy-as", "s", cases[i].format);
      gdk_clipboard_read_text_async (clipboard, NULL, on_clipboard_text, texts);
      sp_gui_wait_for ("the clipboard", clipboard_has, texts);
      g_assert_cmpstr (texts[1], ==, cases[i].expected);
      g_free (texts[1]);
    }
}

/* One sendall of 40 bytes and three recv calls: follow stream shows them all. */
static void
test_follow_stream (Fixture       *fixture,
                    gconstpointer  data)
{
  SpLogDetail *detail = SP_LOG_DETAIL (sp_gui_find_descendant (GTK_WIDGET (fixture->view),
                                                               SP_TYPE_LOG_DETAIL));
  SpStreamView *stream;
  g_autofree char *text = NULL;

  sp_log_view_select_event (fixture->view, position_of (fixture, "client", SP_EVENT_SENT));
  /* The Stream page is made when it is first shown, for the event selected. */
  g_assert_null (sp_gui_find_descendant (GTK_WIDGET (fixture->view), SP_TYPE_STREAM_VIEW));
  sp_log_detail_show_page (detail, "stream");
  stream = SP_STREAM_VIEW (sp_gui_find_descendant (GTK_WIDGET (fixture->view),
                                                   SP_TYPE_STREAM_VIEW));
  g_assert_nonnull (stream);
  text = sp_stream_view_get_text (stream);
  g_assert_nonnull (strstr (text, "▶ client sendall: 40 bytes\n"
                                  "0123456789abcdefghijABCDEFGHIJ!@#$%^&*()\n"));
  g_assert_nonnull (strstr (text, "◀ conn recv(10): 10 bytes\n    0123456789\n"));
  g_assert_nonnull (strstr (text, "◀ conn recv(10): 10 bytes\n    abcdefghij\n"));
  g_assert_nonnull (strstr (text, "◀ conn recv(1024): 20 bytes\n"));
}

/* Past the cap the banner says what went, and the marker row shows. */
static void
test_dropped_banner (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(SpPlayer) player = sp_player_new (session, log);
  GtkWidget *view = g_object_ref_sink (sp_log_view_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  g_autofree char *big = g_strnfill (4096, 'x');
  GtkWidget *revealer;
  const char *text;
  SpEventInfo info = {
    .kind = SP_EVENT_SENT, .call = SP_CALL_SEND, .ok = TRUE, .step = -1, .socket_id = "client",
    .payload = (const guint8 *) big, .payload_len = 4096, .bytes = 4096,
  };

  gtk_window_set_child (window, view);
  sp_log_view_set_player (SP_LOG_VIEW (view), player);
  gtk_window_present (window);
  revealer = sp_gui_find_descendant (view, GTK_TYPE_REVEALER);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));

  sp_traffic_log_set_payload_cap (log, 16384);
  for (guint i = 0; i < 10; i++)
    sp_traffic_log_append (log, &info);
  sp_traffic_log_flush (log);

  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  text = gtk_label_get_text (GTK_LABEL (gtk_revealer_get_child (GTK_REVEALER (revealer))));
  /* g_format_size() puts a no-break space before the unit. */
  g_assert_true (g_str_has_prefix (text, "The log limit of 16.4\xc2\xa0kB was reached"));

  gtk_window_destroy (window);
  g_assert_finalize_object (view);
}

/* The Call column */

/* One application for the tests that need the window: GApplication
 * registers once a process. */
static GtkApplication *shared_application;

/* The application's style, which AdwApplication would load: it decides
 * the room the log's columns have. Remove it when done. */
static GtkCssProvider *
add_app_style (void)
{
  GtkCssProvider *style = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (style, RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (style),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  return style;
}

static void
remove_app_style (GtkCssProvider *style)
{
  gtk_style_context_remove_provider_for_display (gdk_display_get_default (),
                                                 GTK_STYLE_PROVIDER (style));
  g_object_unref (style);
}

/* What `label` shows of its text: an ellipsized run is "…". */
static char *
visible_text (GtkLabel *label)
{
  PangoLayout *layout = gtk_label_get_layout (label);
  const char *text = pango_layout_get_text (layout);
  GString *out = g_string_new (NULL);

  g_assert_cmpint (pango_layout_get_line_count (layout), ==, 1);
  for (GSList *l = pango_layout_get_line_readonly (layout, 0)->runs; l != NULL; l = l->next)
    {
      PangoGlyphItem *run = l->data;

      if (run->item->analysis.flags & PANGO_ANALYSIS_FLAG_IS_ELLIPSIS)
        g_string_append (out, "…");
      else
        g_string_append_len (out, text + run->item->offset, run->item->length);
    }

  return g_string_free (out, FALSE);
}

static gboolean
is_label_with_text (GtkWidget *widget,
                    gpointer   data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), data);
}

/* What the log's cell that holds `text`, the call of `log`'s event
 * `call`, shows of it once the log scrolled to it; it must be within the
 * part of the log on screen. */
static char *
cell_shows (GtkWidget    *log_view,
            SpTrafficLog *log,
            SpCall        call,
            const char   *text)
{
  GtkWidget *column_view = sp_gui_find_descendant (log_view, GTK_TYPE_COLUMN_VIEW);
  GtkWidget *scrolled = gtk_widget_get_ancestor (column_view, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *label;
  graphene_rect_t bounds;

  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (sp_event_get_call (event) == call)
        {
          sp_log_view_select_event (SP_LOG_VIEW (log_view), i);
          break;
        }
    }
  sp_gui_iterate_for (100);

  label = sp_gui_find_matching (scrolled, is_label_with_text, (gpointer) text);
  if (label == NULL)
    g_error ("no cell of the log shows “%s”", text);
  sp_gui_wait_for_frame (label);
  g_assert_true (gtk_widget_compute_bounds (label, scrolled, &bounds));
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (scrolled));

  return visible_text (GTK_LABEL (label));
}

/* A port nothing listens on now, five digits as the kernel's ephemeral
 * ones are. */
static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_DEFAULT, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  if (port < 10000)
    g_test_skip ("the kernel gave a port of fewer than five digits");
  return port;
}

static char *
bind_session (guint16 port)
{
  return g_strdup_printf (
    "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"bind\",\n"
    "  \"sockets\": [ { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\",\n"
    "                   \"address\": \"127.0.0.1\", \"port\": %u,\n"
    "                   \"options\": { \"SO_REUSEADDR\": true } } ],\n"
    "  \"steps\": [ { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "               { \"socket\": \"server\", \"call\": \"listen\" },\n"
    "               { \"socket\": \"server\", \"call\": \"close\" } ] }\n", port);
}

static gboolean
window_has_new_player (gpointer data)
{
  gpointer *args = data;

  return sp_window_get_player (args[0]) != args[1];
}

/* In the window at its default size, 1280×800, a bind shows whole, port
 * and all, beside a setsockopt as long as calls get. */
static void
test_call_column_window (void)
{
  g_autoptr(GError) error = NULL;
  guint16 port = free_port ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = bind_session (port);
  g_autofree char *call = g_strdup_printf ("bind(('127.0.0.1', %u))", port);
  g_autofree char *shown = NULL;
  g_autoptr(GFile) file = NULL;
  GtkCssProvider *style;
  SpWindow *window;
  SpPlayer *player;

  if (port < 10000)
    return;
  style = add_app_style ();
  dir = g_dir_make_tmp ("sp-log-view-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "bind.sockplay", NULL);
  file = g_file_new_for_path (path);
  if (shared_application == NULL)
    {
      shared_application = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (shared_application), NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (g_file_set_contents (path, json, -1, NULL));

  window = g_object_ref (sp_window_new (shared_application));
  gtk_window_present (GTK_WINDOW (window));
  player = sp_window_get_player (window);
  sp_window_open (window, file);
  sp_gui_wait_for ("the session", window_has_new_player, (gpointer[]) { window, player });
  player = sp_window_get_player (window);
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  sp_gui_wait_for ("the end of the session", player_is_finished, player);
  g_assert_cmpuint (sp_player_get_n_failed (player), ==, 0);
  sp_gui_iterate_for (100);

  /* As it opens: 1280×800, less the 10 pixels its frame counts. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 1280);
  shown = cell_shows (sp_gui_find_descendant (GTK_WIDGET (window), SP_TYPE_LOG_VIEW),
                      sp_player_get_log (player), SP_CALL_BIND, call);
  g_assert_cmpstr (shown, ==, call);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_unlink (path);
  g_rmdir (dir);
  remove_app_style (style);
}

/* Narrower, as the log is in a window of 800×600, the calls keep their
 * ends: a bind its port, a setsockopt its value. */
static void
test_call_column_narrow (void)
{
  g_autoptr(GError) error = NULL;
  guint16 port = free_port ();
  g_autofree char *json = bind_session (port);
  g_autoptr(SpSession) session = sp_session_new_from_data (json, -1, "bind.json", &error);
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpPlayer) player = NULL;
  g_autofree char *call = g_strdup_printf ("bind(('127.0.0.1', %u))", port);
  g_autofree char *port_text = g_strdup_printf ("%u))", port);
  g_autofree char *bind_shown = NULL;
  g_autofree char *option_shown = NULL;
  GtkCssProvider *style;
  GtkWidget *view;
  GtkWindow *window;

  g_assert_no_error (error);
  if (port < 10000)
    return;
  style = add_app_style ();
  player = sp_player_new (session, log);
  view = g_object_ref_sink (sp_log_view_new ());
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 800, 300);
  gtk_window_set_child (window, view);
  sp_log_view_set_player (SP_LOG_VIEW (view), player);
  gtk_window_present (window);
  sp_player_run (player);
  sp_gui_wait_for ("the end of the session", player_is_finished, player);
  sp_traffic_log_flush (log);
  sp_gui_iterate_for (100);

  bind_shown = cell_shows (view, log, SP_CALL_BIND, call);
  if (!g_str_has_suffix (bind_shown, port_text))
    g_error ("the bind shows “%s”, without its port %u", bind_shown, port);
  option_shown = cell_shows (view, log, SP_CALL_SETSOCKOPT,
                             "setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)");
  g_assert_true (g_str_has_prefix (option_shown, "setsockopt("));
  g_assert_true (g_str_has_suffix (option_shown, ", 1)"));
  g_assert_nonnull (strstr (option_shown, "…"));

  gtk_window_destroy (window);
  g_assert_finalize_object (view);
  remove_app_style (style);
}

/* A sendall to a peer that does not read fails part way: its row is a
 * failed send with the bytes that went in the Bytes column, and its
 * preview names the error and how many of how many went. */
static void
test_partial_sendall (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strnfill (262144, 'x');
  g_autofree char *json = g_strdup_printf (
    "{ \"format\": \"socket-playground-session\", \"version\": 1,"
    "  \"sockets\": ["
    "    { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\","
    "      \"address\": \"127.0.0.1\", \"port\": 0, \"options\": { \"SO_RCVBUF\": 4096 } },"
    "    { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\","
    "      \"options\": { \"SO_SNDBUF\": 4096 } } ],"
    "  \"steps\": ["
    "    { \"socket\": \"server\", \"call\": \"bind\" },"
    "    { \"socket\": \"server\", \"call\": \"listen\" },"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },"
    "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" },"
    "    { \"socket\": \"client\", \"call\": \"sendall\", \"data\": { \"text\": \"%s\" },"
    "      \"timeout-ms\": 300, \"expect\": { \"error\": \"ETIMEDOUT\" } } ] }", text);
  g_autoptr(SpSession) session = sp_session_new_from_data (json, -1, "partial.json", &error);
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpPlayer) player = NULL;
  g_autoptr(SpEvent) event = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *preview = NULL;
  GtkWidget *view;
  GtkWindow *window;
  guint position;

  g_assert_no_error (error);
  player = sp_player_new (session, log);
  view = g_object_ref_sink (sp_log_view_new ());
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1280, 300);
  gtk_window_set_child (window, view);
  sp_log_view_set_player (SP_LOG_VIEW (view), player);
  gtk_window_present (window);
  sp_player_run (player);
  sp_gui_wait_for ("the end of the session", player_is_finished, player);
  g_assert_cmpuint (sp_player_get_n_failed (player), ==, 0);
  sp_traffic_log_flush (log);
  sp_gui_iterate_for (100);

  position = sp_traffic_log_get_n_appended (log) - 1;
  event = sp_traffic_log_get_event (log, position);
  g_assert_cmpint (sp_event_get_call (event), ==, SP_CALL_SENDALL);
  g_assert_false (sp_event_get_ok (event));
  g_assert_cmpuint (sp_event_get_bytes (event), >, 0);

  bytes = g_strdup_printf ("%" G_GSIZE_FORMAT, sp_event_get_bytes (event));
  preview = g_strdup_printf ("ETIMEDOUT: Connection timed out (%" G_GSIZE_FORMAT
                             " of 262144 bytes went before the error)",
                             sp_event_get_bytes (event));
  g_free (cell_shows (view, log, SP_CALL_SENDALL, bytes));
  g_free (cell_shows (view, log, SP_CALL_SENDALL, preview));

  gtk_window_destroy (window);
  g_assert_finalize_object (view);
}

static gboolean
hex_shows_bytes (gpointer data)
{
  g_autofree char *dump = text_of (data);

  return strstr (dump, "63 61 66 e9 0d 0a") != NULL;
}

/* Until a row is selected the pane shows the newest bytes, so a student who
 * just received sees them without looking for the row; a selected row then
 * has the pane, and a cleared log empties it. */
static void
test_newest_bytes (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkTextView *hex_view = detail_text_view (fixture, "bytes");
  guint first = position_of (fixture, "client", SP_EVENT_SENT);

  g_assert_cmpint (sp_log_view_get_selected (fixture->view), ==, GTK_INVALID_LIST_POSITION);
  sp_gui_wait_for ("the newest bytes", hex_shows_bytes, hex_view);

  sp_log_view_select_event (fixture->view, first);
  g_assert_cmpuint (sp_log_view_get_selected (fixture->view), ==, first);

  sp_player_restart (fixture->player);
  sp_traffic_log_flush (fixture->log);
  sp_gui_iterate_for (50);
  g_assert_false (hex_shows_bytes (hex_view));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/Sp/LogView/columns-and-filters", Fixture, "tcp-echo",
              fixture_set_up, test_columns_and_filters, fixture_tear_down);
  g_test_add ("/Sp/LogView/detail", Fixture, NULL,
              fixture_set_up, test_detail, fixture_tear_down);
  g_test_add ("/Sp/LogView/newest-bytes", Fixture, NULL,
              fixture_set_up, test_newest_bytes, fixture_tear_down);
  g_test_add ("/Sp/LogView/copy-as", Fixture, NULL,
              fixture_set_up, test_copy_as, fixture_tear_down);
  g_test_add ("/Sp/LogView/follow-stream", Fixture, "partial-reads",
              fixture_set_up, test_follow_stream, fixture_tear_down);
  g_test_add_func ("/Sp/LogView/dropped-banner", test_dropped_banner);
  g_test_add_func ("/Sp/LogView/partial-sendall", test_partial_sendall);
  g_test_add_func ("/Sp/LogView/call-column/narrow", test_call_column_narrow);
  g_test_add_func ("/Sp/LogView/call-column/window", test_call_column_window);

  return g_test_run ();
}
