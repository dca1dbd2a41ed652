package example.outside;

import java.io.Serializable;

/**
 * A user class outside unipool's packages, which allow-lists must name to accept.
 *
 * @param label anything
 */
public record Parcel(String label) implements Serializable {}
