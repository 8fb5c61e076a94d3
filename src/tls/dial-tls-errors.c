/* dial-tls-errors.c: gnutls result codes as GIO errors
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The mapping is glib-networking's, so that code written against GIO's
 * TLS errors (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS),
 * and so on) behaves the same with the built-in provider.
 */

#include "config.h"

#include <gnutls/gnutls.h>

#include "dial-tls-errors-private.h"

static const char *
context_prefix (DialTlsErrorContext context)
{
  switch (context)
    {
    case DIAL_TLS_ERROR_CONTEXT_HANDSHAKE:
      return GNET_("Error performing TLS handshake");
    case DIAL_TLS_ERROR_CONTEXT_READ:
      return GNET_("Error reading data from TLS socket");
    case DIAL_TLS_ERROR_CONTEXT_WRITE:
      return GNET_("Error writing data to TLS socket");
    case DIAL_TLS_ERROR_CONTEXT_CLOSE:
      return GNET_("Error performing TLS close");
    default:
      g_assert_not_reached ();
    }
}

static gboolean
looks_like_not_tls (int status)
{
  return status == GNUTLS_E_UNEXPECTED_PACKET_LENGTH ||
         status == GNUTLS_E_DECRYPTION_FAILED ||
         status == GNUTLS_E_UNSUPPORTED_VERSION_PACKET;
}

/*
 * dial_tls_error_from_gnutls:
 * @status: the negative result of a gnutls call
 * @context: what the connection was doing
 * @first_handshake: whether this is the first handshake, still running;
 *   failures there that look like a peer not speaking TLS become
 *   %G_TLS_ERROR_NOT_TLS
 * @require_close_notify: the connection's #GTlsConnection:require-close-notify
 * @alert_name: (nullable): the name of the last alert received, for
 *   %GNUTLS_E_FATAL_ALERT_RECEIVED
 * @transport_error: (transfer full) (nullable): the error the base stream
 *   reported during the call, if any; it wins over the gnutls code unless
 *   the rules above say otherwise
 *
 * Turns a failed gnutls call into the #GError glib-networking would report
 * for it. This is a pure function: it looks at its arguments only.
 *
 * Returns: (transfer full) (nullable): the error, or %NULL when the failure
 *   is a clean end of stream (an unclean shutdown by the peer while
 *   @require_close_notify is %FALSE)
 */
GError *
dial_tls_error_from_gnutls (int                  status,
                            DialTlsErrorContext  context,
                            gboolean             first_handshake,
                            gboolean             require_close_notify,
                            const char          *alert_name,
                            GError              *transport_error)
{
  g_autoptr(GError) saved = transport_error;

  if (first_handshake)
    {
      /* A peer that resets or drops the connection instead of answering
       * the ClientHello is not speaking TLS. */
      if (g_error_matches (saved, G_IO_ERROR, G_IO_ERROR_FAILED) ||
          g_error_matches (saved, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
        return g_error_new (G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                            GNET_("Peer failed to perform TLS handshake: %s"),
                            saved->message);

      if (looks_like_not_tls (status) || status == GNUTLS_E_PREMATURE_TERMINATION)
        return g_error_new (G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                            GNET_("Peer failed to perform TLS handshake: %s"),
                            gnutls_strerror (status));
    }

  /* Cancellation, time-outs and resets are reported as they are. */
  if (saved != NULL)
    return g_steal_pointer (&saved);

  switch (status)
    {
    case GNUTLS_E_PREMATURE_TERMINATION:
      if (!require_close_notify)
        return NULL;
      return g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_EOF,
                                  GNET_("TLS connection closed unexpectedly"));

    case GNUTLS_E_NO_CERTIFICATE_FOUND:
    case GNUTLS_E_CERTIFICATE_REQUIRED:
      return g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED,
                                  GNET_("TLS connection peer did not send a certificate"));

    case GNUTLS_E_CERTIFICATE_ERROR:
      return g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                                  GNET_("Unacceptable TLS certificate"));

    case GNUTLS_E_FATAL_ALERT_RECEIVED:
      return g_error_new (G_TLS_ERROR, G_TLS_ERROR_MISC,
                          GNET_("Peer sent fatal TLS alert: %s"),
                          alert_name != NULL ? alert_name : gnutls_strerror (status));

    case GNUTLS_E_INAPPROPRIATE_FALLBACK:
      return g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_INAPPROPRIATE_FALLBACK,
                                  GNET_("Protocol version downgrade attack detected"));

    case GNUTLS_E_TIMEDOUT:
      return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                  GNET_("The operation timed out"));

    default:
      return g_error_new (G_TLS_ERROR, G_TLS_ERROR_MISC, "%s: %s",
                          context_prefix (context), gnutls_strerror (status));
    }
}
