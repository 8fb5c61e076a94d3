/* tls-test-server.h: certificates made at run time, and an in-process
 * gnutls server that reports what it saw
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Every certificate is EC P-256 and valid from an hour ago for a day. */
typedef struct {
  char *tmpdir;
  char *ca_pem;                /* the trusted root */
  char *ca_file;               /* ca_pem, in tmpdir */
  char *server_cert_pem;       /* "localhost", 127.0.0.1 and ::1, signed by the root */
  char *server_key_pem;
  char *noip_cert_pem;         /* "localhost" only, signed by the root */
  char *noip_key_pem;
  char *untrusted_cert_pem;    /* "localhost" and 127.0.0.1, signed by an unknown root */
  char *untrusted_key_pem;
  char *client_cert_pem;       /* a client certificate, signed by the root */
  char *client_key_pem;
  char *client_pem_file;       /* client certificate then key, in tmpdir */
} TlsTestCerts;

TlsTestCerts *tls_test_certs_new  (void);
void          tls_test_certs_free (TlsTestCerts *certs);

typedef enum {
  TLS_TEST_SERVER_ECHO,        /* handshake, then echo until the client closes */
  TLS_TEST_SERVER_LINES,       /* handshake, send n_lines lines, close_notify, close */
  TLS_TEST_SERVER_SILENT,      /* accept and never answer */
  TLS_TEST_SERVER_PLAINTEXT,   /* answer the ClientHello with an HTTP response */
  TLS_TEST_SERVER_CLOSE,       /* accept and close at once */
  TLS_TEST_SERVER_UNCLEAN,     /* handshake, send "bye", close without close_notify */
} TlsTestServerMode;

typedef enum {
  TLS_TEST_CLIENT_AUTH_NONE,
  TLS_TEST_CLIENT_AUTH_REQUEST,
  TLS_TEST_CLIENT_AUTH_REQUIRE,
} TlsTestClientAuth;

typedef struct {
  TlsTestServerMode   mode;
  const char         *cert_pem;     /* NULL: the default server certificate */
  const char         *key_pem;
  const char         *priority;     /* NULL: "NORMAL" */
  const char * const *alpn;         /* NULL: no ALPN */
  TlsTestClientAuth   client_auth;
  guint               n_lines;
} TlsTestServerConfig;

/* What the server saw on one connection. */
typedef struct {
  gboolean  handshake_ok;
  char     *handshake_error;
  char     *sni;                    /* NULL when none was sent */
  gboolean  resumed;
  char     *alpn;
  char     *version;                /* "TLS1.2", "TLS1.3" */
  gboolean  client_certificate;
  gboolean  close_notify_received;
  gsize     bytes_echoed;
  GBytes   *exporter;               /* the tls-exporter channel binding */
  GBytes   *server_end_point;       /* the tls-server-end-point one */
} TlsTestServerResult;

void tls_test_server_result_free (TlsTestServerResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TlsTestServerResult, tls_test_server_result_free)

typedef struct _TlsTestServer TlsTestServer;

TlsTestServer       *tls_test_server_new      (const TlsTestCerts        *certs,
                                               const TlsTestServerConfig *config);
guint16              tls_test_server_get_port (TlsTestServer             *server);
TlsTestServerResult *tls_test_server_wait     (TlsTestServer             *server);
void                 tls_test_server_free     (TlsTestServer             *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TlsTestServer, tls_test_server_free)

G_END_DECLS
