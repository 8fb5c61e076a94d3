/* test-tls-connection.c: the TLS client connection against an in-process
 * gnutls server
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Connections are made by the TLS stage, so they follow the process's
 * provider: this file runs once with DIAL_TLS_PROVIDER=builtin and no GIO
 * TLS module (DialTlsClientConnection), and once with DIAL_TLS_PROVIDER=gio
 * (glib-networking). The same assertions hold for both, which keeps the
 * built-in connection faithful to GIO; the few tests of libdial's own
 * behaviour skip under GIO.
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include <dial/dial.h>

#include <gnutls/gnutls.h>

#include "dial-tls-client-connection.h"
#include "dial-tls-certificate-private.h"
#include "dial-tls-errors-private.h"
#include "dial-tls-provider.h"
#include "dial-tls-session-cache-private.h"
#include "dial-tls-stage.h"
#include "tls-test-server.h"

static TlsTestCerts *certs;

static gboolean
builtin (void)
{
  return dial_tls_provider_get () == DIAL_TLS_PROVIDER_BUILTIN;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

typedef struct {
  TlsTestServer   *server;
  GIOStream       *base;
  GIOStream       *tls;
  guint            accept_calls;
  gboolean         accept_answer;
  GThread         *accept_thread;
  GTlsCertificate *accept_certificate;
  GTlsCertificateFlags accept_errors;
} Fixture;

static gboolean
on_accept_certificate (GTlsConnection       *connection,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Fixture *f = user_data;

  f->accept_calls++;
  f->accept_thread = g_thread_self ();
  f->accept_errors = errors;
  g_set_object (&f->accept_certificate, peer);

  /* GIO documents that the peer certificate is not yet set during the
   * signal. */
  g_assert_null (g_tls_connection_get_peer_certificate (connection));

  return f->accept_answer;
}

static GIOStream *
connect_base (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  return G_IO_STREAM (connection);
}

static GTlsDatabase *
ca_database (void)
{
  g_autoptr(GError) error = NULL;
  GTlsDatabase *database;

  database = dial_tls_file_database_new (certs->ca_file, &error);
  g_assert_no_error (error);
  return database;
}

/* Starts @config's server and makes a TLS connection to it for @identity
 * ("localhost" and the port when NULL), trusting the test root. */
static void
fixture_connect (Fixture                   *f,
                 const TlsTestServerConfig *config,
                 GSocketConnectable        *identity)
{
  g_autoptr(GSocketConnectable) default_identity = NULL;
  g_autoptr(GTlsDatabase) database = ca_database ();
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    f->server = tls_test_server_new (certs, config);

  if (identity == NULL)
    identity = default_identity = g_network_address_new ("localhost",
                                                         tls_test_server_get_port (f->server));

  g_clear_object (&f->tls);
  g_clear_object (&f->base);
  f->base = connect_base (tls_test_server_get_port (f->server));
  f->tls = dial_tls_stage_new_client_connection (f->base, identity, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_CLIENT_CONNECTION (f->tls));
  if (builtin ())
    g_assert_true (DIAL_IS_TLS_CLIENT_CONNECTION (f->tls));

  g_tls_connection_set_database (G_TLS_CONNECTION (f->tls), database);
  g_signal_connect (f->tls, "accept-certificate", G_CALLBACK (on_accept_certificate), f);
}

static void
fixture_clear (Fixture *f)
{
  g_clear_object (&f->tls);
  g_clear_object (&f->base);
  g_clear_object (&f->accept_certificate);
  g_clear_pointer (&f->server, tls_test_server_free);
}

static void
set_socket_timeout (Fixture *f,
                    guint    seconds)
{
  g_socket_set_timeout (g_socket_connection_get_socket (G_SOCKET_CONNECTION (f->base)), seconds);
}

static void
echo_round_trip (GIOStream  *tls,
                 const char *message)
{
  g_autoptr(GError) error = NULL;
  gsize length = strlen (message);
  g_autofree char *buffer = g_malloc0 (length + 1);
  gsize n = 0;

  g_output_stream_write_all (g_io_stream_get_output_stream (tls), message, length, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, length);

  g_input_stream_read_all (g_io_stream_get_input_stream (tls), buffer, length, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, length);
  g_assert_cmpstr (buffer, ==, message);
}

static void
close_sync (GIOStream *tls)
{
  g_autoptr(GError) error = NULL;

  g_io_stream_close (tls, NULL, &error);
  g_assert_no_error (error);
}

static void
handshake_sync (Fixture  *f,
                GError  **error)
{
  g_tls_connection_handshake (G_TLS_CONNECTION (f->tls), NULL, error);
}

static void
on_async_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static gboolean
handshake_async (Fixture      *f,
                 GCancellable *cancellable,
                 GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_tls_connection_handshake_async (G_TLS_CONNECTION (f->tls), G_PRIORITY_DEFAULT, cancellable,
                                    on_async_done, &result);
  wait_for_result (&result);
  return g_tls_connection_handshake_finish (G_TLS_CONNECTION (f->tls), result, error);
}

/* ------------------------------------------------------------------ */
/* Handshakes                                                          */

static void
assert_trusted_handshake (Fixture             *f,
                          GTlsProtocolVersion  version)
{
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (f->tls));
  g_autofree char *ciphersuite = g_tls_connection_get_ciphersuite_name (G_TLS_CONNECTION (f->tls));

  g_assert_cmpuint (f->accept_calls, ==, 0);
  g_assert_nonnull (peer);
  if (builtin ())
    g_assert_true (DIAL_IS_TLS_CERTIFICATE (peer));
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (f->tls)), ==, 0);
  g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (f->tls)), ==, version);
  g_assert_nonnull (ciphersuite);
}

static void
test_handshake_sync (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  assert_trusted_handshake (&f, G_TLS_PROTOCOL_VERSION_TLS_1_3);

  echo_round_trip (f.tls, "hello, world");
  close_sync (f.tls);

  seen = tls_test_server_wait (f.server);
  g_assert_true (seen->handshake_ok);
  g_assert_cmpstr (seen->version, ==, "TLS1.3");
  g_assert_cmpstr (seen->sni, ==, "localhost");
  g_assert_true (seen->close_notify_received);

  fixture_clear (&f);
}

static void
test_handshake_async (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  handshake_async (&f, NULL, &error);
  g_assert_no_error (error);
  assert_trusted_handshake (&f, G_TLS_PROTOCOL_VERSION_TLS_1_3);

  echo_round_trip (f.tls, "hello, async world");
  close_sync (f.tls);

  seen = tls_test_server_wait (f.server);
  g_assert_true (seen->close_notify_received);

  fixture_clear (&f);
}

static void
test_handshake_tls12 (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO, .priority = "NORMAL:-VERS-TLS1.3" };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  handshake_async (&f, NULL, &error);
  g_assert_no_error (error);
  assert_trusted_handshake (&f, G_TLS_PROTOCOL_VERSION_TLS_1_2);

  echo_round_trip (f.tls, "hello, TLS 1.2");
  close_sync (f.tls);

  seen = tls_test_server_wait (f.server);
  g_assert_cmpstr (seen->version, ==, "TLS1.2");
  g_assert_true (seen->close_notify_received);

  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* Verification                                                        */

