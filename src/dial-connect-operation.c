/* dial-connect-operation.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-connect-error.h"
#include "dial-connect-operation.h"
#include "dial-connect-steps.h"

/*
 * The asynchronous driver, GIO's Happy Eyeballs:
 *
 *  - Addresses come from the enumerator one request at a time (never two
 *    overlapping next_async() calls, which GNetworkAddress cannot take).
 *  - Each address gets an Attempt: a socket, a connection and a 250 ms
 *    delay timer. When the timer fires while the attempt is still
 *    connecting, the next address is requested and raced in parallel; a
 *    failed attempt requests the next address at once.
 *  - Attempts whose TCP connect succeeded queue up for the proxy and TLS
 *    stages, which run on one attempt at a time, in order.
 *  - The operation completes exactly once, in finish(): it emits COMPLETE,
 *    returns the only GTask and cancels everything still pending. Every
 *    callback checks `completed` first, so losers that report late do
 *    nothing but release what they hold.
 *
 * Ownership: each pending callback (enumeration, connect, proxy,
 * handshake) owns one reference to the operation, and the connect,
 * proxy and handshake callbacks own their Attempt (and take one more
 * reference to the operation for their own duration, since releasing the
 * attempt on the way may drop the last one). `attempts` lists the
 * attempts that are connecting, without owning them; `connected` owns the
 * attempts that wait for the proxy and TLS stages.
 *
 * Cancellation: the caller's cancellable is chained to one internal
 * cancellable, which every pending call uses, and which finish() cancels
 * so that nothing outlives the operation for longer than it takes its
 * callback to run.
 */

#define CONNECTION_ATTEMPT_DELAY_MS 250

typedef struct _Attempt Attempt;

typedef struct
{
  GTask                    *task;
  DialSocketClient         *client;
  GSocketConnectable       *connectable;
  GSocketAddressEnumerator *enumerator;
  GMainContext             *context;
  GCancellable             *user_cancellable;
  GCancellable             *cancellable;
  gulong                    cancelled_id;

  GList                    *attempts;
  GQueue                    connected;
  DialBestError             best;

  guint                     n_addresses;
  guint                     wanted_addresses;
  guint                     resolving_emitted : 1;
  guint                     enumerating : 1;
  guint                     enumeration_done : 1;
  guint                     negotiating : 1;
  guint                     completed : 1;
} Operation;

struct _Attempt
{
  Operation      *op;
  GSocketAddress *address;
  GProxyAddress  *proxy_address;
  GSocket        *socket;
  GIOStream      *stream;
  GSource        *delay;
};

static void request_address     (Operation *op);
static void try_next_or_finish  (Operation *op,
                                 gboolean   end_current);

static void
operation_free (Operation *op)
{
  /* Every path to here went through finish(); a task still here would be
   * a caller whose callback never runs. */
  if (op->task != NULL)
    g_critical ("libdial: a connect operation ended without completing");

  g_assert (op->attempts == NULL);
  g_assert (g_queue_is_empty (&op->connected));

  g_clear_object (&op->task);
  g_clear_object (&op->enumerator);
  g_clear_object (&op->connectable);
  g_clear_object (&op->client);
  g_clear_object (&op->cancellable);
  g_clear_object (&op->user_cancellable);
  g_clear_pointer (&op->context, g_main_context_unref);
  dial_best_error_clear (&op->best);
}

static Operation *
operation_ref (Operation *op)
{
  return g_rc_box_acquire (op);
}

static void
operation_unref (Operation *op)
{
  g_rc_box_release_full (op, (GDestroyNotify) operation_free);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Operation, operation_unref)

static void
attempt_stop_delay (Attempt *attempt)
{
  if (attempt->delay != NULL)
    {
      g_source_destroy (attempt->delay);
      g_clear_pointer (&attempt->delay, g_source_unref);
    }
}

static void
attempt_free (Attempt *attempt)
{
  attempt_stop_delay (attempt);
  g_clear_object (&attempt->stream);
  g_clear_object (&attempt->socket);
  g_clear_object (&attempt->proxy_address);
  g_clear_object (&attempt->address);
  g_clear_pointer (&attempt->op, operation_unref);
  g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attempt, attempt_free)

static void
emit (Operation          *op,
      GSocketClientEvent  event,
      GIOStream          *stream)
{
  dial_socket_client_emit_event (op->client, event, op->connectable, stream);
}

static gboolean
user_cancelled (Operation *op)
{
  return g_cancellable_is_cancelled (op->user_cancellable);
}

