/* dial-connect-engine.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-connect-engine.h"
#include "dial-connect-error.h"

/*
 * The engine holds three groups of attempts: those still connecting, TCP
 * winners waiting for the proxy and TLS stages, and the one winner in
 * those stages. Every input ends in schedule(), which makes all the
 * decisions:
 *
 *  1. Past the deadline, fail with TIMED_OUT.
 *  2. If no winner is in the stages, hand the oldest waiting winner to
 *     them. While a winner is in the stages, no new attempt starts.
 *  3. Otherwise start attempts: one at once when none is connecting,
 *     another each attempt delay while some are (RFC 8305 §5), and at once
 *     again after a failure. The first attempt prefers the cached family,
 *     waiting for an address of it for at most one attempt delay.
 *  4. Ask the enumerator for an address when one is due and none is in
 *     hand, one request at a time (or several in a row, when the driver
 *     has them at once).
 *  5. Fail with the best error once nothing is left that could succeed:
 *     no address to try or to come, nothing connecting or negotiating.
 *     Unlike GIO, pending attempts are always waited for.
 *  6. Ask the driver to wake us at the next moment something is due.
 */

typedef enum
{
  ATTEMPT_CONNECTING,
  ATTEMPT_CONNECTED,
  ATTEMPT_NEGOTIATING,
} AttemptState;

struct _DialEngineAttempt
{
  GSocketAddress     *address;
  AttemptState        state;
  GSocketClientEvent  stage;
  gpointer            data;
};

struct _DialConnectEngine
{
  const DialConnectEngineHooks *hooks;
  gpointer                      driver;

  guint                         attempt_delay_us;
  guint                         deadline_ms;
  GSocketFamily                 preferred_family;
  char                         *target_name;

  GQueue                        addresses;
  GQueue                        connecting;
  GQueue                        winners;
  DialEngineAttempt            *negotiating;
  DialBestError                 best;

  gint64                        started_us;
  gint64                        deadline_us;
  gint64                        next_attempt_us;
  gint64                        timer_us;

  guint                         n_addresses;
  guint                         n_attempts;
  GSocketFamily                 first_family;

  guint                         requesting : 1;
  guint                         addresses_done : 1;
  guint                         completed : 1;
  guint                         busy : 1;
};

static void schedule (DialConnectEngine *self,
                      gint64             now_us);

DialConnectEngine *
dial_connect_engine_new (const DialConnectEngineConfig *config,
                         const DialConnectEngineHooks  *hooks,
                         gpointer                       driver)
{
  DialConnectEngine *self = g_new0 (DialConnectEngine, 1);

  self->hooks = hooks;
  self->driver = driver;
  self->attempt_delay_us = config->attempt_delay_ms * 1000;
  self->deadline_ms = config->deadline_ms;
  self->preferred_family = config->preferred_family;
  self->target_name = g_strdup (config->target_name);
  self->best = (DialBestError) DIAL_BEST_ERROR_INIT;
  self->deadline_us = -1;
  self->next_attempt_us = -1;
  self->timer_us = -1;
  self->first_family = G_SOCKET_FAMILY_INVALID;
  g_queue_init (&self->addresses);
  g_queue_init (&self->connecting);
  g_queue_init (&self->winners);

  return self;
}

static void
attempt_free (DialEngineAttempt *attempt)
{
  g_clear_object (&attempt->address);
  g_free (attempt);
}

void
dial_connect_engine_free (DialConnectEngine *self)
{
  if (self == NULL)
    return;

  /* A driver frees the engine only once it completed, which dropped every
   * attempt. */
  g_warn_if_fail (g_queue_is_empty (&self->connecting));
  g_warn_if_fail (g_queue_is_empty (&self->winners));
  g_warn_if_fail (self->negotiating == NULL);

  g_queue_clear_full (&self->addresses, g_object_unref);
  dial_best_error_clear (&self->best);
  g_free (self->target_name);
  g_free (self);
}

GSocketAddress *
dial_engine_attempt_get_address (DialEngineAttempt *attempt)
{
  return attempt->address;
}

gpointer
dial_engine_attempt_get_data (DialEngineAttempt *attempt)
{
  return attempt->data;
}

void
dial_engine_attempt_set_data (DialEngineAttempt *attempt,
                              gpointer           data)
{
  attempt->data = data;
}

gboolean
dial_connect_engine_is_complete (DialConnectEngine *self)
{
  return self->completed;
}

guint
dial_connect_engine_get_n_addresses (DialConnectEngine *self)
{
  return self->n_addresses;
}

