/* dial-connect-operation.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-connect-engine.h"
#include "dial-connect-operation.h"
#include "dial-connect-steps.h"
#include "dial-family-cache.h"
#include "dial-i18n.h"

/*
 * One connect operation: the I/O around a DialConnectEngine. The engine
 * decides; the operation enumerates addresses, connects sockets, runs the
 * proxy and TLS stages, emits the events, keeps the one timer the engine
 * asks for, and delivers the result.
 *
 * Both drivers use it. The asynchronous one runs it on the caller's
 * thread-default main context and returns the result through the only
 * GTask. The synchronous one runs it on a private main context until it
 * is finished (dial-connect-sync.c), so that the synchronous path races
 * addresses too; DIAL_CONNECT_SYNC keeps the few events and cancellation
 * rules in which GIO's synchronous connect differs.
 *
 * Ownership: each pending asynchronous call (enumeration, connect, proxy,
 * handshake) owns a reference to the operation, directly or through the
 * Attempt it owns a reference to; an Attempt owns a reference to its
 * operation. The engine's DialEngineAttempt owns one more reference to the
 * Attempt, released by drop_attempt(), which also cancels whatever the
 * attempt has pending and closes a loser's socket; completion drops every
 * attempt, which breaks the operation → engine → Attempt → operation
 * cycle. A callback whose attempt was dropped only releases what it holds.
 * n_pending counts the pending calls, so that the synchronous driver can
 * wait until nothing is left behind.
 *
 * Cancellation: every callback checks the caller's cancellable first, as
 * GIO does, and a source on that cancellable covers the moments when
 * nothing else is pending (waiting for the next attempt's time). Each
 * attempt's I/O uses a cancellable of its own, which only drop_attempt()
 * cancels.
 */

struct _DialConnectOperation
{
  DialSocketClient         *client;
  GSocketConnectable       *connectable;
  GSocketAddressEnumerator *enumerator;
  GMainContext             *context;         /* NULL until needed, in sync mode */
  GCancellable             *user_cancellable;
  GCancellable             *cancellable;
  GSource                  *cancel_source;
  GSource                  *timer;
  DialConnectEngine        *engine;
  DialConnectMode           mode;
  char                     *host;

  GTask                    *task;
  GSocketConnection        *connection;
  GError                   *error;

  guint                     n_pending;
  gint64                    timer_when;        /* while there is no context yet */
  gint64                    deadline_us;
  guint                     context_pushed : 1;
  guint                     blocking_enumeration : 1;
  guint                     resolving_emitted : 1;
  guint                     resolved_emitted : 1;
  guint                     finished : 1;
};

typedef struct
{
  DialConnectOperation *op;
  DialEngineAttempt    *engine_attempt;   /* NULL once dropped */
  GSocketAddress       *address;
  GProxyAddress        *proxy_address;
  GSocket              *socket;
  GIOStream            *stream;
  GCancellable         *cancellable;
  GSource              *source;
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  g_assert (attempt->source == NULL);
  g_clear_pointer (&attempt->op, dial_connect_operation_unref);
  g_clear_object (&attempt->stream);
  g_clear_object (&attempt->socket);
  g_clear_object (&attempt->proxy_address);
  g_clear_object (&attempt->address);
  g_clear_object (&attempt->cancellable);
}

static Attempt *
attempt_ref (Attempt *attempt)
{
  return g_rc_box_acquire (attempt);
}

static void
attempt_unref (Attempt *attempt)
{
  g_rc_box_release_full (attempt, (GDestroyNotify) attempt_free);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attempt, attempt_unref)

static void
operation_free (DialConnectOperation *self)
{
  g_assert (self->n_pending == 0);

  if (self->task != NULL)
    g_critical ("libdial: a connect operation ended without completing");

  g_assert (self->timer == NULL && self->cancel_source == NULL);
  g_clear_pointer (&self->engine, dial_connect_engine_free);
  g_clear_object (&self->task);
  g_clear_object (&self->connection);
  g_clear_error (&self->error);
  g_clear_object (&self->enumerator);
  g_clear_object (&self->connectable);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->user_cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->host, g_free);
}

DialConnectOperation *
dial_connect_operation_ref (DialConnectOperation *self)
{
  return g_rc_box_acquire (self);
}

void
dial_connect_operation_unref (DialConnectOperation *self)
{
  g_rc_box_release_full (self, (GDestroyNotify) operation_free);
}

