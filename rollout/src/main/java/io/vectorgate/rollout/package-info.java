/** Policy rollout: a policy source (git or bundle server) feeds a staged pipeline that activates only revisions passing every stage. */
package io.vectorgate.rollout;
