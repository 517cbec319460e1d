/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-data.h"
#include "sp-errno.h"
#include "sp-event-list.h"

/* Bytes of a payload shown in a row; the traffic log view shows them all. */
#define PREVIEW_BYTES 64

/* How close to the bottom, in pixels, still counts as being at the end. */
#define FOLLOW_SLACK 8.0

struct _SpEventList
{
  AdwBin              parent_instance;

  GtkScrolledWindow  *scrolled_window;
  GtkColumnView      *column_view;
  GtkWidget          *placeholder;

  SpPlayer           *player;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filter_model;
  GtkMultiSelection  *selection;
  char               *socket_id;

  /* Scroll to new rows, unless the user scrolled up to read older ones. */
  guint               follow : 1;
};

G_DEFINE_FINAL_TYPE (SpEventList, sp_event_list, ADW_TYPE_BIN)

/* Cells */

static void
on_text_cell_setup (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    SpEventList              *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
on_number_cell_setup (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      SpEventList              *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

/* Fills a cell; every cell of a failed call is in the error colour. */
static void
set_cell (GtkListItem *item,
          const char  *text)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  SpEvent *event = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  if (sp_event_get_ok (event))
    gtk_widget_remove_css_class (label, "error");
  else
    gtk_widget_add_css_class (label, "error");
}

static void
on_seq_cell_bind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  SpEventList              *self)
{
  g_autofree char *text = g_strdup_printf ("%u", sp_event_get_seq (gtk_list_item_get_item (item)));

  set_cell (item, text);
}

static void
on_time_cell_bind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   SpEventList              *self)
{
  double seconds = sp_event_get_time_us (gtk_list_item_get_item (item)) / 1e6;
  /* Translators: seconds since the session started, "+0.123 s" */
  g_autofree char *text = g_strdup_printf (_("+%.3f s"), seconds);

  set_cell (item, text);
}

static void
on_socket_cell_bind (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     SpEventList              *self)
{
  set_cell (item, sp_event_get_socket_id (gtk_list_item_get_item (item)));
}

static void
on_call_cell_bind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   SpEventList              *self)
{
  SpEvent *event = gtk_list_item_get_item (item);
  const char *call = sp_call_to_string (sp_event_get_call (event));
  const char *args = sp_event_get_args (event);
  const char *direction = NULL;
  g_autofree char *text = NULL;

  switch (sp_event_get_kind (event))
    {
    case SP_EVENT_SENT:
      text = g_strdup_printf ("→ %s", call);
      direction = _("Sent");
      break;

    case SP_EVENT_RECEIVED:
      text = g_strdup_printf ("← %s", call);
      direction = _("Received");
      break;

    case SP_EVENT_NOTE:
      text = g_strdup (_("note"));
      break;

    case SP_EVENT_DROPPED:
      text = g_strdup (_("dropped"));
      break;

    case SP_EVENT_CALL:
    default:
      text = g_strdup_printf ("%s(%s)", call, args != NULL ? args : "");
      break;
    }

  set_cell (item, text);
  gtk_widget_set_tooltip_text (gtk_list_item_get_child (item), direction);
}

static void
on_bytes_cell_bind (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    SpEventList              *self)
{
  SpEvent *event = gtk_list_item_get_item (item);
  SpEventKind kind = sp_event_get_kind (event);
  g_autofree char *text = NULL;

  if (kind == SP_EVENT_SENT || kind == SP_EVENT_RECEIVED)
    text = g_strdup_printf ("%" G_GSIZE_FORMAT, sp_event_get_bytes (event));

  set_cell (item, text);
}

