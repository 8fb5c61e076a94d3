/* dial-family-cache.c: which address family last won for a host name
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dial-family-cache.h"

/* Enough for every host a busy process talks to, small enough that a
 * process which connects to a new name every second stays bounded. */
#define DIAL_FAMILY_CACHE_MAX_ENTRIES 256

typedef struct
{
  char          *host;       /* normalized; also the key in cache_table */
  GSocketFamily  family;
  gint64         expires_us; /* on the cache clock */
  GList          link;       /* in cache_order; link.data is the entry */
} Entry;

/* All guarded by cache_lock. cache_order holds every entry, least
 * recently recorded first; cache_table indexes the same entries. */
static GMutex       cache_lock;
static GHashTable  *cache_table;
static GQueue       cache_order = G_QUEUE_INIT;
static gint64     (*cache_now) (void) = g_get_monotonic_time;
static guint        cache_ttl_seconds = DIAL_FAMILY_CACHE_DEFAULT_TTL_SECONDS;

/* DNS names compare case-insensitively, and "example.com." is the same
 * name as "example.com". Non-ASCII names are only folded in their ASCII
 * part: callers pass what GNetworkAddress was given. */
static char *
normalize_host (const char *host)
{
  gsize len = strlen (host);

  if (len > 0 && host[len - 1] == '.')
    len--;

  return g_ascii_strdown (host, len);
}

static void
entry_free (Entry *entry)
{
  g_free (entry->host);
  g_free (entry);
}

/* Called with cache_lock held. */
static void
entry_remove (Entry *entry)
{
  g_queue_unlink (&cache_order, &entry->link);
  g_hash_table_remove (cache_table, entry->host);
  entry_free (entry);
}

static gboolean
entry_expired (const Entry *entry,
               gint64       now_us)
{
  return now_us >= entry->expires_us;
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         network_available,
                    gpointer         user_data)
{
  /* May run in any thread: see watch_network_changes(). */
  dial_family_cache_clear ();
}

static gpointer
get_default_monitor (gpointer data)
{
  return g_network_monitor_get_default ();
}

/*
 * watch_network_changes:
 *
 * Connects to GNetworkMonitor's "network-changed" once per process, the
 * first time a winner is recorded: until then there is nothing to drop,
 * and a process that never falls back never loads the monitor.
 *
 * The default monitor emits its signals in the thread-default main
 * context of the thread that created it. When the caller runs inside a
 * pushed context (a sync wrapper over an async call, say), that context
 * may be popped and never iterated again, so the monitor is then fetched
 * from a short-lived thread of its own, which binds it (if this creates
 * it) to the global default context. The handler only takes cache_lock,
 * so whichever thread it runs in is fine. Never called with cache_lock
 * held: the calls made here reach into GIO.
 */
static void
watch_network_changes (void)
{
  static gsize watching = 0;

  if (g_once_init_enter (&watching))
    {
      GNetworkMonitor *monitor;

      if (g_main_context_get_thread_default () == NULL)
        monitor = g_network_monitor_get_default ();
      else
        monitor = g_thread_join (g_thread_new ("dial-family-cache",
                                               get_default_monitor, NULL));

      g_signal_connect (monitor, "network-changed",
                        G_CALLBACK (on_network_changed), NULL);

      g_once_init_leave (&watching, 1);
    }
}

/*
 * dial_family_cache_lookup:
 * @host: a host name, as given to the client
 *
 * Returns: the family that last won for @host, or
 *   %G_SOCKET_FAMILY_INVALID if none is remembered or it expired.
 */
GSocketFamily
dial_family_cache_lookup (const char *host)
{
  g_autofree char *key = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  Entry *entry;

  g_return_val_if_fail (host != NULL, G_SOCKET_FAMILY_INVALID);

  key = normalize_host (host);
  locker = g_mutex_locker_new (&cache_lock);

  if (cache_table == NULL)
    return G_SOCKET_FAMILY_INVALID;

  entry = g_hash_table_lookup (cache_table, key);
  if (entry == NULL)
    return G_SOCKET_FAMILY_INVALID;

  if (entry_expired (entry, cache_now ()))
    {
      entry_remove (entry);
      return G_SOCKET_FAMILY_INVALID;
    }

  return entry->family;
}

/*
 * dial_family_cache_record:
 * @host: a host name, as given to the client
 * @winner: %G_SOCKET_FAMILY_IPV4 or %G_SOCKET_FAMILY_IPV6, or
 *   %G_SOCKET_FAMILY_INVALID to forget @host
 *
 * Remembers @winner for @host for the time to live, replacing what was
 * remembered before. When the cache is full, the entry recorded longest
 * ago is dropped.
 */
void
dial_family_cache_record (const char    *host,
                          GSocketFamily  winner)
{
  g_autoptr(GMutexLocker) locker = NULL;
  Entry *entry;
  Entry *old;
  gint64 now_us;

  g_return_if_fail (host != NULL);
  g_return_if_fail (winner == G_SOCKET_FAMILY_IPV4 ||
                    winner == G_SOCKET_FAMILY_IPV6 ||
                    winner == G_SOCKET_FAMILY_INVALID);

  if (winner == G_SOCKET_FAMILY_INVALID)
    {
      dial_family_cache_forget (host);
      return;
    }

  watch_network_changes ();

  entry = g_new0 (Entry, 1);
  entry->host = normalize_host (host);
  entry->family = winner;
  entry->link.data = entry;

  locker = g_mutex_locker_new (&cache_lock);

  if (cache_table == NULL)
    cache_table = g_hash_table_new (g_str_hash, g_str_equal);

  now_us = cache_now ();
  entry->expires_us = now_us + (gint64) cache_ttl_seconds * G_USEC_PER_SEC;

  old = g_hash_table_lookup (cache_table, entry->host);
  if (old != NULL)
    entry_remove (old);

  /* The oldest entries expire first while the time to live stays put:
   * drop the dead ones at the front before counting. */
  while (cache_order.head != NULL &&
         entry_expired (cache_order.head->data, now_us))
    entry_remove (cache_order.head->data);

  while (cache_order.length >= DIAL_FAMILY_CACHE_MAX_ENTRIES)
    entry_remove (cache_order.head->data);

  g_queue_push_tail_link (&cache_order, &entry->link);
  g_hash_table_insert (cache_table, entry->host, entry);
}

void
dial_family_cache_forget (const char *host)
{
  g_autofree char *key = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  Entry *entry;

  g_return_if_fail (host != NULL);

  key = normalize_host (host);
  locker = g_mutex_locker_new (&cache_lock);

  if (cache_table == NULL)
    return;

  entry = g_hash_table_lookup (cache_table, key);
  if (entry != NULL)
    entry_remove (entry);
}

void
dial_family_cache_clear (void)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);

  while (cache_order.head != NULL)
    entry_remove (cache_order.head->data);
}

/*
 * dial_family_cache_set_clock_for_testing:
 * @now_us: (nullable): returns the current time in microseconds, or
 *   %NULL for g_get_monotonic_time()
 *
 * Called with the cache's lock held, so it must not call into the cache.
 * Entries keep the expiry they were given on the previous clock.
 */
void
dial_family_cache_set_clock_for_testing (gint64 (*now_us) (void))
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);

  cache_now = now_us != NULL ? now_us : g_get_monotonic_time;
}

/*
 * dial_family_cache_set_ttl_for_testing:
 * @seconds: the time to live of entries recorded from now on
 */
void
dial_family_cache_set_ttl_for_testing (guint seconds)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);

  cache_ttl_seconds = seconds;
}
