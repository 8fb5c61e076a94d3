/* dial-test-tls-server.c: an in-process TLS server written on gnutls.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The server speaks gnutls directly rather than GIO's TLS, so that it can
 * test any client-side TLS implementation.  One thread accepts and serves
 * connections one at a time on blocking sockets.  Every wait goes through
 * poll () on the socket and a wake-up pipe, so that _free () can stop the
 * thread wherever it is.
 */

#ifndef _GNU_SOURCE
# define _GNU_SOURCE  /* accept4 () */
#endif

#include "dial-test-tls-server.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>

#include <dial/dial.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#define WAIT_BOUND_US (10 * G_USEC_PER_SEC)
#define TLS_EXT_SERVER_NAME 0
#define TLS_EXT_ALPN 16

static const char not_tls_reply[] =
  "HTTP/1.1 400 Bad Request\r\n"
  "Content-Length: 0\r\n"
  "Connection: close\r\n"
  "\r\n";

/* {{{ Certificates */

typedef struct
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t     crt;
} KeyPair;

typedef enum
{
  USAGE_CA,
  USAGE_SERVER,
  USAGE_CLIENT,
} Usage;

static void
check_gnutls (int         ret,
              const char *what)
{
  if (ret < 0)
    g_error ("dial-test-tls-server: %s: %s", what, gnutls_strerror (ret));
}

static void
key_pair_clear (KeyPair *pair)
{
  g_clear_pointer (&pair->crt, gnutls_x509_crt_deinit);
  g_clear_pointer (&pair->key, gnutls_x509_privkey_deinit);
}

static gnutls_x509_privkey_t
generate_key (void)
{
  gnutls_x509_privkey_t key;

  check_gnutls (gnutls_x509_privkey_init (&key), "privkey_init");
  check_gnutls (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                              GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                              0),
                "privkey_generate");
  return key;
}

static void
set_random_serial (gnutls_x509_crt_t crt)
{
  guint8 serial[12];

  check_gnutls (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), "rnd");
  serial[0] &= 0x7f;  /* positive */
  serial[0] |= 0x01;  /* no leading zero byte */
  check_gnutls (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "set_serial");
}

static void
add_loopback_names (gnutls_x509_crt_t crt)
{
  struct in_addr ipv4 = { htonl (INADDR_LOOPBACK) };
  struct in6_addr ipv6 = IN6ADDR_LOOPBACK_INIT;

  check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
                                                      "localhost", strlen ("localhost"),
                                                      GNUTLS_FSAN_APPEND),
                "san localhost");
  check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                                      &ipv4, sizeof ipv4,
                                                      GNUTLS_FSAN_APPEND),
                "san 127.0.0.1");
  check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                                      &ipv6, sizeof ipv6,
                                                      GNUTLS_FSAN_APPEND),
                "san ::1");
}

/* Makes a certificate for a new key.  @issuer NULL means self-signed.  For
 * a server certificate, @dns_name NULL means the loopback names. */