GSocketFamily
dial_connect_engine_get_first_family (DialConnectEngine *self)
{
  return self->first_family;
}

/* Hands @attempt back to the driver and forgets it. */
static void
drop (DialConnectEngine *self,
      DialEngineAttempt *attempt)
{
  self->hooks->drop_attempt (self->driver, attempt);
  attempt_free (attempt);
}

static void
drop_all (DialConnectEngine *self)
{
  DialEngineAttempt *attempt;

  while ((attempt = g_queue_pop_head (&self->connecting)) != NULL)
    drop (self, attempt);
  while ((attempt = g_queue_pop_head (&self->winners)) != NULL)
    drop (self, attempt);
  if (self->negotiating != NULL)
    drop (self, g_steal_pointer (&self->negotiating));
  g_queue_clear_full (&self->addresses, g_object_unref);
}

static void
set_timer (DialConnectEngine *self,
           gint64             when_us)
{
  if (self->timer_us == when_us)
    return;

  self->timer_us = when_us;
  self->hooks->set_timer (self->driver, when_us);
}

/* Ends the operation: every attempt but @winner is dropped first. */
static void
complete (DialConnectEngine *self,
          DialEngineAttempt *winner,
          GError            *error)
{
  g_assert (!self->completed);

  self->completed = TRUE;
  if (winner != NULL && self->negotiating == winner)
    self->negotiating = NULL;
  drop_all (self);
  set_timer (self, -1);

  self->hooks->complete (self->driver, winner, error);

  if (winner != NULL)
    drop (self, winner);
}

static GError *
new_empty_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                              "The connectable did not resolve to any address");
}

static void
fail_with_best_error (DialConnectEngine *self)
{
  GError *error = dial_best_error_steal (&self->best);

  complete (self, NULL, error != NULL ? error : new_empty_error ());
}

static const char *
describe_stage (GSocketClientEvent stage)
{
  switch (stage)
    {
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
      return "negotiating with the proxy";
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
      return "performing the TLS handshake";
    case G_SOCKET_CLIENT_CONNECTING:
    case G_SOCKET_CLIENT_CONNECTED:
      return "connecting";
    case G_SOCKET_CLIENT_RESOLVING:
    case G_SOCKET_CLIENT_RESOLVED:
    case G_SOCKET_CLIENT_COMPLETE:
    default:
      return "resolving the name";
    }
}

static void
fail_deadline (DialConnectEngine *self)
{
  GSocketClientEvent stage;

  if (self->negotiating != NULL)
    stage = self->negotiating->stage;
  else if (!g_queue_is_empty (&self->connecting) || !g_queue_is_empty (&self->winners))
    stage = G_SOCKET_CLIENT_CONNECTING;
  else
    stage = G_SOCKET_CLIENT_RESOLVING;

  complete (self, NULL,
            g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         "Connecting to %s timed out after %u ms while %s",
                         self->target_name ? self->target_name : "the server",
                         self->deadline_ms, describe_stage (stage)));
}

/* The first attempt waits up to one attempt delay for an address of the
 * family that won last time for this name. */
static gboolean
holding_for_preferred (DialConnectEngine *self,
                       gint64             now_us)
{
  return self->preferred_family != G_SOCKET_FAMILY_INVALID &&
         self->n_attempts == 0 &&
         !self->addresses_done &&
         now_us < self->started_us + self->attempt_delay_us;
}

static GSocketAddress *
pick_address (DialConnectEngine *self,
              gint64             now_us)
{
  if (self->preferred_family != G_SOCKET_FAMILY_INVALID && self->n_attempts == 0)
    {
      for (GList *l = self->addresses.head; l != NULL; l = l->next)
        {
          if (g_socket_address_get_family (l->data) == self->preferred_family)
            {
              GSocketAddress *address = l->data;

              g_queue_delete_link (&self->addresses, l);
              return address;
            }
        }

      if (holding_for_preferred (self, now_us))
        return NULL;
    }

  return g_queue_pop_head (&self->addresses);
}

static gboolean
may_start_attempt (DialConnectEngine *self,
                   gint64             now_us)
{
  if (self->negotiating != NULL || !g_queue_is_empty (&self->winners))
    return FALSE;

  return g_queue_is_empty (&self->connecting) ||
         (self->next_attempt_us >= 0 && now_us >= self->next_attempt_us);
}

