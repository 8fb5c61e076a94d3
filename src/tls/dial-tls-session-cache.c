/* dial-tls-session-cache.c: resumption data keyed by server identity
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One process-wide cache. A key names a server (identity and port) and the
 * client certificate, so that different client certificates never share a
 * session. TLS 1.3 tickets are single use: each lookup takes one away. A
 * TLS 1.2 session may be resumed any number of times. Entries expire ten
 * minutes after they were stored, and are never refreshed by use, so that
 * resumption cannot be used to follow a client for longer than that.
 */

#include "config.h"

#include "dial-tls-session-cache-private.h"

#define MAX_ENTRIES     50
#define ENTRY_LIFETIME  (10 * G_TIME_SPAN_MINUTE)

typedef struct {
  GQueue   tickets;      /* of GBytes, oldest first */
  gint64   created;
  gboolean single_use;
} Entry;

static GMutex cache_lock;
static GHashTable *cache;   /* key → Entry */

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_queue_clear_full (&entry->tickets, (GDestroyNotify) g_bytes_unref);
  g_free (entry);
}

static GHashTable *
get_cache_locked (void)
{
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  return cache;
}

static void
expire_locked (GHashTable *table,
               gint64      now)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      if (now - entry->created >= ENTRY_LIFETIME)
        g_hash_table_iter_remove (&iter);
    }
}

static void
evict_oldest_locked (GHashTable *table)
{
  GHashTableIter iter;
  const char *key, *oldest_key = NULL;
  Entry *entry;
  gint64 oldest = G_MAXINT64;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &entry))
    {
      if (entry->created < oldest)
        {
          oldest = entry->created;
          oldest_key = key;
        }
    }

  if (oldest_key != NULL)
    g_hash_table_remove (table, oldest_key);
}

static char *
address_key (GSocketAddress *address)
{
  g_autofree char *ip = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;

  ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s/%u", ip, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

/*
 * dial_tls_session_cache_key:
 * @identity: (nullable): the connection's server identity
 * @base_io_stream: the stream the connection runs over, for its peer's
 *   address when there is no identity
 * @certificate: (nullable): the client certificate
 *
 * Names the sessions a connection may resume: its server (host name and
 * port, service, or address and port) and its client certificate, so that
 * different client certificates never share a session.
 *
 * Returns: (transfer full) (nullable): the key, or %NULL when the server
 *   cannot be named
 */
char *
dial_tls_session_cache_key (GSocketConnectable *identity,
                            GIOStream          *base_io_stream,
                            GTlsCertificate    *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *server = NULL;

  if (G_IS_NETWORK_ADDRESS (identity))
    server = g_strdup_printf ("%s:%u",
                              g_network_address_get_hostname (G_NETWORK_ADDRESS (identity)),
                              g_network_address_get_port (G_NETWORK_ADDRESS (identity)));
  else if (G_IS_NETWORK_SERVICE (identity))
    server = g_strdup_printf ("%s/%s/%s",
                              g_network_service_get_domain (G_NETWORK_SERVICE (identity)),
                              g_network_service_get_service (G_NETWORK_SERVICE (identity)),
                              g_network_service_get_protocol (G_NETWORK_SERVICE (identity)));
  else if (G_IS_SOCKET_ADDRESS (identity))
    server = address_key (G_SOCKET_ADDRESS (identity));
  else if (identity == NULL && G_IS_SOCKET_CONNECTION (base_io_stream))
    {
      g_autoptr(GSocketAddress) remote = NULL;

      remote = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (base_io_stream), NULL);
      server = address_key (remote);
    }

  if (server == NULL)
    return NULL;

  if (certificate != NULL)
    g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return g_steal_pointer (&server);

  {
    g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);

    return g_strdup_printf ("%s/%s", server, digest);
  }
}

/*
 * dial_tls_session_cache_add:
 * @key: the server and client certificate the session belongs to
 * @session_data: what gnutls_session_get_data2() returned
 * @single_use: %TRUE for a TLS 1.3 ticket, which is queued and used once;
 *   %FALSE for a TLS 1.2 session, which replaces any older one
 *
 * Stores resumption data for later connections to the same server.
 */
void
dial_tls_session_cache_add (const char *key,
                            GBytes     *session_data,
                            gboolean    single_use)
{
  GHashTable *table;
  Entry *entry;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (key != NULL);
  g_return_if_fail (session_data != NULL);

  g_mutex_lock (&cache_lock);
  table = get_cache_locked ();
  expire_locked (table, now);

  entry = g_hash_table_lookup (table, key);
  if (entry != NULL && (!single_use || !entry->single_use))
    {
      /* A new TLS 1.2 session, or a change of protocol: start afresh. */
      g_hash_table_remove (table, key);
      entry = NULL;
    }

  if (entry == NULL)
    {
      if (g_hash_table_size (table) >= MAX_ENTRIES)
        evict_oldest_locked (table);

      entry = g_new0 (Entry, 1);
      g_queue_init (&entry->tickets);
      entry->single_use = single_use;
      g_hash_table_insert (table, g_strdup (key), entry);
    }

  /* Each ticket lives ten minutes from the last one stored. */
  entry->created = now;
  g_queue_push_tail (&entry->tickets, g_bytes_ref (session_data));
  g_mutex_unlock (&cache_lock);
}

/*
 * dial_tls_session_cache_take:
 * @key: the server and client certificate of the new connection
 *
 * Looks up resumption data. A TLS 1.3 ticket is removed from the cache,
 * newest first; TLS 1.2 data stays for the next connection.
 *
 * Returns: (transfer full) (nullable): the session data
 */
GBytes *
dial_tls_session_cache_take (const char *key)
{
  GHashTable *table;
  GBytes *data = NULL;
  Entry *entry;

  g_return_val_if_fail (key != NULL, NULL);

  g_mutex_lock (&cache_lock);
  table = get_cache_locked ();
  expire_locked (table, g_get_monotonic_time ());

  entry = g_hash_table_lookup (table, key);
  if (entry != NULL)
    {
      if (entry->single_use)
        {
          data = g_queue_pop_tail (&entry->tickets);
          if (g_queue_is_empty (&entry->tickets))
            g_hash_table_remove (table, key);
        }
      else
        {
          data = g_bytes_ref (g_queue_peek_tail (&entry->tickets));
        }
    }
  g_mutex_unlock (&cache_lock);

  return data;
}

/*
 * dial_tls_session_cache_clear:
 *
 * Forgets every stored session. Tests use it so that one test cannot
 * resume a session of another.
 */
void
dial_tls_session_cache_clear (void)
{
  g_mutex_lock (&cache_lock);
  if (cache != NULL)
    g_hash_table_remove_all (cache);
  g_mutex_unlock (&cache_lock);
}