static void
test_verify_unknown_ca (gconstpointer data)
{
  gboolean answer = GPOINTER_TO_INT (data);
  TlsTestServerConfig config = {
    .mode = TLS_TEST_SERVER_ECHO,
    .cert_pem = certs->untrusted_cert_pem,
    .key_pem = certs->untrusted_key_pem,
  };
  g_autoptr(GError) error = NULL;
  Fixture f = { .accept_answer = answer };

  fixture_connect (&f, &config, NULL);
  handshake_sync (&f, &error);

  /* Emitted once, on this thread, with the unknown root as the only
   * problem. */
  g_assert_cmpuint (f.accept_calls, ==, 1);
  g_assert_true (f.accept_thread == g_thread_self ());
  g_assert_cmpint (f.accept_errors, ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_nonnull (f.accept_certificate);

  if (answer)
    {
      g_assert_no_error (error);
      g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (f.tls)), ==,
                       G_TLS_CERTIFICATE_UNKNOWN_CA);
      g_assert_true (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (f.tls)) == f.accept_certificate);
      echo_round_trip (f.tls, "accepted");
      close_sync (f.tls);
    }
  else
    {
      g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
      g_assert_cmpstr (error->message, ==, "Unacceptable TLS certificate");

      /* The failure is sticky. */
      g_clear_error (&error);
      handshake_sync (&f, &error);
      g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
    }

  fixture_clear (&f);
}

static void
test_verify_unknown_ca_async (void)
{
  TlsTestServerConfig config = {
    .mode = TLS_TEST_SERVER_ECHO,
    .cert_pem = certs->untrusted_cert_pem,
    .key_pem = certs->untrusted_key_pem,
  };
  g_autoptr(GError) error = NULL;
  Fixture f = { .accept_answer = FALSE };

  fixture_connect (&f, &config, NULL);
  handshake_async (&f, NULL, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpuint (f.accept_calls, ==, 1);

  /* On the thread whose context runs the handshake. glib-networking
   * 2.74's handshake thread sometimes emits it itself. */
  if (builtin ())
    g_assert_true (f.accept_thread == g_thread_self ());

  fixture_clear (&f);
}

static void
test_verify_wrong_identity (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { .accept_answer = FALSE };

  f.server = tls_test_server_new (certs, &config);
  identity = g_network_address_new ("wrong.example", tls_test_server_get_port (f.server));
  fixture_connect (&f, &config, identity);
  handshake_sync (&f, &error);

  g_assert_cmpuint (f.accept_calls, ==, 1);
  g_assert_cmpint (f.accept_errors, ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  fixture_clear (&f);
}

static void
test_verify_ip_identity (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  TlsTestServerConfig noip_config = {
    .mode = TLS_TEST_SERVER_ECHO,
    .cert_pem = certs->noip_cert_pem,
    .key_pem = certs->noip_key_pem,
  };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { .accept_answer = FALSE };

  /* The certificate's IP address matches an address identity, and no
   * server name is sent for it. */
  f.server = tls_test_server_new (certs, &config);
  identity = G_SOCKET_CONNECTABLE (g_inet_socket_address_new (loopback, tls_test_server_get_port (f.server)));
  fixture_connect (&f, &config, identity);
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f.accept_calls, ==, 0);
  echo_round_trip (f.tls, "by address");
  close_sync (f.tls);

  seen = tls_test_server_wait (f.server);
  g_assert_null (seen->sni);
  fixture_clear (&f);
  g_clear_object (&identity);

  /* A certificate without that address does not match it. */
  f.server = tls_test_server_new (certs, &noip_config);
  identity = G_SOCKET_CONNECTABLE (g_inet_socket_address_new (loopback, tls_test_server_get_port (f.server)));
  fixture_connect (&f, &noip_config, identity);
  handshake_sync (&f, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpuint (f.accept_calls, ==, 1);
  g_assert_cmpint (f.accept_errors, ==, G_TLS_CERTIFICATE_BAD_IDENTITY);

  fixture_clear (&f);
}

static void
test_verify_ip_literal_hostname (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  /* An IP literal given as a host name: matched against the IP address,
   * never sent as a server name. */
  f.server = tls_test_server_new (certs, &config);
  identity = g_network_address_new ("127.0.0.1", tls_test_server_get_port (f.server));
  fixture_connect (&f, &config, identity);
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f.accept_calls, ==, 0);
  echo_round_trip (f.tls, "by IP literal");
  close_sync (f.tls);

  seen = tls_test_server_wait (f.server);
  if (builtin ())
    g_assert_null (seen->sni);   /* glib-networking sends it (RFC 6066 says not to) */

  fixture_clear (&f);
}

static void
test_sni_trailing_dot (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { .accept_answer = TRUE };

  f.server = tls_test_server_new (certs, &config);
  identity = g_network_address_new ("localhost.", tls_test_server_get_port (f.server));
  fixture_connect (&f, &config, identity);
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  echo_round_trip (f.tls, "trailing dot");
  close_sync (f.tls);

  seen = tls_test_server_wait (f.server);
  g_assert_cmpstr (seen->sni, ==, "localhost");

  fixture_clear (&f);
}

static void
test_verify_no_identity (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(GError) error = NULL;
  Fixture f = { .accept_answer = FALSE };

  /* Without a server identity, no name can match. */
  fixture_connect (&f, &config, NULL);
  g_tls_client_connection_set_server_identity (G_TLS_CLIENT_CONNECTION (f.tls), NULL);
  handshake_sync (&f, &error);

  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpuint (f.accept_calls, ==, 1);
  g_assert_cmpint (f.accept_errors, ==, G_TLS_CERTIFICATE_BAD_IDENTITY);

  fixture_clear (&f);
}

static void
test_verify_no_database (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(GError) error = NULL;
  Fixture f = { .accept_answer = FALSE };

  fixture_connect (&f, &config, NULL);
  g_tls_connection_set_database (G_TLS_CONNECTION (f.tls), NULL);
  handshake_sync (&f, &error);

  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpuint (f.accept_calls, ==, 1);
  g_assert_cmpint (f.accept_errors, ==, G_TLS_CERTIFICATE_UNKNOWN_CA);

  fixture_clear (&f);
}

static void
test_verify_validation_flags (void)
{
  TlsTestServerConfig config = {
    .mode = TLS_TEST_SERVER_ECHO,
    .cert_pem = certs->untrusted_cert_pem,
    .key_pem = certs->untrusted_key_pem,
  };
  g_autoptr(GError) error = NULL;
  Fixture f = { .accept_answer = FALSE };

  /* Errors the application does not validate are not asked about. */
  fixture_connect (&f, &config, NULL);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_tls_client_connection_set_validation_flags (G_TLS_CLIENT_CONNECTION (f.tls),
                                                G_TLS_CERTIFICATE_VALIDATE_ALL & ~G_TLS_CERTIFICATE_UNKNOWN_CA);
  G_GNUC_END_IGNORE_DEPRECATIONS
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f.accept_calls, ==, 0);
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (f.tls)), ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA);
  close_sync (f.tls);

  fixture_clear (&f);
}

