/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "sp-poller.h"

/* Thousands of sockets waiting at once, as a serve with thousands of
 * clients has. A GSource per socket (and one per timeout) makes every
 * main-loop iteration visit all of them, in poll() and in the context's
 * prepare and check: a connection's cost would grow with the number of
 * connections. One source per main context instead, holding an epoll set
 * and the deadlines in order, costs each iteration only what is ready. */

typedef struct
{
  GSource       source;
  GMainContext *context;
  gpointer      tag;
  int           epfd;
  GSequence    *deadlines;   /* of SpPollerWatch, soonest first */
  GPtrArray    *dead;        /* unwatched during dispatch, freed after it */
  guint         n_watches;
  gboolean      dispatching;
} SpPoller;

struct _SpPollerWatch
{
  SpPoller      *poller;
  int            fd;
  gint64         deadline;
  GSequenceIter *deadline_iter;
  SpPollerFunc   ready;
  SpPollerFunc   timed_out;
  gpointer       user_data;
  guint32        events;
  gboolean       dead;
  /* Kept in the set between waits, edge-triggered, calling nothing while
   * paused (see sp_poller_keep). */
  gboolean       kept;
  gboolean       paused;
};

/* A context's poller: the table holds no reference, a poller leaves it
 * when it is freed. */
static GMutex pollers_lock;
static GHashTable *pollers;

#define MAX_EVENTS 256

static SpPollerWatch *
first_deadline (SpPoller *self)
{
  GSequenceIter *iter = g_sequence_get_begin_iter (self->deadlines);

  return g_sequence_iter_is_end (iter) ? NULL : g_sequence_get (iter);
}

static gboolean
poller_prepare (GSource *source,
                int     *timeout)
{
  SpPoller *self = (SpPoller *) source;
  SpPollerWatch *first = first_deadline (self);
  gint64 now;

  *timeout = -1;
  if (first == NULL)
    return FALSE;

  now = g_source_get_time (source);
  if (first->deadline <= now)
    return TRUE;
  *timeout = (int) MIN ((first->deadline - now + 999) / 1000, G_MAXINT);
  return FALSE;
}

static gboolean
poller_check (GSource *source)
{
  SpPoller *self = (SpPoller *) source;
  SpPollerWatch *first = first_deadline (self);

  if (g_source_query_unix_fd (source, self->tag) & G_IO_IN)
    return TRUE;
  return first != NULL && first->deadline <= g_source_get_time (source);
}

static void
watch_free (SpPollerWatch *watch)
{
  g_free (watch);
}

static void
poller_forget (SpPoller *self)
{
  g_mutex_lock (&pollers_lock);
  if (pollers != NULL && g_hash_table_lookup (pollers, self->context) == self)
    g_hash_table_remove (pollers, self->context);
  g_mutex_unlock (&pollers_lock);
}

/* An empty poller goes, so that no context keeps one it no longer needs. */
static void
poller_release_if_empty (SpPoller *self)
{
  if (self->n_watches > 0 || self->dispatching)
    return;

  poller_forget (self);
  g_source_destroy ((GSource *) self);
  g_source_unref ((GSource *) self);
}

static gboolean
poller_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  SpPoller *self = (SpPoller *) source;
  struct epoll_event events[MAX_EVENTS];
  SpPollerWatch *first;
  gint64 now = g_source_get_time (source);
  int n;

  g_source_ref (source);
  self->dispatching = TRUE;

  n = epoll_wait (self->epfd, events, MAX_EVENTS, 0);
  for (int i = 0; i < n; i++)
    {
      SpPollerWatch *watch = events[i].data.ptr;

      if (!watch->dead && !watch->paused)
        watch->ready (watch->user_data);
    }

  while ((first = first_deadline (self)) != NULL && first->deadline <= now)
    {
      g_sequence_remove (first->deadline_iter);
      first->deadline_iter = NULL;
      first->timed_out (first->user_data);
    }

  self->dispatching = FALSE;
  g_ptr_array_set_size (self->dead, 0);
  if (self->n_watches == 0)
    {
      poller_forget (self);
      g_source_unref (source);
      g_source_unref (source);
      return G_SOURCE_REMOVE;
    }
  g_source_unref (source);
  return G_SOURCE_CONTINUE;
}

static void
poller_finalize (GSource *source)
{
  SpPoller *self = (SpPoller *) source;

  poller_forget (self);
  close (self->epfd);
  g_sequence_free (self->deadlines);
  g_ptr_array_unref (self->dead);
}

static GSourceFuncs poller_funcs = {
  poller_prepare,
  poller_check,
  poller_dispatch,
  poller_finalize,
  NULL, NULL
};

/* The context's poller; the caller holds pollers_lock. */
static SpPoller *
poller_for (GMainContext *context)
{
  SpPoller *self;
  int epfd;

  if (pollers == NULL)
    pollers = g_hash_table_new (NULL, NULL);

  /* One whose context went away with watches left is done with. */
  self = g_hash_table_lookup (pollers, context);
  if (self != NULL && !g_source_is_destroyed ((GSource *) self))
    return self;

  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    return NULL;

  /* The table's reference is the one dropped when the poller empties. */
  self = (SpPoller *) g_source_new (&poller_funcs, sizeof (SpPoller));
  g_source_set_static_name ((GSource *) self, "SpPoller");
  self->context = context;
  self->epfd = epfd;
  self->deadlines = g_sequence_new (NULL);
  self->dead = g_ptr_array_new_with_free_func ((GDestroyNotify) watch_free);
  self->tag = g_source_add_unix_fd ((GSource *) self, epfd, G_IO_IN);
  g_source_attach ((GSource *) self, context);
  g_hash_table_insert (pollers, context, self);
  return self;
}

