/** Per-identity usage budgets shared by several gateway instances on PostgreSQL, with a stated tolerance. */
package io.vectorgate.proxy.budget;
