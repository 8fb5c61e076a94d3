/* dial-connect-error.h: choosing the error a failed connect reports
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * DialBestError:
 *
 * Every failure of a connect is ranked by the stage it happened in, using
 * the numeric order of #GSocketClientEvent (RESOLVING < CONNECTING <
 * PROXY_NEGOTIATING < TLS_HANDSHAKING). A failure at a stage at least as
 * late as the kept one replaces it, so the error of the furthest stage
 * reached wins, and among equals the most recent. This is GIO's rule
 * (GLib 2.68 and later); nothing is merged into a combined message.
 */
typedef struct
{
  GError             *error;
  GSocketClientEvent  stage;
} DialBestError;

#define DIAL_BEST_ERROR_INIT { NULL, G_SOCKET_CLIENT_RESOLVING }

void     dial_best_error_take  (DialBestError      *self,
                                GSocketClientEvent  stage,
                                GError             *error);
gboolean dial_best_error_isset (const DialBestError *self);
GError  *dial_best_error_steal (DialBestError      *self);
void     dial_best_error_clear (DialBestError      *self);

G_END_DECLS