static gint64
now (void)
{
  return g_get_monotonic_time ();
}

static void attach_cancel_source (DialConnectOperation *self);
static void set_timer (gpointer driver,
                       gint64   when_us);

/* The context the operation's sources and calls run on. The synchronous
 * driver makes its private one only when it has to wait for something: a
 * connect that completes without waiting (an IP literal that accepts at
 * once, no TLS) costs no main context at all. */
static GMainContext *
get_context (DialConnectOperation *self)
{
  if (self->context == NULL)
    {
      self->context = g_main_context_new ();
      g_main_context_push_thread_default (self->context);
      self->context_pushed = TRUE;
      attach_cancel_source (self);
      if (self->timer_when >= 0)
        set_timer (self, self->timer_when);
    }

  return self->context;
}

static void
emit (DialConnectOperation *self,
      GSocketClientEvent    event,
      GIOStream            *stream)
{
  dial_socket_client_emit_event (self->client, event, self->connectable, stream);
}

static gboolean
user_cancelled (DialConnectOperation *self)
{
  return g_cancellable_is_cancelled (self->user_cancellable);
}

static GError *
cancelled_error (DialConnectOperation *self)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (self->user_cancellable, &error);
  return error;
}

/* Every callback starts here: FALSE when the operation no longer cares
 * about its result (over, or the caller cancelled, which ends it now). */
static gboolean
still_wanted (DialConnectOperation *self)
{
  if (dial_connect_engine_is_complete (self->engine))
    return FALSE;

  if (user_cancelled (self))
    {
      dial_connect_engine_cancel (self->engine, cancelled_error (self));
      return FALSE;
    }

  return TRUE;
}

static gboolean
attempt_wanted (Attempt *attempt)
{
  return attempt->engine_attempt != NULL && still_wanted (attempt->op);
}

/* After an event handler ran. GIO's asynchronous connect looks at the
 * caller's cancellable again; its synchronous one goes on to the next
 * step, which sees the cancel only if it does I/O with it (so a cancel
 * from the last event before COMPLETE is not seen at all). Here the
 * cancellable's source delivers the cancel on the next iteration. */
static gboolean
attempt_wanted_after_event (Attempt *attempt)
{
  if (attempt->op->mode == DIAL_CONNECT_SYNC)
    return attempt->engine_attempt != NULL &&
           !dial_connect_engine_is_complete (attempt->op->engine);

  return attempt_wanted (attempt);
}

/* Engine hooks */

/* The first answer of the enumerator, whatever path it came by. GIO's
 * synchronous connect emits RESOLVED after the first lookup even when it
 * failed; the asynchronous one only for a first address. Returns whether
 * it emitted (a handler may have cancelled). */
static gboolean
emit_resolved (DialConnectOperation *self,
               gboolean              got_address)
{
  if (self->resolved_emitted || (!got_address && self->mode != DIAL_CONNECT_SYNC))
    return FALSE;

  self->resolved_emitted = TRUE;
  emit (self, G_SOCKET_CLIENT_RESOLVED, NULL);
  return TRUE;
}

static void
next_address_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(DialConnectOperation) self = user_data;
  g_autoptr(GSocketAddress) address = NULL;
  GError *error = NULL;

  self->n_pending--;
  address = g_socket_address_enumerator_next_finish (G_SOCKET_ADDRESS_ENUMERATOR (object),
                                                     result, &error);
  if (!still_wanted (self))
    {
      g_clear_error (&error);
      return;
    }

  if (emit_resolved (self, address != NULL) && !still_wanted (self))
    {
      g_clear_error (&error);
      return;
    }

  if (address != NULL)
    dial_connect_engine_address (self->engine, now (), address);
  else
    dial_connect_engine_addresses_done (self->engine, now (), error);
}

/* Whether the synchronous driver may enumerate with blocking calls, as
 * GIO's synchronous connect does: only when no name has to be resolved,
 * so that nothing can block and the asynchronous enumerator's resolution
 * delay and interleaving would change nothing. It saves a GTask and a
 * main loop iteration per address. */
static gboolean
enumerates_without_lookup (DialConnectOperation *self)
{
  if (self->mode != DIAL_CONNECT_SYNC)
    return FALSE;

  if (G_IS_INET_SOCKET_ADDRESS (self->connectable))
    return TRUE;

  return G_IS_NETWORK_ADDRESS (self->connectable) &&
         g_hostname_is_ip_address (g_network_address_get_hostname (G_NETWORK_ADDRESS (self->connectable)));
}