static void
make_certificate (KeyPair       *out,
                  const char    *common_name,
                  Usage          usage,
                  const char    *dns_name,
                  time_t         not_before,
                  time_t         not_after,
                  const KeyPair *issuer)
{
  g_autofree char *dn = g_strdup_printf ("O=libdial tests,CN=%s", common_name);
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  const char *error_position = NULL;
  gnutls_x509_crt_t crt;

  out->key = generate_key ();
  check_gnutls (gnutls_x509_crt_init (&crt), "crt_init");
  out->crt = crt;

  check_gnutls (gnutls_x509_crt_set_version (crt, 3), "set_version");
  set_random_serial (crt);
  check_gnutls (gnutls_x509_crt_set_activation_time (crt, not_before), "activation");
  check_gnutls (gnutls_x509_crt_set_expiration_time (crt, not_after), "expiration");
  check_gnutls (gnutls_x509_crt_set_dn (crt, dn, &error_position), "set_dn");
  check_gnutls (gnutls_x509_crt_set_key (crt, out->key), "set_key");

  check_gnutls (gnutls_x509_crt_get_key_id (crt, 0, key_id, &key_id_size), "get_key_id");
  check_gnutls (gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size), "set_ski");

  switch (usage)
    {
    case USAGE_CA:
      check_gnutls (gnutls_x509_crt_set_basic_constraints (crt, 1, -1), "constraints");
      check_gnutls (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_KEY_CERT_SIGN |
                                                        GNUTLS_KEY_CRL_SIGN),
                    "key_usage");
      break;

    case USAGE_SERVER:
      check_gnutls (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), "constraints");
      check_gnutls (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
                    "key_usage");
      check_gnutls (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
                    "key_purpose");
      if (dns_name != NULL)
        check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
                                                            dns_name, strlen (dns_name),
                                                            GNUTLS_FSAN_APPEND),
                      "san");
      else
        add_loopback_names (crt);
      break;

    case USAGE_CLIENT:
      check_gnutls (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), "constraints");
      check_gnutls (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
                    "key_usage");
      check_gnutls (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0),
                    "key_purpose");
      break;

    default:
      g_assert_not_reached ();
    }

  if (issuer != NULL)
    {
      key_id_size = sizeof key_id;
      check_gnutls (gnutls_x509_crt_get_subject_key_id (issuer->crt, key_id, &key_id_size, NULL),
                    "issuer ski");
      check_gnutls (gnutls_x509_crt_set_authority_key_id (crt, key_id, key_id_size), "set_aki");
      check_gnutls (gnutls_x509_crt_sign2 (crt, issuer->crt, issuer->key, GNUTLS_DIG_SHA256, 0),
                    "sign");
    }
  else
    {
      check_gnutls (gnutls_x509_crt_sign2 (crt, crt, out->key, GNUTLS_DIG_SHA256, 0),
                    "self-sign");
    }
}

static char *
export_certificate_pem (gnutls_x509_crt_t crt)
{
  gnutls_datum_t datum = { NULL, 0 };
  char *pem;

  check_gnutls (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &datum), "crt_export");
  pem = g_strndup ((const char *) datum.data, datum.size);
  gnutls_free (datum.data);
  return pem;
}

static char *
export_key_pem (gnutls_x509_privkey_t key)
{
  gnutls_datum_t datum = { NULL, 0 };
  char *pem;

  /* PKCS#8 ("BEGIN PRIVATE KEY"), which every GTlsBackend reads. */
  check_gnutls (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                   GNUTLS_PKCS_PLAIN, &datum),
                "key_export");
  pem = g_strndup ((const char *) datum.data, datum.size);
  gnutls_free (datum.data);
  return pem;
}

/* }}} */

/* {{{ Server state */

typedef struct
{
  DialTestTlsServer *server;
  int                fd;
  DialTestTlsRecord *record;
  gboolean           hello_seen;
} Connection;

struct _DialTestTlsServer
{
  DialTestTlsServerOptions  options;
  char                    **alpn_protocols;

  /* PKI */
  KeyPair                   ca;
  KeyPair                   leaf;
  KeyPair                   client;
  char                     *ca_pem;
  char                     *ca_file;
  char                     *leaf_pem;
  char                     *client_pem;
  gnutls_certificate_credentials_t credentials;

  /* Sockets */
  int                       listen_fds[2];
  guint                     n_listen_fds;
  int                       wake_fds[2];
  GInetSocketAddress       *address;
  char                     *host_and_port;

  GThread                  *thread;

  /* Shared with the thread */
  GMutex                    mutex;
  GCond                     cond;
  GPtrArray                *records;    /* DialTestTlsRecord, in accept order */
  guint                     n_ended;    /* records[0 .. n_ended) have ended */
};

static void
record_free (gpointer data)
{
  DialTestTlsRecord *record = data;

  g_free (record->sni);
  g_strfreev (record->offered_alpn);
  g_free (record->selected_alpn);
  g_clear_pointer (&record->client_certificate, g_bytes_unref);
  g_free (record->error);
  g_free (record);
}

const char *
dial_test_tls_end_to_string (DialTestTlsEnd end)
{
  switch (end)
    {
    case DIAL_TEST_TLS_END_CLOSE_NOTIFY: return "close-notify";
    case DIAL_TEST_TLS_END_EOF:          return "eof";
    case DIAL_TEST_TLS_END_ERROR:        return "error";
    case DIAL_TEST_TLS_END_STOPPED:      return "stopped";
    default:                             return "?";
    }
}

/* }}} */

/* {{{ Waiting and transport */

