/* dial-connect-steps.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <netinet/in.h>

#include "dial-connect-steps.h"
#include "dial-environment-proxy-resolver-private.h"
#include "dial-i18n.h"
#include "dial-proxy-stage.h"
#include "dial-tcp-wrapper-connection.h"
#include "dial-tls-stage.h"

/*
 * dial_connect_enumerate:
 *
 * Chooses how @connectable becomes addresses. Proxies are considered only
 * for stream sockets with enable-proxy on; the client's resolver is then
 * given to the enumerator when it is a GProxyAddressEnumerator. That is
 * not the case for GNetworkService, whose targets use the default
 * resolver: GIO behaves the same way.
 *
 * A client with no resolver of its own gets GIO's default one, except when
 * that is GIO's dummy resolver (no glib-networking, or
 * GIO_USE_PROXY_RESOLVER=dummy), which never proxies: then the
 * process-wide DialEnvironmentProxyResolver applies http_proxy,
 * https_proxy, all_proxy and no_proxy instead.
 */
GSocketAddressEnumerator *
dial_connect_enumerate (DialSocketClient   *client,
                        GSocketConnectable *connectable)
{
  GSocketAddressEnumerator *enumerator;
  GProxyResolver *resolver;

  if (!dial_socket_client_get_enable_proxy (client) ||
      dial_socket_client_get_socket_type (client) != G_SOCKET_TYPE_STREAM)
    return g_socket_connectable_enumerate (connectable);

  enumerator = g_socket_connectable_proxy_enumerate (connectable);
  resolver = dial_socket_client_peek_proxy_resolver (client);
  if (resolver == NULL)
    resolver = dial_environment_proxy_resolver_get_fallback ();
  if (resolver != NULL && G_IS_PROXY_ADDRESS_ENUMERATOR (enumerator))
    g_object_set (enumerator, "proxy-resolver", resolver, NULL);

  return enumerator;
}

/*
 * dial_connect_create_socket:
 *
 * Creates the socket of one attempt: the client's family (else that of the
 * local address, else that of @address), type and protocol, bound to the
 * local address if there is one, with the client's I/O timeout.
 */
GSocket *
dial_connect_create_socket (DialSocketClient  *client,
                            GSocketAddress    *address,
                            GError           **error)
{
  g_autoptr(GSocket) socket = NULL;
  GSocketAddress *local_address;
  GSocketFamily family;
  guint timeout;

  local_address = dial_socket_client_get_local_address (client);
  family = dial_socket_client_get_family (client);
  if (family == G_SOCKET_FAMILY_INVALID && local_address != NULL)
    family = g_socket_address_get_family (local_address);
  if (family == G_SOCKET_FAMILY_INVALID)
    family = g_socket_address_get_family (address);

  socket = g_socket_new (family,
                         dial_socket_client_get_socket_type (client),
                         dial_socket_client_get_protocol (client),
                         error);
  if (socket == NULL)
    return NULL;

  if (local_address != NULL)
    {
#if HAVE_IP_BIND_ADDRESS_NO_PORT
      /* Let connect() pick the ephemeral port, so that many connections
       * from one local address do not exhaust the ports. Best effort. */
      g_socket_set_option (socket, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1, NULL);
#endif
      if (!g_socket_bind (socket, local_address, FALSE, error))
        {
          g_socket_close (socket, NULL);
          return NULL;
        }
    }

  timeout = dial_socket_client_get_timeout (client);
  if (timeout != 0)
    g_socket_set_timeout (socket, timeout);

  return g_steal_pointer (&socket);
}

/*
 * dial_connect_get_proxy_address:
 *
 * Returns: (transfer none) (nullable): @address as a proxy address when it
 *   is one and proxies are enabled at this moment, else %NULL (a proxy
 *   address is then connected to directly, as GIO does).
 */
GProxyAddress *
dial_connect_get_proxy_address (DialSocketClient *client,
                                GSocketAddress   *address)
{
  if (G_IS_PROXY_ADDRESS (address) && dial_socket_client_get_enable_proxy (client))
    return G_PROXY_ADDRESS (address);

  return NULL;
}