/* The one place an operation completes: @connection (transfer full) on
 * success, else @error (transfer full). */
static void
finish (Operation         *op,
        GSocketConnection *connection,
        GError            *error)
{
  g_autoptr(GTask) task = NULL;

  g_assert (!op->completed);
  g_assert ((connection == NULL) != (error == NULL));

  op->completed = TRUE;
  op->negotiating = FALSE;
  task = g_steal_pointer (&op->task);

  /* Release everything still pending: attempts still connecting see the
   * cancellation in their callbacks, attempts waiting for the proxy and
   * TLS stages are closed now, and so is a pending enumeration. */
  g_cancellable_cancel (op->cancellable);
  for (GList *l = op->attempts; l != NULL; l = l->next)
    attempt_stop_delay (l->data);
  g_queue_clear_full (&op->connected, (GDestroyNotify) attempt_free);
  if (op->cancelled_id != 0)
    {
      g_cancellable_disconnect (op->user_cancellable, op->cancelled_id);
      op->cancelled_id = 0;
    }

  emit (op, G_SOCKET_CLIENT_COMPLETE, connection ? G_IO_STREAM (connection) : NULL);

  if (connection != NULL)
    g_task_return_pointer (task, connection, g_object_unref);
  else
    g_task_return_error (task, error);
}

static void
finish_cancelled (Operation *op)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (op->user_cancellable, &error);
  finish (op, NULL, error);
}

static void
finish_with_best_error (Operation *op)
{
  GError *error = dial_best_error_steal (&op->best);

  if (error == NULL)
    error = dial_connect_new_empty_error ();

  finish (op, NULL, error);
}

/* Success of the last stage: wrap what it produced and complete, unless
 * the caller cancelled meanwhile (GIO checks at this point too). */
static void
finish_attempt (Operation *op,
                Attempt   *attempt)
{
  g_autoptr(Attempt) owned = attempt;
  GSocketConnection *connection;

  if (user_cancelled (op))
    {
      finish_cancelled (op);
      return;
    }

  connection = dial_connect_wrap (g_steal_pointer (&owned->stream), owned->socket);
  finish (op, connection, NULL);
}

/* A proxy or TLS stage that was under way failed with @error (transfer
 * full): rank it and go on with the next winner or address, unless the
 * operation is over or the caller cancelled. */
static void
stage_failed (Operation          *op,
              GSocketClientEvent  stage,
              GError             *error)
{
  if (op->completed)
    g_error_free (error);
  else if (user_cancelled (op))
    {
      g_error_free (error);
      finish_cancelled (op);
    }
  else
    {
      dial_best_error_take (&op->best, stage, error);
      try_next_or_finish (op, TRUE);
    }
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  g_autoptr(Operation) op = operation_ref (attempt->op);
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), result, &error))
    {
      stage_failed (op, G_SOCKET_CLIENT_TLS_HANDSHAKING, error);
      return;
    }

  if (op->completed)
    return;

  emit (op, G_SOCKET_CLIENT_TLS_HANDSHAKED, attempt->stream);
  finish_attempt (op, g_steal_pointer (&attempt));
}

/* The TLS stage, or completion when TLS is off. Takes @attempt; returns
 * FALSE when the stage failed at once (the failure is ranked). */
static gboolean
start_tls (Operation *op,
           Attempt   *attempt)
{
  g_autoptr(GIOStream) tls = NULL;
  GError *error = NULL;

  if (!dial_socket_client_get_tls (op->client))
    {
      finish_attempt (op, attempt);
      return TRUE;
    }

  tls = dial_connect_new_tls (op->client, attempt->stream, op->connectable, &error);
  if (tls == NULL)
    {
      dial_best_error_take (&op->best, G_SOCKET_CLIENT_TLS_HANDSHAKING, error);
      attempt_free (attempt);
      return FALSE;
    }

  g_set_object (&attempt->stream, tls);
  op->negotiating = TRUE;
  emit (op, G_SOCKET_CLIENT_TLS_HANDSHAKING, tls);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    op->cancellable, handshake_cb, attempt);
  return TRUE;
}

