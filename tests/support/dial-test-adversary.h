/* dial-test-adversary.h: a scripted peer on 127.0.0.1 that misbehaves on
 * purpose: it trickles, never stops talking, closes or resets in the
 * middle of a message.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The adversary speaks no protocol: each connection it accepts runs the
 * same script of raw reads and writes, so one script plays a SOCKS5
 * proxy that resets after the greeting, another an HTTP proxy whose
 * headers never end, another a TLS server that trickles a ServerHello.
 * It runs on DialTestProxyListener: a thread per connection, blocking
 * sockets, nothing on the test's main context, so sync tests may block
 * on it.
 *
 * Once the script has run (unless it ended with CLOSE or RESET), the
 * adversary reads until the client goes, then closes.  Every step stops
 * as soon as the client has gone (EOF, a reset, a failed write) or the
 * adversary is freed. */
typedef enum
{
  /* Read @len bytes exactly; with @len 0, what one read returns. */
  DIAL_TEST_ADVERSARY_READ,
  /* Read up to and including a blank line (an HTTP request's head). */
  DIAL_TEST_ADVERSARY_READ_HEAD,
  /* Write the @len bytes at @data at once. */
  DIAL_TEST_ADVERSARY_WRITE,
  /* Write them one at a time with TCP_NODELAY, @pause_ms after each. */
  DIAL_TEST_ADVERSARY_TRICKLE,
  /* Write them again and again until the client goes. */
  DIAL_TEST_ADVERSARY_ENDLESS,
  /* Close the connection (a FIN). */
  DIAL_TEST_ADVERSARY_CLOSE,
  /* Close it with SO_LINGER 0: the kernel sends a RST. */
  DIAL_TEST_ADVERSARY_RESET,
} DialTestAdversaryOp;

typedef struct
{
  DialTestAdversaryOp  op;
  const char          *data;      /* WRITE, TRICKLE, ENDLESS */
  gssize               len;       /* -1: up to the NUL */
  guint                pause_ms;  /* TRICKLE */
} DialTestAdversaryStep;

/* How one connection went, seen from the adversary. */
typedef struct
{
  gsize    bytes_read;
  gsize    bytes_written;
  guint    steps_done;     /* how many steps ran to their end */
  gboolean client_gone;    /* the client closed or reset before the end */
} DialTestAdversaryRecord;

typedef struct _DialTestAdversary DialTestAdversary;

/* @steps is copied, and so is the data of each step. */
DialTestAdversary       *dial_test_adversary_new           (const DialTestAdversaryStep *steps,
                                                            guint                        n_steps);
/* Stops every connection, joins every thread and closes every socket. */
void                     dial_test_adversary_free          (DialTestAdversary           *self);

guint16                  dial_test_adversary_get_port      (DialTestAdversary           *self);
/* "127.0.0.1:PORT" (transfer none). */
const char              *dial_test_adversary_get_host_and_port (DialTestAdversary       *self);
/* "@scheme://127.0.0.1:PORT" (transfer full). */
char                    *dial_test_adversary_get_uri       (DialTestAdversary           *self,
                                                            const char                  *scheme);
guint                    dial_test_adversary_get_accepted  (DialTestAdversary           *self);
/* Blocks until @n connections are over and closed (10 s bound against
 * hangs); returns whether @n was reached. */
gboolean                 dial_test_adversary_wait_finished (DialTestAdversary           *self,
                                                            guint                        n);
/* A copy of the @index-th connection's record, once it is over (call
 * wait_finished first), or NULL. */
DialTestAdversaryRecord *dial_test_adversary_get_record    (DialTestAdversary           *self,
                                                            guint                        index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialTestAdversary, dial_test_adversary_free)

G_END_DECLS
