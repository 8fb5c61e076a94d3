#!/bin/sh
# make-certs.sh DIR: a throwaway certificate authority and a server
# certificate it signed, for the TLS examples.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Writes, in DIR:
#   ca.pem           the CA's certificate: what the examples' clients trust
#   server.pem       the server's certificate, for localhost, 127.0.0.1 and ::1
#   server-key.pem   the server's private key
# (and ca-key.pem and the templates, which the examples do not read).
#
# The build runs it (examples/meson.build) before the TLS examples run as
# tests. By hand:  sh examples/make-certs.sh /tmp/example-certs
# It needs certtool, from gnutls-bin.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
mkdir -p "$dir"

cat > "$dir/ca.template" <<EOF
organization = "libdial examples"
cn = "libdial examples CA"
ca
cert_signing_key
expiration_days = 3650
EOF

cat > "$dir/server.template" <<EOF
organization = "libdial examples"
cn = "localhost"
dns_name = "localhost"
ip_address = "127.0.0.1"
ip_address = "::1"
tls_www_server
signing_key
expiration_days = 3650
EOF

certtool --generate-privkey --key-type=ecdsa --no-text \
  --outfile "$dir/ca-key.pem" 2>/dev/null
certtool --generate-self-signed --load-privkey "$dir/ca-key.pem" \
  --template "$dir/ca.template" --no-text --outfile "$dir/ca.pem" 2>/dev/null
certtool --generate-privkey --key-type=ecdsa --no-text \
  --outfile "$dir/server-key.pem" 2>/dev/null
certtool --generate-certificate --load-privkey "$dir/server-key.pem" \
  --load-ca-certificate "$dir/ca.pem" --load-ca-privkey "$dir/ca-key.pem" \
  --template "$dir/server.template" --no-text --outfile "$dir/server.pem" 2>/dev/null
