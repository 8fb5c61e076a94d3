/* tls-test-server.c: certificates made at run time, and an in-process
 * gnutls server that reports what it saw
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The server is plain blocking gnutls on a thread of its own, so that it
 * shares nothing with the client under test. It handles one connection at
 * a time and queues a report for each.
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "tls-test-server.h"

/* ------------------------------------------------------------------ */
/* Certificates                                                        */

typedef struct {
  gnutls_x509_crt_t     crt;
  gnutls_x509_privkey_t key;
} Cert;

static void
check (int ret)
{
  if (ret < 0)
    g_error ("gnutls: %s", gnutls_strerror (ret));
}

static char *
export_crt (gnutls_x509_crt_t crt)
{
  gnutls_datum_t out = { NULL, 0 };
  char *pem;

  check (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &out));
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  return pem;
}

static char *
export_key (gnutls_x509_privkey_t key)
{
  gnutls_datum_t out = { NULL, 0 };
  char *pem;

  check (gnutls_x509_privkey_export2 (key, GNUTLS_X509_FMT_PEM, &out));
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  return pem;
}

static void
add_ip (gnutls_x509_crt_t  crt,
        const char        *ip)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (ip);

  check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                               g_inet_address_to_bytes (address),
                                               g_inet_address_get_native_size (address),
                                               GNUTLS_FSAN_APPEND));
}

/* A certificate for @cn, signed by @issuer (self-signed when NULL). A CA
 * when @dns is NULL; a client certificate when @client. */
static Cert
make_cert (const Cert         *issuer,
           const char         *cn,
           const char * const *dns,
           const char * const *ips,
           gboolean            client)
{
  static guint serial_counter = 1;
  gboolean is_ca = dns == NULL && !client;
  time_t now = time (NULL);
  unsigned char serial[4];
  unsigned char key_id[64];
  size_t key_id_size = sizeof key_id;
  Cert cert;
  guint serial_value = g_atomic_int_add (&serial_counter, 1);

  check (gnutls_x509_privkey_init (&cert.key));
  check (gnutls_x509_privkey_generate (cert.key, GNUTLS_PK_ECDSA,
                                       GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0));

  check (gnutls_x509_crt_init (&cert.crt));
  check (gnutls_x509_crt_set_version (cert.crt, 3));
  serial[0] = 0x10;
  serial[1] = (serial_value >> 16) & 0xff;
  serial[2] = (serial_value >> 8) & 0xff;
  serial[3] = serial_value & 0xff;
  check (gnutls_x509_crt_set_serial (cert.crt, serial, sizeof serial));
  check (gnutls_x509_crt_set_activation_time (cert.crt, now - 3600));
  check (gnutls_x509_crt_set_expiration_time (cert.crt, now + 24 * 3600));
  check (gnutls_x509_crt_set_dn_by_oid (cert.crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen (cn)));
  check (gnutls_x509_crt_set_key (cert.crt, cert.key));

  if (is_ca)
    {
      check (gnutls_x509_crt_set_basic_constraints (cert.crt, 1, -1));
      check (gnutls_x509_crt_set_key_usage (cert.crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN));
    }
  else
    {
      check (gnutls_x509_crt_set_basic_constraints (cert.crt, 0, -1));
      check (gnutls_x509_crt_set_key_usage (cert.crt, GNUTLS_KEY_DIGITAL_SIGNATURE));
      check (gnutls_x509_crt_set_key_purpose_oid (cert.crt,
                                                  client ? GNUTLS_KP_TLS_WWW_CLIENT : GNUTLS_KP_TLS_WWW_SERVER,
                                                  0));
    }

  for (guint i = 0; dns != NULL && dns[i] != NULL; i++)
    check (gnutls_x509_crt_set_subject_alt_name (cert.crt, GNUTLS_SAN_DNSNAME, dns[i],
                                                 strlen (dns[i]), GNUTLS_FSAN_APPEND));
  for (guint i = 0; ips != NULL && ips[i] != NULL; i++)
    add_ip (cert.crt, ips[i]);

  check (gnutls_x509_crt_get_key_id (cert.crt, 0, key_id, &key_id_size));
  check (gnutls_x509_crt_set_subject_key_id (cert.crt, key_id, key_id_size));

  if (issuer != NULL)
    {
      key_id_size = sizeof key_id;
      check (gnutls_x509_crt_get_subject_key_id (issuer->crt, key_id, &key_id_size, NULL));
      check (gnutls_x509_crt_set_authority_key_id (cert.crt, key_id, key_id_size));
      check (gnutls_x509_crt_sign2 (cert.crt, issuer->crt, issuer->key, GNUTLS_DIG_SHA256, 0));
    }
  else
    {
      check (gnutls_x509_crt_sign2 (cert.crt, cert.crt, cert.key, GNUTLS_DIG_SHA256, 0));
    }

  return cert;
}

