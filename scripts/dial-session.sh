#!/bin/sh
# A short session of the dial command, for the demo: an echo server on
# 127.0.0.1 only (so "localhost" gets ::1 refused first, then 127.0.0.1),
# and dial --timeline sending it a line. Usage: dial-session.sh PATH/TO/dial
set -eu
dial=$1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dial-session.XXXXXX")
server=
cleanup () {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The server says its port on a FIFO: reading it waits for the listener.
mkfifo "$tmp/port"
python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    with c:
        while True:
            data = c.recv(65536)
            if not data:
                break
            c.sendall(data)
' >"$tmp/port" &
server=$!
read -r port <"$tmp/port"

printf '%s\n' "The dial command: an echo server on 127.0.0.1:$port only, and" \
  "  printf 'hello through dial\\n' | dial --timeline localhost:$port" ""
printf 'hello through dial\n' | "$dial" --timeline "localhost:$port"