/* A name that is not UTF-8: GResolver refuses it, as g_hostname_to_ascii()
 * does, but GLib 2.74's reads and writes out of bounds on the way, and
 * GIO's proxy enumerator warns about it.  So it never reaches GIO's
 * enumerators: the first address request gets GResolver's answer. */
static gboolean
has_invalid_name (DialConnectOperation *self)
{
  return self->host != NULL && !g_utf8_validate (self->host, -1, NULL);
}

static gboolean
request_address (gpointer          driver,
                 GSocketAddress  **address,
                 GError          **error)
{
  DialConnectOperation *self = driver;

  if (!self->resolving_emitted)
    {
      self->resolving_emitted = TRUE;
      emit (self, G_SOCKET_CLIENT_RESOLVING, NULL);
    }

  if (has_invalid_name (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           G_IS_NETWORK_SERVICE (self->connectable) ? GIO_("Invalid domain")
                                                                    : GIO_("Invalid hostname"));
      *address = NULL;
      emit_resolved (self, FALSE);
      return TRUE;
    }

  if (self->blocking_enumeration)
    {
      *address = g_socket_address_enumerator_next (self->enumerator,
                                                   self->user_cancellable, error);
      emit_resolved (self, *address != NULL);
      return TRUE;
    }

  get_context (self);
  self->n_pending++;
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  g_socket_address_enumerator_next_async (self->enumerator, self->cancellable,
                                          next_address_cb,
                                          dial_connect_operation_ref (self));
  return FALSE;
}

/* The TCP connect of an attempt reports here: at once, or from its socket
 * source. GIO's own g_socket_connection_connect_async() would do the same
 * through a GTask and one more main loop iteration per connect. */
/* An attempt's cancellable, made when it first waits for something. */
static GCancellable *
attempt_cancellable (Attempt *attempt)
{
  if (attempt->cancellable == NULL)
    attempt->cancellable = g_cancellable_new ();

  return attempt->cancellable;
}

static void
connect_finished (Attempt *attempt,
                  GError  *error)
{
  DialConnectOperation *self = attempt->op;

  if (error != NULL)
    {
      if (attempt_wanted (attempt))
        {
          dial_connect_prefix_error (&error, self->connectable, attempt->address);
          dial_connect_engine_attempt_failed (self->engine, now (), attempt->engine_attempt, error);
        }
      else
        {
          g_error_free (error);
        }
      return;
    }

  if (!attempt_wanted (attempt))
    return;

  emit (self, G_SOCKET_CLIENT_CONNECTED, attempt->stream);
  if (!attempt_wanted_after_event (attempt))
    return;

  /* GIO hands back blocking sockets from its asynchronous path too. */
  g_socket_set_blocking (attempt->socket, TRUE);
  dial_connect_engine_attempt_connected (self->engine, now (), attempt->engine_attempt);
}

/* Whether the socket's connect has an outcome to read: writable, or an
 * error or hang-up, as the source reported it or as the socket is now. */
static gboolean
connect_condition_ready (GSocket      *socket,
                         GIOCondition  condition)
{
  const GIOCondition outcome = G_IO_OUT | G_IO_ERR | G_IO_HUP;

  return (condition & outcome) != 0 || g_socket_condition_check (socket, outcome) != 0;
}

static gboolean
connect_ready_cb (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  Attempt *attempt = user_data;
  g_autoptr(DialConnectOperation) self = dial_connect_operation_ref (attempt->op);
  GError *error = NULL;

  self->n_pending--;
  g_clear_pointer (&attempt->source, g_source_unref);

  if (!g_cancellable_set_error_if_cancelled (attempt->cancellable, &error))
    {
      /* GSocket's source runs its callback when the socket's timeout is
       * due, but marks the socket timed out only once that time is
       * strictly past (GLib 2.74): exactly on time, the callback gets no
       * condition, and g_socket_check_connect_result() would take a
       * connect still in progress for a connected one. */
      if (connect_condition_ready (socket, condition))
        g_socket_check_connect_result (socket, &error);
      else
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                             GIO_("Socket I/O timed out"));
    }

  connect_finished (attempt, error);
  return G_SOURCE_REMOVE;
}

