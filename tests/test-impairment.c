/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-impairment.h"
#include "sp-test-util.h"

/* What the send function was given, in order: "3" for datagram 3 leaving
 * on its own (delay over, flush), "3>2" for 3 held back behind 2, "3!"
 * for 3 leaving when its hold ran out. Datagrams are numbers. */
typedef struct
{
  GString *sent;
  guint    n_sent;
  guint    n_freed;
  GArray  *why;      /* of SpImpairmentLeave */
} Wire;

static void
wire_send (gpointer          datagram,
           SpImpairmentLeave why,
           gpointer          after,
           gpointer          user_data)
{
  Wire *wire = user_data;

  if (wire->sent->len > 0)
    g_string_append_c (wire->sent, ' ');
  g_string_append_printf (wire->sent, "%u", GPOINTER_TO_UINT (datagram));
  if (why == SP_IMPAIRMENT_LEAVE_AFTER)
    g_string_append_printf (wire->sent, ">%u", GPOINTER_TO_UINT (after));
  else if (why == SP_IMPAIRMENT_LEAVE_HOLD_OVER)
    g_string_append_c (wire->sent, '!');
  g_array_append_val (wire->why, why);
  wire->n_sent++;
}

static Wire *freeing_wire;

static void
wire_free (gpointer datagram)
{
  freeing_wire->n_freed++;
}

static void
wire_init (Wire *wire)
{
  wire->sent = g_string_new (NULL);
  wire->why = g_array_new (FALSE, FALSE, sizeof (SpImpairmentLeave));
  wire->n_sent = 0;
  wire->n_freed = 0;
  freeing_wire = wire;
}

static void
wire_clear (Wire *wire)
{
  g_string_free (wire->sent, TRUE);
  g_array_unref (wire->why);
  freeing_wire = NULL;
}

static SpImpairment *
impairment_new (Wire  *wire,
                guint  drop,
                guint  duplicate,
                guint  reorder,
                guint  delay_ms,
                guint  seed)
{
  SpImpairmentSettings settings = { drop, duplicate, reorder, delay_ms, seed };

  return sp_impairment_new (&settings, wire_send, wire, wire_free);
}

/* A datagram handed over as the socket does it: sent by the caller when
 * it leaves now ("n" in the wire, like the send function writes it),
 * otherwise given to the impairment. */
static void
hand_over (SpImpairment     *impairment,
           Wire             *wire,
           guint             datagram,
           SpImpairmentFate *fate)
{
  sp_impairment_decide (impairment, fate);

  if (sp_impairment_leaves_now (impairment, fate))
    {
      wire_send (GUINT_TO_POINTER (datagram), SP_IMPAIRMENT_LEAVE_DELAYED, NULL, wire);
      sp_impairment_sent (impairment, GUINT_TO_POINTER (datagram));
    }
  else if (!fate->dropped)
    {
      sp_impairment_submit (impairment, fate, GUINT_TO_POINTER (datagram));
    }
}

static char *
fates_of (guint32 seed,
          guint   drop,
          guint   duplicate,
          guint   reorder,
          guint   n)
{
  Wire wire;
  g_autoptr(SpImpairment) impairment = NULL;
  GString *fates = g_string_new (NULL);

  wire_init (&wire);
  impairment = impairment_new (&wire, drop, duplicate, reorder, 0, seed);

  for (guint i = 0; i < n; i++)
    {
      SpImpairmentFate fate;

      sp_impairment_decide (impairment, &fate);
      g_string_append_c (fates, fate.dropped ? 'D' : fate.duplicated && fate.held ? 'B'
                                : fate.duplicated ? 'U' : fate.held ? 'H' : '-');
    }

  g_clear_object (&impairment);
  wire_clear (&wire);
  return g_string_free (fates, FALSE);
}

/* The exported Python program decides with random.Random(seed): the very
 * same fates, or a lecture's program would not do what the lecture
 * showed. Python works the rule out here on its own. */