/* Waits until @fd is readable.  Returns 1 when it is, 0 after @timeout_ms
 * (-1: no limit), and -1 when the server is stopping or poll () failed. */
static int
wait_readable (DialTestTlsServer *self,
               int                fd,
               int                timeout_ms)
{
  struct pollfd fds[2] = {
    { .fd = fd, .events = POLLIN },
    { .fd = self->wake_fds[0], .events = POLLIN },
  };

  for (;;)
    {
      int n = poll (fds, G_N_ELEMENTS (fds), timeout_ms);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || (fds[1].revents & POLLIN) != 0)
        return -1;
      if (n == 0)
        return 0;
      return 1;
    }
}

static void
connection_client_hello (Connection *conn)
{
  DialTestTlsServer *self = conn->server;

  if (conn->hello_seen)
    return;
  conn->hello_seen = TRUE;
  if (self->options.on_client_hello != NULL)
    self->options.on_client_hello (self->options.user_data);
}

static ssize_t
transport_pull (gnutls_transport_ptr_t ptr,
                void                  *buffer,
                size_t                 size)
{
  Connection *conn = ptr;
  ssize_t n;

  if (wait_readable (conn->server, conn->fd, -1) <= 0)
    {
      errno = ECONNABORTED;
      return -1;
    }

  do
    n = recv (conn->fd, buffer, size, 0);
  while (n < 0 && errno == EINTR);

  return n;
}

static int
transport_pull_timeout (gnutls_transport_ptr_t ptr,
                        unsigned int           ms)
{
  Connection *conn = ptr;
  int ready = wait_readable (conn->server, conn->fd,
                             ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int) ms);

  if (ready < 0)
    {
      errno = ECONNABORTED;
      return -1;
    }
  return ready;
}

static ssize_t
transport_push (gnutls_transport_ptr_t ptr,
                const void            *buffer,
                size_t                 size)
{
  Connection *conn = ptr;
  ssize_t n;

  do
    n = send (conn->fd, buffer, size, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);

  return n;
}