static void
proxy_connect_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  g_autoptr(Operation) op = operation_ref (attempt->op);
  g_autoptr(GIOStream) stream = NULL;
  GError *error = NULL;

  stream = g_proxy_connect_finish (G_PROXY (object), result, &error);
  if (stream == NULL)
    {
      stage_failed (op, G_SOCKET_CLIENT_PROXY_NEGOTIATING, error);
      return;
    }

  if (op->completed)
    return;

  g_set_object (&attempt->stream, stream);
  emit (op, G_SOCKET_CLIENT_PROXY_NEGOTIATED, stream);

  if (!start_tls (op, g_steal_pointer (&attempt)))
    try_next_or_finish (op, TRUE);
}

/* The proxy and TLS stages of one TCP winner. Takes @attempt; returns
 * FALSE when they failed at once (the failure is ranked), TRUE when they
 * are under way or the operation completed. */
static gboolean
start_stages (Operation *op,
              Attempt   *attempt)
{
  g_autoptr(GProxy) proxy = NULL;
  GError *error = NULL;

  if (attempt->proxy_address == NULL)
    return start_tls (op, attempt);

  switch (dial_connect_plan_proxy (op->client, attempt->stream, attempt->proxy_address,
                                   &proxy, &error))
    {
    case DIAL_PROXY_PLAN_APPLICATION:
      finish_attempt (op, attempt);
      return TRUE;

    case DIAL_PROXY_PLAN_NEGOTIATE:
      op->negotiating = TRUE;
      emit (op, G_SOCKET_CLIENT_PROXY_NEGOTIATING, attempt->stream);
      g_proxy_connect_async (proxy, attempt->stream, attempt->proxy_address,
                             op->cancellable, proxy_connect_cb, attempt);
      return TRUE;

    case DIAL_PROXY_PLAN_FAILED:
    default:
      dial_best_error_take (&op->best, G_SOCKET_CLIENT_PROXY_NEGOTIATING, error);
      attempt_free (attempt);
      return FALSE;
    }
}

/*
 * The scheduler. Runs after every TCP result and every failed stage: it
 * hands the next TCP winner to the proxy and TLS stages when none is
 * there, else asks for another address, else fails the operation. Like
 * GIO, it fails as soon as the addresses are exhausted and nothing is
 * queued, even while other TCP attempts are still connecting.
 */
static void
try_next_or_finish (Operation *op,
                    gboolean   end_current)
{
  Attempt *attempt;

  if (end_current)
    op->negotiating = FALSE;

  if (op->completed || op->negotiating)
    return;

  while ((attempt = g_queue_pop_head (&op->connected)) != NULL)
    {
      if (start_stages (op, attempt))
        return;
    }

  if (!op->enumeration_done)
    request_address (op);
  else
    finish_with_best_error (op);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  g_autoptr(Operation) op = operation_ref (attempt->op);
  GError *error = NULL;
  gboolean connected;

  connected = g_socket_connection_connect_finish (G_SOCKET_CONNECTION (object), result, &error);

  op->attempts = g_list_remove (op->attempts, attempt);
  attempt_stop_delay (attempt);

  if (op->completed || user_cancelled (op))
    {
      g_clear_error (&error);
      if (!op->completed)
        finish_cancelled (op);
      return;
    }

  if (!connected)
    {
      dial_connect_prefix_error (&error, op->connectable, attempt->address);
      dial_best_error_take (&op->best, G_SOCKET_CLIENT_CONNECTING, error);
      try_next_or_finish (op, FALSE);
      return;
    }

  emit (op, G_SOCKET_CLIENT_CONNECTED, attempt->stream);

  /* GIO hands back blocking sockets from its async path too. */
  g_socket_set_blocking (attempt->socket, TRUE);

  g_queue_push_tail (&op->connected, g_steal_pointer (&attempt));
  try_next_or_finish (op, FALSE);
}

static gboolean
delay_reached_cb (gpointer user_data)
{
  Attempt *attempt = user_data;

  g_clear_pointer (&attempt->delay, g_source_unref);
  request_address (attempt->op);

  return G_SOURCE_REMOVE;
}

