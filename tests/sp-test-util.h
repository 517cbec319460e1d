/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-event.h"
#include "sp-player.h"
#include "sp-socket.h"
#include "sp-traffic-log.h"
#include "sp-types.h"

G_BEGIN_DECLS

/* What the core tests share: waiting on a main context, async results,
 * sockets on loopback, the traffic log, peer processes and python3. */

/* Every wait on a result ends after this long, so a hang fails. */
#define SP_TEST_GUARD_MS 10000

char          **sp_test_init_keep_going     (int                  argc,
                                             char               **argv);

/* Each test runs on a main context of its own, pushed as thread-default:
 * SpSocket must attach its sources there, and nothing a test leaves
 * behind can fire in the next one. */
typedef struct
{
  GMainContext *context;
  SpTrafficLog *log;
} SpTestFixture;

void            sp_test_fixture_set_up      (SpTestFixture       *fixture,
                                             gconstpointer        data);
void            sp_test_fixture_tear_down   (SpTestFixture       *fixture,
                                             gconstpointer        data);

/* Waiting */

typedef gboolean (*SpTestCondition) (gpointer data);

gboolean        sp_test_iterate_until       (SpTestCondition      done,
                                             gpointer             data,
                                             guint                timeout_ms);
gboolean        sp_test_poll_until          (SpTestCondition      done,
                                             gpointer             data,
                                             guint                timeout_ms);
void            sp_test_iterate_for         (guint                ms);
void            sp_test_poll_for            (guint                ms);
gboolean        sp_test_pointer_is_set      (gpointer             data);

/* `*count` (the len of an array, say) is at least `n`. */
typedef struct
{
  const guint *count;
  guint        n;
} SpTestCount;

gboolean        sp_test_count_reached       (gpointer             data);

void            sp_test_on_result           (GObject             *object,
                                             GAsyncResult        *result,
                                             gpointer             user_data);
GAsyncResult   *sp_test_wait_result         (GAsyncResult       **slot);

/* The calls, made asynchronously and waited for. */

SpSocket       *sp_test_accept_and_wait     (SpSocket            *listener,
                                             const char          *id,
                                             guint                timeout_ms,
                                             GError             **error);
gboolean        sp_test_connect_and_wait    (SpSocket            *self,
                                             GSocketAddress      *address,
                                             gboolean             ex,
                                             GError             **error);
gssize          sp_test_send_and_wait       (SpSocket            *self,
                                             SpCall               call,
                                             const char          *text,
                                             GSocketAddress      *to,
                                             GError             **error);
GBytes         *sp_test_receive_and_wait    (SpSocket            *self,
                                             SpCall               call,
                                             gsize                bufsize,
                                             guint                timeout_ms,
                                             GSocketAddress     **from,
                                             GError             **error);
void            sp_test_assert_bytes_equal  (GBytes              *bytes,
                                             const char          *text);

/* Sockets */

GSocketAddress *sp_test_loopback_address    (SpFamily             family,
                                             guint16              port);
SpSocket       *sp_test_created_socket      (SpTestFixture       *fixture,
                                             const char          *id,
                                             SpFamily             family,
                                             SpSocketType         type);
SpSocket       *sp_test_make_listener       (SpTestFixture       *fixture,
                                             SpFamily             family,
                                             int                  backlog);
guint16         sp_test_listener_port       (SpSocket            *listener);
guint16         sp_test_closed_port         (int                  domain);

/* A built-in session run to its end, every step passing, into the
 * fixture's log. */
SpPlayer       *sp_test_run_preset          (SpTestFixture       *fixture,
                                             const char          *id);

/* The log */

SpEvent        *sp_test_find_event          (SpTrafficLog        *log,
                                             const char          *socket_id,
                                             SpEventKind          kind,
                                             SpCall               call);

/* Peers */

GSubprocess    *sp_test_spawn               (GSubprocessFlags     flags,
                                             GError             **error,
                                             const char          *program,
                                             ...) G_GNUC_NULL_TERMINATED;
char           *sp_test_peer_script         (const char          *name);

/* A peer process fed `input` on its stdin, its stdout collected. */
typedef struct
{
  GSubprocess *process;
  char        *output;
  gboolean     done;
} SpTestConversation;

void            sp_test_conversation_start  (SpTestConversation  *conversation,
                                             GSubprocess         *process,
                                             const char          *input);
gboolean        sp_test_conversation_done   (gpointer             data);

/* python3 */

char           *sp_test_find_python         (void);
char           *sp_test_run_python          (const char          *script,
                                             GPtrArray           *args);

/* `message` whole, or its prefix when `expected` ends in "…". */
void      sp_test_assert_message        (const char *message,
                                         const char *expected);

G_END_DECLS
