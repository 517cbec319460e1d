/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>
#include <sys/mman.h>

#include "sp-traffic-log.h"
#include "sp-traffic-log-private.h"

/* Records live in fixed pages so that appending never moves them (no
 * large realloc copies in the main loop) and a position maps to a page by
 * a shift. */
#define RECORDS_PER_PAGE_SHIFT 13
#define RECORDS_PER_PAGE       (1u << RECORDS_PER_PAGE_SHIFT)

/* A full-size chunk, header included, is one huge page (see chunk_new). */
#define HUGE_PAGE_SIZE         ((gsize) 2 * 1024 * 1024)
#define MAX_CHUNK_SIZE         (HUGE_PAGE_SIZE - sizeof (Chunk))
#define DEFAULT_BATCH_INTERVAL 16

G_STATIC_ASSERT (sizeof (SpTrafficRecord) == 56);
G_STATIC_ASSERT (SP_EVENT_DROPPED < (1 << 3));
G_STATIC_ASSERT (SP_N_CALLS <= (1 << 6));
G_STATIC_ASSERT (SP_N_STATES <= (1 << 4));
G_STATIC_ASSERT (SP_N_IMPAIRED <= (1 << 3));

typedef struct
{
  guint64 begin;       /* logical offset of data[0] */
  gsize   size;
  gsize   used;
  guint   n_payloads;
  guint   huge : 1;        /* from g_aligned_alloc */
  guint8  data[];
} Chunk;

enum {
  FIELD_SOCKET_ID,
  FIELD_LOCAL,
  FIELD_REMOTE,
  FIELD_DETAIL,
  FIELD_ARGS,
  N_FIELDS
};

struct _SpTrafficLogStore
{
  GPtrArray    *pages;
  guint         n_records;

  /* A per-log intern table (not GQuark) so that clear() can free it. */
  GHashTable   *string_index;   /* string → index */
  GPtrArray    *strings;        /* index → string, in string_chunk */
  GStringChunk *string_chunk;
  guint32       last_string[N_FIELDS];

  /* Chunks are contiguous in logical offsets: each begins where the one
   * before it ends, so everything below arena_begin has been dropped. */
  GPtrArray    *chunks;
  guint64       arena_begin;
  guint64       arena_end;
  /* The chunk the cap dropped last, for the next chunk to reuse: its pages
   * are mapped already, so a capture past the cap does not fault in fresh
   * memory for every byte it logs. */
  Chunk        *spare;

  gint64        start_monotonic_us;
  gint64        start_wall_us;
  /* The newest record's time: a record that comes later never shows an
   * earlier one (a call on the I/O thread returned before one here that
   * was recorded first). */
  gint64        last_time_us;
};

struct _SpTrafficLog
{
  GObject            parent_instance;

  SpTrafficLogStore *store;
  GMainContext      *context;
  GSource           *batch_source;

  guint              n_announced;
  guint              batch_interval_ms;

  guint64            payload_cap;
  /* The event "appended" is being emitted for, with its bytes as they
   * came, before the cap had a say. */
  const SpEventInfo *appending;
  guint              appending_position;
  gsize              chunk_size;
  guint64            dropped_bytes;
  guint              dropped_events;
  guint64            notified_dropped_bytes;
  guint              notified_dropped_events;

  guint              drop_marker_pending : 1;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpTrafficLog, sp_traffic_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_PAYLOAD_CAP,
  PROP_DROPPED_BYTES,
  PROP_DROPPED_EVENTS,
  N_PROPS
};

enum {
  APPENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Store */

static void
chunk_free (Chunk *chunk)
{
  if (chunk != NULL && chunk->huge)
    g_aligned_free (chunk);
  else
    g_free (chunk);
}

static SpTrafficLogStore *
store_new (void)
{
  SpTrafficLogStore *store = g_rc_box_new0 (SpTrafficLogStore);

  store->pages = g_ptr_array_new_with_free_func (g_free);
  store->string_index = g_hash_table_new (g_str_hash, g_str_equal);
  store->strings = g_ptr_array_new ();
  g_ptr_array_add (store->strings, NULL);
  store->string_chunk = g_string_chunk_new (4096);
  store->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) chunk_free);
  store->start_monotonic_us = g_get_monotonic_time ();
  store->start_wall_us = g_get_real_time ();

  return store;
}

