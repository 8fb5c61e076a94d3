/* dial-connect-engine.h: the Happy Eyeballs decisions of a connect, without
 * any I/O
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * DialConnectEngine decides, for one connect operation: when to ask the
 * enumerator for another address, which address to try next and when
 * (RFC 8305: a new attempt every attempt-delay while earlier ones are
 * pending, at once when one fails), which TCP winner goes on to the proxy
 * and TLS stages (one at a time, in order), which attempts lose, when the
 * operation fails or times out, and which error it reports (GIO's
 * stage-ranked best error).
 *
 * It does no I/O and reads no clock: a driver feeds it what happened, with
 * the time, and carries out what the hooks ask. Hooks are never called
 * re-entrantly from inside another hook's work: a driver reports a result
 * only from its own callbacks (or, for what can fail at once, through a
 * hook's return value).
 */

typedef struct _DialConnectEngine DialConnectEngine;
typedef struct _DialEngineAttempt DialEngineAttempt;

typedef struct
{
  /* Ask the enumerator for one more address. Return TRUE with the answer
   * if it is there at once: @address (transfer full), or none when the
   * addresses are exhausted, with @error (transfer full) if enumeration
   * failed. Otherwise return FALSE and answer later with
   * dial_connect_engine_address() or dial_connect_engine_addresses_done().
   * Never called while a request is outstanding. */
  gboolean (*request_address) (gpointer            driver,
                               GSocketAddress    **address,
                               GError            **error);

  /* Start a TCP attempt to dial_engine_attempt_get_address (@attempt);
   * answer with dial_connect_engine_attempt_connected() or _failed().
   * Return FALSE with @error set if it failed at once (the driver then
   * holds nothing for it; %G_IO_ERROR_CANCELLED ends the operation, as the
   * caller cancelled); set @connected if it connected at once. */
  gboolean (*start_attempt)   (gpointer            driver,
                               DialEngineAttempt  *attempt,
                               gboolean           *connected,
                               GError            **error);

  /* Run the proxy and TLS stages on a TCP winner; answer with
   * dial_connect_engine_stages_done() or _stages_failed(). Return FALSE
   * with @error set (and @stage) if they failed at once. Sets @finished to
   * TRUE if they completed at once with success (an application proxy, or
   * no proxy and no TLS). */
  gboolean (*start_stages)    (gpointer            driver,
                               DialEngineAttempt  *attempt,
                               gboolean           *finished,
                               GSocketClientEvent *stage,
                               GError            **error);

  /* @attempt lost, failed, or the operation ended: release what the
   * driver holds for it. The engine frees @attempt when this returns, so
   * the driver must never report about it again. */
  void     (*drop_attempt)    (gpointer            driver,
                               DialEngineAttempt  *attempt);

  /* The operation is over: @winner (its stages done) or @error (transfer
   * full). Called exactly once, after every other attempt was dropped;
   * @winner is dropped right after this returns. */
  void     (*complete)        (gpointer            driver,
                               DialEngineAttempt  *winner,
                               GError             *error);

  /* Call dial_connect_engine_timer() at @when_us (monotonic µs), replacing
   * any earlier request; -1 cancels it. */
  void     (*set_timer)       (gpointer            driver,
                               gint64              when_us);
} DialConnectEngineHooks;

typedef struct
{
  /* Delay between the start of one attempt and the next while the first
   * is pending (RFC 8305's Connection Attempt Delay), in ms. */
  guint         attempt_delay_ms;
  /* Overall limit of the operation in ms, 0 for none. */
  guint         deadline_ms;
  /* Address family to try first, from the family cache, or
   * G_SOCKET_FAMILY_INVALID to take the enumerator's order. */
  GSocketFamily preferred_family;
  /* For error messages: what is being connected to. */
  const char   *target_name;
} DialConnectEngineConfig;

DialConnectEngine  *dial_connect_engine_new               (const DialConnectEngineConfig *config,
                                                           const DialConnectEngineHooks  *hooks,
                                                           gpointer                       driver);
void                dial_connect_engine_free              (DialConnectEngine  *self);

void                dial_connect_engine_start             (DialConnectEngine  *self,
                                                           gint64              now_us);
void                dial_connect_engine_address           (DialConnectEngine  *self,
                                                           gint64              now_us,
                                                           GSocketAddress     *address);
void                dial_connect_engine_addresses_done    (DialConnectEngine  *self,
                                                           gint64              now_us,
                                                           GError             *error);
void                dial_connect_engine_attempt_connected (DialConnectEngine  *self,
                                                           gint64              now_us,
                                                           DialEngineAttempt  *attempt);
void                dial_connect_engine_attempt_failed    (DialConnectEngine  *self,
                                                           gint64              now_us,
                                                           DialEngineAttempt  *attempt,
                                                           GError             *error);
void                dial_connect_engine_stage_entered     (DialConnectEngine  *self,
                                                           DialEngineAttempt  *attempt,
                                                           GSocketClientEvent  stage);
void                dial_connect_engine_stages_done       (DialConnectEngine  *self,
                                                           gint64              now_us,
                                                           DialEngineAttempt  *attempt);
void                dial_connect_engine_stages_failed     (DialConnectEngine  *self,
                                                           gint64              now_us,
                                                           DialEngineAttempt  *attempt,
                                                           GSocketClientEvent  stage,
                                                           GError             *error);
void                dial_connect_engine_timer             (DialConnectEngine  *self,
                                                           gint64              now_us);
void                dial_connect_engine_cancel            (DialConnectEngine  *self,
                                                           GError             *error);

gboolean            dial_connect_engine_is_complete       (DialConnectEngine  *self);
guint               dial_connect_engine_get_n_addresses   (DialConnectEngine  *self);
/* The family of the first attempt started, or G_SOCKET_FAMILY_INVALID. */
GSocketFamily       dial_connect_engine_get_first_family  (DialConnectEngine  *self);

GSocketAddress     *dial_engine_attempt_get_address       (DialEngineAttempt  *attempt);
gpointer            dial_engine_attempt_get_data          (DialEngineAttempt  *attempt);
void                dial_engine_attempt_set_data          (DialEngineAttempt  *attempt,
                                                           gpointer            data);

G_END_DECLS
