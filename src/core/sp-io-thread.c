/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sp-io-thread.h"

/* The thread's time slice, from Linux 6.12 on (EEVDF): a short slice is
 * an early deadline, and a thread that wakes with one runs at once rather
 * than when the busy main thread's slice ends. A burst of datagrams fills
 * the default receive buffer in about a millisecond. Older kernels ignore
 * it for this policy; nothing needs privileges. */
#define IO_THREAD_SLICE_NS (100 * 1000)

/* The kernel's struct sched_attr, first version: <linux/sched/types.h>
 * cannot be included beside <sched.h>. */
typedef struct
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t  sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
} SchedAttr;

static void
ask_for_short_slices (void)
{
  SchedAttr attr = {
    .size = sizeof attr,
    .sched_policy = SCHED_OTHER,
    .sched_runtime = IO_THREAD_SLICE_NS,
  };

  (void) syscall (SYS_sched_setattr, 0, &attr, 0);
}

static gpointer
run_io_thread (gpointer data)
{
  GMainContext *context = data;
  GMainLoop *loop;

  ask_for_short_slices ();
  g_main_context_push_thread_default (context);
  loop = g_main_loop_new (context, FALSE);
  g_main_loop_run (loop);

  return NULL;
}

GMainContext *
sp_io_thread_get_context (void)
{
  static GMainContext *context;

  if (g_once_init_enter (&context))
    {
      GMainContext *made = g_main_context_new ();
      GThread *thread;

      thread = g_thread_new ("sp-io", run_io_thread, g_main_context_ref (made));
      g_thread_unref (thread);
      g_once_init_leave (&context, made);
    }

  return context;
}
