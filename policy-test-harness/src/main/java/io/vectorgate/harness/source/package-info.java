/** Where policies come from: a bundle, a policy directory, or a directory at a git revision (read with JGit). */
package io.vectorgate.harness.source;