static char *
format_detail (SpEvent *event)
{
  SpEventKind kind = sp_event_get_kind (event);
  const char *detail = sp_event_get_detail (event);
  g_autoptr(GBytes) payload = NULL;

  if (!sp_event_get_ok (event) && kind != SP_EVENT_NOTE)
    {
      int code = sp_event_get_error_code (event);
      const char *name = sp_errno_name (code);

      return g_strdup_printf ("%s: %s", name != NULL ? name : "?", sp_errno_message (code));
    }

  if (kind == SP_EVENT_SENT || kind == SP_EVENT_RECEIVED)
    {
      if (sp_event_get_payload_dropped (event))
        return g_strdup (_("(bytes dropped by the log limit)"));

      payload = sp_event_get_payload (event);
      if (payload != NULL && g_bytes_get_size (payload) > 0)
        {
          gsize size;
          const guint8 *data = g_bytes_get_data (payload, &size);

          /* As Python writes bytes, so \r and \n show. */
          return sp_data_format_python_bytes (data, size, PREVIEW_BYTES);
        }
    }

  return g_strdup (detail);
}

static void
on_detail_cell_bind (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     SpEventList              *self)
{
  g_autofree char *text = format_detail (gtk_list_item_get_item (item));

  set_cell (item, text);
}

typedef struct
{
  const char *title;
  GCallback   bind;
  gboolean    numeric;
  gboolean    expand;
} Column;

static const Column columns[] = {
  /* Translators: the column of event numbers */
  { N_("#"), G_CALLBACK (on_seq_cell_bind), TRUE, FALSE },
  { N_("Time"), G_CALLBACK (on_time_cell_bind), TRUE, FALSE },
  { N_("Socket"), G_CALLBACK (on_socket_cell_bind), FALSE, FALSE },
  { N_("Call"), G_CALLBACK (on_call_cell_bind), FALSE, FALSE },
  { N_("Bytes"), G_CALLBACK (on_bytes_cell_bind), TRUE, FALSE },
  { N_("Detail"), G_CALLBACK (on_detail_cell_bind), FALSE, TRUE },
};

static void
add_columns (SpEventList *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect_object (factory, "setup",
                               columns[i].numeric ? G_CALLBACK (on_number_cell_setup)
                                                  : G_CALLBACK (on_text_cell_setup),
                               self, 0);
      g_signal_connect_object (factory, "bind", columns[i].bind, self, 0);

      column = gtk_column_view_column_new (_(columns[i].title), factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, columns[i].expand);
      gtk_column_view_append_column (self->column_view, column);
      g_object_unref (column);
    }
}

/* Following */

static GtkAdjustment *
get_vadjustment (SpEventList *self)
{
  return gtk_scrolled_window_get_vadjustment (self->scrolled_window);
}

static void
on_vadjustment_value_changed (SpEventList   *self,
                              GtkAdjustment *adjustment)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  self->follow = gtk_adjustment_get_value (adjustment) >= bottom - FOLLOW_SLACK;
}

static void
on_vadjustment_changed (SpEventList   *self,
                        GtkAdjustment *adjustment)
{
  if (self->follow)
    gtk_adjustment_set_value (adjustment,
                              gtk_adjustment_get_upper (adjustment) -
                              gtk_adjustment_get_page_size (adjustment));
}

static void
on_items_changed (SpEventList *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));

  gtk_widget_set_visible (self->placeholder, n == 0);
  if (n == 0)
    self->follow = TRUE;
}

static GtkWidget *
get_inner_list_view (SpEventList *self)
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

/* Filtering */

static gboolean
match_socket (gpointer item,
              gpointer user_data)
{
  SpEventList *self = user_data;

  return g_strcmp0 (sp_event_get_socket_id (item), self->socket_id) == 0;
}

/* The object */

static void
sp_event_list_dispose (GObject *object)
{
  SpEventList *self = SP_EVENT_LIST (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_EVENT_LIST);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->player);

  G_OBJECT_CLASS (sp_event_list_parent_class)->dispose (object);
}

static void
sp_event_list_finalize (GObject *object)
{
  SpEventList *self = SP_EVENT_LIST (object);

  g_free (self->socket_id);

  G_OBJECT_CLASS (sp_event_list_parent_class)->finalize (object);
}