static void
store_clear (gpointer data)
{
  SpTrafficLogStore *store = data;

  g_clear_pointer (&store->pages, g_ptr_array_unref);
  g_clear_pointer (&store->string_index, g_hash_table_unref);
  g_clear_pointer (&store->strings, g_ptr_array_unref);
  g_clear_pointer (&store->string_chunk, g_string_chunk_free);
  g_clear_pointer (&store->chunks, g_ptr_array_unref);
  g_clear_pointer (&store->spare, chunk_free);
}

SpTrafficLogStore *
_sp_traffic_log_store_ref (SpTrafficLogStore *store)
{
  return g_rc_box_acquire (store);
}

void
_sp_traffic_log_store_unref (SpTrafficLogStore *store)
{
  g_rc_box_release_full (store, store_clear);
}

static inline SpTrafficRecord *
store_record (SpTrafficLogStore *store,
              guint              position)
{
  SpTrafficRecord *page = g_ptr_array_index (store->pages, position >> RECORDS_PER_PAGE_SHIFT);

  return &page[position & (RECORDS_PER_PAGE - 1)];
}

const SpTrafficRecord *
_sp_traffic_log_store_get_record (SpTrafficLogStore *store,
                                  guint              position)
{
  if (store == NULL || position >= store->n_records)
    return NULL;

  return store_record (store, position);
}

const char *
_sp_traffic_log_store_get_string (SpTrafficLogStore *store,
                                  guint32            index)
{
  if (store == NULL || index >= store->strings->len)
    return NULL;

  return g_ptr_array_index (store->strings, index);
}

gint64
_sp_traffic_log_store_get_start_wall_time_us (SpTrafficLogStore *store)
{
  return store != NULL ? store->start_wall_us : 0;
}

static SpTrafficRecord *
store_push_record (SpTrafficLogStore *store)
{
  guint index = store->n_records & (RECORDS_PER_PAGE - 1);

  if (index == 0)
    g_ptr_array_add (store->pages, g_new (SpTrafficRecord, RECORDS_PER_PAGE));

  return store_record (store, store->n_records++);
}

static guint32
store_intern (SpTrafficLogStore *store,
              guint              field,
              const char        *string)
{
  guint32 *last = &store->last_string[field];
  gpointer value;
  char *copy;
  guint32 index;

  if (string == NULL)
    return 0;

  /* Consecutive events mostly repeat the socket and its addresses. */
  if (*last != 0 && strcmp (string, g_ptr_array_index (store->strings, *last)) == 0)
    return *last;

  if (g_hash_table_lookup_extended (store->string_index, string, NULL, &value))
    {
      index = GPOINTER_TO_UINT (value);
    }
  else
    {
      copy = g_string_chunk_insert (store->string_chunk, string);
      index = store->strings->len;
      g_ptr_array_add (store->strings, copy);
      g_hash_table_insert (store->string_index, copy, GUINT_TO_POINTER (index));
    }

  *last = index;

  return index;
}

static Chunk *
chunk_new (SpTrafficLogStore *store,
           gsize              size)
{
  Chunk *chunk = g_steal_pointer (&store->spare);

  if (chunk != NULL && chunk->size == size)
    return chunk;
  chunk_free (chunk);

#ifdef MADV_HUGEPAGE
  /* A log that has filled a chunk is taking a bulk capture: its chunks ask
   * for transparent huge pages, one page fault per 2 MiB instead of one per
   * 4 KiB (most of the cost of logging a fast stream). The first chunk
   * keeps small pages, so a short session stays small. */
  if (sizeof (Chunk) + size == HUGE_PAGE_SIZE && store->arena_end > 0)
    {
      chunk = g_aligned_alloc (1, HUGE_PAGE_SIZE, HUGE_PAGE_SIZE);
      /* Advice only: without huge pages the chunk works the same. */
      madvise (chunk, HUGE_PAGE_SIZE, MADV_HUGEPAGE);
      chunk->huge = TRUE;
      chunk->size = size;
      return chunk;
    }
#endif

  chunk = g_malloc (sizeof (Chunk) + size);
  chunk->huge = FALSE;
  chunk->size = size;
  return chunk;
}

