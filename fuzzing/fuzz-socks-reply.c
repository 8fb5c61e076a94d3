/* fuzz-socks-reply.c: what a SOCKS proxy answers
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: one options byte, then the bytes the proxy sends.  Options bits
 * 0-1: the conversation (0 SOCKS4, 1 SOCKS5 without credentials, 2 SOCKS5
 * with credentials, 3 SOCKS5 connect reply alone); bit 7: the bytes arrive
 * one at a time, else as many as the parser asks for.
 *
 * The replies are parsed as the drivers parse them: each parser is shown
 * the bytes received so far and says how many more it needs, and the
 * next reply starts where the previous one ended.  Checked: a parser never
 * asks for a byte beyond the end of its reply (else it would eat the
 * tunnel) nor for more than DIAL_SOCKS_REPLY_MAX; an error comes with a
 * GError and only then; what each parser is shown is exactly what it may
 * read.
 */

#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "dial-socks-codec.h"

typedef enum
{
  REPLY_SOCKS4,
  REPLY_SOCKS5_METHOD,
  REPLY_SOCKS5_AUTH,
  REPLY_SOCKS5_CONNECT,
} ReplyKind;

typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         offset;     /* where the current reply starts */
  gboolean      bytewise;
  gboolean      offered_userpass;
  gboolean      must_authenticate;
} Conversation;

static gssize
parse (Conversation *conv,
       ReplyKind     kind,
       const guint8 *reply,
       gsize         len,
       GError      **error)
{
  switch (kind)
    {
    case REPLY_SOCKS4:
      return dial_socks4_parse_reply (reply, len, error);
    case REPLY_SOCKS5_METHOD:
      return dial_socks5_parse_method_reply (reply, len, conv->offered_userpass,
                                             &conv->must_authenticate, error);
    case REPLY_SOCKS5_AUTH:
      return dial_socks5_parse_auth_reply (reply, len, error);
    case REPLY_SOCKS5_CONNECT:
      return dial_socks5_parse_connect_reply (reply, len, error);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_socks_error (const GError *error)
{
  if (error == NULL || error->domain != G_IO_ERROR || error->message == NULL)
    return FALSE;

  switch (error->code)
    {
    case G_IO_ERROR_PROXY_FAILED:
    case G_IO_ERROR_PROXY_AUTH_FAILED:
    case G_IO_ERROR_PROXY_NEED_AUTH:
    case G_IO_ERROR_PROXY_NOT_ALLOWED:
    case G_IO_ERROR_NETWORK_UNREACHABLE:
    case G_IO_ERROR_HOST_UNREACHABLE:
    case G_IO_ERROR_CONNECTION_REFUSED:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Reads one reply.  TRUE when it is complete and says yes. */
static gboolean
read_reply (Conversation *conv,
            ReplyKind     kind)
{
  gsize available = conv->size - conv->offset;
  gsize len = 0;
  gsize asked_end = 0;   /* the furthest byte any call asked for */

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      guint8 *reply = fuzz_exact_copy (conv->data + conv->offset, len);
      gssize needed = parse (conv, kind, reply, len, &error);

      free (reply);

      if (needed < 0)
        {
          g_assert_cmpint (needed, ==, -1);
          g_assert_true (is_socks_error (error));
          return FALSE;
        }
      g_assert_null (error);

      if (needed == 0)
        {
          /* Complete: nothing asked for lies beyond it. */
          g_assert_cmpuint (len, >, 0);
          g_assert_cmpuint (len, <=, DIAL_SOCKS_REPLY_MAX);
          g_assert_cmpuint (asked_end, <=, len);
          conv->offset += len;
          return TRUE;
        }

      g_assert_cmpuint (len + needed, <=, DIAL_SOCKS_REPLY_MAX);
      asked_end = MAX (asked_end, len + needed);

      /* What a driver's read gets: all it asked for, or one byte. */
      if (conv->bytewise)
        needed = 1;
      if ((gsize) needed > available - len)
        return FALSE;   /* the proxy closed the connection */
      len += needed;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Conversation conv = { 0, };
  guint8 options;

  fuzz_set_up (FUZZ_SET_UP_DEFAULT);

  if (size < 1)
    return 0;

  options = data[0];
  conv.data = data + 1;
  conv.size = size - 1;
  conv.bytewise = (options & 0x80) != 0;

  switch (options & 3)
    {
    case 0:
      read_reply (&conv, REPLY_SOCKS4);
      break;

    case 1:
    case 2:
      conv.offered_userpass = (options & 3) == 2;
      if (!read_reply (&conv, REPLY_SOCKS5_METHOD))
        break;
      /* Only what was offered can be chosen. */
      g_assert_true (!conv.must_authenticate || conv.offered_userpass);
      if (conv.must_authenticate && !read_reply (&conv, REPLY_SOCKS5_AUTH))
        break;
      read_reply (&conv, REPLY_SOCKS5_CONNECT);
      break;

    case 3:
    default:
      read_reply (&conv, REPLY_SOCKS5_CONNECT);
      break;
    }

  return 0;
}
