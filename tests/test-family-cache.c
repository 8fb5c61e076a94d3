/* test-family-cache.c: the process-wide memory of which family won
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-family-cache.h"

#define TTL_US ((gint64) DIAL_FAMILY_CACHE_DEFAULT_TTL_SECONDS * G_USEC_PER_SEC)

/* The fake clock: starts well away from zero and moves only when a test
 * moves it. Locked because /family-cache/threads moves it concurrently. */
static GMutex fake_clock_lock;
static gint64 fake_now_us;

static gint64
fake_clock (void)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&fake_clock_lock);

  return fake_now_us;
}

static void
fake_clock_set (gint64 now_us)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&fake_clock_lock);

  fake_now_us = now_us;
}

static void
fake_clock_advance (gint64 delta_us)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&fake_clock_lock);

  fake_now_us += delta_us;
}

typedef struct
{
  int unused;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fake_clock_set (1000 * G_USEC_PER_SEC);
  dial_family_cache_set_clock_for_testing (fake_clock);
  dial_family_cache_set_ttl_for_testing (DIAL_FAMILY_CACHE_DEFAULT_TTL_SECONDS);
  dial_family_cache_clear ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  dial_family_cache_clear ();
  dial_family_cache_set_ttl_for_testing (DIAL_FAMILY_CACHE_DEFAULT_TTL_SECONDS);
  dial_family_cache_set_clock_for_testing (NULL);
}

static void
emit_network_changed (void)
{
  GNetworkMonitor *monitor = g_network_monitor_get_default ();

  g_signal_emit_by_name (monitor, "network-changed", TRUE);
}

static void
test_lookup_unknown (Fixture       *fixture,
                     gconstpointer  data)
{
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_family_cache_lookup (""), ==, G_SOCKET_FAMILY_INVALID);

  /* Forgetting what was never recorded is fine. */
  dial_family_cache_forget ("example.com");
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_INVALID);
}

static void
test_record_lookup (Fixture       *fixture,
                    gconstpointer  data)
{
  dial_family_cache_record ("v4.example.com", G_SOCKET_FAMILY_IPV4);
  dial_family_cache_record ("v6.example.com", G_SOCKET_FAMILY_IPV6);

  g_assert_cmpint (dial_family_cache_lookup ("v4.example.com"), ==, G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (dial_family_cache_lookup ("v6.example.com"), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_INVALID);

  /* A lookup does not consume the entry. */
  g_assert_cmpint (dial_family_cache_lookup ("v4.example.com"), ==, G_SOCKET_FAMILY_IPV4);
}

static void
test_record_replaces (Fixture       *fixture,
                      gconstpointer  data)
{
  dial_family_cache_record ("example.com", G_SOCKET_FAMILY_IPV6);
  dial_family_cache_record ("example.com", G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_IPV4);

  /* Recording again renews the time to live. */
  fake_clock_advance (TTL_US - 1);
  dial_family_cache_record ("example.com", G_SOCKET_FAMILY_IPV4);
  fake_clock_advance (2);
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_IPV4);
  fake_clock_advance (TTL_US);
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_INVALID);
}