static guint64
store_push_payload (SpTrafficLogStore *store,
                    gsize              chunk_size,
                    const guint8      *data,
                    gsize              len)
{
  Chunk *chunk = NULL;
  guint64 offset;

  if (store->chunks->len > 0)
    chunk = g_ptr_array_index (store->chunks, store->chunks->len - 1);

  if (chunk == NULL || chunk->size - chunk->used < len)
    {
      chunk = chunk_new (store, MAX (chunk_size, len));
      chunk->begin = store->arena_end;
      chunk->used = 0;
      chunk->n_payloads = 0;
      g_ptr_array_add (store->chunks, chunk);
    }

  memcpy (chunk->data + chunk->used, data, len);
  offset = store->arena_end;
  chunk->used += len;
  chunk->n_payloads++;
  store->arena_end += len;

  return offset;
}

static const Chunk *
store_find_chunk (SpTrafficLogStore *store,
                  guint64            offset,
                  guint             *hint)
{
  guint lo = 0;
  guint hi = store->chunks->len;

  /* Readers mostly walk forward, so try the last chunk found first. */
  if (*hint < hi)
    {
      const Chunk *chunk = g_ptr_array_index (store->chunks, *hint);

      if (offset >= chunk->begin && offset - chunk->begin < chunk->used)
        return chunk;
    }

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const Chunk *chunk = g_ptr_array_index (store->chunks, mid);

      if (offset < chunk->begin)
        {
          hi = mid;
        }
      else if (offset - chunk->begin >= chunk->used)
        {
          lo = mid + 1;
        }
      else
        {
          *hint = mid;
          return chunk;
        }
    }

  return NULL;
}

gboolean
_sp_traffic_log_store_payload_dropped (SpTrafficLogStore     *store,
                                       const SpTrafficRecord *record)
{
  if (!record->has_payload)
    return FALSE;

  return record->payload_refused ||
         (record->payload_len > 0 && record->payload_offset < store->arena_begin);
}

static gboolean
store_peek_payload (SpTrafficLogStore     *store,
                    const SpTrafficRecord *record,
                    const guint8         **data,
                    guint                 *hint)
{
  const Chunk *chunk;

  *data = NULL;

  if (!record->has_payload || _sp_traffic_log_store_payload_dropped (store, record))
    return FALSE;

  if (record->payload_len == 0)
    return TRUE;

  chunk = store_find_chunk (store, record->payload_offset, hint);
  g_assert (chunk != NULL);
  *data = chunk->data + (record->payload_offset - chunk->begin);

  return TRUE;
}

gboolean
_sp_traffic_log_store_peek_payload (SpTrafficLogStore     *store,
                                    const SpTrafficRecord *record,
                                    const guint8         **data)
{
  guint hint = G_MAXUINT;

  return store_peek_payload (store, record, data, &hint);
}

/* Log */

static gsize
chunk_size_for_cap (guint64 cap)
{
  /* A quarter of the cap at most, so that dropping one chunk never throws
   * away most of what the cap allows. */
  return (gsize) CLAMP (cap / 4, 1, MAX_CHUNK_SIZE);
}

static void
notify_counters (SpTrafficLog *self)
{
  if (self->notified_dropped_bytes != self->dropped_bytes)
    {
      self->notified_dropped_bytes = self->dropped_bytes;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED_BYTES]);
    }

  if (self->notified_dropped_events != self->dropped_events)
    {
      self->notified_dropped_events = self->dropped_events;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED_EVENTS]);
    }
}

