/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <netdb.h>

#include "sp-data.h"
#include "sp-describe.h"
#include "sp-descriptors.h"
#include "sp-endpoint.h"
#include "sp-errno.h"
#include "sp-lookup.h"
#include "sp-io-thread.h"
#include "sp-player.h"
#include "sp-serve.h"
#include "sp-traffic-log-private.h"

struct _SpPlayer
{
  GObject        parent_instance;

  SpSession     *session;
  SpTrafficLog  *log;

  /* Live sockets in the order they came to life, and the newest by id. */
  GListStore    *sockets;
  GHashTable    *by_id;
  GPtrArray     *serves;
  /* Each serve's step, which a failure of the serve names. */
  GHashTable    *serve_steps;

  /* Sockets make repeated receives on the I/O thread (a window's). */
  gboolean       reads_in_thread;

  SpPlayerState  state;
  guint          position;
  guint          n_failed;
  guint          delay_ms;
  GSource       *next_source;
  /* Runs under way, and runs performed on a socket that was busy, waiting
   * their turn. Their steps sit together in the session from `position` on:
   * a run that ends moves its step to `position`, so the session records
   * steps in the order they finished, which is an order that replays one
   * step at a time (an accept that waited for a connect comes after it). */
  GPtrArray     *active;
  GQueue         waiting;
  /* Runs on a listener that a bounded serve is serving, parked until that
   * serve is over; the replay goes on beside them. Their steps sit before
   * `position`, where the parking put them. */
  GPtrArray     *parked;

  /* Bumped by restart, so that answers to calls made before it are ignored. */
  guint          generation;

  /* The step objects that have run since the last restart (a set holding
   * a reference to each), and how many steps before `position` are not
   * among them. */
  GHashTable    *has_run;
  guint          n_stale;

  /* Runs held at a destination beyond this machine until "confirm-remote"
   * is answered (Held), and whether that question is open. */
  GPtrArray     *held;

  guint          running : 1;
  guint          allow_remote : 1;
  guint          asking : 1;
  guint          finished_emitted : 1;
};

G_DEFINE_FINAL_TYPE (SpPlayer, sp_player, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_POSITION,
  PROP_N_STALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  STEP_STARTED,
  STEP_FINISHED,
  FINISHED,
  SOCKET_ADDED,
  CONFIRM_REMOTE,
  CONFIRM_LOOKUP,
  SERVE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* How long a repeated receive runs before it lets others at the main loop:
 * short enough for a window to keep its frame rate. */
#define RECEIVE_SLICE_US (8 * 1000)
/* How many receive calls a batch makes at most: enough that a burst costs
 * few main-loop turns, few enough that a batch stays well inside a slice. */
#define RECEIVE_BATCH 64
/* GDK_PRIORITY_REDRAW, which the core cannot include. */
#define RECEIVE_YIELD_PRIORITY (G_PRIORITY_HIGH_IDLE + 20)

/* One execution of a step. */
typedef struct
{
  SpPlayer   *player;
  SpStep     *step;
  SpSocket   *socket;
  guint       index;
  guint       generation;
  guint       first_event;   /* the log's length when the run started */

  guint       calls_left;    /* for "count" */
  GByteArray *received;      /* kept only when the expectation needs the bytes */
  guint64     n_bytes;
  int         error_code;    /* the call's errno, 0 when it succeeded */
  GSocketAddress *destination; /* where sendto sends, for every repeat */
  GSource    *wait_source;   /* sleep, or the time limit of a name lookup */
  GSource    *settle_source; /* an ended wait, recorded once its cause is */
  GSource    *yield_source;  /* a repeated receive letting the main loop breathe */
  gint64      slice_started_us;
  char       *problem;       /* what run_finish was given, while it waits */
  char       *raised;        /* what a failed call raised when not an OSError */
  SpServe    *serve;         /* the serve a parked run waits for */
} Run;

static void run_execute (Run *run);
static void run_finish (Run *run, const char *problem);
static void schedule_next (SpPlayer *self);
static gboolean on_interval_over (gpointer user_data);

static Run *
run_new (SpPlayer *self,
         SpStep   *step,
         guint     index)
{
  Run *run = g_new0 (Run, 1);

  run->player = g_object_ref (self);
  run->step = g_object_ref (step);
  run->index = index;
  run->generation = self->generation;
  run->calls_left = sp_step_get_count (step);
  return run;
}

static void
run_free (Run *run)
{
  if (run->wait_source != NULL)
    g_source_destroy (run->wait_source);
  g_clear_pointer (&run->wait_source, g_source_unref);
  if (run->settle_source != NULL)
    g_source_destroy (run->settle_source);
  g_clear_pointer (&run->settle_source, g_source_unref);
  if (run->yield_source != NULL)
    g_source_destroy (run->yield_source);
  g_clear_pointer (&run->yield_source, g_source_unref);
  g_free (run->problem);
  g_free (run->raised);
  g_clear_pointer (&run->received, g_byte_array_unref);
  g_clear_object (&run->destination);
  g_clear_object (&run->serve);
  g_clear_object (&run->socket);
  g_clear_object (&run->step);
  g_clear_object (&run->player);
  g_free (run);
}

/* An answer to a call made before a restart (or after the player went
 * away) is dropped together with its run. */
static gboolean
run_is_stale (Run *run)
{
  return run->generation != run->player->generation;
}

static guint
run_timeout (Run *run)
{
  return sp_step_get_timeout_ms (run->step);
}

static void
record_player_event (SpPlayer    *self,
                     SpEventKind  kind,
                     SpCall       call,
                     int          index,
                     const char  *socket_id,
                     int          error_code,
                     const char  *args,
                     const char  *detail)
{
  SpEventInfo info = {
    .kind = kind,
    .call = call,
    .ok = error_code == 0,
    .error_code = error_code,
    .state = SP_STATE_UNCREATED,
    .step = index,
    .socket_id = socket_id,
    .detail = detail,
    .args = args,
  };

  sp_traffic_log_append (self->log, &info);
}

static void
set_state (SpPlayer      *self,
           SpPlayerState  state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

/* How many steps in [from, to) have not run as they are now. */
static guint
count_stale (SpPlayer *self,
             guint     from,
             guint     to)
{
  guint n = 0;

  to = MIN (to, sp_session_get_n_steps (self->session));
  for (guint i = from; i < to; i++)
    if (!g_hash_table_contains (self->has_run, sp_session_get_step (self->session, i)))
      n++;

  return n;
}

static void
set_n_stale (SpPlayer *self,
             guint     n_stale)
{
  if (self->n_stale != n_stale)
    {
      self->n_stale = n_stale;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STALE]);
    }
}

static void
set_position (SpPlayer *self,
              guint     position)
{
  guint old = self->position;
  guint n_stale;

  if (old == position)
    return;

  /* Going on only adds the steps passed over; the steps before the old
   * position are as they were. */
  if (position > old)
    n_stale = self->n_stale + count_stale (self, old, position);
  else
    n_stale = count_stale (self, 0, position);

  /* Both are current before either is announced. */
  self->position = position;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
  set_n_stale (self, n_stale);
}

/* An edit replaces a step's object, and a step can be inserted or removed
 * anywhere: only a change before the position changes what ran there. The
 * player's own changes (a performed step joining, a finished one moving to
 * the position) are all at or after it. */
static void
on_steps_changed (SpPlayer *self,
                  guint     at,
                  guint     removed,
                  guint     added)
{
  if (at < self->position)
    set_n_stale (self, count_stale (self, 0, self->position));
}

static void
add_socket (SpPlayer *self,
            SpSocket *socket)
{
  sp_socket_set_reads_in_thread (socket, self->reads_in_thread);
  g_hash_table_replace (self->by_id, g_strdup (sp_socket_get_id (socket)),
                        g_object_ref (socket));
  g_list_store_append (self->sockets, socket);
  g_signal_emit (self, signals[SOCKET_ADDED], 0, socket);
}

static gboolean
serves_pending (SpPlayer *self)
{
  for (guint i = 0; i < self->serves->len; i++)
    {
      SpServe *serve = g_ptr_array_index (self->serves, i);

      if (sp_serve_get_bounded (serve) && !sp_serve_get_finished (serve))
        return TRUE;
    }

  return FALSE;
}

static void
maybe_finish (SpPlayer *self)
{
  if (self->finished_emitted || self->state == SP_PLAYER_RUNNING || self->parked->len > 0 ||
      self->position < sp_session_get_n_steps (self->session) || serves_pending (self))
    return;

  self->finished_emitted = TRUE;
  self->running = FALSE;
  set_state (self, SP_PLAYER_FINISHED);
  g_signal_emit (self, signals[FINISHED], 0, self->n_failed == 0);
}

static void release_parked (SpPlayer *self, SpServe *serve);

/* People count steps from 1, as the window numbers them; JSON and the
 * steps[N] paths keep the index. */
static char *
label_step (guint   index,
            SpStep *step)
{
  const char *call = sp_call_to_string (step->call);

  if (step->socket != NULL)
    return g_strdup_printf (_("step %u (%s %s)"), index + 1, step->socket, call);
  return g_strdup_printf (_("step %u (%s)"), index + 1, call);
}

static char *describe_error (int code);

/* Where the serve's step is now: steps move as they finish, and the window
 * may insert steps before it. -1 when it is no longer in the session. */
