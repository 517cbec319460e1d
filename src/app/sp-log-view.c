/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-bytes-format.h"
#include "sp-decode.h"
#include "sp-errno.h"
#include "sp-log-detail.h"
#include "sp-lazy-menu.h"
#include "sp-log-export.h"
#include "sp-log-view.h"
#include "sp-toast.h"
#include "sp-row-ramp.h"
#include "sp-traffic-filter.h"

/* Bytes of a payload shown in the preview column; the detail pane shows them all. */
#define PREVIEW_BYTES 64

/* How close to the bottom, in pixels, still counts as being at the end. */
#define FOLLOW_SLACK 8.0

/* A cell's room beside its text: libadwaita pads a cell by 6 pixels on
 * each side and draws a 1-pixel border between cells; one more pixel
 * keeps rounding from cutting the widest word. */
#define CELL_PADDING 14

/* Characters a call keeps however narrow the log is: a bind or connect
 * with its whole IPv4 address and port ("bind(('127.0.0.1', 55555))").
 * Longer calls (socket, setsockopt) have the room the window can spare. */
#define CALL_CHARS 27

/* Characters of a preview that ask for room before the log is wide enough
 * to spare more: the peer's address comes first. */
#define PREVIEW_CHARS 10

struct _SpLogView
{
  AdwBin              parent_instance;

  GtkScrolledWindow  *scrolled_window;
  GtkColumnView      *column_view;
  GtkWidget          *placeholder;
  GtkMenuButton      *export_button;
  GMenuModel         *export_menu;
  GtkDropDown        *socket_dropdown;
  GtkDropDown        *kind_dropdown;
  GtkSearchEntry     *search_entry;
  GtkToggleButton    *hex_button;
  GtkDropDown        *time_dropdown;
  GtkToggleButton    *follow_button;
  GtkLabel           *status_label;
  GtkRevealer        *dropped_revealer;
  GtkLabel           *dropped_label;
  SpLogDetail        *detail;

  SpPlayer           *player;
  SpTrafficLog       *log;
  GSignalGroup       *log_signals;
  /* Until a row is selected the pane shows the newest bytes: the log's
   * events up to here were looked at for them, and the timeout that looks
   * at the next ones. */
  guint               newest_scanned;
  guint               newest_id;
  SpTrafficFilter    *filter;
  SpRowRamp          *ramp;
  GtkSingleSelection *selection;
  GtkColumnViewColumn *time_column;
  GtkColumnViewColumn *direction_column;
  GtkStringList      *socket_names;  /* "All Sockets", then the ids */
  char               *search_error;

  /* Scroll to new rows, unless the user scrolled up to read older ones. */
  guint               follow : 1;
  guint               scrolling : 1;
};

G_DEFINE_FINAL_TYPE (SpLogView, sp_log_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_TIME_DISPLAY,
  PROP_FOLLOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Cells */

/* Every cell is a label, start-aligned unless it holds a number. */
static GtkLabel *
add_cell_label (GtkListItem        *item,
                PangoEllipsizeMode  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), ellipsize);
  gtk_list_item_set_child (item, label);
  return GTK_LABEL (label);
}

static void
on_text_cell_setup (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    SpLogView                *self)
{
  add_cell_label (item, PANGO_ELLIPSIZE_END);
}

/* A call's arguments end in what matters most, the port: a call too long
 * for its column loses its middle. Its column is never narrower than a
 * bind on an IPv4 address takes, and it grows with the window. */
static void
on_call_cell_setup (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    SpLogView                *self)
{
  GtkLabel *label = add_cell_label (item, PANGO_ELLIPSIZE_MIDDLE);

  gtk_label_set_width_chars (label, CALL_CHARS);
  gtk_label_set_max_width_chars (label, CALL_CHARS);
}

/* An address ends in its port, too. */
static void
on_peer_cell_setup (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    SpLogView                *self)
{
  add_cell_label (item, PANGO_ELLIPSIZE_MIDDLE);
}