static gboolean
enforce_cap (SpTrafficLog *self)
{
  SpTrafficLogStore *store = self->store;
  gboolean dropped = FALSE;

  while (store->arena_end - store->arena_begin > self->payload_cap && store->chunks->len > 0)
    {
      Chunk *chunk = g_ptr_array_steal_index (store->chunks, 0);

      store->arena_begin = chunk->begin + chunk->used;
      self->dropped_bytes += chunk->used;
      self->dropped_events += chunk->n_payloads;
      chunk_free (store->spare);
      store->spare = chunk;
      dropped = TRUE;
    }

  if (dropped)
    self->drop_marker_pending = TRUE;

  return dropped;
}

static guint
append_record (SpTrafficLog      *self,
               const SpEventInfo *info)
{
  SpTrafficLogStore *store = self->store;
  SpTrafficRecord *record;
  guint64 offset = 0;
  guint32 len = 0;
  gboolean refused = FALSE;
  gint64 time_us;

  if (info->payload != NULL && info->payload_len > 0)
    {
      if (info->payload_len > self->payload_cap || info->payload_len > G_MAXUINT32)
        {
          refused = TRUE;
          self->dropped_bytes += info->payload_len;
          self->dropped_events++;
          self->drop_marker_pending = TRUE;
        }
      else
        {
          len = (guint32) info->payload_len;
          offset = store_push_payload (store, self->chunk_size, info->payload, len);
          enforce_cap (self);
        }
    }

  time_us = (info->monotonic_us != 0 ? info->monotonic_us : g_get_monotonic_time ())
            - store->start_monotonic_us;
  store->last_time_us = time_us = MAX (time_us, store->last_time_us);

  record = store_push_record (store);
  *record = (SpTrafficRecord) {
    .time_us = time_us,
    .bytes = info->bytes,
    .payload_offset = offset,
    .payload_len = len,
    .error_code = info->error_code,
    .step = info->step,
    .socket_id = store_intern (store, FIELD_SOCKET_ID, info->socket_id),
    .local = store_intern (store, FIELD_LOCAL, info->local),
    .remote = store_intern (store, FIELD_REMOTE, info->remote),
    .detail = store_intern (store, FIELD_DETAIL, info->detail),
    .args = store_intern (store, FIELD_ARGS, info->args),
    .kind = info->kind,
    .call = info->call,
    .state = info->state,
    .ok = !!info->ok,
    .has_payload = info->payload != NULL,
    .payload_refused = refused,
    .impaired = info->impaired,
  };

  return store->n_records - 1;
}