static int
find_step (SpPlayer *self,
           SpStep   *step)
{
  guint n = sp_session_get_n_steps (self->session);

  for (guint i = 0; step != NULL && i < n; i++)
    if (sp_session_get_step (self->session, i) == step)
      return (int) i;

  return -1;
}

/* A serve's step finished as soon as the serve started: a failure later,
 * in an accept or on a connection, is told through "serve-failed", named
 * by the step, the socket and the errno it really met. */
static void
report_serve_failure (SpPlayer *self,
                      SpServe  *serve)
{
  SpStep *step = g_hash_table_lookup (self->serve_steps, serve);
  int index = find_step (self, step);
  const char *socket_id = NULL;
  SpCall call = SP_CALL_SERVE;
  int code = sp_serve_get_error (serve, &call, &socket_id);
  g_autofree char *label = NULL;
  g_autofree char *where = NULL;
  g_autofree char *error = describe_error (code);
  g_autofree char *reason = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *message = NULL;

  label = index >= 0 ? label_step ((guint) index, step)
                     : g_strdup (sp_call_to_string (SP_CALL_SERVE));
  /* Translators: a call and the socket it was made on: accept() on “server” */
  where = g_strdup_printf (_("%s() on “%s”"), sp_call_to_string (call),
                           socket_id != NULL ? socket_id : "?");

  if (call == SP_CALL_ACCEPT && code == ETIMEDOUT)
    reason = g_strdup_printf (_("no client connected within %u ms"),
                              sp_serve_get_timeout_ms (serve));
  else if (call == SP_CALL_RECV && code == ETIMEDOUT)
    reason = g_strdup_printf (_("nothing arrived for %u ms, so the server closed the connection"),
                              sp_serve_get_idle_timeout_ms (serve));

  /* The event's own error says the errno; its text says where. */
  if (reason != NULL)
    {
      detail = g_strdup_printf ("%s: %s: %s", label, where, reason);
      message = g_strdup_printf (_("%s: %s failed with %s: %s"), label, where, error, reason);
    }
  else
    {
      detail = g_strdup_printf (_("%s: %s failed"), label, where);
      message = g_strdup_printf (_("%s: %s failed with %s"), label, where, error);
    }

  self->n_failed++;
  record_player_event (self, SP_EVENT_NOTE, SP_CALL_SERVE, index,
                       sp_socket_get_id (sp_serve_get_listener (serve)), code, NULL, detail);
  g_signal_emit (self, signals[SERVE_FAILED], 0, (guint) MAX (index, 0), message, step);
}

static void
on_serve_finished (SpServe  *serve,
                   gboolean  ok,
                   SpPlayer *self)
{
  if (!ok)
    report_serve_failure (self, serve);

  release_parked (self, serve);
  maybe_finish (self);
}

static void
on_serve_accept_paused (SpServe  *serve,
                        int       code,
                        SpPlayer *self)
{
  guint n_active = sp_serve_get_n_active (serve);
  g_autofree char *message = NULL;

  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "accept failed with %s (%s): the server goes on "
                                          "serving the %u connection it has and accepts again "
                                          "once a descriptor is free",
                                          "accept failed with %s (%s): the server goes on "
                                          "serving the %u connections it has and accepts again "
                                          "once a descriptor is free",
                                          n_active),
                             sp_errno_name (code) != NULL ? sp_errno_name (code) : "OSError",
                             sp_errno_message (code), n_active);
  record_player_event (self, SP_EVENT_NOTE, SP_CALL_SERVE, -1,
                       sp_socket_get_id (sp_serve_get_listener (serve)), code, NULL, message);
}

static void
on_serve_connection_idle (SpServe  *serve,
                          SpSocket *connection,
                          SpPlayer *self)
{
  SpStep *step = g_hash_table_lookup (self->serve_steps, serve);
  g_autofree char *message = NULL;

  message = g_strdup_printf (_("silent for %u ms: the server closes the connection"),
                             sp_serve_get_idle_timeout_ms (serve));
  record_player_event (self, SP_EVENT_NOTE, SP_CALL_SERVE, find_step (self, step),
                       sp_socket_get_id (connection), 0, NULL, message);
}

static void
on_serve_accepted (SpServe  *serve,
                   SpSocket *connection,
                   SpPlayer *self)
{
  add_socket (self, connection);
}

/* Expectations */

static char *
describe_bytes (const guint8 *data,
                gsize         length)
{
  g_autofree char *repr = sp_data_format_python_bytes (data, length, 64);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (%llu byte)", "%s (%llu bytes)",
                                       length),
                          repr, (unsigned long long) length);
}

static gboolean
bytes_contain (const guint8 *haystack,
               gsize         haystack_len,
               const guint8 *needle,
               gsize         needle_len)
{
  if (needle_len == 0)
    return TRUE;
  if (needle_len > haystack_len)
    return FALSE;

  for (gsize i = 0; i + needle_len <= haystack_len; i++)
    if (memcmp (haystack + i, needle, needle_len) == 0)
      return TRUE;

  return FALSE;
}

/* As Python shows the exception, "ConnectionResetError: [Errno 104]
 * Connection reset by peer", with the errno's name that `expect` uses. */
static char *
describe_error (int code)
{
  return g_strdup_printf ("%s: [Errno %d] %s (%s)",
                          sp_errno_python_exception (code), code, sp_errno_message (code),
                          sp_errno_name (code) != NULL ? sp_errno_name (code) : "?");
}

/* A failed lookup names the host it was for: "gaierror: [Errno -2] Name or
 * service not known (EAI_NONAME), looking up “no-such-host.invalid”". */
static char *
describe_lookup_error (int         code,
                       const char *host)
{
  g_autofree char *error = describe_error (code);
  g_autofree char *shown = sp_describe_text (host);

  return g_strdup_printf (_("%s, looking up “%s”"), error, shown);
}

/* NULL when the expectation holds, else what was expected and what happened. */
static char *
check_expectation (Run *run)
{
  SpStep *step = run->step;
  const SpExpect *expect = &step->expect;
  const guint8 *got = run->received != NULL ? run->received->data : NULL;
  gsize got_len = run->received != NULL ? run->received->len : 0;

  if (step->has_expect && expect->any)
    return NULL;

  if (step->has_expect && expect->error != NULL)
    {
      int wanted = sp_errno_from_name (expect->error);

      if (run->error_code == 0)
        return g_strdup_printf (_("expected %s, but the call succeeded"), expect->error);
      if (run->error_code != wanted)
        {
          g_autofree char *error = run->raised != NULL ? g_strdup (run->raised)
                                                       : describe_error (run->error_code);

          return g_strdup_printf (_("expected %s, but the call failed with %s"),
                                  expect->error, error);
        }
      return NULL;
    }

  /* connect_ex reports the errno as its result rather than raising; a
   * failed name lookup raises all the same. */
  if (run->error_code != 0 &&
      (step->call != SP_CALL_CONNECT_EX || sp_errno_is_lookup (run->error_code)))
    {
      g_autofree char *error = run->raised != NULL ? g_strdup (run->raised)
                                                   : describe_error (run->error_code);

      return g_strdup_printf (_("the call failed with %s"), error);
    }

  if (!step->has_expect)
    return NULL;

  if (expect->ok && step->call == SP_CALL_CONNECT_EX && run->error_code != 0)
    return g_strdup_printf (_("expected 0, but connect_ex returned %d (%s)"),
                            run->error_code, sp_errno_name (run->error_code));

  if (expect->data != NULL)
    {
      gsize want_len;
      const guint8 *want = g_bytes_get_data (expect->data->bytes, &want_len);

      if (want_len != got_len || (want_len > 0 && memcmp (want, got, want_len) != 0))
        {
          g_autofree char *wanted = describe_bytes (want, want_len);
          g_autofree char *actual = describe_bytes (got, got_len);

          return g_strdup_printf (_("expected %s, received %s"), wanted, actual);
        }
    }

  if (expect->contains != NULL)
    {
      gsize want_len;
      const guint8 *want = g_bytes_get_data (expect->contains->bytes, &want_len);

      if (!bytes_contain (got, got_len, want, want_len))
        {
          g_autofree char *wanted = describe_bytes (want, want_len);
          g_autofree char *actual = describe_bytes (got, got_len);

          return g_strdup_printf (_("expected to find %s, received %s"), wanted, actual);
        }
    }

  if (expect->bytes >= 0 && (guint64) expect->bytes != run->n_bytes)
    return g_strdup_printf (_("expected %lld bytes, the call moved %llu"),
                            (long long) expect->bytes, (unsigned long long) run->n_bytes);

  return NULL;
}

static char *
step_label (Run *run)
{
  return label_step (run->index, run->step);
}

/* Moves a run that ended to `position`, the first place after every step
 * that has finished, and shifts the runs still under way behind it. The
 * events already logged move with their steps. */
static void
settle (Run *run)
{
  SpPlayer *self = run->player;
  guint first = self->position;
  guint last = run->index;
  guint first_event = run->first_event;

  g_ptr_array_remove (self->active, run);

  if (last > first)
    {
      for (guint i = 0; i < self->active->len; i++)
        {
          Run *other = g_ptr_array_index (self->active, i);

          first_event = MIN (first_event, other->first_event);
          if (other->index >= first && other->index < last)
            {
              other->index++;
              if (other->socket != NULL)
                sp_socket_set_step (other->socket, other->index);
            }
        }
      for (GList *l = self->waiting.head; l != NULL; l = l->next)
        {
          Run *other = l->data;

          if (other->index >= first && other->index < last)
            other->index++;
        }

      sp_session_move_step (self->session, last, first);
      _sp_traffic_log_rotate_steps (self->log, first_event, first, last);
      run->index = first;
    }

  if (run->index >= self->position)
    set_position (self, run->index + 1);
}