static void
on_preview_cell_setup (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       SpLogView                *self)
{
  gtk_label_set_max_width_chars (add_cell_label (item, PANGO_ELLIPSIZE_END), PREVIEW_CHARS);
}

static void
on_number_cell_setup (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      SpLogView                *self)
{
  GtkLabel *label = add_cell_label (item, PANGO_ELLIPSIZE_NONE);

  gtk_label_set_xalign (label, 1);
  gtk_widget_add_css_class (GTK_WIDGET (label), "numeric");
}

/* Fills a cell: a failed call in the error colour, the cap's marker in
 * the warning colour. */
static void
set_cell (GtkListItem *item,
          const char  *text)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  SpEvent *event = gtk_list_item_get_item (item);
  gboolean failed = !sp_event_get_ok (event);
  gboolean dropped = sp_event_get_kind (event) == SP_EVENT_DROPPED;

  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  if (failed)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
  if (dropped)
    gtk_widget_add_css_class (label, "warning");
  else
    gtk_widget_remove_css_class (label, "warning");
}

static void
on_seq_cell_bind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  SpLogView                *self)
{
  g_autofree char *text = g_strdup_printf ("%u", sp_event_get_seq (gtk_list_item_get_item (item)));

  set_cell (item, text);
}

static char *
format_time (SpEvent   *event,
             SpLogTime  display)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *clock = NULL;
  gint64 wall_us;

  if (display == SP_LOG_TIME_RELATIVE)
    return g_strdup_printf ("%.6f", sp_event_get_time_us (event) / 1e6);

  wall_us = sp_event_get_wall_time_us (event);
  time = g_date_time_new_from_unix_local (wall_us / G_USEC_PER_SEC);
  clock = g_date_time_format (time, "%H:%M:%S");

  return g_strdup_printf ("%s.%06d", clock, (int) (wall_us % G_USEC_PER_SEC));
}

static SpLogTime
get_time_display (SpLogView *self)
{
  return gtk_drop_down_get_selected (self->time_dropdown) == 1 ? SP_LOG_TIME_WALL
                                                                : SP_LOG_TIME_RELATIVE;
}

static void
on_time_cell_bind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   SpLogView                *self)
{
  g_autofree char *text = format_time (gtk_list_item_get_item (item), get_time_display (self));

  set_cell (item, text);
}

static void
on_socket_cell_bind (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     SpLogView                *self)
{
  set_cell (item, sp_event_get_socket_id (gtk_list_item_get_item (item)));
}

static const char *
direction_text (SpEventKind kind)
{
  switch (kind)
    {
    case SP_EVENT_SENT:
      return _("→ sent");

    case SP_EVENT_RECEIVED:
      return _("← received");

    case SP_EVENT_NOTE:
      return _("note");

    case SP_EVENT_DROPPED:
      return _("log limit");

    case SP_EVENT_CALL:
    default:
      return _("lifecycle");
    }
}

static void
on_direction_cell_bind (GtkSignalListItemFactory *factory,
                        GtkListItem              *item,
                        SpLogView                *self)
{
  set_cell (item, direction_text (sp_event_get_kind (gtk_list_item_get_item (item))));
}

static void
on_call_cell_bind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   SpLogView                *self)
{
  SpEvent *event = gtk_list_item_get_item (item);
  const char *args = sp_event_get_args (event);
  g_autofree char *text = NULL;

  switch (sp_event_get_kind (event))
    {
    case SP_EVENT_NOTE:
    case SP_EVENT_DROPPED:
      break;

    case SP_EVENT_SENT:
    case SP_EVENT_RECEIVED:
      /* The bytes are in their own columns: only a size argument shows. */
      text = args != NULL ? g_strdup_printf ("%s(%s)", sp_call_to_string (sp_event_get_call (event)),
                                             args)
                          : g_strdup (sp_call_to_string (sp_event_get_call (event)));
      break;

    case SP_EVENT_CALL:
    default:
      text = g_strdup_printf ("%s(%s)", sp_call_to_string (sp_event_get_call (event)),
                              args != NULL ? args : "");
      break;
    }

  set_cell (item, text);
}