/*
 * The synchronous driver's first attempt, with nothing else pending, waits
 * for its connect right here, as GIO's synchronous connect does, but only
 * until the next attempt is due (the attempt delay) or the deadline: then
 * it goes back to the main context, where the race goes on. Most connects
 * end here without a main loop iteration. Returns FALSE on failure
 * (cancelled, refused, the socket's own timeout); otherwise *done says
 * whether it connected.
 */
static gboolean
wait_for_connect (DialConnectOperation  *self,
                  Attempt               *attempt,
                  gboolean              *done,
                  GError               **error)
{
  gint64 bound = (gint64) dial_socket_client_get_attempt_delay (self->client) * 1000;
  gint64 socket_timeout = (gint64) g_socket_get_timeout (attempt->socket) * G_USEC_PER_SEC;
  GError *local_error = NULL;

  if (self->deadline_us >= 0)
    bound = MIN (bound, MAX (0, self->deadline_us - now ()));

  if (!g_socket_condition_timed_wait (attempt->socket, G_IO_OUT, bound,
                                      self->user_cancellable, &local_error))
    {
      /* Our own bound passed, not the socket's timeout: keep racing. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) &&
          (socket_timeout == 0 || socket_timeout > bound))
        {
          g_error_free (local_error);
          *done = FALSE;
          return TRUE;
        }

      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (!g_socket_check_connect_result (attempt->socket, error))
    return FALSE;

  *done = TRUE;
  return TRUE;
}

static gboolean
start_attempt (gpointer            driver,
               DialEngineAttempt  *engine_attempt,
               gboolean           *connected,
               GError            **error)
{
  DialConnectOperation *self = driver;
  GSocketAddress *address = dial_engine_attempt_get_address (engine_attempt);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) connect_error = NULL;
  Attempt *attempt;

  socket = dial_connect_create_socket (self->client, address, error);
  if (socket == NULL)
    return FALSE;

  attempt = g_rc_box_new0 (Attempt);
  attempt->op = dial_connect_operation_ref (self);
  attempt->engine_attempt = engine_attempt;
  attempt->address = g_object_ref (address);
  attempt->socket = g_steal_pointer (&socket);
  attempt->stream = G_IO_STREAM (g_socket_connection_factory_create_connection (attempt->socket));
  attempt->proxy_address = dial_connect_get_proxy_address (self->client, address);
  if (attempt->proxy_address != NULL)
    g_object_ref (attempt->proxy_address);

  /* The engine's reference, released by drop_attempt(). */
  dial_engine_attempt_set_data (engine_attempt, attempt);

  emit (self, G_SOCKET_CLIENT_CONNECTING, attempt->stream);

  /* GIO's connect, in both modes, fails at once when the caller cancelled
   * meanwhile (from this very event, say). */
  if (g_cancellable_set_error_if_cancelled (self->user_cancellable, &connect_error))
    goto failed;

  g_socket_set_blocking (attempt->socket, FALSE);
  if (g_socket_connect (attempt->socket, address, NULL, &connect_error))
    {
      /* Connected at once. */
      emit (self, G_SOCKET_CLIENT_CONNECTED, attempt->stream);
      g_socket_set_blocking (attempt->socket, TRUE);
      *connected = TRUE;
      return TRUE;
    }

  if (!g_error_matches (connect_error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      dial_connect_prefix_error (&connect_error, self->connectable, address);
      goto failed;
    }

  if (self->mode == DIAL_CONNECT_SYNC && self->n_pending == 0)
    {
      gboolean done = FALSE;

      g_clear_error (&connect_error);
      if (!wait_for_connect (self, attempt, &done, &connect_error))
        {
          /* A cancel is never prefixed (GIO reports it plainly). */
          if (!g_error_matches (connect_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            dial_connect_prefix_error (&connect_error, self->connectable, address);
          goto failed;
        }
      if (done)
        {
          emit (self, G_SOCKET_CLIENT_CONNECTED, attempt->stream);
          g_socket_set_blocking (attempt->socket, TRUE);
          *connected = TRUE;
          return TRUE;
        }
    }

  /* The socket's timeout, if any, bounds the wait (GSocket's source
   * reports it to g_socket_check_connect_result()). */
  attempt->source = g_socket_create_source (attempt->socket, G_IO_OUT,
                                           attempt_cancellable (attempt));
  g_source_set_static_name (attempt->source, "[dial] connect");
  g_source_set_callback (attempt->source, G_SOURCE_FUNC (connect_ready_cb),
                         attempt_ref (attempt), (GDestroyNotify) attempt_unref);
  self->n_pending++;
  g_source_attach (attempt->source, get_context (self));
  return TRUE;

failed:
  /* Failed at once: the engine ranks the error, and the attempt is the
   * driver's to release. */
  dial_engine_attempt_set_data (engine_attempt, NULL);
  attempt->engine_attempt = NULL;
  attempt_unref (attempt);
  g_propagate_error (error, g_steal_pointer (&connect_error));
  return FALSE;
}

static void handshake_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

/* The TLS stage of @attempt, or nothing when TLS is off (*finished). */
static gboolean
start_tls (DialConnectOperation  *self,
           Attempt               *attempt,
           gboolean              *finished,
           GError               **error)
{
  g_autoptr(GIOStream) tls = NULL;

  if (!dial_socket_client_get_tls (self->client))
    {
      *finished = TRUE;
      return TRUE;
    }

  tls = dial_connect_new_tls (self->client, attempt->stream, self->connectable, error);
  if (tls == NULL)
    return FALSE;

  g_set_object (&attempt->stream, tls);
  dial_connect_engine_stage_entered (self->engine, attempt->engine_attempt,
                                     G_SOCKET_CLIENT_TLS_HANDSHAKING);
  emit (self, G_SOCKET_CLIENT_TLS_HANDSHAKING, tls);

  get_context (self);
  self->n_pending++;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    attempt_cancellable (attempt), handshake_cb,
                                    attempt_ref (attempt));
  return TRUE;
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  g_autoptr(DialConnectOperation) self = dial_connect_operation_ref (attempt->op);
  GError *error = NULL;

  self->n_pending--;
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), result, &error))
    {
      if (attempt_wanted (attempt))
        dial_connect_engine_stages_failed (self->engine, now (), attempt->engine_attempt,
                                           G_SOCKET_CLIENT_TLS_HANDSHAKING, error);
      else
        g_error_free (error);
      return;
    }

  if (!attempt_wanted (attempt))
    return;

  emit (self, G_SOCKET_CLIENT_TLS_HANDSHAKED, attempt->stream);
  if (!attempt_wanted_after_event (attempt))
    return;

  dial_connect_engine_stages_done (self->engine, now (), attempt->engine_attempt);
}