static gboolean
socket_is_busy (SpPlayer   *self,
                const char *socket_id)
{
  if (socket_id == NULL)
    return FALSE;

  for (guint i = 0; i < self->active->len; i++)
    {
      Run *other = g_ptr_array_index (self->active, i);

      if (g_strcmp0 (other->step->socket, socket_id) == 0)
        return TRUE;
    }

  for (guint i = 0; i < self->parked->len; i++)
    {
      Run *other = g_ptr_array_index (self->parked, i);

      if (g_strcmp0 (other->step->socket, socket_id) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
start_run (Run *run)
{
  SpPlayer *self = run->player;

  self->finished_emitted = FALSE;
  run->first_event = sp_traffic_log_get_n_appended (self->log);
  g_ptr_array_add (self->active, run);
  set_state (self, SP_PLAYER_RUNNING);
  g_signal_emit (self, signals[STEP_STARTED], 0, run->index, run->step);
  run_execute (run);
}

/* Starts the performed runs whose socket has become free, in order. */
static void
start_waiting (SpPlayer *self)
{
  GList *l = self->waiting.head;

  while (l != NULL)
    {
      GList *next = l->next;
      Run *run = l->data;

      if (!socket_is_busy (self, run->step->socket))
        {
          g_queue_delete_link (&self->waiting, l);
          start_run (run);
          /* Starting may have finished runs and changed the queue. */
          next = self->waiting.head;
        }
      l = next;
    }
}

static void run_finish_now (Run *run, const char *problem);

static gboolean
on_settle (gpointer user_data)
{
  Run *run = user_data;
  g_autofree char *problem = g_steal_pointer (&run->problem);

  g_clear_pointer (&run->settle_source, g_source_unref);
  run_finish_now (run, problem);
  return G_SOURCE_REMOVE;
}

/* Whether the run's call ends when something another socket does arrives. */
static gboolean
run_waits_for_peer (Run *run)
{
  switch (run->step->call)
    {
    case SP_CALL_ACCEPT:
    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
      return TRUE;

    case SP_CALL_SOCKET:
    case SP_CALL_SETSOCKOPT:
    case SP_CALL_BIND:
    case SP_CALL_LISTEN:
    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
    case SP_CALL_SENDTO:
    case SP_CALL_SHUTDOWN:
    case SP_CALL_CLOSE:
    case SP_CALL_GETSOCKNAME:
    case SP_CALL_GETPEERNAME:
    case SP_CALL_GETHOSTNAME:
    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
    case SP_CALL_SERVE:
    case SP_CALL_SLEEP:
    case SP_CALL_NOTE:
    case SP_N_CALLS:
    default:
      return FALSE;
    }
}

/* Whether a run under way, other than `run`, may be what `run` waited for:
 * a connect or send still reporting, rather than another wait. */
static gboolean
has_cause_under_way (SpPlayer *self,
                     Run      *run)
{
  for (guint i = 0; i < self->active->len; i++)
    {
      Run *other = g_ptr_array_index (self->active, i);

      if (other != run && other->settle_source == NULL && !run_waits_for_peer (other))
        return TRUE;
    }

  return FALSE;
}

/* Longest an ended wait waits for its cause to report; loopback answers in
 * well under a millisecond. */
#define SETTLE_LIMIT_MS 200

/* Ends the run: `problem` is a failure that happened before or instead of
 * the call (bad input); otherwise the expectation decides.
 *
 * An accept or recv can end before the connect or send that caused it has
 * reported, although the kernel finished that first. It is recorded once
 * those have (or after SETTLE_LIMIT_MS), so the session records cause
 * before effect and replays one step at a time. */
static void
run_finish (Run        *run,
            const char *problem)
{
  if (!run_is_stale (run) && run_waits_for_peer (run) && has_cause_under_way (run->player, run))
    {
      run->problem = g_strdup (problem);
      run->settle_source = g_timeout_source_new (SETTLE_LIMIT_MS);
      g_source_set_callback (run->settle_source, on_settle, run, NULL);
      g_source_attach (run->settle_source, g_main_context_get_thread_default ());
      return;
    }

  run_finish_now (run, problem);
}

/* Records the ended waits whose causes have now reported. */
static void
release_settled (SpPlayer *self)
{
  gboolean again = TRUE;

  while (again)
    {
      again = FALSE;
      for (guint i = 0; i < self->active->len; i++)
        {
          Run *run = g_ptr_array_index (self->active, i);

          if (run->settle_source != NULL && !has_cause_under_way (self, run))
            {
              g_source_destroy (run->settle_source);
              on_settle (run);
              again = TRUE;
              break;
            }
        }
    }
}

/* After a run ended or parked: the runs waiting for its socket start, and
 * with nothing under way the replay goes on, or finishes. */
static void
go_on (SpPlayer *self)
{
  release_settled (self);
  start_waiting (self);
  if (self->active->len == 0)
    {
      if (self->running && self->position < sp_session_get_n_steps (self->session))
        schedule_next (self);
      else
        maybe_finish (self);
    }
}

static void
run_finish_now (Run        *run,
                const char *problem)
{
  SpPlayer *self = run->player;
  g_autofree char *failure = NULL;
  g_autofree char *message = NULL;
  gboolean passed;

  if (run_is_stale (run))
    {
      run_free (run);
      return;
    }

  if (problem != NULL)
    {
      record_player_event (self, SP_EVENT_NOTE, run->step->call, run->index, run->step->socket,
                           EINVAL, NULL, problem);
      failure = g_strdup (problem);
    }
  else
    failure = check_expectation (run);

  /* Before it moves to the position, so that it is not counted stale. */
  if (!g_hash_table_contains (self->has_run, run->step))
    g_hash_table_add (self->has_run, g_object_ref (run->step));
  settle (run);

  passed = failure == NULL;
  if (!passed)
    {
      g_autofree char *label = step_label (run);

      message = g_strdup_printf ("%s: %s", label, failure);
      self->n_failed++;
      self->running = FALSE;
    }

  if (self->active->len == 0)
    set_state (self, SP_PLAYER_IDLE);

  g_signal_emit (self, signals[STEP_FINISHED], 0, run->index, passed, message, run->step);
  run_free (run);

  go_on (self);
}

/* A serve that runs by itself until its connections are served */
static SpServe *
bounded_serve_on (SpPlayer   *self,
                  const char *socket_id)
{
  SpSocket *socket = socket_id != NULL ? g_hash_table_lookup (self->by_id, socket_id) : NULL;

  if (socket == NULL)
    return NULL;

  for (guint i = 0; i < self->serves->len; i++)
    {
      SpServe *serve = g_ptr_array_index (self->serves, i);

      if (sp_serve_get_listener (serve) == socket && sp_serve_get_bounded (serve) &&
          !sp_serve_get_finished (serve))
        return serve;
    }

  return NULL;
}

/* A later step on a listener that a bounded serve is serving (its close,
 * another serve) waits until that serve is over, as a program's server
 * thread is joined before its socket is closed. The step stays started,
 * which is how a window shows it waiting, and the replay goes on with the
 * steps after it: the clients the serve waits for come there. */
static void
park_run (Run     *run,
          SpServe *serve)
{
  SpPlayer *self = run->player;
  g_autofree char *message = NULL;

  message = g_strdup_printf (_("%s waits until the serve on “%s” is over"),
                             sp_call_to_string (run->step->call), run->step->socket);
  record_player_event (self, SP_EVENT_NOTE, run->step->call, run->index, run->step->socket, 0,
                       NULL, message);

  g_set_object (&run->serve, serve);
  /* Its place is taken now, so that the steps after it follow it. */
  if (!g_hash_table_contains (self->has_run, run->step))
    g_hash_table_add (self->has_run, g_object_ref (run->step));
  settle (run);
  g_ptr_array_add (self->parked, run);

  if (self->active->len == 0)
    set_state (self, SP_PLAYER_IDLE);
  go_on (self);
}

/* Runs the steps parked on `serve`, which is over. */
static void
release_parked (SpPlayer *self,
                SpServe  *serve)
{
  guint i = 0;

  while (i < self->parked->len)
    {
      Run *run = g_ptr_array_index (self->parked, i);

      if (run->serve != serve)
        {
          i++;
          continue;
        }

      g_ptr_array_steal_index (self->parked, i);
      g_clear_object (&run->serve);
      g_ptr_array_add (self->active, run);
      set_state (self, SP_PLAYER_RUNNING);
      run_execute (run);
      /* Running it may have changed the list: start over. */
      i = 0;
    }
}

static void
run_fail_with_error (Run    *run,
                     GError *error)
{
  run->error_code = sp_errno_from_gerror (error);
  if (run->error_code == 0)
    {
      run_finish (run, error->message);
      return;
    }
  run_finish (run, NULL);
}

/* Addresses */

typedef void (*AddressReady) (Run            *run,
                              GSocketAddress *address);

/* A name lookup under way. It outlives its run when the time limit ended
 * the run first: `done` says so. `on_timeout` and `on_done` are kept to
 * start it again once a lookup beyond this machine is allowed. */
typedef struct
{
  Run                 *run;
  AddressReady         ready;
  SpFamily             family;
  guint16              port;
  char                *field;
  char                *host;
  gboolean             done;
  GSourceFunc          on_timeout;
  GAsyncReadyCallback  on_done;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_free (lookup->field);
  g_free (lookup->host);
  g_free (lookup);
}

/* The addresses a lookup asks for, as Python asks: gethostbyname IPv4
 * only, getaddrinfo any, a socket's call its own family. */
static GSocketFamily
lookup_family (Lookup *lookup)
{
  SpCall call = lookup->run->step->call;

  if (call == SP_CALL_GETHOSTBYNAME)
    return G_SOCKET_FAMILY_IPV4;
  if (call == SP_CALL_GETADDRINFO)
    return G_SOCKET_FAMILY_INVALID;
  return lookup->family == SP_FAMILY_INET6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4;
}

/* Starts looking up `lookup->host`, with the run's time limit as a
 * main-loop source calling `on_timeout`: a resolver that never answers
 * ends the step, not the replay. Until a replay may reach other machines,
 * only the names this machine answers itself are looked up. */
static void
lookup_start (Lookup              *lookup,
              GSourceFunc          on_timeout,
              GAsyncReadyCallback  on_done)
{
  Run *run = lookup->run;

  lookup->on_timeout = on_timeout;
  lookup->on_done = on_done;
  lookup->done = FALSE;

  run->wait_source = g_timeout_source_new (run_timeout (run));
  g_source_set_callback (run->wait_source, on_timeout, lookup, NULL);
  g_source_attach (run->wait_source, g_main_context_get_thread_default ());

  sp_lookup_async (lookup->host, lookup_family (lookup), !run->player->allow_remote, NULL,
                   on_done, lookup);
}

static gboolean ask_remote (Run *run, GSocketAddress *address, AddressReady ready,
                            Lookup *lookup);

/* The field a lookup's name came from, for messages. */
static const char *
lookup_field (Lookup *lookup)
{
  return lookup->field != NULL ? lookup->field : "host";
}

/* A name this machine does not answer itself, and the replay may not ask
 * a DNS server: the run is held until the window's question is answered,
 * or, with nobody to ask, it fails as a destination beyond loopback does,
 * before any question leaves. Takes `lookup`. */
static void
lookup_not_local (Lookup *lookup)
{
  Run *run = lookup->run;
  g_autofree char *problem = NULL;
  g_autofree char *host = NULL;

  if (ask_remote (run, NULL, NULL, lookup))
    return;

  host = sp_describe_text (lookup->host);

  problem = g_strdup_printf (_("%s: looking up “%s” would ask a DNS server beyond this "
                               "machine; without --allow-remote a replay looks up only the "
                               "names this machine answers itself (localhost, its host name, "
                               "/etc/hosts)"),
                             lookup_field (lookup), host);
  lookup_free (lookup);
  run_finish (run, problem);
}

/* A socket's call that failed at its name lookup, before the kernel saw
 * it, as Python's connect(('no-such-host.invalid', 80)) raises gaierror. */
static void
record_lookup_failure (Run    *run,
                       Lookup *lookup,
                       int     code)
{
  GSocketAddress *local = run->socket != NULL ? sp_socket_get_local_address (run->socket)
                                              : NULL;
  g_autofree char *local_text = local != NULL ? sp_endpoint_format (local) : NULL;
  g_autofree char *args = NULL;
  g_autofree char *remote = NULL;
  SpEventInfo info = {
    .kind = SP_EVENT_CALL,
    .call = run->step->call,
    .ok = FALSE,
    .error_code = code,
    .state = run->socket != NULL ? sp_socket_get_state (run->socket) : SP_STATE_UNCREATED,
    .step = run->index,
    .socket_id = run->step->socket,
    .local = local_text,
  };

  args = g_strdup_printf ("('%s', %u)", lookup->host, lookup->port);
  remote = g_strdup_printf ("%s:%u", lookup->host, lookup->port);
  info.args = args;
  info.remote = remote;
  sp_traffic_log_append (run->player->log, &info);
}

static GInetAddress *
pick_address (GList    *addresses,
              SpFamily  family)
{
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      GInetAddress *address = l->data;
      GSocketFamily socket_family = g_inet_address_get_family (address);

      if (family == SP_FAMILY_INET && socket_family == G_SOCKET_FAMILY_IPV4)
        return g_object_ref (address);
      if (family == SP_FAMILY_INET6 && socket_family == G_SOCKET_FAMILY_IPV6)
        return g_object_ref (address);
    }

  return NULL;
}

static void
on_lookup_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Lookup *lookup = user_data;
  Run *run = lookup->run;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  GList *addresses;

  addresses = sp_lookup_finish (result, &error);
  if (lookup->done)
    {
      /* The time limit already ended the step. */
      g_resolver_free_addresses (addresses);
      lookup_free (lookup);
      return;
    }

  lookup->done = TRUE;
  g_source_destroy (run->wait_source);
  g_clear_pointer (&run->wait_source, g_source_unref);

  if (run_is_stale (run))
    {
      g_resolver_free_addresses (addresses);
      lookup_free (lookup);
      run_finish (run, NULL);
      return;
    }

  if (g_error_matches (error, SP_LOOKUP_ERROR, SP_LOOKUP_ERROR_NOT_LOCAL))
    {
      lookup_not_local (lookup);
      return;
    }

  if (addresses != NULL)
    address = pick_address (addresses, lookup->family);
  g_resolver_free_addresses (addresses);

  if (address == NULL)
    {
      /* getaddrinfo was asked for the socket's family only: it answers with
       * an address of it, or fails with its code. */
      run->error_code = error != NULL ? sp_errno_from_gerror (error) : EAI_ADDRFAMILY;
      run->raised = describe_lookup_error (run->error_code, lookup->host);
      record_lookup_failure (run, lookup, run->error_code);
      lookup_free (lookup);
      run_finish (run, NULL);
      return;
    }

  socket_address = g_inet_socket_address_new (address, lookup->port);
  lookup->ready (run, socket_address);
  lookup_free (lookup);
}

static gboolean
on_lookup_timeout (gpointer user_data)
{
  Lookup *lookup = user_data;
  Run *run = lookup->run;
  g_autofree char *problem = NULL;
  g_autofree char *shown = sp_describe_text (lookup->host);

  lookup->done = TRUE;
  g_clear_pointer (&run->wait_source, g_source_unref);
  problem = g_strdup_printf (_("%s: resolving “%s” took longer than %u ms"),
                             lookup->field, shown, run_timeout (run));
  run_finish (run, problem);
  return G_SOURCE_REMOVE;
}

/* Calls `ready` with the address, at once for literals, after an
 * asynchronous lookup for host names. On failure the run finishes. */
static void
resolve_address (Run          *run,
                 SpFamily      family,
                 const char   *address,
                 guint16       port,
                 const char   *field,
                 AddressReady  ready)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) parsed = NULL;
  Lookup *lookup;

  parsed = sp_endpoint_parse (family, address, port, &error);
  if (parsed != NULL)
    {
      ready (run, parsed);
      return;
    }

  if (!g_error_matches (error, SP_ENDPOINT_ERROR, SP_ENDPOINT_ERROR_NEEDS_RESOLVING))
    {
      run_finish (run, error->message);
      return;
    }

  lookup = g_new0 (Lookup, 1);
  lookup->run = run;
  lookup->ready = ready;
  lookup->family = family;
  lookup->port = port;
  lookup->field = g_strdup (field);
  lookup->host = g_strdup (address);
  lookup_start (lookup, on_lookup_timeout, on_lookup_done);
}

