/* dial-test-adversary.c: a scripted peer that misbehaves on purpose.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "dial-test-adversary.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "dial-test-proxy-listener.h"

/* An HTTP request's head, at most: a client that sends more is not one
 * this adversary plays against. */
#define HEAD_MAX (64 * 1024)

struct _DialTestAdversary
{
  DialTestProxyListener *listener;
  GArray                *steps;        /* DialTestAdversaryStep, data owned */
  char                  *host_and_port;

  GMutex                 mutex;
  GPtrArray             *records;      /* DialTestAdversaryRecord, or NULL while running; under mutex */
};

/* One connection's run. */
typedef struct
{
  GSocket                 *socket;
  GCancellable            *cancellable;
  DialTestAdversaryRecord  record;
  gboolean                 closed;
} Run;

static gboolean
run_read (Run   *run,
          void  *buffer,
          gsize  size,
          gsize *got)
{
  gssize n = g_socket_receive (run->socket, buffer, size, run->cancellable, NULL);

  if (n <= 0)
    {
      run->record.client_gone = !g_cancellable_is_cancelled (run->cancellable);
      return FALSE;
    }

  run->record.bytes_read += n;
  *got = n;
  return TRUE;
}

static gboolean
run_write (Run        *run,
           const void *buffer,
           gsize       size)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n = g_socket_send (run->socket, (const char *) buffer + done, size - done,
                                run->cancellable, NULL);

      if (n <= 0)
        {
          run->record.client_gone = !g_cancellable_is_cancelled (run->cancellable);
          return FALSE;
        }
      done += n;
      run->record.bytes_written += n;
    }

  return TRUE;
}

static gboolean
step_read (Run  *run,
           gsize len)
{
  char buffer[4096];
  gsize got = 0;

  if (len == 0)
    return run_read (run, buffer, sizeof buffer, &got);

  while (len > 0)
    {
      if (!run_read (run, buffer, MIN (len, sizeof buffer), &got))
        return FALSE;
      len -= got;
    }

  return TRUE;
}

/* Reads a byte at a time up to the blank line, so that nothing after the
 * head is consumed. */
static gboolean
step_read_head (Run *run)
{
  guint32 last4 = 0;

  for (gsize i = 0; i < HEAD_MAX; i++)
    {
      guint8 byte;
      gsize got;

      if (!run_read (run, &byte, 1, &got))
        return FALSE;
      last4 = (last4 << 8) | byte;
      if (last4 == 0x0d0a0d0a || (last4 & 0xffff) == 0x0a0a)
        return TRUE;
    }

  return FALSE;
}

/* Waits @ms, or less when the client goes or the adversary is freed
 * meanwhile; whatever the client sends meanwhile is read and counted.
 * Returns FALSE when cut short. */
static gboolean
run_pause (Run   *run,
           guint  ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;
  GPollFD fds[2] = { { g_socket_get_fd (run->socket), G_IO_IN, 0 } };
  guint n_fds = 1;
  gboolean ok = TRUE;
  gint64 left;

  if (g_cancellable_make_pollfd (run->cancellable, &fds[1]))
    n_fds = 2;

  while (ok && (left = until - g_get_monotonic_time ()) > 0)
    {
      char buffer[4096];
      gsize got;

      fds[0].revents = 0;
      if (g_poll (fds, n_fds, (left + 999) / 1000) < 0 && errno != EINTR)
        ok = FALSE;
      else if (g_cancellable_is_cancelled (run->cancellable))
        ok = FALSE;
      else if (fds[0].revents != 0)
        ok = run_read (run, buffer, sizeof buffer, &got);
    }

  if (n_fds == 2)
    g_cancellable_release_fd (run->cancellable);

  return ok;
}

