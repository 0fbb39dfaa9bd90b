#!/bin/sh
# A stand-in for the iExec worker, for tests and demos without a workerpool: it logs task
# lifecycle lines in the shape hardware_bridge.worker.activity parses, runs "tasks" that burn
# CPU for STANDIN_TASK_SECONDS, and on SIGTERM finishes the task in progress before exiting,
# as a draining worker must (an abandoned contribution can cost the worker its stake).
name=${IEXEC_WORKER_NAME:-standin-worker}
task_seconds=${STANDIN_TASK_SECONDS:-5}
idle_seconds=${STANDIN_IDLE_SECONDS:-1}
stopping=0
n=0
# Task ids unique across containers, as chain task ids are: the start second, then a counter.
epoch=$(date +%s)

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)  INFO 1 --- [main] c.i.worker.$1"; }
refuse() {
    echo "$(date -u +%Y-%m-%dT%H:%M:%S.000Z) ERROR 1 --- [main] c.i.worker.Application : $1" >&2
    exit 1
}

# The 9.x worker's contract (docs/worker-contract.md): what it cannot start without, refused as
# the real one refuses it, so that tests of the bridge check the contract and not just a container.
core=${IEXEC_CORE_URL:-}
case "$core" in
    http://?* | https://?*) ;;
    "") refuse "IEXEC_CORE_URL is not set: the worker would look for its core on localhost" ;;
    *) refuse "IEXEC_CORE_URL must be a valid URL, got '$core'" ;;
esac
case "${POOL_ADDRESS:-}" in
    "" | 0x0 | 0X0) refuse "The workerpool address must be filled in (POOL_ADDRESS)" ;;
esac
[ -n "${IEXEC_WORKER_WALLET_PATH:-}" ] || refuse "IEXEC_WORKER_WALLET_PATH is not set"
[ -r "$IEXEC_WORKER_WALLET_PATH" ] || refuse "cannot read the wallet $IEXEC_WORKER_WALLET_PATH"
[ -n "${IEXEC_WORKER_WALLET_PASSWORD:-}" ] || refuse "IEXEC_WORKER_WALLET_PASSWORD is not set"

trap 'stopping=1; log "Application : SIGTERM received, finishing the task in progress [worker:$name]"' TERM INT

log "Application : Started worker [name:$name, core:$core, pool:$POOL_ADDRESS, cpus:${IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT:-all}]"
while [ "$stopping" = 0 ]; do
    sleep "$idle_seconds" & wait $!
    [ "$stopping" = 0 ] || break
    n=$((n + 1))
    task=$(printf '0x%016x%048x' "$epoch" "$n")
    log "replicate.ReplicateService : Replicate status update [status:STARTED, chainTaskId:$task]"
    # Busy work in the background so SIGTERM is handled at once, yet the task runs to its end.
    (end=$(($(date +%s) + task_seconds)); while [ "$(date +%s)" -lt "$end" ]; do :; done) &
    worker=$!
    while kill -0 "$worker" 2>/dev/null; do wait "$worker"; done
    log "replicate.ReplicateService : Replicate status update [status:COMPUTED, chainTaskId:$task]"
    log "replicate.ReplicateService : Replicate status update [status:COMPLETED, chainTaskId:$task]"
done
log "Application : Stopped [worker:$name, tasks:$n]"
