/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-event.h"
#include "sp-traffic-log-private.h"

/* A row object: a position in a traffic log's store. It copies nothing;
 * every getter reads the compact record. */
struct _SpEvent
{
  GObject            parent_instance;

  SpTrafficLogStore *store;
  guint              position;
};

G_DEFINE_FINAL_TYPE (SpEvent, sp_event, G_TYPE_OBJECT)

/* Read-only, for GtkExpression lookups and bindings in list rows. */
enum {
  PROP_0,
  PROP_SEQ,
  PROP_TIME_US,
  PROP_KIND,
  PROP_CALL,
  PROP_OK,
  PROP_ERROR_CODE,
  PROP_STATE,
  PROP_STEP,
  PROP_SOCKET_ID,
  PROP_LOCAL,
  PROP_REMOTE,
  PROP_BYTES,
  PROP_PAYLOAD,
  PROP_PAYLOAD_DROPPED,
  PROP_DETAIL,
  PROP_ARGS,
  PROP_IMPAIRED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const SpTrafficRecord *
get_record (SpEvent *self)
{
  return _sp_traffic_log_store_get_record (self->store, self->position);
}

static const char *
get_string (SpEvent *self,
            guint32  index)
{
  return _sp_traffic_log_store_get_string (self->store, index);
}

SpEvent *
_sp_event_new (SpTrafficLogStore *store,
               guint              position)
{
  SpEvent *self = g_object_new (SP_TYPE_EVENT, NULL);

  self->store = _sp_traffic_log_store_ref (store);
  self->position = position;

  return self;
}

static void
sp_event_finalize (GObject *object)
{
  SpEvent *self = SP_EVENT (object);

  g_clear_pointer (&self->store, _sp_traffic_log_store_unref);

  G_OBJECT_CLASS (sp_event_parent_class)->finalize (object);
}

static void
sp_event_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  SpEvent *self = SP_EVENT (object);

  switch (prop_id)
    {
    case PROP_SEQ:
      g_value_set_uint (value, sp_event_get_seq (self));
      break;

    case PROP_TIME_US:
      g_value_set_int64 (value, sp_event_get_time_us (self));
      break;

    case PROP_KIND:
      g_value_set_uint (value, sp_event_get_kind (self));
      break;

    case PROP_CALL:
      g_value_set_uint (value, sp_event_get_call (self));
      break;

    case PROP_OK:
      g_value_set_boolean (value, sp_event_get_ok (self));
      break;

    case PROP_ERROR_CODE:
      g_value_set_int (value, sp_event_get_error_code (self));
      break;

    case PROP_STATE:
      g_value_set_uint (value, sp_event_get_state (self));
      break;

    case PROP_STEP:
      g_value_set_int (value, sp_event_get_step (self));
      break;

    case PROP_SOCKET_ID:
      g_value_set_string (value, sp_event_get_socket_id (self));
      break;

    case PROP_LOCAL:
      g_value_set_string (value, sp_event_get_local (self));
      break;

    case PROP_REMOTE:
      g_value_set_string (value, sp_event_get_remote (self));
      break;

    case PROP_BYTES:
      g_value_set_uint64 (value, sp_event_get_bytes (self));
      break;

    case PROP_PAYLOAD:
      g_value_take_boxed (value, sp_event_get_payload (self));
      break;

    case PROP_PAYLOAD_DROPPED:
      g_value_set_boolean (value, sp_event_get_payload_dropped (self));
      break;

    case PROP_DETAIL:
      g_value_set_string (value, sp_event_get_detail (self));
      break;

    case PROP_ARGS:
      g_value_set_string (value, sp_event_get_args (self));
      break;

    case PROP_IMPAIRED:
      g_value_set_uint (value, sp_event_get_impaired (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_event_class_init (SpEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = sp_event_finalize;
  object_class->get_property = sp_event_get_property;

  properties[PROP_SEQ] =
    g_param_spec_uint ("seq", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TIME_US] =
    g_param_spec_int64 ("time-us", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_KIND] =
    g_param_spec_uint ("kind", NULL, NULL, 0, SP_EVENT_DROPPED, SP_EVENT_CALL, flags);
  properties[PROP_CALL] =
    g_param_spec_uint ("call", NULL, NULL, 0, SP_N_CALLS - 1, SP_CALL_SOCKET, flags);
  properties[PROP_OK] =
    g_param_spec_boolean ("ok", NULL, NULL, FALSE, flags);
  properties[PROP_ERROR_CODE] =
    g_param_spec_int ("error-code", NULL, NULL, G_MININT, G_MAXINT, 0, flags);
  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL, 0, SP_N_STATES - 1, SP_STATE_UNCREATED, flags);
  properties[PROP_STEP] =
    g_param_spec_int ("step", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_SOCKET_ID] =
    g_param_spec_string ("socket-id", NULL, NULL, NULL, flags);
  properties[PROP_LOCAL] =
    g_param_spec_string ("local", NULL, NULL, NULL, flags);
  properties[PROP_REMOTE] =
    g_param_spec_string ("remote", NULL, NULL, NULL, flags);
  properties[PROP_BYTES] =
    g_param_spec_uint64 ("bytes", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_PAYLOAD] =
    g_param_spec_boxed ("payload", NULL, NULL, G_TYPE_BYTES, flags);
  properties[PROP_PAYLOAD_DROPPED] =
    g_param_spec_boolean ("payload-dropped", NULL, NULL, FALSE, flags);
  properties[PROP_DETAIL] =
    g_param_spec_string ("detail", NULL, NULL, NULL, flags);
  properties[PROP_ARGS] =
    g_param_spec_string ("args", NULL, NULL, NULL, flags);
  properties[PROP_IMPAIRED] =
    g_param_spec_uint ("impaired", NULL, NULL, 0, SP_N_IMPAIRED - 1, SP_IMPAIRED_NONE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_event_init (SpEvent *self)
{
}

guint
sp_event_get_seq (SpEvent *self)
{
  g_return_val_if_fail (SP_IS_EVENT (self), 0);

  return self->position;
}

gint64
sp_event_get_time_us (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), 0);

  record = get_record (self);

  return record != NULL ? record->time_us : 0;
}

gint64
sp_event_get_wall_time_us (SpEvent *self)
{
  g_return_val_if_fail (SP_IS_EVENT (self), 0);

  return _sp_traffic_log_store_get_start_wall_time_us (self->store) + sp_event_get_time_us (self);
}

SpEventKind
sp_event_get_kind (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), SP_EVENT_NOTE);

  record = get_record (self);

  return record != NULL ? (SpEventKind) record->kind : SP_EVENT_NOTE;
}

SpCall
sp_event_get_call (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), SP_CALL_NOTE);

  record = get_record (self);

  return record != NULL ? (SpCall) record->call : SP_CALL_NOTE;
}

