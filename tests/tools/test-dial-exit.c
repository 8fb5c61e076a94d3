/* test-dial-exit.c: the dial command's exit status for each failure class
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * dial-exit.c is pure: an error and the furthest stage reached give the
 * status. The command tests reach most classes through real servers;
 * resolution failures need DNS, which tests never ask, so they are here.
 */

#include <gio/gio.h>

#include <string.h>

#include "dial-exit.h"

static void
test_by_domain (void)
{
  g_autoptr(GError) resolve = g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "x");
  g_autoptr(GError) temporary = g_error_new_literal (G_RESOLVER_ERROR,
                                                     G_RESOLVER_ERROR_TEMPORARY_FAILURE, "x");
  g_autoptr(GError) tls = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "x");
  g_autoptr(GError) not_tls = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_NOT_TLS, "x");

  g_assert_cmpint (dial_cmd_exit_for_error (resolve, G_SOCKET_CLIENT_RESOLVING), ==, DIAL_EXIT_RESOLVE);
  /* The proxy's name, resolved after the destination's: still resolve. */
  g_assert_cmpint (dial_cmd_exit_for_error (temporary, G_SOCKET_CLIENT_CONNECTED), ==, DIAL_EXIT_RESOLVE);
  g_assert_cmpint (dial_cmd_exit_for_error (tls, G_SOCKET_CLIENT_TLS_HANDSHAKING), ==, DIAL_EXIT_TLS);
  g_assert_cmpint (dial_cmd_exit_for_error (not_tls, G_SOCKET_CLIENT_CONNECTED), ==, DIAL_EXIT_TLS);
}

static void
test_by_code (void)
{
  static const struct
  {
    GIOErrorEnum       code;
    GSocketClientEvent stage;
    DialCmdExit        status;
  } cases[] = {
    { G_IO_ERROR_TIMED_OUT, G_SOCKET_CLIENT_CONNECTING, DIAL_EXIT_TIMEOUT },
    { G_IO_ERROR_TIMED_OUT, G_SOCKET_CLIENT_TLS_HANDSHAKING, DIAL_EXIT_TIMEOUT },
    { G_IO_ERROR_TIMED_OUT, G_SOCKET_CLIENT_RESOLVING, DIAL_EXIT_TIMEOUT },
    { G_IO_ERROR_PROXY_FAILED, G_SOCKET_CLIENT_PROXY_NEGOTIATING, DIAL_EXIT_PROXY },
    { G_IO_ERROR_PROXY_AUTH_FAILED, G_SOCKET_CLIENT_PROXY_NEGOTIATING, DIAL_EXIT_PROXY },
    { G_IO_ERROR_PROXY_NEED_AUTH, G_SOCKET_CLIENT_PROXY_NEGOTIATING, DIAL_EXIT_PROXY },
    { G_IO_ERROR_PROXY_NOT_ALLOWED, G_SOCKET_CLIENT_CONNECTED, DIAL_EXIT_PROXY },
    { G_IO_ERROR_CONNECTION_REFUSED, G_SOCKET_CLIENT_CONNECTING, DIAL_EXIT_CONNECT },
    { G_IO_ERROR_HOST_UNREACHABLE, G_SOCKET_CLIENT_CONNECTING, DIAL_EXIT_CONNECT },
    { G_IO_ERROR_NETWORK_UNREACHABLE, G_SOCKET_CLIENT_RESOLVED, DIAL_EXIT_CONNECT },
    /* No address at all (a connectable that yields none). */
    { G_IO_ERROR_NOT_FOUND, G_SOCKET_CLIENT_RESOLVING, DIAL_EXIT_RESOLVE },
    /* Closed during a stage: that stage's class. */
    { G_IO_ERROR_CONNECTION_CLOSED, G_SOCKET_CLIENT_PROXY_NEGOTIATING, DIAL_EXIT_PROXY },
    { G_IO_ERROR_CONNECTION_CLOSED, G_SOCKET_CLIENT_TLS_HANDSHAKING, DIAL_EXIT_TLS },
    { G_IO_ERROR_BROKEN_PIPE, G_SOCKET_CLIENT_TLS_HANDSHAKED, DIAL_EXIT_TLS },
    { G_IO_ERROR_NOT_SUPPORTED, G_SOCKET_CLIENT_CONNECTED, DIAL_EXIT_CONNECT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, cases[i].code, "x");

      g_test_message ("case %u", i);
      g_assert_cmpint (dial_cmd_exit_for_error (error, cases[i].stage), ==, cases[i].status);
    }
}

static void
test_names (void)
{
  g_assert_cmpstr (dial_cmd_exit_name (DIAL_EXIT_OK), ==, "ok");
  g_assert_cmpstr (dial_cmd_exit_name (DIAL_EXIT_RESOLVE), ==, "resolve");
  g_assert_cmpstr (dial_cmd_exit_name (DIAL_EXIT_CONNECT), ==, "connect");
  g_assert_cmpstr (dial_cmd_exit_name (DIAL_EXIT_PROXY), ==, "proxy");
  g_assert_cmpstr (dial_cmd_exit_name (DIAL_EXIT_TLS), ==, "tls");
  g_assert_cmpstr (dial_cmd_exit_name (DIAL_EXIT_TIMEOUT), ==, "timeout");

  /* Every status the help lists, with its number. */
  for (guint status = 0; status <= DIAL_EXIT_TIMEOUT; status++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %u ", status);

      g_assert_nonnull (strstr (dial_cmd_exit_help (), line));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dial-command/exit/by-domain", test_by_domain);
  g_test_add_func ("/dial-command/exit/by-code", test_by_code);
  g_test_add_func ("/dial-command/exit/names", test_names);

  return g_test_run ();
}
