/* fuzz.h: what the fuzz targets share
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each target is one file defining LLVMFuzzerTestOneInput().  It is linked
 * either with libFuzzer or with replay-main.c, which feeds it the files of
 * a corpus.  A target crashes (abort()) on anything wrong: a failed check,
 * a critical warning, or what a sanitizer sees.
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

#include <gio/gio.h>

G_BEGIN_DECLS

int  LLVMFuzzerTestOneInput (const uint8_t *data,
                             size_t         size);

typedef enum
{
  FUZZ_SET_UP_DEFAULT     = 0,
  /* DIAL_TLS_PROVIDER=builtin: libdial's own certificates and connections. */
  FUZZ_SET_UP_BUILTIN_TLS = 1 << 0,
  /* A default GResolver that fails every lookup at once: no DNS. */
  FUZZ_SET_UP_NO_DNS      = 1 << 1,
} FuzzSetUpFlags;

/* Once per process, before anything else (later calls do nothing).
 * Criticals and errors abort; warnings and lower are dropped unless
 * DIAL_FUZZ_VERBOSE is set, so that a target may feed GLib garbage that it
 * is allowed to complain about. */
void  fuzz_set_up (FuzzSetUpFlags flags);

/* The fields of @data between the @separator bytes, as strings (a field
 * with a NUL in it ends at the NUL); at most @max_fields, the last one
 * taking the rest. */
GStrv fuzz_split  (const uint8_t *data,
                   size_t         size,
                   char           separator,
                   guint          max_fields);

/* A copy of @size bytes in a block of exactly that size, so that an
 * address sanitizer (or valgrind) sees any read past the end. */
guint8 *fuzz_exact_copy (const uint8_t *data,
                         size_t         size);

/* The connect entry points, with connects that never leave the process:
 * FUZZ_SET_UP_NO_DNS fails every name lookup, and the caller's
 * cancellable is cancelled on the first CONNECTING event, before any
 * connect() (an IP literal, or "localhost", gets that far). */
typedef enum
{
  FUZZ_CONNECT_TO_HOST,
  FUZZ_CONNECT_TO_URI,
} FuzzConnectKind;

#define FUZZ_CONNECT_ASYNC       (1 << 0)
#define FUZZ_CONNECT_FAMILY_MASK (3 << 1)   /* 0 any, 1 IPv4, 2 IPv6 */

/* Connects to @text with @default_port and checks the outcome: always a
 * failure, with one of the errors a connect that cannot connect may give,
 * and the events in order.  When @text parses, also builds the SOCKS and
 * HTTP CONNECT requests a proxy would be sent for the parsed host and
 * checks their framing (fuzz_check_proxy_requests). */
void  fuzz_connect (FuzzConnectKind  kind,
                    const char      *text,
                    guint16          default_port,
                    guint8           options);

/* Builds the SOCKS4, SOCKS5 and HTTP CONNECT requests for @host:@port
 * (and @username/@password for HTTP) and checks that each is either
 * refused with G_IO_ERROR or framed exactly as its protocol says: one
 * header line per header for HTTP, no byte of @host or of a credential
 * that could end a line. */
void  fuzz_check_proxy_requests (const char *host,
                                 guint16     port,
                                 const char *username,
                                 const char *password);

G_END_DECLS