static SpSocketConfig *
config_for (SpPlayer   *self,
            const char *id)
{
  return id != NULL ? sp_session_find_socket (self->session, id) : NULL;
}

/* Where the live socket `id` is bound, or NULL. */
static GSocketAddress *
bound_address (SpPlayer   *self,
               const char *id)
{
  SpSocket *socket = g_hash_table_lookup (self->by_id, id);

  return socket != NULL ? sp_socket_get_local_address (socket) : NULL;
}

/* The address a connect, sendto or "to" step goes to: the bound address
 * of socket `to` (its loopback twin when it is bound to a wildcard), or the
 * step's own address and port, or else the socket's. */
static void
resolve_destination (Run          *run,
                     AddressReady  ready)
{
  SpPlayer *self = run->player;
  SpStep *step = run->step;
  SpFamily family = sp_socket_get_family (run->socket);
  SpSocketConfig *config;
  const char *address;
  gint port;

  if (step->to != NULL)
    {
      GSocketAddress *bound = bound_address (self, step->to);
      g_autofree char *problem = NULL;

      config = config_for (self, step->to);
      if (bound != NULL && G_IS_INET_SOCKET_ADDRESS (bound) && sp_endpoint_is_wildcard (bound))
        {
          port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
          resolve_address (run, family, sp_endpoint_loopback_text (family), port, "to", ready);
          return;
        }

      if (bound != NULL)
        {
          ready (run, bound);
          return;
        }

      if (config != NULL && config->address != NULL && config->port > 0)
        {
          resolve_address (run, family, config->address, config->port, "to", ready);
          return;
        }

      problem = g_strdup_printf (_("to: socket “%s” is not bound yet, so it has no address "
                                   "to go to"),
                                 step->to);
      run_finish (run, problem);
      return;
    }

  /* A client declared with the address it talks to goes there: its own
   * address is a destination, never bound (only bind and serve bind). */
  config = config_for (self, step->socket);
  address = step->address;
  port = step->port;
  if (address == NULL && config != NULL)
    address = config->address;
  if (port < 0 && config != NULL)
    port = config->port;

  if (address == NULL || (family != SP_FAMILY_UNIX && port < 0))
    {
      g_autofree char *problem = NULL;

      if (family == SP_FAMILY_UNIX)
        problem = g_strdup_printf (_("address: this call needs a destination: give the step "
                                     "“to” or “address” (a path), or give socket “%s” an "
                                     "“address”"),
                                   step->socket);
      else
        problem = g_strdup_printf (_("address: this call needs a destination: give the step "
                                     "“to”, or “address” and “port”, or give socket “%s” an "
                                     "“address” and a “port”"),
                                   step->socket);
      run_finish (run, problem);
      return;
    }

  resolve_address (run, family, address, MAX (port, 0), "address", ready);
}