static gboolean
step_trickle (Run                         *run,
              const DialTestAdversaryStep *step)
{
  g_socket_set_option (run->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  for (gssize i = 0; i < step->len; i++)
    {
      if (i > 0 && !run_pause (run, step->pause_ms))
        return FALSE;
      if (!run_write (run, step->data + i, 1))
        return FALSE;
    }

  return TRUE;
}

static gboolean
step_endless (Run                         *run,
              const DialTestAdversaryStep *step)
{
  /* Only the client's going (or the adversary's end) stops it. */
  while (run_write (run, step->data, step->len))
    ;

  return FALSE;
}

static void
step_reset (Run *run)
{
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  setsockopt (g_socket_get_fd (run->socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  g_socket_close (run->socket, NULL);
  run->closed = TRUE;
}

static gboolean
run_step (Run                         *run,
          const DialTestAdversaryStep *step)
{
  switch (step->op)
    {
    case DIAL_TEST_ADVERSARY_READ:
      return step_read (run, step->len);
    case DIAL_TEST_ADVERSARY_READ_HEAD:
      return step_read_head (run);
    case DIAL_TEST_ADVERSARY_WRITE:
      return run_write (run, step->data, step->len);
    case DIAL_TEST_ADVERSARY_TRICKLE:
      return step_trickle (run, step);
    case DIAL_TEST_ADVERSARY_ENDLESS:
      return step_endless (run, step);
    case DIAL_TEST_ADVERSARY_CLOSE:
      g_socket_close (run->socket, NULL);
      run->closed = TRUE;
      return TRUE;
    case DIAL_TEST_ADVERSARY_RESET:
      step_reset (run);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static void
handle_connection (GSocket      *client,
                   guint         index,
                   GCancellable *cancellable,
                   gpointer      user_data)
{
  DialTestAdversary *self = user_data;
  Run run = { .socket = client, .cancellable = cancellable };

  for (guint i = 0; i < self->steps->len && !run.closed; i++)
    {
      if (!run_step (&run, &g_array_index (self->steps, DialTestAdversaryStep, i)))
        break;
      run.record.steps_done++;
    }

  /* Wait for the client to go: what it does next is its own business. */
  if (!run.closed && !run.record.client_gone)
    {
      gsize drained = dial_test_proxy_drain (client, cancellable);

      run.record.bytes_read += drained;
      run.record.client_gone = !g_cancellable_is_cancelled (cancellable);
    }

  g_mutex_lock (&self->mutex);
  if (self->records->len <= index)
    g_ptr_array_set_size (self->records, index + 1);
  g_ptr_array_index (self->records, index) = g_memdup2 (&run.record, sizeof run.record);
  g_mutex_unlock (&self->mutex);
}

DialTestAdversary *
dial_test_adversary_new (const DialTestAdversaryStep *steps,
                         guint                        n_steps)
{
  DialTestAdversary *self = g_new0 (DialTestAdversary, 1);

  self->steps = g_array_sized_new (FALSE, TRUE, sizeof (DialTestAdversaryStep), n_steps);
  for (guint i = 0; i < n_steps; i++)
    {
      DialTestAdversaryStep step = steps[i];

      if (step.len < 0)
        step.len = step.data != NULL ? strlen (step.data) : 0;
      if (step.data != NULL)
        step.data = g_memdup2 (step.data, MAX (step.len, 1));
      g_assert (step.op == DIAL_TEST_ADVERSARY_READ ||
                step.op == DIAL_TEST_ADVERSARY_READ_HEAD ||
                step.op == DIAL_TEST_ADVERSARY_CLOSE ||
                step.op == DIAL_TEST_ADVERSARY_RESET ||
                step.len > 0);
      g_array_append_val (self->steps, step);
    }

  g_mutex_init (&self->mutex);
  self->records = g_ptr_array_new_with_free_func (g_free);
  self->listener = dial_test_proxy_listener_new (handle_connection, self);
  self->host_and_port = g_strdup_printf ("127.0.0.1:%u",
                                         dial_test_proxy_listener_get_port (self->listener));

  return self;
}

void
dial_test_adversary_free (DialTestAdversary *self)
{
  if (self == NULL)
    return;

  /* Joins every connection's thread first: nothing touches the rest
   * afterwards. */
  dial_test_proxy_listener_free (self->listener);

  for (guint i = 0; i < self->steps->len; i++)
    g_free ((char *) g_array_index (self->steps, DialTestAdversaryStep, i).data);
  g_array_unref (self->steps);
  g_ptr_array_unref (self->records);
  g_mutex_clear (&self->mutex);
  g_free (self->host_and_port);
  g_free (self);
}

guint16
dial_test_adversary_get_port (DialTestAdversary *self)
{
  return dial_test_proxy_listener_get_port (self->listener);
}

const char *
dial_test_adversary_get_host_and_port (DialTestAdversary *self)
{
  return self->host_and_port;
}

char *
dial_test_adversary_get_uri (DialTestAdversary *self,
                             const char        *scheme)
{
  return g_strdup_printf ("%s://%s", scheme, self->host_and_port);
}

guint
dial_test_adversary_get_accepted (DialTestAdversary *self)
{
  return dial_test_proxy_listener_get_accepted (self->listener);
}

gboolean
dial_test_adversary_wait_finished (DialTestAdversary *self,
                                   guint              n)
{
  return dial_test_proxy_listener_wait_finished (self->listener, n);
}

DialTestAdversaryRecord *
dial_test_adversary_get_record (DialTestAdversary *self,
                                guint              index)
{
  DialTestAdversaryRecord *record = NULL;

  g_mutex_lock (&self->mutex);
  if (index < self->records->len && g_ptr_array_index (self->records, index) != NULL)
    record = g_memdup2 (g_ptr_array_index (self->records, index), sizeof *record);
  g_mutex_unlock (&self->mutex);

  return record;
}