static void
test_case_insensitive (Fixture       *fixture,
                       gconstpointer  data)
{
  dial_family_cache_record ("WWW.Example.COM", G_SOCKET_FAMILY_IPV6);

  g_assert_cmpint (dial_family_cache_lookup ("www.example.com"), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_family_cache_lookup ("WWW.EXAMPLE.COM"), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_family_cache_lookup ("wWw.eXaMpLe.cOm"), ==, G_SOCKET_FAMILY_IPV6);

  /* One entry, whatever the spelling. */
  dial_family_cache_record ("www.example.com", G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (dial_family_cache_lookup ("WWW.Example.COM"), ==, G_SOCKET_FAMILY_IPV4);
  dial_family_cache_forget ("Www.Example.Com");
  g_assert_cmpint (dial_family_cache_lookup ("www.example.com"), ==, G_SOCKET_FAMILY_INVALID);
}

static void
test_trailing_dot (Fixture       *fixture,
                   gconstpointer  data)
{
  dial_family_cache_record ("example.com.", G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_family_cache_lookup ("example.com."), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_family_cache_lookup ("EXAMPLE.COM."), ==, G_SOCKET_FAMILY_IPV6);

  dial_family_cache_record ("example.org", G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (dial_family_cache_lookup ("example.org."), ==, G_SOCKET_FAMILY_IPV4);

  dial_family_cache_forget ("example.com");
  g_assert_cmpint (dial_family_cache_lookup ("example.com."), ==, G_SOCKET_FAMILY_INVALID);
  dial_family_cache_forget ("example.org.");
  g_assert_cmpint (dial_family_cache_lookup ("example.org"), ==, G_SOCKET_FAMILY_INVALID);
}

static void
test_expiry (Fixture       *fixture,
             gconstpointer  data)
{
  dial_family_cache_record ("example.com", G_SOCKET_FAMILY_IPV6);

  fake_clock_advance (TTL_US - 1);
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_IPV6);

  fake_clock_advance (1);
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_INVALID);

  /* The expired entry was dropped, not hidden: turning the clock back
   * does not bring it back. */
  fake_clock_advance (-TTL_US);
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_INVALID);
}

static void
test_ttl (Fixture       *fixture,
          gconstpointer  data)
{
  dial_family_cache_set_ttl_for_testing (5);
  dial_family_cache_record ("example.com", G_SOCKET_FAMILY_IPV4);

  /* A new time to live applies to entries recorded from then on. */
  dial_family_cache_set_ttl_for_testing (100);
  dial_family_cache_record ("example.org", G_SOCKET_FAMILY_IPV6);

  fake_clock_advance (5 * G_USEC_PER_SEC - 1);
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_IPV4);
  fake_clock_advance (1);
  g_assert_cmpint (dial_family_cache_lookup ("example.com"), ==, G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_family_cache_lookup ("example.org"), ==, G_SOCKET_FAMILY_IPV6);

  fake_clock_advance (95 * G_USEC_PER_SEC);
  g_assert_cmpint (dial_family_cache_lookup ("example.org"), ==, G_SOCKET_FAMILY_INVALID);

  /* Zero: entries are dead on arrival. */
  dial_family_cache_set_ttl_for_testing (0);
  dial_family_cache_record ("example.net", G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (dial_family_cache_lookup ("example.net"), ==, G_SOCKET_FAMILY_INVALID);
}

static void
test_forget (Fixture       *fixture,
             gconstpointer  data)
{
  dial_family_cache_record ("a.example", G_SOCKET_FAMILY_IPV4);
  dial_family_cache_record ("b.example", G_SOCKET_FAMILY_IPV6);

  dial_family_cache_forget ("a.example");
  g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_family_cache_lookup ("b.example"), ==, G_SOCKET_FAMILY_IPV6);

  dial_family_cache_forget ("a.example");
  g_assert_cmpint (dial_family_cache_lookup ("b.example"), ==, G_SOCKET_FAMILY_IPV6);
}

static void
test_record_invalid_forgets (Fixture       *fixture,
                             gconstpointer  data)
{
  dial_family_cache_record ("a.example", G_SOCKET_FAMILY_IPV4);
  dial_family_cache_record ("b.example", G_SOCKET_FAMILY_IPV6);

  dial_family_cache_record ("A.Example.", G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_family_cache_lookup ("b.example"), ==, G_SOCKET_FAMILY_IPV6);

  /* Forgetting an unknown name is fine too. */
  dial_family_cache_record ("c.example", G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_family_cache_lookup ("c.example"), ==, G_SOCKET_FAMILY_INVALID);
}

static void
test_record_bad_family (Fixture       *fixture,
                        gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      dial_family_cache_record ("example.com", G_SOCKET_FAMILY_UNIX);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*winner*");
}