static gboolean
send_all (int         fd,
          const void *data,
          gsize       size)
{
  const guint8 *p = data;

  while (size > 0)
    {
      ssize_t n = send (fd, p, size, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      size -= n;
    }

  return TRUE;
}

/* Reads and drops bytes until the client closes, then records how. */
static void
drain_until_closed (Connection *conn)
{
  guint8 buffer[4096];

  for (;;)
    {
      ssize_t n;

      if (wait_readable (conn->server, conn->fd, -1) <= 0)
        {
          conn->record->end = DIAL_TEST_TLS_END_STOPPED;
          return;
        }

      connection_client_hello (conn);

      n = recv (conn->fd, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n == 0)
        {
          conn->record->end = DIAL_TEST_TLS_END_EOF;
          return;
        }
      if (n < 0)
        {
          conn->record->end = DIAL_TEST_TLS_END_ERROR;
          conn->record->error = g_strdup (g_strerror (errno));
          return;
        }
    }
}

/* }}} */

/* {{{ The TLS modes */

static int
alpn_extension_cb (void                *ctx,
                   unsigned             tls_id,
                   const unsigned char *data,
                   unsigned             size)
{
  DialTestTlsRecord *record = ctx;
  g_autoptr(GStrvBuilder) builder = NULL;
  unsigned list_size, pos;

  if (tls_id != TLS_EXT_ALPN || size < 2)
    return 0;

  list_size = (data[0] << 8) | data[1];
  if (list_size != size - 2)
    return 0;

  builder = g_strv_builder_new ();
  for (pos = 2; pos < size; )
    {
      unsigned len = data[pos];
      g_autofree char *name = NULL;

      if (len == 0 || pos + 1 + len > size)
        return 0;
      name = g_strndup ((const char *) data + pos + 1, len);
      g_strv_builder_add (builder, name);
      pos += 1 + len;
    }

  g_strfreev (record->offered_alpn);
  record->offered_alpn = g_strv_builder_end (builder);
  return 0;
}

static int
client_hello_hook (gnutls_session_t      session,
                   unsigned int          htype,
                   unsigned int          when,
                   unsigned int          incoming,
                   const gnutls_datum_t *msg)
{
  Connection *conn = gnutls_session_get_ptr (session);
  char name[256];
  size_t name_size = sizeof name;
  unsigned int type = 0;

  if (htype != GNUTLS_HANDSHAKE_CLIENT_HELLO || !incoming)
    return 0;

  if (when == GNUTLS_HOOK_PRE)
    {
      gnutls_ext_raw_parse (conn->record, alpn_extension_cb, msg,
                            GNUTLS_EXT_RAW_FLAG_TLS_CLIENT_HELLO);
      connection_client_hello (conn);
      return 0;
    }

  /* GNUTLS_HOOK_POST: the ClientHello's extensions have been processed. */
  if (conn->record->sni == NULL &&
      gnutls_server_name_get (session, name, &name_size, &type, 0) == GNUTLS_E_SUCCESS &&
      type == GNUTLS_NAME_DNS)
    conn->record->sni = g_strndup (name, name_size);

  return 0;
}

static void
record_session_details (Connection       *conn,
                        gnutls_session_t  session)
{
  gnutls_datum_t protocol = { NULL, 0 };
  const gnutls_datum_t *peers;
  unsigned int n_peers = 0;

  if (gnutls_alpn_get_selected_protocol (session, &protocol) == GNUTLS_E_SUCCESS)
    conn->record->selected_alpn = g_strndup ((const char *) protocol.data, protocol.size);

  peers = gnutls_certificate_get_peers (session, &n_peers);
  if (peers != NULL && n_peers > 0)
    conn->record->client_certificate = g_bytes_new (peers[0].data, peers[0].size);
}

static void
record_tls_error (Connection *conn,
                  int         ret)
{
  if (ret == GNUTLS_E_PULL_ERROR && wait_readable (conn->server, conn->fd, 0) < 0)
    {
      conn->record->end = DIAL_TEST_TLS_END_STOPPED;
      return;
    }

  conn->record->end = DIAL_TEST_TLS_END_ERROR;
  conn->record->error = g_strdup (gnutls_strerror (ret));
}

/* Receives one record's worth of plaintext.  Returns its length, or 0
 * when the connection ended (recorded in @conn). */
static gsize
receive_record (Connection       *conn,
                gnutls_session_t  session,
                guint8           *buffer,
                gsize             size)
{
  for (;;)
    {
      ssize_t n = gnutls_record_recv (session, buffer, size);

      if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN)
        continue;

      if (n == 0)
        conn->record->end = DIAL_TEST_TLS_END_CLOSE_NOTIFY;
      else if (n == GNUTLS_E_PREMATURE_TERMINATION)
        conn->record->end = DIAL_TEST_TLS_END_EOF;
      else if (n < 0)
        record_tls_error (conn, n);
      else
        return n;

      return 0;
    }
}

/* Returns FALSE when sending failed (recorded in @conn). */
static gboolean
send_records (Connection       *conn,
              gnutls_session_t  session,
              const guint8     *data,
              gsize             len)
{
  for (gsize sent = 0; sent < len; )
    {
      ssize_t ret = gnutls_record_send (session, data + sent, len - sent);

      if (ret == GNUTLS_E_INTERRUPTED || ret == GNUTLS_E_AGAIN)
        continue;
      if (ret < 0)
        {
          record_tls_error (conn, ret);
          return FALSE;
        }
      sent += ret;
    }

  return TRUE;
}

static void
echo_records (Connection       *conn,
              gnutls_session_t  session)
{
  guint8 buffer[16384];
  gsize n;

  while ((n = receive_record (conn, session, buffer, sizeof buffer)) > 0)
    {
      if (!send_records (conn, session, buffer, n))
        return;
      conn->record->bytes_echoed += n;
    }
}

static int
connect_loopback (guint16 port)
{
  struct sockaddr_in sin = {
    .sin_family = AF_INET,
    .sin_port = htons (port),
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
  };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd >= 0 && connect (fd, (struct sockaddr *) &sin, sizeof sin) < 0)
    {
      int saved = errno;

      close (fd);
      errno = saved;
      return -1;
    }

  return fd;
}

/* FORWARD: plaintext both ways between the client and the server behind,
 * until either side goes.  When the server behind goes first, the client
 * gets a close_notify, and the record says how it went in turn. */
