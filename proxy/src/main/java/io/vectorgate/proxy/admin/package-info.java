/** The gateway's admin API wiring: OIDC authentication of approvers for the approvals REST API. */
package io.vectorgate.proxy.admin;