static void
cert_clear (Cert *cert)
{
  gnutls_x509_crt_deinit (cert->crt);
  gnutls_x509_privkey_deinit (cert->key);
}

/*
 * tls_test_certs_new:
 *
 * Makes a fresh set of certificates and writes the root to a file.
 *
 * Returns: (transfer full): the certificates
 */
TlsTestCerts *
tls_test_certs_new (void)
{
  static const char * const localhost[] = { "localhost", NULL };
  static const char * const loopback[] = { "127.0.0.1", "::1", NULL };
  TlsTestCerts *certs = g_new0 (TlsTestCerts, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *client_pem = NULL;
  Cert root, other_root, server, noip, untrusted, client;

  root = make_cert (NULL, "libdial test root", NULL, NULL, FALSE);
  other_root = make_cert (NULL, "libdial unknown root", NULL, NULL, FALSE);
  server = make_cert (&root, "localhost", localhost, loopback, FALSE);
  noip = make_cert (&root, "localhost", localhost, NULL, FALSE);
  untrusted = make_cert (&other_root, "localhost", localhost, loopback, FALSE);
  client = make_cert (&root, "libdial test client", NULL, NULL, TRUE);

  certs->ca_pem = export_crt (root.crt);
  certs->server_cert_pem = export_crt (server.crt);
  certs->server_key_pem = export_key (server.key);
  certs->noip_cert_pem = export_crt (noip.crt);
  certs->noip_key_pem = export_key (noip.key);
  certs->untrusted_cert_pem = export_crt (untrusted.crt);
  certs->untrusted_key_pem = export_key (untrusted.key);
  certs->client_cert_pem = export_crt (client.crt);
  certs->client_key_pem = export_key (client.key);

  certs->tmpdir = g_dir_make_tmp ("dial-tls-test-XXXXXX", &error);
  g_assert_no_error (error);
  certs->ca_file = g_build_filename (certs->tmpdir, "ca.pem", NULL);
  g_file_set_contents (certs->ca_file, certs->ca_pem, -1, &error);
  g_assert_no_error (error);

  client_pem = g_strconcat (certs->client_cert_pem, certs->client_key_pem, NULL);
  certs->client_pem_file = g_build_filename (certs->tmpdir, "client.pem", NULL);
  g_file_set_contents (certs->client_pem_file, client_pem, -1, &error);
  g_assert_no_error (error);

  cert_clear (&root);
  cert_clear (&other_root);
  cert_clear (&server);
  cert_clear (&noip);
  cert_clear (&untrusted);
  cert_clear (&client);

  return certs;
}

void
tls_test_certs_free (TlsTestCerts *certs)
{
  if (certs == NULL)
    return;

  g_unlink (certs->ca_file);
  g_unlink (certs->client_pem_file);
  g_rmdir (certs->tmpdir);

  g_free (certs->tmpdir);
  g_free (certs->ca_pem);
  g_free (certs->ca_file);
  g_free (certs->server_cert_pem);
  g_free (certs->server_key_pem);
  g_free (certs->noip_cert_pem);
  g_free (certs->noip_key_pem);
  g_free (certs->untrusted_cert_pem);
  g_free (certs->untrusted_key_pem);
  g_free (certs->client_cert_pem);
  g_free (certs->client_key_pem);
  g_free (certs->client_pem_file);
  g_free (certs);
}

/* ------------------------------------------------------------------ */
/* The server                                                          */

struct _TlsTestServer
{
  TlsTestServerMode                 mode;
  char                             *priority;
  char                            **alpn;
  TlsTestClientAuth                 client_auth;
  guint                             n_lines;

  gnutls_certificate_credentials_t  credentials;
  gnutls_datum_t                    ticket_key;
  GSocket                          *listener;
  guint16                           port;
  GCancellable                     *stop;
  GThread                          *thread;
  GAsyncQueue                      *results;   /* of TlsTestServerResult */

  GMutex                            lock;
  GList                            *held;      /* of GSocket: silent connections */
  GSocket                          *current;
};

void
tls_test_server_result_free (TlsTestServerResult *result)
{
  if (result == NULL)
    return;

  g_free (result->handshake_error);
  g_free (result->sni);
  g_free (result->alpn);
  g_free (result->version);
  g_clear_pointer (&result->exporter, g_bytes_unref);
  g_clear_pointer (&result->server_end_point, g_bytes_unref);
  g_free (result);
}

static GBytes *
channel_binding (gnutls_session_t         session,
                 gnutls_channel_binding_t type)
{
  gnutls_datum_t data = { NULL, 0 };
  GBytes *bytes;

  if (gnutls_session_channel_binding (session, type, &data) != GNUTLS_E_SUCCESS)
    return NULL;

  bytes = g_bytes_new (data.data, data.size);
  gnutls_free (data.data);
  return bytes;
}

static void
observe_handshake (gnutls_session_t     session,
                   TlsTestServerResult *result)
{
  char name[256];
  size_t name_size = sizeof name;
  unsigned int type = 0;
  gnutls_datum_t protocol = { NULL, 0 };
  unsigned int n_peers = 0;

  if (gnutls_server_name_get (session, name, &name_size, &type, 0) == GNUTLS_E_SUCCESS &&
      type == GNUTLS_NAME_DNS)
    result->sni = g_strndup (name, name_size);

  result->resumed = gnutls_session_is_resumed (session);

  if (gnutls_alpn_get_selected_protocol (session, &protocol) == GNUTLS_E_SUCCESS)
    result->alpn = g_strndup ((const char *) protocol.data, protocol.size);

  result->version = g_strdup (gnutls_protocol_get_name (gnutls_protocol_get_version (session)));
  result->client_certificate = gnutls_certificate_get_peers (session, &n_peers) != NULL && n_peers > 0;
}

static void
observe_channel_bindings (gnutls_session_t     session,
                          TlsTestServerResult *result)
{
  result->exporter = channel_binding (session, GNUTLS_CB_TLS_EXPORTER);
  result->server_end_point = channel_binding (session, GNUTLS_CB_TLS_SERVER_END_POINT);
}

static void
serve_echo (gnutls_session_t     session,
            TlsTestServerResult *result)
{
  char buffer[16384];

  for (;;)
    {
      ssize_t n = gnutls_record_recv (session, buffer, sizeof buffer);

      if (n == 0)
        {
          result->close_notify_received = TRUE;
          gnutls_bye (session, GNUTLS_SHUT_WR);
          return;
        }
      if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
        continue;
      if (n < 0)
        return;

      for (ssize_t sent = 0; sent < n;)
        {
          ssize_t m = gnutls_record_send (session, buffer + sent, n - sent);

          if (m == GNUTLS_E_AGAIN || m == GNUTLS_E_INTERRUPTED)
            continue;
          if (m < 0)
            return;
          sent += m;
        }
      result->bytes_echoed += n;
    }
}

/* Lines packed into records of 1000 bytes, so that most records hold many
 * lines and some lines straddle two records. */
static void
serve_lines (gnutls_session_t session,
             guint            n_lines)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n_lines; i++)
    g_string_append_printf (text, "line %u\n", i);

  for (gsize offset = 0; offset < text->len;)
    {
      gsize chunk = MIN (1000, text->len - offset);
      ssize_t m = gnutls_record_send (session, text->str + offset, chunk);

      if (m == GNUTLS_E_AGAIN || m == GNUTLS_E_INTERRUPTED)
        continue;
      if (m < 0)
        return;
      offset += m;
    }

  gnutls_bye (session, GNUTLS_SHUT_WR);
}

