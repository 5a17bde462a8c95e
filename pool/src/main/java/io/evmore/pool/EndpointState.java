package io.evmore.pool;

/** An endpoint's health class, best first. The pool prefers better classes and config order within a class. */
public enum EndpointState {
    /** Probe succeeded with the right chain, current height and good latency. */
    HEALTHY,
    /** Not checked yet. */
    UNKNOWN,
    /** Usable but slow, slightly behind or erroring: used when no healthy endpoint has room. */
    DEGRADED,
    /** Wrong chain, unreachable, stalled or far behind: used only when nothing better is left. */
    UNHEALTHY
}