typedef struct {
  GTlsDatabase parent_instance;
  guint        calls;
  GSocketConnectable *identity;
} TestDatabase;

typedef GTlsDatabaseClass TestDatabaseClass;

static GType test_database_get_type (void);
G_DEFINE_TYPE (TestDatabase, test_database, G_TYPE_TLS_DATABASE)

static GTlsCertificateFlags
test_database_verify_chain (GTlsDatabase             *database,
                            GTlsCertificate          *chain,
                            const char               *purpose,
                            GSocketConnectable       *identity,
                            GTlsInteraction          *interaction,
                            GTlsDatabaseVerifyFlags   flags,
                            GCancellable             *cancellable,
                            GError                  **error)
{
  TestDatabase *self = (TestDatabase *) database;

  self->calls++;
  g_set_object (&self->identity, identity);
  g_assert_cmpstr (purpose, ==, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER);
  g_assert_true (G_IS_TLS_CERTIFICATE (chain));

  /* This application trusts whatever it is shown. */
  return 0;
}

static void
test_database_finalize (GObject *object)
{
  g_clear_object (&((TestDatabase *) object)->identity);
  G_OBJECT_CLASS (test_database_parent_class)->finalize (object);
}

static void
test_database_class_init (TestDatabaseClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_database_finalize;
  klass->verify_chain = test_database_verify_chain;
}

static void
test_database_init (TestDatabase *self)
{
}

static void
test_verify_custom_database (void)
{
  TlsTestServerConfig config = {
    .mode = TLS_TEST_SERVER_ECHO,
    .cert_pem = certs->untrusted_cert_pem,
    .key_pem = certs->untrusted_key_pem,
  };
  TestDatabase *database = g_object_new (test_database_get_type (), NULL);
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  /* An application's own GTlsDatabase decides, through verify_chain. */
  fixture_connect (&f, &config, NULL);
  g_tls_connection_set_database (G_TLS_CONNECTION (f.tls), G_TLS_DATABASE (database));
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (database->calls, ==, 1);
  g_assert_true (G_IS_NETWORK_ADDRESS (database->identity));
  g_assert_cmpuint (f.accept_calls, ==, 0);
  echo_round_trip (f.tls, "custom database");
  close_sync (f.tls);

  g_object_unref (database);
  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* Features                                                            */

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_alpn (void)
{
  static const char * const server_protocols[] = { "http/1.1", NULL };
  static const char * const client_protocols[] = { "h2", "http/1.1", NULL };
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO, .alpn = server_protocols };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GError) error = NULL;
  guint notified = 0;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (f.tls), client_protocols);
  g_signal_connect (f.tls, "notify::negotiated-protocol", G_CALLBACK (on_notify), &notified);
  g_assert_null (g_tls_connection_get_negotiated_protocol (G_TLS_CONNECTION (f.tls)));

  handshake_sync (&f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_tls_connection_get_negotiated_protocol (G_TLS_CONNECTION (f.tls)), ==, "http/1.1");
  g_assert_cmpuint (notified, ==, 1);
  close_sync (f.tls);

  seen = tls_test_server_wait (f.server);
  g_assert_cmpstr (seen->alpn, ==, "http/1.1");

  fixture_clear (&f);
}

static void
test_alpn_none (void)
{
  static const char * const client_protocols[] = { "h2", NULL };
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  /* The server speaks no ALPN: nothing is negotiated. */
  fixture_connect (&f, &config, NULL);
  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (f.tls), client_protocols);
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  g_assert_null (g_tls_connection_get_negotiated_protocol (G_TLS_CONNECTION (f.tls)));
  close_sync (f.tls);

  fixture_clear (&f);
}

static GTlsCertificate *
client_certificate (void)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  certificate = dial_tls_certificate_new_from_file (certs->client_pem_file, &error);
  g_assert_no_error (error);
  return certificate;
}

static void
test_client_certificate (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO, .client_auth = TLS_TEST_CLIENT_AUTH_REQUIRE };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GTlsCertificate) certificate = client_certificate ();
  g_autoptr(GError) error = NULL;
  GList *cas;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  g_tls_connection_set_certificate (G_TLS_CONNECTION (f.tls), certificate);
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  echo_round_trip (f.tls, "with a client certificate");

  /* The server named the test root as an acceptable issuer. */
  cas = g_tls_client_connection_get_accepted_cas (G_TLS_CLIENT_CONNECTION (f.tls));
  g_assert_cmpuint (g_list_length (cas), ==, 1);
  g_list_free_full (cas, (GDestroyNotify) g_byte_array_unref);
  close_sync (f.tls);

  seen = tls_test_server_wait (f.server);
  g_assert_true (seen->handshake_ok);
  g_assert_true (seen->client_certificate);

  fixture_clear (&f);
}

static void
test_client_certificate_missing (gconstpointer data)
{
  TlsTestServerConfig config = {
    .mode = TLS_TEST_SERVER_ECHO,
    .client_auth = TLS_TEST_CLIENT_AUTH_REQUIRE,
    .priority = data,
  };
  g_autoptr(GError) error = NULL;
  char buffer[16];
  Fixture f = { 0 };

  /* In TLS 1.3 the client finishes its handshake before the server sees
   * that no certificate came; the refusal arrives with the first read. */
  fixture_connect (&f, &config, NULL);
  handshake_sync (&f, &error);
  if (error == NULL)
    g_input_stream_read (g_io_stream_get_input_stream (f.tls), buffer, sizeof buffer, NULL, &error);

  g_test_message ("%s", error->message);
  /* glib-networking 2.74 reports the server's alert; later versions, and
   * libdial, say what it means. */
  if (builtin ())
    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED);
  else if (!g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED))
    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC);

  fixture_clear (&f);
}

typedef struct {
  GTlsInteraction parent_instance;
  GTlsCertificate *certificate;
  guint            calls;
} TestInteraction;

typedef GTlsInteractionClass TestInteractionClass;

static GType test_interaction_get_type (void);
G_DEFINE_TYPE (TestInteraction, test_interaction, G_TYPE_TLS_INTERACTION)

static GTlsInteractionResult
test_interaction_request_certificate (GTlsInteraction              *interaction,
                                      GTlsConnection               *connection,
                                      GTlsCertificateRequestFlags   flags,
                                      GCancellable                 *cancellable,
                                      GError                      **error)
{
  TestInteraction *self = (TestInteraction *) interaction;

  self->calls++;
  g_tls_connection_set_certificate (connection, self->certificate);
  return G_TLS_INTERACTION_HANDLED;
}

static void
test_interaction_finalize (GObject *object)
{
  TestInteraction *self = (TestInteraction *) object;

  g_clear_object (&self->certificate);
  G_OBJECT_CLASS (test_interaction_parent_class)->finalize (object);
}

static void
test_interaction_class_init (TestInteractionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_interaction_finalize;
  klass->request_certificate = test_interaction_request_certificate;
}

static void
test_interaction_init (TestInteraction *self)
{
}

