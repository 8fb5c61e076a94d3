/* dial-exit.c: which exit status a failed connect gets
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * From the error first (its domain says resolve or TLS, its code says
 * timeout or proxy), then from the furthest stage any attempt reached:
 * libdial, like GIO, reports the error of the furthest stage, so a
 * connection closed during the TLS handshake is a TLS failure and one
 * closed during the proxy negotiation a proxy failure.
 */

#include "dial-exit.h"

DialCmdExit
dial_cmd_exit_for_error (const GError       *error,
                         GSocketClientEvent  furthest_stage)
{
  g_return_val_if_fail (error != NULL, DIAL_EXIT_FAILURE);

  if (error->domain == G_RESOLVER_ERROR)
    return DIAL_EXIT_RESOLVE;
  if (error->domain == G_TLS_ERROR)
    return DIAL_EXIT_TLS;

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_TIMED_OUT:
          return DIAL_EXIT_TIMEOUT;
        case G_IO_ERROR_PROXY_FAILED:
        case G_IO_ERROR_PROXY_AUTH_FAILED:
        case G_IO_ERROR_PROXY_NEED_AUTH:
        case G_IO_ERROR_PROXY_NOT_ALLOWED:
          return DIAL_EXIT_PROXY;
        default:
          break;
        }
    }

  switch (furthest_stage)
    {
    case G_SOCKET_CLIENT_RESOLVING:
      /* No address at all: a connectable that yields none, say. */
      return DIAL_EXIT_RESOLVE;
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
      return DIAL_EXIT_PROXY;
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
      return DIAL_EXIT_TLS;
    case G_SOCKET_CLIENT_RESOLVED:
    case G_SOCKET_CLIENT_CONNECTING:
    case G_SOCKET_CLIENT_CONNECTED:
    case G_SOCKET_CLIENT_COMPLETE:
    default:
      return DIAL_EXIT_CONNECT;
    }
}

/* The failure class of @status, for the JSON trace. */
const char *
dial_cmd_exit_name (DialCmdExit status)
{
  switch (status)
    {
    case DIAL_EXIT_OK:      return "ok";
    case DIAL_EXIT_FAILURE: return "failure";
    case DIAL_EXIT_USAGE:   return "usage";
    case DIAL_EXIT_RESOLVE: return "resolve";
    case DIAL_EXIT_CONNECT: return "connect";
    case DIAL_EXIT_PROXY:   return "proxy";
    case DIAL_EXIT_TLS:     return "tls";
    case DIAL_EXIT_TIMEOUT: return "timeout";
    case DIAL_EXIT_SIGINT:  return "interrupted";
    case DIAL_EXIT_SIGTERM: return "terminated";
    default:                return "unknown";
    }
}

/* The table at the end of dial --help. */
const char *
dial_cmd_exit_help (void)
{
  return
    "Exit status:\n"
    "  0    connected, and the relay ended cleanly\n"
    "  1    the relay failed after the connect, or another error\n"
    "  2    bad options, arguments or files (usage)\n"
    "  3    name resolution failed\n"
    "  4    the TCP connect failed (refused, unreachable, ...)\n"
    "  5    the proxy negotiation failed\n"
    "  6    the TLS handshake or the certificate check failed\n"
    "  7    timed out (--timeout, --deadline)\n"
    "  130  interrupted (SIGINT); 143 terminated (SIGTERM)\n";
}