static void
serve_tls (TlsTestServer       *self,
           GSocket             *socket,
           TlsTestServerResult *result)
{
  gnutls_session_t session;
  int ret;

  check (gnutls_init (&session, GNUTLS_SERVER));
  check (gnutls_priority_set_direct (session, self->priority, NULL));
  check (gnutls_credentials_set (session, GNUTLS_CRD_CERTIFICATE, self->credentials));
  check (gnutls_session_ticket_enable_server (session, &self->ticket_key));

  if (self->client_auth == TLS_TEST_CLIENT_AUTH_REQUEST)
    gnutls_certificate_server_set_request (session, GNUTLS_CERT_REQUEST);
  else if (self->client_auth == TLS_TEST_CLIENT_AUTH_REQUIRE)
    gnutls_certificate_server_set_request (session, GNUTLS_CERT_REQUIRE);

  if (self->alpn != NULL)
    {
      guint n = g_strv_length (self->alpn);
      g_autofree gnutls_datum_t *protocols = g_new (gnutls_datum_t, n);

      for (guint i = 0; i < n; i++)
        {
          protocols[i].data = (unsigned char *) self->alpn[i];
          protocols[i].size = strlen (self->alpn[i]);
        }
      check (gnutls_alpn_set_protocols (session, protocols, n, 0));
    }

  gnutls_transport_set_int (session, g_socket_get_fd (socket));
  gnutls_handshake_set_timeout (session, 10 * 1000);
  gnutls_record_set_timeout (session, 10 * 1000);

  do
    ret = gnutls_handshake (session);
  while (ret < 0 && !gnutls_error_is_fatal (ret));

  observe_handshake (session, result);

  if (ret < 0)
    {
      result->handshake_error = g_strdup (gnutls_strerror (ret));
      gnutls_alert_send_appropriate (session, ret);
    }
  else
    {
      result->handshake_ok = TRUE;
      observe_channel_bindings (session, result);

      switch (self->mode)
        {
        case TLS_TEST_SERVER_ECHO:
          serve_echo (session, result);
          break;
        case TLS_TEST_SERVER_LINES:
          serve_lines (session, self->n_lines);
          break;
        case TLS_TEST_SERVER_UNCLEAN:
          gnutls_record_send (session, "bye", 3);
          break;
        case TLS_TEST_SERVER_SILENT:
        case TLS_TEST_SERVER_PLAINTEXT:
        case TLS_TEST_SERVER_CLOSE:
        default:
          g_assert_not_reached ();
        }
    }

  gnutls_deinit (session);
}

