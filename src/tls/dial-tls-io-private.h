/* dial-tls-io-private.h: the gnutls transport, the TLS substreams and
 * their pollable source
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gnutls/gnutls.h>

G_BEGIN_DECLS

/* The settings of the operation that is driving gnutls in one direction:
 * whether the base stream may block, the cancellable, and the first error
 * the base stream reported (gnutls only sees an errno). */
typedef struct {
  gboolean      blocking;
  GCancellable *cancellable;
  GError       *error;
} DialTlsIoOp;

#define DIAL_TLS_IO_OP_INIT(blocking, cancellable) { (blocking), (cancellable), NULL }

/* gnutls's push and pull functions over a pollable base stream. Pull uses
 * @read_op; push uses @write_op, or @read_op while no write is running (a
 * read may have to send an alert or a key update). */
typedef struct {
  GPollableInputStream  *base_in;
  GPollableOutputStream *base_out;
  DialTlsIoOp           *read_op;
  DialTlsIoOp           *write_op;
  gnutls_session_t       session;
} DialTlsTransport;

gboolean dial_tls_transport_init   (DialTlsTransport  *transport,
                                    GIOStream         *base_io_stream,
                                    GError           **error);
void     dial_tls_transport_attach (DialTlsTransport  *transport,
                                    gnutls_session_t   session);
void     dial_tls_transport_clear  (DialTlsTransport  *transport);

/* The TLS substreams. They keep only a weak reference to the connection:
 * once it is gone they report G_IO_ERROR_CLOSED. */
GInputStream  *dial_tls_input_stream_new  (GTlsConnection *connection);
GOutputStream *dial_tls_output_stream_new (GTlsConnection *connection);

/* The operations that claim a connection. Reads and writes may run at the
 * same time; a handshake or a close excludes everything else. */
typedef enum {
  DIAL_TLS_OP_HANDSHAKE,
  DIAL_TLS_OP_READ,
  DIAL_TLS_OP_WRITE,
  DIAL_TLS_OP_CLOSE,
} DialTlsOp;

/* What a source waiting for the connection should wait for. */
typedef enum {
  DIAL_TLS_WAIT_NONE,      /* ready now: try the operation */
  DIAL_TLS_WAIT_BASE,      /* for the base stream, in the given direction */
  DIAL_TLS_WAIT_WAKE_UP,   /* for another operation to release the connection */
} DialTlsWait;

GSource *dial_tls_source_new (GTlsConnection *connection,
                              DialTlsOp       op,
                              gboolean        owns_op,
                              GObject        *pollable,
                              GCancellable   *cancellable);

G_END_DECLS