static void
test_fates_match_python (void)
{
  static const char script[] =
    "import random, sys\n"
    "seed, drop, duplicate, reorder, n = map(int, sys.argv[1:])\n"
    "r = random.Random(seed)\n"
    "out = ''\n"
    "for _ in range(n):\n"
    "    d, u, h = [(r.getrandbits(32) * 100) >> 32 < p for p in (drop, duplicate, reorder)]\n"
    "    u, h = u and not d, h and not d\n"
    "    out += 'D' if d else 'B' if u and h else 'U' if u else 'H' if h else '-'\n"
    "print(out)\n";
  static const guint cases[][4] = {
    /* seed, drop, duplicate, reorder */
    { 7, 30, 10, 10 },
    { 42, 20, 20, 20 },
    { 0, 50, 50, 50 },
    { G_MAXUINT32, 1, 99, 33 },
    { 58, 20, 20, 20 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *expected = NULL;
      g_autofree char *fates = NULL;

      for (guint j = 0; j < 4; j++)
        g_ptr_array_add (args, g_strdup_printf ("%u", cases[i][j]));
      g_ptr_array_add (args, g_strdup ("500"));

      expected = sp_test_run_python (script, args);
      if (expected == NULL)
        return;

      g_strchomp (expected);
      fates = fates_of (cases[i][0], cases[i][1], cases[i][2], cases[i][3], 500);
      g_assert_cmpstr (fates, ==, expected);
    }
}

static void
test_same_seed_same_fates (void)
{
  g_autofree char *first = fates_of (7, 30, 10, 10, 1000);
  g_autofree char *again = fates_of (7, 30, 10, 10, 1000);
  g_autofree char *other = fates_of (8, 30, 10, 10, 1000);

  g_assert_cmpstr (first, ==, again);
  g_assert_cmpstr (first, !=, other);
}

static guint
count_char (const char *text,
            char        c)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == c;
  return n;
}

static void
test_percentages (void)
{
  g_autofree char *never = fates_of (7, 0, 0, 0, 1000);
  g_autofree char *always_dropped = fates_of (7, 100, 100, 100, 1000);
  g_autofree char *always_both = fates_of (7, 0, 100, 100, 1000);
  g_autofree char *some = fates_of (11, 30, 10, 10, 10000);
  guint dropped;
  guint duplicated;
  guint held;

  g_assert_cmpuint (count_char (never, '-'), ==, 1000);
  /* A dropped datagram is neither sent twice nor held. */
  g_assert_cmpuint (count_char (always_dropped, 'D'), ==, 1000);
  g_assert_cmpuint (count_char (always_both, 'B'), ==, 1000);

  /* Drawn, so not exact; the seed makes it the same every run. */
  dropped = count_char (some, 'D');
  duplicated = count_char (some, 'U') + count_char (some, 'B');
  held = count_char (some, 'H') + count_char (some, 'B');
  g_test_message ("of 10000: %u dropped, %u duplicated, %u held", dropped, duplicated, held);
  g_assert_cmpuint (dropped, >=, 2800);
  g_assert_cmpuint (dropped, <=, 3200);
  /* 10 % of the 70 % that are not dropped */
  g_assert_cmpuint (duplicated, >=, 600);
  g_assert_cmpuint (duplicated, <=, 800);
  g_assert_cmpuint (held, >=, 600);
  g_assert_cmpuint (held, <=, 800);
}

/* With every datagram held back, each one but the first goes out first and
 * takes the one before it along: 2 1, then 3 held, 4 3, … */
static void
test_hold_goes_after_next (SpTestFixture *fixture,
                           gconstpointer  data)
{
  Wire wire;
  g_autoptr(SpImpairment) impairment = NULL;
  SpImpairmentFate fate;

  wire_init (&wire);
  impairment = impairment_new (&wire, 0, 0, 100, 0, 1);

  for (guint i = 1; i <= 5; i++)
    hand_over (impairment, &wire, i, &fate);

  g_assert_cmpstr (wire.sent->str, ==, "2 1>2 4 3>4");
  g_assert_cmpuint (sp_impairment_get_n_waiting (impairment), ==, 1);

  /* Nothing comes after 5: it leaves when its hold is over. */
  g_assert_true (sp_test_iterate_until (sp_test_count_reached,
                                        &(SpTestCount) { &wire.n_sent, 5 },
                                        SP_IMPAIRMENT_HOLD_MS + SP_TEST_GUARD_MS));
  g_assert_cmpstr (wire.sent->str, ==, "2 1>2 4 3>4 5!");
  g_assert_cmpuint (sp_impairment_get_n_waiting (impairment), ==, 0);
  g_assert_cmpuint (wire.n_freed, ==, 3);

  g_assert_finalize_object (g_steal_pointer (&impairment));
  wire_clear (&wire);
}

static void
test_delay_keeps_order (SpTestFixture *fixture,
                        gconstpointer  data)
{
  Wire wire;
  g_autoptr(SpImpairment) impairment = NULL;
  SpImpairmentFate fate;
  gint64 handed_over;

  wire_init (&wire);
  impairment = impairment_new (&wire, 0, 0, 0, 50, 1);

  handed_over = g_get_monotonic_time ();
  for (guint i = 1; i <= 4; i++)
    {
      hand_over (impairment, &wire, i, &fate);
      g_assert_false (sp_impairment_leaves_now (impairment, &fate));
    }

  /* Nothing leaves before the main loop runs the delay out. */
  g_assert_cmpstr (wire.sent->str, ==, "");
  g_assert_cmpuint (sp_impairment_get_n_waiting (impairment), ==, 4);

  g_assert_true (sp_test_iterate_until (sp_test_count_reached,
                                        &(SpTestCount) { &wire.n_sent, 4 },
                                        SP_TEST_GUARD_MS));
  /* A timer never fires early. */
  g_assert_cmpint (g_get_monotonic_time () - handed_over, >=, 50 * 1000);
  g_assert_cmpstr (wire.sent->str, ==, "1 2 3 4");
  for (guint i = 0; i < wire.why->len; i++)
    g_assert_cmpint (g_array_index (wire.why, SpImpairmentLeave, i), ==,
                     SP_IMPAIRMENT_LEAVE_DELAYED);
  g_assert_cmpuint (wire.n_freed, ==, 4);

  g_assert_finalize_object (g_steal_pointer (&impairment));
  wire_clear (&wire);
}

