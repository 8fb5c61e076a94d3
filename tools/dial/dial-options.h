/* dial-options.h: the command line
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dial-record.h"
#include "dial-tls-info.h"

G_BEGIN_DECLS

typedef struct
{
  /* What to dial: a connectable, or a service of a domain (--service). */
  GSocketConnectable *target;
  char               *service;
  char               *domain;

  gboolean            tls;
  DialCmdTlsOptions   tls_options;
  char               *proxy;        /* NULL: the environment's, unless no_proxy */
  gboolean            no_proxy;
  GSocketFamily       family;
  GSocketAddress     *local_address;
  guint               timeout;      /* seconds, 0: none */
  guint               deadline;     /* ms, 0: none */
  gint64              attempt_delay; /* ms, -1: the client's default */
  DialCmdOutputMode   mode;
  gboolean            relay;
  gboolean            show_version;
} DialCmdOptions;

gboolean dial_cmd_options_parse (DialCmdOptions  *options,
                                 int             *argc,
                                 char          ***argv,
                                 GError         **error);
void     dial_cmd_options_clear (DialCmdOptions  *options);

G_END_DECLS