static void
test_client_certificate_interaction (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO, .client_auth = TLS_TEST_CLIENT_AUTH_REQUIRE };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GError) error = NULL;
  TestInteraction *interaction = g_object_new (test_interaction_get_type (), NULL);
  Fixture f = { 0 };

  interaction->certificate = client_certificate ();

  fixture_connect (&f, &config, NULL);
  g_tls_connection_set_interaction (G_TLS_CONNECTION (f.tls), G_TLS_INTERACTION (interaction));
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  echo_round_trip (f.tls, "certificate from the interaction");
  close_sync (f.tls);
  g_assert_cmpuint (interaction->calls, ==, 1);

  seen = tls_test_server_wait (f.server);
  g_assert_true (seen->client_certificate);

  g_object_unref (interaction);
  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* Reading and writing                                                 */

static void
test_io_sync (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = NULL;
  g_autofree char *back = NULL;
  gsize size = 300 * 1000;
  gsize n = 0;
  Fixture f = { 0 };

  /* No explicit handshake: the first write makes it. The server echoes as
   * it reads, so reading and writing alternate in chunks. */
  fixture_connect (&f, &config, NULL);
  big = g_malloc (size);
  back = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    big[i] = 'a' + i % 26;

  for (gsize offset = 0; offset < size; offset += 30000)
    {
      g_output_stream_write_all (g_io_stream_get_output_stream (f.tls), big + offset, 30000, &n, NULL, &error);
      g_assert_no_error (error);
      g_input_stream_read_all (g_io_stream_get_input_stream (f.tls), back + offset, 30000, &n, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, 30000);
    }
  g_assert_cmpmem (big, size, back, size);
  close_sync (f.tls);

  seen = tls_test_server_wait (f.server);
  g_assert_cmpuint (seen->bytes_echoed, ==, size);
  g_assert_true (seen->close_notify_received);

  fixture_clear (&f);
}

static void
test_io_async (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(GAsyncResult) written = NULL;
  g_autoptr(GAsyncResult) read = NULL;
  g_autoptr(GAsyncResult) closed = NULL;
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = NULL;
  g_autofree char *back = NULL;
  gsize size = 103 * 1000;
  gsize n = 0;
  Fixture f = { 0 };

  /* Both at once on one thread, no explicit handshake: the pollable
   * streams drive it. */
  fixture_connect (&f, &config, NULL);
  big = g_malloc (size);
  back = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    big[i] = 'A' + i % 26;

  g_output_stream_write_all_async (g_io_stream_get_output_stream (f.tls), big, size,
                                   G_PRIORITY_DEFAULT, NULL, on_async_done, &written);
  g_input_stream_read_all_async (g_io_stream_get_input_stream (f.tls), back, size,
                                 G_PRIORITY_DEFAULT, NULL, on_async_done, &read);

  g_output_stream_write_all_finish (g_io_stream_get_output_stream (f.tls), wait_for_result (&written), &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, size);
  g_input_stream_read_all_finish (g_io_stream_get_input_stream (f.tls), wait_for_result (&read), &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, size);
  g_assert_cmpmem (big, size, back, size);

  g_io_stream_close_async (f.tls, G_PRIORITY_DEFAULT, NULL, on_async_done, &closed);
  g_io_stream_close_finish (f.tls, wait_for_result (&closed), &error);
  g_assert_no_error (error);

  seen = tls_test_server_wait (f.server);
  g_assert_true (seen->close_notify_received);

  fixture_clear (&f);
}

typedef struct {
  GInputStream *input;
  char         *buffer;
  gsize         size;
  GError       *error;
} ReaderData;

static gpointer
reader_thread (gpointer user_data)
{
  ReaderData *data = user_data;
  gsize n = 0;

  g_input_stream_read_all (data->input, data->buffer, data->size, &n, NULL, &data->error);
  g_assert_cmpuint (n, ==, data->size);
  return NULL;
}

static void
test_io_duplex_threads (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = NULL;
  gsize size = 4 * 1024 * 1024;
  ReaderData reader = { 0 };
  GThread *thread;
  gsize n = 0;
  Fixture f = { 0 };

  /* One thread reads while another writes, on one connection. */
  fixture_connect (&f, &config, NULL);
  handshake_sync (&f, &error);
  g_assert_no_error (error);

  big = g_malloc (size);
  for (gsize i = 0; i < size; i++)
    big[i] = (char) (i * 7 + i / 4096);
  reader.input = g_io_stream_get_input_stream (f.tls);
  reader.buffer = g_malloc (size);
  reader.size = size;

  thread = g_thread_new ("reader", reader_thread, &reader);
  g_output_stream_write_all (g_io_stream_get_output_stream (f.tls), big, size, &n, NULL, &error);
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_no_error (reader.error);
  g_assert_cmpmem (big, size, reader.buffer, size);
  g_free (reader.buffer);

  close_sync (f.tls);
  seen = tls_test_server_wait (f.server);
  g_assert_cmpuint (seen->bytes_echoed, ==, size);

  fixture_clear (&f);
}

static void
test_read_line_async (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_LINES, .n_lines = 1000 };
  g_autoptr(GDataInputStream) data = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  handshake_async (&f, NULL, &error);
  g_assert_no_error (error);

  data = g_data_input_stream_new (g_io_stream_get_input_stream (f.tls));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);

  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *line = NULL;
      g_autofree char *expected = g_strdup_printf ("line %u", i);

      g_data_input_stream_read_line_async (data, G_PRIORITY_DEFAULT, NULL, on_async_done, &result);
      line = g_data_input_stream_read_line_finish (data, wait_for_result (&result), NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, expected);
    }

  /* Then the server's close_notify: a clean end of stream. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *line = NULL;

    g_data_input_stream_read_line_async (data, G_PRIORITY_DEFAULT, NULL, on_async_done, &result);
    line = g_data_input_stream_read_line_finish (data, wait_for_result (&result), NULL, &error);
    g_assert_no_error (error);
    g_assert_null (line);
  }

  close_sync (f.tls);
  fixture_clear (&f);
}

static void
test_unclean_close (gconstpointer data)
{
  gboolean require_close_notify = GPOINTER_TO_INT (data);
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_UNCLEAN };
  g_autoptr(GError) error = NULL;
  char buffer[16] = { 0 };
  gssize n;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (f.tls), require_close_notify);
  g_input_stream_read_all (g_io_stream_get_input_stream (f.tls), buffer, 3, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (buffer, ==, "bye");

  n = g_input_stream_read (g_io_stream_get_input_stream (f.tls), buffer, sizeof buffer, NULL, &error);
  if (require_close_notify)
    {
      g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_EOF);
      g_assert_cmpint (n, ==, -1);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 0);
    }

  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* Failures                                                            */