static int
deadline_compare (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const SpPollerWatch *wa = a, *wb = b;

  return (wa->deadline > wb->deadline) - (wa->deadline < wb->deadline);
}

static guint32
events_for (GIOCondition condition)
{
  return ((condition & G_IO_IN) ? EPOLLIN : 0) | ((condition & G_IO_OUT) ? EPOLLOUT : 0)
         | ((condition & G_IO_PRI) ? EPOLLPRI : 0);
}

static void
watch_set_deadline (SpPollerWatch *watch,
                    guint          timeout_ms)
{
  SpPoller *self = watch->poller;

  if (watch->deadline_iter != NULL)
    g_sequence_remove (watch->deadline_iter);
  watch->deadline_iter = NULL;
  if (timeout_ms > 0)
    {
      watch->deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
      watch->deadline_iter = g_sequence_insert_sorted (self->deadlines, watch,
                                                       deadline_compare, NULL);
    }
}

static SpPollerWatch *
watch_new (GMainContext *context,
           int           fd,
           GIOCondition  condition,
           gboolean      kept,
           guint         timeout_ms,
           SpPollerFunc  ready,
           SpPollerFunc  timed_out,
           gpointer      user_data)
{
  struct epoll_event event = { 0 };
  SpPollerWatch *watch;
  SpPoller *self;

  if (context == NULL)
    context = g_main_context_default ();

  g_mutex_lock (&pollers_lock);
  self = poller_for (context);
  g_mutex_unlock (&pollers_lock);
  if (self == NULL)
    return NULL;

  watch = g_new0 (SpPollerWatch, 1);
  watch->poller = self;
  watch->fd = fd;
  watch->ready = ready;
  watch->timed_out = timed_out;
  watch->user_data = user_data;
  watch->events = events_for (condition);
  watch->kept = kept;

  event.events = watch->events | (kept ? EPOLLET : 0);
  event.data.ptr = watch;
  if (epoll_ctl (self->epfd, EPOLL_CTL_ADD, fd, &event) != 0)
    {
      g_free (watch);
      poller_release_if_empty (self);
      return NULL;
    }

  self->n_watches++;
  watch_set_deadline (watch, timeout_ms);
  return watch;
}

/* Watches `fd` for `condition` until unwatched: `ready` runs while it
 * holds, `timed_out` once, `timeout_ms` from now (never when 0). NULL when
 * the descriptor cannot join the context's set (another watch has it
 * already): the caller waits its own way then. */
SpPollerWatch *
sp_poller_watch (GMainContext *context,
                 int           fd,
                 GIOCondition  condition,
                 guint         timeout_ms,
                 SpPollerFunc  ready,
                 SpPollerFunc  timed_out,
                 gpointer      user_data)
{
  return watch_new (context, fd, condition, FALSE, timeout_ms, ready, timed_out, user_data);
}

/* As sp_poller_watch(), for a descriptor that waits again and again (a
 * connection's receives): it stays in the set while paused, so that a wait
 * costs no call to add it and one to take it out. Edge-triggered, since a
 * paused watch must not make every iteration wake up: `ready` runs when
 * readiness begins, so wait only after a call said EAGAIN. Unwatch it
 * before the descriptor is closed, as its number may come back. */
SpPollerWatch *
sp_poller_keep (GMainContext *context,
                int           fd,
                GIOCondition  condition,
                guint         timeout_ms,
                SpPollerFunc  ready,
                SpPollerFunc  timed_out,
                gpointer      user_data)
{
  return watch_new (context, fd, condition, TRUE, timeout_ms, ready, timed_out, user_data);
}

/* A kept watch calls nothing until resumed. */
void
sp_poller_pause (SpPollerWatch *watch)
{
  g_return_if_fail (watch->kept);

  watch_set_deadline (watch, 0);
  watch->paused = TRUE;
  watch->ready = NULL;
  watch->timed_out = NULL;
  watch->user_data = NULL;
}

/* Waits again on a paused kept watch, as sp_poller_keep() would. FALSE
 * when the set cannot take the new condition: the watch stays paused. */
gboolean
sp_poller_resume (SpPollerWatch *watch,
                  GIOCondition   condition,
                  guint          timeout_ms,
                  SpPollerFunc   ready,
                  SpPollerFunc   timed_out,
                  gpointer       user_data)
{
  guint32 events = events_for (condition);

  g_return_val_if_fail (watch->kept && watch->paused, FALSE);

  if (events != watch->events)
    {
      struct epoll_event event = { 0 };

      /* Readiness is looked at again: a condition that holds already is
       * an edge. */
      event.events = events | EPOLLET;
      event.data.ptr = watch;
      if (epoll_ctl (watch->poller->epfd, EPOLL_CTL_MOD, watch->fd, &event) != 0)
        return FALSE;
      watch->events = events;
    }

  watch->paused = FALSE;
  watch->ready = ready;
  watch->timed_out = timed_out;
  watch->user_data = user_data;
  watch_set_deadline (watch, timeout_ms);
  return TRUE;
}

gboolean
sp_poller_is_paused (SpPollerWatch *watch)
{
  return watch->paused;
}

GMainContext *
sp_poller_get_context (SpPollerWatch *watch)
{
  return watch->poller->context;
}

void
sp_poller_unwatch (SpPollerWatch *watch)
{
  SpPoller *self = watch->poller;

  epoll_ctl (self->epfd, EPOLL_CTL_DEL, watch->fd, NULL);
  if (watch->deadline_iter != NULL)
    g_sequence_remove (watch->deadline_iter);
  watch->deadline_iter = NULL;
  watch->dead = TRUE;
  self->n_watches--;

  /* Events already taken from the set may still name it. */
  if (self->dispatching)
    g_ptr_array_add (self->dead, watch);
  else
    g_free (watch);

  poller_release_if_empty (self);
}
