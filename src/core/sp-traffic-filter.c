/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-traffic-filter.h"

/* Records looked at per idle slice of a rescan: a few milliseconds. */
#define SCAN_SLICE (1u << 18)

struct _SpTrafficFilter
{
  GObject        parent_instance;

  SpTrafficLog  *log;
  gulong         items_changed_id;

  char          *socket_id;
  SpTrafficShow  show;
  GBytes        *needle;

  /* What the model shows: the matching log positions below `scanned`, or,
   * when `all` is set, the log itself. */
  GArray        *rows;
  guint          scanned;
  guint          all : 1;
  /* The count the model last announced; the log may have moved on. */
  guint          n_items;

  /* A rescan in slices; it replaces `rows` when it reaches the log's end. */
  GArray        *next_rows;
  guint          next_scanned;
  GSource       *scan_source;
};

enum {
  PROP_0,
  PROP_SCANNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpTrafficFilter, sp_traffic_filter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

/* GListModel */

static GType
sp_traffic_filter_get_item_type (GListModel *model)
{
  return SP_TYPE_EVENT;
}

static guint
sp_traffic_filter_get_n_items (GListModel *model)
{
  return SP_TRAFFIC_FILTER (model)->n_items;
}

static gpointer
sp_traffic_filter_get_item (GListModel *model,
                            guint       row)
{
  SpTrafficFilter *self = SP_TRAFFIC_FILTER (model);

  if (self->log == NULL || row >= self->n_items)
    return NULL;

  if (self->all)
    return g_list_model_get_item (G_LIST_MODEL (self->log), row);

  return sp_traffic_log_get_event (self->log, g_array_index (self->rows, guint, row));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = sp_traffic_filter_get_item_type;
  iface->get_n_items = sp_traffic_filter_get_n_items;
  iface->get_item = sp_traffic_filter_get_item;
}

/* Scanning */

static gboolean
query_is_empty (SpTrafficFilter *self)
{
  return self->socket_id == NULL &&
         self->show == SP_TRAFFIC_SHOW_ALL &&
         (self->needle == NULL || g_bytes_get_size (self->needle) == 0);
}

static guint
log_n_items (SpTrafficFilter *self)
{
  return self->log != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->log)) : 0;
}

/* Appends to `rows` the matches in [begin, end). */
static void
scan (SpTrafficFilter *self,
      GArray          *rows,
      guint            begin,
      guint            end)
{
  SpTrafficQuery query = { .socket_id = self->socket_id, .show = self->show };
  g_autoptr(GArray) found = NULL;

  if (begin >= end)
    return;

  if (self->needle != NULL)
    query.needle = g_bytes_get_data (self->needle, &query.needle_len);

  found = sp_traffic_log_query (self->log, begin, end, &query);
  g_array_append_vals (rows, found->data, found->len);
}

static void
stop_rescan (SpTrafficFilter *self)
{
  gboolean was_scanning = self->scan_source != NULL;

  if (was_scanning)
    {
      g_source_destroy (self->scan_source);
      g_clear_pointer (&self->scan_source, g_source_unref);
    }
  g_clear_pointer (&self->next_rows, g_array_unref);
  if (was_scanning)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNING]);
}

/* Puts a finished scan on show, as one change of the whole model. */
static void
show_rows (SpTrafficFilter *self,
           GArray          *rows,
           guint            scanned,
           gboolean         all)
{
  guint old_n = self->n_items;

  g_array_unref (self->rows);
  self->rows = rows;
  self->scanned = scanned;
  self->all = all;
  self->n_items = all ? scanned : rows->len;

  if (old_n > 0 || self->n_items > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_items);
}

static gboolean
on_scan_slice (gpointer user_data)
{
  SpTrafficFilter *self = user_data;
  guint end = log_n_items (self);
  guint slice_end = self->next_scanned + MIN (end - self->next_scanned, SCAN_SLICE);

  scan (self, self->next_rows, self->next_scanned, slice_end);
  self->next_scanned = slice_end;
  if (slice_end < end)
    return G_SOURCE_CONTINUE;

  /* The source is destroyed on return; the main context still holds it. */
  g_clear_pointer (&self->scan_source, g_source_unref);
  show_rows (self, g_steal_pointer (&self->next_rows), end, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNING]);

  return G_SOURCE_REMOVE;
}

/* The query changed: show what it keeps, at once when the log is small. */
static void
rescan (SpTrafficFilter *self)
{
  guint end = log_n_items (self);

  stop_rescan (self);

  if (query_is_empty (self) || self->log == NULL)
    {
      show_rows (self, g_array_new (FALSE, FALSE, sizeof (guint)), end, TRUE);
      return;
    }

  self->next_rows = g_array_new (FALSE, FALSE, sizeof (guint));
  self->next_scanned = 0;
  if (end <= SCAN_SLICE)
    {
      scan (self, self->next_rows, 0, end);
      show_rows (self, g_steal_pointer (&self->next_rows), end, FALSE);
      return;
    }

  /* On the caller's context, as every source of the core. */
  self->scan_source = g_idle_source_new ();
  g_source_set_priority (self->scan_source, G_PRIORITY_LOW);
  g_source_set_callback (self->scan_source, on_scan_slice, self, NULL);
  g_source_set_static_name (self->scan_source, "[sp] traffic filter scan");
  g_source_attach (self->scan_source, g_main_context_get_thread_default ());
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCANNING]);
}

