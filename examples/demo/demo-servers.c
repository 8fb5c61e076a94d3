/* demo-servers.c: the demo's plain TCP servers, and its resolver
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here runs on the main thread's context: the accepting server
 * is a GSocketService, the others are sockets the kernel answers for.
 */

#include "demo-servers.h"

/* How many times to look for a port number free on both loopbacks. */
#define PORT_TRIES 32

/* ======================================================================== */
/* A resolver that knows one name                                           */

/* GNetworkAddress asks for IPv6 and IPv4 addresses in two lookups (that is
 * how Happy Eyeballs gets both families early); DemoResolver answers each
 * with the addresses of that family, at once, without leaving the process. */

#define DEMO_TYPE_RESOLVER (demo_resolver_get_type ())
G_DECLARE_FINAL_TYPE (DemoResolver, demo_resolver, DEMO, RESOLVER, GResolver)

struct _DemoResolver
{
  GResolver parent_instance;
};

G_DEFINE_FINAL_TYPE (DemoResolver, demo_resolver, G_TYPE_RESOLVER)

static GList *
demo_resolver_answer (const char                *hostname,
                      GResolverNameLookupFlags   flags,
                      GError                   **error)
{
  GList *addresses = NULL;

  if (g_ascii_strcasecmp (hostname, DEMO_DUAL_NAME) != 0)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "Error resolving “%s”: Name or service not known", hostname);
      return NULL;
    }

  /* IPv6 first, as a real resolver would sort them. */
  if (!(flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY))
    addresses = g_list_append (addresses, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6));
  if (!(flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY))
    addresses = g_list_append (addresses, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4));

  return addresses;
}

static GList *
demo_resolver_lookup_by_name_with_flags (GResolver                 *resolver,
                                         const char                *hostname,
                                         GResolverNameLookupFlags   flags,
                                         GCancellable              *cancellable,
                                         GError                   **error)
{
  return demo_resolver_answer (hostname, flags, error);
}

static GList *
demo_resolver_lookup_by_name (GResolver     *resolver,
                              const char    *hostname,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return demo_resolver_answer (hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT, error);
}

static void
demo_resolver_lookup_by_name_with_flags_async (GResolver                 *resolver,
                                               const char                *hostname,
                                               GResolverNameLookupFlags   flags,
                                               GCancellable              *cancellable,
                                               GAsyncReadyCallback        callback,
                                               gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses = demo_resolver_answer (hostname, flags, &error);

  /* GTask delivers the answer from the main loop, never from inside this call. */
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static void
demo_resolver_lookup_by_name_async (GResolver           *resolver,
                                    const char          *hostname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  demo_resolver_lookup_by_name_with_flags_async (resolver, hostname,
                                                 G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                 cancellable, callback, user_data);
}

static GList *
demo_resolver_lookup_finish (GResolver     *resolver,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
demo_resolver_class_init (DemoResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_by_name = demo_resolver_lookup_by_name;
  resolver_class->lookup_by_name_async = demo_resolver_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = demo_resolver_lookup_finish;
  resolver_class->lookup_by_name_with_flags = demo_resolver_lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = demo_resolver_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = demo_resolver_lookup_finish;
}

static void
demo_resolver_init (DemoResolver *self)
{
}

GResolver *
demo_resolver_new (void)
{
  return g_object_new (DEMO_TYPE_RESOLVER, NULL);
}

/* ======================================================================== */
/* The servers, all on loopback                                              */

static guint16
port_of (GSocketAddress *address)
{
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

static GSocketAddress *
loopback_address (GSocketFamily family,
                  guint16       port)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_loopback (family);

  return g_inet_socket_address_new (inet, port);
}

/* Adds loopback:@port (any free port when 0) to the accepting service. */
static gboolean
demo_servers_accept_on (DemoServers    *servers,
                        GSocketFamily   family,
                        guint16        *port,
                        GError        **error)
{
  g_autoptr(GSocketAddress) address = loopback_address (family, *port);
  g_autoptr(GSocketAddress) effective = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (servers->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, error))
    return FALSE;

  *port = port_of (effective);
  return TRUE;
}

static GSocket *
tcp_socket_bound_to (GSocketFamily   family,
                     guint16         port,
                     GError        **error)
{
  g_autoptr(GSocketAddress) address = loopback_address (family, port);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL || !g_socket_bind (socket, address, TRUE, error))
    return NULL;

  return g_steal_pointer (&socket);
}