static guint
append_drop_marker (SpTrafficLog *self)
{
  g_autofree char *dropped = g_format_size_full (self->dropped_bytes, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *cap = g_format_size_full (self->payload_cap, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *detail = NULL;
  SpEventInfo info = {
    .kind = SP_EVENT_DROPPED,
    .call = SP_CALL_NOTE,
    .ok = TRUE,
    .state = SP_STATE_UNCREATED,
    .step = -1,
    .bytes = self->dropped_bytes,
  };

  detail = g_strdup_printf (ngettext ("%s of older payload dropped from %u event (log cap %s)",
                                      "%s of older payload dropped from %u events (log cap %s)",
                                      self->dropped_events),
                            dropped, self->dropped_events, cap);
  info.detail = detail;

  return append_record (self, &info);
}

static void
emit_pending (SpTrafficLog *self)
{
  guint n_records;

  if (self->drop_marker_pending)
    {
      guint position;

      self->drop_marker_pending = FALSE;
      position = append_drop_marker (self);
      g_signal_emit (self, signals[APPENDED], 0, position);
    }

  n_records = self->store->n_records;

  if (n_records > self->n_announced)
    {
      guint old_n = self->n_announced;

      self->n_announced = n_records;
      g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, n_records - old_n);
    }

  notify_counters (self);
}

static void
cancel_batch (SpTrafficLog *self)
{
  if (self->batch_source != NULL)
    {
      g_source_destroy (self->batch_source);
      g_clear_pointer (&self->batch_source, g_source_unref);
    }
}

static gboolean
batch_cb (gpointer user_data)
{
  g_autoptr(SpTrafficLog) self = g_object_ref (user_data);

  g_clear_pointer (&self->batch_source, g_source_unref);
  emit_pending (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_batch (SpTrafficLog *self)
{
  /* The source is the throttle: one items-changed per interval at most,
   * however fast events arrive. */
  if (self->batch_source != NULL)
    return;

  self->batch_source = g_timeout_source_new (self->batch_interval_ms);
  g_source_set_static_name (self->batch_source, "[sp] traffic log batch");
  g_source_set_callback (self->batch_source, batch_cb, self, NULL);
  g_source_attach (self->batch_source, self->context);
}

static GType
sp_traffic_log_get_item_type (GListModel *model)
{
  return SP_TYPE_EVENT;
}

static guint
sp_traffic_log_get_n_items (GListModel *model)
{
  return SP_TRAFFIC_LOG (model)->n_announced;
}

static gpointer
sp_traffic_log_get_item (GListModel *model,
                         guint       position)
{
  SpTrafficLog *self = SP_TRAFFIC_LOG (model);

  if (position >= self->n_announced)
    return NULL;

  return _sp_event_new (self->store, position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = sp_traffic_log_get_item_type;
  iface->get_n_items = sp_traffic_log_get_n_items;
  iface->get_item = sp_traffic_log_get_item;
}

static void
sp_traffic_log_dispose (GObject *object)
{
  SpTrafficLog *self = SP_TRAFFIC_LOG (object);

  cancel_batch (self);

  G_OBJECT_CLASS (sp_traffic_log_parent_class)->dispose (object);
}

static void
sp_traffic_log_finalize (GObject *object)
{
  SpTrafficLog *self = SP_TRAFFIC_LOG (object);

  g_clear_pointer (&self->store, _sp_traffic_log_store_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (sp_traffic_log_parent_class)->finalize (object);
}

static void
sp_traffic_log_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SpTrafficLog *self = SP_TRAFFIC_LOG (object);

  switch (prop_id)
    {
    case PROP_PAYLOAD_CAP:
      g_value_set_uint64 (value, self->payload_cap);
      break;

    case PROP_DROPPED_BYTES:
      g_value_set_uint64 (value, self->dropped_bytes);
      break;

    case PROP_DROPPED_EVENTS:
      g_value_set_uint (value, self->dropped_events);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_traffic_log_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SpTrafficLog *self = SP_TRAFFIC_LOG (object);

  switch (prop_id)
    {
    case PROP_PAYLOAD_CAP:
      sp_traffic_log_set_payload_cap (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_traffic_log_class_init (SpTrafficLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_traffic_log_dispose;
  object_class->finalize = sp_traffic_log_finalize;
  object_class->get_property = sp_traffic_log_get_property;
  object_class->set_property = sp_traffic_log_set_property;

  properties[PROP_PAYLOAD_CAP] =
    g_param_spec_uint64 ("payload-cap", NULL, NULL,
                         0, G_MAXUINT64, SP_TRAFFIC_LOG_DEFAULT_CAP,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* Notified with the batched items-changed, not at every append. */
  properties[PROP_DROPPED_BYTES] =
    g_param_spec_uint64 ("dropped-bytes", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_DROPPED_EVENTS] =
    g_param_spec_uint ("dropped-events", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[APPENDED] =
    g_signal_new ("appended",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
sp_traffic_log_init (SpTrafficLog *self)
{
  self->store = store_new ();
  self->context = g_main_context_ref_thread_default ();
  self->batch_interval_ms = DEFAULT_BATCH_INTERVAL;
  self->payload_cap = SP_TRAFFIC_LOG_DEFAULT_CAP;
  self->chunk_size = chunk_size_for_cap (self->payload_cap);
}

SpTrafficLog *
sp_traffic_log_new (void)
{
  return g_object_new (SP_TYPE_TRAFFIC_LOG, NULL);
}

guint
sp_traffic_log_append (SpTrafficLog      *self,
                       const SpEventInfo *info)
{
  const SpEventInfo *outer = self->appending;
  guint outer_position = self->appending_position;
  guint position;

  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (self), G_MAXUINT);
  g_return_val_if_fail (info != NULL, G_MAXUINT);
  g_return_val_if_fail ((guint) info->kind <= SP_EVENT_DROPPED, G_MAXUINT);
  g_return_val_if_fail ((guint) info->call < SP_N_CALLS, G_MAXUINT);
  g_return_val_if_fail ((guint) info->state < SP_N_STATES, G_MAXUINT);
  g_return_val_if_fail ((guint) info->impaired < SP_N_IMPAIRED, G_MAXUINT);
  g_return_val_if_fail (info->payload != NULL || info->payload_len == 0, G_MAXUINT);
  g_return_val_if_fail (self->store->n_records < G_MAXUINT - 1, G_MAXUINT);

  position = append_record (self, info);
  schedule_batch (self);
  self->appending = info;
  self->appending_position = position;
  g_signal_emit (self, signals[APPENDED], 0, position);
  /* A handler may append in turn. */
  self->appending = outer;
  self->appending_position = outer_position;

  return position;
}

const guint8 *
sp_traffic_log_peek_appending_payload (SpTrafficLog *self,
                                       guint         position,
                                       gsize        *length)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (self), NULL);
  g_return_val_if_fail (length != NULL, NULL);

  *length = 0;
  if (self->appending == NULL || self->appending_position != position)
    return NULL;

  *length = self->appending->payload_len;
  return self->appending->payload;
}

void
sp_traffic_log_flush (SpTrafficLog *self)
{
  g_return_if_fail (SP_IS_TRAFFIC_LOG (self));

  cancel_batch (self);
  emit_pending (self);
}

void
sp_traffic_log_clear (SpTrafficLog *self)
{
  guint old_n;

  g_return_if_fail (SP_IS_TRAFFIC_LOG (self));

  cancel_batch (self);

  old_n = self->n_announced;
  g_clear_pointer (&self->store, _sp_traffic_log_store_unref);
  self->store = store_new ();
  self->n_announced = 0;
  self->dropped_bytes = 0;
  self->dropped_events = 0;
  self->drop_marker_pending = FALSE;

  if (old_n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, 0);

  notify_counters (self);
}

SpEvent *
sp_traffic_log_get_event (SpTrafficLog *self,
                          guint         position)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (self), NULL);

  if (position >= self->store->n_records)
    return NULL;

  return _sp_event_new (self->store, position);
}

guint
sp_traffic_log_get_n_appended (SpTrafficLog *self)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (self), 0);

  return self->store->n_records;
}

void
sp_traffic_log_set_payload_cap (SpTrafficLog *self,
                                guint64       cap_bytes)
{
  g_return_if_fail (SP_IS_TRAFFIC_LOG (self));

  if (self->payload_cap == cap_bytes)
    return;

  self->payload_cap = cap_bytes;
  self->chunk_size = chunk_size_for_cap (cap_bytes);

  if (enforce_cap (self))
    schedule_batch (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAYLOAD_CAP]);
}

guint64
sp_traffic_log_get_payload_cap (SpTrafficLog *self)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (self), 0);

  return self->payload_cap;
}

guint64
sp_traffic_log_get_payload_bytes (SpTrafficLog *self)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (self), 0);

  return self->store->arena_end - self->store->arena_begin;
}