static void
on_bytes_cell_bind (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    SpLogView                *self)
{
  SpEvent *event = gtk_list_item_get_item (item);
  SpEventKind kind = sp_event_get_kind (event);
  g_autofree char *text = NULL;

  if (kind == SP_EVENT_SENT || kind == SP_EVENT_RECEIVED)
    text = g_strdup_printf ("%" G_GSIZE_FORMAT, sp_event_get_bytes (event));

  set_cell (item, text);
}

static void
on_peer_cell_bind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   SpLogView                *self)
{
  set_cell (item, sp_event_get_remote (gtk_list_item_get_item (item)));
}

static char *
format_preview (SpEvent *event)
{
  SpEventKind kind = sp_event_get_kind (event);
  g_autoptr(GBytes) payload = NULL;

  if (!sp_event_get_ok (event) && kind != SP_EVENT_NOTE)
    {
      int code = sp_event_get_error_code (event);
      const char *name = sp_errno_name (code);

      /* A sendall that failed part way says what went (its detail). */
      if (kind == SP_EVENT_SENT && sp_event_get_detail (event) != NULL)
        return g_strdup_printf ("%s: %s (%s)", name != NULL ? name : "?",
                                sp_errno_message (code), sp_event_get_detail (event));
      return g_strdup_printf ("%s: %s", name != NULL ? name : "?", sp_errno_message (code));
    }

  if (kind == SP_EVENT_RECEIVED && sp_event_get_bytes (event) == 0)
    return g_strdup (_("end of stream: the peer closed"));

  if (kind == SP_EVENT_SENT || kind == SP_EVENT_RECEIVED)
    {
      if (sp_event_get_payload_dropped (event))
        return g_strdup (_("(bytes dropped by the log limit)"));

      payload = sp_event_get_payload (event);
      if (payload != NULL && g_bytes_get_size (payload) > 0)
        {
          gsize size;
          const guint8 *data = g_bytes_get_data (payload, &size);
          g_autoptr(SpDecoded) decoded = sp_decode (data, MIN (size, PREVIEW_BYTES),
                                                    SP_ENCODING_UTF8, SP_DECODE_REPLACE);
          g_autofree char *visible = sp_decode_make_visible (decoded->text, decoded->length,
                                                             SP_VISIBLE_NONE);

          return size > PREVIEW_BYTES ? g_strconcat (visible, "…", NULL)
                                      : g_steal_pointer (&visible);
        }
    }

  return g_strdup (sp_event_get_detail (event));
}

static void
on_preview_cell_bind (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      SpLogView                *self)
{
  g_autofree char *text = format_preview (gtk_list_item_get_item (item));

  set_cell (item, text);
}

typedef struct
{
  const char *title;
  GCallback   setup;
  GCallback   bind;
  gboolean    expand;
} Column;

/* Numbers are never cut and take only the room they need. The Call and
 * Preview columns share what the others leave. */
static const Column columns[] = {
  /* Translators: the column of event numbers */
  { N_("#"), G_CALLBACK (on_number_cell_setup), G_CALLBACK (on_seq_cell_bind), FALSE },
  { N_("Time"), G_CALLBACK (on_number_cell_setup), G_CALLBACK (on_time_cell_bind), FALSE },
  { N_("Socket"), G_CALLBACK (on_text_cell_setup), G_CALLBACK (on_socket_cell_bind), FALSE },
  { N_("Direction"), G_CALLBACK (on_text_cell_setup), G_CALLBACK (on_direction_cell_bind),
    FALSE },
  { N_("Call"), G_CALLBACK (on_call_cell_setup), G_CALLBACK (on_call_cell_bind), TRUE },
  { N_("Bytes"), G_CALLBACK (on_number_cell_setup), G_CALLBACK (on_bytes_cell_bind), FALSE },
  { N_("Peer"), G_CALLBACK (on_peer_cell_setup), G_CALLBACK (on_peer_cell_bind), FALSE },
  { N_("Preview"), G_CALLBACK (on_preview_cell_setup), G_CALLBACK (on_preview_cell_bind),
    TRUE },
};