/* A run waiting for leave to go beyond this machine: to `address`, then
 * `ready`; or to ask a DNS server about `lookup`'s name. */
typedef struct
{
  Run            *run;
  GSocketAddress *address;
  AddressReady    ready;
  Lookup         *lookup;
} Held;

static void
held_free (Held *held)
{
  g_clear_object (&held->address);
  g_clear_pointer (&held->lookup, lookup_free);
  g_free (held);
}

/* Holds the run until someone answers whether it may go to `address`, or
 * look up `lookup`'s name (then the held run owns `lookup`). FALSE when
 * nobody takes the question (the headless runner). */
static gboolean
ask_remote (Run            *run,
            GSocketAddress *address,
            AddressReady    ready,
            Lookup         *lookup)
{
  SpPlayer *self = run->player;
  Held *held = g_new0 (Held, 1);
  gboolean handled = FALSE;

  held->run = run;
  held->address = address != NULL ? g_object_ref (address) : NULL;
  held->ready = ready;
  held->lookup = lookup;
  g_ptr_array_add (self->held, held);

  /* One question at a time: its answer goes to every run held by then. */
  if (self->asking)
    return TRUE;

  if (lookup != NULL)
    g_signal_emit (self, signals[CONFIRM_LOOKUP], 0, run->index, lookup->host, &handled);
  else
    g_signal_emit (self, signals[CONFIRM_REMOTE], 0, run->index, address, &handled);
  if (handled)
    {
      self->asking = TRUE;
      return TRUE;
    }

  /* The caller still owns `lookup`. */
  held->lookup = NULL;
  g_ptr_array_remove (self->held, held);
  return FALSE;
}

/* TRUE when the run may go on to `address` now; else it has finished, or
 * it is held and `ready` is called again once allowed. */
static gboolean
check_remote_allowed (Run            *run,
                      GSocketAddress *address,
                      AddressReady    ready)
{
  g_autofree char *text = NULL;
  g_autofree char *problem = NULL;

  if (run->player->allow_remote || sp_endpoint_is_loopback (address))
    return TRUE;

  if (ask_remote (run, address, ready, NULL))
    return FALSE;

  text = sp_endpoint_format (address);
  problem = g_strdup_printf (_("address: %s is beyond this machine; a replay reaches other "
                               "machines only when allowed (--allow-remote)"),
                             text);
  run_finish (run, problem);
  return FALSE;
}

/* Calls */

static void
on_connected (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!sp_socket_connect_finish (SP_SOCKET (object), result, &error))
    {
      run_fail_with_error (run, error);
      return;
    }

  run_finish (run, NULL);
}

static void
connect_to (Run            *run,
            GSocketAddress *address)
{
  if (!check_remote_allowed (run, address, connect_to))
    return;

  sp_socket_connect_async (run->socket, address, run->step->call == SP_CALL_CONNECT_EX,
                           run_timeout (run), NULL, on_connected, run);
}

static void send_next (Run *run);

/* A sendall that failed part way recorded the bytes that went in its
 * event, the log's newest: they count as moved, and the step's message
 * says how many went. */
static void
take_partial_send (Run    *run,
                   GError *error)
{
  guint n = sp_traffic_log_get_n_appended (run->player->log);
  g_autoptr(SpEvent) event = n > run->first_event
                             ? sp_traffic_log_get_event (run->player->log, n - 1) : NULL;
  g_autofree char *described = NULL;

  if (event == NULL || run_is_stale (run) || sp_event_get_kind (event) != SP_EVENT_SENT ||
      sp_event_get_ok (event) || sp_event_get_detail (event) == NULL ||
      g_strcmp0 (sp_event_get_socket_id (event), run->step->socket) != 0)
    return;

  run->n_bytes += sp_event_get_bytes (event);
  described = describe_error (sp_errno_from_gerror (error));
  g_free (run->raised);
  /* Translators: an error as Python shows it, and "10240 of 1048576 bytes
   * went before the error" */
  run->raised = g_strdup_printf (_("%s; %s"), described, sp_event_get_detail (event));
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  gssize sent;

  sent = sp_socket_send_finish (SP_SOCKET (object), result, &error);
  if (sent < 0)
    {
      if (run->step->call == SP_CALL_SENDALL)
        take_partial_send (run, error);
      run_fail_with_error (run, error);
      return;
    }

  run->n_bytes += sent;
  if (run_is_stale (run) || --run->calls_left == 0)
    {
      run_finish (run, NULL);
      return;
    }

  if (run->step->interval_ms <= 0)
    {
      send_next (run);
      return;
    }

  run->wait_source = g_timeout_source_new (run->step->interval_ms);
  g_source_set_callback (run->wait_source, on_interval_over, run, NULL);
  g_source_attach (run->wait_source, g_main_context_get_thread_default ());
}

static void
send_next (Run *run)
{
  sp_socket_send_async (run->socket, run->step->call, run->step->data->bytes, run->destination,
                        run_timeout (run), NULL, on_sent, run);
}

static gboolean
on_interval_over (gpointer user_data)
{
  Run *run = user_data;

  g_clear_pointer (&run->wait_source, g_source_unref);
  if (run_is_stale (run))
    run_free (run);
  else
    send_next (run);
  return G_SOURCE_REMOVE;
}

static void
send_to (Run            *run,
         GSocketAddress *address)
{
  if (!check_remote_allowed (run, address, send_to))
    return;

  g_set_object (&run->destination, address);
  send_next (run);
}

static void receive_next (Run *run);
static void receive_now (Run *run);

static void
on_received (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  SpReceiveTally tally;

  gboolean ok = sp_socket_receive_many_finish (SP_SOCKET (object), result, &tally, &error);

  run->n_bytes += tally.n_bytes;
  if (!ok)
    {
      run_fail_with_error (run, error);
      return;
    }

  /* A stream at end of file has nothing more to give a repeated recv. */
  if (run_is_stale (run) || tally.end_of_file)
    {
      run_finish (run, NULL);
      return;
    }

  if (!run->step->until_eof)
    {
      run->calls_left -= tally.n_calls;
      if (run->calls_left == 0)
        {
          run_finish (run, NULL);
          return;
        }
    }

  receive_next (run);
}

/* A repeated receive reads what is waiting in batches of at most
 * RECEIVE_BATCH calls; on the I/O thread, it makes all its calls at once,
 * since that thread reads on while this one is busy. */
static void
receive_now (Run *run)
{
  guint max_calls = RECEIVE_BATCH;

  if (sp_socket_get_reads_in_thread (run->socket))
    max_calls = run->step->until_eof ? G_MAXUINT : run->calls_left;
  else if (!run->step->until_eof)
    max_calls = MIN (run->calls_left, RECEIVE_BATCH);

  sp_socket_receive_many_async (run->socket, run->step->call, sp_step_get_bufsize (run->step),
                                max_calls, run_timeout (run), run->received,
                                NULL, on_received, run);
}

static gboolean
on_receive_yielded (gpointer user_data)
{
  Run *run = user_data;

  g_clear_pointer (&run->yield_source, g_source_unref);
  run->slice_started_us = g_get_monotonic_time ();
  receive_now (run);

  return G_SOURCE_REMOVE;
}

/* A repeated receive of a fast sender always finds data waiting, and each
 * answer comes back at default priority: alone it would keep a window from
 * ever drawing. After a slice of RECEIVE_SLICE_US it goes on from an idle
 * source at the priority GTK redraws at, so that the two take turns: lower,
 * and a window busy drawing would starve the receive instead. */
static void
receive_next (Run *run)
{
  if (g_get_monotonic_time () - run->slice_started_us < RECEIVE_SLICE_US)
    {
      receive_now (run);
      return;
    }

  run->yield_source = g_idle_source_new ();
  g_source_set_priority (run->yield_source, RECEIVE_YIELD_PRIORITY);
  g_source_set_callback (run->yield_source, on_receive_yielded, run, NULL);
  g_source_set_static_name (run->yield_source, "[sp] receive slice");
  g_source_attach (run->yield_source, g_main_context_get_thread_default ());
}

static void
on_accepted (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSocket) accepted = NULL;

  accepted = sp_socket_accept_finish (SP_SOCKET (object), result, &error);
  if (accepted == NULL)
    {
      run_fail_with_error (run, error);
      return;
    }

  if (!run_is_stale (run))
    add_socket (run->player, accepted);
  run_finish (run, NULL);
}