static void
test_clear (Fixture       *fixture,
            gconstpointer  data)
{
  dial_family_cache_record ("a.example", G_SOCKET_FAMILY_IPV4);
  dial_family_cache_record ("b.example", G_SOCKET_FAMILY_IPV6);
  dial_family_cache_record ("c.example", G_SOCKET_FAMILY_IPV6);

  dial_family_cache_clear ();
  g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_family_cache_lookup ("b.example"), ==, G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_family_cache_lookup ("c.example"), ==, G_SOCKET_FAMILY_INVALID);

  /* The cache works as before after a clear, and clearing twice is fine. */
  dial_family_cache_record ("a.example", G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_IPV6);
  dial_family_cache_clear ();
  dial_family_cache_clear ();
  g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_INVALID);
}

static char *
numbered_host (guint i)
{
  return g_strdup_printf ("host-%u.example", i);
}

static gboolean
numbered_host_known (guint i)
{
  g_autofree char *host = numbered_host (i);

  return dial_family_cache_lookup (host) != G_SOCKET_FAMILY_INVALID;
}

static void
numbered_host_record (guint i)
{
  g_autofree char *host = numbered_host (i);

  dial_family_cache_record (host, i % 2 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
}

static void
test_size_bound (Fixture       *fixture,
                 gconstpointer  data)
{
  /* Far more names than any sane bound. The test learns the bound from
   * what survives rather than hard-coding it. */
  const guint n_hosts = 5000;
  guint bound = 0;
  guint first;

  for (guint i = 0; i < n_hosts; i++)
    {
      numbered_host_record (i);
      fake_clock_advance (1);
    }

  for (guint i = 0; i < n_hosts; i++)
    bound += numbered_host_known (i);

  g_test_message ("the cache kept %u of %u names", bound, n_hosts);
  g_assert_cmpuint (bound, >=, 16);
  g_assert_cmpuint (bound, <, n_hosts);

  /* The survivors are the ones recorded last. */
  first = n_hosts - bound;
  for (guint i = 0; i < n_hosts; i++)
    g_assert_cmpint (numbered_host_known (i), ==, i >= first);

  /* Recording a name again makes it the newest: the next new name
   * evicts the one after it instead. */
  numbered_host_record (first);
  numbered_host_record (n_hosts);
  g_assert_true (numbered_host_known (first));
  g_assert_false (numbered_host_known (first + 1));
  g_assert_true (numbered_host_known (first + 2));
  g_assert_true (numbered_host_known (n_hosts));

  /* Forgetting makes room: nothing else is evicted. */
  dial_family_cache_forget ("host-4999.example");
  numbered_host_record (n_hosts + 1);
  g_assert_true (numbered_host_known (first + 2));
  g_assert_true (numbered_host_known (n_hosts + 1));
}

#define N_WORKERS      8
#define N_ITERATIONS   20000
#define N_WORKER_HOSTS 300 /* more than the bound, so eviction runs too */

static gpointer
worker_run (gpointer data)
{
  GRand *rand = g_rand_new_with_seed (GPOINTER_TO_UINT (data));
  char host[64];

  for (guint i = 0; i < N_ITERATIONS; i++)
    {
      guint op = g_rand_int_range (rand, 0, 100);
      GSocketFamily family;

      g_snprintf (host, sizeof host, "%sHost-%d.Example%s",
                  op % 3 ? "" : "www.",
                  g_rand_int_range (rand, 0, N_WORKER_HOSTS),
                  op % 5 ? "" : ".");

      if (op < 40)
        {
          dial_family_cache_record (host, op % 2 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
        }
      else if (op < 85)
        {
          family = dial_family_cache_lookup (host);
          g_assert_true (family == G_SOCKET_FAMILY_INVALID ||
                         family == G_SOCKET_FAMILY_IPV4 ||
                         family == G_SOCKET_FAMILY_IPV6);
        }
      else if (op < 92)
        {
          dial_family_cache_forget (host);
        }
      else if (op < 95)
        {
          dial_family_cache_record (host, G_SOCKET_FAMILY_INVALID);
        }
      else if (op < 97)
        {
          /* Moves entries past their expiry now and then. */
          fake_clock_advance (G_USEC_PER_SEC);
        }
      else if (op < 99)
        {
          dial_family_cache_clear ();
        }
      else
        {
          emit_network_changed ();
        }
    }

  g_rand_free (rand);

  return NULL;
}

static void
test_threads (Fixture       *fixture,
              gconstpointer  data)
{
  GThread *threads[N_WORKERS];

  /* Short enough that the clock moves entries past it. */
  dial_family_cache_set_ttl_for_testing (30);

  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_autofree char *name = g_strdup_printf ("worker-%u", i);

      threads[i] = g_thread_new (name, worker_run, GUINT_TO_POINTER (g_test_rand_int ()));
    }

  for (guint i = 0; i < N_WORKERS; i++)
    g_thread_join (threads[i]);

  /* Still coherent afterwards. */
  dial_family_cache_record ("example.com", G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_family_cache_lookup ("EXAMPLE.com."), ==, G_SOCKET_FAMILY_IPV6);
}

static gpointer
emit_network_changed_thread (gpointer data)
{
  emit_network_changed ();

  return NULL;
}

static void
test_network_changed (Fixture       *fixture,
                      gconstpointer  data)
{
  /* The first record connects the cache to the monitor. */
  dial_family_cache_record ("a.example", G_SOCKET_FAMILY_IPV4);
  dial_family_cache_record ("b.example", G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_IPV4);

  emit_network_changed ();
  g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_family_cache_lookup ("b.example"), ==, G_SOCKET_FAMILY_INVALID);

  /* Connected once: the cache fills and clears again. */
  dial_family_cache_record ("a.example", G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_IPV6);
  emit_network_changed ();
  g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_INVALID);

  /* The monitor may emit in another thread. */
  dial_family_cache_record ("a.example", G_SOCKET_FAMILY_IPV4);
  g_thread_join (g_thread_new ("network-changed", emit_network_changed_thread, NULL));
  g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_INVALID);
}

