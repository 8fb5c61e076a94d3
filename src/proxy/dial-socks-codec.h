/* dial-socks-codec.h: SOCKS4, SOCKS4a and SOCKS5 messages, built and
 * parsed without any I/O
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest host name, user id, username or password the protocols
 * can carry: one length byte (SOCKS5), or GIO's bound (SOCKS4). */
#define DIAL_SOCKS_STRING_MAX 255

/* The longest reply any parser below asks for: a SOCKS5 CONNECT reply
 * whose bound address is a 255-byte domain name.  A driver's reply
 * buffer of this size can never overflow. */
#define DIAL_SOCKS_REPLY_MAX (4 + 1 + DIAL_SOCKS_STRING_MAX + 2)

/* SOCKS5 authentication methods (RFC 1928 §3). */
#define DIAL_SOCKS5_METHOD_NONE       0x00
#define DIAL_SOCKS5_METHOD_GSSAPI     0x01
#define DIAL_SOCKS5_METHOD_USERPASS   0x02
#define DIAL_SOCKS5_METHOD_REJECTED   0xff

/*
 * Builders return the whole message, or %NULL and a GError (with GIO's
 * code and message) when a limit is exceeded: a caller that builds every
 * message before writing the first has checked every limit before a byte
 * reaches the proxy.
 *
 * Parsers look at the @len bytes of a reply received so far (@len may be
 * 0) and return how many more bytes the reply needs (> 0), 0 when the
 * reply is complete and says yes, or -1 with @error set.  They never ask
 * for a byte beyond the end of the reply, so a driver that reads exactly
 * what they ask for never consumes a byte of the tunnel, and never for
 * more than DIAL_SOCKS_REPLY_MAX in all.  Each byte is judged as soon as
 * it is there: a refusal is reported without waiting for the rest.
 */

/* SOCKS4 and SOCKS4a: an IPv4 literal goes as an address, any other name
 * as a SOCKS4a name (address 0.0.0.1); an IPv6 literal is an error.
 * @user_id may be %NULL (empty). */
GBytes *dial_socks4_build_connect        (const char    *host,
                                          guint16        port,
                                          const char    *user_id,
                                          GError       **error);
gssize  dial_socks4_parse_reply          (const guint8  *reply,
                                          gsize          len,
                                          GError       **error);

/* SOCKS5 greeting: NONE, and USERPASS too when @offer_userpass. */
GBytes *dial_socks5_build_greeting       (gboolean       offer_userpass);
/* @offered_userpass: what the greeting offered.  On 0, @must_authenticate
 * says whether the proxy picked USERPASS (RFC 1929 comes next). */
gssize  dial_socks5_parse_method_reply   (const guint8  *reply,
                                          gsize          len,
                                          gboolean       offered_userpass,
                                          gboolean      *must_authenticate,
                                          GError       **error);
/* RFC 1929; %NULL stands for an empty string. */
GBytes *dial_socks5_build_auth           (const char    *username,
                                          const char    *password,
                                          GError       **error);
gssize  dial_socks5_parse_auth_reply     (const guint8  *reply,
                                          gsize          len,
                                          GError       **error);
/* CONNECT to @host:@port.  An IPv4 or IPv6 literal goes as an address
 * unless @always_name; a name always goes as a domain name. */
GBytes *dial_socks5_build_connect        (const char    *host,
                                          guint16        port,
                                          gboolean       always_name,
                                          GError       **error);
gssize  dial_socks5_parse_connect_reply  (const guint8  *reply,
                                          gsize          len,
                                          GError       **error);

G_END_DECLS