/* A socket that closes sends what waits, in the order it would have left
 * in; one held back still goes after the next. */
static void
test_flush (SpTestFixture *fixture,
            gconstpointer  data)
{
  Wire wire;
  g_autoptr(SpImpairment) impairment = NULL;
  SpImpairmentFate fate;

  wire_init (&wire);
  impairment = impairment_new (&wire, 0, 0, 100, 60000, 1);

  for (guint i = 1; i <= 3; i++)
    hand_over (impairment, &wire, i, &fate);
  g_assert_cmpuint (sp_impairment_get_n_waiting (impairment), ==, 3);

  sp_impairment_flush (impairment);
  g_assert_cmpstr (wire.sent->str, ==, "2 1>2 3");
  g_assert_cmpint (g_array_index (wire.why, SpImpairmentLeave, 0), ==,
                   SP_IMPAIRMENT_LEAVE_FLUSH);
  g_assert_cmpint (g_array_index (wire.why, SpImpairmentLeave, 2), ==,
                   SP_IMPAIRMENT_LEAVE_FLUSH);
  g_assert_cmpuint (sp_impairment_get_n_waiting (impairment), ==, 0);
  g_assert_cmpuint (wire.n_freed, ==, 3);

  g_assert_finalize_object (g_steal_pointer (&impairment));
  wire_clear (&wire);
}

/* Gone with datagrams still waiting: they are freed, never sent, and no
 * timer of the impairment fires afterwards. */
static void
test_dispose_while_waiting (SpTestFixture *fixture,
                            gconstpointer  data)
{
  Wire wire;
  SpImpairment *impairment;
  SpImpairmentFate fate;

  wire_init (&wire);
  impairment = impairment_new (&wire, 0, 0, 0, 20, 1);
  for (guint i = 1; i <= 3; i++)
    hand_over (impairment, &wire, i, &fate);

  g_assert_finalize_object (impairment);
  g_assert_cmpuint (wire.n_freed, ==, 3);
  sp_test_iterate_for (60);
  g_assert_cmpuint (wire.n_sent, ==, 0);

  wire_clear (&wire);
}

static void
test_settings (void)
{
  SpImpairmentSettings none = { 0, 0, 0, 0, 42 };
  SpImpairmentSettings some = { 10, 0, 0, 0, 42 };
  SpImpairmentSettings delay = { 0, 0, 0, 5, 42 };
  SpImpairmentSettings other_seed = { 10, 0, 0, 0, 43 };

  g_assert_false (sp_impairment_settings_is_active (NULL));
  g_assert_false (sp_impairment_settings_is_active (&none));
  g_assert_true (sp_impairment_settings_is_active (&some));
  g_assert_true (sp_impairment_settings_is_active (&delay));

  g_assert_true (sp_impairment_settings_equal (NULL, NULL));
  g_assert_false (sp_impairment_settings_equal (&some, NULL));
  g_assert_true (sp_impairment_settings_equal (&some, &some));
  g_assert_false (sp_impairment_settings_equal (&some, &other_seed));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char **args = sp_test_init_keep_going (argc, argv);

#define ADD(path, func) \
  g_test_add (path, SpTestFixture, NULL, sp_test_fixture_set_up, func, \
              sp_test_fixture_tear_down)

  g_test_add_func ("/Sp/Impairment/fates-match-python", test_fates_match_python);
  g_test_add_func ("/Sp/Impairment/same-seed-same-fates", test_same_seed_same_fates);
  g_test_add_func ("/Sp/Impairment/percentages", test_percentages);
  g_test_add_func ("/Sp/Impairment/settings", test_settings);
  ADD ("/Sp/Impairment/hold-goes-after-next", test_hold_goes_after_next);
  ADD ("/Sp/Impairment/delay-keeps-order", test_delay_keeps_order);
  ADD ("/Sp/Impairment/flush", test_flush);
  ADD ("/Sp/Impairment/dispose-while-waiting", test_dispose_while_waiting);

#undef ADD

  return g_test_run ();
}
