/** Development tools of the {@code vectorgate} command: the sample personas' identity provider ({@code vectorgate dev idp}). */
package io.vectorgate.cli.dev;
