/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-decode.h"
#include "sp-errno.h"
#include "sp-log-view-private.h"

/* Bytes of a payload shown in the preview column; the detail pane shows them all. */
#define PREVIEW_BYTES 64

/* A cell's room beside its text: libadwaita pads a cell by 6 pixels on
 * each side and draws a 1-pixel border between cells; one more pixel
 * keeps rounding from cutting the widest word. */
#define CELL_PADDING 14

/* What a call keeps however narrow the log is: a connect (or a bind, or
 * a sendto) with its whole IPv4 address and port. Longer calls (socket,
 * setsockopt) have the room the window can spare. */
#define WIDEST_SHORT_CALL "connect(('127.0.0.1', 55555))"

/* Characters of a preview that ask for room before the log is wide enough
 * to spare more: the peer's address comes first. */
#define PREVIEW_CHARS 10

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

/* An address ends in what matters most, its port, and so do a call's
 * arguments: a call too long for its column loses its middle. The Call
 * column is never narrower than a connect to an IPv4 address takes, and it
 * grows with the window (_sp_log_view_update_fixed_widths). */
static void
on_middle_cell_setup (GtkSignalListItemFactory *factory,
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

SpLogTime
_sp_log_view_get_time_display (SpLogView *self)
{
  return gtk_drop_down_get_selected (self->time_dropdown) == 1 ? SP_LOG_TIME_WALL
                                                                : SP_LOG_TIME_RELATIVE;
}

static void
on_time_cell_bind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   SpLogView                *self)
{
  g_autofree char *text = format_time (gtk_list_item_get_item (item),
                                          _sp_log_view_get_time_display (self));

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
  /* Whether a narrow log leaves the column out: 1 first, 0 never. */
  guint       narrow_rank;
} Column;

/* Numbers are never cut and take only the room they need. The Call and
 * Preview columns share what the others leave.
 *
 * A log too narrow for every column (the window at 800×600) leaves some
 * out, rather than scroll sideways as a spreadsheet would: a student would
 * not know there is more to the right, and the columns out of sight would
 * be the size and peer of the bytes they just sent. What a student reads
 * a row for stays: its number, socket, call and size. The pane beside the
 * log shows what the left-out columns would for the selected row (the peer
 * in its title, the bytes below), and they come back as the log widens,
 * with the window or the divider. Left out first: the peer (a connect's
 * call holds the address too), the time (the numbers keep the order), the
 * preview, the direction (send and recv say it). */
static const Column columns[] = {
  /* Translators: the column of event numbers */
  { N_("#"), G_CALLBACK (on_number_cell_setup), G_CALLBACK (on_seq_cell_bind), FALSE, 0 },
  { N_("Time"), G_CALLBACK (on_number_cell_setup), G_CALLBACK (on_time_cell_bind), FALSE, 2 },
  { N_("Socket"), G_CALLBACK (on_text_cell_setup), G_CALLBACK (on_socket_cell_bind), FALSE, 0 },
  { N_("Direction"), G_CALLBACK (on_text_cell_setup), G_CALLBACK (on_direction_cell_bind),
    FALSE, 4 },
  { N_("Call"), G_CALLBACK (on_middle_cell_setup), G_CALLBACK (on_call_cell_bind), TRUE, 0 },
  { N_("Bytes"), G_CALLBACK (on_number_cell_setup), G_CALLBACK (on_bytes_cell_bind), FALSE, 0 },
  { N_("Peer"), G_CALLBACK (on_middle_cell_setup), G_CALLBACK (on_peer_cell_bind), FALSE, 1 },
  { N_("Preview"), G_CALLBACK (on_preview_cell_setup), G_CALLBACK (on_preview_cell_bind),
    TRUE, 3 },
};

G_STATIC_ASSERT (SP_LOG_VIEW_N_NARROW == 4);

static int
text_width (SpLogView  *self,
            const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self->column_view),
                                                                  text);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

/* The Direction column shows one of a few words: as wide as the widest,
 * whichever rows are on screen. The Call column starts as wide as a
 * connect with its address. Both follow the font, which zoom and
 * presentation mode change. */
void
_sp_log_view_update_fixed_widths (SpLogView *self)
{
  int widest = 0;

  if (self->direction_column == NULL)
    return;

  for (SpEventKind kind = SP_EVENT_CALL; kind <= SP_EVENT_DROPPED; kind++)
    widest = MAX (widest, text_width (self, direction_text (kind)));

  /* GTK 4.8 keeps a hidden column's fixed width empty in the row. */
  gtk_column_view_column_set_fixed_width (self->direction_column,
                                          gtk_column_view_column_get_visible (
                                            self->direction_column) ? widest + CELL_PADDING : -1);
  gtk_column_view_column_set_fixed_width (self->call_column,
                                          text_width (self, WIDEST_SHORT_CALL) + CELL_PADDING);
}

/* Leaves a column out, or brings one back, as the log's width allows: one
 * a frame, as the columns' widths are known again only once laid out. */
static gboolean
fit_columns (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  SpLogView *self = SP_LOG_VIEW (widget);
  int width = gtk_widget_get_width (GTK_WIDGET (self->scrolled_window));
  int minimum;

  gtk_widget_measure (GTK_WIDGET (self->column_view), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, NULL, NULL, NULL);
  if (width > 0 && minimum > width && self->n_left_out < SP_LOG_VIEW_N_NARROW)
    {
      GtkColumnViewColumn *column = self->narrow[self->n_left_out];

      /* It comes back once the log is as wide as it needed with it. */
      self->narrow_widths[self->n_left_out++] = minimum;
      /* GTK 4.8 keeps a hidden column's fixed width (the Direction
       * column's, or one the user dragged) empty in the row. */
      gtk_column_view_column_set_fixed_width (column, -1);
      gtk_column_view_column_set_visible (column, FALSE);
      return G_SOURCE_CONTINUE;
    }

  if (self->n_left_out > 0 && width >= self->narrow_widths[self->n_left_out - 1])
    {
      gtk_column_view_column_set_visible (self->narrow[--self->n_left_out], TRUE);
      _sp_log_view_update_fixed_widths (self);
      return G_SOURCE_CONTINUE;
    }

  self->fit_id = 0;
  return G_SOURCE_REMOVE;
}

/* The log's width or its columns' changed: they are fitted from the next
 * frame on (measuring them while they are laid out would lay them out
 * again). */
static void
queue_fit_columns (SpLogView *self)
{
  if (self->fit_id == 0)
    self->fit_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), fit_columns, NULL, NULL);
}

void
_sp_log_view_add_columns (SpLogView *self)
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
      else if (columns[i].bind == G_CALLBACK (on_call_cell_bind))
        self->call_column = column;
      if (columns[i].narrow_rank > 0)
        self->narrow[columns[i].narrow_rank - 1] = column;
      g_object_unref (column);
    }

  _sp_log_view_update_fixed_widths (self);
  /* Its page size is the log's width; it changes too when the columns do. */
  g_signal_connect_object (gtk_scrolled_window_get_hadjustment (self->scrolled_window), "changed",
                           G_CALLBACK (queue_fit_columns), self, G_CONNECT_SWAPPED);
}
