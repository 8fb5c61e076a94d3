/* fuzz-host-port.c: host strings handed to connect_to_host
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: the host_and_port string, then optionally a NUL, the default
 * port (two bytes, big-endian) and an options byte (FUZZ_CONNECT_*).
 * The corpus files are plain host strings.
 */

#include "config.h"

#include <string.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const uint8_t *nul = memchr (data, '\0', size);
  g_autofree char *text = g_strndup ((const char *) data, size);
  guint16 default_port = 80;
  guint8 options = 0;

  fuzz_set_up (FUZZ_SET_UP_NO_DNS);

  if (nul != NULL && (size_t) (data + size - nul) >= 3)
    default_port = (nul[1] << 8) | nul[2];
  if (nul != NULL && (size_t) (data + size - nul) >= 4)
    options = nul[3];

  fuzz_connect (FUZZ_CONNECT_TO_HOST, text, default_port, options);
  return 0;
}