static guint16
local_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  return port_of (address);
}

static gboolean
demo_servers_open_black_hole (DemoServers  *servers,
                              GError      **error)
{
  g_autoptr(GSocket) black_hole = NULL;
  g_autoptr(GSocket) filler = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  black_hole = tcp_socket_bound_to (G_SOCKET_FAMILY_IPV6, 0, error);
  if (black_hole == NULL)
    return FALSE;

  /* With a backlog of 0, Linux queues exactly one connection. */
  g_socket_set_listen_backlog (black_hole, 0);
  if (!g_socket_listen (black_hole, error))
    return FALSE;

  address = g_socket_get_local_address (black_hole, error);
  filler = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (address == NULL || filler == NULL ||
      !g_socket_connect (filler, address, NULL, error))
    return FALSE;

  servers->dual_port = port_of (address);
  servers->black_hole = g_steal_pointer (&black_hole);
  servers->filler = g_steal_pointer (&filler);
  return TRUE;
}

/* The black hole and an accepting 127.0.0.1 listener on one port number,
 * because "dual.example" is dialled with one port for both addresses. */
static gboolean
demo_servers_open_dual (DemoServers  *servers,
                        GError      **error)
{
  for (guint i = 0; i < PORT_TRIES; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!demo_servers_open_black_hole (servers, error))
        return FALSE;
      if (demo_servers_accept_on (servers, G_SOCKET_FAMILY_IPV4, &servers->dual_port, &local_error))
        return TRUE;

      g_clear_object (&servers->filler);
      g_clear_object (&servers->black_hole);
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
               "No port number free on both 127.0.0.1 and ::1");
  return FALSE;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  /* The demo is about connecting: the server has nothing to say. */
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

void
demo_servers_stop (DemoServers *servers)
{
  if (servers->service != NULL)
    g_socket_service_stop (servers->service);
  g_clear_object (&servers->service);
  g_clear_object (&servers->refusing);
  g_clear_object (&servers->filler);
  g_clear_object (&servers->black_hole);
}

gboolean
demo_servers_start (DemoServers  *servers,
                    GError      **error)
{
  g_autoptr(GError) ipv6_error = NULL;
  guint16 port = 0;

  servers->service = g_socket_service_new ();
  g_signal_connect (servers->service, "incoming", G_CALLBACK (on_incoming), NULL);

  /* The accepting server: 127.0.0.1 first, then ::1 on the same port if
   * the machine has IPv6 (the demo does without it). */
  if (!demo_servers_accept_on (servers, G_SOCKET_FAMILY_IPV4, &port, error))
    return FALSE;
  servers->accept_port = port;
  servers->accepts_ipv6 = demo_servers_accept_on (servers, G_SOCKET_FAMILY_IPV6,
                                                  &port, &ipv6_error);
  if (servers->accepts_ipv6)
    demo_servers_open_dual (servers, &ipv6_error);
  if (ipv6_error != NULL)
    g_printerr ("No IPv6 loopback (%s): the Happy Eyeballs scenario is skipped.\n",
                ipv6_error->message);

  servers->refusing = tcp_socket_bound_to (G_SOCKET_FAMILY_IPV4, 0, error);
  if (servers->refusing == NULL)
    return FALSE;
  servers->refused_port = local_port (servers->refusing);

  g_socket_service_start (servers->service);
  return TRUE;
}