/* The Direction column shows one of a few words: as wide as the widest,
 * whichever rows are on screen. It follows the font, which zoom and
 * presentation mode change. */
static void
update_direction_width (SpLogView *self)
{
  int widest = 0;

  if (self->direction_column == NULL)
    return;

  for (SpEventKind kind = SP_EVENT_CALL; kind <= SP_EVENT_DROPPED; kind++)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (
                                        GTK_WIDGET (self->column_view), direction_text (kind));
      int width;

      pango_layout_get_pixel_size (layout, &width, NULL);
      widest = MAX (widest, width);
    }

  gtk_column_view_column_set_fixed_width (self->direction_column, widest + CELL_PADDING);
}

static void
add_columns (SpLogView *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect_object (factory, "setup", columns[i].setup, self, 0);
      g_signal_connect_object (factory, "bind", columns[i].bind, self, 0);

      column = gtk_column_view_column_new (_(columns[i].title), factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, columns[i].expand);
      gtk_column_view_append_column (self->column_view, column);
      if (columns[i].bind == G_CALLBACK (on_time_cell_bind))
        self->time_column = column;
      else if (columns[i].bind == G_CALLBACK (on_direction_cell_bind))
        self->direction_column = column;
      g_object_unref (column);
    }

  update_direction_width (self);
}

/* Following */

static GtkAdjustment *
get_vadjustment (SpLogView *self)
{
  return gtk_scrolled_window_get_vadjustment (self->scrolled_window);
}

static void
set_follow (SpLogView *self,
            gboolean   follow)
{
  if (self->follow == !!follow)
    return;

  self->follow = !!follow;
  gtk_toggle_button_set_active (self->follow_button, follow);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW]);
}

static void
scroll_to_end (SpLogView *self)
{
  GtkAdjustment *adjustment = get_vadjustment (self);

  self->scrolling = TRUE;
  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment) -
                            gtk_adjustment_get_page_size (adjustment));
  self->scrolling = FALSE;
}

static void
on_vadjustment_value_changed (SpLogView     *self,
                              GtkAdjustment *adjustment)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (!self->scrolling)
    set_follow (self, gtk_adjustment_get_value (adjustment) >= bottom - FOLLOW_SLACK);
}

static void
on_vadjustment_changed (SpLogView     *self,
                        GtkAdjustment *adjustment)
{
  if (self->follow)
    scroll_to_end (self);
}

static void
on_follow_toggled (SpLogView *self)
{
  set_follow (self, gtk_toggle_button_get_active (self->follow_button));
  if (self->follow)
    scroll_to_end (self);
}

/* The status line and the cap's banner */

static void
update_status (SpLogView *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter));
  guint total = self->log != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->log)) : 0;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (self->placeholder, shown == 0);

  if (self->search_error != NULL)
    text = g_strdup (self->search_error);
  else if (sp_traffic_filter_get_scanning (self->filter))
    text = g_strdup (_("Searching…"));
  else if (shown == total)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event", "%u events", total), total);
  else
    /* Translators: "12 of 340 events" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u event", "%u of %u events",
                                         total),
                            shown, total);

  gtk_label_set_text (self->status_label, text);
  if (self->search_error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
update_dropped (SpLogView *self)
{
  guint64 dropped = self->log != NULL ? sp_traffic_log_get_dropped_bytes (self->log) : 0;
  g_autofree char *size = NULL;
  g_autofree char *cap = NULL;
  g_autofree char *text = NULL;

  gtk_revealer_set_reveal_child (self->dropped_revealer, dropped > 0);
  if (dropped == 0)
    return;

  size = g_format_size (dropped);
  cap = g_format_size (sp_traffic_log_get_payload_cap (self->log));
  /* Translators: "The log limit of 256.0 MB was reached: the bytes of 1,024 older
   * events (12.3 MB) were dropped. The events themselves stay." */
  text = g_strdup_printf (_("The log limit of %s was reached: the bytes of %u older events (%s) "
                            "were dropped. The events themselves stay."),
                          cap, sp_traffic_log_get_dropped_events (self->log), size);
  gtk_label_set_text (self->dropped_label, text);
}