static gpointer
cancel_later (gpointer data)
{
  g_usleep (200 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel_handshake_sync (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_SILENT };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *canceller;
  gint64 start;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  canceller = g_thread_new ("cancel", cancel_later, cancellable);
  start = g_get_monotonic_time ();
  g_tls_connection_handshake (G_TLS_CONNECTION (f.tls), cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_thread_join (canceller);

  fixture_clear (&f);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_handshake_async (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_SILENT };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  g_timeout_add (200, cancel_cb, cancellable);
  handshake_async (&f, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  fixture_clear (&f);
}

static void
test_timeout_handshake (gconstpointer data)
{
  gboolean async = GPOINTER_TO_INT (data);
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_SILENT };
  g_autoptr(GError) error = NULL;
  gint64 start, elapsed;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  set_socket_timeout (&f, 1);

  start = g_get_monotonic_time ();
  if (async)
    handshake_async (&f, NULL, &error);
  else
    handshake_sync (&f, &error);
  elapsed = g_get_monotonic_time () - start;

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC * 9 / 10);
  g_assert_cmpint (elapsed, <, 3 * G_USEC_PER_SEC);

  fixture_clear (&f);
}

static void
test_not_tls (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_PLAINTEXT };
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  handshake_sync (&f, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC);
  g_assert_true (g_str_has_prefix (error->message, "Error performing TLS handshake: "));

  fixture_clear (&f);
}

static void
test_closed_peer (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_CLOSE };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  seen = tls_test_server_wait (f.server);
  g_assert_false (seen->handshake_ok);
  handshake_sync (&f, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS);
  g_assert_cmpstr (error->message, ==,
                   "Peer failed to perform TLS handshake: The TLS connection was non-properly terminated.");

  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* Closing                                                             */

static void
test_close_output_stream (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  /* Closing the output side alone sends close_notify. */
  fixture_connect (&f, &config, NULL);
  echo_round_trip (f.tls, "half close");
  g_output_stream_close (g_io_stream_get_output_stream (f.tls), NULL, &error);
  g_assert_no_error (error);

  seen = tls_test_server_wait (f.server);
  g_assert_true (seen->close_notify_received);
  close_sync (f.tls);

  fixture_clear (&f);
}

static void
test_close_on_unref (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) seen = NULL;
  Fixture f = { 0 };

  /* Dropping the last reference closes the connection, close_notify
   * included. */
  fixture_connect (&f, &config, NULL);
  echo_round_trip (f.tls, "unref");
  g_clear_object (&f.tls);
  g_clear_object (&f.base);

  seen = tls_test_server_wait (f.server);
  g_assert_true (seen->close_notify_received);

  fixture_clear (&f);
}

static void
test_close_before_handshake (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_SILENT };
  g_autoptr(GError) error = NULL;
  char buffer[4];
  Fixture f = { 0 };

  /* Nothing to say goodbye to; later operations report the closed stream. */
  fixture_connect (&f, &config, NULL);
  close_sync (f.tls);
  g_input_stream_read (g_io_stream_get_input_stream (f.tls), buffer, sizeof buffer, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);

  fixture_clear (&f);
}

static void
test_substream_outlives_connection (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  char buffer[4];
  Fixture f = { 0 };

  /* A substream does not keep its connection alive, and reports it gone. */
  fixture_connect (&f, &config, NULL);
  echo_round_trip (f.tls, "soon gone");
  input = g_object_ref (g_io_stream_get_input_stream (f.tls));
  output = g_object_ref (g_io_stream_get_output_stream (f.tls));
  g_clear_object (&f.tls);

  g_input_stream_read (input, buffer, sizeof buffer, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_output_stream_write (output, "x", 1, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);

  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* More I/O                                                            */

static void
test_read_timeout_then_write (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(GError) error = NULL;
  char buffer[16];
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  echo_round_trip (f.tls, "before");
  set_socket_timeout (&f, 1);

  g_input_stream_read (g_io_stream_get_input_stream (f.tls), buffer, sizeof buffer, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);

  /* The connection is still usable. */
  echo_round_trip (f.tls, "after");
  close_sync (f.tls);

  fixture_clear (&f);
}

static void
test_cancel_read (gconstpointer data)
{
  gboolean async = GPOINTER_TO_INT (data);
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  char buffer[16];
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  echo_round_trip (f.tls, "before");

  if (async)
    {
      g_autoptr(GAsyncResult) result = NULL;

      g_timeout_add (200, cancel_cb, cancellable);
      g_input_stream_read_async (g_io_stream_get_input_stream (f.tls), buffer, sizeof buffer,
                                 G_PRIORITY_DEFAULT, cancellable, on_async_done, &result);
      g_input_stream_read_finish (g_io_stream_get_input_stream (f.tls), wait_for_result (&result), &error);
    }
  else
    {
      GThread *canceller = g_thread_new ("cancel", cancel_later, cancellable);

      g_input_stream_read (g_io_stream_get_input_stream (f.tls), buffer, sizeof buffer, cancellable, &error);
      g_thread_join (canceller);
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* A cancelled read leaves the connection usable. */
  echo_round_trip (f.tls, "after");
  close_sync (f.tls);

  fixture_clear (&f);
}

static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  gboolean *fired = user_data;

  *fired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_pollable_pending_data (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(GSource) source = NULL;
  g_autoptr(GError) error = NULL;
  char record[1000];
  char one;
  gboolean fired = FALSE;
  GPollableInputStream *input;
  Fixture f = { 0 };

  if (!builtin ())
    {
      /* glib-networking's readiness ignores what gnutls has buffered. */
      g_test_skip ("glib-networking does not look at buffered plaintext");
      return;
    }

  fixture_connect (&f, &config, NULL);
  echo_round_trip (f.tls, "warm up");
  input = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (f.tls));

  /* The server echoes the 1000 bytes as one record. */
  memset (record, 'r', sizeof record);
  g_output_stream_write_all (g_io_stream_get_output_stream (f.tls), record, sizeof record, NULL, NULL, &error);
  g_assert_no_error (error);

  /* A source made before the read... */
  source = g_pollable_input_stream_create_source (input, NULL);
  g_source_set_callback (source, (GSourceFunc) on_readable, &fired, NULL);
  g_source_attach (source, NULL);

  /* ...sees the rest of the record after the read took one byte, although
   * the socket has nothing more. */
  g_assert_cmpint (g_input_stream_read (G_INPUT_STREAM (input), &one, 1, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (g_pollable_input_stream_is_readable (input));

  for (guint i = 0; i < 10 && !fired; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (fired);

  close_sync (f.tls);
  fixture_clear (&f);
}

static gboolean
on_accept_read (GTlsConnection       *connection,
                GTlsCertificate      *peer,
                GTlsCertificateFlags  errors,
                gpointer              user_data)
{
  GError **error = user_data;
  char buffer[4];

  /* A blocking read from inside the handshake fails instead of waiting
   * for a handshake that waits for this handler. */
  g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                       buffer, sizeof buffer, NULL, error);
  return TRUE;
}

static void
test_blocking_op_during_handshake (void)
{
  TlsTestServerConfig config = {
    .mode = TLS_TEST_SERVER_ECHO,
    .cert_pem = certs->untrusted_cert_pem,
    .key_pem = certs->untrusted_key_pem,
  };
  g_autoptr(GError) inner_error = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  g_signal_handlers_disconnect_by_data (f.tls, &f);
  g_signal_connect (f.tls, "accept-certificate", G_CALLBACK (on_accept_read), &inner_error);
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  g_assert_error (inner_error, G_IO_ERROR, G_IO_ERROR_FAILED);
  echo_round_trip (f.tls, "still fine");
  close_sync (f.tls);

  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* Session resumption, channel binding, properties                     */

static void
test_session_resumption (gconstpointer data)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO, .priority = data };
  g_autoptr(TlsTestServerResult) first = NULL;
  g_autoptr(TlsTestServerResult) second = NULL;
  g_autoptr(TlsTestServerResult) other = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  if (!builtin ())
    {
      g_test_skip ("glib-networking turns resumption off in test programs");
      return;
    }

  dial_tls_session_cache_clear ();

  /* The echo also brings the TLS 1.3 ticket, which follows the handshake. */
  fixture_connect (&f, &config, NULL);
  echo_round_trip (f.tls, "first");
  close_sync (f.tls);
  first = tls_test_server_wait (f.server);
  g_assert_false (first->resumed);

  /* Same server identity: resumed, and the peer certificate is known. */
  fixture_connect (&f, &config, NULL);
  handshake_sync (&f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (f.tls)));
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (f.tls)), ==, 0);
  echo_round_trip (f.tls, "second");
  close_sync (f.tls);
  second = tls_test_server_wait (f.server);
  g_assert_true (second->resumed);

  /* Another identity for the same server: a full handshake. */
  identity = g_network_address_new ("127.0.0.1", tls_test_server_get_port (f.server));
  fixture_connect (&f, &config, identity);
  echo_round_trip (f.tls, "other");
  close_sync (f.tls);
  other = tls_test_server_wait (f.server);
  g_assert_false (other->resumed);

  fixture_clear (&f);
}

