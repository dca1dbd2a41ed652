package dev.unipool.remote;

/**
 * A task lost with its worker that must fail: the transport completes it with its own exception.
 *
 * @param task the task
 * @param detail why, from its {@link Loss}
 */
public record Lost(RemoteTask task, String detail) {}
