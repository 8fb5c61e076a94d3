/* dial-prefixed-io-stream.h: a GIOStream whose input serves bytes that
 * were already read from its base stream before the base's own
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DIAL_TYPE_PREFIXED_IO_STREAM (dial_prefixed_io_stream_get_type ())

G_DECLARE_FINAL_TYPE (DialPrefixedIOStream, dial_prefixed_io_stream, DIAL, PREFIXED_IO_STREAM, GIOStream)

/* For a proxy reply read from a stream that cannot be peeked (TLS): the
 * bytes that came after the reply belong to the tunnel, and reads of the
 * new stream return them first, then read @base_io_stream.  Writes go to
 * @base_io_stream's output stream; closing closes @base_io_stream.  The
 * input stream is pollable whenever the base's is.
 *
 * Returns: (transfer full): a new stream */
GIOStream *dial_prefixed_io_stream_new (GIOStream *base_io_stream,
                                        GBytes    *prefix);

G_END_DECLS