static void
bind_to (Run            *run,
         GSocketAddress *address)
{
  g_autoptr(GError) error = NULL;

  if (!sp_socket_bind (run->socket, address, &error))
    {
      run_fail_with_error (run, error);
      return;
    }

  run_finish (run, NULL);
}

static void
start_bind_then (Run          *run,
                 AddressReady  ready)
{
  SpStep *step = run->step;
  SpSocketConfig *config = config_for (run->player, step->socket);
  SpFamily family = sp_socket_get_family (run->socket);
  const char *address = step->address;
  gint port = step->port;
  GSocketAddress *taken = step->to != NULL ? bound_address (run->player, step->to) : NULL;

  /* Binding where another socket is bound shows EADDRINUSE. */
  if (taken != NULL &&
      (!G_IS_INET_SOCKET_ADDRESS (taken) ||
       g_socket_address_get_family (taken) == sp_family_to_gsocket_family (family)))
    {
      ready (run, taken);
      return;
    }

  if (address == NULL && config != NULL)
    address = config->address;
  /* An IPv6 socket "to" an IPv4 one (or the reverse) takes its port and
   * keeps its own address: the same port in both families, where
   * IPV6_V6ONLY decides whether the IPv6 wildcard clashes with IPv4. */
  if (taken != NULL)
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (taken));
  else if (port < 0 && config != NULL)
    port = config->port;

  /* A socket with no address of its own binds loopback: reaching other
   * machines is something to choose, not a default. */
  if (address == NULL)
    {
      if (family == SP_FAMILY_UNIX)
        {
          run_finish (run, _("address: a UNIX socket binds to a path: give “address”"));
          return;
        }
      address = sp_endpoint_loopback_text (family);
    }

  resolve_address (run, family, address, MAX (port, 0), "address", ready);
}

static void
start_bind (Run *run)
{
  start_bind_then (run, bind_to);
}

static gboolean
on_sleep_done (gpointer user_data)
{
  Run *run = user_data;

  g_clear_pointer (&run->wait_source, g_source_unref);
  run_finish (run, NULL);
  return G_SOURCE_REMOVE;
}

static void
start_sleep (Run *run)
{
  run->wait_source = g_timeout_source_new (MAX (run->step->ms, 0));
  g_source_set_callback (run->wait_source, on_sleep_done, run, NULL);
  g_source_attach (run->wait_source, g_main_context_get_thread_default ());
}

/* gethostbyname and getaddrinfo */

/* The host as the call's argument, cut as in messages: a file may name a
 * 100 KB host, which every line about the call would repeat. */
static char *
host_call_args (Run *run)
{
  g_autofree char *host = sp_describe_text (run->step->host);

  if (run->step->call == SP_CALL_GETADDRINFO)
    return g_strdup_printf ("'%s', %d", host, MAX (run->step->port, 0));
  return g_strdup_printf ("'%s'", host);
}

static gboolean
on_host_lookup_timeout (gpointer user_data)
{
  Lookup *lookup = user_data;
  Run *run = lookup->run;
  g_autofree char *args = NULL;
  g_autofree char *host = NULL;

  lookup->done = TRUE;
  g_clear_pointer (&run->wait_source, g_source_unref);
  if (run_is_stale (run))
    {
      run_finish (run, NULL);
      return G_SOURCE_REMOVE;
    }

  args = host_call_args (run);
  host = sp_describe_text (lookup->host);
  run->error_code = ETIMEDOUT;
  run->raised = g_strdup_printf (_("resolving “%s” took longer than %u ms"),
                                 host, run_timeout (run));
  record_player_event (run->player, SP_EVENT_CALL, run->step->call, run->index, NULL,
                       run->error_code, args, run->raised);
  run_finish (run, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_host_resolved (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Lookup *lookup = user_data;
  Run *run = lookup->run;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *args = NULL;
  GList *addresses;

  addresses = sp_lookup_finish (result, &error);
  if (lookup->done)
    {
      /* The time limit already ended the step. */
      g_resolver_free_addresses (addresses);
      lookup_free (lookup);
      return;
    }

  g_source_destroy (run->wait_source);
  g_clear_pointer (&run->wait_source, g_source_unref);

  if (run_is_stale (run))
    {
      g_resolver_free_addresses (addresses);
      lookup_free (lookup);
      run_finish (run, NULL);
      return;
    }

  if (g_error_matches (error, SP_LOOKUP_ERROR, SP_LOOKUP_ERROR_NOT_LOCAL))
    {
      lookup_not_local (lookup);
      return;
    }
  lookup_free (lookup);

  args = host_call_args (run);

  if (addresses == NULL)
    {
      /* socket.gaierror, with getaddrinfo's own code (EAI_NONAME…). */
      run->error_code = error != NULL ? sp_errno_from_gerror (error) : EAI_NONAME;
      run->raised = describe_lookup_error (run->error_code, run->step->host);
      record_player_event (run->player, SP_EVENT_CALL, run->step->call, run->index, NULL,
                           run->error_code, args, NULL);
      run_finish (run, NULL);
      return;
    }

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autofree char *text = g_inet_address_to_string (l->data);
      gboolean v4 = g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4;

      if (run->step->call == SP_CALL_GETHOSTBYNAME)
        {
          /* gethostbyname answers with the first IPv4 address only. */
          if (v4)
            {
              g_string_assign (detail, text);
              break;
            }
          continue;
        }

      if (detail->len > 0)
        g_string_append (detail, ", ");
      g_string_append_printf (detail, "(%s, '%s')", v4 ? "AF_INET" : "AF_INET6", text);
    }
  g_resolver_free_addresses (addresses);

  record_player_event (run->player, SP_EVENT_CALL, run->step->call, run->index, NULL, 0,
                       args, detail->str);
  run_finish (run, NULL);
}

static void
start_lookup_host (Run *run)
{
  Lookup *lookup;

  if (run->step->host == NULL || run->step->host[0] == '\0')
    {
      run_finish (run, _("host: give the name to look up"));
      return;
    }

  lookup = g_new0 (Lookup, 1);
  lookup->run = run;
  lookup->host = g_strdup (run->step->host);
  lookup_start (lookup, on_host_lookup_timeout, on_host_resolved);
}

static void
serve_listening (Run *run)
{
  SpPlayer *self = run->player;
  SpStep *step = run->step;
  g_autoptr(SpServe) serve = NULL;
  g_autofree char *args = NULL;
  GBytes *reply = step->data != NULL ? step->data->bytes : NULL;
  SpServeMode mode = step->has_mode ? step->mode : SP_SERVE_ECHO;

  serve = sp_serve_new (run->socket, mode, reply,
                        MAX (step->connections, 0), sp_step_get_bufsize (step),
                        run_timeout (run));
  for (guint i = 0; step->replies != NULL && i < step->replies->len; i++)
    {
      const SpStepReply *entry = g_ptr_array_index (step->replies, i);

      sp_serve_add_reply (serve, entry->contains->bytes, entry->data->bytes);
    }
  if (step->idle_timeout_ms > 0)
    sp_serve_set_idle_timeout (serve, step->idle_timeout_ms);
  g_signal_connect_object (serve, "accepted", G_CALLBACK (on_serve_accepted), self, 0);
  g_signal_connect_object (serve, "connection-idle", G_CALLBACK (on_serve_connection_idle),
                           self, 0);
  g_signal_connect_object (serve, "accept-paused", G_CALLBACK (on_serve_accept_paused), self, 0);
  g_signal_connect_object (serve, "finished", G_CALLBACK (on_serve_finished), self, 0);
  g_ptr_array_add (self->serves, g_object_ref (serve));
  g_hash_table_insert (self->serve_steps, serve, g_object_ref (step));

  if (step->connections > 0)
    args = g_strdup_printf ("%s, connections=%d", sp_serve_mode_to_string (mode),
                            step->connections);
  else
    args = g_strdup (sp_serve_mode_to_string (mode));
  record_player_event (self, SP_EVENT_CALL, SP_CALL_SERVE, run->index, step->socket, 0,
                       args, _("serving in the background"));

  sp_serve_start (serve);
  run_finish (run, NULL);
}

static void
serve_bound (Run            *run,
             GSocketAddress *address)
{
  g_autoptr(GError) error = NULL;

  if (sp_socket_get_state (run->socket) != SP_STATE_BOUND &&
      !sp_socket_bind (run->socket, address, &error))
    {
      run_fail_with_error (run, error);
      return;
    }

  if (!sp_socket_listen (run->socket, run->step->backlog, &error))
    {
      run_fail_with_error (run, error);
      return;
    }

  serve_listening (run);
}

/* serve on a socket that is not listening yet binds and listens first,
 * the way a server object in a library would. */
static void
start_serve (Run *run)
{
  switch (sp_socket_get_state (run->socket))
    {
    case SP_STATE_CREATED:
      start_bind_then (run, serve_bound);
      break;

    case SP_STATE_BOUND:
      serve_bound (run, NULL);
      break;

    case SP_STATE_UNCREATED:
    case SP_STATE_LISTENING:
    case SP_STATE_CONNECTING:
    case SP_STATE_CONNECTED:
    case SP_STATE_SHUT_READ:
    case SP_STATE_SHUT_WRITE:
    case SP_STATE_SHUT_BOTH:
    case SP_STATE_CLOSED:
    case SP_N_STATES:
    default:
      serve_listening (run);
      break;
    }
}

/* Sockets */

static gboolean
apply_options (SpSocket        *socket,
               SpSocketConfig  *config,
               GError         **error)
{
  if (config == NULL || config->options == NULL)
    return TRUE;

  for (guint i = 0; i < config->options->len; i++)
    {
      SpSocketOption *option = &g_array_index (config->options, SpSocketOption, i);

      if (!sp_socket_setsockopt (socket, option->name, option->value, error))
        return FALSE;
    }

  return TRUE;
}

/* The live socket the step acts on, made (and created in the OS, with its
 * options) by its first step. */
static SpSocket *
ensure_socket (Run      *run,
               GError  **error)
{
  SpPlayer *self = run->player;
  SpStep *step = run->step;
  SpSocket *socket = g_hash_table_lookup (self->by_id, step->socket);
  SpSocketConfig *config = config_for (self, step->socket);

  if (socket == NULL)
    {
      g_autoptr(SpSocket) made = NULL;

      if (config == NULL)
        {
          g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID,
                       _("socket: there is no socket “%s” yet (a socket named by “as” "
                         "exists once its accept step has run)"),
                       step->socket);
          return NULL;
        }

      made = sp_socket_new (config->id, config->family, config->type, config->protocol, self->log);
      add_socket (self, made);
      socket = made;
    }

  sp_socket_set_step (socket, run->index);

  /* The configuration as it is now: the window may change the impairment
   * between steps. */
  if (config != NULL)
    sp_socket_set_impairment (socket, config->has_impair ? &config->impair : NULL);

  /* Python creates the socket in the constructor; a session may leave that
   * out, and a `socket` step on a closed socket makes a fresh one. */
  if (step->call == SP_CALL_SOCKET ||
      (sp_socket_get_state (socket) == SP_STATE_UNCREATED && config != NULL))
    {
      if (!sp_socket_create (socket, error) || !apply_options (socket, config, error))
        return NULL;
    }

  return g_object_ref (socket);
}

