#!/bin/sh
# Runs a command inside a private D-Bus session bus that has its own gnome-keyring, with an
# unlocked default ("login") collection, so keychain tests use a real Secret Service and never
# the developer's own keyrings:
#
#   sh test/with-keyring.sh node --test dist/test/
#
# The daemon's files, and HOME / XDG_* for the command too, live in a scratch directory deleted
# on exit: gnome-keyring finds its keyrings under $XDG_DATA_HOME/keyrings and a running daemon
# through $XDG_RUNTIME_DIR/keyring/control, so with the real values it would open, or even
# unlock, the developer's own. Inside, MFA_LOGIN_TEST_KEYRING=1 tells tests a keyring is there.
#
# Without dbus-run-session or gnome-keyring-daemon: when CI=true this fails, otherwise it warns and
# runs the command without a keyring (keychain tests then skip and say why).

set -u

# Protects nothing: the keyring it unlocks is thrown away with the scratch directory.
KEYRING_PASSWORD=mfa-login-test-keyring

if [ "${1-}" = --inside-private-session ]; then
  shift
  scratch=$MFA_LOGIN_KEYRING_SCRATCH
  unset MFA_LOGIN_KEYRING_SCRATCH
  daemon_pid=

  stop_daemon() {
    [ -n "$daemon_pid" ] || return 0
    kill "$daemon_pid" 2>/dev/null || return 0
    # Wait until it is gone, so it does not write into the scratch directory while that is removed.
    n=0
    while kill -0 "$daemon_pid" 2>/dev/null && [ "$n" -lt 50 ]; do
      sleep 0.1 2>/dev/null || sleep 1
      n=$((n + 1))
    done
  }
  trap stop_daemon EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # Without --foreground the daemon forks, and the parent prints the environment to use and
  # exits once the daemon is set up.
  if ! printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >"$scratch/daemon.env" 2>"$scratch/daemon.log"; then
    echo "with-keyring.sh: gnome-keyring-daemon failed to start:" >&2
    cat "$scratch/daemon.log" >&2
    exit 1
  fi

  # Its process id, to stop it at the end: a forked daemon is not our child, and it may outlive
  # the bus. Asking the bus (not org.freedesktop.secrets itself) cannot start a second daemon
  # through D-Bus activation.
  n=0
  until reply=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null); do
    n=$((n + 1))
    if [ "$n" -ge 50 ]; then
      echo "with-keyring.sh: gnome-keyring-daemon did not appear on the session bus as org.freedesktop.secrets:" >&2
      cat "$scratch/daemon.log" >&2
      exit 1
    fi
    sleep 0.1 2>/dev/null || sleep 1
  done
  for word in $reply; do daemon_pid=$word; done

  while IFS= read -r line; do
    case $line in
      [A-Za-z_]*=*) export "$line" ;;
    esac
  done <"$scratch/daemon.env"

  export MFA_LOGIN_TEST_KEYRING=1
  "$@"
  exit $?
fi

if [ "$#" -eq 0 ]; then
  echo "usage: sh test/with-keyring.sh COMMAND [ARG...]" >&2
  exit 2
fi

missing=
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  if [ "${CI-}" = true ]; then
    echo "with-keyring.sh: cannot run the keychain tests, missing:$missing (install: apt-get install -y gnome-keyring dbus libsecret-tools)" >&2
    exit 1
  fi
  echo "with-keyring.sh: warning: missing$missing; running without a keyring, keychain tests will be skipped" >&2
  exec "$@"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/mfa-login-keyring.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$scratch/home" "$scratch/data" "$scratch/config" "$scratch/cache" "$scratch/runtime"
chmod 700 "$scratch/runtime"

# Set before dbus-run-session, so that a daemon the bus itself starts (D-Bus activation) gets them
# as well. No display: a keyring prompt must fail in a test, not pop up on the developer's screen.
unset DISPLAY WAYLAND_DISPLAY
HOME=$scratch/home \
XDG_DATA_HOME=$scratch/data \
XDG_CONFIG_HOME=$scratch/config \
XDG_CACHE_HOME=$scratch/cache \
XDG_RUNTIME_DIR=$scratch/runtime \
MFA_LOGIN_KEYRING_SCRATCH=$scratch \
  dbus-run-session -- sh "$0" --inside-private-session "$@"
exit $?
