/* dial-http-connect-codec.h: HTTP CONNECT requests and replies, built and
 * parsed without any I/O
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest reply head (status line, headers and the empty line that
 * ends them) a proxy may send.  A driver's buffer of this size is enough:
 * a head that does not end within it is an error. */
#define DIAL_HTTP_CONNECT_HEAD_MAX (16 * 1024)

/* Whether @username and @password amount to credentials: either one is
 * set and not empty.  The request then carries Proxy-Authorization, and
 * a 407 means they were refused rather than missing. */
gboolean dial_http_connect_has_credentials (const char    *username,
                                            const char    *password);

/* The whole CONNECT request for @host:@port, HTTP/1.1, with Host,
 * User-Agent and, when there are credentials, Basic Proxy-Authorization
 * (a missing username or password is empty).  An IPv6 literal is
 * bracketed, a non-ASCII name goes as IDNA ASCII.  A credential with a
 * CR or LF fails, and so does a host name with a control character or a
 * space, or with any other byte a host name cannot have: nothing is
 * built, so nothing can reach the wire.  (A NUL cannot be inside a C
 * string; GUri refuses to decode "%00" into one.)  The error messages
 * never quote a credential. */
GBytes  *dial_http_connect_build_request   (const char    *host,
                                            guint16        port,
                                            const char    *username,
                                            const char    *password,
                                            GError       **error);

typedef enum
{
  DIAL_HTTP_CONNECT_HEAD_INCOMPLETE,  /* the head goes on: more bytes needed */
  DIAL_HTTP_CONNECT_HEAD_COMPLETE,    /* *head_len bytes are the whole head */
  DIAL_HTTP_CONNECT_HEAD_INVALID,     /* too big, or not HTTP: @error is set */
} DialHttpConnectHead;

/* Looks for the end of the reply head in the @len bytes received so far:
 * the first empty line, where a line ends with LF or CRLF.  Bytes after
 * *head_len belong to the tunnel.  A reply whose first bytes cannot start
 * "HTTP/1.0 " or "HTTP/1.1 " is invalid at once, without waiting for the
 * rest; one whose head does not end within DIAL_HTTP_CONNECT_HEAD_MAX
 * bytes is too big. */
DialHttpConnectHead dial_http_connect_scan_reply (const guint8  *reply,
                                                  gsize          len,
                                                  gsize         *head_len,
                                                  GError       **error);

/* Judges a reply: a complete head, or whatever arrived before EOF (0
 * bytes, or a head cut short: as GIO, a 2xx status line alone is enough).
 * Only the status line counts.  Returns TRUE for 2xx; else FALSE with
 * GIO's code and message (@has_credentials tells a refused 407 from a
 * missing one). */
gboolean dial_http_connect_check_reply     (const guint8  *reply,
                                            gsize          len,
                                            gboolean       has_credentials,
                                            GError       **error);

G_END_DECLS