static void
start_attempt (Operation      *op,
               GSocketAddress *address)
{
  g_autoptr(GSocket) socket = NULL;
  GSocketConnection *connection;
  Attempt *attempt;
  GError *error = NULL;

  socket = dial_connect_create_socket (op->client, address, &error);
  if (socket == NULL)
    {
      dial_best_error_take (&op->best, G_SOCKET_CLIENT_CONNECTING, error);
      request_address (op);
      return;
    }

  connection = g_socket_connection_factory_create_connection (socket);

  attempt = g_new0 (Attempt, 1);
  attempt->op = operation_ref (op);
  attempt->address = g_object_ref (address);
  attempt->socket = g_steal_pointer (&socket);
  attempt->stream = G_IO_STREAM (connection);
  attempt->proxy_address = dial_connect_get_proxy_address (op->client, address);
  if (attempt->proxy_address != NULL)
    g_object_ref (attempt->proxy_address);

  attempt->delay = g_timeout_source_new (CONNECTION_ATTEMPT_DELAY_MS);
  g_source_set_static_name (attempt->delay, "[dial] connection attempt delay");
  g_source_set_callback (attempt->delay, delay_reached_cb, attempt, NULL);
  g_source_attach (attempt->delay, op->context);

  op->attempts = g_list_prepend (op->attempts, attempt);

  emit (op, G_SOCKET_CLIENT_CONNECTING, G_IO_STREAM (connection));
  g_socket_connection_connect_async (connection, address, op->cancellable,
                                     connect_cb, attempt);
}

static void
next_address_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Operation) op = user_data;
  g_autoptr(GSocketAddress) address = NULL;
  GError *error = NULL;

  address = g_socket_address_enumerator_next_finish (G_SOCKET_ADDRESS_ENUMERATOR (object),
                                                     result, &error);
  op->enumerating = FALSE;

  if (op->completed || user_cancelled (op))
    {
      g_clear_error (&error);
      if (!op->completed)
        finish_cancelled (op);
      return;
    }

  if (address == NULL)
    {
      op->enumeration_done = TRUE;
      op->wanted_addresses = 0;

      /* The end of the list fails the operation only when nothing else
       * can still succeed; an enumeration error matters only then. */
      if (op->n_addresses == 0 ||
          (op->attempts == NULL && g_queue_is_empty (&op->connected) && !op->negotiating))
        {
          if (error != NULL)
            dial_best_error_take (&op->best, G_SOCKET_CLIENT_RESOLVING, error);
          finish_with_best_error (op);
        }
      else
        {
          g_clear_error (&error);
        }
      return;
    }

  if (op->n_addresses++ == 0)
    emit (op, G_SOCKET_CLIENT_RESOLVED, NULL);
  if (op->wanted_addresses > 0)
    op->wanted_addresses--;

  start_attempt (op, address);

  if (op->wanted_addresses > 0 && !op->enumerating && !op->completed)
    {
      op->wanted_addresses--;
      request_address (op);
    }
}

/* Asks for one more address. A request made while one is pending is
 * remembered and served when that one returns. */
static void
request_address (Operation *op)
{
  if (op->completed || op->enumeration_done)
    return;

  op->wanted_addresses++;
  if (op->enumerating)
    return;

  op->enumerating = TRUE;
  if (!op->resolving_emitted)
    {
      op->resolving_emitted = TRUE;
      emit (op, G_SOCKET_CLIENT_RESOLVING, NULL);
    }

  g_socket_address_enumerator_next_async (op->enumerator, op->cancellable,
                                          next_address_cb, operation_ref (op));
}

static void
user_cancelled_cb (GCancellable *cancellable,
                   GCancellable *internal)
{
  /* May run in any thread: only touch the thread-safe cancellable. */
  g_cancellable_cancel (internal);
}

void
dial_connect_operation_start (DialSocketClient    *client,
                              GSocketConnectable  *connectable,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(Operation) op = g_rc_box_new0 (Operation);

  op->client = g_object_ref (client);
  op->connectable = g_object_ref (connectable);
  op->context = g_main_context_ref_thread_default ();
  op->cancellable = g_cancellable_new ();
  g_queue_init (&op->connected);
  op->best = (DialBestError) DIAL_BEST_ERROR_INIT;

  op->task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, dial_socket_client_connect_async);
  g_task_set_name (op->task, "[dial] connect");
  /* The operation decides what a cancel means at each point (GIO's
   * rules), so the task must not turn every late result into CANCELLED. */
  g_task_set_check_cancellable (op->task, FALSE);

  if (cancellable != NULL)
    {
      op->user_cancellable = g_object_ref (cancellable);
      /* Fires at once when @cancellable is already cancelled. */
      op->cancelled_id = g_cancellable_connect (cancellable,
                                                G_CALLBACK (user_cancelled_cb),
                                                g_object_ref (op->cancellable),
                                                g_object_unref);
    }

  op->enumerator = dial_connect_enumerate (client, connectable);

  /* The first request emits RESOLVING inside this call, as GIO does; its
   * result, even for a cancelled call, arrives from the main loop, so
   * COMPLETE is never emitted from inside this call. */
  request_address (op);
}