static void
sp_event_list_class_init (SpEventListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_event_list_dispose;
  object_class->finalize = sp_event_list_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-event-list.ui");
  gtk_widget_class_bind_template_child (widget_class, SpEventList, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, SpEventList, column_view);
  gtk_widget_class_bind_template_child (widget_class, SpEventList, placeholder);
}

static void
sp_event_list_init (SpEventList *self)
{
  GtkAdjustment *vadjustment;

  gtk_widget_init_template (GTK_WIDGET (self));
  add_columns (self);

  self->follow = TRUE;
  self->filter = gtk_custom_filter_new (match_socket, self, NULL);
  /* No filter until a socket is chosen: every event shows. */
  self->filter_model = gtk_filter_list_model_new (NULL, NULL);
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  vadjustment = get_vadjustment (self);
  g_signal_connect_object (vadjustment, "value-changed",
                           G_CALLBACK (on_vadjustment_value_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vadjustment, "changed",
                           G_CALLBACK (on_vadjustment_changed), self, G_CONNECT_SWAPPED);

  on_items_changed (self);
}

GtkWidget *
sp_event_list_new (void)
{
  return g_object_new (SP_TYPE_EVENT_LIST, NULL);
}

void
sp_event_list_set_player (SpEventList *self,
                          SpPlayer    *player)
{
  g_return_if_fail (SP_IS_EVENT_LIST (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (!g_set_object (&self->player, player))
    return;

  self->follow = TRUE;
  gtk_filter_list_model_set_model (self->filter_model,
                                   player != NULL ? G_LIST_MODEL (sp_player_get_log (player))
                                                  : NULL);
}

void
sp_event_list_set_socket_id (SpEventList *self,
                             const char  *socket_id)
{
  g_return_if_fail (SP_IS_EVENT_LIST (self));

  if (g_strcmp0 (self->socket_id, socket_id) == 0)
    return;

  g_free (self->socket_id);
  self->socket_id = g_strdup (socket_id);

  self->follow = TRUE;
  if (socket_id == NULL)
    gtk_filter_list_model_set_filter (self->filter_model, NULL);
  else if (gtk_filter_list_model_get_filter (self->filter_model) == NULL)
    gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (self->filter));
  else
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static gboolean
event_is_of_step (SpEvent *event,
                  guint    index)
{
  return sp_event_get_step (event) == (int) index;
}

static gboolean
event_is_at (SpEvent *event,
             guint    position)
{
  return sp_event_get_seq (event) == position;
}

/* Selects the rows whose event `matches` `value`, and scrolls to the
 * first of them. */
static void
select_matching (SpEventList *self,
                 gboolean   (*matches) (SpEvent *event, guint value),
                 guint        value)
{
  g_autoptr(GtkBitset) selected = gtk_bitset_new_empty ();
  g_autoptr(GtkBitset) mask = NULL;
  GtkWidget *list_view;
  GListModel *model;
  guint n;

  model = G_LIST_MODEL (self->selection);
  n = g_list_model_get_n_items (model);
  mask = gtk_bitset_new_range (0, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (model, i);

      if (matches (event, value))
        gtk_bitset_add (selected, i);
    }

  gtk_selection_model_set_selection (GTK_SELECTION_MODEL (self->selection), selected, mask);

  list_view = get_inner_list_view (self);
  if (!gtk_bitset_is_empty (selected) && list_view != NULL)
    {
      /* The user is reading these rows now: stop following new ones. */
      self->follow = FALSE;
      gtk_widget_activate_action (list_view, "list.scroll-to-item", "u",
                                  gtk_bitset_get_minimum (selected));
    }
}

void
sp_event_list_select_step (SpEventList *self,
                           guint        index)
{
  g_return_if_fail (SP_IS_EVENT_LIST (self));
  select_matching (self, event_is_of_step, index);
}

void
sp_event_list_select_event (SpEventList *self,
                            guint        position)
{
  g_return_if_fail (SP_IS_EVENT_LIST (self));
  select_matching (self, event_is_at, position);
}