static void
proxy_connect_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  g_autoptr(DialConnectOperation) self = dial_connect_operation_ref (attempt->op);
  g_autoptr(GIOStream) stream = NULL;
  gboolean finished = FALSE;
  GError *error = NULL;

  self->n_pending--;
  stream = g_proxy_connect_finish (G_PROXY (object), result, &error);
  if (stream == NULL)
    {
      if (attempt_wanted (attempt))
        dial_connect_engine_stages_failed (self->engine, now (), attempt->engine_attempt,
                                           G_SOCKET_CLIENT_PROXY_NEGOTIATING, error);
      else
        g_error_free (error);
      return;
    }

  if (!attempt_wanted (attempt))
    return;

  g_set_object (&attempt->stream, stream);
  emit (self, G_SOCKET_CLIENT_PROXY_NEGOTIATED, stream);
  if (!attempt_wanted_after_event (attempt))
    return;

  if (!start_tls (self, attempt, &finished, &error))
    dial_connect_engine_stages_failed (self->engine, now (), attempt->engine_attempt,
                                       G_SOCKET_CLIENT_TLS_HANDSHAKING, error);
  else if (finished)
    dial_connect_engine_stages_done (self->engine, now (), attempt->engine_attempt);
}

static gboolean
start_stages (gpointer             driver,
              DialEngineAttempt   *engine_attempt,
              gboolean            *finished,
              GSocketClientEvent  *stage,
              GError             **error)
{
  DialConnectOperation *self = driver;
  Attempt *attempt = dial_engine_attempt_get_data (engine_attempt);
  g_autoptr(GProxy) proxy = NULL;

  if (attempt->proxy_address == NULL)
    {
      *stage = G_SOCKET_CLIENT_TLS_HANDSHAKING;
      return start_tls (self, attempt, finished, error);
    }

  *stage = G_SOCKET_CLIENT_PROXY_NEGOTIATING;
  switch (dial_connect_plan_proxy (self->client, attempt->stream, attempt->proxy_address,
                                   &proxy, error))
    {
    case DIAL_PROXY_PLAN_APPLICATION:
      /* The raw connection to the proxy, and no TLS. */
      *finished = TRUE;
      return TRUE;

    case DIAL_PROXY_PLAN_NEGOTIATE:
      dial_connect_engine_stage_entered (self->engine, engine_attempt,
                                         G_SOCKET_CLIENT_PROXY_NEGOTIATING);
      emit (self, G_SOCKET_CLIENT_PROXY_NEGOTIATING, attempt->stream);
      get_context (self);
      self->n_pending++;
      g_proxy_connect_async (proxy, attempt->stream, attempt->proxy_address,
                             attempt_cancellable (attempt), proxy_connect_cb,
                             attempt_ref (attempt));
      return TRUE;

    case DIAL_PROXY_PLAN_FAILED:
    default:
      return FALSE;
    }
}

