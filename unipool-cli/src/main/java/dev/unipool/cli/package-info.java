/**
 * The {@code unipool} command. {@link dev.unipool.cli.Main} is the entry point; {@code demo titles},
 * {@code demo compute} and {@code demo mixed} rebuild the course's programs on {@link dev.unipool.Pool},
 * offline, against {@link dev.unipool.cli.LocalWebServer}.
 *
 * <p>Parameters and return values are non-null unless annotated otherwise.
 */
@NullMarked
package dev.unipool.cli;

import org.jspecify.annotations.NullMarked;