static void
start_attempts (DialConnectEngine *self,
                gint64             now_us)
{
  while (!self->completed && may_start_attempt (self, now_us))
    {
      g_autoptr(GSocketAddress) address = pick_address (self, now_us);
      DialEngineAttempt *attempt;
      gboolean connected = FALSE;
      GError *error = NULL;

      if (address == NULL)
        break;

      attempt = g_new0 (DialEngineAttempt, 1);
      attempt->address = g_steal_pointer (&address);
      attempt->state = ATTEMPT_CONNECTING;
      attempt->stage = G_SOCKET_CLIENT_CONNECTING;

      self->n_attempts++;
      if (self->first_family == G_SOCKET_FAMILY_INVALID)
        self->first_family = g_socket_address_get_family (attempt->address);

      if (!self->hooks->start_attempt (self->driver, attempt, &connected, &error))
        {
          /* The caller cancelled (from the CONNECTING event): stop here. */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              attempt_free (attempt);
              complete (self, NULL, error);
              break;
            }

          /* Nothing pending on its behalf: try the next one at once. */
          dial_best_error_take (&self->best, G_SOCKET_CLIENT_CONNECTING, error);
          attempt_free (attempt);
          self->next_attempt_us = now_us;
          continue;
        }

      if (connected)
        {
          /* A TCP winner already (loopback connects often are): it goes
           * to the stages, and no further attempt starts meanwhile. */
          attempt->state = ATTEMPT_CONNECTED;
          g_queue_push_tail (&self->winners, attempt);
          break;
        }

      g_queue_push_tail (&self->connecting, attempt);
      self->next_attempt_us = now_us + self->attempt_delay_us;
    }
}

/* Hands the oldest TCP winner to the proxy and TLS stages. */
static void
start_stages (DialConnectEngine *self,
              gint64             now_us)
{
  while (!self->completed && self->negotiating == NULL && !g_queue_is_empty (&self->winners))
    {
      DialEngineAttempt *attempt = g_queue_pop_head (&self->winners);
      GSocketClientEvent stage = G_SOCKET_CLIENT_PROXY_NEGOTIATING;
      gboolean finished = FALSE;
      GError *error = NULL;

      attempt->state = ATTEMPT_NEGOTIATING;
      self->negotiating = attempt;

      if (!self->hooks->start_stages (self->driver, attempt, &finished, &stage, &error))
        {
          self->negotiating = NULL;
          dial_best_error_take (&self->best, stage, error);
          drop (self, attempt);
          continue;
        }

      if (finished)
        complete (self, attempt, NULL);
    }
}

/* Returns TRUE when the driver answered at once. */
static gboolean
request_address (DialConnectEngine *self)
{
  g_autoptr(GSocketAddress) address = NULL;
  GError *error = NULL;

  if (!self->hooks->request_address (self->driver, &address, &error))
    {
      self->requesting = TRUE;
      return FALSE;
    }

  if (address != NULL)
    {
      self->n_addresses++;
      g_queue_push_tail (&self->addresses, g_steal_pointer (&address));
    }
  else
    {
      self->addresses_done = TRUE;
      if (error != NULL)
        dial_best_error_take (&self->best, G_SOCKET_CLIENT_RESOLVING, error);
    }

  return TRUE;
}

static gboolean
nothing_left (DialConnectEngine *self)
{
  return self->addresses_done &&
         !self->requesting &&
         g_queue_is_empty (&self->addresses) &&
         g_queue_is_empty (&self->connecting) &&
         g_queue_is_empty (&self->winners) &&
         self->negotiating == NULL;
}

static void
update_timer (DialConnectEngine *self,
              gint64             now_us)
{
  gint64 when = self->deadline_us;

  /* The next parallel attempt, if there is something to start it with. */
  if (!g_queue_is_empty (&self->connecting) &&
      self->negotiating == NULL && g_queue_is_empty (&self->winners) &&
      self->next_attempt_us > now_us &&
      (!g_queue_is_empty (&self->addresses) || !self->addresses_done))
    {
      if (when < 0 || self->next_attempt_us < when)
        when = self->next_attempt_us;
    }

  /* The end of the wait for the cached family. */
  if (holding_for_preferred (self, now_us))
    {
      gint64 hold_end = self->started_us + self->attempt_delay_us;

      if (when < 0 || hold_end < when)
        when = hold_end;
    }

  set_timer (self, when);
}

