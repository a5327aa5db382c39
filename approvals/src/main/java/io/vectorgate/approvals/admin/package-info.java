/** The approvals admin REST API (server and client): list, show, approve and reject over HTTP with bearer tokens. */
package io.vectorgate.approvals.admin;