static void
on_log_items_changed (SpTrafficFilter *self,
                      guint            position,
                      guint            removed,
                      guint            added,
                      GListModel      *log)
{
  guint old_n;

  /* The log only appends, or clears. */
  if (removed > 0)
    {
      rescan (self);
      return;
    }

  if (self->all)
    {
      self->scanned = self->n_items = position + added;
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, added);
      return;
    }

  /* A rescan under way reads the new events when it gets there. */
  if (self->scan_source != NULL)
    return;

  old_n = self->rows->len;
  scan (self, self->rows, self->scanned, position + added);
  self->scanned = position + added;
  self->n_items = self->rows->len;
  if (self->rows->len > old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, self->rows->len - old_n);
}

/* The object */

static void
sp_traffic_filter_dispose (GObject *object)
{
  SpTrafficFilter *self = SP_TRAFFIC_FILTER (object);

  stop_rescan (self);
  g_clear_signal_handler (&self->items_changed_id, self->log);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (sp_traffic_filter_parent_class)->dispose (object);
}

static void
sp_traffic_filter_finalize (GObject *object)
{
  SpTrafficFilter *self = SP_TRAFFIC_FILTER (object);

  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->next_rows, g_array_unref);
  g_clear_pointer (&self->needle, g_bytes_unref);
  g_free (self->socket_id);

  G_OBJECT_CLASS (sp_traffic_filter_parent_class)->finalize (object);
}

static void
sp_traffic_filter_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SpTrafficFilter *self = SP_TRAFFIC_FILTER (object);

  switch (prop_id)
    {
    case PROP_SCANNING:
      g_value_set_boolean (value, sp_traffic_filter_get_scanning (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_traffic_filter_class_init (SpTrafficFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_traffic_filter_dispose;
  object_class->finalize = sp_traffic_filter_finalize;
  object_class->get_property = sp_traffic_filter_get_property;

  properties[PROP_SCANNING] =
    g_param_spec_boolean ("scanning", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_traffic_filter_init (SpTrafficFilter *self)
{
  self->rows = g_array_new (FALSE, FALSE, sizeof (guint));
  self->all = TRUE;
}

SpTrafficFilter *
sp_traffic_filter_new (void)
{
  return g_object_new (SP_TYPE_TRAFFIC_FILTER, NULL);
}

void
sp_traffic_filter_set_log (SpTrafficFilter *self,
                           SpTrafficLog    *log)
{
  g_return_if_fail (SP_IS_TRAFFIC_FILTER (self));
  g_return_if_fail (log == NULL || SP_IS_TRAFFIC_LOG (log));

  if (self->log == log)
    return;

  g_clear_signal_handler (&self->items_changed_id, self->log);
  g_set_object (&self->log, log);
  if (log != NULL)
    self->items_changed_id = g_signal_connect_swapped (log, "items-changed",
                                                       G_CALLBACK (on_log_items_changed), self);
  rescan (self);
}

SpTrafficLog *
sp_traffic_filter_get_log (SpTrafficFilter *self)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_FILTER (self), NULL);

  return self->log;
}

void
sp_traffic_filter_set_socket_id (SpTrafficFilter *self,
                                 const char      *socket_id)
{
  g_return_if_fail (SP_IS_TRAFFIC_FILTER (self));

  if (g_strcmp0 (self->socket_id, socket_id) == 0)
    return;

  g_free (self->socket_id);
  self->socket_id = g_strdup (socket_id);
  rescan (self);
}

const char *
sp_traffic_filter_get_socket_id (SpTrafficFilter *self)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_FILTER (self), NULL);

  return self->socket_id;
}

void
sp_traffic_filter_set_show (SpTrafficFilter *self,
                            SpTrafficShow    show)
{
  g_return_if_fail (SP_IS_TRAFFIC_FILTER (self));

  if (self->show == show)
    return;

  self->show = show;
  rescan (self);
}

SpTrafficShow
sp_traffic_filter_get_show (SpTrafficFilter *self)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_FILTER (self), SP_TRAFFIC_SHOW_ALL);

  return self->show;
}

void
sp_traffic_filter_set_needle (SpTrafficFilter *self,
                              GBytes          *needle)
{
  g_return_if_fail (SP_IS_TRAFFIC_FILTER (self));

  if (needle != NULL && g_bytes_get_size (needle) == 0)
    needle = NULL;
  if (needle == self->needle ||
      (needle != NULL && self->needle != NULL && g_bytes_equal (needle, self->needle)))
    return;

  g_clear_pointer (&self->needle, g_bytes_unref);
  self->needle = needle != NULL ? g_bytes_ref (needle) : NULL;
  rescan (self);
}

gboolean
sp_traffic_filter_get_scanning (SpTrafficFilter *self)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_FILTER (self), FALSE);

  return self->scan_source != NULL;
}

guint
sp_traffic_filter_get_position (SpTrafficFilter *self,
                                guint            row)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_FILTER (self), 0);

  g_return_val_if_fail (row < self->n_items, 0);

  if (self->all)
    return row;


  return g_array_index (self->rows, guint, row);
}

static int
compare_positions (gconstpointer a,
                   gconstpointer b)
{
  guint pa = *(const guint *) a;
  guint pb = *(const guint *) b;

  return pa < pb ? -1 : pa > pb;
}

gboolean
sp_traffic_filter_find_row (SpTrafficFilter *self,
                            guint            position,
                            guint           *row)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_FILTER (self), FALSE);

  if (self->all)
    {
      if (position >= self->n_items)
        return FALSE;
      if (row != NULL)
        *row = position;
      return TRUE;
    }

  /* The rows are in log order. */
  return g_array_binary_search (self->rows, &position, compare_positions, row);
}