static void
run_execute (Run *run)
{
  SpPlayer *self = run->player;
  SpStep *step = run->step;
  g_autoptr(GError) error = NULL;
  SpServe *serve;

  /* A parked run comes here a second time. */
  if ((step->expect.data != NULL || step->expect.contains != NULL) && run->received == NULL)
    run->received = g_byte_array_new ();

  switch (step->call)
    {
    case SP_CALL_NOTE:
      record_player_event (self, SP_EVENT_NOTE, step->call, run->index, step->socket, 0, NULL,
                           step->text != NULL ? step->text : step->note);
      run_finish (run, NULL);
      return;

    case SP_CALL_SLEEP:
      start_sleep (run);
      return;

    case SP_CALL_GETHOSTNAME:
      record_player_event (self, SP_EVENT_CALL, step->call, run->index, NULL, 0, NULL,
                           g_get_host_name ());
      run_finish (run, NULL);
      return;

    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
      start_lookup_host (run);
      return;

    case SP_CALL_SOCKET:
    case SP_CALL_SETSOCKOPT:
    case SP_CALL_BIND:
    case SP_CALL_LISTEN:
    case SP_CALL_ACCEPT:
    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
    case SP_CALL_SENDTO:
    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
    case SP_CALL_SHUTDOWN:
    case SP_CALL_CLOSE:
    case SP_CALL_GETSOCKNAME:
    case SP_CALL_GETPEERNAME:
    case SP_CALL_SERVE:
    case SP_N_CALLS:
    default:
      break;
    }

  if (step->socket == NULL)
    {
      run_finish (run, _("socket: this call needs a socket"));
      return;
    }

  serve = bounded_serve_on (self, step->socket);
  if (serve != NULL)
    {
      park_run (run, serve);
      return;
    }

  run->socket = ensure_socket (run, &error);
  if (run->socket == NULL)
    {
      run_fail_with_error (run, error);
      return;
    }

  switch (step->call)
    {
    case SP_CALL_SOCKET:
      run_finish (run, NULL);
      break;

    case SP_CALL_SETSOCKOPT:
      if (!sp_socket_setsockopt (run->socket, step->option, step->value, &error))
        run_fail_with_error (run, error);
      else
        run_finish (run, NULL);
      break;

    case SP_CALL_BIND:
      start_bind (run);
      break;

    case SP_CALL_LISTEN:
      if (!sp_socket_listen (run->socket, step->backlog, &error))
        run_fail_with_error (run, error);
      else
        run_finish (run, NULL);
      break;

    case SP_CALL_ACCEPT:
      sp_socket_accept_async (run->socket, step->as != NULL ? step->as : "conn",
                              run_timeout (run), NULL, on_accepted, run);
      break;

    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      resolve_destination (run, connect_to);
      break;

    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
      if (step->data == NULL)
        run_finish (run, _("data: this call needs data to send"));
      else
        send_next (run);
      break;

    case SP_CALL_SENDTO:
      if (step->data == NULL)
        run_finish (run, _("data: this call needs data to send"));
      else
        resolve_destination (run, send_to);
      break;

    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
      run->slice_started_us = g_get_monotonic_time ();
      receive_now (run);
      break;

    case SP_CALL_SHUTDOWN:
      if (!sp_socket_shutdown (run->socket, step->has_how ? step->how : SP_SHUTDOWN_BOTH, &error))
        run_fail_with_error (run, error);
      else
        run_finish (run, NULL);
      break;

    case SP_CALL_CLOSE:
      if (!sp_socket_close (run->socket, &error))
        run_fail_with_error (run, error);
      else
        run_finish (run, NULL);
      break;

    case SP_CALL_GETSOCKNAME:
    case SP_CALL_GETPEERNAME:
      {
        g_autoptr(GSocketAddress) address = NULL;

        if (step->call == SP_CALL_GETSOCKNAME)
          address = sp_socket_getsockname (run->socket, &error);
        else
          address = sp_socket_getpeername (run->socket, &error);

        if (address == NULL)
          run_fail_with_error (run, error);
        else
          run_finish (run, NULL);
      }
      break;

    case SP_CALL_SERVE:
      start_serve (run);
      break;

    case SP_CALL_NOTE:
    case SP_CALL_SLEEP:
    case SP_CALL_GETHOSTNAME:
    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
    case SP_N_CALLS:
    default:
      run_finish (run, _("call: this call is not available"));
      break;
    }
}

static void
execute_index (SpPlayer *self,
               guint     index)
{
  g_autoptr(SpStep) step = g_list_model_get_item (sp_session_get_steps (self->session), index);

  if (step == NULL)
    return;

  start_run (run_new (self, step, index));
}

static void
cancel_next (SpPlayer *self)
{
  if (self->next_source != NULL)
    g_source_destroy (self->next_source);
  g_clear_pointer (&self->next_source, g_source_unref);
}

static gboolean
on_next_step (gpointer user_data)
{
  SpPlayer *self = user_data;

  g_clear_pointer (&self->next_source, g_source_unref);
  if (self->state == SP_PLAYER_RUNNING)
    return G_SOURCE_REMOVE;

  if (self->running && self->position < sp_session_get_n_steps (self->session))
    execute_index (self, self->position);
  else
    maybe_finish (self);
  return G_SOURCE_REMOVE;
}

/* On the thread-default context, like every wait of the sockets. */
static void
schedule_next (SpPlayer *self)
{
  cancel_next (self);
  self->next_source = g_timeout_source_new (self->delay_ms);
  g_source_set_callback (self->next_source, on_next_step, self, NULL);
  g_source_attach (self->next_source, g_main_context_get_thread_default ());
}

/* The object */

static void
close_everything (SpPlayer *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sockets));

  self->generation++;
  self->running = FALSE;
  cancel_next (self);
  /* Runs under way see the new generation when they answer, and free
   * themselves; the waiting ones never start. */
  g_ptr_array_set_size (self->active, 0);
  g_queue_clear_full (&self->waiting, (GDestroyNotify) run_free);
  /* Held runs wait for no call to answer: they go now. A question still
   * open is answered into the void. */
  for (guint i = 0; i < self->held->len; i++)
    run_free (((Held *) g_ptr_array_index (self->held, i))->run);
  g_ptr_array_set_size (self->held, 0);
  self->asking = FALSE;
  g_ptr_array_set_size (self->parked, 0);

  for (guint i = 0; i < self->serves->len; i++)
    sp_serve_stop (g_ptr_array_index (self->serves, i));
  g_ptr_array_set_size (self->serves, 0);
  g_hash_table_remove_all (self->serve_steps);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpSocket) socket = g_list_model_get_item (G_LIST_MODEL (self->sockets), i);

      if (sp_socket_get_fd (socket) >= 0)
        sp_socket_close (socket, NULL);
    }

  g_hash_table_remove_all (self->by_id);
  g_list_store_remove_all (self->sockets);
}

static void
sp_player_dispose (GObject *object)
{
  SpPlayer *self = SP_PLAYER (object);

  if (self->sockets != NULL)
    close_everything (self);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (sp_session_get_steps (self->session), self);
  g_clear_object (&self->sockets);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->serves, g_ptr_array_unref);
  g_clear_pointer (&self->serve_steps, g_hash_table_unref);
  g_clear_pointer (&self->active, g_ptr_array_unref);
  g_clear_pointer (&self->held, g_ptr_array_unref);
  g_clear_pointer (&self->parked, g_ptr_array_unref);
  g_clear_pointer (&self->has_run, g_hash_table_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (sp_player_parent_class)->dispose (object);
}

