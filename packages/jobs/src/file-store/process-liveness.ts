export { currentHost, isProcessKnownDead, processStartTime } from '../process-liveness';
