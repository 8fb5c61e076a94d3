/* dial-test-http-proxy.h: an in-process HTTP CONNECT proxy on 127.0.0.1,
 * scriptable per test.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The proxy listens on 127.0.0.1, port 0, and serves each connection on a
 * thread of its own with blocking sockets, so sync tests can block the
 * main thread on it.  It reads the request up to the blank line (records
 * the request line and the headers), then does what the behaviour says.
 * Relaying connects out with a plain GSocket to the host:port of the
 * request line (every host name stands for 127.0.0.1: no DNS) and answers
 * 502 when that fails. */
typedef enum
{
  /* "HTTP/1.1 200 Connection established", blank line, then relay. */
  DIAL_TEST_HTTP_PROXY_RELAY,
  /* A complete response with the status of set_status (default 403),
   * then close. */
  DIAL_TEST_HTTP_PROXY_STATUS,
  /* Something that is not HTTP, then close. */
  DIAL_TEST_HTTP_PROXY_GARBAGE,
  /* "HTTP/1.1 200 OK\r\n" and no blank line, then close. */
  DIAL_TEST_HTTP_PROXY_STATUS_LINE_ONLY,
  /* Close without sending a byte. */
  DIAL_TEST_HTTP_PROXY_CLOSE,
  /* Never answer; read until the peer closes or the proxy is freed. */
  DIAL_TEST_HTTP_PROXY_SILENT,
  /* The bytes of set_reply, exactly (a head followed by tunnel bytes, a
   * huge head, bare LF line ends, garbage), then relay as RELAY does;
   * 502 instead when the target cannot be reached. */
  DIAL_TEST_HTTP_PROXY_REPLY,
} DialTestHttpProxyBehaviour;

typedef struct
{
  char   *request_line;   /* without CRLF, or NULL */
  char  **headers;        /* "Name: value" lines in order, without CRLF */
  gsize   n_bytes;        /* bytes of the request received */
} DialTestHttpProxyRecord;

typedef struct _DialTestHttpProxy DialTestHttpProxy;

DialTestHttpProxy       *dial_test_http_proxy_new             (void);
/* Cancels every connection, joins every thread and closes every socket. */
void                     dial_test_http_proxy_free            (DialTestHttpProxy          *self);

void                     dial_test_http_proxy_set_behaviour   (DialTestHttpProxy          *self,
                                                               DialTestHttpProxyBehaviour  behaviour);
void                     dial_test_http_proxy_set_status      (DialTestHttpProxy          *self,
                                                               guint                       status);
/* The reply of DIAL_TEST_HTTP_PROXY_REPLY: @len bytes at @reply (-1:
 * up to the NUL).  Written in one write when @piece is 0, else @piece
 * bytes at a time with a pause of a few milliseconds after each, so that
 * the client sees the head arrive in parts. */
void                     dial_test_http_proxy_set_reply       (DialTestHttpProxy          *self,
                                                               const char                 *reply,
                                                               gssize                      len,
                                                               gsize                       piece);

/* Cancels @cancellable (from the proxy's thread) as soon as a request
 * has arrived, before the proxy answers: the client is then waiting for
 * the reply.  NULL stops it. */
void                     dial_test_http_proxy_cancel_on_request (DialTestHttpProxy        *self,
                                                                 GCancellable             *cancellable);

guint16                  dial_test_http_proxy_get_port        (DialTestHttpProxy          *self);
/* "http://[@userinfo@]127.0.0.1:PORT" (transfer full). */
char                    *dial_test_http_proxy_get_uri         (DialTestHttpProxy          *self,
                                                               const char                 *userinfo);
guint                    dial_test_http_proxy_get_accepted    (DialTestHttpProxy          *self);
/* Blocks until @n connections are over and closed (10 s bound against
 * hangs); returns whether @n was reached. */
gboolean                 dial_test_http_proxy_wait_finished   (DialTestHttpProxy          *self,
                                                               guint                       n);
/* A copy of what the @index-th connection sent so far (request_line and
 * headers are set once the blank line has arrived), or NULL. */
DialTestHttpProxyRecord *dial_test_http_proxy_get_record      (DialTestHttpProxy          *self,
                                                               guint                       index);
/* The value of header @name (case-insensitive), or NULL (transfer none). */
const char              *dial_test_http_proxy_record_get_header (DialTestHttpProxyRecord  *record,
                                                                 const char               *name);
void                     dial_test_http_proxy_record_free     (DialTestHttpProxyRecord    *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialTestHttpProxy, dial_test_http_proxy_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialTestHttpProxyRecord, dial_test_http_proxy_record_free)

G_END_DECLS