static void
on_items_changed (SpLogView *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filter)) == 0)
    set_follow (self, TRUE);
  update_status (self);
}

/* Filters */

static void
on_socket_filter_changed (SpLogView *self)
{
  guint selected = gtk_drop_down_get_selected (self->socket_dropdown);
  const char *id = NULL;

  if (selected != GTK_INVALID_LIST_POSITION && selected > 0)
    id = gtk_string_list_get_string (self->socket_names, selected);

  sp_traffic_filter_set_socket_id (self->filter, id);
}

static void
on_kind_filter_changed (SpLogView *self)
{
  /* The drop-down's rows are in SpTrafficShow's order. */
  sp_traffic_filter_set_show (self->filter, gtk_drop_down_get_selected (self->kind_dropdown));
}

static void
on_search_changed (SpLogView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  SpSearchKind kind = gtk_toggle_button_get_active (self->hex_button) ? SP_SEARCH_HEX
                                                                       : SP_SEARCH_TEXT;
  g_autoptr(GBytes) needle = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->search_error, g_free);
  gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");

  if (text[0] != '\0')
    {
      needle = sp_bytes_format_parse_search (text, kind, &error);
      if (needle == NULL)
        {
          self->search_error = g_strdup (error->message);
          gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
        }
    }

  sp_traffic_filter_set_needle (self->filter, needle);
  update_status (self);
}

static void
on_time_display_changed (SpLogView *self)
{
  GtkListItemFactory *factory = g_object_ref (gtk_column_view_column_get_factory (self->time_column));

  /* A new factory binds every visible cell again. */
  gtk_column_view_column_set_factory (self->time_column, NULL);
  gtk_column_view_column_set_factory (self->time_column, factory);
  g_object_unref (factory);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_DISPLAY]);
}

/* Selection */

/* How often the newest bytes are looked for while events arrive: a burst
 * must not redraw the hex pane at every batch. */
#define NEWEST_INTERVAL_MS 250

static gboolean
on_newest_timeout (gpointer user_data)
{
  SpLogView *self = user_data;
  guint n;

  self->newest_id = 0;
  if (self->log == NULL || gtk_single_selection_get_selected_item (self->selection) != NULL)
    return G_SOURCE_REMOVE;

  n = sp_traffic_log_get_n_appended (self->log);
  for (guint i = n; i > self->newest_scanned; i--)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (self->log, i - 1);
      g_autoptr(GBytes) payload = sp_event_get_payload (event);

      if (payload != NULL && g_bytes_get_size (payload) > 0)
        {
          sp_log_detail_set_event (self->detail, self->log, i - 1);
          break;
        }
    }
  self->newest_scanned = n;
  return G_SOURCE_REMOVE;
}

/* A student who just sent or received sees the bytes in the pane at once,
 * without looking for their row. */
static void
on_log_items_changed (SpLogView *self,
                      guint      position,
                      guint      removed,
                      guint      added)
{
  /* A restart cleared the log. */
  if (removed > 0)
    {
      self->newest_scanned = 0;
      if (gtk_single_selection_get_selected_item (self->selection) == NULL)
        sp_log_detail_set_event (self->detail, NULL, 0);
    }

  if (added > 0 && self->newest_id == 0)
    self->newest_id = g_timeout_add (NEWEST_INTERVAL_MS, on_newest_timeout, self);
}

