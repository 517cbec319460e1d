/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-impairment.h"

/* A datagram that waits, with what the impairment needs to know of it. */
typedef struct
{
  gpointer datagram;
  gint64   due_us;   /* monotonic time it leaves the delay line */
  guint    held : 1;
} Entry;

struct _SpImpairment
{
  GObject               parent_instance;

  SpImpairmentSettings  settings;
  GRand                *rand;

  SpImpairmentSendFunc  send;
  gpointer              user_data;
  GDestroyNotify        datagram_free;

  /* Every datagram waits the same delay, so the delay line is a queue in
   * the order they leave, and one source woken for its head serves it. */
  GQueue                delayed;
  GSource              *delay_source;
  Entry                *held;
  GSource              *hold_source;

  guint                 flushing : 1;
};

G_DEFINE_FINAL_TYPE (SpImpairment, sp_impairment, G_TYPE_OBJECT)

gboolean
sp_impairment_settings_equal (const SpImpairmentSettings *a,
                              const SpImpairmentSettings *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return a->drop == b->drop &&
         a->duplicate == b->duplicate &&
         a->reorder == b->reorder &&
         a->delay_ms == b->delay_ms &&
         a->seed == b->seed;
}

gboolean
sp_impairment_settings_is_active (const SpImpairmentSettings *settings)
{
  return settings != NULL &&
         (settings->drop > 0 || settings->duplicate > 0 || settings->reorder > 0 ||
          settings->delay_ms > 0);
}

static void
entry_free (SpImpairment *self,
            Entry        *entry)
{
  if (self->datagram_free != NULL)
    self->datagram_free (entry->datagram);
  g_free (entry);
}

/* A source that only has a ready time: it wakes when that time comes. */
static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