static void
test_copy_session_state (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) first = NULL;
  g_autoptr(TlsTestServerResult) second = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) source = NULL;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  if (!builtin ())
    {
      g_test_skip ("glib-networking turns resumption off in test programs");
      return;
    }

  dial_tls_session_cache_clear ();

  fixture_connect (&f, &config, NULL);
  echo_round_trip (f.tls, "source");
  source = g_object_ref (f.tls);
  close_sync (f.tls);
  first = tls_test_server_wait (f.server);

  /* Copied state resumes even under another identity. */
  identity = g_network_address_new ("127.0.0.1", tls_test_server_get_port (f.server));
  fixture_connect (&f, &config, identity);
  g_tls_client_connection_copy_session_state (G_TLS_CLIENT_CONNECTION (f.tls),
                                              G_TLS_CLIENT_CONNECTION (source));
  echo_round_trip (f.tls, "copy");
  close_sync (f.tls);
  second = tls_test_server_wait (f.server);
  g_assert_true (second->resumed);

  fixture_clear (&f);
}

static void
assert_bytes_equal (GByteArray *array,
                    GBytes     *bytes)
{
  g_assert_nonnull (bytes);
  g_assert_cmpmem (array->data, array->len, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
test_channel_binding (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(GByteArray) exporter = g_byte_array_new ();
  g_autoptr(GByteArray) end_point = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (f.tls), G_TLS_CHANNEL_BINDING_TLS_EXPORTER,
                                             exporter, &error);
  g_assert_error (error, G_TLS_CHANNEL_BINDING_ERROR, G_TLS_CHANNEL_BINDING_ERROR_INVALID_STATE);
  g_clear_error (&error);

  handshake_sync (&f, &error);
  g_assert_no_error (error);
  g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (f.tls), G_TLS_CHANNEL_BINDING_TLS_EXPORTER,
                                             exporter, &error);
  g_assert_no_error (error);
  g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (f.tls), G_TLS_CHANNEL_BINDING_TLS_SERVER_END_POINT,
                                             end_point, &error);
  g_assert_no_error (error);
  g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (f.tls), G_TLS_CHANNEL_BINDING_TLS_UNIQUE,
                                             NULL, &error);
  g_assert_error (error, G_TLS_CHANNEL_BINDING_ERROR, G_TLS_CHANNEL_BINDING_ERROR_NOT_AVAILABLE);
  g_clear_error (&error);

  echo_round_trip (f.tls, "bound");
  close_sync (f.tls);

  seen = tls_test_server_wait (f.server);
  assert_bytes_equal (exporter, seen->exporter);
  assert_bytes_equal (end_point, seen->server_end_point);

  fixture_clear (&f);
}

static void
test_properties (void)
{
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO, .client_auth = TLS_TEST_CLIENT_AUTH_REQUEST };
  g_autofree GParamSpec **pspecs = NULL;
  g_autoptr(GError) error = NULL;
  guint n_pspecs = 0;
  Fixture f = { 0 };

  fixture_connect (&f, &config, NULL);
  handshake_sync (&f, &error);
  g_assert_no_error (error);

  /* Every property reads without a warning (they are fatal here): the
   * base classes' implementations only warn, so this fails for any that
   * is not overridden. */
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (f.tls), &n_pspecs);
  g_assert_cmpuint (n_pspecs, >=, 20);
  for (guint i = 0; i < n_pspecs; i++)
    {
      GValue value = G_VALUE_INIT;

      if (!(pspecs[i]->flags & G_PARAM_READABLE))
        continue;

      g_value_init (&value, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (f.tls), pspecs[i]->name, &value);
      if (g_str_equal (pspecs[i]->name, "accepted-cas"))
        g_list_free_full (g_value_get_pointer (&value), (GDestroyNotify) g_byte_array_unref);
      g_value_unset (&value);
    }

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_cmpint (g_tls_connection_get_rehandshake_mode (G_TLS_CONNECTION (f.tls)), ==, G_TLS_REHANDSHAKE_SAFELY);
  g_assert_false (g_tls_client_connection_get_use_ssl3 (G_TLS_CLIENT_CONNECTION (f.tls)));
  g_assert_cmpint (g_tls_client_connection_get_validation_flags (G_TLS_CLIENT_CONNECTION (f.tls)), ==,
                   G_TLS_CERTIFICATE_VALIDATE_ALL);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_true (g_tls_connection_get_require_close_notify (G_TLS_CONNECTION (f.tls)));
  {
    g_autoptr(GIOStream) base = NULL;

    g_object_get (f.tls, "base-io-stream", &base, NULL);
    g_assert_true (base == f.base);
  }
  g_assert_true (G_IS_NETWORK_ADDRESS (g_tls_client_connection_get_server_identity (G_TLS_CLIENT_CONNECTION (f.tls))));

  echo_round_trip (f.tls, "properties");
  close_sync (f.tls);
  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* Through the socket client                                           */

static void
on_client_event (DialSocketClient      *client,
                 GSocketClientEvent     event,
                 GSocketConnectable    *connectable,
                 GIOStream             *connection,
                 gpointer               user_data)
{
  Fixture *f = user_data;

  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    {
      g_assert_true (G_IS_TLS_CLIENT_CONNECTION (connection));
      if (builtin ())
        g_assert_true (DIAL_IS_TLS_CLIENT_CONNECTION (connection));
      f->accept_answer = TRUE;
      g_signal_connect (connection, "accept-certificate", G_CALLBACK (on_accept_certificate), f);
    }
}