guint64
sp_traffic_log_get_dropped_bytes (SpTrafficLog *self)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (self), 0);

  return self->dropped_bytes;
}

guint
sp_traffic_log_get_dropped_events (SpTrafficLog *self)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (self), 0);

  return self->dropped_events;
}

void
sp_traffic_log_set_batch_interval (SpTrafficLog *self,
                                   guint         interval_ms)
{
  g_return_if_fail (SP_IS_TRAFFIC_LOG (self));

  self->batch_interval_ms = interval_ms;
}

/* `text`, when not NULL, is the needle as a C string, to look for in the
 * result text too. */
static gboolean
record_contains (SpTrafficLogStore     *store,
                 const SpTrafficRecord *record,
                 const guint8          *needle,
                 gsize                  needle_len,
                 const char            *text,
                 guint                 *hint)
{
  const guint8 *data;
  const char *detail;

  if (record->payload_len >= needle_len &&
      store_peek_payload (store, record, &data, hint) &&
      data != NULL &&
      memmem (data, record->payload_len, needle, needle_len) != NULL)
    return TRUE;

  if (text == NULL)
    return FALSE;

  detail = g_ptr_array_index (store->strings, record->detail);

  return detail != NULL && strstr (detail, text) != NULL;
}

static gboolean
record_shown (const SpTrafficRecord *record,
              SpTrafficShow          show)
{
  if (record->kind == SP_EVENT_DROPPED)
    return TRUE;

  switch (show)
    {
    case SP_TRAFFIC_SHOW_DATA:
      return record->kind == SP_EVENT_SENT || record->kind == SP_EVENT_RECEIVED;

    case SP_TRAFFIC_SHOW_LIFECYCLE:
      return record->kind == SP_EVENT_CALL || record->kind == SP_EVENT_NOTE;

    case SP_TRAFFIC_SHOW_ERRORS:
      return !record->ok;

    case SP_TRAFFIC_SHOW_ALL:
    default:
      return TRUE;
    }
}