static void
test_network_changed_pushed_context (Fixture       *fixture,
                                     gconstpointer  data)
{
  /* In a fresh process, so that the cache connects to the monitor here,
   * from a thread whose thread-default context goes away afterwards. */
  if (g_test_subprocess ())
    {
      GMainContext *context = g_main_context_new ();

      g_main_context_push_thread_default (context);
      dial_family_cache_record ("a.example", G_SOCKET_FAMILY_IPV6);
      g_main_context_pop_thread_default (context);
      g_main_context_unref (context);

      g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_IPV6);
      emit_network_changed ();
      g_assert_cmpint (dial_family_cache_lookup ("a.example"), ==, G_SOCKET_FAMILY_INVALID);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
add_test (const char *path,
          void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_test ("/family-cache/lookup-unknown", test_lookup_unknown);
  add_test ("/family-cache/record-lookup", test_record_lookup);
  add_test ("/family-cache/record-replaces", test_record_replaces);
  add_test ("/family-cache/case-insensitive", test_case_insensitive);
  add_test ("/family-cache/trailing-dot", test_trailing_dot);
  add_test ("/family-cache/expiry", test_expiry);
  add_test ("/family-cache/ttl", test_ttl);
  add_test ("/family-cache/forget", test_forget);
  add_test ("/family-cache/record-invalid-forgets", test_record_invalid_forgets);
  add_test ("/family-cache/record-bad-family", test_record_bad_family);
  add_test ("/family-cache/clear", test_clear);
  add_test ("/family-cache/size-bound", test_size_bound);
  add_test ("/family-cache/threads", test_threads);
  add_test ("/family-cache/network-changed", test_network_changed);
  add_test ("/family-cache/network-changed/pushed-context", test_network_changed_pushed_context);

  return g_test_run ();
}