static void
schedule (DialConnectEngine *self,
          gint64             now_us)
{
  g_assert (!self->busy);

  if (self->completed)
    return;

  self->busy = TRUE;

  if (self->deadline_us >= 0 && now_us >= self->deadline_us)
    {
      fail_deadline (self);
      goto out;
    }

  for (;;)
    {
      start_stages (self, now_us);
      if (!self->completed)
        start_attempts (self, now_us);
      if (!self->completed)
        start_stages (self, now_us);
      if (self->completed)
        goto out;

      /* Ask for an address when one is due and none is in hand (as GIO
       * does: asking ahead costs every connect a round trip through the
       * enumerator); while waiting for the cached family, look further.
       * An address the driver has at once is used at once. */
      if (self->requesting || self->addresses_done ||
          !((g_queue_is_empty (&self->addresses) && may_start_attempt (self, now_us)) ||
            holding_for_preferred (self, now_us)))
        break;

      if (!request_address (self))
        break;
    }

  if (nothing_left (self))
    {
      fail_with_best_error (self);
      goto out;
    }

  update_timer (self, now_us);

out:
  self->busy = FALSE;
}

void
dial_connect_engine_start (DialConnectEngine *self,
                           gint64             now_us)
{
  self->started_us = now_us;
  if (self->deadline_ms > 0)
    self->deadline_us = now_us + (gint64) self->deadline_ms * 1000;

  schedule (self, now_us);
}

void
dial_connect_engine_address (DialConnectEngine *self,
                             gint64             now_us,
                             GSocketAddress    *address)
{
  g_return_if_fail (G_IS_SOCKET_ADDRESS (address));

  self->requesting = FALSE;
  if (self->completed)
    return;

  self->n_addresses++;
  g_queue_push_tail (&self->addresses, g_object_ref (address));
  schedule (self, now_us);
}

void
dial_connect_engine_addresses_done (DialConnectEngine *self,
                                    gint64             now_us,
                                    GError            *error)
{
  self->requesting = FALSE;
  if (self->completed)
    {
      g_clear_error (&error);
      return;
    }

  self->addresses_done = TRUE;
  if (error != NULL)
    dial_best_error_take (&self->best, G_SOCKET_CLIENT_RESOLVING, error);
  schedule (self, now_us);
}

void
dial_connect_engine_attempt_connected (DialConnectEngine *self,
                                       gint64             now_us,
                                       DialEngineAttempt *attempt)
{
  g_return_if_fail (!self->completed);
  g_return_if_fail (attempt->state == ATTEMPT_CONNECTING);

  g_queue_remove (&self->connecting, attempt);
  attempt->state = ATTEMPT_CONNECTED;
  g_queue_push_tail (&self->winners, attempt);
  schedule (self, now_us);
}

void
dial_connect_engine_attempt_failed (DialConnectEngine *self,
                                    gint64             now_us,
                                    DialEngineAttempt *attempt,
                                    GError            *error)
{
  g_return_if_fail (!self->completed);
  g_return_if_fail (attempt->state == ATTEMPT_CONNECTING);

  g_queue_remove (&self->connecting, attempt);
  dial_best_error_take (&self->best, G_SOCKET_CLIENT_CONNECTING, error);
  drop (self, attempt);

  /* A failure makes room for the next attempt at once (RFC 8305 §5). */
  self->next_attempt_us = now_us;
  schedule (self, now_us);
}

void
dial_connect_engine_stage_entered (DialConnectEngine  *self,
                                   DialEngineAttempt  *attempt,
                                   GSocketClientEvent  stage)
{
  attempt->stage = stage;
}

void
dial_connect_engine_stages_done (DialConnectEngine *self,
                                 gint64             now_us,
                                 DialEngineAttempt *attempt)
{
  g_return_if_fail (!self->completed);
  g_return_if_fail (attempt == self->negotiating);

  complete (self, attempt, NULL);
}

void
dial_connect_engine_stages_failed (DialConnectEngine  *self,
                                   gint64              now_us,
                                   DialEngineAttempt  *attempt,
                                   GSocketClientEvent  stage,
                                   GError             *error)
{
  g_return_if_fail (!self->completed);
  g_return_if_fail (attempt == self->negotiating);

  self->negotiating = NULL;
  dial_best_error_take (&self->best, stage, error);
  drop (self, attempt);
  schedule (self, now_us);
}

void
dial_connect_engine_timer (DialConnectEngine *self,
                           gint64             now_us)
{
  self->timer_us = -1;
  schedule (self, now_us);
}

void
dial_connect_engine_cancel (DialConnectEngine *self,
                            GError            *error)
{
  if (self->completed)
    {
      g_clear_error (&error);
      return;
    }

  complete (self, NULL, error);
}