static void
serve_plaintext (GSocket *socket)
{
  static const char response[] =
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  char buffer[4096];

  g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);
  g_socket_send (socket, response, strlen (response), NULL, NULL);
}

static gpointer
server_thread (gpointer user_data)
{
  TlsTestServer *self = user_data;

  for (;;)
    {
      g_autoptr(GSocket) socket = NULL;
      TlsTestServerResult *result;

      socket = g_socket_accept (self->listener, self->stop, NULL);
      if (socket == NULL)
        break;

      result = g_new0 (TlsTestServerResult, 1);

      g_mutex_lock (&self->lock);
      self->current = socket;
      g_mutex_unlock (&self->lock);

      switch (self->mode)
        {
        case TLS_TEST_SERVER_SILENT:
          /* Kept open, never read, until the server goes away. */
          g_mutex_lock (&self->lock);
          self->held = g_list_prepend (self->held, g_object_ref (socket));
          g_mutex_unlock (&self->lock);
          break;
        case TLS_TEST_SERVER_PLAINTEXT:
          serve_plaintext (socket);
          break;
        case TLS_TEST_SERVER_CLOSE:
          break;
        case TLS_TEST_SERVER_ECHO:
        case TLS_TEST_SERVER_LINES:
        case TLS_TEST_SERVER_UNCLEAN:
        default:
          serve_tls (self, socket, result);
          break;
        }

      g_mutex_lock (&self->lock);
      self->current = NULL;
      g_mutex_unlock (&self->lock);

      if (self->mode != TLS_TEST_SERVER_SILENT)
        g_socket_close (socket, NULL);

      g_async_queue_push (self->results, result);
    }

  return NULL;
}