/*
 * dial_connect_prefix_error:
 *
 * Prefixes the error of a failed TCP connect with what was being
 * connected to, in GIO's words; domain and code are untouched.
 */
void
dial_connect_prefix_error (GError             **error,
                           GSocketConnectable  *connectable,
                           GSocketAddress      *address)
{
  if (G_IS_PROXY_ADDRESS (address))
    {
      GInetAddress *inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
      g_autofree char *ip = g_inet_address_to_string (inet);

      g_prefix_error (error, GIO_("Could not connect to proxy server %s: "), ip);
    }
  else if (G_IS_NETWORK_ADDRESS (connectable))
    {
      g_prefix_error (error, GIO_("Could not connect to %s: "),
                      g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable)));
    }
  else if (G_IS_NETWORK_SERVICE (connectable))
    {
      g_prefix_error (error, GIO_("Could not connect to %s: "),
                      g_network_service_get_domain (G_NETWORK_SERVICE (connectable)));
    }
  else if (G_IS_INET_SOCKET_ADDRESS (connectable))
    {
      GInetAddress *inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (connectable));
      g_autofree char *ip = g_inet_address_to_string (inet);

      g_prefix_error (error, GIO_("Could not connect to %s: "), ip);
    }
  else
    {
      g_prefix_error (error, "%s", GIO_("Could not connect: "));
    }
}

/*
 * dial_connect_plan_proxy:
 * @proxy: (out) (transfer full): the proxy to negotiate with, for
 *   %DIAL_PROXY_PLAN_NEGOTIATE
 *
 * Decides what the proxy stage does with a connection to a proxy.
 * Application proxies come first, as in GIO since 2.44, so that a GProxy
 * implementation of the same protocol cannot take them over.
 */
DialProxyPlan
dial_connect_plan_proxy (DialSocketClient  *client,
                         GIOStream         *connection,
                         GProxyAddress     *proxy_address,
                         GProxy           **proxy,
                         GError           **error)
{
  const char *protocol = g_proxy_address_get_protocol (proxy_address);

  *proxy = NULL;

  if (!G_IS_TCP_CONNECTION (connection))
    {
      g_critical ("Trying to proxy over non-TCP connection, this is "
                  "most likely a bug in libdial.");
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           GIO_("Proxying over a non-TCP connection is not supported."));
      return DIAL_PROXY_PLAN_FAILED;
    }

  if (dial_socket_client_is_application_proxy (client, protocol))
    return DIAL_PROXY_PLAN_APPLICATION;

  *proxy = dial_proxy_stage_lookup (protocol);
  if (*proxy != NULL)
    return DIAL_PROXY_PLAN_NEGOTIATE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               GIO_("Proxy protocol “%s” is not supported."), protocol);
  return DIAL_PROXY_PLAN_FAILED;
}

/*
 * dial_connect_new_tls:
 *
 * Creates the TLS client connection of the TLS stage, with the original
 * connectable (never the proxy, never a resolved address) as the server
 * identity and the client's validation flags.
 */
GIOStream *
dial_connect_new_tls (DialSocketClient    *client,
                      GIOStream           *base_io_stream,
                      GSocketConnectable  *connectable,
                      GError             **error)
{
  GIOStream *tls;

  tls = dial_tls_stage_new_client_connection (base_io_stream, connectable, error);
  if (tls == NULL)
    return NULL;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_tls_client_connection_set_validation_flags (G_TLS_CLIENT_CONNECTION (tls),
                                                dial_socket_client_get_tls_validation_flags (client));
  G_GNUC_END_IGNORE_DEPRECATIONS

  return tls;
}

/*
 * dial_connect_wrap:
 * @stream: (transfer full): the stream the last stage produced
 * @socket: the socket of the attempt
 *
 * Returns: (transfer full): @stream itself when it is a socket connection,
 *   else a wrapper connection around it and @socket.
 */
GSocketConnection *
dial_connect_wrap (GIOStream *stream,
                   GSocket   *socket)
{
  g_autoptr(GIOStream) owned = stream;

  if (G_IS_SOCKET_CONNECTION (owned))
    return G_SOCKET_CONNECTION (g_steal_pointer (&owned));

  return dial_tcp_wrapper_connection_new (owned, socket);
}