static void
forward_records (Connection       *conn,
                 gnutls_session_t  session)
{
  DialTestTlsServer *self = conn->server;
  int upstream = connect_loopback (self->options.forward_port);
  guint8 buffer[16384];

  if (upstream < 0)
    {
      conn->record->end = DIAL_TEST_TLS_END_ERROR;
      conn->record->error = g_strdup_printf ("forward to port %u: %s",
                                             self->options.forward_port, g_strerror (errno));
      return;
    }

  for (;;)
    {
      struct pollfd fds[3] = {
        { .fd = conn->fd, .events = POLLIN },
        { .fd = upstream, .events = POLLIN },
        { .fd = self->wake_fds[0], .events = POLLIN },
      };
      gsize n;

      /* gnutls may hold plaintext already: poll () would not see it. */
      if (gnutls_record_check_pending (session) > 0)
        fds[0].revents = POLLIN;
      else if (poll (fds, G_N_ELEMENTS (fds), -1) < 0)
        {
          if (errno == EINTR)
            continue;
          conn->record->end = DIAL_TEST_TLS_END_ERROR;
          conn->record->error = g_strdup (g_strerror (errno));
          break;
        }

      if (fds[2].revents != 0)
        {
          conn->record->end = DIAL_TEST_TLS_END_STOPPED;
          break;
        }

      if (fds[0].revents != 0)
        {
          n = receive_record (conn, session, buffer, sizeof buffer);
          if (n == 0)
            break;
          if (!send_all (upstream, buffer, n))
            {
              conn->record->end = DIAL_TEST_TLS_END_ERROR;
              conn->record->error = g_strdup ("the server behind went away");
              break;
            }
          conn->record->bytes_echoed += n;
        }

      if (fds[1].revents != 0)
        {
          ssize_t got;

          do
            got = recv (upstream, buffer, sizeof buffer, 0);
          while (got < 0 && errno == EINTR);

          if (got <= 0)
            {
              gnutls_bye (session, GNUTLS_SHUT_WR);
              while (receive_record (conn, session, buffer, sizeof buffer) > 0)
                ;
              break;
            }

          if (!send_records (conn, session, buffer, got))
            break;
        }
    }

  close (upstream);
}

static void
serve_tls (Connection *conn)
{
  DialTestTlsServer *self = conn->server;
  gnutls_session_t session;
  int ret;

  check_gnutls (gnutls_init (&session, GNUTLS_SERVER), "init");
  gnutls_session_set_ptr (session, conn);
  check_gnutls (gnutls_set_default_priority (session), "priority");
  check_gnutls (gnutls_credentials_set (session, GNUTLS_CRD_CERTIFICATE, self->credentials),
                "credentials");
  gnutls_certificate_server_set_request (session, self->options.require_client_cert
                                                    ? GNUTLS_CERT_REQUIRE
                                                    : GNUTLS_CERT_IGNORE);

  if (self->alpn_protocols != NULL)
    {
      guint n = g_strv_length (self->alpn_protocols);
      g_autofree gnutls_datum_t *protocols = g_new0 (gnutls_datum_t, n);

      for (guint i = 0; i < n; i++)
        {
          protocols[i].data = (unsigned char *) self->alpn_protocols[i];
          protocols[i].size = strlen (self->alpn_protocols[i]);
        }
      check_gnutls (gnutls_alpn_set_protocols (session, protocols, n,
                                               GNUTLS_ALPN_SERVER_PRECEDENCE),
                    "alpn");
    }

  gnutls_handshake_set_hook_function (session, GNUTLS_HANDSHAKE_CLIENT_HELLO,
                                      GNUTLS_HOOK_BOTH, client_hello_hook);
  gnutls_transport_set_ptr (session, conn);
  gnutls_transport_set_pull_function (session, transport_pull);
  gnutls_transport_set_pull_timeout_function (session, transport_pull_timeout);
  gnutls_transport_set_push_function (session, transport_push);
  gnutls_handshake_set_timeout (session, 0);

  do
    ret = gnutls_handshake (session);
  while (ret < 0 && !gnutls_error_is_fatal (ret));

  if (ret < 0)
    {
      record_tls_error (conn, ret);
    }
  else
    {
      conn->record->handshake_done = TRUE;
      record_session_details (conn, session);
      if (self->options.mode == DIAL_TEST_TLS_MODE_FORWARD)
        forward_records (conn, session);
      else
        echo_records (conn, session);
    }

  gnutls_deinit (session);
}