static void
sp_player_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SpPlayer *self = SP_PLAYER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;

    case PROP_N_STALE:
      g_value_set_uint (value, self->n_stale);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_player_class_init (SpPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_player_dispose;
  object_class->get_property = sp_player_get_property;

  /* Every step goes through a player: whoever links the core without
   * main.c (the tests, another front end) is safe from running out too. */
  sp_descriptors_prepare ();

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, SP_PLAYER_IDLE, SP_PLAYER_FINISHED, SP_PLAYER_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_STALE] =
    g_param_spec_uint ("n-stale", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[STEP_STARTED] =
    g_signal_new ("step-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, SP_TYPE_STEP);
  signals[STEP_FINISHED] =
    g_signal_new ("step-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_UINT, G_TYPE_BOOLEAN, G_TYPE_STRING, SP_TYPE_STEP);
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[SOCKET_ADDED] =
    g_signal_new ("socket-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SP_TYPE_SOCKET);
  signals[CONFIRM_REMOTE] =
    g_signal_new ("confirm-remote", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 2,
                  G_TYPE_UINT, G_TYPE_SOCKET_ADDRESS);
  signals[CONFIRM_LOOKUP] =
    g_signal_new ("confirm-lookup", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 2,
                  G_TYPE_UINT, G_TYPE_STRING);
  signals[SERVE_FAILED] =
    g_signal_new ("serve-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_UINT, G_TYPE_STRING, SP_TYPE_STEP);
}

static void
sp_player_init (SpPlayer *self)
{
  self->sockets = g_list_store_new (SP_TYPE_SOCKET);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->serves = g_ptr_array_new_with_free_func (g_object_unref);
  self->serve_steps = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->active = g_ptr_array_new ();
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_free);
  self->parked = g_ptr_array_new_with_free_func ((GDestroyNotify) run_free);
  self->has_run = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}

SpPlayer *
sp_player_new (SpSession    *session,
               SpTrafficLog *log)
{
  SpPlayer *self;

  g_return_val_if_fail (SP_IS_SESSION (session), NULL);
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (log), NULL);

  self = g_object_new (SP_TYPE_PLAYER, NULL);
  self->session = g_object_ref (session);
  self->log = g_object_ref (log);
  g_signal_connect_swapped (sp_session_get_steps (session), "items-changed",
                            G_CALLBACK (on_steps_changed), self);
  return self;
}

void
sp_player_set_reads_in_thread (SpPlayer *self,
                               gboolean  reads_in_thread)
{
  g_return_if_fail (SP_IS_PLAYER (self));

  self->reads_in_thread = !!reads_in_thread;
  /* Its wake-up descriptors are made now, while descriptors are to be had. */
  if (self->reads_in_thread)
    sp_io_thread_get_context ();
}

SpSession *
sp_player_get_session (SpPlayer *self)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), NULL);
  return self->session;
}

SpTrafficLog *
sp_player_get_log (SpPlayer *self)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), NULL);
  return self->log;
}

SpPlayerState
sp_player_get_state (SpPlayer *self)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), SP_PLAYER_IDLE);
  return self->state;
}

guint
sp_player_get_position (SpPlayer *self)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), 0);
  return self->position;
}

gboolean
sp_player_get_all_passed (SpPlayer *self)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), FALSE);
  return self->n_failed == 0;
}

guint
sp_player_get_n_failed (SpPlayer *self)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), 0);
  return self->n_failed;
}

static void
add_label (GString *text,
           char    *label)
{
  if (text->len > 0)
    g_string_append (text, ", ");
  g_string_append (text, label);
  g_free (label);
}

char *
sp_player_describe_running (SpPlayer *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (SP_IS_PLAYER (self), NULL);

  for (guint i = 0; i < self->active->len; i++)
    add_label (text, step_label (g_ptr_array_index (self->active, i)));
  for (guint i = 0; i < self->parked->len; i++)
    add_label (text, step_label (g_ptr_array_index (self->parked, i)));
  for (guint i = 0; i < self->held->len; i++)
    add_label (text, step_label (((Held *) g_ptr_array_index (self->held, i))->run));

  /* A serve runs on after its step finished. */
  for (guint i = 0; i < self->serves->len; i++)
    {
      SpServe *serve = g_ptr_array_index (self->serves, i);
      SpStep *step = g_hash_table_lookup (self->serve_steps, serve);
      int index = find_step (self, step);

      if (index >= 0 && sp_serve_get_bounded (serve) && !sp_serve_get_finished (serve))
        add_label (text, label_step ((guint) index, step));
    }

  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

gboolean
sp_player_step_has_run (SpPlayer *self,
                        SpStep   *step)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (SP_IS_STEP (step), FALSE);
  return g_hash_table_contains (self->has_run, step);
}

guint
sp_player_get_n_stale (SpPlayer *self)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), 0);
  return self->n_stale;
}

void
sp_player_step (SpPlayer *self)
{
  g_return_if_fail (SP_IS_PLAYER (self));

  if (self->state == SP_PLAYER_RUNNING)
    return;

  if (self->position >= sp_session_get_n_steps (self->session))
    {
      maybe_finish (self);
      return;
    }

  execute_index (self, self->position);
}

void
sp_player_run (SpPlayer *self)
{
  g_return_if_fail (SP_IS_PLAYER (self));

  /* Even with nothing left to run, "finished" comes from the main loop,
   * never from inside this call. */
  self->running = TRUE;
  if (self->state != SP_PLAYER_RUNNING)
    schedule_next (self);
}

void
sp_player_pause (SpPlayer *self)
{
  g_return_if_fail (SP_IS_PLAYER (self));

  self->running = FALSE;
  cancel_next (self);
}

void
sp_player_restart (SpPlayer *self)
{
  g_return_if_fail (SP_IS_PLAYER (self));

  close_everything (self);
  sp_traffic_log_clear (self->log);
  g_hash_table_remove_all (self->has_run);
  self->n_failed = 0;
  self->finished_emitted = FALSE;
  set_position (self, 0);
  set_state (self, SP_PLAYER_IDLE);
}

void
sp_player_set_step_delay (SpPlayer *self,
                          guint     delay_ms)
{
  g_return_if_fail (SP_IS_PLAYER (self));
  self->delay_ms = delay_ms;
}

void
sp_player_set_allow_remote (SpPlayer *self,
                            gboolean  allow_remote)
{
  g_return_if_fail (SP_IS_PLAYER (self));
  self->allow_remote = !!allow_remote;
}

void
sp_player_answer_remote (SpPlayer *self,
                         gboolean  allow)
{
  g_autoptr(GPtrArray) held = NULL;

  g_return_if_fail (SP_IS_PLAYER (self));

  if (!self->asking)
    return;

  self->asking = FALSE;
  if (allow)
    self->allow_remote = TRUE;

  /* The runs may finish, and ask again, while they are let go. */
  held = g_steal_pointer (&self->held);
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_free);

  for (guint i = 0; i < held->len; i++)
    {
      Held *one = g_ptr_array_index (held, i);

      if (allow && one->lookup != NULL)
        {
          Lookup *lookup = g_steal_pointer (&one->lookup);

          lookup_start (lookup, lookup->on_timeout, lookup->on_done);
        }
      else if (allow)
        {
          one->ready (one->run, one->address);
        }
      else if (one->lookup != NULL)
        {
          g_autofree char *problem = NULL;
          g_autofree char *host = sp_describe_text (one->lookup->host);

          problem = g_strdup_printf (_("%s: looking up “%s” would ask a DNS server beyond this "
                                       "computer, and that was not allowed"),
                                     lookup_field (one->lookup), host);
          g_clear_pointer (&one->lookup, lookup_free);
          run_finish (one->run, problem);
        }
      else
        {
          g_autofree char *text = sp_endpoint_format (one->address);
          g_autofree char *problem = NULL;

          problem = g_strdup_printf (_("address: %s is beyond this computer, and reaching it "
                                       "was not allowed"),
                                     text);
          run_finish (one->run, problem);
        }
    }
}

void
sp_player_perform (SpPlayer *self,
                   SpStep   *step)
{
  Run *run;
  guint index;

  g_return_if_fail (SP_IS_PLAYER (self));
  g_return_if_fail (SP_IS_STEP (step));

  /* After the steps that have run and those under way or waiting, before
   * the steps of a replay that have not run yet. */
  index = self->position + self->active->len + self->waiting.length;
  sp_session_insert_step (self->session, index, step);
  run = run_new (self, step, index);

  /* A socket does one thing at a time, as in a program; different sockets
   * act at once, as separate programs would. */
  if (socket_is_busy (self, step->socket))
    g_queue_push_tail (&self->waiting, run);
  else
    start_run (run);
}

GListModel *
sp_player_get_sockets (SpPlayer *self)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), NULL);
  return G_LIST_MODEL (self->sockets);
}

SpSocket *
sp_player_lookup_socket (SpPlayer   *self,
                         const char *id)
{
  g_return_val_if_fail (SP_IS_PLAYER (self), NULL);
  return id != NULL ? g_hash_table_lookup (self->by_id, id) : NULL;
}
