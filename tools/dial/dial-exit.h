/* dial-exit.h: the dial command's exit statuses
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Documented in dial --help and dial(1): keep the three in step. */
typedef enum
{
  DIAL_EXIT_OK       = 0,  /* connected, and the relay ended cleanly */
  DIAL_EXIT_FAILURE  = 1,  /* anything else: the relay failed, ... */
  DIAL_EXIT_USAGE    = 2,  /* bad options, arguments or files */
  DIAL_EXIT_RESOLVE  = 3,  /* the name (or the proxy's) did not resolve */
  DIAL_EXIT_CONNECT  = 4,  /* no TCP connection: refused, unreachable... */
  DIAL_EXIT_PROXY    = 5,  /* the proxy negotiation failed */
  DIAL_EXIT_TLS      = 6,  /* the TLS handshake or the certificate failed */
  DIAL_EXIT_TIMEOUT  = 7,  /* --timeout or --deadline ran out */
  DIAL_EXIT_SIGINT   = 130,
  DIAL_EXIT_SIGTERM  = 143,
} DialCmdExit;

DialCmdExit  dial_cmd_exit_for_error (const GError       *error,
                                      GSocketClientEvent  furthest_stage);
const char  *dial_cmd_exit_name      (DialCmdExit         status);
const char  *dial_cmd_exit_help      (void);

G_END_DECLS