static void
on_selection_changed (SpLogView *self)
{
  SpEvent *event = gtk_single_selection_get_selected_item (self->selection);

  if (event == NULL)
    sp_log_detail_set_event (self->detail, NULL, 0);
  else
    sp_log_detail_set_event (self->detail, self->log, sp_event_get_seq (event));
}

static GtkWidget *
get_inner_list_view (SpLogView *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        return child;
    }

  return NULL;
}

static void
select_row (SpLogView *self,
            guint      row)
{
  GtkWidget *list_view = get_inner_list_view (self);

  sp_row_ramp_show_all (self->ramp);
  gtk_single_selection_set_selected (self->selection, row);
  /* The user is reading this row now: stop following new ones. */
  set_follow (self, FALSE);
  if (list_view != NULL)
    gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", row);
}

/* Export */

static void
on_export_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SpLogView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sp_log_export_to_file_finish (SP_TRAFFIC_LOG (object), result, &error))
    {
      /* Translators: %s is why the file could not be written */
      g_autofree char *message = g_strdup_printf (_("The log was not exported: %s"),
                                                  error->message);

      sp_toast_show (GTK_WIDGET (self), message);
      return;
    }

  sp_toast_show (GTK_WIDGET (self), _("Traffic log exported"));
}

static void
on_export_response (GtkNativeDialog *chooser,
                    int              response,
                    SpLogView       *self)
{
  SpLogFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "format"));
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->log != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      sp_log_export_to_file_async (self->log, format, file, NULL, on_export_done,
                                   g_object_ref (self));
    }

  g_object_unref (chooser);
}

static void
export_log (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  SpLogView *self = SP_LOG_VIEW (widget);
  const char *extension = g_variant_get_string (parameter, NULL);
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter;
  SpLogFormat format;
  g_autofree char *name = NULL;
  g_autofree char *pattern = NULL;

  if (!sp_log_format_from_string (extension, &format))
    return;

  chooser = gtk_file_chooser_native_new (_("Export Traffic Log"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  filter = gtk_file_filter_new ();
  pattern = g_strconcat ("*.", extension, NULL);
  gtk_file_filter_set_name (filter, format == SP_LOG_FORMAT_JSONL ? _("JSON Lines")
                                    : format == SP_LOG_FORMAT_CSV ? _("CSV")
                                    : _("pcapng Capture"));
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);

  /* Translators: the suggested file name; the extension follows */
  name = g_strconcat (_("traffic"), ".", extension, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data (G_OBJECT (chooser), "format", GINT_TO_POINTER (format));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_export_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The object */

static void
sp_log_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SpLogView *self = SP_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_TIME_DISPLAY:
      g_value_set_string (value, get_time_display (self) == SP_LOG_TIME_WALL ? "wall" : "relative");
      break;

    case PROP_FOLLOW:
      g_value_set_boolean (value, self->follow);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_log_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SpLogView *self = SP_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_TIME_DISPLAY:
      gtk_drop_down_set_selected (self->time_dropdown,
                                  g_strcmp0 (g_value_get_string (value), "wall") == 0);
      break;

    case PROP_FOLLOW:
      set_follow (self, g_value_get_boolean (value));
      if (self->follow)
        scroll_to_end (self);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_log_view_dispose (GObject *object)
{
  SpLogView *self = SP_LOG_VIEW (object);

  g_clear_handle_id (&self->newest_id, g_source_remove);
  g_clear_object (&self->ramp);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_LOG_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter);
  g_clear_object (&self->log_signals);
  g_clear_object (&self->log);
  g_clear_object (&self->player);

  G_OBJECT_CLASS (sp_log_view_parent_class)->dispose (object);
}

static void
sp_log_view_finalize (GObject *object)
{
  SpLogView *self = SP_LOG_VIEW (object);

  g_free (self->search_error);

  G_OBJECT_CLASS (sp_log_view_parent_class)->finalize (object);
}

static void
sp_log_view_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (sp_log_view_parent_class)->css_changed (widget, change);

  update_direction_width (SP_LOG_VIEW (widget));
}

static void
sp_log_view_class_init (SpLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sp_log_view_get_property;
  object_class->set_property = sp_log_view_set_property;
  object_class->dispose = sp_log_view_dispose;
  object_class->finalize = sp_log_view_finalize;

  widget_class->css_changed = sp_log_view_css_changed;

  /* "relative" or "wall", as the log-time-display setting names them. */
  properties[PROP_TIME_DISPLAY] =
    g_param_spec_string ("time-display", NULL, NULL, "relative",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOW] =
    g_param_spec_boolean ("follow", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SP_TYPE_LOG_DETAIL);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SpLogView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, column_view);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, placeholder);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, socket_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, hex_button);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, time_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, follow_button);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, status_label);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, dropped_revealer);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, dropped_label);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, detail);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, export_button);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, export_menu);

  gtk_widget_class_install_action (widget_class, "log.export", "s", export_log);
}