static GSource *
timer_new (SpImpairment *self,
           const char   *name,
           GSourceFunc   callback)
{
  GSource *source = g_source_new (&timer_funcs, sizeof (GSource));

  g_source_set_static_name (source, name);
  g_source_set_callback (source, callback, self, NULL);
  g_source_set_ready_time (source, -1);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

/* A timer's ready time stays after it fires: a source that is not
 * re-armed or disarmed would fire again at once. */
static void
set_ready_time (GSource *source,
                gint64   ready_time)
{
  if (source != NULL)
    g_source_set_ready_time (source, ready_time);
}

static void
release_held (SpImpairment *self,
              gpointer      after)
{
  Entry *held = g_steal_pointer (&self->held);

  if (held == NULL)
    return;

  set_ready_time (self->hold_source, -1);
  if (after != NULL)
    self->send (held->datagram, SP_IMPAIRMENT_LEAVE_AFTER, after, self->user_data);
  else
    self->send (held->datagram,
                self->flushing ? SP_IMPAIRMENT_LEAVE_FLUSH : SP_IMPAIRMENT_LEAVE_HOLD_OVER,
                NULL, self->user_data);
  entry_free (self, held);
}

/* The moment a datagram would go on the wire. A held-back one waits for
 * the next instead, unless one already waits: then this one is the next. */
static void
leave (SpImpairment *self,
       Entry        *entry)
{
  if (entry->held && self->held == NULL)
    {
      self->held = entry;
      set_ready_time (self->hold_source, g_get_monotonic_time () + SP_IMPAIRMENT_HOLD_MS * 1000);
      return;
    }

  self->send (entry->datagram,
              self->flushing ? SP_IMPAIRMENT_LEAVE_FLUSH : SP_IMPAIRMENT_LEAVE_DELAYED,
              NULL, self->user_data);
  release_held (self, entry->datagram);
  entry_free (self, entry);
}

static void
arm_delay (SpImpairment *self)
{
  Entry *head = g_queue_peek_head (&self->delayed);

  set_ready_time (self->delay_source, head != NULL ? head->due_us : -1);
}

static gboolean
on_delay_over (gpointer user_data)
{
  g_autoptr(SpImpairment) self = g_object_ref (user_data);
  gint64 now = g_get_monotonic_time ();
  Entry *head;

  while ((head = g_queue_peek_head (&self->delayed)) != NULL && head->due_us <= now)
    leave (self, g_queue_pop_head (&self->delayed));

  arm_delay (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_hold_over (gpointer user_data)
{
  g_autoptr(SpImpairment) self = g_object_ref (user_data);

  set_ready_time (self->hold_source, -1);
  release_held (self, NULL);
  return G_SOURCE_CONTINUE;
}

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
sp_impairment_dispose (GObject *object)
{
  SpImpairment *self = SP_IMPAIRMENT (object);
  Entry *entry;

  destroy_source (&self->delay_source);
  destroy_source (&self->hold_source);

  /* What still waits is lost, like packets in a cable that is cut. */
  while ((entry = g_queue_pop_head (&self->delayed)) != NULL)
    entry_free (self, entry);
  if (self->held != NULL)
    entry_free (self, g_steal_pointer (&self->held));

  G_OBJECT_CLASS (sp_impairment_parent_class)->dispose (object);
}

static void
sp_impairment_finalize (GObject *object)
{
  SpImpairment *self = SP_IMPAIRMENT (object);

  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (sp_impairment_parent_class)->finalize (object);
}

static void
sp_impairment_class_init (SpImpairmentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_impairment_dispose;
  object_class->finalize = sp_impairment_finalize;
}

static void
sp_impairment_init (SpImpairment *self)
{
  g_queue_init (&self->delayed);
}

SpImpairment *
sp_impairment_new (const SpImpairmentSettings *settings,
                   SpImpairmentSendFunc        send,
                   gpointer                    user_data,
                   GDestroyNotify              datagram_free)
{
  SpImpairment *self;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (send != NULL, NULL);

  self = g_object_new (SP_TYPE_IMPAIRMENT, NULL);
  self->settings = *settings;
  self->settings.drop = MIN (settings->drop, 100);
  self->settings.duplicate = MIN (settings->duplicate, 100);
  self->settings.reorder = MIN (settings->reorder, 100);
  self->settings.delay_ms = MIN (settings->delay_ms, SP_IMPAIRMENT_MAX_DELAY_MS);
  /* Seeded with an array, not g_rand_new_with_seed(): that is how Python's
   * random.Random(seed) seeds the same generator, so an exported program
   * can decide exactly as the playground did. */
  self->rand = g_rand_new_with_seed_array (&self->settings.seed, 1);
  self->send = send;
  self->user_data = user_data;
  self->datagram_free = datagram_free;
  self->delay_source = timer_new (self, "[sp] impairment delay", on_delay_over);
  self->hold_source = timer_new (self, "[sp] impairment hold", on_hold_over);

  return self;
}

const SpImpairmentSettings *
sp_impairment_get_settings (SpImpairment *self)
{
  g_return_val_if_fail (SP_IS_IMPAIRMENT (self), NULL);

  return &self->settings;
}

static gboolean
chance (SpImpairment *self,
        guint         percent)
{
  guint64 r = g_rand_int (self->rand);

  return ((r * 100) >> 32) < percent;
}

void
sp_impairment_decide (SpImpairment     *self,
                      SpImpairmentFate *fate)
{
  gboolean dropped;
  gboolean duplicated;
  gboolean held;

  g_return_if_fail (SP_IS_IMPAIRMENT (self));
  g_return_if_fail (fate != NULL);

  /* Three draws every time, in this order, so that each datagram's fate
   * depends only on the seed and how many came before it. */
  dropped = chance (self, self->settings.drop);
  duplicated = chance (self, self->settings.duplicate);
  held = chance (self, self->settings.reorder);

  fate->dropped = dropped;
  fate->duplicated = !dropped && duplicated;
  fate->held = !dropped && held;
}

gboolean
sp_impairment_leaves_now (SpImpairment           *self,
                          const SpImpairmentFate *fate)
{
  g_return_val_if_fail (SP_IS_IMPAIRMENT (self), TRUE);
  g_return_val_if_fail (fate != NULL, TRUE);

  return !fate->dropped && self->settings.delay_ms == 0 &&
         !(fate->held && self->held == NULL);
}

void
sp_impairment_sent (SpImpairment *self,
                    gpointer      datagram)
{
  g_return_if_fail (SP_IS_IMPAIRMENT (self));

  release_held (self, datagram);
}

void
sp_impairment_submit (SpImpairment           *self,
                      const SpImpairmentFate *fate,
                      gpointer                datagram)
{
  Entry *entry;

  g_return_if_fail (SP_IS_IMPAIRMENT (self));
  g_return_if_fail (fate != NULL && !fate->dropped);

  entry = g_new0 (Entry, 1);
  entry->datagram = datagram;
  entry->held = fate->held;

  if (self->settings.delay_ms == 0)
    {
      leave (self, entry);
      return;
    }

  entry->due_us = g_get_monotonic_time () + (gint64) self->settings.delay_ms * 1000;
  g_queue_push_tail (&self->delayed, entry);
  if (self->delayed.length == 1)
    arm_delay (self);
}

void
sp_impairment_flush (SpImpairment *self)
{
  g_autoptr(SpImpairment) alive = NULL;
  Entry *entry;

  g_return_if_fail (SP_IS_IMPAIRMENT (self));

  /* The send function may drop the last other reference. */
  alive = g_object_ref (self);

  /* As if every delay were over now: the order is the one they would
   * have left in, holding back included. */
  self->flushing = TRUE;
  while ((entry = g_queue_pop_head (&self->delayed)) != NULL)
    leave (self, entry);
  arm_delay (self);
  release_held (self, NULL);
  self->flushing = FALSE;
}

guint
sp_impairment_get_n_waiting (SpImpairment *self)
{
  g_return_val_if_fail (SP_IS_IMPAIRMENT (self), 0);

  return self->delayed.length + (self->held != NULL ? 1 : 0);
}
