/* dial-test-tls-server.h: an in-process TLS server written on gnutls.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The server's certificate.  Every server makes its own small PKI when it
 * is created (EC P-256 keys): a CA, the certificate it presents, and a
 * client certificate signed by the same CA.  "Loopback names" below means
 * SAN DNS "localhost", SAN IP 127.0.0.1 and SAN IP ::1. */
typedef enum
{
  DIAL_TEST_TLS_CERT_GOOD,         /* signed by the CA, loopback names, valid now */
  DIAL_TEST_TLS_CERT_WRONG_HOST,   /* signed by the CA, only "wrong.example" */
  DIAL_TEST_TLS_CERT_EXPIRED,      /* signed by the CA, loopback names, expired yesterday */
  DIAL_TEST_TLS_CERT_SELF_SIGNED,  /* loopback names, self-signed: no chain to the CA */
} DialTestTlsCert;

/* What the server does with each connection it accepts. */
typedef enum
{
  DIAL_TEST_TLS_MODE_ECHO,         /* TLS handshake, then echo records until the client goes */
  DIAL_TEST_TLS_MODE_NOT_TLS,      /* answer the ClientHello with plain text, then wait */
  DIAL_TEST_TLS_MODE_CLOSE,        /* send EOF as soon as the connection is accepted */
  DIAL_TEST_TLS_MODE_SILENT,       /* never write a byte; wait until the client goes */
  DIAL_TEST_TLS_MODE_FORWARD,      /* TLS handshake, then relay the plaintext to and from
                                    * 127.0.0.1:forward_port (TLS in front of a plain
                                    * server, e.g. an HTTP proxy) until either side goes */
} DialTestTlsMode;

/* How a connection ended, seen from the server. */
typedef enum
{
  DIAL_TEST_TLS_END_CLOSE_NOTIFY,  /* the client sent a TLS close_notify */
  DIAL_TEST_TLS_END_EOF,           /* the client closed TCP without close_notify
                                    * (GNUTLS_E_PREMATURE_TERMINATION), or plain EOF
                                    * in the modes that do not speak TLS */
  DIAL_TEST_TLS_END_ERROR,         /* a handshake or I/O error: see @error */
  DIAL_TEST_TLS_END_STOPPED,       /* still open when the server was freed */
} DialTestTlsEnd;

typedef void (*DialTestTlsServerFunc) (gpointer user_data);

/* Zero-initialise, then set what the test needs.  The defaults are an echo
 * server on 127.0.0.1 with the good certificate, no client certificate
 * request and no ALPN. */
typedef struct
{
  GSocketFamily          family;              /* IPV4 (also when INVALID) or IPV6 */
  gboolean               dual_stack;          /* listen on both 127.0.0.1 and ::1, one port */
  DialTestTlsMode        mode;
  DialTestTlsCert        cert;
  gboolean               require_client_cert; /* the handshake fails without one */
  const char * const    *alpn_protocols;      /* NULL-terminated, server's preference first;
                                               * NULL: no ALPN */
  guint16                forward_port;        /* FORWARD: the plain server behind */
  /* Called on the server thread when a client's first bytes (its
   * ClientHello) have arrived, before the server answers.  The client is
   * then inside its handshake: a test can cancel it from here. */
  DialTestTlsServerFunc  on_client_hello;
  gpointer               user_data;
} DialTestTlsServerOptions;

/* What the server saw of one connection. */
typedef struct
{
  gboolean         handshake_done;
  char            *sni;                 /* server name the client sent, or NULL */
  char           **offered_alpn;        /* the ClientHello's ALPN list, NULL if none */
  char            *selected_alpn;       /* negotiated protocol, or NULL */
  GBytes          *client_certificate;  /* DER of the client's certificate, or NULL */
  guint64          bytes_echoed;        /* echoed, or forwarded from the client (FORWARD) */
  DialTestTlsEnd   end;
  char            *error;               /* gnutls's message, when @end is ERROR */
} DialTestTlsRecord;

typedef struct _DialTestTlsServer DialTestTlsServer;

/* Makes the PKI, binds port 0 and starts the server thread.  Fails only
 * when the socket cannot be set up (for example, no IPv6). */
DialTestTlsServer       *dial_test_tls_server_new              (const DialTestTlsServerOptions *options,
                                                                GError                        **error);
/* Stops the thread, closes every descriptor and removes the CA file. */
void                     dial_test_tls_server_free             (DialTestTlsServer  *self);

/* The address of the primary family (transfer none). */
GInetSocketAddress      *dial_test_tls_server_get_address      (DialTestTlsServer  *self);
guint16                  dial_test_tls_server_get_port         (DialTestTlsServer  *self);
/* "127.0.0.1:PORT" or "[::1]:PORT" (transfer none). */
const char              *dial_test_tls_server_get_host_and_port (DialTestTlsServer *self);

/* The CA as PEM, and the path of a temporary file holding it (removed by
 * _free), for g_tls_file_database_new (). */
const char              *dial_test_tls_server_get_ca_pem       (DialTestTlsServer  *self);
const char              *dial_test_tls_server_get_ca_file      (DialTestTlsServer  *self);
/* The certificate the server presents, as PEM. */
const char              *dial_test_tls_server_get_certificate_pem (DialTestTlsServer *self);
/* A client certificate signed by the CA: certificate then PKCS#8 key, PEM. */
const char              *dial_test_tls_server_get_client_pem   (DialTestTlsServer  *self);

/* The same, as GIO objects made by the default GTlsBackend (transfer full). */
GTlsDatabase            *dial_test_tls_server_new_ca_database  (DialTestTlsServer  *self);
GTlsCertificate         *dial_test_tls_server_new_certificate  (DialTestTlsServer  *self);
GTlsCertificate         *dial_test_tls_server_new_client_certificate (DialTestTlsServer *self);

/* How many connections were accepted so far. */
guint                    dial_test_tls_server_get_accepted     (DialTestTlsServer  *self);
/* Blocks until the @index-th connection (from 0) has ended, or 10 s have
 * passed (a bound against hangs, not a timing assertion).  Returns its
 * record (owned by the server, valid until _free), or NULL on timeout. */
const DialTestTlsRecord *dial_test_tls_server_wait_record      (DialTestTlsServer  *self,
                                                                guint               index);

const char              *dial_test_tls_end_to_string           (DialTestTlsEnd      end);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialTestTlsServer, dial_test_tls_server_free)

G_END_DECLS