static void
sp_log_view_init (SpLogView *self)
{
  GtkAdjustment *vadjustment;

  gtk_widget_init_template (GTK_WIDGET (self));
  add_columns (self);
  sp_lazy_menu_attach (self->export_button, self->export_menu);

  /* Connected here rather than in the template, which the UI validator
   * checks without this file's static functions. */
  g_signal_connect_swapped (self->socket_dropdown, "notify::selected",
                            G_CALLBACK (on_socket_filter_changed), self);
  g_signal_connect_swapped (self->kind_dropdown, "notify::selected",
                            G_CALLBACK (on_kind_filter_changed), self);
  g_signal_connect_swapped (self->search_entry, "search-changed",
                            G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->hex_button, "toggled", G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->time_dropdown, "notify::selected",
                            G_CALLBACK (on_time_display_changed), self);
  g_signal_connect_swapped (self->follow_button, "toggled", G_CALLBACK (on_follow_toggled), self);

  self->socket_names = GTK_STRING_LIST (gtk_drop_down_get_model (self->socket_dropdown));
  self->follow = TRUE;
  self->filter = sp_traffic_filter_new ();
  g_signal_connect_object (self->filter, "notify::scanning",
                           G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  self->ramp = sp_row_ramp_new (G_LIST_MODEL (self->filter), GTK_WIDGET (self->column_view));
  self->selection = gtk_single_selection_new (g_object_ref (sp_row_ramp_get_model (self->ramp)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  self->log_signals = g_signal_group_new (SP_TYPE_TRAFFIC_LOG);
  g_signal_group_connect_object (self->log_signals, "notify::dropped-bytes",
                                 G_CALLBACK (update_dropped), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->log_signals, "items-changed",
                                 G_CALLBACK (on_log_items_changed), self, G_CONNECT_SWAPPED);

  vadjustment = get_vadjustment (self);
  g_signal_connect_object (vadjustment, "value-changed",
                           G_CALLBACK (on_vadjustment_value_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vadjustment, "changed",
                           G_CALLBACK (on_vadjustment_changed), self, G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.export", FALSE);
  on_items_changed (self);
  update_dropped (self);
}

GtkWidget *
sp_log_view_new (void)
{
  return g_object_new (SP_TYPE_LOG_VIEW, NULL);
}

void
sp_log_view_set_player (SpLogView *self,
                        SpPlayer  *player)
{
  g_return_if_fail (SP_IS_LOG_VIEW (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (!g_set_object (&self->player, player))
    return;

  g_clear_object (&self->log);
  if (player != NULL)
    self->log = g_object_ref (sp_player_get_log (player));
  g_signal_group_set_target (self->log_signals, self->log);
  self->newest_scanned = 0;
  set_follow (self, TRUE);
  sp_traffic_filter_set_log (self->filter, self->log);
  sp_log_detail_set_event (self->detail, NULL, 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.export", self->log != NULL);
  update_dropped (self);
  update_status (self);
}

void
sp_log_view_set_socket_ids (SpLogView          *self,
                            const char * const *ids)
{
  guint n_old;
  g_autofree char *selected_id = NULL;
  guint selected = 0;

  g_return_if_fail (SP_IS_LOG_VIEW (self));

  n_old = g_list_model_get_n_items (G_LIST_MODEL (self->socket_names));
  if (gtk_drop_down_get_selected (self->socket_dropdown) > 0 &&
      gtk_drop_down_get_selected (self->socket_dropdown) != GTK_INVALID_LIST_POSITION)
    selected_id = g_strdup (gtk_string_list_get_string (self->socket_names,
                                                        gtk_drop_down_get_selected (self->socket_dropdown)));

  /* The first row, "All Sockets", stays. */
  gtk_string_list_splice (self->socket_names, 1, n_old - 1, ids);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      if (g_strcmp0 (ids[i], selected_id) == 0)
        selected = i + 1;
    }

  gtk_drop_down_set_selected (self->socket_dropdown, selected);
}

void
sp_log_view_set_socket_id (SpLogView  *self,
                           const char *socket_id)
{
  guint n;

  g_return_if_fail (SP_IS_LOG_VIEW (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->socket_names));
  for (guint i = 1; i < n && socket_id != NULL; i++)
    {
      if (g_strcmp0 (gtk_string_list_get_string (self->socket_names, i), socket_id) == 0)
        {
          gtk_drop_down_set_selected (self->socket_dropdown, i);
          return;
        }
    }

  gtk_drop_down_set_selected (self->socket_dropdown, 0);
  /* A socket the list does not name yet still filters. */
  sp_traffic_filter_set_socket_id (self->filter, socket_id);
}

void
sp_log_view_set_search (SpLogView  *self,
                        const char *text,
                        gboolean    hex)
{
  g_return_if_fail (SP_IS_LOG_VIEW (self));

  gtk_toggle_button_set_active (self->hex_button, hex);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  /* At once, not after the entry's typing delay. */
  on_search_changed (self);
}

void
sp_log_view_set_encoding (SpLogView  *self,
                          SpEncoding  encoding)
{
  g_return_if_fail (SP_IS_LOG_VIEW (self));

  sp_log_detail_set_encoding (self->detail, encoding);
}

void
sp_log_view_focus_search (SpLogView *self)
{
  g_return_if_fail (SP_IS_LOG_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
sp_log_view_select_step (SpLogView *self,
                         guint      index)
{
  GListModel *model;
  guint n;

  g_return_if_fail (SP_IS_LOG_VIEW (self));

  model = G_LIST_MODEL (self->filter);
  n = g_list_model_get_n_items (model);
  for (guint row = 0; row < n; row++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (model, row);

      if (sp_event_get_step (event) == (int) index)
        {
          select_row (self, row);
          return;
        }
    }
}

void
sp_log_view_select_event (SpLogView *self,
                          guint      position)
{
  guint row;

  g_return_if_fail (SP_IS_LOG_VIEW (self));

  if (self->log == NULL || position >= g_list_model_get_n_items (G_LIST_MODEL (self->log)))
    return;

  if (!sp_traffic_filter_find_row (self->filter, position, &row))
    {
      /* Asked for by name: show it, whatever the filters said. */
      gtk_drop_down_set_selected (self->socket_dropdown, 0);
      gtk_drop_down_set_selected (self->kind_dropdown, SP_TRAFFIC_SHOW_ALL);
      sp_log_view_set_search (self, "", FALSE);
      sp_traffic_filter_set_socket_id (self->filter, NULL);
      if (!sp_traffic_filter_find_row (self->filter, position, &row))
        return;
    }

  select_row (self, row);
}

guint
sp_log_view_get_selected (SpLogView *self)
{
  SpEvent *event;

  g_return_val_if_fail (SP_IS_LOG_VIEW (self), G_MAXUINT);

  event = gtk_single_selection_get_selected_item (self->selection);
  return event != NULL ? sp_event_get_seq (event) : G_MAXUINT;
}
