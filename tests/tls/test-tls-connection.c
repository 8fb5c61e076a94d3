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

#include "dial-tls-client-connection.h"
#include "dial-tls-certificate-private.h"
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

  g_assert_cmpuint (f->accept_calls, ==, 0);
  g_assert_nonnull (peer);
  if (builtin ())
    g_assert_true (DIAL_IS_TLS_CERTIFICATE (peer));
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (f->tls)), ==, 0);
  g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (f->tls)), ==, version);
  g_assert_nonnull (g_tls_connection_get_ciphersuite_name (G_TLS_CONNECTION (f->tls)));
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
/* Main                                                                */

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

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
  g_test_add_func ("/tls/connection/io/read-line-async", test_read_line_async);
  g_test_add_data_func ("/tls/connection/close/unclean-required", GINT_TO_POINTER (TRUE), test_unclean_close);
  g_test_add_data_func ("/tls/connection/close/unclean-allowed", GINT_TO_POINTER (FALSE), test_unclean_close);
  g_test_add_func ("/tls/connection/cancel/handshake-sync", test_cancel_handshake_sync);
  g_test_add_func ("/tls/connection/cancel/handshake-async", test_cancel_handshake_async);
  g_test_add_data_func ("/tls/connection/timeout/handshake-sync", GINT_TO_POINTER (FALSE), test_timeout_handshake);
  g_test_add_data_func ("/tls/connection/timeout/handshake-async", GINT_TO_POINTER (TRUE), test_timeout_handshake);
  g_test_add_func ("/tls/connection/error/not-tls", test_not_tls);
  g_test_add_func ("/tls/connection/error/closed-peer", test_closed_peer);

  ret = g_test_run ();

  tls_test_certs_free (certs);
  return ret;
}
