/* dial-connect-error.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-connect-error.h"

/*
 * dial_best_error_take:
 * @self: the tracker
 * @stage: the stage @error happened in
 * @error: (transfer full): the failure
 *
 * Ranks @error against the kept one and keeps the better of the two.
 */
void
dial_best_error_take (DialBestError      *self,
                      GSocketClientEvent  stage,
                      GError             *error)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (error != NULL);

  if (self->error == NULL || stage >= self->stage)
    {
      g_clear_error (&self->error);
      self->error = error;
      self->stage = stage;
    }
  else
    {
      g_error_free (error);
    }
}

gboolean
dial_best_error_isset (const DialBestError *self)
{
  return self->error != NULL;
}

/*
 * dial_best_error_steal:
 *
 * Returns: (transfer full) (nullable): the kept error; the tracker is
 *   empty afterwards.
 */
GError *
dial_best_error_steal (DialBestError *self)
{
  self->stage = G_SOCKET_CLIENT_RESOLVING;
  return g_steal_pointer (&self->error);
}

void
dial_best_error_clear (DialBestError *self)
{
  g_clear_error (&self->error);
  self->stage = G_SOCKET_CLIENT_RESOLVING;
}