static void
test_socket_client (gconstpointer data)
{
  gboolean async = GPOINTER_TO_INT (data);
  TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
  g_autoptr(TlsTestServerResult) seen = NULL;
  g_autoptr(DialSocketClient) client = dial_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;
  Fixture f = { 0 };

  f.server = tls_test_server_new (certs, &config);
  dial_socket_client_set_tls (client, TRUE);
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), &f);

  if (async)
    {
      g_autoptr(GAsyncResult) result = NULL;

      dial_socket_client_connect_to_host_async (client, "127.0.0.1", tls_test_server_get_port (f.server),
                                                NULL, on_async_done, &result);
      connection = dial_socket_client_connect_to_host_finish (client, wait_for_result (&result), &error);
    }
  else
    {
      connection = dial_socket_client_connect_to_host (client, "127.0.0.1", tls_test_server_get_port (f.server),
                                                       NULL, &error);
    }
  g_assert_no_error (error);

  /* The server's certificate is not in the system's trust store. */
  g_assert_cmpuint (f.accept_calls, ==, 1);
  g_assert_cmpint (f.accept_errors, ==, G_TLS_CERTIFICATE_UNKNOWN_CA);

  g_assert_true (G_IS_TCP_WRAPPER_CONNECTION (connection));
  tls = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (connection));
  g_assert_true (G_IS_TLS_CLIENT_CONNECTION (tls));

  echo_round_trip (G_IO_STREAM (connection), "through the socket client");
  if (async)
    {
      g_autoptr(GAsyncResult) result = NULL;

      g_io_stream_close_async (G_IO_STREAM (connection), G_PRIORITY_DEFAULT, NULL, on_async_done, &result);
      g_io_stream_close_finish (G_IO_STREAM (connection), wait_for_result (&result), &error);
      g_assert_no_error (error);
    }
  else
    {
      close_sync (G_IO_STREAM (connection));
    }

  /* Closing the wrapper closes the TLS connection, close_notify first. */
  seen = tls_test_server_wait (f.server);
  g_assert_true (seen->close_notify_received);

  fixture_clear (&f);
}

/* ------------------------------------------------------------------ */
/* The provider guard                                                  */

static const char *test_program;

static void
test_provider_guard (void)
{
  g_autofree char *empty = NULL;
  g_auto(GStrv) envp = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { test_program, "-p", "/tls/provider/guard", NULL };
  int status = 0;

  if (g_getenv ("DIAL_TLS_TEST_GUARD_CHILD") != NULL)
    {
      TlsTestServerConfig config = { .mode = TLS_TEST_SERVER_ECHO };
      Fixture f = { 0 };

      /* No GIO TLS module was loaded, so "auto" chose the built-in
       * provider, and everything below is libdial's. */
      g_assert_null (g_getenv ("DIAL_TLS_PROVIDER"));
      g_assert_false (g_tls_backend_supports_tls (g_tls_backend_get_default ()));
      g_assert_cmpint (dial_tls_provider_get (), ==, DIAL_TLS_PROVIDER_BUILTIN);

      fixture_connect (&f, &config, NULL);
      g_assert_true (DIAL_IS_TLS_CLIENT_CONNECTION (f.tls));
      handshake_sync (&f, &error);
      g_assert_no_error (error);
      g_assert_true (DIAL_IS_TLS_CERTIFICATE (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (f.tls))));
      echo_round_trip (f.tls, "guarded");
      close_sync (f.tls);
      fixture_clear (&f);
      return;
    }

  /* The same program, with GIO's modules in an empty folder and the
   * provider left to "auto". */
  empty = g_dir_make_tmp ("dial-no-gio-modules-XXXXXX", &error);
  g_assert_no_error (error);

  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "GIO_MODULE_DIR", empty, TRUE);
  envp = g_environ_setenv (envp, "DIAL_TLS_TEST_GUARD_CHILD", "1", TRUE);
  envp = g_environ_unsetenv (envp, "DIAL_TLS_PROVIDER");
  envp = g_environ_unsetenv (envp, "GIO_USE_TLS");

  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &output, NULL, &status, &error);
  g_assert_no_error (error);
  g_rmdir (empty);

  g_test_message ("%s", output);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (output, "ok 1 /tls/provider/guard"));
}

/* ------------------------------------------------------------------ */
/* The error mapping                                                   */

static void
assert_mapped (int          status,
               DialTlsErrorContext context,
               gboolean     first_handshake,
               gboolean     require_close_notify,
               GError      *transport_error,
               GQuark       domain,
               int          code,
               const char  *message)
{
  g_autoptr(GError) error = NULL;

  error = dial_tls_error_from_gnutls (status, context, first_handshake, require_close_notify,
                                      "Handshake failed", transport_error);
  if (message == NULL)
    {
      g_assert_no_error (error);
      return;
    }
  g_assert_error (error, domain, code);
  g_assert_cmpstr (error->message, ==, message);
}

/* "prefix: gnutls's message", kept until the next call. */
static const char *
with_gnutls (const char *prefix,
             int         status)
{
  static char *message;

  g_free (message);
  message = g_strdup_printf ("%s: %s", prefix, gnutls_strerror (status));
  return message;
}

static void
test_error_mapping (void)
{
  GError *broken = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "Error sending data: Broken pipe");
  GError *cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  GError *reset = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "Connection reset by peer");
  const DialTlsErrorContext H = DIAL_TLS_ERROR_CONTEXT_HANDSHAKE;
  const DialTlsErrorContext R = DIAL_TLS_ERROR_CONTEXT_READ;

  /* A peer that does not speak TLS. */
  assert_mapped (GNUTLS_E_PREMATURE_TERMINATION, H, TRUE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                 "Peer failed to perform TLS handshake: The TLS connection was non-properly terminated.");
  assert_mapped (GNUTLS_E_PUSH_ERROR, H, TRUE, TRUE, broken, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                 "Peer failed to perform TLS handshake: Error sending data: Broken pipe");
  assert_mapped (GNUTLS_E_UNEXPECTED_PACKET_LENGTH, H, TRUE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                 with_gnutls ("Peer failed to perform TLS handshake", GNUTLS_E_UNEXPECTED_PACKET_LENGTH));
  assert_mapped (GNUTLS_E_UNEXPECTED_PACKET, H, TRUE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_MISC,
                 with_gnutls ("Error performing TLS handshake", GNUTLS_E_UNEXPECTED_PACKET));

  /* Transport errors are reported as they are. */
  assert_mapped (GNUTLS_E_INTERRUPTED, H, TRUE, TRUE, cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                 "Operation was cancelled");
  assert_mapped (GNUTLS_E_PULL_ERROR, R, FALSE, TRUE, reset, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                 "Connection reset by peer");

  /* The certificate and the alerts. */
  assert_mapped (GNUTLS_E_CERTIFICATE_ERROR, H, TRUE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                 "Unacceptable TLS certificate");
  assert_mapped (GNUTLS_E_NO_CERTIFICATE_FOUND, H, TRUE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED,
                 "TLS connection peer did not send a certificate");
  assert_mapped (GNUTLS_E_FATAL_ALERT_RECEIVED, H, TRUE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_MISC,
                 "Peer sent fatal TLS alert: Handshake failed");
  assert_mapped (GNUTLS_E_INAPPROPRIATE_FALLBACK, H, TRUE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_INAPPROPRIATE_FALLBACK,
                 "Protocol version downgrade attack detected");
  assert_mapped (GNUTLS_E_TIMEDOUT, R, FALSE, TRUE, NULL, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 "The operation timed out");

  /* An unclean shutdown after the handshake. */
  assert_mapped (GNUTLS_E_PREMATURE_TERMINATION, R, FALSE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_EOF,
                 "TLS connection closed unexpectedly");
  assert_mapped (GNUTLS_E_PREMATURE_TERMINATION, R, FALSE, FALSE, NULL, 0, 0, NULL);

  /* The rest, with what the connection was doing. */
  assert_mapped (GNUTLS_E_DECRYPTION_FAILED, R, FALSE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_MISC,
                 with_gnutls ("Error reading data from TLS socket", GNUTLS_E_DECRYPTION_FAILED));
  assert_mapped (GNUTLS_E_MEMORY_ERROR, DIAL_TLS_ERROR_CONTEXT_WRITE, FALSE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_MISC,
                 with_gnutls ("Error writing data to TLS socket", GNUTLS_E_MEMORY_ERROR));
  assert_mapped (GNUTLS_E_MEMORY_ERROR, DIAL_TLS_ERROR_CONTEXT_CLOSE, FALSE, TRUE, NULL, G_TLS_ERROR, G_TLS_ERROR_MISC,
                 with_gnutls ("Error performing TLS close", GNUTLS_E_MEMORY_ERROR));
}