static void
drop_attempt (gpointer           driver,
              DialEngineAttempt *engine_attempt)
{
  Attempt *attempt = dial_engine_attempt_get_data (engine_attempt);

  if (attempt == NULL)
    return;

  attempt->engine_attempt = NULL;
  dial_engine_attempt_set_data (engine_attempt, NULL);
  /* Whatever it has pending comes back cancelled and releases it. */
  if (attempt->cancellable != NULL)
    g_cancellable_cancel (attempt->cancellable);
  /* A loser's socket is closed now, not when its callback runs: the peer
   * sees the end at once and no descriptor outlives the operation. The
   * winner's stream went into the result, and its socket stays open. */
  if (attempt->stream != NULL)
    g_socket_close (attempt->socket, NULL);
  attempt_unref (attempt);
}

static void
remember_family (DialConnectOperation *self,
                 GSocketAddress       *winner)
{
  GSocketFamily first = dial_connect_engine_get_first_family (self->engine);
  GSocketFamily family = g_socket_address_get_family (winner);

  if (self->host == NULL || G_IS_PROXY_ADDRESS (winner))
    return;

  if (family != first)
    dial_family_cache_record (self->host, family);
}

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
complete (gpointer           driver,
          DialEngineAttempt *winner,
          GError            *error)
{
  DialConnectOperation *self = driver;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  /* Stop what is still pending on the operation itself; the sources hold
   * references to it. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  destroy_source (&self->timer);
  destroy_source (&self->cancel_source);

  if (winner != NULL && self->mode == DIAL_CONNECT_ASYNC && user_cancelled (self))
    {
      /* GIO's asynchronous connect checks once more at the very end. */
      error = cancelled_error (self);
      winner = NULL;
    }

  if (winner != NULL)
    {
      Attempt *attempt = dial_engine_attempt_get_data (winner);

      if (dial_socket_client_get_family_cache (self->client))
        remember_family (self, attempt->address);
      self->connection = dial_connect_wrap (g_steal_pointer (&attempt->stream), attempt->socket);
    }
  else
    {
      self->error = error;
    }

  self->finished = TRUE;
  emit (self, G_SOCKET_CLIENT_COMPLETE, self->connection ? G_IO_STREAM (self->connection) : NULL);

  if (task == NULL)
    return;

  if (self->connection != NULL)
    g_task_return_pointer (task, g_steal_pointer (&self->connection), g_object_unref);
  else
    g_task_return_error (task, g_steal_pointer (&self->error));
}

static gboolean
timer_cb (gpointer user_data)
{
  DialConnectOperation *self = user_data;

  g_source_set_ready_time (self->timer, -1);
  if (still_wanted (self))
    dial_connect_engine_timer (self->engine, now ());

  return G_SOURCE_CONTINUE;
}

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

static void
set_timer (gpointer driver,
           gint64   when_us)
{
  DialConnectOperation *self = driver;

  if (self->context == NULL)
    {
      /* Armed when the context is made, if it ever is. */
      self->timer_when = when_us;
      return;
    }

  if (self->timer == NULL)
    {
      if (when_us < 0)
        return;

      self->timer = g_source_new (&timer_funcs, sizeof (GSource));
      g_source_set_static_name (self->timer, "[dial] connect timer");
      g_source_set_callback (self->timer, timer_cb, dial_connect_operation_ref (self),
                             (GDestroyNotify) dial_connect_operation_unref);
      g_source_attach (self->timer, self->context);
    }

  g_source_set_ready_time (self->timer, when_us);
}

static const DialConnectEngineHooks engine_hooks = {
  .request_address = request_address,
  .start_attempt = start_attempt,
  .start_stages = start_stages,
  .drop_attempt = drop_attempt,
  .complete = complete,
  .set_timer = set_timer,
};

