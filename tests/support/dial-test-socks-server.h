/* dial-test-socks-server.h: an in-process SOCKS4, SOCKS4a and SOCKS5
 * server on 127.0.0.1, scriptable per test.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The server listens on 127.0.0.1, port 0, and serves each connection on
 * a thread of its own with blocking sockets, so sync tests can block the
 * main thread on it.  The first byte picks the protocol: 4 (SOCKS4 and
 * SOCKS4a, the latter when the address is 0.0.0.x) or 5.
 *
 * SOCKS5: with no expected credentials it picks NONE when offered; with
 * credentials (set_credentials) it demands USERNAME/PASSWORD (RFC 1929),
 * answers 0xFF when the client does not offer it, and status 1 (then
 * closes) when the pair does not match.
 *
 * What it does once a request has arrived depends on the behaviour, read
 * when each connection is accepted.  Relaying connects out with a plain
 * GSocket to the requested destination (every host name stands for
 * 127.0.0.1: no DNS), and answers "refused" (SOCKS5 reply 5, SOCKS4 91)
 * when that fails. */
typedef enum
{
  /* Grant the request (bound address 0.0.0.0:0) and relay. */
  DIAL_TEST_SOCKS_RELAY,
  /* Grant with a domain-name bound address (type 3), then relay. */
  DIAL_TEST_SOCKS_RELAY_DOMAIN_BOUND,
  /* Grant, with DIAL_TEST_SOCKS_BANNER in the same write as the reply
   * (tunnel data in the reply's segment), then relay. */
  DIAL_TEST_SOCKS_RELAY_WITH_BANNER,
  /* Relay, writing every reply (method, auth, grant) one byte at a time
   * with TCP_NODELAY and a pause between bytes (set_trickle_pause_ms). */
  DIAL_TEST_SOCKS_RELAY_TRICKLE,
  /* Answer the request with the reply code of set_reply_code (SOCKS5:
   * 1-255, default 5; SOCKS4: default 91), a complete reply, then close. */
  DIAL_TEST_SOCKS_REPLY,
  /* SOCKS5: a success reply with address type 9, then close. */
  DIAL_TEST_SOCKS_UNKNOWN_ADDRESS_TYPE,
  /* Answer the greeting (SOCKS5) or the request (SOCKS4) with an HTTP
   * error page: not SOCKS at all.  Then close. */
  DIAL_TEST_SOCKS_GARBAGE,
  /* SOCKS5: read the greeting, close without a byte. */
  DIAL_TEST_SOCKS_CLOSE_AFTER_GREETING,
  /* SOCKS5: one byte of the method reply, then close. */
  DIAL_TEST_SOCKS_SHORT_METHOD_REPLY,
  /* SOCKS5: a normal negotiation, two bytes of the reply, then close. */
  DIAL_TEST_SOCKS_SHORT_CONNECT_REPLY,
  /* Read whatever comes and never answer, until the peer closes or the
   * server is freed. */
  DIAL_TEST_SOCKS_SILENT,
} DialTestSocksBehaviour;

/* What RELAY_WITH_BANNER sends right after the grant, before relaying. */
#define DIAL_TEST_SOCKS_BANNER "hello from the far end\n"

/* What one connection sent, for assertions on the bytes on the wire.
 * Fields are filled in as they arrive, each before the server answers. */
typedef struct
{
  guint    version;        /* 4 or 5; 0 if no byte arrived */
  gsize    n_bytes;        /* bytes received before relaying or closing */
  guint8   methods[255];   /* SOCKS5 greeting */
  guint    n_methods;
  char    *username;       /* SOCKS5 RFC 1929, or NULL */
  char    *password;
  guint    command;        /* 1 = CONNECT */
  guint    address_type;   /* SOCKS5: 1, 3 or 4; SOCKS4: 1, SOCKS4a: 3 */
  char    *host;           /* IP string or host name, or NULL */
  guint16  port;
  char    *user_id;        /* SOCKS4 and SOCKS4a, or NULL */
} DialTestSocksRecord;

typedef struct _DialTestSocksServer DialTestSocksServer;

DialTestSocksServer *dial_test_socks_server_new              (void);
/* Cancels every connection, joins every thread and closes every socket. */
void                 dial_test_socks_server_free             (DialTestSocksServer    *self);

void                 dial_test_socks_server_set_behaviour    (DialTestSocksServer    *self,
                                                              DialTestSocksBehaviour  behaviour);
void                 dial_test_socks_server_set_reply_code   (DialTestSocksServer    *self,
                                                              guint8                  code);
/* Expected SOCKS5 credentials; NULL @username for none. */
void                 dial_test_socks_server_set_credentials  (DialTestSocksServer    *self,
                                                              const char             *username,
                                                              const char             *password);
/* Forces the SOCKS5 method the server picks, whatever the client
 * offered (1 = GSSAPI, 2 = USERNAME/PASSWORD, …); -1 (the default) picks
 * by the rules above.  With 2 it then runs RFC 1929 and accepts any
 * credentials unless set_credentials set some. */
void                 dial_test_socks_server_set_method       (DialTestSocksServer    *self,
                                                              gint                    method);
/* The pause between the bytes of RELAY_TRICKLE, in milliseconds (default
 * 2).  Freeing the server cuts a pause short. */
void                 dial_test_socks_server_set_trickle_pause_ms (DialTestSocksServer *self,
                                                                  guint                pause_ms);
/* Cancels @cancellable from the server thread as soon as a SOCKS5
 * greeting (or a SOCKS4 request) has arrived, before answering: a cancel
 * that lands while the client is negotiating, in either driver. */
void                 dial_test_socks_server_cancel_on_greeting (DialTestSocksServer  *self,
                                                                GCancellable         *cancellable);

guint16              dial_test_socks_server_get_port         (DialTestSocksServer    *self);
/* "@scheme://[@userinfo@]127.0.0.1:PORT" (transfer full). */
char                *dial_test_socks_server_get_uri          (DialTestSocksServer    *self,
                                                              const char             *scheme,
                                                              const char             *userinfo);
guint                dial_test_socks_server_get_accepted     (DialTestSocksServer    *self);
/* Blocks until @n connections are over and closed (10 s bound against
 * hangs); returns whether @n was reached. */
gboolean             dial_test_socks_server_wait_finished    (DialTestSocksServer    *self,
                                                              guint                   n);
/* A copy of what the @index-th connection sent so far, or NULL. */
DialTestSocksRecord *dial_test_socks_server_get_record       (DialTestSocksServer    *self,
                                                              guint                   index);
void                 dial_test_socks_record_free             (DialTestSocksRecord    *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialTestSocksServer, dial_test_socks_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialTestSocksRecord, dial_test_socks_record_free)

G_END_DECLS