/*
 * tls_test_server_new:
 * @certs: the certificates of this test run
 * @config: what the server does
 *
 * Starts a server on 127.0.0.1 and an unused port.
 *
 * Returns: (transfer full): the server
 */
TlsTestServer *
tls_test_server_new (const TlsTestCerts        *certs,
                     const TlsTestServerConfig *config)
{
  TlsTestServer *self = g_new0 (TlsTestServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_datum_t cert_pem, key_pem, ca_pem;

  self->mode = config->mode;
  self->priority = g_strdup (config->priority != NULL ? config->priority : "NORMAL");
  self->alpn = g_strdupv ((char **) config->alpn);
  self->client_auth = config->client_auth;
  self->n_lines = config->n_lines;
  self->stop = g_cancellable_new ();
  self->results = g_async_queue_new_full ((GDestroyNotify) tls_test_server_result_free);
  g_mutex_init (&self->lock);

  cert_pem.data = (unsigned char *) (config->cert_pem ? config->cert_pem : certs->server_cert_pem);
  cert_pem.size = strlen ((const char *) cert_pem.data);
  key_pem.data = (unsigned char *) (config->key_pem ? config->key_pem : certs->server_key_pem);
  key_pem.size = strlen ((const char *) key_pem.data);
  ca_pem.data = (unsigned char *) certs->ca_pem;
  ca_pem.size = strlen (certs->ca_pem);

  check (gnutls_certificate_allocate_credentials (&self->credentials));
  check (gnutls_certificate_set_x509_key_mem (self->credentials, &cert_pem, &key_pem,
                                              GNUTLS_X509_FMT_PEM));
  /* The root names the acceptable client certificate issuers. */
  check (gnutls_certificate_set_x509_trust_mem (self->credentials, &ca_pem, GNUTLS_X509_FMT_PEM));
  check (gnutls_session_ticket_key_generate (&self->ticket_key));

  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (self->listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (self->listener, &error);
  g_assert_no_error (error);

  bound = g_socket_get_local_address (self->listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->thread = g_thread_new ("tls-test-server", server_thread, self);

  return self;
}

guint16
tls_test_server_get_port (TlsTestServer *self)
{
  return self->port;
}

/*
 * tls_test_server_wait:
 * @self: a server
 *
 * Waits for the server to be done with its next connection.
 *
 * Returns: (transfer full): what the server saw on it
 */
TlsTestServerResult *
tls_test_server_wait (TlsTestServer *self)
{
  TlsTestServerResult *result;

  result = g_async_queue_timeout_pop (self->results, 20 * G_USEC_PER_SEC);
  if (result == NULL)
    g_error ("The test server did not finish a connection in time");

  return result;
}

void
tls_test_server_free (TlsTestServer *self)
{
  if (self == NULL)
    return;

  g_cancellable_cancel (self->stop);

  /* Wake up a connection the server is blocked on. */
  g_mutex_lock (&self->lock);
  if (self->current != NULL)
    shutdown (g_socket_get_fd (self->current), SHUT_RDWR);
  g_mutex_unlock (&self->lock);

  g_thread_join (self->thread);

  g_list_free_full (self->held, g_object_unref);
  g_socket_close (self->listener, NULL);
  g_object_unref (self->listener);
  g_object_unref (self->stop);
  g_async_queue_unref (self->results);
  gnutls_certificate_free_credentials (self->credentials);
  gnutls_free (self->ticket_key.data);
  g_strfreev (self->alpn);
  g_free (self->priority);
  g_mutex_clear (&self->lock);
  g_free (self);
}
