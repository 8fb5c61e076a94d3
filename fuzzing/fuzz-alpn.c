/* fuzz-alpn.c: ALPN lists on the built-in TLS client
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: the advertised protocols, each as a length byte and that many
 * bytes (a protocol ends early at a NUL, as a C string does), up to a
 * length byte of 255 or the end; then the bytes the server sends.
 *
 * A built-in DialTlsClientConnection runs over an in-memory stream: what
 * it writes is kept, what it reads is the server's bytes, then EOF.  The
 * handshake must fail (no server can finish it) with a TLS or I/O error
 * and negotiate nothing.  The ClientHello it sent is parsed: its ALPN
 * extension, if any, must list advertised protocols only, in their order.
 */

#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "dial-tls-client-connection.h"

#define MAX_PROTOCOLS 32
#define END_OF_LIST   0xff

#define TLS_EXTENSION_ALPN 16

typedef struct
{
  const guint8 *data;
  gsize         size;
} Cursor;

static gboolean
take (Cursor        *cursor,
      gsize          n,
      const guint8 **out)
{
  if (cursor->size < n)
    return FALSE;
  if (out != NULL)
    *out = cursor->data;
  cursor->data += n;
  cursor->size -= n;
  return TRUE;
}

static gboolean
take_number (Cursor *cursor,
             gsize   n_bytes,
             gsize  *value)
{
  const guint8 *bytes;

  if (!take (cursor, n_bytes, &bytes))
    return FALSE;
  *value = 0;
  for (gsize i = 0; i < n_bytes; i++)
    *value = (*value << 8) | bytes[i];
  return TRUE;
}

/* A vector: a length of @n_bytes, then that many bytes. */
static gboolean
take_vector (Cursor *cursor,
             gsize   n_bytes,
             Cursor *inner)
{
  gsize len;

  if (!take_number (cursor, n_bytes, &len) || !take (cursor, len, &inner->data))
    return FALSE;
  inner->size = len;
  return TRUE;
}

/* Each protocol of the ALPN extension of the ClientHello in @sent must be
 * one of @protocols, in order. */
static void
check_client_hello (GBytes     *sent,
                    const char *const *protocols)
{
  Cursor record = { g_bytes_get_data (sent, NULL), g_bytes_get_size (sent) };
  Cursor fragment, hello, extensions;
  const guint8 *type = NULL;
  gsize handshake_len = 0;
  guint next = 0;

  /* One handshake record that holds the whole ClientHello. */
  g_assert_true (take (&record, 1, &type));
  g_assert_cmpuint (*type, ==, 22);
  g_assert_true (take (&record, 2, NULL));
  g_assert_true (take_vector (&record, 2, &fragment));
  g_assert_true (take (&fragment, 1, &type));
  g_assert_cmpuint (*type, ==, 1);
  g_assert_true (take_number (&fragment, 3, &handshake_len));
  g_assert_cmpuint (handshake_len, <=, fragment.size);
  hello.data = fragment.data;
  hello.size = handshake_len;

  g_assert_true (take (&hello, 2 + 32, NULL));           /* version, random */
  g_assert_true (take_vector (&hello, 1, &(Cursor) { 0 }));   /* session id */
  g_assert_true (take_vector (&hello, 2, &(Cursor) { 0 }));   /* cipher suites */
  g_assert_true (take_vector (&hello, 1, &(Cursor) { 0 }));   /* compression */
  if (hello.size == 0)
    return;
  g_assert_true (take_vector (&hello, 2, &extensions));

  while (extensions.size > 0)
    {
      Cursor body, list;
      gsize extension_type = 0;

      g_assert_true (take_number (&extensions, 2, &extension_type));
      g_assert_true (take_vector (&extensions, 2, &body));
      if (extension_type != TLS_EXTENSION_ALPN)
        continue;

      g_assert_true (take_vector (&body, 2, &list));
      g_assert_cmpuint (body.size, ==, 0);
      while (list.size > 0)
        {
          Cursor name;

          g_assert_true (take_vector (&list, 1, &name));
          while (protocols[next] != NULL &&
                 (strlen (protocols[next]) != name.size ||
                  memcmp (protocols[next], name.data, name.size) != 0))
            next++;
          g_assert_nonnull (protocols[next]);
          next++;
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) protocols = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) server_bytes = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(GIOStream) base = NULL;
  g_autoptr(GIOStream) connection = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sent = NULL;
  Cursor input_cursor = { data, size };

  fuzz_set_up (FUZZ_SET_UP_BUILTIN_TLS);

  while (protocols->len < MAX_PROTOCOLS && input_cursor.size > 0)
    {
      Cursor name;

      if (input_cursor.data[0] == END_OF_LIST)
        {
          take (&input_cursor, 1, NULL);
          break;
        }
      if (!take_vector (&input_cursor, 1, &name))
        break;
      g_ptr_array_add (protocols, g_strndup ((const char *) name.data, name.size));
    }
  g_ptr_array_add (protocols, NULL);

  server_bytes = g_bytes_new (input_cursor.data, input_cursor.size);
  input = g_memory_input_stream_new_from_bytes (server_bytes);
  output = g_memory_output_stream_new_resizable ();
  base = g_simple_io_stream_new (input, output);
  identity = g_network_address_new ("example.com", 443);

  connection = dial_tls_client_connection_new (base, identity, &error);
  g_assert_no_error (error);

  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (connection),
                                             protocols->len > 1 ? (const char * const *) protocols->pdata : NULL);
  /* No trust store: the handshake never gets that far, and must not
   * load the system's on the way. */
  g_tls_connection_set_database (G_TLS_CONNECTION (connection), NULL);

  g_assert_false (g_tls_connection_handshake (G_TLS_CONNECTION (connection), NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_TLS_ERROR || error->domain == G_IO_ERROR);
  g_assert_null (g_tls_connection_get_negotiated_protocol (G_TLS_CONNECTION (connection)));

  sent = g_bytes_new (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (output)),
                      g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (output)));
  if (g_bytes_get_size (sent) > 0)
    check_client_hello (sent, (const char * const *) protocols->pdata);

  return 0;
}