static gboolean
user_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  DialConnectOperation *self = user_data;

  still_wanted (self);
  return G_SOURCE_REMOVE;
}

/*
 * The synchronous driver's private main context goes away when the
 * connect returns, and the caller may cancel from another thread at that
 * very moment. A GCancellableSource is then unsafe: the cancelling thread
 * takes a reference to the source in its "cancelled" handler and drops it
 * later, and GLib (2.74) then locks the source's context, which may have
 * been freed meanwhile (a use-after-free that corrupts the heap or hangs
 * the cancelling thread). So that driver polls the cancellable's file
 * descriptor instead: a cancel from another thread only writes to it, and
 * nothing of the private context is ever touched outside its thread.
 */
typedef struct
{
  GSource       source;
  GCancellable *cancellable;
  GPollFD       pollfd;
} CancelPollSource;

static gboolean
cancel_poll_prepare (GSource *source,
                     gint    *timeout)
{
  CancelPollSource *self = (CancelPollSource *) source;

  *timeout = -1;
  return g_cancellable_is_cancelled (self->cancellable);
}

static gboolean
cancel_poll_check (GSource *source)
{
  CancelPollSource *self = (CancelPollSource *) source;

  return self->pollfd.revents != 0 || g_cancellable_is_cancelled (self->cancellable);
}

static gboolean
cancel_poll_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  CancelPollSource *self = (CancelPollSource *) source;

  return ((GCancellableSourceFunc) (void (*) (void)) callback) (self->cancellable, user_data);
}

static void
cancel_poll_finalize (GSource *source)
{
  CancelPollSource *self = (CancelPollSource *) source;

  g_cancellable_release_fd (self->cancellable);
  g_clear_object (&self->cancellable);
}

static GSourceFuncs cancel_poll_funcs = {
  .prepare = cancel_poll_prepare,
  .check = cancel_poll_check,
  .dispatch = cancel_poll_dispatch,
  .finalize = cancel_poll_finalize,
};

/* A source that dispatches once @cancellable is cancelled, run by
 * polling its descriptor; NULL if it has none to poll. */
static GSource *
cancel_poll_source_new (GCancellable *cancellable)
{
  GPollFD pollfd;
  CancelPollSource *self;

  if (!g_cancellable_make_pollfd (cancellable, &pollfd))
    return NULL;

  self = (CancelPollSource *) g_source_new (&cancel_poll_funcs, sizeof (CancelPollSource));
  self->cancellable = g_object_ref (cancellable);
  self->pollfd = pollfd;
  g_source_add_poll (&self->source, &self->pollfd);

  return &self->source;
}

static void
attach_cancel_source (DialConnectOperation *self)
{
  if (self->user_cancellable == NULL || self->cancel_source != NULL ||
      dial_connect_engine_is_complete (self->engine))
    return;

  if (self->mode == DIAL_CONNECT_SYNC)
    self->cancel_source = cancel_poll_source_new (self->user_cancellable);
  if (self->cancel_source == NULL)
    self->cancel_source = g_cancellable_source_new (self->user_cancellable);
  g_source_set_static_name (self->cancel_source, "[dial] connect cancelled");
  g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (user_cancelled_cb),
                         dial_connect_operation_ref (self),
                         (GDestroyNotify) dial_connect_operation_unref);
  g_source_attach (self->cancel_source, self->context);
}

static char *
host_of (GSocketConnectable *connectable)
{
  if (G_IS_NETWORK_ADDRESS (connectable))
    {
      const char *host = g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable));

      /* An IP literal has one family: nothing to remember. */
      if (host != NULL && !g_hostname_is_ip_address (host))
        return g_strdup (host);
    }
  else if (G_IS_NETWORK_SERVICE (connectable))
    {
      return g_strdup (g_network_service_get_domain (G_NETWORK_SERVICE (connectable)));
    }

  return NULL;
}