/* ------------------------------------------------------------------ */
/* Main                                                                */

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  test_program = argv[0];

  certs = tls_test_certs_new ();

  g_test_add_func ("/tls/connection/handshake/sync", test_handshake_sync);
  g_test_add_func ("/tls/connection/handshake/async", test_handshake_async);
  g_test_add_func ("/tls/connection/handshake/tls12", test_handshake_tls12);
  g_test_add_data_func ("/tls/connection/verify/unknown-ca-accepted", GINT_TO_POINTER (TRUE), test_verify_unknown_ca);
  g_test_add_data_func ("/tls/connection/verify/unknown-ca-rejected", GINT_TO_POINTER (FALSE), test_verify_unknown_ca);
  g_test_add_func ("/tls/connection/verify/unknown-ca-rejected-async", test_verify_unknown_ca_async);
  g_test_add_func ("/tls/connection/verify/wrong-identity", test_verify_wrong_identity);
  g_test_add_func ("/tls/connection/verify/ip-identity", test_verify_ip_identity);
  g_test_add_func ("/tls/connection/verify/ip-literal-hostname", test_verify_ip_literal_hostname);
  g_test_add_func ("/tls/connection/verify/no-identity", test_verify_no_identity);
  g_test_add_func ("/tls/connection/verify/no-database", test_verify_no_database);
  g_test_add_func ("/tls/connection/verify/validation-flags", test_verify_validation_flags);
  g_test_add_func ("/tls/connection/sni/trailing-dot", test_sni_trailing_dot);
  g_test_add_func ("/tls/connection/alpn/match", test_alpn);
  g_test_add_func ("/tls/connection/alpn/server-without", test_alpn_none);
  g_test_add_func ("/tls/connection/client-certificate/property", test_client_certificate);
  g_test_add_data_func ("/tls/connection/client-certificate/missing", NULL, test_client_certificate_missing);
  g_test_add_data_func ("/tls/connection/client-certificate/missing-tls12", "NORMAL:-VERS-TLS1.3", test_client_certificate_missing);
  g_test_add_func ("/tls/connection/client-certificate/interaction", test_client_certificate_interaction);
  g_test_add_func ("/tls/connection/io/sync", test_io_sync);
  g_test_add_func ("/tls/connection/io/async", test_io_async);
  g_test_add_func ("/tls/connection/io/duplex-threads", test_io_duplex_threads);
  g_test_add_func ("/tls/connection/io/read-line-async", test_read_line_async);
  g_test_add_data_func ("/tls/connection/close/unclean-required", GINT_TO_POINTER (TRUE), test_unclean_close);
  g_test_add_data_func ("/tls/connection/close/unclean-allowed", GINT_TO_POINTER (FALSE), test_unclean_close);
  g_test_add_func ("/tls/connection/cancel/handshake-sync", test_cancel_handshake_sync);
  g_test_add_func ("/tls/connection/cancel/handshake-async", test_cancel_handshake_async);
  g_test_add_data_func ("/tls/connection/timeout/handshake-sync", GINT_TO_POINTER (FALSE), test_timeout_handshake);
  g_test_add_data_func ("/tls/connection/timeout/handshake-async", GINT_TO_POINTER (TRUE), test_timeout_handshake);
  g_test_add_func ("/tls/connection/error/not-tls", test_not_tls);
  g_test_add_func ("/tls/connection/error/closed-peer", test_closed_peer);

  g_test_add_func ("/tls/connection/close/output-stream", test_close_output_stream);
  g_test_add_func ("/tls/connection/close/on-unref", test_close_on_unref);
  g_test_add_func ("/tls/connection/close/before-handshake", test_close_before_handshake);
  g_test_add_func ("/tls/connection/close/substream-outlives-connection", test_substream_outlives_connection);
  g_test_add_func ("/tls/connection/io/read-timeout-then-write", test_read_timeout_then_write);
  g_test_add_data_func ("/tls/connection/io/cancel-read-sync", GINT_TO_POINTER (FALSE), test_cancel_read);
  g_test_add_data_func ("/tls/connection/io/cancel-read-async", GINT_TO_POINTER (TRUE), test_cancel_read);
  g_test_add_func ("/tls/connection/io/pollable-pending-data", test_pollable_pending_data);
  g_test_add_func ("/tls/connection/io/blocking-op-during-handshake", test_blocking_op_during_handshake);
  g_test_add_data_func ("/tls/connection/session/resumption", NULL, test_session_resumption);
  g_test_add_data_func ("/tls/connection/session/resumption-tls12", "NORMAL:-VERS-TLS1.3", test_session_resumption);
  g_test_add_func ("/tls/connection/session/copy-session-state", test_copy_session_state);
  g_test_add_func ("/tls/connection/channel-binding", test_channel_binding);
  g_test_add_func ("/tls/connection/properties", test_properties);
  g_test_add_data_func ("/tls/connection/socket-client/sync", GINT_TO_POINTER (FALSE), test_socket_client);
  g_test_add_data_func ("/tls/connection/socket-client/async", GINT_TO_POINTER (TRUE), test_socket_client);
  g_test_add_func ("/tls/connection/verify/custom-database", test_verify_custom_database);
  g_test_add_func ("/tls/errors/mapping", test_error_mapping);
  g_test_add_func ("/tls/provider/guard", test_provider_guard);

  ret = g_test_run ();

  tls_test_certs_free (certs);
  return ret;
}
