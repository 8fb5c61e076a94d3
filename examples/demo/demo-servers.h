/* demo-servers.h: the demo's plain TCP servers, and its resolver
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The name the demo's resolver knows: it has a black-holed IPv6 address
 * and an IPv4 address that accepts. */
#define DEMO_DUAL_NAME "dual.example"

typedef struct
{
  /* Accepts, and closes at once, on 127.0.0.1:accept_port and
   * [::1]:accept_port, and on 127.0.0.1:dual_port. */
  GSocketService *service;
  guint16         accept_port;
  gboolean        accepts_ipv6;

  /* Bound to 127.0.0.1:refused_port but not listening: connects are
   * refused, and no other program can take the port meanwhile. */
  GSocket        *refusing;
  guint16         refused_port;

  /* [::1]:dual_port, a listener with a backlog of 0 whose accept queue
   * `filler` has filled: the kernel drops every new SYN, so a connect
   * hangs as if the IPv6 route led nowhere.  NULL without IPv6. */
  GSocket        *black_hole;
  GSocket        *filler;
  guint16         dual_port;
} DemoServers;

gboolean   demo_servers_start (DemoServers  *servers,
                               GError      **error);
void       demo_servers_stop  (DemoServers  *servers);

GResolver *demo_resolver_new  (void);

G_END_DECLS