DialConnectOperation *
dial_connect_operation_new (DialSocketClient   *client,
                            GSocketConnectable *connectable,
                            GCancellable       *cancellable,
                            DialConnectMode     mode,
                            GTask              *task)
{
  DialConnectOperation *self = g_rc_box_new0 (DialConnectOperation);
  DialConnectEngineConfig config = { 0, };
  g_autofree char *target = NULL;

  self->client = g_object_ref (client);
  self->connectable = g_object_ref (connectable);
  if (mode == DIAL_CONNECT_ASYNC)
    self->context = g_main_context_ref_thread_default ();
  self->timer_when = -1;
  self->deadline_us = -1;
  self->user_cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  self->mode = mode;
  self->task = task ? g_object_ref (task) : NULL;
  self->host = host_of (connectable);

  config.attempt_delay_ms = dial_socket_client_get_attempt_delay (client);
  config.deadline_ms = dial_socket_client_get_deadline (client);
  /* Only a deadline's error message names the target. */
  if (config.deadline_ms > 0)
    target = self->host ? g_strdup (self->host) : g_socket_connectable_to_string (connectable);
  config.target_name = target;
  config.preferred_family = G_SOCKET_FAMILY_INVALID;
  if (self->host != NULL && dial_socket_client_get_family_cache (client))
    config.preferred_family = dial_family_cache_lookup (self->host);

  self->engine = dial_connect_engine_new (&config, &engine_hooks, self);

  return self;
}

void
dial_connect_operation_run (DialConnectOperation *self)
{
  if (self->user_cancellable != NULL)
    {
      /* GIO's synchronous connect, cancelled before it starts, emits
       * COMPLETE alone. */
      if (self->mode == DIAL_CONNECT_SYNC && user_cancelled (self))
        {
          dial_connect_engine_cancel (self->engine, cancelled_error (self));
          return;
        }

      if (self->context != NULL)
        attach_cancel_source (self);
    }

  if (!has_invalid_name (self))
    {
      self->enumerator = dial_connect_enumerate (self->client, self->connectable);
      self->blocking_enumeration = enumerates_without_lookup (self);
    }
  if (dial_socket_client_get_deadline (self->client) > 0)
    self->deadline_us = now () + (gint64) dial_socket_client_get_deadline (self->client) * 1000;
  dial_connect_engine_start (self->engine, now ());
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/*
 * GIO's asynchronous address enumerator may still have lookups of its own
 * running when the connect completes (the AAAA answer won the race before
 * the A answer came). They were cancelled with the operation, but they
 * report on the private context, and a context nobody iterates again
 * keeps them, their enumerator and its eventfd forever. So the
 * synchronous driver dispatches what is left before it returns; cancelled
 * lookups answer at once, and a one-second bound keeps a misbehaving
 * resolver from holding the caller up.
 */
static void
release_enumerator (DialConnectOperation *self)
{
  GSocketAddressEnumerator *enumerator = g_steal_pointer (&self->enumerator);
  g_autoptr(GSource) bound = NULL;
  gboolean expired = FALSE;

  if (enumerator != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (enumerator), (gpointer *) &enumerator);
      g_object_unref (enumerator);
    }

  bound = g_timeout_source_new_seconds (1);
  g_source_set_callback (bound, set_flag_cb, &expired, NULL);
  g_source_attach (bound, self->context);

  while (!expired &&
         (enumerator != NULL || g_main_context_pending (self->context)))
    g_main_context_iteration (self->context, TRUE);

  g_source_destroy (bound);
  if (enumerator != NULL)
    g_object_remove_weak_pointer (G_OBJECT (enumerator), (gpointer *) &enumerator);
}

GSocketConnection *
dial_connect_operation_run_sync (DialConnectOperation  *self,
                                 GError               **error)
{
  g_return_val_if_fail (self->mode == DIAL_CONNECT_SYNC, NULL);

  dial_connect_operation_run (self);

  /* Until it completed and every attempt released its socket. */
  while (!self->finished || self->n_pending > 0)
    g_main_context_iteration (get_context (self), TRUE);

  if (self->context != NULL)
    release_enumerator (self);

  if (self->context_pushed)
    {
      g_main_context_pop_thread_default (self->context);
      self->context_pushed = FALSE;
    }

  if (self->error != NULL)
    g_propagate_error (error, g_steal_pointer (&self->error));

  return g_steal_pointer (&self->connection);
}

void
dial_connect_operation_start (DialSocketClient    *client,
                              GSocketConnectable  *connectable,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(DialConnectOperation) self = NULL;
  g_autoptr(GTask) task = NULL;

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, dial_socket_client_connect_async);
  g_task_set_name (task, "[dial] connect");
  /* The operation decides what a cancel means at each point (GIO's
   * rules), so the task must not turn every late result into CANCELLED. */
  g_task_set_check_cancellable (task, FALSE);

  self = dial_connect_operation_new (client, connectable, cancellable, DIAL_CONNECT_ASYNC, task);
  dial_connect_operation_run (self);
}