/* }}} */

/* {{{ The server thread */

static void
serve_connection (Connection *conn)
{
  DialTestTlsServer *self = conn->server;

  switch (self->options.mode)
    {
    case DIAL_TEST_TLS_MODE_ECHO:
    case DIAL_TEST_TLS_MODE_FORWARD:
      serve_tls (conn);
      break;

    case DIAL_TEST_TLS_MODE_NOT_TLS:
      /* Wait for the ClientHello, answer it in plain text, then stay
       * connected so that the client's error is about the bytes, not EOF. */
      if (wait_readable (self, conn->fd, -1) <= 0)
        {
          conn->record->end = DIAL_TEST_TLS_END_STOPPED;
          break;
        }
      connection_client_hello (conn);
      send_all (conn->fd, not_tls_reply, strlen (not_tls_reply));
      drain_until_closed (conn);
      break;

    case DIAL_TEST_TLS_MODE_CLOSE:
      /* EOF at once.  shutdown () rather than close (), so that a
       * ClientHello already queued here cannot turn the FIN into a RST. */
      shutdown (conn->fd, SHUT_WR);
      drain_until_closed (conn);
      break;

    case DIAL_TEST_TLS_MODE_SILENT:
      drain_until_closed (conn);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Returns an accepted descriptor, or -1 when the server is stopping. */
static int
accept_next (DialTestTlsServer *self)
{
  for (;;)
    {
      struct pollfd fds[3];
      guint n_fds = 0;

      fds[n_fds++] = (struct pollfd) { .fd = self->wake_fds[0], .events = POLLIN };
      for (guint i = 0; i < self->n_listen_fds; i++)
        fds[n_fds++] = (struct pollfd) { .fd = self->listen_fds[i], .events = POLLIN };

      if (poll (fds, n_fds, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }

      if (fds[0].revents != 0)
        return -1;

      for (guint i = 1; i < n_fds; i++)
        {
          int fd;

          if ((fds[i].revents & POLLIN) == 0)
            continue;
          fd = accept4 (fds[i].fd, NULL, NULL, SOCK_CLOEXEC);
          if (fd >= 0)
            return fd;
        }
    }
}

static gpointer
server_thread (gpointer data)
{
  DialTestTlsServer *self = data;
  int fd;

  while ((fd = accept_next (self)) >= 0)
    {
      Connection conn = { .server = self, .fd = fd };

      conn.record = g_new0 (DialTestTlsRecord, 1);
      g_mutex_lock (&self->mutex);
      g_ptr_array_add (self->records, conn.record);
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);

      serve_connection (&conn);
      close (fd);

      g_mutex_lock (&self->mutex);
      self->n_ended++;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
    }

  return NULL;
}

/* }}} */

/* {{{ Setup */

static void
make_pki (DialTestTlsServer *self)
{
  time_t now = time (NULL);
  time_t hour = 60 * 60;
  time_t day = 24 * hour;
  g_autofree char *client_cert_pem = NULL;
  g_autofree char *client_key_pem = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  make_certificate (&self->ca, "libdial test CA", USAGE_CA, NULL,
                    now - hour, now + 30 * day, NULL);

  switch (self->options.cert)
    {
    case DIAL_TEST_TLS_CERT_GOOD:
      make_certificate (&self->leaf, "localhost", USAGE_SERVER, NULL,
                        now - hour, now + 30 * day, &self->ca);
      break;
    case DIAL_TEST_TLS_CERT_WRONG_HOST:
      make_certificate (&self->leaf, "wrong.example", USAGE_SERVER, "wrong.example",
                        now - hour, now + 30 * day, &self->ca);
      break;
    case DIAL_TEST_TLS_CERT_EXPIRED:
      make_certificate (&self->leaf, "localhost", USAGE_SERVER, NULL,
                        now - 30 * day, now - day, &self->ca);
      break;
    case DIAL_TEST_TLS_CERT_SELF_SIGNED:
      make_certificate (&self->leaf, "localhost", USAGE_SERVER, NULL,
                        now - hour, now + 30 * day, NULL);
      break;
    default:
      g_assert_not_reached ();
    }

  make_certificate (&self->client, "libdial test client", USAGE_CLIENT, NULL,
                    now - hour, now + 30 * day, &self->ca);

  self->ca_pem = export_certificate_pem (self->ca.crt);
  self->leaf_pem = export_certificate_pem (self->leaf.crt);
  client_cert_pem = export_certificate_pem (self->client.crt);
  client_key_pem = export_key_pem (self->client.key);
  self->client_pem = g_strconcat (client_cert_pem, client_key_pem, NULL);

  fd = g_file_open_tmp ("dial-test-ca-XXXXXX.pem", &self->ca_file, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (self->ca_file, self->ca_pem, -1, &error);
  g_assert_no_error (error);

  check_gnutls (gnutls_certificate_allocate_credentials (&self->credentials), "credentials");
  check_gnutls (gnutls_certificate_set_x509_key (self->credentials, &self->leaf.crt, 1,
                                                 self->leaf.key),
                "set_x509_key");
  /* The CA names the acceptable issuers in a CertificateRequest. */
  check_gnutls (gnutls_certificate_set_x509_trust (self->credentials, &self->ca.crt, 1),
                "set_x509_trust");
}

static GSocketAddress *
loopback_address (GSocketFamily family,
                  guint16       port)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_loopback (family);

  return g_inet_socket_address_new (address, port);
}

/* Binds and listens on the loopback address of @family.  Returns the
 * descriptor, or -1 with @error set. */
static int
listen_on (GSocketFamily   family,
           guint16         port,
           guint16        *bound_port,
           GError        **error)
{
  g_autoptr(GSocketAddress) address = loopback_address (family, port);
  struct sockaddr_storage storage;
  socklen_t length = sizeof storage;
  int fd;
  int saved_errno;

  if (!g_socket_address_to_native (address, &storage, sizeof storage, error))
    return -1;

  fd = socket (storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto failed;

  if (family == G_SOCKET_FAMILY_IPV6)
    {
      int on = 1;

      setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    }

  if (bind (fd, (struct sockaddr *) &storage, g_socket_address_get_native_size (address)) < 0 ||
      listen (fd, 16) < 0 ||
      getsockname (fd, (struct sockaddr *) &storage, &length) < 0)
    goto failed;

  if (storage.ss_family == AF_INET)
    *bound_port = ntohs (((struct sockaddr_in *) &storage)->sin_port);
  else
    *bound_port = ntohs (((struct sockaddr_in6 *) &storage)->sin6_port);

  return fd;

failed:
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "Cannot listen on %s: %s",
               family == G_SOCKET_FAMILY_IPV6 ? "::1" : "127.0.0.1",
               g_strerror (saved_errno));
  return -1;
}

static gboolean
setup_listeners (DialTestTlsServer  *self,
                 GError            **error)
{
  GSocketFamily family = self->options.family;
  GSocketFamily other = family == G_SOCKET_FAMILY_IPV6 ? G_SOCKET_FAMILY_IPV4
                                                        : G_SOCKET_FAMILY_IPV6;
  guint16 port = 0;

  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      guint16 other_port = 0;

      self->listen_fds[0] = listen_on (family, 0, &port, error);
      if (self->listen_fds[0] < 0)
        return FALSE;
      self->n_listen_fds = 1;

      if (!self->options.dual_stack)
        break;

      self->listen_fds[1] = listen_on (other, port, &other_port, &local_error);
      if (self->listen_fds[1] >= 0)
        {
          self->n_listen_fds = 2;
          break;
        }

      close (self->listen_fds[0]);
      self->n_listen_fds = 0;
      /* Someone holds that port on the other family: try another one. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE) || attempt >= 20)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  self->address = G_INET_SOCKET_ADDRESS (loopback_address (family, port));
  if (family == G_SOCKET_FAMILY_IPV6)
    self->host_and_port = g_strdup_printf ("[::1]:%u", port);
  else
    self->host_and_port = g_strdup_printf ("127.0.0.1:%u", port);

  return TRUE;
}

DialTestTlsServer *
dial_test_tls_server_new (const DialTestTlsServerOptions  *options,
                          GError                         **error)
{
  g_autoptr(DialTestTlsServer) self = g_new0 (DialTestTlsServer, 1);

  g_return_val_if_fail (options != NULL, NULL);

  self->options = *options;
  if (self->options.family != G_SOCKET_FAMILY_IPV6)
    self->options.family = G_SOCKET_FAMILY_IPV4;
  self->alpn_protocols = g_strdupv ((char **) options->alpn_protocols);
  self->options.alpn_protocols = NULL;
  self->wake_fds[0] = self->wake_fds[1] = -1;
  self->listen_fds[0] = self->listen_fds[1] = -1;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->records = g_ptr_array_new_with_free_func (record_free);

  make_pki (self);

  if (!g_unix_open_pipe (self->wake_fds, FD_CLOEXEC, error))
    return NULL;

  if (!setup_listeners (self, error))
    return NULL;

  self->thread = g_thread_new ("dial-test-tls-server", server_thread, self);

  return g_steal_pointer (&self);
}

void
dial_test_tls_server_free (DialTestTlsServer *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL)
    {
      static const char stop = 'x';
      ssize_t n;

      do
        n = write (self->wake_fds[1], &stop, 1);
      while (n < 0 && errno == EINTR);
      g_thread_join (g_steal_pointer (&self->thread));
    }

  for (guint i = 0; i < G_N_ELEMENTS (self->listen_fds); i++)
    if (self->listen_fds[i] >= 0)
      close (self->listen_fds[i]);
  for (guint i = 0; i < G_N_ELEMENTS (self->wake_fds); i++)
    if (self->wake_fds[i] >= 0)
      close (self->wake_fds[i]);

  if (self->ca_file != NULL)
    g_unlink (self->ca_file);

  g_clear_pointer (&self->credentials, gnutls_certificate_free_credentials);
  key_pair_clear (&self->ca);
  key_pair_clear (&self->leaf);
  key_pair_clear (&self->client);
  g_free (self->ca_pem);
  g_free (self->ca_file);
  g_free (self->leaf_pem);
  g_free (self->client_pem);
  g_strfreev (self->alpn_protocols);
  g_clear_object (&self->address);
  g_free (self->host_and_port);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

/* }}} */

/* {{{ Accessors */

GInetSocketAddress *
dial_test_tls_server_get_address (DialTestTlsServer *self)
{
  return self->address;
}

guint16
dial_test_tls_server_get_port (DialTestTlsServer *self)
{
  return g_inet_socket_address_get_port (self->address);
}

const char *
dial_test_tls_server_get_host_and_port (DialTestTlsServer *self)
{
  return self->host_and_port;
}

const char *
dial_test_tls_server_get_ca_pem (DialTestTlsServer *self)
{
  return self->ca_pem;
}

const char *
dial_test_tls_server_get_ca_file (DialTestTlsServer *self)
{
  return self->ca_file;
}

const char *
dial_test_tls_server_get_certificate_pem (DialTestTlsServer *self)
{
  return self->leaf_pem;
}

const char *
dial_test_tls_server_get_client_pem (DialTestTlsServer *self)
{
  return self->client_pem;
}

GTlsDatabase *
dial_test_tls_server_new_ca_database (DialTestTlsServer *self)
{
  g_autoptr(GError) error = NULL;
  GTlsDatabase *database = dial_tls_file_database_new (self->ca_file, &error);

  g_assert_no_error (error);
  return database;
}

GTlsCertificate *
dial_test_tls_server_new_certificate (DialTestTlsServer *self)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate = dial_tls_certificate_new_from_pem (self->leaf_pem, -1, &error);

  g_assert_no_error (error);
  return certificate;
}

GTlsCertificate *
dial_test_tls_server_new_client_certificate (DialTestTlsServer *self)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate = dial_tls_certificate_new_from_pem (self->client_pem, -1, &error);

  g_assert_no_error (error);
  return certificate;
}

guint
dial_test_tls_server_get_accepted (DialTestTlsServer *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->records->len;
  g_mutex_unlock (&self->mutex);

  return n;
}

const DialTestTlsRecord *
dial_test_tls_server_wait_record (DialTestTlsServer *self,
                                  guint              index)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_BOUND_US;
  const DialTestTlsRecord *record = NULL;

  g_mutex_lock (&self->mutex);
  while (self->n_ended <= index)
    {
      if (!g_cond_wait_until (&self->cond, &self->mutex, deadline))
        break;
    }
  if (self->n_ended > index)
    record = g_ptr_array_index (self->records, index);
  g_mutex_unlock (&self->mutex);

  return record;
}

/* }}} */
