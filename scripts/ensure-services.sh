#!/usr/bin/env bash
# Starts the local Redis and PostgreSQL the tests use, when they are installed but not running.
set -u
status=0
if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting redis-server on 127.0.0.1:6379" >&2
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || status=1
fi
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL on 127.0.0.1:5432" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || status=1
  fi
fi
for _ in $(seq 1 20); do
  redis_ok=0; pg_ok=0
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && redis_ok=1
  pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && pg_ok=1
  [ "$redis_ok" = 1 ] && [ "$pg_ok" = 1 ] && exit "$status"
  sleep 0.5
done
exit 1