gboolean
sp_event_get_ok (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), FALSE);

  record = get_record (self);

  return record != NULL && record->ok;
}

int
sp_event_get_error_code (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), 0);

  record = get_record (self);

  return record != NULL ? record->error_code : 0;
}

SpState
sp_event_get_state (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), SP_STATE_UNCREATED);

  record = get_record (self);

  return record != NULL ? (SpState) record->state : SP_STATE_UNCREATED;
}

int
sp_event_get_step (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), -1);

  record = get_record (self);

  return record != NULL ? record->step : -1;
}

const char *
sp_event_get_socket_id (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), NULL);

  record = get_record (self);

  return record != NULL ? get_string (self, record->socket_id) : NULL;
}

const char *
sp_event_get_local (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), NULL);

  record = get_record (self);

  return record != NULL ? get_string (self, record->local) : NULL;
}

const char *
sp_event_get_remote (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), NULL);

  record = get_record (self);

  return record != NULL ? get_string (self, record->remote) : NULL;
}

gsize
sp_event_get_bytes (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), 0);

  record = get_record (self);

  return record != NULL ? record->bytes : 0;
}

GBytes *
sp_event_get_payload (SpEvent *self)
{
  const SpTrafficRecord *record;
  const guint8 *data;

  g_return_val_if_fail (SP_IS_EVENT (self), NULL);

  record = get_record (self);

  /* A copy: the arena chunk may be dropped while the caller holds it. */
  if (record == NULL || !_sp_traffic_log_store_peek_payload (self->store, record, &data))
    return NULL;

  return g_bytes_new (data, record->payload_len);
}

gboolean
sp_event_get_payload_dropped (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), FALSE);

  record = get_record (self);

  return record != NULL && _sp_traffic_log_store_payload_dropped (self->store, record);
}

const char *
sp_event_get_detail (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), NULL);

  record = get_record (self);

  return record != NULL ? get_string (self, record->detail) : NULL;
}

const char *
sp_event_get_args (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), NULL);

  record = get_record (self);

  return record != NULL ? get_string (self, record->args) : NULL;
}

SpImpaired
sp_event_get_impaired (SpEvent *self)
{
  const SpTrafficRecord *record;

  g_return_val_if_fail (SP_IS_EVENT (self), SP_IMPAIRED_NONE);

  record = get_record (self);

  return record != NULL ? (SpImpaired) record->impaired : SP_IMPAIRED_NONE;
}