GArray *
sp_traffic_log_query (SpTrafficLog         *self,
                      guint                 begin,
                      guint                 end,
                      const SpTrafficQuery *query)
{
  SpTrafficLogStore *store;
  GArray *found;
  guint32 socket_index = 0;
  g_autofree char *text = NULL;
  gboolean any_bytes;
  guint hint = 0;

  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  store = self->store;
  found = g_array_new (FALSE, FALSE, sizeof (guint));
  end = MIN (end, store->n_records);

  if (query->socket_id != NULL)
    {
      gpointer value;

      /* A socket id never interned is on no event. */
      if (!g_hash_table_lookup_extended (store->string_index, query->socket_id, NULL, &value))
        return found;

      socket_index = GPOINTER_TO_UINT (value);
    }

  any_bytes = query->needle == NULL || query->needle_len == 0;
  /* The result text is a C string: only a needle without NUL can be in it. */
  if (!any_bytes && memchr (query->needle, 0, query->needle_len) == NULL)
    text = g_strndup ((const char *) query->needle, query->needle_len);

  for (guint position = begin; position < end; position++)
    {
      const SpTrafficRecord *record = store_record (store, position);

      if (query->socket_id != NULL && record->socket_id != socket_index)
        continue;

      if (!record_shown (record, query->show))
        continue;

      if (!any_bytes &&
          !record_contains (store, record, query->needle, query->needle_len, text, &hint))
        continue;

      g_array_append_val (found, position);
    }

  return found;
}

GArray *
sp_traffic_log_find (SpTrafficLog *self,
                     guint         begin,
                     guint         end,
                     const char   *socket_id,
                     const char   *text)
{
  SpTrafficQuery query = {
    .socket_id = socket_id,
    .show = SP_TRAFFIC_SHOW_ALL,
    .needle = (const guint8 *) text,
    .needle_len = text != NULL ? strlen (text) : 0,
  };

  return sp_traffic_log_query (self, begin, end, &query);
}

SpTrafficLogStore *
_sp_traffic_log_get_store (SpTrafficLog *self)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (self), NULL);

  return self->store;
}

void
_sp_traffic_log_rotate_steps (SpTrafficLog *self,
                              guint         begin,
                              guint         first,
                              guint         last)
{
  SpTrafficLogStore *store;

  g_return_if_fail (SP_IS_TRAFFIC_LOG (self));
  g_return_if_fail (first <= last && last <= G_MAXINT);

  store = self->store;
  for (guint position = begin; position < store->n_records; position++)
    {
      SpTrafficRecord *record = store_record (store, position);

      if (record->step == (gint32) last)
        record->step = first;
      else if (record->step >= (gint32) first && record->step < (gint32) last)
        record->step++;
    }
}
